"""The cluster leader's completeness matrix, reminders by e-mail and the dossier snapshot."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Period
from core.models import AuditEntry
from evidence.models import DossierSubmission, Evidence, Reminder
from evidence.tasks import reminder_send
from tests.factories import CriterionFactory, EvidenceFactory, EvidenceFileFactory

pytestmark = pytest.mark.django_db


def _matrix_url(world):
    return reverse("cluster_matrix", args=[world.cluster.pk, world.period.pk])


@pytest.fixture
def filled(world):
    """The leader's unit sent two criteria, the member unit one draft and one submitted."""
    a = EvidenceFactory(period=world.period, unit=world.leader_unit, criterion=world.criteria[0],
                        status=Evidence.Status.SUBMITTED)
    b = EvidenceFactory(period=world.period, unit=world.leader_unit, criterion=world.criteria[1],
                        status=Evidence.Status.ACCEPTED)
    c = EvidenceFactory(period=world.period, unit=world.unit, criterion=world.criteria[0],
                        status=Evidence.Status.DRAFT)
    d = EvidenceFactory(period=world.period, unit=world.unit, criterion=world.criteria[2],
                        status=Evidence.Status.SUBMITTED)
    EvidenceFileFactory(evidence=a, sha256="a" * 64)
    EvidenceFileFactory(evidence=d, sha256="d" * 64)
    # Another cluster's evidence never shows.
    EvidenceFactory(period=world.period, unit=world.other_unit, criterion=world.criteria[0],
                    status=Evidence.Status.SUBMITTED)
    return {"a": a, "b": b, "c": c, "d": d}


def test_matrix_counts_per_unit_and_criterion(world, filled, login):
    response = login(world.leader).get(_matrix_url(world))
    assert response.status_code == 200
    matrix = response.context["matrix"]
    assert [row["unit"] for row in matrix.rows] == sorted([world.leader_unit, world.unit], key=lambda u: u.code)
    done = {row["unit"].pk: row["done"] for row in matrix.rows}
    assert done == {world.leader_unit.pk: 2, world.unit.pk: 1}
    assert matrix.column_counts == [1, 1, 1, 0]
    assert (matrix.complete, matrix.total, matrix.percent) == (3, 8, 37.5)
    body = response.content.decode()
    assert reverse("evidence_detail", args=[filled["c"].pk]) in body
    assert "37,5%" in body or "37.5%" in body


def test_bonus_and_penalty_criteria_are_shown_but_never_counted_as_gaps(world, filled, login):
    bonus = CriterionFactory(campaign=world.campaign, category="bonus", code="V.1")
    penalty = CriterionFactory(campaign=world.campaign, category="penalty", code="V.2")
    EvidenceFactory(period=world.period, unit=world.unit, criterion=bonus, status=Evidence.Status.SUBMITTED)
    matrix = login(world.leader).get(_matrix_url(world)).context["matrix"]
    assert [c.code for c in matrix.criteria][-2:] == ["V.1", "V.2"]
    assert (matrix.complete, matrix.total, matrix.counted_criteria) == (3, 8, 4)
    missing = {row["unit"].pk: [c.pk for c in row["missing"]] for row in matrix.rows}
    assert bonus.pk not in missing[world.leader_unit.pk] and penalty.pk not in missing[world.unit.pk]
    assert matrix.column_counts[-2:] == [1, 0]


def test_leader_opens_member_evidence_read_only(world, filled, login):
    client = login(world.leader)
    response = client.get(reverse("evidence_detail", args=[filled["d"].pk]))
    assert response.status_code == 200
    assert response.context["own"] is False
    edit = client.post(reverse("evidence_edit", args=[world.period.pk, world.criteria[2].pk]), {"note": "x"})
    # The leader's POST edits the leader's own unit's evidence, never the member's.
    assert edit.status_code == 302
    filled["d"].refresh_from_db()
    assert filled["d"].note == ""


def test_member_unit_cannot_see_the_matrix(world, login):
    response = login(world.staff).get(_matrix_url(world))
    assert response.status_code == 403


def test_office_and_follower_see_the_matrix(world, login):
    assert login(world.office).get(_matrix_url(world)).status_code == 200


