from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from core.models import Job
from evidence.models import Evidence
from reports.tasks import export_job_run
from tests.factories import (
    CampaignFactory,
    ClusterFactory,
    ClusterMemberFactory,
    CriterionFactory,
    EvidenceFactory,
    EvidenceFileFactory,
    OfficeUserFactory,
    PeriodFactory,
    UnitFactory,
    UserFactory,
)

from .helpers import open_response, sheet_values

pytestmark = pytest.mark.django_db
ICT = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def campaign_data():
    office = OfficeUserFactory(full_name="Lê Thẩm Định")
    campaign = CampaignFactory(issuing_unit=office.unit, title="Phong trào thi đua năm 2024", number="18-KH/ĐTN")
    period = PeriodFactory(campaign=campaign, name="Quý II", order=2)
    first, second = ClusterFactory(campaign=campaign, name="Cụm 1", order=1), ClusterFactory(
        campaign=campaign, name="Cụm 2", order=2)
    a = UnitFactory(code="GR-01", name="Đoàn xã A", parent=office.unit)
    b = UnitFactory(code="GR-02", name="Đoàn xã B", parent=office.unit)
    c = UnitFactory(code="GR-03", name="Đoàn xã C", parent=office.unit)
    ClusterMemberFactory(cluster=first, unit=a)
    ClusterMemberFactory(cluster=first, unit=b)
    ClusterMemberFactory(cluster=second, unit=c)
    first.leader_unit = a
    first.save()
    c1 = CriterionFactory(campaign=campaign, code="I.1", title="Sinh hoạt chi đoàn", order=1)
    c2 = CriterionFactory(campaign=campaign, code="I.2", title="Trồng cây", order=2, max_points=Decimal("5"))
    accepted = EvidenceFactory(
        period=period, unit=a, criterion=c1, status=Evidence.Status.ACCEPTED, score=Decimal("8.5"),
        self_score=Decimal("9"), reviewed_by=office, reviewed_at=datetime(2024, 6, 12, 9, 30, tzinfo=ICT),
        submitted_at=datetime(2024, 6, 9, 14, 5, tzinfo=ICT))
    EvidenceFileFactory(evidence=accepted, original_name="bien-ban.pdf")
    EvidenceFileFactory(evidence=accepted, original_name="anh.jpg")
    EvidenceFactory(period=period, unit=a, criterion=c2, status=Evidence.Status.SUBMITTED,
                    submitted_at=datetime(2024, 6, 10, 8, 0, tzinfo=ICT))
    EvidenceFactory(period=period, unit=b, criterion=c1, status=Evidence.Status.DRAFT)
    EvidenceFactory(period=period, unit=c, criterion=c2, status=Evidence.Status.RETURNED)
    leader = UserFactory(unit=a)
    return {"office": office, "campaign": campaign, "period": period, "clusters": (first, second), "leader": leader}


def test_matrix_export_of_the_campaign_has_house_style_and_statuses(login, campaign_data):
    campaign, period = campaign_data["campaign"], campaign_data["period"]
    response = login(campaign_data["office"]).get(
        reverse("reports_export", args=[campaign.pk, "matrix"]), {"period": period.pk})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ma-tran-minh-chung-18-khdtn-quy-ii.xlsx"'
    workbook = open_response(response)
    assert workbook.sheetnames == ["Ma trận", "Tiêu chí"]
    sheet = workbook["Ma trận"]
    rows = sheet_values(sheet)
    assert rows[0][0] == "Phong trào thi đua năm 2024"
    assert rows[1][0].startswith("Ma trận minh chứng, Quý II · Xuất lúc ")
    assert rows[2] == ("Cụm", "Mã đơn vị", "Đơn vị", "I.1", "I.2", "Đã nộp", "Mức đầy đủ")
    assert rows[3:] == [
        ("Cụm 1", "GR-01", "Đoàn xã A", "Đã chấp nhận", "Đã nộp", 2, 1),
        ("Cụm 1", "GR-02", "Đoàn xã B", "Chưa nộp", "Chưa nộp", 0, 0),
        ("Cụm 2", "GR-03", "Đoàn xã C", "Chưa nộp", "Trả lại để bổ sung", 0, 0),
    ]
    assert sheet.freeze_panes == "A4"
    assert sheet["F4"].number_format == "#,##0"
    assert sheet["G4"].number_format == "0%"
    assert sheet.column_dimensions["E"].width == len("Trả lại để bổ sung") + 2
    criteria = workbook["Tiêu chí"]
    assert sheet_values(criteria)[2:] == [
        ("Mã", "Nội dung", "Điểm tối đa", "Số đơn vị đã nộp", "Mức đầy đủ"),
        ("I.1", "Sinh hoạt chi đoàn", 10, 1, pytest.approx(1 / 3)),
        ("I.2", "Trồng cây", 5, 1, pytest.approx(1 / 3)),
    ]
    assert criteria["C4"].number_format == "0.00"
    assert criteria.freeze_panes == "A4"


