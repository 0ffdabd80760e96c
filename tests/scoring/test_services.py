"""Reviewing evidence and closing a period: the rules of scoring.services."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditEntry
from evidence.models import Evidence
from scoring import compute, services
from scoring.models import ClusterScore, DirtyCluster, Review, StandingSnapshot
from tests.factories import ClusterFactory, OfficeUserFactory, UserFactory
from tests.scoring.factories import accepted, submitted


def _review(evidence, user, **kwargs):
    return services.evidence_review(evidence=evidence, user=user, **kwargs)


def test_accepting_stores_the_score_keeps_a_review_and_marks_the_cluster_dirty(world):
    item = submitted(period=world.period, unit=world.unit, criterion=world.criteria[0], self_score=8)
    DirtyCluster.objects.all().delete()

    result = _review(item, world.office, decision="accepted", score="7,75", expected_version=item.version)

    assert (result.status, result.score, result.reviewed_by, result.version) == (
        Evidence.Status.ACCEPTED, Decimal("7.75"), world.office, item.version + 1)
    review = Review.objects.get(evidence=item)
    assert (review.decision, review.score, review.previous_status, review.previous_score) == (
        "accepted", Decimal("7.75"), "submitted", None)
    assert list(DirtyCluster.objects.values_list("period_id", "cluster_id")) == [(world.period.pk, world.cluster.pk)]


def test_every_score_change_is_audited_with_old_and_new_values(world):
    item = submitted(period=world.period, unit=world.unit, criterion=world.criteria[0], self_score=8)
    item = _review(item, world.office, decision="accepted", score="8")
    _review(item, world.office, decision="accepted", score="6.5")

    entries = list(AuditEntry.objects.filter(action="evidence.review").order_by("pk"))
    assert [e.data["score"] for e in entries] == [[None, "8.00"], ["8.00", "6.50"]]
    assert entries[1].data["decision"] == "accepted"
    assert "status" not in entries[1].data  # unchanged fields are not listed
    assert entries[0].data["status"] == ["submitted", "accepted"]


@pytest.mark.parametrize("value, message", [
    ("10.25", "từ 0 đến 10"),
    ("-1", "từ 0 đến 10"),
    ("7.3", "bước 0,25"),
    ("bảy", "phải là một số"),
    ("", "Hãy cho điểm"),
])
def test_a_bad_score_is_refused_and_nothing_changes(world, value, message):
    item = submitted(period=world.period, unit=world.unit, criterion=world.criteria[0], self_score=8)
    with pytest.raises(ValidationError) as error:
        _review(item, world.office, decision="accepted", score=value)
    assert message in " ".join(error.value.message_dict["score"])
    item.refresh_from_db()
    assert (item.status, item.score, item.version) == ("submitted", None, 1)
    assert not Review.objects.exists() and not AuditEntry.objects.filter(action="evidence.review").exists()


def test_a_binary_criterion_gets_full_points_when_accepted_without_a_score(world):
    criterion = world.criteria[0]
    criterion.method = "binary"
    criterion.save()
    item = submitted(period=world.period, unit=world.unit, criterion=criterion)
    assert _review(item, world.office, decision="accepted").score == Decimal("10.00")


@pytest.mark.parametrize("decision, message", [
    ("returned", "đơn vị cần bổ sung gì"), ("rejected", "lý do không chấp nhận")])
def test_returning_or_rejecting_needs_a_remark(world, decision, message):
    item = submitted(period=world.period, unit=world.unit, criterion=world.criteria[0], self_score=8)
    with pytest.raises(ValidationError) as error:
        _review(item, world.office, decision=decision, remark="   ")
    assert message in error.value.message_dict["remark"][0]
    result = _review(item, world.office, decision=decision, remark="Thiếu ảnh hoạt động")
    assert (result.status, result.score, result.review_remark) == (decision, None, "Thiếu ảnh hoạt động")


def test_the_second_of_two_concurrent_saves_is_refused_with_the_others_change(world):
    item = submitted(period=world.period, unit=world.unit, criterion=world.criteria[0], self_score=8)
    colleague = OfficeUserFactory(unit=world.office_unit, full_name="Trần Thị Bình")
    seen_version = item.version
    _review(item, colleague, decision="returned", remark="Bổ sung biên bản", expected_version=seen_version)

    with pytest.raises(ValidationError) as error:
        _review(item, world.office, decision="accepted", score="9", expected_version=seen_version)

    assert error.value.code == "conflict"
    assert "Trần Thị Bình" in error.value.message and "Bổ sung biên bản" in error.value.message
    item.refresh_from_db()
    assert (item.status, item.score, item.reviewed_by) == ("returned", None, colleague)
    assert Review.objects.filter(evidence=item).count() == 1


def test_a_reviewer_never_scores_their_own_unit(world):
    item = submitted(period=world.period, unit=world.office_unit, criterion=world.criteria[0], self_score=8)
    with pytest.raises(PermissionDenied, match="chính đơn vị mình"):
        _review(item, world.office, decision="accepted", score="8")
    assert Evidence.objects.get(pk=item.pk).status == "submitted"


def test_only_the_campaigns_office_or_the_clusters_follower_reviews(world):
    item = submitted(period=world.period, unit=world.unit, criterion=world.criteria[0], self_score=8)
    with pytest.raises(PermissionDenied):
        _review(item, OfficeUserFactory(), decision="accepted", score="8")
    with pytest.raises(PermissionDenied):
        _review(item, world.leader, decision="accepted", score="8")
    follower = OfficeUserFactory()
    world.cluster.follower = follower
    world.cluster.save()
    assert _review(item, follower, decision="accepted", score="8").status == "accepted"


def test_drafts_and_closed_periods_cannot_be_reviewed(world):
    draft = submitted(period=world.period, unit=world.unit, criterion=world.criteria[0])
    Evidence.objects.filter(pk=draft.pk).update(status="draft")
    with pytest.raises(ValidationError, match="chưa được gửi"):
        _review(draft, world.office, decision="accepted", score="8")

    item = submitted(period=world.period, unit=world.unit, criterion=world.criteria[1], self_score=8)
    services.period_close(period=world.period, user=world.office)
    with pytest.raises(ValidationError, match="đã khóa sổ"):
        _review(item, world.office, decision="accepted", score="8")


def test_bulk_accept_takes_the_self_scores_and_skips_what_needs_a_look(world):
    ready = submitted(period=world.period, unit=world.unit, criterion=world.criteria[0], self_score=6)
    no_score = submitted(period=world.period, unit=world.unit, criterion=world.criteria[1])
    decided = accepted(period=world.period, unit=world.other_unit, criterion=world.criteria[0], score=5)
    stale = submitted(period=world.period, unit=world.other_unit, criterion=world.criteria[1], self_score=4)
    Evidence.objects.filter(pk=stale.pk).update(version=5)  # the unit changed it after the queue was read

    result = services.reviews_bulk_accept(evidence=[ready, no_score, decided, stale], user=world.office)

    assert [e.pk for e in result.accepted] == [ready.pk]
    assert Evidence.objects.get(pk=ready.pk).score == Decimal("6.00")
    reasons = {item.pk: reason for item, reason in result.skipped}
    assert reasons[no_score.pk] == "Hãy cho điểm để chấp nhận minh chứng này."
    assert reasons[decided.pk] == "đã được thẩm định"
    assert "Đơn vị đã sửa minh chứng này" in reasons[stale.pk]
    assert Evidence.objects.get(pk=stale.pk).status == "submitted"


def test_closing_freezes_the_standings_and_reopening_is_audited(world):
    accepted(period=world.period, unit=world.unit, criterion=world.criteria[0], score=8)
    snapshot = services.period_close(period=world.period, user=world.office)
    world.period.refresh_from_db()
    assert world.period.is_closed
    assert [c["cluster_id"] for c in snapshot.data["clusters"]] == [world.cluster.pk, world.other_cluster.pk]
    assert snapshot.data["clusters"][0]["rank"] == 1

    with pytest.raises(ValidationError, match="đã được khóa sổ"):
        services.period_close(period=world.period, user=world.office)
    with pytest.raises(ValidationError, match="lý do"):
        services.period_unfreeze(period=world.period, user=world.office, reason=" ")
    with pytest.raises(PermissionDenied):
        services.period_unfreeze(period=world.period, user=UserFactory(unit=world.unit), reason="Sai sót")

    services.period_unfreeze(period=world.period, user=world.office, reason="Sai sót điểm cụm 1")
    world.period.refresh_from_db()
    snapshot.refresh_from_db()
    assert not world.period.is_closed
    assert (snapshot.reopened_by, snapshot.reopen_reason) == (world.office, "Sai sót điểm cụm 1")
    assert list(AuditEntry.objects.filter(action__startswith="period.").values_list("action", flat=True)
                .order_by("pk")) == ["period.close", "period.reopen"]
    assert set(DirtyCluster.objects.values_list("cluster_id", flat=True)) == {world.cluster.pk,
                                                                              world.other_cluster.pk}
    assert StandingSnapshot.objects.get().data == snapshot.data  # the frozen snapshot is kept


def test_a_review_after_reopening_changes_the_standings(world):
    item = accepted(period=world.period, unit=world.other_unit, criterion=world.criteria[0], score=2)
    accepted(period=world.period, unit=world.unit, criterion=world.criteria[0], score=8)
    services.period_close(period=world.period, user=world.office)
    services.period_unfreeze(period=world.period, user=world.office, reason="Chấm lại")
    _review(item, world.office, decision="accepted", score="10")
    compute.dirty_recompute()
    ranks = dict(ClusterScore.objects.filter(period=world.period).values_list("cluster_id", "rank"))
    assert ranks == {world.other_cluster.pk: 1, world.cluster.pk: 2}


def test_an_unrelated_cluster_is_not_flagged(world):
    ClusterFactory(campaign=world.campaign)
    item = submitted(period=world.period, unit=world.other_unit, criterion=world.criteria[0], self_score=3)
    DirtyCluster.objects.all().delete()
    _review(item, world.office, decision="accepted", score="3")
    assert list(DirtyCluster.objects.values_list("cluster_id", flat=True)) == [world.other_cluster.pk]


def test_the_recompute_command_fills_the_tables_and_refuses_a_closed_period(world):
    from io import StringIO

    from django.core.management import CommandError, call_command

    accepted(period=world.period, unit=world.unit, criterion=world.criteria[0], score=8)
    out = StringIO()
    call_command("recompute_scores", "--campaign", str(world.campaign.pk), stdout=out)
    assert "Quý II" in out.getvalue()
    assert ClusterScore.objects.get(period=world.period, cluster=world.cluster).rank == 1
    services.period_close(period=world.period, user=world.office)
    with pytest.raises(CommandError, match="closed"):
        call_command("recompute_scores", "--period", str(world.period.pk))
    with pytest.raises(CommandError, match="no period"):
        call_command("recompute_scores", "--period", "999999")
