"""Deadline locking at the exact boundary in Vietnam time, late windows, late requests, closed periods."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from campaigns.deadlines import VIETNAM, end_of_day_ict
from campaigns.models import Period
from core.models import AuditEntry
from evidence.models import Evidence, LateRequest, LateWindow
from evidence.selectors import lock_state
from evidence.services import (
    evidence_save_draft,
    late_request_create,
    late_request_decide,
    late_window_grant,
    period_reopen,
)

pytestmark = pytest.mark.django_db

DEADLINE = end_of_day_ict(date(2024, 6, 10))  # 10/6/2024 23:59:59 ICT
LAST_MOMENT = datetime(2024, 6, 10, 23, 59, 59, 999999, tzinfo=VIETNAM)
FIRST_LATE_MOMENT = datetime(2024, 6, 11, 0, 0, 0, tzinfo=VIETNAM)


@pytest.fixture
def frozen(monkeypatch):
    """Set the clock the services read (django.utils.timezone.now)."""

    def _at(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return _at


@pytest.fixture
def june_period(world):
    Period.objects.filter(pk=world.period.pk).update(deadline=DEADLINE)
    world.period.refresh_from_db()
    return world.period


def test_deadline_is_23_59_59_ict_in_utc(june_period):
    assert june_period.deadline == datetime(2024, 6, 10, 16, 59, 59, tzinfo=UTC)
    assert june_period.deadline.astimezone(VIETNAM).strftime("%H:%M:%S %d/%m/%Y") == "23:59:59 10/06/2024"


def test_lock_boundary_is_exact(world, june_period):
    assert lock_state(period=june_period, unit_id=world.unit.pk, now=LAST_MOMENT).locked is False
    state = lock_state(period=june_period, unit_id=world.unit.pk, now=FIRST_LATE_MOMENT)
    assert (state.locked, state.reason) == (True, "deadline")


def test_service_accepts_at_23_59_59_and_refuses_at_midnight(world, june_period, frozen):
    frozen(LAST_MOMENT)
    evidence = evidence_save_draft(user=world.staff, period=june_period, criterion=world.criteria[0], note="kịp giờ")
    assert evidence.note == "kịp giờ"
    frozen(FIRST_LATE_MOMENT)
    with pytest.raises(ValidationError) as caught:
        evidence_save_draft(user=world.staff, period=june_period, criterion=world.criteria[0], note="trễ",
                            expected_version=evidence.version)
    assert caught.value.messages == [
        "Đã hết hạn nộp minh chứng Quý II: không thể thay đổi minh chứng nữa. "
        "Nếu cần, hãy gửi đề nghị gia hạn cho Văn phòng."
    ]
    evidence.refresh_from_db()
    assert evidence.note == "kịp giờ"


def test_view_refuses_changes_after_deadline(world, login, june_period, frozen):
    frozen(FIRST_LATE_MOMENT)
    client = login(world.staff)
    url = reverse("evidence_edit", args=[june_period.pk, world.criteria[0].pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["editable"] is False
    assert "Đã khóa: hết hạn nộp" in page.content.decode()
    response = client.post(url, {"note": "trễ", "save": "1"})
    assert response.status_code == 400
    assert Evidence.objects.count() == 0


def test_late_window_for_one_unit_opens_until_its_end(world, june_period, frozen):
    frozen(datetime(2024, 6, 12, 9, 0, tzinfo=VIETNAM))
    window = late_window_grant(period=june_period, unit=world.unit, reason="Mất điện", user=world.office,
                               ends_at=end_of_day_ict(date(2024, 6, 15)))
    evidence_save_draft(user=world.staff, period=june_period, criterion=world.criteria[0], note="gia hạn")
    # Another unit of the campaign is still locked.
    with pytest.raises(ValidationError):
        evidence_save_draft(user=world.leader, period=june_period, criterion=world.criteria[0], note="x")
    frozen(datetime(2024, 6, 15, 23, 59, 59, 500000, tzinfo=VIETNAM))
    assert lock_state(period=june_period, unit_id=world.unit.pk).locked is False
    frozen(datetime(2024, 6, 16, 0, 0, tzinfo=VIETNAM))
    state = lock_state(period=june_period, unit_id=world.unit.pk)
    assert (state.locked, state.windows) == (True, [window])
    entry = AuditEntry.objects.get(action="evidence.late_window_grant")
    assert (entry.actor, entry.unit, entry.data["reason"]) == (world.office, world.unit, "Mất điện")


def test_reopening_the_period_opens_it_for_every_unit(world, june_period, frozen, login):
    frozen(datetime(2024, 6, 12, 9, 0, tzinfo=VIETNAM))
    period_reopen(period=june_period, reason="Bổ sung tiêu chí", ends_at=end_of_day_ict(date(2024, 6, 20)),
                  user=world.office)
    evidence_save_draft(user=world.leader, period=june_period, criterion=world.criteria[0], note="a")
    evidence_save_draft(user=world.staff, period=june_period, criterion=world.criteria[0], note="b")
    assert AuditEntry.objects.filter(action="evidence.period_reopen").count() == 1
    page = login(world.staff).get(reverse("evidence_period", args=[june_period.pk]))
    assert "Đợt được mở lại cho tất cả đơn vị" in page.content.decode()
    assert "Bổ sung tiêu chí" in page.content.decode()


def test_only_the_office_of_the_campaign_grants_windows(world, june_period):
    with pytest.raises(PermissionDenied):
        late_window_grant(period=june_period, unit=world.unit, reason="x", user=world.leader,
                          ends_at=timezone.now() + timedelta(days=1))


def test_closed_period_is_locked_even_before_the_deadline(world):
    Period.objects.filter(pk=world.period.pk).update(status=Period.Status.CLOSED)
    world.period.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        evidence_save_draft(user=world.staff, period=world.period, criterion=world.criteria[0], note="x")
    assert caught.value.messages == ["Quý II đã khóa sổ: không thể thay đổi minh chứng nữa."]


def test_late_request_approved_grants_a_window(world, june_period, frozen, login):
    frozen(datetime(2024, 6, 11, 8, 0, tzinfo=VIETNAM))
    client = login(world.staff)
    response = client.post(reverse("late_request_create", args=[june_period.pk]), {"reason": "Cán bộ đi học"})
    assert response.status_code == 302
    request = LateRequest.objects.get()
    assert (request.unit, request.status) == (world.unit, LateRequest.Status.PENDING)
    with pytest.raises(ValidationError):
        late_request_create(period=june_period, user=world.staff, reason="lần hai")

    office = login(world.office)
    page = office.get(reverse("late_windows", args=[world.campaign.pk]))
    assert "Cán bộ đi học" in page.content.decode()
    response = office.post(reverse("late_request_decide", args=[request.pk]),
                           {"approve": "1", "ends_on": "2024-06-13", "ends_time": "17:00:00", "remark": "Đồng ý"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == LateRequest.Status.APPROVED
    window = LateWindow.objects.get()
    assert (window.unit, window.request, window.ends_at) == (
        world.unit, request, datetime(2024, 6, 13, 17, 0, tzinfo=VIETNAM))
    assert lock_state(period=june_period, unit_id=world.unit.pk).locked is False
    assert list(AuditEntry.objects.filter(action__startswith="evidence.late").order_by("id")
                .values_list("action", flat=True)) == [
        "evidence.late_request", "evidence.late_window_grant", "evidence.late_request_approved"]


def test_late_request_refused_keeps_the_lock(world, june_period, frozen):
    frozen(datetime(2024, 6, 11, 8, 0, tzinfo=VIETNAM))
    request = late_request_create(period=june_period, user=world.staff, reason="Xin thêm")
    late_request_decide(request=request, approve=False, user=world.office, remark="Quá hạn lâu")
    request.refresh_from_db()
    assert (request.status, request.decision_remark) == (LateRequest.Status.REFUSED, "Quá hạn lâu")
    assert lock_state(period=june_period, unit_id=world.unit.pk).locked is True
    with pytest.raises(ValidationError):
        late_request_decide(request=request, approve=True, user=world.office, ends_at=timezone.now())


def test_late_window_only_for_units_of_the_campaign(world):
    from tests.factories import UnitFactory

    with pytest.raises(ValidationError):
        late_window_grant(period=world.period, unit=UnitFactory(), reason="x", user=world.office,
                          ends_at=timezone.now() + timedelta(days=1))
    assert LateWindow.objects.count() == 0
