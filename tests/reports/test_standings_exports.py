"""The standings, target progress and award exports, opened back with openpyxl."""

import io
from datetime import datetime

import pytest
from django.urls import reverse

from tests.factories import OfficeUserFactory, UserFactory

from .helpers import open_response, sheet_values

pytestmark = pytest.mark.django_db


def _export(client, scored, key, **params):
    return client.get(reverse("reports_export", args=[scored.campaign.pk, key]), params)


def test_period_standings_lists_clusters_then_units_with_sections_and_formats(login, scored):
    response = _export(login(scored.office), scored, "standings", period=scored.period.pk)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="xep-hang-18-khdtn-quy-ii.xlsx"'
    workbook = open_response(response)
    assert workbook.sheetnames == ["Cụm", "Đơn vị"]
    clusters = workbook["Cụm"]
    rows = sheet_values(clusters)
    assert rows[0][0] == "Phong trào thi đua năm 2024"
    assert rows[1][0].startswith("Xếp hạng, Quý II · tính lúc ")
    assert rows[2] == ("Hạng", "Cụm", "Điểm", "I (%)", "II (%)", "Số đơn vị", "Mức đầy đủ",
                       "Nộp hồ sơ đúng hạn", "Thời điểm nộp hồ sơ", "Hạng đợt trước", "Thay đổi thứ hạng")
    assert rows[3:] == [
        (1, "Cụm 2", 90, 90, 90, 1, 1, "Có", datetime(2024, 7, 1, 9, 0), None, None),
        (2, "Cụm 1", 47.5, 65, 30, 2, 0.75, "Không", None, None, None),
    ]
    assert clusters.freeze_panes == "A4"
    assert [clusters[f"{column}4"].number_format for column in "ACDGI"] == [
        "#,##0", "0.00", "0.00", "0%", "dd/mm/yyyy hh:mm"]
    units = workbook["Đơn vị"]
    rows = sheet_values(units)
    assert rows[2] == ("Cụm", "Hạng trong cụm", "Mã đơn vị", "Đơn vị", "Tổng", "Tỷ lệ điểm", "I (điểm)",
                       "II (điểm)", "Mức đầy đủ")
    assert rows[3:] == [
        ("Cụm 1", 1, "GR-01", "Đoàn xã Thạnh Hưng", 14, 0.7, 8, 6, 1),
        ("Cụm 1", 2, "GR-02", "Đoàn xã Bàn Tân Định", 5, 0.25, 5, 0, 0.5),
        ("Cụm 2", 1, "GR-03", "Đoàn xã Ngọc Chúc", 18, 0.9, 9, 9, 1),
    ]
    assert [units[f"{column}4"].number_format for column in "EFGI"] == ["0.00", "0%", "0.00", "0%"]


def test_section_points_of_units_are_read_in_one_query(login, scored, django_assert_max_num_queries):
    from reports.exports.standings import PeriodStandings
    from reports.exports.writer import ExportWorkbook

    export = PeriodStandings(campaign=scored.campaign, period=scored.period)
    # Standing time, sections, cluster scores, section scores, unit scores, criterion scores: a fixed number.
    book = ExportWorkbook(title="t")
    with django_assert_max_num_queries(6):
        export.write(book)
    book.save(io.BytesIO())  # a write-only workbook left unsaved would flush its sheets into a closed file


def test_year_standings_have_period_columns_and_the_classification(login, scored):
    response = _export(login(scored.office), scored, "standings-year", period=scored.period.pk)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="xep-hang-ca-nam-18-khdtn.xlsx"'
    workbook = open_response(response)
    rows = sheet_values(workbook["Cụm"])
    assert rows[2] == ("Hạng", "Cụm", "Điểm cả năm", "Quý II", "I (%)", "II (%)", "Mức đầy đủ bình quân",
                       "Số đợt nộp hồ sơ đúng hạn")
    assert rows[3:] == [(1, "Cụm 2", 90, 90, 90, 90, 1, 1), (2, "Cụm 1", 47.5, 47.5, 65, 30, 0.75, 0)]
    units = workbook["Đơn vị"]
    rows = sheet_values(units)
    assert rows[2][4] == "Tổng điểm cả năm"
    assert rows[2][-1] == "Xếp loại"
    assert [(row[2], row[4], row[-1]) for row in rows[3:]] == [
        ("GR-01", 14, "Hoàn thành tốt nhiệm vụ"),
        ("GR-02", 5, "Không hoàn thành nhiệm vụ"),
        ("GR-03", 18, "Hoàn thành xuất sắc nhiệm vụ"),
    ]
    assert units["E4"].number_format == "0.00"
    assert units["F4"].number_format == "0%"


def test_a_cluster_leader_exports_the_standings_of_the_own_cluster_only(login, scored):
    client = login(scored.leader)
    response = _export(client, scored, "standings", period=scored.period.pk, cluster=scored.first.pk)
    assert response.status_code == 200
    workbook = open_response(response)
    assert [row[1] for row in sheet_values(workbook["Cụm"])[3:]] == ["Cụm 1"]
    assert [row[2] for row in sheet_values(workbook["Đơn vị"])[3:]] == ["GR-01", "GR-02"]
    year = _export(client, scored, "standings-year", cluster=scored.first.pk)
    assert [row[1] for row in sheet_values(open_response(year)["Cụm"])[3:]] == ["Cụm 1"]
    assert _export(client, scored, "standings", period=scored.period.pk, cluster=scored.second.pk).status_code == 404
    assert _export(client, scored, "standings", period=scored.period.pk).status_code == 302
    for key in ("targets", "awards"):
        assert _export(client, scored, key, period=scored.period.pk, cluster=scored.first.pk).status_code == 403


