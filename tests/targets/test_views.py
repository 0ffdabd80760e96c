import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from campaigns.models import Criterion
from core.models import AuditEntry
from targets.models import Target, TargetAllocation, TargetProgress
from tests.factories import (
    CampaignFactory,
    CriterionFactory,
    OfficeUserFactory,
    PeriodFactory,
    TargetAllocationFactory,
    TargetFactory,
    UnitFactory,
)

from .factories import TargetProgressFactory

pytestmark = pytest.mark.django_db
D = Decimal


def _xlsx(rows) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Mã đơn vị", "Số lượng"])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "phan-bo.xlsx"
    return buffer


@pytest.fixture
def count_target(world):
    target = TargetFactory(campaign=world.campaign, code="3", name="Trồng cây", total=D("100"))
    for unit, amount in ((world.g1, "50"), (world.g2, "30"), (world.g3, "20")):
        TargetAllocationFactory(target=target, unit=unit, amount=D(amount))
    return target


# --- scoping -------------------------------------------------------------------------


def test_dashboard_staff_sees_only_own_numbers(world, count_target, login):
    TargetProgressFactory(target=count_target, unit=world.g2, period=world.p1, value=D("17"))
    TargetProgressFactory(target=count_target, unit=world.g3, period=world.p1, value=D("13"))
    response = login(world.staff2).get(reverse("targets:dashboard", args=[world.campaign.pk]),
                                       {"period": world.p1.pk})
    assert response.status_code == 200
    achievement = response.context["achievements"][0]
    assert (achievement.allocated, achievement.value) == (D("30"), D("17"))


def test_dashboard_cluster_leader_sees_cluster_numbers(world, count_target, login):
    TargetProgressFactory(target=count_target, unit=world.g2, period=world.p1, value=D("17"))
    TargetProgressFactory(target=count_target, unit=world.g3, period=world.p1, value=D("13"))
    response = login(world.staff1).get(reverse("targets:dashboard", args=[world.campaign.pk]),
                                       {"period": world.p1.pk})
    achievement = response.context["achievements"][0]
    assert (achievement.allocated, achievement.value) == (D("80"), D("17"))


