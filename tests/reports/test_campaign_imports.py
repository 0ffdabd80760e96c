from decimal import Decimal

import pytest

from campaigns.models import Cluster, ClusterMember, Criterion
from core.models import AuditEntry
from reports.imports.base import import_run
from reports.imports.kinds import ClusterImporter, CriterionImporter, TargetImporter
from targets.models import Target, TargetAllocation
from tests.factories import (
    CampaignFactory,
    ClusterFactory,
    ClusterMemberFactory,
    OfficeUserFactory,
    TargetFactory,
    UnitFactory,
    UserFactory,
)

from .helpers import xlsx_upload

pytestmark = pytest.mark.django_db

CLUSTER_HEADER = ["Tên cụm", "Thứ tự", "Mã các đơn vị", "Mã cụm trưởng", "Mã cụm phó",
                  "Tên đăng nhập cán bộ phụ trách"]
CRITERIA_HEADER = ["Mã", "Mã mục cha", "Nội dung", "Loại", "Điểm tối đa", "Cách chấm", "Nhóm điểm",
                   "Minh chứng cần có", "Số lượng đạt điểm tối đa", "Mã chỉ tiêu"]
TARGET_HEADER = ["Mã chỉ tiêu", "Tên chỉ tiêu", "Đơn vị tính", "Loại", "Tổng chỉ tiêu", "Ghi chú"]
ALLOCATION_HEADER = ["Mã chỉ tiêu", "Mã đơn vị", "Số lượng"]


@pytest.fixture
def office_setup():
    office = OfficeUserFactory()
    campaign = CampaignFactory(issuing_unit=office.unit)
    units = {code: UnitFactory(code=code, parent=office.unit) for code in ("GR-01", "GR-02", "GR-03", "GR-04")}
    return office, campaign, units


def _clusters(rows):
    return xlsx_upload({"Cụm thi đua": [CLUSTER_HEADER, *rows]})


def test_cluster_import_creates_clusters_members_and_is_idempotent(office_setup):
    office, campaign, units = office_setup
    follower = UserFactory(username="reviewer", unit=office.unit)
    rows = [["Cụm 1", 1, "GR-01, GR-02", "GR-01", "GR-02", "reviewer"], ["Cụm 2", 2, "GR-03;GR-04", "GR-04", "", ""]]
    result = import_run(importer=ClusterImporter(user=office, campaign=campaign), upload=_clusters(rows))
    assert [str(e) for e in result.errors] == []
    assert result.counts["Cụm thi đua"].as_dict() == {"created": 2, "updated": 0, "unchanged": 0}
    first = Cluster.objects.get(campaign=campaign, name="Cụm 1")
    assert (first.leader_unit, first.deputy_unit, first.follower) == (units["GR-01"], units["GR-02"], follower)
    assert set(first.memberships.values_list("unit__code", flat=True)) == {"GR-01", "GR-02"}
    again = import_run(importer=ClusterImporter(user=office, campaign=campaign), upload=_clusters(rows))
    assert again.counts["Cụm thi đua"].as_dict() == {"created": 0, "updated": 0, "unchanged": 2}
    assert AuditEntry.objects.filter(action="import.clusters", campaign=campaign).count() == 2


def test_cluster_import_moves_a_unit_between_clusters_of_the_file(office_setup):
    office, campaign, _units = office_setup
    rows = [["Cụm 1", 1, "GR-01, GR-02", "", "", ""], ["Cụm 2", 2, "GR-03", "", "", ""]]
    import_run(importer=ClusterImporter(user=office, campaign=campaign), upload=_clusters(rows))
    moved = [["Cụm 1", 1, "GR-01", "", "", ""], ["Cụm 2", 2, "GR-03, GR-02", "", "", ""]]
    result = import_run(importer=ClusterImporter(user=office, campaign=campaign), upload=_clusters(moved))
    assert result.counts["Cụm thi đua"].as_dict() == {"created": 0, "updated": 2, "unchanged": 0}
    assert ClusterMember.objects.get(campaign=campaign, unit__code="GR-02").cluster.name == "Cụm 2"


