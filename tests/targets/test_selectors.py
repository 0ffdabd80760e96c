from datetime import timedelta
from decimal import Decimal

import pytest

from accounts.models import Unit
from campaigns.models import Criterion
from targets import selectors
from targets.models import Target, TargetReport, TargetRollup
from targets.services import ProgressInput, allocation_save, progress_save, target_create
from tests.factories import CriterionFactory, OfficeUserFactory, TargetAllocationFactory, TargetFactory

from .factories import TargetProgressFactory

pytestmark = pytest.mark.django_db
D = Decimal


def _allocate(target, amounts):
    for unit, amount in amounts.items():
        TargetAllocationFactory(target=target, unit=unit, amount=D(amount))


def test_period_fraction_is_the_elapsed_share_of_the_campaign(world):
    # 1/1–30/6/2024 is 182 of 366 days.
    assert selectors.period_fraction(world.p1) == D("0.4973")
    assert selectors.period_fraction(world.p2) == D("1.0000")


def test_count_target_rolls_up_cumulative_values_per_period(world):
    target = TargetFactory(campaign=world.campaign, kind=Target.Kind.COUNT, total=D("100"))
    _allocate(target, {world.g1: "50", world.g2: "30", world.g3: "20"})
    TargetProgressFactory(target=target, unit=world.g1, period=world.p1, value=D("20"))
    TargetProgressFactory(target=target, unit=world.g2, period=world.p1, value=D("15"))
    TargetProgressFactory(target=target, unit=world.g1, period=world.p2, value=D("55"))
    [achievement] = selectors.campaign_achievements(campaign=world.campaign, period=world.p1)
    assert (achievement.allocated, achievement.units_allocated, achievement.value, achievement.units_reported) == (
        D("100"), 3, D("35"), 2)
    assert achievement.series == [D("35"), D("55")]
    assert achievement.percent == D("35.0")
    assert achievement.expected_percent == D("49.7")
    assert achievement.on_track is False


def test_percentage_target_sums_numerators_and_denominators(world):
    target = TargetFactory(campaign=world.campaign, kind=Target.Kind.PERCENTAGE, total=D("70"))
    _allocate(target, {world.g1: "70", world.g2: "70"})
    TargetProgressFactory(target=target, unit=world.g1, period=world.p1, numerator=D("9"), denominator=D("10"),
                          value=D("90"))
    TargetProgressFactory(target=target, unit=world.g2, period=world.p1, numerator=D("1"), denominator=D("30"),
                          value=D("3.33"))
    [achievement] = selectors.campaign_achievements(campaign=world.campaign, period=world.p1)
    # (9 + 1) / (10 + 30) = 25 %, not the mean of 90 % and 3.33 %.
    assert achievement.result == D("25.00")
    assert achievement.percent == D("35.7")
    assert achievement.on_track is False


def test_per_unit_minimum_counts_units_reaching_it(world):
    target = TargetFactory(campaign=world.campaign, kind=Target.Kind.PER_UNIT_MIN, total=D("1"))
    _allocate(target, {world.g1: "1", world.g2: "1", world.g3: "2"})
    TargetProgressFactory(target=target, unit=world.g1, period=world.p2, value=D("1"))
    TargetProgressFactory(target=target, unit=world.g2, period=world.p2, value=D("0"))
    TargetProgressFactory(target=target, unit=world.g3, period=world.p2, value=D("1"))
    [achievement] = selectors.campaign_achievements(campaign=world.campaign, period=world.p2)
    assert (achievement.units_met, achievement.units_allocated) == (1, 3)
    assert achievement.result == D("33.33")
    assert achievement.on_track is False


def test_achievements_are_limited_to_the_scope(world):
    target = TargetFactory(campaign=world.campaign, total=D("100"))
    _allocate(target, {world.g1: "50", world.g3: "50"})
    TargetProgressFactory(target=target, unit=world.g1, period=world.p1, value=D("20"))
    TargetProgressFactory(target=target, unit=world.g3, period=world.p1, value=D("40"))
    scope = selectors.scope_unit_ids(user=world.staff1, campaign=world.campaign)
    [achievement] = selectors.campaign_achievements(campaign=world.campaign, period=world.p1, unit_ids=scope)
    assert (achievement.allocated, achievement.value) == (D("50"), D("20"))


def test_scope_of_office_leader_and_staff(world):
    assert selectors.scope_unit_ids(user=world.office, campaign=world.campaign) is None
    leader = set(selectors.scope_unit_ids(user=world.staff1, campaign=world.campaign))
    member = set(selectors.scope_unit_ids(user=world.staff2, campaign=world.campaign))
    district_office = OfficeUserFactory(unit=world.d1)
    district = set(selectors.scope_unit_ids(user=district_office, campaign=world.campaign))
    assert leader == {world.g1.pk, world.g2.pk}
    assert member == {world.g2.pk}
    assert district == {world.d1.pk, world.g1.pk, world.g2.pk}


