import pytest
from django.urls import reverse

from accounts.models import Unit
from core.nav import campaign_links_for, nav_for
from targets.models import Target
from tests.factories import (
    AdminFactory,
    CampaignFactory,
    ClusterFactory,
    ClusterMemberFactory,
    OfficeUserFactory,
    PeriodFactory,
    UnitFactory,
    UserFactory,
)

from .helpers import open_response, sheet_values, xlsx_upload

pytestmark = pytest.mark.django_db


def test_reports_home_is_for_admins_and_offices(client, login):
    url = reverse("reports_home")
    assert client.get(url).status_code == 302
    assert login(UserFactory()).get(url).status_code == 403
    office = OfficeUserFactory()
    CampaignFactory(issuing_unit=office.unit, title="Phong trào của tôi")
    CampaignFactory(title="Phong trào nơi khác")
    body = login(office).get(url).content.decode()
    assert "Phong trào của tôi" in body
    assert "Phong trào nơi khác" not in body
    assert reverse("reports_import", args=["units"]) not in body


@pytest.mark.parametrize("campaigns", [1, 3])
def test_reports_home_queries_do_not_grow_with_campaigns(login, django_assert_num_queries, campaigns):
    admin = AdminFactory()
    for _ in range(campaigns):
        CampaignFactory()
    client = login(admin)
    with django_assert_num_queries(5):
        assert client.get(reverse("reports_home")).status_code == 200


def test_nav_and_campaign_link_follow_the_predicates():
    office = OfficeUserFactory()
    staff = UserFactory()
    campaign = CampaignFactory(issuing_unit=office.unit)
    assert any(item["url"] == reverse("reports_home") for item in nav_for(office))
    assert not any(item["url"] == reverse("reports_home") for item in nav_for(staff))
    link = reverse("reports_campaign", args=[campaign.pk])
    assert any(item["url"] == link for item in campaign_links_for(office, campaign))
    assert not any(item["url"] == link for item in campaign_links_for(staff, campaign))


def test_campaign_reports_page_permissions(client, login):
    office = OfficeUserFactory()
    campaign = CampaignFactory(issuing_unit=office.unit)
    PeriodFactory(campaign=campaign)
    cluster = ClusterFactory(campaign=campaign)
    leader_unit = UnitFactory()
    ClusterMemberFactory(cluster=cluster, unit=leader_unit)
    cluster.leader_unit = leader_unit
    cluster.save()
    member = UnitFactory()
    ClusterMemberFactory(cluster=cluster, unit=member)
    url = reverse("reports_campaign", args=[campaign.pk])
    assert client.get(url).status_code == 302
    manager_page = login(office).get(url).content.decode()
    assert reverse("reports_campaign_import", args=[campaign.pk, "targets"]) in manager_page
    assert reverse("reports_export", args=[campaign.pk, "register"]) in manager_page
    leader_page = login(UserFactory(unit=leader_unit)).get(url)
    assert leader_page.status_code == 200
    assert reverse("reports_campaign_import", args=[campaign.pk, "targets"]) not in leader_page.content.decode()
    assert reverse("reports_export", args=[campaign.pk, "register"]) not in leader_page.content.decode()
    assert login(UserFactory(unit=member)).get(url).status_code == 403
    assert login(OfficeUserFactory()).get(url).status_code == 404


def test_campaign_import_page_applies_a_clean_file_and_shows_counts(login):
    office = OfficeUserFactory()
    campaign = CampaignFactory(issuing_unit=office.unit)
    UnitFactory(code="GR-01", parent=office.unit)
    upload = xlsx_upload({
        "Chỉ tiêu": [["Mã chỉ tiêu", "Tên chỉ tiêu", "Đơn vị tính", "Tổng chỉ tiêu"], ["3", "Trồng cây", "cây", 100]],
        "Phân bổ": [["Mã chỉ tiêu", "Mã đơn vị", "Số lượng"], ["3", "GR-01", 100]],
    })
    url = reverse("reports_campaign_import", args=[campaign.pk, "targets"])
    response = login(office).post(url, {"file": upload})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Đã nhập tệp." in body
    assert Target.objects.get(campaign=campaign).name == "Trồng cây"