def test_dashboard_of_another_campaign_is_404(world, count_target, login):
    other = CampaignFactory()
    TargetFactory(campaign=other)
    response = login(world.staff1).get(reverse("targets:dashboard", args=[other.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["targets:unit", "targets:progress"])
def test_unit_pages_of_a_unit_outside_the_scope_are_404(world, count_target, login, name):
    client = login(world.staff2)
    assert client.get(reverse(name, args=[world.campaign.pk, world.g2.pk])).status_code == 200
    assert client.get(reverse(name, args=[world.campaign.pk, world.g3.pk])).status_code == 404
    assert client.get(reverse(name, args=[world.campaign.pk, world.g1.pk])).status_code == 404


def test_cluster_leader_sees_member_unit_page_but_cannot_edit(world, count_target, login):
    client = login(world.staff1)
    url = reverse("targets:progress", args=[world.campaign.pk, world.g2.pk])
    assert client.get(url).status_code == 200
    response = client.post(f"{url}?period={world.p1.pk}", {f"value_{count_target.pk}": "5"})
    assert response.status_code == 403
    assert TargetProgress.objects.count() == 0


def test_target_detail_of_another_campaign_is_404(world, login):
    other = TargetFactory(campaign=CampaignFactory())
    assert login(world.staff1).get(reverse("targets:detail", args=[other.pk])).status_code == 404


@pytest.mark.parametrize("name", ["targets:edit", "targets:allocate"])
def test_office_pages_are_404_for_units(world, count_target, login, name):
    assert login(world.staff1).get(reverse(name, args=[count_target.pk])).status_code == 404


def test_office_pages_are_404_for_another_office(world, count_target, login):
    stranger = OfficeUserFactory()
    client = login(stranger)
    assert client.get(reverse("targets:allocate", args=[count_target.pk])).status_code == 404
    assert client.post(reverse("targets:delete", args=[count_target.pk])).status_code == 404
    assert client.post(reverse("targets:import", args=[count_target.pk])).status_code == 404
    assert client.get(reverse("targets:create", args=[world.campaign.pk])).status_code == 404
    assert Target.objects.count() == 1


def test_create_target_is_403_for_units(world, count_target, login):
    response = login(world.staff1).get(reverse("targets:create", args=[world.campaign.pk]))
    assert response.status_code == 403


def test_period_of_another_campaign_is_404(world, count_target, login):
    other_period = PeriodFactory()
    response = login(world.staff1).get(reverse("targets:progress", args=[world.campaign.pk, world.g1.pk]),
                                       {"period": other_period.pk})
    assert response.status_code == 404


# --- definitions and allocation ----------------------------------------------------------


def test_office_creates_a_target(world, login):
    response = login(world.office).post(reverse("targets:create", args=[world.campaign.pk]), {
        "code": "9", "name": "Kết nạp đoàn viên mới", "unit_of_measure": "đoàn viên", "kind": "count",
        "total": "7000", "order": "1", "description": ""})
    target = Target.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("targets:allocate", args=[target.pk])
    assert (target.code, target.total) == ("9", D("7000"))


def test_target_form_rejects_a_duplicate_code_and_a_rate_above_100(world, count_target, login):
    response = login(world.office).post(reverse("targets:create", args=[world.campaign.pk]), {
        "code": "3", "name": "Tỷ lệ", "unit_of_measure": "%", "kind": "percentage", "total": "120", "order": "1"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "code": ["Đã có chỉ tiêu khác của phong trào này mang mã này."],
        "total": ["Tỷ lệ cần đạt không được lớn hơn 100."],
    }


def test_allocation_grid_shows_the_difference_with_the_total(world, count_target, login):
    TargetAllocation.objects.filter(unit=world.g3).delete()
    response = login(world.office).get(reverse("targets:allocate", args=[count_target.pk]), {"depth": 2})
    assert (response.context["allocated"], response.context["difference"]) == (D("80"), D("-20"))
    assert "còn 20 chưa phân bổ." in response.content.decode()


def test_allocation_split_proportional_to_members_is_previewed_not_saved(world, login):
    target = TargetFactory(campaign=world.campaign, total=D("101"))
    response = login(world.office).post(reverse("targets:allocate", args=[target.pk]),
                                        {"action": "split", "depth": "2"})
    form = response.context["form"]
    assert {u.code: form.initial[f"unit_{u.pk}"] for u in form.units} == {"G1": D("51"), "G2": D("30"), "G3": D("20")}
    assert TargetAllocation.objects.count() == 0


def test_allocation_grid_saves_and_audits(world, login):
    target = TargetFactory(campaign=world.campaign, total=D("400"))
    response = login(world.office).post(reverse("targets:allocate", args=[target.pk]), {
        "action": "save", "depth": "1", f"unit_{world.d1.pk}": "300", f"unit_{world.d2.pk}": "100"})
    assert response.status_code == 302
    assert dict(target.allocations.values_list("unit__code", "amount")) == {"D1": D("300"), "D2": D("100")}
    assert AuditEntry.objects.filter(action="target.allocated").count() == 1


def test_allocation_grid_rejects_negative_amounts(world, login):
    target = TargetFactory(campaign=world.campaign, total=D("400"))
    response = login(world.office).post(reverse("targets:allocate", args=[target.pk]), {
        "action": "save", "depth": "1", f"unit_{world.d1.pk}": "-3", f"unit_{world.d2.pk}": "100"})
    assert response.status_code == 200
    assert response.context["form"].errors == {f"unit_{world.d1.pk}": ["Không được là số âm."]}
    assert TargetAllocation.objects.count() == 0


def test_allocation_import_replaces_the_allocation(world, count_target, login):
    response = login(world.office).post(reverse("targets:import", args=[count_target.pk]),
                                        {"depth": "2", "file": _xlsx([("g1", 60), ("G2", "25,5"), ("G3", 14.5)])})
    assert response.status_code == 302
    assert dict(count_target.allocations.values_list("unit__code", "amount")) == {
        "G1": D("60"), "G2": D("25.5"), "G3": D("14.5")}


def test_allocation_import_errors_by_row_and_column_change_nothing(world, count_target, login):
    response = login(world.office).post(reverse("targets:import", args=[count_target.pk]), {
        "depth": "2", "file": _xlsx([("G1", 70), ("XX", 5), ("G2", -1), ("G1", 3), ("G3", "nhiều"), (None, 4)])})
    assert response.status_code == 400
    assert response.context["errors"] == [
        "Dòng 3, cột A: mã đơn vị “XX” không thuộc các đơn vị ở cấp đã chọn.",
        "Dòng 4, cột B: số lượng không được là số âm.",
        "Dòng 5, cột A: đơn vị “G1” đã có ở dòng 2.",
        "Dòng 6, cột B: “nhiều” không phải là số.",
        "Dòng 7, cột A: thiếu mã đơn vị.",
    ]
    assert dict(count_target.allocations.values_list("unit__code", "amount")) == {
        "G1": D("50"), "G2": D("30"), "G3": D("20")}


def test_allocation_import_refuses_a_file_that_is_not_excel(world, count_target, login):
    fake = io.BytesIO(b"not a workbook")
    fake.name = "phan-bo.xlsx"
    response = login(world.office).post(reverse("targets:import", args=[count_target.pk]),
                                        {"depth": "2", "file": fake})
    assert response.context["errors"] == ["Tệp không phải là tệp Excel (.xlsx) đọc được."]
    assert count_target.allocations.count() == 3


# --- the progress grid --------------------------------------------------------------------


def _grid_url(world, unit, period):
    return f"{reverse('targets:progress', args=[world.campaign.pk, unit.pk])}?period={period.pk}"


def test_progress_grid_saves_every_kind(world, count_target, login):
    rate = TargetFactory(campaign=world.campaign, code="10b", kind=Target.Kind.PERCENTAGE, total=D("70"))
    minimum = TargetFactory(campaign=world.campaign, code="6c", kind=Target.Kind.PER_UNIT_MIN, total=D("1"))
    TargetAllocationFactory(target=rate, unit=world.g1, amount=D("70"))
    TargetAllocationFactory(target=minimum, unit=world.g1, amount=D("1"))
    response = login(world.staff1).post(_grid_url(world, world.g1, world.p1), {
        f"value_{count_target.pk}": "12", f"note_{count_target.pk}": "Ra quân",
        f"num_{rate.pk}": "3", f"den_{rate.pk}": "4", f"value_{minimum.pk}": "1"})
    assert response.status_code == 302
    rows = {p.target.code: (p.value, p.numerator, p.denominator, p.note)
            for p in TargetProgress.objects.select_related("target")}
    assert rows == {"3": (D("12"), None, None, "Ra quân"), "10b": (D("75"), D("3"), D("4"), ""),
                    "6c": (D("1"), None, None, "")}


def test_progress_grid_validation_messages(world, count_target, login):
    rate = TargetFactory(campaign=world.campaign, code="10b", kind=Target.Kind.PERCENTAGE, total=D("70"))
    other_rate = TargetFactory(campaign=world.campaign, code="1a", kind=Target.Kind.PERCENTAGE, total=D("100"))
    TargetAllocationFactory(target=rate, unit=world.g1, amount=D("70"))
    TargetAllocationFactory(target=other_rate, unit=world.g1, amount=D("100"))
    response = login(world.staff1).post(_grid_url(world, world.g1, world.p1), {
        f"value_{count_target.pk}": "-2", f"num_{rate.pk}": "5", f"den_{rate.pk}": "4", f"num_{other_rate.pk}": "3"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        f"value_{count_target.pk}": ["Không được là số âm."],
        f"num_{rate.pk}": ["Tử số (5) không được lớn hơn mẫu số (4)."],
        f"den_{other_rate.pk}": ["Hãy nhập cả tử số và mẫu số, hoặc để trống cả hai."],
    }
    assert TargetProgress.objects.count() == 0


def test_progress_grid_asks_to_confirm_a_jump(world, count_target, login, settings):
    settings.TARGET_JUMP_CONFIRM_FACTOR = 3
    TargetProgressFactory(target=count_target, unit=world.g1, period=world.p1, value=D("10"))
    client = login(world.staff1)
    response = client.post(_grid_url(world, world.g1, world.p2), {f"value_{count_target.pk}": "31"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"confirm_jump": [
        "Chỉ tiêu 3 tăng hơn 3 lần so với số liệu đợt trước. Hãy kiểm tra lại số liệu, sau đó đánh dấu ô xác "
        "nhận và lưu lại."]}
    assert 'name="confirm_jump"' in response.content.decode()
    assert TargetProgress.objects.filter(period=world.p2).count() == 0
    response = client.post(_grid_url(world, world.g1, world.p2),
                           {f"value_{count_target.pk}": "31", "confirm_jump": "on"})
    assert response.status_code == 302
    assert TargetProgress.objects.get(period=world.p2).value == D("31")


def test_progress_grid_no_jump_question_at_the_factor(world, count_target, login):
    TargetProgressFactory(target=count_target, unit=world.g1, period=world.p1, value=D("10"))
    response = login(world.staff1).post(_grid_url(world, world.g1, world.p2), {f"value_{count_target.pk}": "30"})
    assert response.status_code == 302


def test_progress_grid_locks_at_the_deadline(world, count_target, login):
    world.p1.deadline = timezone.now() - timedelta(seconds=1)
    world.p1.save(update_fields=["deadline"])
    client = login(world.staff1)
    page = client.get(_grid_url(world, world.g1, world.p1))
    assert page.context["can_edit"] is False
    assert "Đã hết hạn báo cáo của đợt này." in page.content.decode()
    response = client.post(_grid_url(world, world.g1, world.p1), {f"value_{count_target.pk}": "5"})
    assert response.status_code == 403
    assert TargetProgress.objects.count() == 0


def test_progress_grid_office_corrects_after_the_deadline(world, count_target, login):
    world.p1.deadline = timezone.now() - timedelta(seconds=1)
    world.p1.save(update_fields=["deadline"])
    response = login(world.office).post(_grid_url(world, world.g1, world.p1), {f"value_{count_target.pk}": "5"})
    assert response.status_code == 302
    assert AuditEntry.objects.get().action == "target.progress_corrected"


def test_progress_grid_shows_the_criteria_a_target_feeds(world, count_target, login):
    CriterionFactory(campaign=world.campaign, code="II.1.b", method=Criterion.Method.QUANTITY, target=count_target)
    response = login(world.staff1).get(_grid_url(world, world.g1, world.p1))
    assert [c.code for c in response.context["form"].rows()[0]["criteria"]] == ["II.1.b"]
    assert "II.1.b" in response.content.decode()


# --- query counts on list views ---------------------------------------------------------------


# The first is "at least N per unit", so both the 1- and 3-row cases count its extra roll-up query.
KINDS = [Target.Kind.PER_UNIT_MIN, Target.Kind.COUNT, Target.Kind.PERCENTAGE]


def _targets(world, count):
    for index in range(count):
        target = TargetFactory(campaign=world.campaign, kind=KINDS[index % 3], total=D("50"))
        for unit in (world.g1, world.g2):
            TargetAllocationFactory(target=target, unit=unit, amount=D("25"))
            TargetProgressFactory(target=target, unit=unit, period=world.p1, value=D("5"),
                                  numerator=D("1"), denominator=D("2"))


@pytest.mark.parametrize("rows", [1, 3])
def test_dashboard_query_count_does_not_grow_with_targets(world, login, django_assert_num_queries, rows):
    _targets(world, rows)
    client = login(world.office)
    url = reverse("targets:dashboard", args=[world.campaign.pk])
    client.get(url)  # warm the session and content-type caches
    with django_assert_num_queries(16):
        response = client.get(url, {"period": world.p1.pk})
    assert len(response.context["achievements"]) == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_reporting_status_query_count_does_not_grow_with_units(world, login, django_assert_num_queries, rows):
    target = TargetFactory(campaign=world.campaign)
    for _ in range(rows):
        unit = UnitFactory(parent=world.d1)
        TargetAllocationFactory(target=target, unit=unit)
        TargetProgressFactory(target=target, unit=unit, period=world.p1)
    client = login(world.office)
    url = reverse("targets:reporting", args=[world.campaign.pk])
    with django_assert_num_queries(11):
        response = client.get(url, {"period": world.p1.pk})
    assert len(response.context["units"]) == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_target_detail_query_count_does_not_grow_with_units(world, login, django_assert_num_queries, rows):
    target = TargetFactory(campaign=world.campaign)
    for unit in (world.g1, world.g2, world.g3)[:rows]:
        TargetAllocationFactory(target=target, unit=unit)
        TargetProgressFactory(target=target, unit=unit, period=world.p1)
    client = login(world.office)
    with django_assert_num_queries(17):
        response = client.get(reverse("targets:detail", args=[target.pk]), {"period": world.p1.pk})
    assert len(response.context["rows"]) == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_progress_grid_query_count_does_not_grow_with_targets(world, login, django_assert_num_queries, rows):
    _targets(world, rows)
    client = login(world.staff1)
    with django_assert_num_queries(12):
        response = client.get(_grid_url(world, world.g1, world.p1))
    assert len(response.context["form"].rows()) == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_home_query_count_does_not_grow_with_campaigns(world, login, django_assert_num_queries, rows):
    for _ in range(rows):
        TargetFactory(campaign=CampaignFactory(issuing_unit=world.province))
    client = login(world.office)
    with django_assert_num_queries(4):
        response = client.get(reverse("targets:home"))
    assert len(response.context["campaigns"]) == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_dashboard_from_maintained_rollups_query_count(world, login, django_assert_num_queries, rows):
    from targets.services import ProgressInput, allocation_save, progress_save, target_create

    for index in range(rows):
        target = target_create(campaign=world.campaign, user=world.office, data={
            "code": f"T{index}", "name": f"Chỉ tiêu {index}", "unit_of_measure": "lượt",
            "kind": KINDS[index % 3], "total": D("50")})
        allocation_save(target=target, amounts={world.g1.pk: D("25"), world.g2.pk: D("25")}, user=world.office,
                        source="grid")
        progress_save(unit=world.g1, period=world.p1, user=world.office,
                      entries={target.pk: ProgressInput(value=D("5"), numerator=D("1"), denominator=D("2"))})
    client = login(world.office)
    url = reverse("targets:dashboard", args=[world.campaign.pk])
    client.get(url)
    with django_assert_num_queries(12):
        response = client.get(url, {"period": world.p1.pk})
    assert [a.units_reported for a in response.context["achievements"]] == [1] * rows
    assert response.context["rate"] == {"expected": 2, "reported": 1, "on_time": 1}


def test_cluster_leader_sees_member_pages_not_other_clusters(world, count_target, login):
    client = login(world.staff1)
    assert client.get(reverse("targets:unit", args=[world.campaign.pk, world.g2.pk])).status_code == 200
    assert client.get(reverse("targets:unit", args=[world.campaign.pk, world.g3.pk])).status_code == 404
    detail = client.get(reverse("targets:detail", args=[count_target.pk]), {"period": world.p1.pk})
    assert [row.unit.code for row in detail.context["rows"]] == ["G1", "G2"]


def test_reporting_page_lists_only_the_scope(world, count_target, login):
    response = login(world.staff2).get(reverse("targets:reporting", args=[world.campaign.pk]),
                                       {"period": world.p1.pk})
    assert [unit.code for unit in response.context["units"]] == ["G2"]
    assert response.context["rate"] == {"expected": 1, "reported": 0, "on_time": 0}


def test_campaign_page_links_to_the_targets(world, count_target, login):
    response = login(world.office).get(reverse("campaign_detail", args=[world.campaign.pk]))
    assert reverse("targets:dashboard", args=[world.campaign.pk]) in response.content.decode()


def test_allocation_template_lists_the_units_of_the_level(world, count_target, login):
    from openpyxl import load_workbook

    response = login(world.office).get(reverse("targets:import_template", args=[count_target.pk]), {"depth": 2})
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    rows = [row[:2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert rows == [("G1", 50), ("G2", 30), ("G3", 20)]


def test_allocation_template_is_404_for_units(world, count_target, login):
    assert login(world.staff1).get(reverse("targets:import_template", args=[count_target.pk])).status_code == 404


def test_district_office_follows_its_units_in_a_provincial_campaign(world, count_target, login):
    TargetProgressFactory(target=count_target, unit=world.g1, period=world.p1, value=D("11"))
    TargetProgressFactory(target=count_target, unit=world.g3, period=world.p1, value=D("13"))
    client = login(OfficeUserFactory(unit=world.d1))
    response = client.get(reverse("targets:dashboard", args=[world.campaign.pk]), {"period": world.p1.pk})
    achievement = response.context["achievements"][0]
    assert (achievement.allocated, achievement.value) == (D("80"), D("11"))
    assert client.get(reverse("targets:unit", args=[world.campaign.pk, world.g2.pk])).status_code == 200
    assert client.get(reverse("targets:unit", args=[world.campaign.pk, world.g3.pk])).status_code == 404
    assert client.get(reverse("targets:allocate", args=[count_target.pk])).status_code == 404


def test_target_detail_pages_the_units(world, login, monkeypatch):
    from targets import views

    target = TargetFactory(campaign=world.campaign)
    for unit in (world.g1, world.g2, world.g3):
        TargetAllocationFactory(target=target, unit=unit)
    monkeypatch.setattr(views, "UNITS_PER_PAGE", 2)
    client = login(world.office)
    first = client.get(reverse("targets:detail", args=[target.pk]), {"period": world.p1.pk})
    second = client.get(reverse("targets:detail", args=[target.pk]), {"period": world.p1.pk, "page": 2})
    assert [r.unit.code for r in first.context["rows"]] == ["G1", "G2"]
    assert [r.unit.code for r in second.context["rows"]] == ["G3"]
    assert first.context["behind_count"] == 3