def test_allocation_rows_mark_units_behind_for_the_elapsed_time(world):
    target = TargetFactory(campaign=world.campaign, total=D("300"))
    _allocate(target, {world.g1: "100", world.g2: "100", world.g3: "100"})
    TargetProgressFactory(target=target, unit=world.g1, period=world.p1, value=D("50"))  # 50 ≥ 49.73: on track
    TargetProgressFactory(target=target, unit=world.g2, period=world.p1, value=D("49"))  # behind
    rows = {r.unit.code: (r.value, r.behind) for r in selectors.allocation_rows(target=target, period=world.p1)}
    assert rows == {"G1": (D("50"), False), "G2": (D("49"), True), "G3": (None, True)}
    assert [r.unit.code for r in selectors.units_behind(target=target, period=world.p1)] == ["G2", "G3"]


def test_rollup_by_cluster_and_by_parent_unit(world):
    target = TargetFactory(campaign=world.campaign, total=D("100"))
    _allocate(target, {world.g1: "50", world.g2: "30", world.g3: "20"})
    TargetProgressFactory(target=target, unit=world.g1, period=world.p1, value=D("10"))
    TargetProgressFactory(target=target, unit=world.g2, period=world.p1, value=D("5"))
    TargetProgressFactory(target=target, unit=world.g3, period=world.p1, value=D("7"))
    by_cluster = [(r.name, r.allocated, r.value, r.units_reported)
                  for r in selectors.target_rollup(target=target, period=world.p1, by="cluster")]
    by_parent = [(r.name, r.allocated, r.value, r.units_reported)
                 for r in selectors.target_rollup(target=target, period=world.p1, by="parent")]
    assert by_cluster == [("Cụm 1", D("80"), D("15"), 2), ("Cụm 2", D("20"), D("7"), 1)]
    assert by_parent == [("Huyện đoàn Hai", D("20"), D("7"), 1), ("Huyện đoàn Một", D("80"), D("15"), 2)]


def test_reporting_rate_counts_on_time_and_late_units(world):
    target = TargetFactory(campaign=world.campaign)
    _allocate(target, {world.g1: "1", world.g2: "1", world.g3: "1"})
    hour = timedelta(hours=1)
    TargetReport.objects.create(unit=world.g1, period=world.p1, first_reported_at=world.p1.deadline - hour)
    TargetReport.objects.create(unit=world.g2, period=world.p1, first_reported_at=world.p1.deadline + hour)
    assert selectors.reporting_rate(campaign=world.campaign, period=world.p1) == {
        "expected": 3, "reported": 2, "on_time": 1}
    status = {u.code: u.first_reported_at is not None
              for u in selectors.reporting_status(campaign=world.campaign, period=world.p1)}
    assert status == {"G1": True, "G2": True, "G3": False}


def test_quantity_for_reads_the_linked_targets_progress(world):
    target = TargetFactory(campaign=world.campaign)
    criterion = CriterionFactory(campaign=world.campaign, method=Criterion.Method.QUANTITY, target=target)
    judged = CriterionFactory(campaign=world.campaign, method=Criterion.Method.JUDGEMENT, target=target)
    TargetProgressFactory(target=target, unit=world.g1, period=world.p1, value=D("42"))
    assert selectors.quantity_for(criterion=criterion, unit=world.g1, period=world.p1) == D("42")
    assert selectors.quantity_for(criterion=criterion, unit=world.g2, period=world.p1) is None
    assert selectors.quantity_for(criterion=judged, unit=world.g1, period=world.p1) is None


def test_quantities_for_period_in_one_query(world, django_assert_num_queries):
    target = TargetFactory(campaign=world.campaign)
    rate = TargetFactory(campaign=world.campaign, kind=Target.Kind.PERCENTAGE, total=D("70"))
    c1 = CriterionFactory(campaign=world.campaign, method=Criterion.Method.QUANTITY, target=target)
    c2 = CriterionFactory(campaign=world.campaign, method=Criterion.Method.QUANTITY, target=rate)
    CriterionFactory(campaign=world.campaign, method=Criterion.Method.QUANTITY)
    TargetProgressFactory(target=target, unit=world.g1, period=world.p1, value=D("42"))
    TargetProgressFactory(target=target, unit=world.g2, period=world.p1, value=D("7"))
    TargetProgressFactory(target=rate, unit=world.g1, period=world.p1, numerator=D("3"), denominator=D("4"),
                          value=D("75"))
    TargetProgressFactory(target=target, unit=world.g1, period=world.p2, value=D("99"))
    with django_assert_num_queries(1):
        quantities = selectors.quantities_for_period(period=world.p1)
    assert quantities == {(world.g1.pk, c1.pk): D("42"), (world.g2.pk, c1.pk): D("7"),
                          (world.g1.pk, c2.pk): D("75")}