def test_cluster_import_lists_problems_and_writes_nothing(office_setup):
    office, campaign, units = office_setup
    other = ClusterFactory(campaign=campaign, name="Cụm cũ")
    ClusterMemberFactory(cluster=other, unit=units["GR-04"])
    UnitFactory(code="NGOAI")  # exists, but outside the office's units
    rows = [
        ["Cụm 1", 1, "GR-01, GR-07", "GR-03", "", "khong-co"],
        ["Cụm 2", "hai", "GR-01, GR-04, NGOAI", "", "", ""],
        ["Cụm 1", 3, "GR-02", "", "", ""],
    ]
    result = import_run(importer=ClusterImporter(user=office, campaign=campaign), upload=_clusters(rows))
    assert [str(e) for e in result.errors] == [
        "Dòng 2, cột C: mã đơn vị 'GR-07' không tồn tại.",
        "Dòng 2, cột D: đơn vị 'GR-03' không thuộc các đơn vị của cụm.",
        "Dòng 2, cột F: tài khoản 'khong-co' không tồn tại.",
        "Dòng 3, cột B: Nhập một số tổng thể.",
        "Dòng 4, cột A: cụm 'Cụm 1' đã có ở dòng 2.",
    ]
    assert list(Cluster.objects.filter(campaign=campaign).values_list("name", flat=True)) == ["Cụm cũ"]
    fixed = [["Cụm 2", 2, "GR-01, GR-04, NGOAI", "", "", ""]]
    result = import_run(importer=ClusterImporter(user=office, campaign=campaign), upload=_clusters(fixed))
    assert [str(e) for e in result.errors] == [
        "Dòng 2, cột C: mã đơn vị 'NGOAI' không tồn tại.",
        "Dòng 2, cột C: đơn vị 'GR-04' đã thuộc cụm 'Cụm cũ' của phong trào này.",
    ]


def _criteria(rows):
    return xlsx_upload({"Tiêu chí": [CRITERIA_HEADER, *rows]})


def test_criteria_import_builds_the_tree_in_file_order_and_is_idempotent(office_setup):
    office, campaign, _units = office_setup
    TargetFactory(campaign=campaign, code="CT1")
    rows = [
        ["I", "", "Công tác tư tưởng", "Mục", 30, "", "", "", "", ""],
        ["I.1", "I", "Sinh hoạt chi đoàn", "Tiêu chí", 10, "Đánh giá", "Cơ bản", "Biên bản", "", ""],
        ["I.2", "I", "Trồng cây", "Tiêu chí", 10, "Số lượng", "", "", "", "CT1"],
        ["II", "", "Điểm thưởng", "Mục", 5, "", "Thưởng", "", "", ""],
        ["II.1", "II", "Sáng kiến", "", 5, "Đạt/không đạt", "Thưởng", "", "", ""],
    ]
    result = import_run(importer=CriterionImporter(user=office, campaign=campaign), upload=_criteria(rows))
    assert [str(e) for e in result.errors] == []
    assert result.counts["Tiêu chí"].as_dict() == {"created": 5, "updated": 0, "unchanged": 0}
    criteria = {c.code: c for c in Criterion.objects.filter(campaign=campaign)}
    assert criteria["I.2"].parent == criteria["I"]
    assert (criteria["I.2"].method, criteria["I.2"].target.code, criteria["I.2"].order) == ("quantity", "CT1", 3)
    assert (criteria["II.1"].kind, criteria["II.1"].category, criteria["II.1"].max_points) == (
        "criterion", "bonus", Decimal("5"))
    again = import_run(importer=CriterionImporter(user=office, campaign=campaign), upload=_criteria(rows))
    assert again.counts["Tiêu chí"].as_dict() == {"created": 0, "updated": 0, "unchanged": 5}
    rows[1][4] = 12
    third = import_run(importer=CriterionImporter(user=office, campaign=campaign), upload=_criteria(rows))
    assert third.counts["Tiêu chí"].as_dict() == {"created": 0, "updated": 1, "unchanged": 4}


def test_criteria_import_lists_problems_and_writes_nothing(office_setup):
    office, campaign, _units = office_setup
    rows = [
        ["I", "", "Mục một", "Mục", 30, "", "", "", "", ""],
        ["I.1", "I", "Tiêu chí", "Tiêu chí", -1, "Đánh giá", "", "", "", ""],
        ["I.2", "I.9", "Tiêu chí", "Tiêu chí", 5, "Số lượng", "", "", "", ""],
        ["I.3", "I.4", "Tiêu chí", "Tiêu chí", 5, "Kiểu lạ", "", "", "", "CT9"],
        ["I.4", "I", "Tiêu chí", "Tiêu chí", 5, "", "", "", "", ""],
    ]
    result = import_run(importer=CriterionImporter(user=office, campaign=campaign), upload=_criteria(rows))
    assert [str(e) for e in result.errors] == [
        "Dòng 3, cột E: Đảm bảo giá trị này lớn hơn hoặc bằng với 0 .",
        "Dòng 4, cột I: tiêu chí chấm theo số lượng cần có số lượng đạt điểm tối đa hoặc mã chỉ tiêu.",
        "Dòng 5, cột F: Hãy chọn một lựa chọn hợp lệ. Kiểu lạ không phải là một trong các lựa chọn khả thi.",
        "Dòng 4, cột B: mã tiêu chí 'I.9' không tồn tại trong phong trào này.",
    ]
    assert not Criterion.objects.filter(campaign=campaign).exists()


