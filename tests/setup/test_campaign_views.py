from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.deadlines import VIETNAM, end_of_day_ict
from campaigns.models import Campaign, Cluster, ClusterMember, Criterion, Period
from core.models import AuditEntry
from tests.factories import CampaignFactory, ClusterFactory, ClusterMemberFactory, CriterionFactory, EvidenceFactory

pytestmark = pytest.mark.django_db


def _campaign_post(district, **overrides):
    data = {
        "issuing_unit": district.office_unit.pk, "number": "18-CTr/ĐTN", "title": "Phong trào thi đua 2025",
        "theme": "", "legal_basis": "Căn cứ Điều lệ Đoàn", "purpose": "", "start_date": "2025-01-01",
        "end_date": "31/12/2025", "place": "Giồng Riềng", "signer_title": "", "signer_name": "",
        "year_aggregation": "sum", "cluster_score_method": "average_percent", "excellent_min_percent": "90",
        "good_min_percent": "70", "complete_min_percent": "50", "excellent_cap_percent": "",
    }
    data.update(overrides)
    return data


def test_campaign_list_shows_the_create_button_to_offices(login, district_a):
    body = login(district_a.office).get(reverse("campaign_list")).content.decode()
    assert reverse("campaign_create") in body
    assert "Tạo phong trào mới" in body
    assert reverse("campaign_setup", args=[district_a.campaign.pk]) in body


def test_campaign_list_hides_the_create_button_from_staff(login, district_a):
    body = login(district_a.staff).get(reverse("campaign_list")).content.decode()
    assert reverse("campaign_create") not in body
    assert reverse("campaign_setup", args=[district_a.campaign.pk]) not in body


def test_campaign_create_by_office(login, district_a):
    response = login(district_a.office).post(reverse("campaign_create"), _campaign_post(district_a))
    campaign = Campaign.objects.get(number="18-CTr/ĐTN")
    assert response.status_code == 302
    assert response["Location"] == reverse("campaign_setup", args=[campaign.pk])
    assert (campaign.status, campaign.end_date, campaign.created_by) == ("draft", date(2025, 12, 31), district_a.office)


def test_campaign_create_office_cannot_issue_for_another_district(login, district_a, district_b):
    response = login(district_a.office).post(
        reverse("campaign_create"), _campaign_post(district_a, issuing_unit=district_b.office_unit.pk))
    assert response.status_code == 200
    assert "issuing_unit" in response.context["form"].errors
    assert Campaign.objects.filter(number="18-CTr/ĐTN").count() == 0


def test_campaign_create_office_cannot_issue_for_a_grassroots_unit(login, district_a):
    response = login(district_a.office).post(
        reverse("campaign_create"), _campaign_post(district_a, issuing_unit=district_a.units[0].pk))
    assert "issuing_unit" in response.context["form"].errors


def test_campaign_create_thresholds_must_go_down(login, district_a):
    response = login(district_a.office).post(
        reverse("campaign_create"), _campaign_post(district_a, good_min_percent="95"))
    assert response.context["form"].errors["good_min_percent"] == [
        "Các ngưỡng phải giảm dần: “xuất sắc” ≥ “khá/tốt” ≥ “hoàn thành”."]


def test_campaign_edit_by_admin(login, admin, district_a):
    response = login(admin).post(reverse("campaign_edit", args=[district_a.campaign.pk]),
                                 _campaign_post(district_a, title="Tên mới"))
    assert response.status_code == 302
    district_a.campaign.refresh_from_db()
    assert district_a.campaign.title == "Tên mới"
    assert AuditEntry.objects.get(action="campaign.update").data["title"][1] == "Tên mới"


def test_campaign_status_close_and_reopen(login, district_a):
    client = login(district_a.office)
    client.post(reverse("campaign_status", args=[district_a.campaign.pk, "close"]))
    district_a.campaign.refresh_from_db()
    assert district_a.campaign.status == "closed"
    client.post(reverse("campaign_status", args=[district_a.campaign.pk, "reopen"]))
    district_a.campaign.refresh_from_db()
    assert district_a.campaign.status == "launched"


def test_campaign_status_refusal_is_a_message(login, district_a):
    response = login(district_a.office).post(
        reverse("campaign_status", args=[district_a.campaign.pk, "launch"]), follow=True)
    status = district_a.campaign.get_status_display()
    assert [str(m) for m in response.context["messages"]] == [
        f"Không thể thực hiện khi phong trào đang ở trạng thái “{status}”."]