@pytest.mark.parametrize("key", ["standings", "standings-year", "targets", "awards"])
def test_new_exports_refuse_anonymous_members_and_other_offices(client, login, scored, key):
    params = {"period": scored.period.pk}
    assert _export(client, scored, key, **params).status_code == 302  # to the login page
    assert _export(login(scored.member), scored, key, **params, cluster=scored.first.pk).status_code == 403
    assert _export(login(UserFactory()), scored, key, **params).status_code == 404
    assert _export(login(OfficeUserFactory()), scored, key, **params).status_code == 404


def test_target_progress_lists_targets_then_units_with_allocation_value_and_percent(login, scored):
    response = _export(login(scored.office), scored, "targets", period=scored.period.pk)
    assert response.status_code == 200
    workbook = open_response(response)
    assert workbook.sheetnames == ["Chỉ tiêu", "Đơn vị"]
    summary = workbook["Chỉ tiêu"]
    rows = sheet_values(summary)
    assert rows[2] == ("Mã", "Chỉ tiêu", "Đơn vị tính", "Loại", "Mục tiêu", "Kết quả", "Đạt",
                       "Tiến độ cần đạt đến nay", "Số đơn vị được giao", "Số đơn vị đã báo cáo")
    assert rows[3][:7] == ("CT1", "Trồng cây xanh", "cây", "Số lượng cần đạt", 300, 300, 1)
    assert rows[3][8:] == (2, 2)
    assert summary["G4"].number_format == "0%"
    units = workbook["Đơn vị"]
    rows = sheet_values(units)
    assert rows[2] == ("Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Cụm", "Mã đơn vị", "Đơn vị", "Được giao",
                       "Số liệu báo cáo", "Đạt", "Tiến độ cần đạt đến nay", "Chậm tiến độ")
    assert [row[3:9] for row in rows[3:]] == [
        ("Cụm 1", "GR-01", "Đoàn xã Thạnh Hưng", 100, 50, 0.5),
        ("Cụm 2", "GR-03", "Đoàn xã Ngọc Chúc", 200, 250, 1.25),
    ]
    assert [units[f"{column}4"].number_format for column in "GHI"] == ["0.00", "0.00", "0%"]


def test_award_export_lists_decisions_recipients_amounts_and_the_prize_total(login, scored):
    response = _export(login(scored.office), scored, "awards")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="khen-thuong-18-khdtn.xlsx"'
    workbook = open_response(response)
    assert workbook.sheetnames == ["Quyết định", "Người nhận"]
    decisions = workbook["Quyết định"]
    rows = sheet_values(decisions)
    assert rows[2] == ("Số", "Ngày", "Cơ quan khen thưởng", "Trích yếu", "Đợt", "Trạng thái", "Người ký",
                       "Người nhận", "Tiền thưởng (đồng)")
    assert rows[3] == ("45-QĐ/ĐTN", datetime(2024, 7, 5), "Ban Thường vụ Huyện đoàn Giồng Riềng",
                       "Về việc khen thưởng các tập thể có thành tích xuất sắc", "Quý II", "Đã ban hành",
                       "Võ Văn An", 2, 1_500_000)
    assert decisions["I4"].number_format == "#,##0"
    assert decisions["B4"].number_format == "dd/mm/yyyy"
    recipients = workbook["Người nhận"]
    rows = sheet_values(recipients)
    assert rows[2][:6] == ("Quyết định", "Ngày", "Trạng thái", "STT", "Người/tập thể nhận", "Loại đối tượng")
    assert [(row[3], row[4], row[7], row[8], row[11]) for row in rows[3:5]] == [
        (1, "Cụm 2", "Cụm 2", "Giấy khen", 1_000_000),
        (2, "Trần Thị Ánh Nguyệt", "Đoàn xã Ngọc Chúc", "Giấy khen cụm trưởng", 500_000),
    ]
    assert rows[5][0] == "Tổng tiền thưởng của phong trào (các quyết định đã ban hành, còn hiệu lực)"
    assert rows[5][11] == 1_500_000
    assert recipients["L4"].number_format == "#,##0"
    assert recipients["L6"].number_format == "#,##0"


def test_reports_page_offers_the_new_exports_by_role(login, scored):
    url = reverse("reports_campaign", args=[scored.campaign.pk])
    manager_page = login(scored.office).get(url).content.decode()
    for key in ("standings", "standings-year", "targets", "awards"):
        assert reverse("reports_export", args=[scored.campaign.pk, key]) in manager_page
    assert reverse("reports_period_summary_pdf", args=[scored.period.pk]) in manager_page
    assert reverse("reports_period_summary_xlsx", args=[scored.period.pk]) in manager_page
    leader_page = login(scored.leader).get(url).content.decode()
    assert reverse("reports_export", args=[scored.campaign.pk, "standings"]) in leader_page
    assert reverse("reports_export", args=[scored.campaign.pk, "awards"]) not in leader_page
    assert reverse("reports_period_summary_pdf", args=[scored.period.pk]) not in leader_page
