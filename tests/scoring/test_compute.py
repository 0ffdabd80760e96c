"""The scoring rules and the recompute: exact values from accepted evidence, on PostgreSQL."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.models import Campaign, Criterion
from evidence.models import DossierSubmission, Evidence
from scoring import compute
from scoring.models import (
    ClusterScore,
    ClusterSectionScore,
    ClusterYearScore,
    CriterionScore,
    DirtyCluster,
    PeriodStanding,
    UnitScore,
    UnitYearScore,
)
from tests.factories import (
    ClusterFactory,
    ClusterMemberFactory,
    CriterionFactory,
    PeriodFactory,
    TargetAllocationFactory,
    TargetFactory,
    UnitFactory,
)
from tests.scoring.factories import accepted, submitted

D = Decimal


def _points(period) -> dict:
    return {(row.unit_id, row.criterion_id): row.points for row in CriterionScore.objects.filter(period=period)}


def _unit(period, unit) -> UnitScore:
    return UnitScore.objects.get(period=period, unit=unit)


def _cluster(period, cluster) -> ClusterScore:
    return ClusterScore.objects.get(period=period, cluster=cluster)


def test_judgement_counts_the_reviewers_score_capped_at_the_maximum(world):
    c1, c2, _ = world.criteria
    accepted(period=world.period, unit=world.unit, criterion=c1, score="7.25")
    accepted(period=world.period, unit=world.unit, criterion=c2, score="12")
    compute.period_recompute(period_id=world.period.pk)
    assert _points(world.period) == {(world.unit.pk, c1.pk): D("7.25"), (world.unit.pk, c2.pk): D("10.00")}


def test_binary_gives_full_points_whatever_the_score(world):
    binary = CriterionFactory(campaign=world.campaign, method=Criterion.Method.BINARY, max_points=4)
    accepted(period=world.period, unit=world.unit, criterion=binary, score="1")
    compute.period_recompute(period_id=world.period.pk)
    assert _points(world.period) == {(world.unit.pk, binary.pk): D("4.00")}


def test_only_accepted_evidence_counts(world):
    c1, c2, c3 = world.criteria
    submitted(period=world.period, unit=world.unit, criterion=c1, self_score=10)
    for status, criterion in ((Evidence.Status.RETURNED, c2), (Evidence.Status.REJECTED, c3)):
        evidence = accepted(period=world.period, unit=world.unit, criterion=criterion, score=9)
        Evidence.objects.filter(pk=evidence.pk).update(status=status)
    compute.period_recompute(period_id=world.period.pk)
    assert _points(world.period) == {}
    assert _unit(world.period, world.unit).total == D("0")


@pytest.mark.parametrize(("quantity", "expected"), [(10, "2.50"), (20, "5.00"), (35, "5.00"), (0, "0.00")])
def test_quantity_is_proportional_to_the_criterions_target_and_capped(world, quantity, expected):
    accepted(period=world.period, unit=world.unit, criterion=world.quantity_criterion, quantity=quantity)
    compute.period_recompute(period_id=world.period.pk)
    assert _points(world.period) == {(world.unit.pk, world.quantity_criterion.pk): D(expected)}


def test_quantity_of_a_linked_target_uses_the_units_allocation_and_reported_progress(world):
    from targets.models import TargetProgress

    target = TargetFactory(campaign=world.campaign, total=1000)
    TargetAllocationFactory(target=target, unit=world.unit, amount=40)
    criterion = CriterionFactory(campaign=world.campaign, method=Criterion.Method.QUANTITY, max_points=8,
                                 target=target, target_quantity=None)
    TargetProgress.objects.create(target=target, unit=world.unit, period=world.period, value=30)
    accepted(period=world.period, unit=world.unit, criterion=criterion, quantity=1)  # the report wins
    compute.period_recompute(period_id=world.period.pk)
    assert _points(world.period) == {(world.unit.pk, criterion.pk): D("6.00")}  # 8 × 30 / 40


def test_bonus_adds_beyond_the_base_and_penalty_subtracts(world):
    c1 = world.criteria[0]
    bonus = CriterionFactory(campaign=world.campaign, category=Criterion.Category.BONUS, max_points=3)
    penalty = CriterionFactory(campaign=world.campaign, category=Criterion.Category.PENALTY, max_points=5)
    accepted(period=world.period, unit=world.unit, criterion=c1, score=10)
    accepted(period=world.period, unit=world.unit, criterion=bonus, score=3)
    accepted(period=world.period, unit=world.unit, criterion=penalty, score=2)
    compute.period_recompute(period_id=world.period.pk)
    score = _unit(world.period, world.unit)
    # Base maximum: three judgement criteria of 10 and the quantity criterion of 5.
    assert (score.base_points, score.bonus_points, score.penalty_points, score.total, score.max_points) == (
        D("10.00"), D("3.00"), D("2.00"), D("11.00"), D("35.00"))
    assert score.percent == D("31.429")
    assert score.completeness == D("0.2500")  # one base criterion of four
    assert score.accepted_count == 3


def test_cluster_score_is_the_average_percentage_of_its_units_by_default(world):
    c1, c2, _ = world.criteria
    accepted(period=world.period, unit=world.unit, criterion=c1, score=7)  # 20 %
    accepted(period=world.period, unit=world.leader_unit, criterion=c1, score=7)
    accepted(period=world.period, unit=world.leader_unit, criterion=c2, score=7)  # 40 %
    accepted(period=world.period, unit=world.other_unit, criterion=c1, score="10.5")  # 30 % (capped 10 → 28.571)
    compute.period_recompute(period_id=world.period.pk)
    one, other = _cluster(world.period, world.cluster), _cluster(world.period, world.other_cluster)
    assert (one.score, one.total_points, one.unit_count, one.rank) == (D("30.000"), D("21.00"), 2, 1)
    assert (other.score, other.total_points, other.unit_count, other.rank) == (D("28.571"), D("10.00"), 1, 2)
    assert one.completeness == D("0.3750")  # 3 cells of 2 units × 4 base criteria


@pytest.mark.parametrize(("method", "one", "other"), [
    (Campaign.ClusterScoreMethod.AVERAGE, "10.500", "10.000"),
    (Campaign.ClusterScoreMethod.SUM, "21.000", "10.000"),
])
def test_cluster_score_methods(world, method, one, other):
    Campaign.objects.filter(pk=world.campaign.pk).update(cluster_score_method=method)
    c1, c2, _ = world.criteria
    accepted(period=world.period, unit=world.unit, criterion=c1, score=7)
    accepted(period=world.period, unit=world.leader_unit, criterion=c1, score=7)
    accepted(period=world.period, unit=world.leader_unit, criterion=c2, score=7)
    accepted(period=world.period, unit=world.other_unit, criterion=c1, score=10)
    compute.period_recompute(period_id=world.period.pk)
    assert _cluster(world.period, world.cluster).score == D(one)
    assert _cluster(world.period, world.other_cluster).score == D(other)


def test_ties_are_broken_by_completeness_then_by_dossier_time(world):
    c1, c2, c3 = world.criteria
    third = ClusterFactory(campaign=world.campaign)
    third_unit = UnitFactory(parent=world.office_unit)
    ClusterMemberFactory(cluster=third, unit=third_unit)
    # Same score (20 / 35) for all three clusters' units; "other" reaches it with two criteria (more complete).
    for unit in (world.unit, world.leader_unit):
        accepted(period=world.period, unit=unit, criterion=c1, score=7)
    accepted(period=world.period, unit=world.other_unit, criterion=c2, score=4)
    accepted(period=world.period, unit=world.other_unit, criterion=c3, score=3)
    accepted(period=world.period, unit=third_unit, criterion=c1, score=7)
    now = timezone.now()
    DossierSubmission.objects.create(cluster=world.cluster, period=world.period, submitted_at=now, on_time=True)
    DossierSubmission.objects.create(cluster=third, period=world.period, submitted_at=now - timedelta(hours=1),
                                     on_time=True)
    compute.period_recompute(period_id=world.period.pk)
    ranks = dict(ClusterScore.objects.filter(period=world.period).values_list("cluster_id", "rank"))
    assert ranks == {world.other_cluster.pk: 1, third.pk: 2, world.cluster.pk: 3}
    assert _cluster(world.period, third).on_time is True
    assert _cluster(world.period, world.other_cluster).on_time is False


def test_exact_ties_share_a_rank(world):
    c1 = world.criteria[0]
    accepted(period=world.period, unit=world.unit, criterion=c1, score=5)
    accepted(period=world.period, unit=world.leader_unit, criterion=c1, score=5)
    accepted(period=world.period, unit=world.other_unit, criterion=c1, score=5)
    compute.period_recompute(period_id=world.period.pk)
    assert set(ClusterScore.objects.values_list("rank", flat=True)) == {1}
    assert set(UnitScore.objects.filter(cluster=world.cluster).values_list("rank_in_cluster", flat=True)) == {1}


def test_units_are_ranked_inside_their_cluster(world):
    c1, c2, _ = world.criteria
    accepted(period=world.period, unit=world.unit, criterion=c1, score=9)
    accepted(period=world.period, unit=world.leader_unit, criterion=c2, score=6)
    compute.period_recompute(period_id=world.period.pk)
    assert _unit(world.period, world.unit).rank_in_cluster == 1
    assert _unit(world.period, world.leader_unit).rank_in_cluster == 2
    assert _unit(world.period, world.other_unit).rank_in_cluster == 1


def test_section_scores_sum_the_top_sections_criteria_per_cluster(world):
    section = CriterionFactory(campaign=world.campaign, kind=Criterion.Kind.SECTION, code="I", max_points=0)
    sub = CriterionFactory(campaign=world.campaign, kind=Criterion.Kind.SECTION, code="I.1", parent=section)
    a = CriterionFactory(campaign=world.campaign, parent=sub, code="I.1.a", max_points=6)
    b = CriterionFactory(campaign=world.campaign, parent=section, code="I.2", max_points=4)
    accepted(period=world.period, unit=world.unit, criterion=a, score=6)
    accepted(period=world.period, unit=world.leader_unit, criterion=b, score=2)
    compute.period_recompute(period_id=world.period.pk)
    cell = ClusterSectionScore.objects.get(period=world.period, cluster=world.cluster, section=section)
    assert (cell.points, cell.max_points, cell.percent) == (D("8.00"), D("20.00"), D("40.000"))
    assert CriterionScore.objects.get(criterion=a).section_id == section.pk


def test_recompute_is_idempotent_and_writes_nothing_when_nothing_changed(world):
    c1 = world.criteria[0]
    accepted(period=world.period, unit=world.unit, criterion=c1, score=8)
    compute.period_recompute(period_id=world.period.pk)

    def state():
        return (
            list(CriterionScore.objects.order_by("pk").values_list("pk", "points", "computed_at")),
            list(UnitScore.objects.order_by("pk").values_list("pk", "total", "rank_in_cluster", "computed_at")),
            list(ClusterScore.objects.order_by("pk").values_list("pk", "score", "rank", "computed_at")),
            list(UnitYearScore.objects.order_by("pk").values_list("pk", "total", "classification", "computed_at")),
        )

    before = state()
    compute.period_recompute(period_id=world.period.pk)
    compute.cluster_recompute(period_id=world.period.pk, cluster_id=world.cluster.pk)
    assert state() == before


def test_a_changed_review_and_a_withdrawn_acceptance_are_picked_up(world):
    c1, c2, _ = world.criteria
    first = accepted(period=world.period, unit=world.unit, criterion=c1, score=8)
    second = accepted(period=world.period, unit=world.unit, criterion=c2, score=4)
    compute.cluster_recompute(period_id=world.period.pk, cluster_id=world.cluster.pk)
    Evidence.objects.filter(pk=first.pk).update(score=D("9.5"))
    Evidence.objects.filter(pk=second.pk).update(status=Evidence.Status.RETURNED)
    compute.cluster_recompute(period_id=world.period.pk, cluster_id=world.cluster.pk)
    assert _points(world.period) == {(world.unit.pk, c1.pk): D("9.50")}
    assert _unit(world.period, world.unit).total == D("9.50")


def test_a_full_recompute_over_existing_rows_updates_inserts_and_deletes_cells(world):
    c1, c2, c3 = world.criteria
    first = accepted(period=world.period, unit=world.unit, criterion=c1, score=8)
    accepted(period=world.period, unit=world.unit, criterion=c2, score=4)
    accepted(period=world.period, unit=world.other_unit, criterion=c1, score=6)
    compute.period_recompute(period_id=world.period.pk)  # an empty period: plain insert
    kept = CriterionScore.objects.get(unit=world.unit, criterion=c2)
    Evidence.objects.filter(pk=first.pk).update(score=D("9.5"))
    accepted(period=world.period, unit=world.leader_unit, criterion=c3, score=3)
    world.other_unit.cluster_memberships.filter(campaign=world.campaign).delete()  # left every cluster
    compute.period_recompute(period_id=world.period.pk)
    assert _points(world.period) == {(world.unit.pk, c1.pk): D("9.50"), (world.unit.pk, c2.pk): D("4.00"),
                                     (world.leader_unit.pk, c3.pk): D("3.00")}
    assert CriterionScore.objects.get(pk=kept.pk).computed_at == kept.computed_at  # unchanged rows untouched
    Evidence.objects.filter(pk=first.pk).update(status=Evidence.Status.RETURNED)
    compute.period_recompute(period_id=world.period.pk)
    assert set(_points(world.period)) == {(world.unit.pk, c2.pk), (world.leader_unit.pk, c3.pk)}
    assert _unit(world.period, world.unit).total == D("4.00")


def test_a_unit_moved_to_another_cluster_is_scored_there(world):
    c1 = world.criteria[0]
    accepted(period=world.period, unit=world.unit, criterion=c1, score=8)
    compute.period_recompute(period_id=world.period.pk)
    world.unit.cluster_memberships.filter(campaign=world.campaign).update(cluster=world.other_cluster)
    compute.period_recompute(period_id=world.period.pk)
    assert _unit(world.period, world.unit).cluster_id == world.other_cluster.pk
    assert _cluster(world.period, world.cluster).unit_count == 1
    assert _cluster(world.period, world.other_cluster).unit_count == 2


def test_a_closed_period_is_not_recomputed(world):
    accepted(period=world.period, unit=world.unit, criterion=world.criteria[0], score=8)
    compute.period_recompute(period_id=world.period.pk)
    world.period.status = "closed"
    world.period.save()
    Evidence.objects.update(score=D("1"))
    assert compute.period_recompute(period_id=world.period.pk) is False
    assert compute.cluster_recompute(period_id=world.period.pk, cluster_id=world.cluster.pk) is False
    assert _unit(world.period, world.unit).total == D("8.00")


def test_year_sums_or_averages_the_periods_and_ranks_clusters(world):
    c1 = world.criteria[0]
    q3 = PeriodFactory(campaign=world.campaign, name="Quý III")
    accepted(period=world.period, unit=world.unit, criterion=c1, score=8)
    accepted(period=q3, unit=world.unit, criterion=c1, score=6)
    accepted(period=q3, unit=world.other_unit, criterion=c1, score=10)
    compute.period_recompute(period_id=world.period.pk)
    compute.period_recompute(period_id=q3.pk)
    year = UnitYearScore.objects.get(campaign=world.campaign, unit=world.unit)
    assert (year.total, year.max_points, year.period_count, year.percent) == (D("14.00"), D("70.00"), 2, D("20.000"))
    assert dict(ClusterYearScore.objects.values_list("cluster_id", "rank")) == {
        world.cluster.pk: 2, world.other_cluster.pk: 1}
    assert ClusterScore.objects.get(period=q3, cluster=world.other_cluster).previous_rank == 2
    Campaign.objects.filter(pk=world.campaign.pk).update(year_aggregation=Campaign.YearAggregation.AVERAGE)
    compute.period_recompute(period_id=q3.pk)
    year.refresh_from_db()
    assert (year.total, year.max_points, year.percent) == (D("7.00"), D("35.00"), D("20.000"))


def _grade_world(world, percents):
    """Units with the given year percentages (criterion of 100 points only)."""
    Criterion.objects.filter(campaign=world.campaign).delete()
    criterion = CriterionFactory(campaign=world.campaign, max_points=100)
    units = []
    for percent in percents:
        unit = UnitFactory(parent=world.office_unit)
        ClusterMemberFactory(cluster=world.cluster, unit=unit)
        accepted(period=world.period, unit=unit, criterion=criterion, score=percent)
        units.append(unit)
    world.cluster.memberships.exclude(unit__in=units).delete()
    world.other_cluster.memberships.all().delete()
    compute.period_recompute(period_id=world.period.pk)
    return [UnitYearScore.objects.get(unit=unit).classification for unit in units]


def test_classification_by_the_campaigns_thresholds(world):
    assert _grade_world(world, [95, 90, 89, 70, 69, 50, 49]) == [
        "excellent", "excellent", "good", "good", "completed", "completed", "not_completed"]


def test_classification_caps_the_share_of_the_top_grade(world):
    Campaign.objects.filter(pk=world.campaign.pk).update(excellent_cap_percent=D("25"))
    # 4 units, cap 25 % → one "excellent"; the others qualifying fall to "good".
    assert _grade_world(world, [91, 99, 95, 40]) == ["good", "excellent", "good", "not_completed"]


def test_mark_dirty_bumps_the_generation_and_a_recompute_clears_only_what_it_read(world):
    compute.scores_mark_dirty(period=world.period, cluster_ids=[world.cluster.pk])
    compute.scores_mark_dirty(period=world.period, cluster_ids=[world.cluster.pk])
    flag = DirtyCluster.objects.get(period=world.period, cluster=world.cluster)
    assert flag.generation == 2
    compute.cluster_recompute(period_id=world.period.pk, cluster_id=world.cluster.pk)
    assert not DirtyCluster.objects.exists()
    assert PeriodStanding.objects.get(period=world.period).cluster_count == 1  # only the recomputed cluster so far


def test_a_change_during_a_recompute_keeps_the_flag(world):
    compute.scores_mark_dirty(period=world.period, cluster_ids=[world.cluster.pk])
    generations = {world.cluster.pk: 1}
    compute.scores_mark_dirty(period=world.period, cluster_ids=[world.cluster.pk])  # came in meanwhile
    compute._clear_dirty(world.period.pk, generations)
    assert DirtyCluster.objects.get(cluster=world.cluster).generation == 2


def test_the_sweep_recomputes_every_dirty_cluster(world):
    accepted(period=world.period, unit=world.unit, criterion=world.criteria[0], score=8)
    compute.scores_mark_dirty(period=world.period, cluster_ids=[world.cluster.pk, world.other_cluster.pk])
    assert compute.dirty_recompute() == 1  # every cluster dirty: one period recompute
    assert not DirtyCluster.objects.exists()
    assert _unit(world.period, world.unit).total == D("8.00")


def test_closed_periods_are_not_flagged(world):
    world.period.status = "closed"
    world.period.save()
    compute.scores_mark_dirty(period=world.period, cluster_ids=[world.cluster.pk])
    assert not DirtyCluster.objects.exists()