def test_campaign_detail_links_to_setup_for_its_office(login, district_a):
    body = login(district_a.office).get(reverse("campaign_detail", args=[district_a.campaign.pk])).content.decode()
    assert reverse("campaign_setup", args=[district_a.campaign.pk]) in body


def test_campaign_detail_has_no_setup_link_for_staff(login, district_a):
    body = login(district_a.staff).get(reverse("campaign_detail", args=[district_a.campaign.pk])).content.decode()
    assert reverse("campaign_setup", args=[district_a.campaign.pk]) not in body


def test_campaign_setup_page_lists_periods(login, district_a):
    response = login(district_a.office).get(reverse("campaign_setup", args=[district_a.campaign.pk]))
    assert response.status_code == 200
    assert [p.pk for p in response.context["periods"]] == [district_a.period.pk]


def test_period_create_with_date_only_ends_at_23_59_59_ict(login, district_a):
    response = login(district_a.office).post(reverse("period_create", args=[district_a.campaign.pk]), {
        "name": "Quý III", "kind": "quarter", "order": 3, "start_date": "01/07/2024", "end_date": "30/09/2024",
        "deadline_date": "2024-10-10", "deadline_time": "",
    })
    assert response.status_code == 302
    period = Period.objects.get(name="Quý III")
    assert period.deadline == end_of_day_ict(date(2024, 10, 10))
    assert timezone.localtime(period.deadline).strftime("%H:%M:%S %d/%m/%Y") == "23:59:59 10/10/2024"


def test_period_create_with_a_time(login, district_a):
    login(district_a.office).post(reverse("period_create", args=[district_a.campaign.pk]), {
        "name": "Đợt 1", "kind": "phase", "order": 5, "start_date": "2024-01-01", "end_date": "2024-06-30",
        "deadline_date": "2024-06-10", "deadline_time": "17:00",
    })
    assert Period.objects.get(name="Đợt 1").deadline == datetime(2024, 6, 10, 17, 0, tzinfo=VIETNAM)


def test_period_edit_changes_name_but_not_deadline(login, district_a):
    period = district_a.period
    deadline = period.deadline
    response = login(district_a.office).post(reverse("period_edit", args=[period.pk]), {
        "name": "Quý II", "kind": "quarter", "order": period.order, "start_date": "2024-04-01",
        "end_date": "2024-06-30", "deadline_date": "2030-01-01",
    })
    assert response.status_code == 302
    period.refresh_from_db()
    assert (period.name, period.deadline) == ("Quý II", deadline)


def test_period_deadline_move_records_the_reason(login, district_a):
    response = login(district_a.office).post(reverse("period_deadline", args=[district_a.period.pk]), {
        "deadline_date": "2024-06-20", "deadline_time": "", "reason": "Theo Thông báo 05-TB/HĐ"})
    assert response.status_code == 302
    district_a.period.refresh_from_db()
    assert district_a.period.deadline == end_of_day_ict(date(2024, 6, 20))
    entry = AuditEntry.objects.get(action="period.move_deadline")
    assert (entry.data["reason"], entry.data["deadline"][1]) == ("Theo Thông báo 05-TB/HĐ", "2024-06-20T23:59:59+07:00")


def test_period_deadline_move_needs_a_reason(login, district_a):
    response = login(district_a.office).post(reverse("period_deadline", args=[district_a.period.pk]), {
        "deadline_date": "2024-06-20", "reason": ""})
    assert response.status_code == 200
    assert AuditEntry.objects.filter(action="period.move_deadline").count() == 0


def test_period_delete_without_evidence(login, district_a):
    response = login(district_a.office).post(reverse("period_delete", args=[district_a.period.pk]))
    assert response.status_code == 302
    assert Period.objects.filter(pk=district_a.period.pk).count() == 0