def test_campaign_import_page_lists_errors_by_row_and_column(login):
    office = OfficeUserFactory()
    campaign = CampaignFactory(issuing_unit=office.unit)
    upload = xlsx_upload({
        "Chỉ tiêu": [["Mã chỉ tiêu", "Tên chỉ tiêu", "Đơn vị tính", "Tổng chỉ tiêu"], ["3", "Trồng cây", "cây", 100]],
        "Phân bổ": [["Mã chỉ tiêu", "Mã đơn vị", "Số lượng"], ["3", "GR-07", 100]],
    })
    response = login(office).post(reverse("reports_campaign_import", args=[campaign.pk, "targets"]), {"file": upload})
    body = response.content.decode()
    assert "Tệp có 1 lỗi. Chưa ghi gì vào hệ thống." in body
    assert "Dòng 2, cột B: mã đơn vị &#x27;GR-07&#x27; không tồn tại." in body
    assert not Target.objects.exists()


def test_import_pages_check_permissions(login):
    office = OfficeUserFactory()
    campaign = CampaignFactory(issuing_unit=office.unit)
    other_campaign = CampaignFactory()
    client = login(office)
    assert client.get(reverse("reports_campaign_import", args=[campaign.pk, "clusters"])).status_code == 200
    assert client.get(reverse("reports_campaign_import", args=[other_campaign.pk, "clusters"])).status_code == 404
    assert client.get(reverse("reports_import", args=["units"])).status_code == 403
    assert client.get(reverse("reports_import", args=["clusters"])).status_code == 404
    assert client.get(reverse("reports_campaign_import", args=[campaign.pk, "units"])).status_code == 404
    assert client.get(reverse("reports_import", args=["nothing"])).status_code == 404
    staff = UserFactory()
    ClusterMemberFactory(cluster=ClusterFactory(campaign=campaign), unit=staff.unit)
    assert login(staff).get(reverse("reports_campaign_import", args=[campaign.pk, "clusters"])).status_code == 403


def test_admin_imports_units_through_the_page(login):
    admin = AdminFactory()
    upload = xlsx_upload({"Đơn vị": [["Mã đơn vị", "Tên đơn vị", "Cấp"],
                                    ["TD-KG", "Tỉnh đoàn Kiên Giang", "Tỉnh đoàn"]]})
    response = login(admin).post(reverse("reports_import", args=["units"]), {"file": upload, "dry_run": "on"})
    assert "Tệp không có lỗi." in response.content.decode()
    assert not Unit.objects.filter(code="TD-KG").exists()


@pytest.mark.parametrize("kind", ["units", "users", "clusters", "criteria", "targets"])
def test_templates_have_headers_an_example_and_notes(login, kind):
    response = login(OfficeUserFactory()).get(reverse("reports_import_template", args=[kind]))
    assert response.status_code == 200
    workbook = open_response(response)
    assert workbook.sheetnames[-1] == "Hướng dẫn"
    data = workbook[workbook.sheetnames[0]]
    rows = sheet_values(data)
    assert len(rows) == 2
    assert all(rows[0])
    assert data.freeze_panes == "A2"


def test_template_download_needs_admin_or_office(login):
    assert login(UserFactory()).get(reverse("reports_import_template", args=["units"])).status_code == 403
    assert login(AdminFactory()).get(reverse("reports_import_template", args=["nothing"])).status_code == 404


def test_template_example_of_units_imports_cleanly(login):
    """The template, filled with its own example row, is accepted (dry run) once the parent exists."""
    admin = AdminFactory()
    UnitFactory(code="HD-GR", level=Unit.Level.DISTRICT)
    client = login(admin)
    template = client.get(reverse("reports_import_template", args=["units"]))
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("mau.xlsx", template.content)
    response = client.post(reverse("reports_import", args=["units"]), {"file": upload, "dry_run": "on"})
    assert "Tệp không có lỗi." in response.content.decode()