def test_criteria_by_target_lists_quantity_criteria(world):
    target = TargetFactory(campaign=world.campaign)
    criterion = CriterionFactory(campaign=world.campaign, method=Criterion.Method.QUANTITY, target=target)
    CriterionFactory(campaign=world.campaign, method=Criterion.Method.BINARY, target=target)
    assert selectors.criteria_by_target(campaign=world.campaign) == {target.pk: [criterion]}


def test_campaigns_with_targets_include_campaigns_allocating_to_the_unit(world):
    target = TargetFactory(campaign=world.campaign)
    TargetAllocationFactory(target=target, unit=world.g3)
    district_office = OfficeUserFactory(unit=world.d2)
    assert list(selectors.campaigns_with_targets_for(world.staff3)) == [world.campaign]
    assert list(selectors.campaigns_with_targets_for(district_office)) == [world.campaign]
    world.campaign.status = "draft"
    world.campaign.save(update_fields=["status"])
    assert list(selectors.campaigns_with_targets_for(district_office)) == []


def test_allocation_levels_label_each_depth(world):
    assert selectors.allocation_levels(campaign=world.campaign) == [
        (1, str(Unit.Level.DISTRICT.label)), (2, str(Unit.Level.GRASSROOTS.label))]


def test_progress_save_records_the_first_report_only(world):
    target = TargetFactory(campaign=world.campaign)
    TargetAllocationFactory(target=target, unit=world.g1)
    progress_save(unit=world.g1, period=world.p1, user=world.staff1, entries={target.pk: ProgressInput(value=D("1"))})
    first = TargetReport.objects.get().first_reported_at
    progress_save(unit=world.g1, period=world.p1, user=world.staff1, entries={target.pk: ProgressInput(value=D("2"))})
    assert list(TargetReport.objects.values_list("unit_id", "first_reported_at")) == [(world.g1.pk, first)]
    assert selectors.reporting_rate(campaign=world.campaign, period=world.p1) == {
        "expected": 1, "reported": 1, "on_time": 1}


def _summary(achievements):
    return [(a.target.code, a.allocated, a.units_allocated, a.value, a.numerator, a.denominator, a.units_reported,
             a.units_met, a.series) for a in achievements]


def test_maintained_rollups_equal_the_aggregates(world):
    """The deltas applied on each save give the same numbers as summing every unit's rows."""
    count = target_create(campaign=world.campaign, user=world.office, data={
        "code": "A", "name": "Cây", "unit_of_measure": "cây", "kind": "count", "total": D("100")})
    share = target_create(campaign=world.campaign, user=world.office, data={
        "code": "B", "name": "Tỷ lệ", "unit_of_measure": "%", "kind": "percentage", "total": D("70")})
    minimum = target_create(campaign=world.campaign, user=world.office, data={
        "code": "C", "name": "Công trình", "unit_of_measure": "công trình", "kind": "per_unit_min", "total": D("1")})
    units = (world.g1, world.g2, world.g3)
    allocation_save(target=count, amounts={world.g1.pk: D("50"), world.g2.pk: D("30"), world.g3.pk: D("20")},
                    user=world.office, source="grid")
    allocation_save(target=share, amounts={u.pk: D("70") for u in units}, user=world.office, source="grid")
    allocation_save(target=minimum, amounts={u.pk: D("1") for u in units}, user=world.office, source="grid")
    grids = [
        (world.g1, world.p1, {count.pk: ProgressInput(value=D("20")), share.pk: ProgressInput(numerator=D("3"),
                                                                                             denominator=D("4")),
                              minimum.pk: ProgressInput(value=D("1"))}),
        (world.g2, world.p1, {count.pk: ProgressInput(value=D("5")), minimum.pk: ProgressInput(value=D("0"))}),
        (world.g1, world.p1, {count.pk: ProgressInput(value=D("25")), minimum.pk: ProgressInput(value=D("0"))}),
        (world.g3, world.p2, {count.pk: ProgressInput(value=D("21")), share.pk: ProgressInput(numerator=D("1"),
                                                                                             denominator=D("9"))}),
        (world.g2, world.p1, {minimum.pk: ProgressInput(value=D("2"))}),
    ]
    for unit, period, entries in grids:
        progress_save(unit=unit, period=period, user=world.office, entries=entries)
    allocation_save(target=count, amounts={world.g1.pk: D("20"), world.g2.pk: D("80")}, user=world.office,
                    source="grid")
    assert TargetRollup.objects.count() == 6  # 3 targets × 2 periods, so the office reads the maintained rows
    everyone = list(Unit.objects.values_list("pk", flat=True))
    for period in (world.p1, world.p2):
        maintained = selectors.campaign_achievements(campaign=world.campaign, period=period)
        summed = selectors.campaign_achievements(campaign=world.campaign, period=period, unit_ids=everyone)
        assert _summary(maintained) == _summary(summed)
    assert _summary(selectors.campaign_achievements(campaign=world.campaign, period=world.p1))[0] == (
        "A", D("100"), 2, D("30"), None, None, 2, None, [D("30"), D("21")])