def test_period_delete_with_evidence_is_refused_with_a_message(login, district_a):
    EvidenceFactory(period=district_a.period, unit=district_a.units[0], criterion=district_a.criterion)
    response = login(district_a.office).post(reverse("period_delete", args=[district_a.period.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Đợt này đã có minh chứng của các đơn vị nên không thể xóa."]
    assert Period.objects.filter(pk=district_a.period.pk).count() == 1


def _cluster_post(**data):
    base = {"name": "Cụm 2", "order": 2, "leader_unit": "", "deputy_unit": "", "follower": ""}
    base.update(data)
    return base


def test_cluster_create_by_office(login, district_a):
    units = district_a.units
    response = login(district_a.office).post(reverse("cluster_create", args=[district_a.campaign.pk]), _cluster_post(
        members=[units[1].pk, units[2].pk], leader_unit=units[1].pk, deputy_unit=units[2].pk,
        follower=district_a.office.pk))
    assert response.status_code == 302
    cluster = Cluster.objects.get(name="Cụm 2")
    assert (cluster.leader_unit, cluster.deputy_unit, cluster.follower) == (units[1], units[2], district_a.office)
    assert cluster.memberships.count() == 2


def test_cluster_create_with_a_unit_of_another_cluster_shows_the_message(login, district_a):
    taken = district_a.units[0]
    response = login(district_a.office).post(reverse("cluster_create", args=[district_a.campaign.pk]),
                                             _cluster_post(members=[taken.pk]))
    assert response.status_code == 200
    assert response.context["form"].errors["members"] == [
        "Mỗi đơn vị chỉ thuộc một cụm trong một phong trào; các đơn vị sau đã thuộc cụm khác: "
        f"{taken.name} ({district_a.cluster.name}). Vui lòng bỏ các đơn vị này khỏi cụm đó trước."]
    assert Cluster.objects.filter(name="Cụm 2").count() == 0


def test_cluster_create_leader_not_a_member_shows_the_message(login, district_a):
    units = district_a.units
    response = login(district_a.office).post(reverse("cluster_create", args=[district_a.campaign.pk]),
                                             _cluster_post(members=[units[1].pk], leader_unit=units[2].pk))
    assert response.context["form"].errors["leader_unit"] == ["Cụm trưởng phải là một đơn vị thành viên của cụm."]


def test_cluster_create_units_of_another_district_are_not_choices(login, district_a, district_b):
    response = login(district_a.office).post(reverse("cluster_create", args=[district_a.campaign.pk]),
                                             _cluster_post(members=[district_b.units[1].pk]))
    assert "members" in response.context["form"].errors
    assert Cluster.objects.filter(name="Cụm 2").count() == 0


def test_cluster_form_marks_units_of_other_clusters(login, district_a):
    body = login(district_a.office).get(reverse("cluster_create", args=[district_a.campaign.pk])).content.decode()
    assert f"{district_a.units[0].name} ({district_a.units[0].code}) — đã thuộc {district_a.cluster.name}" in body


def test_cluster_edit_by_admin(login, admin, district_a):
    units = district_a.units
    response = login(admin).post(reverse("cluster_edit", args=[district_a.cluster.pk]), _cluster_post(
        name=district_a.cluster.name, order=1, members=[units[0].pk, units[2].pk], leader_unit=units[2].pk,
        deputy_unit=units[0].pk))
    assert response.status_code == 302
    district_a.cluster.refresh_from_db()
    assert district_a.cluster.leader_unit == units[2]
    assert set(district_a.cluster.memberships.values_list("unit_id", flat=True)) == {units[0].pk, units[2].pk}


def test_cluster_delete(login, district_a):
    response = login(district_a.office).post(reverse("cluster_delete", args=[district_a.cluster.pk]))
    assert response.status_code == 302
    assert Cluster.objects.filter(pk=district_a.cluster.pk).count() == 0
    assert ClusterMember.objects.filter(campaign=district_a.campaign).count() == 0


def test_cluster_list_query_count_does_not_grow(login, district_a, django_assert_num_queries):
    client = login(district_a.office)
    url = reverse("cluster_list", args=[district_a.campaign.pk])
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for index in (1, 2):
        cluster = ClusterFactory(campaign=district_a.campaign, leader_unit=district_a.units[index],
                                 follower=district_a.office)
        ClusterMemberFactory(cluster=cluster, unit=district_a.units[index])
    with django_assert_num_queries(len(one)):
        response = client.get(url)
    assert len(response.context["clusters"]) == 3


def _criterion_post(**data):
    base = {"parent": "", "code": "II", "title": "Mục II", "kind": "criterion", "max_points": "5",
            "method": "binary", "category": "base", "evidence_required": "", "target_quantity": ""}
    base.update(data)
    return base


def test_criterion_create_under_a_section(login, district_a):
    response = login(district_a.office).post(reverse("criterion_create", args=[district_a.campaign.pk]),
                                             _criterion_post(parent=district_a.section.pk, code="I.2",
                                                             method="quantity", target_quantity="20"))
    assert response.status_code == 302
    item = Criterion.objects.get(campaign=district_a.campaign, code="I.2")
    assert (item.parent, item.method, item.target_quantity) == (district_a.section, "quantity", Decimal("20"))


def test_criterion_create_with_a_used_code_shows_the_message(login, district_a):
    response = login(district_a.office).post(reverse("criterion_create", args=[district_a.campaign.pk]),
                                             _criterion_post(code="I.1"))
    assert response.context["form"].errors["code"] == [
        "Mã “I.1” đã có trong bộ tiêu chí của phong trào này. Vui lòng chọn mã khác."]


def test_criterion_create_parent_of_another_campaign_is_not_a_choice(login, district_a, district_b):
    response = login(district_a.office).post(reverse("criterion_create", args=[district_a.campaign.pk]),
                                             _criterion_post(parent=district_b.section.pk, code="X"))
    assert "parent" in response.context["form"].errors


def test_criterion_edit(login, district_a):
    response = login(district_a.office).post(reverse("criterion_edit", args=[district_a.criterion.pk]),
                                             _criterion_post(parent=district_a.section.pk, code="I.1", max_points="8",
                                                             category="bonus"))
    assert response.status_code == 302
    district_a.criterion.refresh_from_db()
    assert (district_a.criterion.max_points, district_a.criterion.category) == (Decimal("8"), "bonus")


def test_criterion_delete(login, district_a):
    response = login(district_a.office).post(reverse("criterion_delete", args=[district_a.criterion.pk]))
    assert response.status_code == 302
    assert Criterion.objects.filter(pk=district_a.criterion.pk).count() == 0


def test_criterion_move_up(login, district_a):
    second = CriterionFactory(campaign=district_a.campaign, parent=district_a.section, code="I.2")
    response = login(district_a.office).post(reverse("criterion_move", args=[second.pk, "up"]))
    assert response.status_code == 302
    assert list(district_a.section.children.order_by("order", "code").values_list("code", flat=True)) == [
        "I.2", "I.1"]


def test_criterion_list_flags_a_section_whose_sum_differs(login, district_a):
    CriterionFactory(campaign=district_a.campaign, parent=district_a.section, code="I.2", max_points=Decimal("3"))
    CriterionFactory(campaign=district_a.campaign, parent=district_a.section, code="I.3", max_points=Decimal("2"),
                     category=Criterion.Category.BONUS)
    response = login(district_a.office).get(reverse("criterion_list", args=[district_a.campaign.pk]))
    rows = {row["item"].code: row for row in response.context["rows"]}
    assert (rows["I"]["children_sum"], rows["I"]["mismatch"]) == (Decimal("13"), True)
    assert response.context["mismatches"] == 1


def test_criterion_list_no_flag_when_the_sums_match(login, district_a):
    response = login(district_a.office).get(reverse("criterion_list", args=[district_a.campaign.pk]))
    assert response.context["mismatches"] == 0
    assert response.context["top_total"] == Decimal("10")


def test_criterion_create_negative_points_refused(login, district_a):
    response = login(district_a.office).post(reverse("criterion_create", args=[district_a.campaign.pk]),
                                             _criterion_post(code="II", max_points="-1"))
    assert response.status_code == 200
    assert "max_points" in response.context["form"].errors
    assert Criterion.objects.filter(campaign=district_a.campaign, code="II").count() == 0


def test_campaign_edit_keeps_the_dates_ordered(login, district_a):
    response = login(district_a.office).post(reverse("campaign_edit", args=[district_a.campaign.pk]),
                                             _campaign_post(district_a, start_date="2026-01-01"))
    assert response.context["form"].errors == {"end_date": ["Ngày kết thúc không được trước ngày bắt đầu."]}


def test_campaign_list_query_count_does_not_grow(login, district_a, django_assert_num_queries):
    client = login(district_a.office)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("campaign_list"))
    CampaignFactory(issuing_unit=district_a.office_unit)
    CampaignFactory(issuing_unit=district_a.units[0])
    with django_assert_num_queries(len(one)):
        response = client.get(reverse("campaign_list"))
    assert len(response.context["campaigns"]) == 3


def test_criterion_list_query_count_does_not_grow(login, district_a, django_assert_num_queries):
    client = login(district_a.office)
    url = reverse("criterion_list", args=[district_a.campaign.pk])
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for code in ("I.2", "I.3"):
        CriterionFactory(campaign=district_a.campaign, parent=district_a.section, code=code)
    with django_assert_num_queries(len(before)):
        response = client.get(url)
    assert len(response.context["rows"]) == 4