def _targets(target_rows, allocation_rows):
    return xlsx_upload({"Chỉ tiêu": [TARGET_HEADER, *target_rows], "Phân bổ": [ALLOCATION_HEADER, *allocation_rows]})


def test_target_import_with_allocations_is_idempotent_and_reports_counts(office_setup):
    office, campaign, units = office_setup
    targets = [["3", "Trồng cây xanh", "cây", "Số lượng", 27000, ""], ["7", "Kết nạp đoàn viên", "người", "", 7000, ""]]
    allocations = [["3", "GR-01", 1350], ["3", "GR-02", 1200.5], ["7", "GR-01", 300]]
    result = import_run(importer=TargetImporter(user=office, campaign=campaign), upload=_targets(targets, allocations))
    assert [str(e) for e in result.errors] == []
    assert {k: v.as_dict() for k, v in result.counts.items()} == {
        "Chỉ tiêu": {"created": 2, "updated": 0, "unchanged": 0},
        "Phân bổ": {"created": 3, "updated": 0, "unchanged": 0},
    }
    assert TargetAllocation.objects.get(target__code="3", unit=units["GR-02"]).amount == Decimal("1200.50")
    again = import_run(importer=TargetImporter(user=office, campaign=campaign), upload=_targets(targets, allocations))
    assert {k: v.as_dict() for k, v in again.counts.items()} == {
        "Chỉ tiêu": {"created": 0, "updated": 0, "unchanged": 2},
        "Phân bổ": {"created": 0, "updated": 0, "unchanged": 3},
    }
    allocations[0][2] = 1400
    third = import_run(importer=TargetImporter(user=office, campaign=campaign), upload=_targets(targets, allocations))
    assert third.counts["Phân bổ"].as_dict() == {"created": 0, "updated": 1, "unchanged": 2}
    entry = AuditEntry.objects.filter(action="import.targets").first()
    assert entry.data["counts"]["Phân bổ"] == {"created": 0, "updated": 1, "unchanged": 2}


def test_target_import_all_or_nothing_when_one_allocation_is_bad(office_setup):
    office, campaign, _units = office_setup
    targets = [["3", "Trồng cây xanh", "cây", "", 27000, ""]]
    allocations = [["3", "GR-01", 1350], ["3", "GR-07", 10], ["9", "GR-02", -5], ["3", "GR-01", 1]]
    result = import_run(importer=TargetImporter(user=office, campaign=campaign), upload=_targets(targets, allocations))
    assert [(e.sheet, str(e)) for e in result.errors] == [
        ("Phân bổ", "Dòng 3, cột B: mã đơn vị 'GR-07' không tồn tại."),
        ("Phân bổ", "Dòng 4, cột C: Đảm bảo giá trị này lớn hơn hoặc bằng với 0 ."),
        ("Phân bổ", "Dòng 5, cột B: chỉ tiêu này đã được giao cho 'GR-01' ở dòng 2."),
    ]
    assert not Target.objects.filter(campaign=campaign).exists()
    assert not TargetAllocation.objects.exists()


def test_missing_sheet_and_missing_column_are_reported(office_setup):
    office, campaign, _units = office_setup
    upload = xlsx_upload({"Trang khác": [["x"]], "Phân bổ": [["Mã chỉ tiêu", "Số lượng"], ["3", 5]]})
    result = import_run(importer=TargetImporter(user=office, campaign=campaign), upload=upload)
    assert [str(e) for e in result.errors] == [
        "Trang tính 'Chỉ tiêu': không có trang tính này; hãy dùng tệp mẫu.",
        "Dòng 1: thiếu cột 'Mã đơn vị'.",
    ]


def test_dry_run_validates_and_writes_nothing(office_setup):
    office, campaign, _units = office_setup
    upload = _targets([["3", "Trồng cây xanh", "cây", "", 27000, ""]], [])
    result = import_run(importer=TargetImporter(user=office, campaign=campaign), upload=upload, dry_run=True)
    assert (result.errors, result.applied) == ([], False)
    assert not Target.objects.exists()
    assert not AuditEntry.objects.filter(action="import.targets").exists()
