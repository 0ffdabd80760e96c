"""The period summary report (báo cáo sơ kết): its content, the PDF read back with pdftotext, the workbook."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from reports import summary as summary_module
from reports.documents import target_chart_svg
from reports.summary import period_summary
from tests.awards.pdf import pdf_text
from tests.factories import AdminFactory, OfficeUserFactory, UserFactory

from .helpers import open_response, sheet_values

pytestmark = pytest.mark.django_db


def test_summary_reads_rates_standings_sections_targets_and_awards(scored, monkeypatch):
    monkeypatch.setattr(summary_module, "EXTREMES", 1)
    summary = period_summary(scored.period)
    assert (summary.member_units, summary.participating_units, summary.participation_rate) == (3, 3, 1)
    assert (summary.cluster_count, summary.dossiers_on_time, summary.on_time_rate) == (2, 1, Decimal("0.5"))
    assert [(line.rank, line.name, line.score, line.sections) for line in summary.clusters] == [
        (1, "Cụm 2", 90, [90, 90]), (2, "Cụm 1", Decimal("47.5"), [65, 30])]
    assert [section.code for section in summary.sections] == ["I", "II"]
    assert [(e.section.code, [(u.position, u.unit_code, u.points) for u in e.top],
             [(u.position, u.unit_code, u.points) for u in e.bottom]) for e in summary.extremes] == [
        ("I", [(1, "GR-03", 9)], [(3, "GR-02", 5)]),
        ("II", [(1, "GR-03", 9)], [(3, "GR-02", 0)]),
    ]
    assert [(a.target.code, a.result, a.percent) for a in summary.targets] == [("CT1", 300, 100)]
    assert [(line.recipient, line.amount) for line in summary.awards] == [
        ("Cụm 2", 1_000_000), ("Trần Thị Ánh Nguyệt", 500_000)]
    assert summary.awards_total == 1_500_000


def test_target_chart_is_an_inline_svg_with_a_bar_per_target(scored):
    svg = target_chart_svg(period_summary(scored.period))
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert svg.count("<rect ") == 1
    assert "CT1. Trồng cây xanh" in svg
    assert "100 %" in svg


def test_summary_pdf_carries_the_key_figures_in_vietnamese(login, scored, tmp_path):
    response = login(scored.office).get(reverse("reports_period_summary_pdf", args=[scored.period.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="so-ket-18-khdtn-quy-ii.pdf"'
    path = Path(tmp_path) / "so-ket.pdf"
    path.write_bytes(response.content)
    text = " ".join(pdf_text(path).split())
    for expected in (
        "ĐOÀN TNCS HỒ CHÍ MINH", "BÁO CÁO", "Sơ kết Quý II Phong trào thi đua năm 2024",
        "3/3 đơn vị đã nộp minh chứng, tỷ lệ tham gia 100 %", "1/2 cụm nộp hồ sơ đúng hạn",
        "tỷ lệ đúng hạn 50 %", "Kết quả xếp hạng các cụm thi đua", "Đoàn xã Ngọc Chúc",
        "Mục I. Công tác giáo dục chính trị, tư tưởng", "Kết quả thực hiện chỉ tiêu", "CT1. Trồng cây xanh",
        "Trần Thị Ánh Nguyệt", "Giấy khen cụm trưởng", "1.500.000", "Võ Văn An",
    ):
        assert expected in text


def test_summary_workbook_has_a_sheet_per_table(login, scored):
    response = login(scored.office).get(reverse("reports_period_summary_xlsx", args=[scored.period.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="so-ket-18-khdtn-quy-ii.xlsx"'
    workbook = open_response(response)
    assert workbook.sheetnames == ["Tổng quan", "Xếp hạng", "Theo mục", "Chỉ tiêu", "Khen thưởng"]
    overview = workbook["Tổng quan"]
    assert sheet_values(overview)[3:7] == [
        ("Đơn vị thành viên", 3, None), ("Đơn vị đã nộp minh chứng", 3, 1), ("Cụm thi đua", 2, None),
        ("Cụm nộp hồ sơ đúng hạn", 1, 0.5),
    ]
    assert overview["C5"].number_format == "0%"
    standings = sheet_values(workbook["Xếp hạng"])
    assert standings[3][:5] == (1, "Cụm 2", 90, 90, 90)
    assert workbook["Xếp hạng"]["C4"].number_format == "0.00"
    awards = workbook["Khen thưởng"]
    assert sheet_values(awards)[-1] == ("Tổng", None, None, None, None, 1_500_000)
    assert awards["F4"].number_format == "#,##0"


@pytest.mark.parametrize("name", ["reports_period_summary_pdf", "reports_period_summary_xlsx"])
def test_summary_downloads_are_for_the_managing_office_and_admins(client, login, scored, name):
    url = reverse(name, args=[scored.period.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert login(scored.leader).get(url).status_code == 404
    assert login(UserFactory()).get(url).status_code == 404
    assert login(OfficeUserFactory()).get(url).status_code == 404
    assert login(AdminFactory()).get(url).status_code == 200
    assert login(scored.office).get(url).status_code == 200