def test_remind_all_units_with_gaps_queues_and_sends_mail(world, filled, login, django_capture_on_commit_callbacks):
    client = login(world.leader)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("cluster_remind", args=[world.cluster.pk, world.period.pk]),
                               {"message": "Hạn chót thứ Sáu"})
    assert response.status_code == 302
    assert len(callbacks) == 2
    reminders = list(Reminder.objects.order_by("unit__code"))
    assert {r.unit for r in reminders} == {world.leader_unit, world.unit}
    member = Reminder.objects.get(unit=world.unit)
    assert len(member.missing) == 3
    assert member.sent_at is None
    for reminder in reminders:
        reminder_send(reminder.pk)
        reminder_send(reminder.pk)  # idempotent
    assert len(mail.outbox) == 2
    message = next(m for m in mail.outbox if "don-vi@example.org" in m.to)
    assert message.subject == f"[{world.cluster.name}] Minh chứng Quý II còn thiếu"
    assert "Hạn chót thứ Sáu" in message.body
    assert world.criteria[1].code in message.body
    assert sorted(message.to) == sorted(["don-vi@example.org", world.staff.email])
    member.refresh_from_db()
    assert member.sent_at is not None
    assert AuditEntry.objects.filter(action="evidence.reminder").count() == 2


def test_remind_one_unit(world, filled, login, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        login(world.leader).post(reverse("cluster_remind", args=[world.cluster.pk, world.period.pk]),
                                 {"unit": world.unit.pk})
    assert list(Reminder.objects.values_list("unit", flat=True)) == [world.unit.pk]


def test_member_cannot_remind(world, login):
    response = login(world.staff).post(reverse("cluster_remind", args=[world.cluster.pk, world.period.pk]))
    assert response.status_code == 403
    assert Reminder.objects.count() == 0


def test_dossier_snapshot_freezes_sent_evidence_and_hashes(world, filled, login):
    client = login(world.leader)
    response = client.post(reverse("dossier_submit", args=[world.cluster.pk, world.period.pk]))
    assert response.status_code == 302
    dossier = DossierSubmission.objects.get()
    assert (dossier.submitted_by, dossier.on_time, dossier.evidence_count, dossier.file_count) == (
        world.leader, True, 3, 2)
    items = dossier.snapshot["evidence"]
    assert sorted(i["id"] for i in items) == sorted([filled["a"].pk, filled["b"].pk, filled["d"].pk])
    by_id = {i["id"]: i for i in items}
    assert [f["sha256"] for f in by_id[filled["a"].pk]["files"]] == ["a" * 64]
    # Later changes do not alter the snapshot.
    Evidence.objects.filter(pk=filled["d"].pk).update(status=Evidence.Status.DRAFT)
    dossier.refresh_from_db()
    assert len(dossier.snapshot["evidence"]) == 3
    # Resubmission before the deadline makes a second snapshot.
    client.post(reverse("dossier_submit", args=[world.cluster.pk, world.period.pk]))
    assert list(DossierSubmission.objects.order_by("id").values_list("evidence_count", flat=True)) == [3, 2]
    assert AuditEntry.objects.filter(action="evidence.dossier_submit").count() == 2


def test_dossier_after_deadline_is_late_and_not_replaceable(world, filled, login):
    Period.objects.filter(pk=world.period.pk).update(deadline=timezone.now() - timedelta(hours=1))
    client = login(world.leader)
    client.post(reverse("dossier_submit", args=[world.cluster.pk, world.period.pk]))
    dossier = DossierSubmission.objects.get()
    assert dossier.on_time is False
    response = client.post(reverse("dossier_submit", args=[world.cluster.pk, world.period.pk]), follow=True)
    assert "không thể thay thế nữa" in response.content.decode()
    assert DossierSubmission.objects.count() == 1


def test_office_sees_which_clusters_submitted(world, filled, login):
    login(world.leader).post(reverse("dossier_submit", args=[world.cluster.pk, world.period.pk]))
    client = login(world.office)
    response = client.get(reverse("dossier_overview", args=[world.campaign.pk]))
    assert response.status_code == 200
    rows = {row["cluster"].pk: row["cells"][0]["dossier"] for row in response.context["rows"]}
    assert rows[world.other_cluster.pk] is None
    assert rows[world.cluster.pk].on_time is True
    assert "đúng hạn" in response.content.decode()


def test_member_cannot_submit_the_dossier(world, login):
    response = login(world.staff).post(reverse("dossier_submit", args=[world.cluster.pk, world.period.pk]))
    assert response.status_code == 403
    assert DossierSubmission.objects.count() == 0