def test_matrix_export_for_a_leader_is_limited_to_the_own_cluster(login, campaign_data):
    campaign, period = campaign_data["campaign"], campaign_data["period"]
    first, second = campaign_data["clusters"]
    client = login(campaign_data["leader"])
    url = reverse("reports_export", args=[campaign.pk, "matrix"])
    response = client.get(url, {"period": period.pk, "cluster": first.pk})
    assert response.status_code == 200
    assert [row[1] for row in sheet_values(open_response(response)["Ma trận"])[3:]] == ["GR-01", "GR-02"]
    assert client.get(url, {"period": period.pk, "cluster": second.pk}).status_code == 404
    assert client.get(url, {"period": period.pk}).status_code == 302
    register = reverse("reports_export", args=[campaign.pk, "register"])
    assert client.get(register, {"cluster": first.pk}).status_code == 403


def test_evidence_register_lists_submitted_evidence_with_files_scores_and_dates(login, campaign_data):
    campaign = campaign_data["campaign"]
    response = login(campaign_data["office"]).get(reverse("reports_export", args=[campaign.pk, "register"]))
    assert response.status_code == 200
    sheet = open_response(response)["Minh chứng"]
    rows = sheet_values(sheet)
    assert rows[2] == ("Đợt", "Cụm", "Mã đơn vị", "Đơn vị", "Mã tiêu chí", "Tiêu chí", "Số tệp", "Tên tệp",
                       "Trạng thái", "Điểm tự chấm", "Điểm", "Người thẩm định", "Ngày nộp", "Ngày thẩm định",
                       "Cập nhật lần cuối")
    assert [row[:12] for row in rows[3:]] == [
        ("Quý II", "Cụm 1", "GR-01", "Đoàn xã A", "I.1", "Sinh hoạt chi đoàn", 2, "bien-ban.pdf, anh.jpg",
         "Đã chấp nhận", 9, 8.5, "Lê Thẩm Định"),
        ("Quý II", "Cụm 1", "GR-01", "Đoàn xã A", "I.2", "Trồng cây", 0, None, "Đã nộp", None, None, None),
        ("Quý II", "Cụm 2", "GR-03", "Đoàn xã C", "I.2", "Trồng cây", 0, None, "Trả lại để bổ sung", None, None,
         None),
    ]
    assert rows[3][12:14] == (datetime(2024, 6, 9, 14, 5), datetime(2024, 6, 12, 9, 30))
    assert sheet["K4"].number_format == "0.00"
    assert sheet["M4"].number_format == "dd/mm/yyyy hh:mm"
    assert sheet.freeze_panes == "A4"


def test_large_export_runs_as_a_job_with_progress_and_a_private_download(
        login, campaign_data, settings, django_capture_on_commit_callbacks):
    settings.EXPORT_ASYNC_ROWS = 2
    campaign = campaign_data["campaign"]
    client = login(campaign_data["office"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get(reverse("reports_export", args=[campaign.pk, "register"]))
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports_job", args=[job.pk])
    assert len(callbacks) == 1
    assert (job.status, job.total, job.output_name) == ("pending", 3, "so-minh-chung-18-khdtn.xlsx")
    page = client.get(reverse("reports_job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert "Đã ghi 0 trên 3 dòng" in page
    export_job_run(job.pk)
    export_job_run(job.pk)  # a second delivery of the task does nothing
    job.refresh_from_db()
    assert (job.status, job.done, job.percent) == ("done", 3, 100)
    status = client.get(reverse("reports_job_status", args=[job.pk])).content.decode()
    assert reverse("reports_job_download", args=[job.pk]) in status
    assert "hx-trigger" not in status
    download = client.get(reverse("reports_job_download", args=[job.pk]))
    assert download.status_code == 200
    assert len(sheet_values(open_response(download)["Minh chứng"])) == 6


def test_jobs_of_other_users_are_not_found(login, campaign_data):
    job = Job.objects.create(kind="reports.export", created_by=campaign_data["office"], status="done",
                             output_name="x.xlsx")
    client = login(OfficeUserFactory(unit=campaign_data["office"].unit))
    for name in ("reports_job", "reports_job_status", "reports_job_download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404


def test_pending_export_jobs_are_queued_again_by_the_sweep(campaign_data):
    from datetime import timedelta

    from django.utils import timezone

    from reports.services import export_jobs_requeue

    stale = Job.objects.create(kind="reports.export", created_by=campaign_data["office"], output_name="a.xlsx")
    Job.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    Job.objects.create(kind="reports.export", created_by=campaign_data["office"], output_name="b.xlsx")
    Job.objects.create(kind="reports.export", created_by=campaign_data["office"], status="done")
    assert export_jobs_requeue(older_than_seconds=60) == 1
