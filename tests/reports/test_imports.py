
import pytest

from accounts.models import Unit, User
from core.models import AuditEntry
from reports.imports.base import import_run
from reports.imports.kinds import UnitImporter, UserImporter
from tests.factories import AdminFactory, OfficeUnitFactory, OfficeUserFactory, UnitFactory

from .helpers import xlsx_upload

pytestmark = pytest.mark.django_db

UNIT_HEADER = ["Mã đơn vị *", "Tên đơn vị *", "Cấp *", "Mã đơn vị cấp trên", "Số đoàn viên", "E-mail"]


def _units_file(rows):
    return xlsx_upload({"Đơn vị": [UNIT_HEADER, *rows]})


def test_unit_import_creates_tree_in_any_row_order_and_audits_once():
    admin = AdminFactory()
    upload = _units_file([
        ["GR-02", "Đoàn xã Thạnh Hưng", "Đoàn cơ sở", "HD-GR", 120, "th@example.org"],
        ["HD-GR", "Huyện đoàn Giồng Riềng", "Huyện đoàn", "", 2400, ""],
        ["GR-02-CD1", "Chi đoàn Ấp 1", "chi đoàn", "GR-02", None, ""],
    ])
    result = import_run(importer=UnitImporter(user=admin), upload=upload)
    assert [str(e) for e in result.errors] == []
    assert result.counts["Đơn vị"].as_dict() == {"created": 3, "updated": 0, "unchanged": 0}
    branch = Unit.objects.get(code="GR-02-CD1")
    assert branch.level == Unit.Level.BRANCH
    assert branch.member_count == 0
    assert branch.is_within(Unit.objects.get(code="HD-GR"))
    assert branch.depth == 2
    entry = AuditEntry.objects.get(action="import.units")
    assert entry.data["counts"] == {"Đơn vị": {"created": 3, "updated": 0, "unchanged": 0}}


def test_unit_import_twice_changes_nothing():
    admin = AdminFactory()
    rows = [["HD-GR", "Huyện đoàn Giồng Riềng", "district", "", 2400, ""],
            ["GR-02", "Đoàn xã Thạnh Hưng", "grassroots", "HD-GR", 120, ""]]
    import_run(importer=UnitImporter(user=admin), upload=_units_file(rows))
    before = list(Unit.objects.values_list("code", "name", "path", "member_count").order_by("code"))
    result = import_run(importer=UnitImporter(user=admin), upload=_units_file(rows))
    assert result.counts["Đơn vị"].as_dict() == {"created": 0, "updated": 0, "unchanged": 2}
    assert list(Unit.objects.values_list("code", "name", "path", "member_count").order_by("code")) == before


def test_unit_import_lists_every_problem_and_writes_nothing():
    admin = AdminFactory()
    UnitFactory(code="GR-01")
    upload = _units_file([
        ["GR-05", "Đoàn xã A", "Đoàn cơ sở", "GR-07", 10, ""],
        ["GR-06", "", "Đoàn cơ sở", "GR-01", "nhiều", ""],
        ["GR-05", "Đoàn xã B", "Không rõ", "GR-01", 10, "không-phải-email"],
    ])
    count = Unit.objects.count()
    result = import_run(importer=UnitImporter(user=admin), upload=upload)
    assert result.applied is False
    assert [str(e) for e in result.errors] == [
        "Dòng 3, cột B: Trường này là bắt buộc.",
        "Dòng 3, cột E: Nhập một số tổng thể.",
        "Dòng 4, cột A: mã 'GR-05' đã có ở dòng 2.",
        "Dòng 2, cột D: mã đơn vị 'GR-07' không tồn tại.",
    ]
    assert Unit.objects.count() == count
    assert not AuditEntry.objects.filter(action="import.units").exists()


def test_unit_import_refuses_a_parent_loop():
    admin = AdminFactory()
    upload = _units_file([
        ["A", "Đơn vị A", "Huyện đoàn", "B", 1, ""],
        ["B", "Đơn vị B", "Huyện đoàn", "A", 1, ""],
    ])
    result = import_run(importer=UnitImporter(user=admin), upload=upload)
    assert [str(e) for e in result.errors] == [
        "Dòng 2, cột D: các mã cấp trên tạo thành vòng lặp: A → B → A.",
        "Dòng 3, cột D: các mã cấp trên tạo thành vòng lặp: B → A → B.",
    ]
    assert not Unit.objects.filter(code__in=["A", "B"]).exists()


def test_unit_import_moving_a_unit_refreshes_paths_below_it():
    admin = AdminFactory()
    old_parent, new_parent = OfficeUnitFactory(code="OLD"), OfficeUnitFactory(code="NEW")
    moved = UnitFactory(code="M", parent=old_parent)
    child = UnitFactory(code="C", parent=moved, level=Unit.Level.BRANCH)
    upload = _units_file([["M", moved.name, "grassroots", "NEW", 100, ""]])
    result = import_run(importer=UnitImporter(user=admin), upload=upload)
    assert result.counts["Đơn vị"].as_dict() == {"created": 0, "updated": 1, "unchanged": 0}
    child.refresh_from_db()
    assert child.path == f"{new_parent.path}{moved.pk}/{child.pk}/"
    assert child.depth == 2


def test_user_import_creates_accounts_without_password_and_checks_roles():
    office = OfficeUserFactory()
    unit = UnitFactory(code="GR-02", parent=office.unit)
    UnitFactory(code="XX-01")
    header = ["Tên đăng nhập", "Họ và tên", "E-mail", "Mã đơn vị", "Vai trò", "Chức vụ", "Số điện thoại"]
    rows = [
        ["an", "Nguyễn Văn An", "an@example.org", "GR-02", "Cán bộ đơn vị", "Bí thư", "0912"],
        ["bao", "Trần Bảo", "", "XX-01", "staff", "", ""],
        ["cuong", "Lê Cường", "", "GR-02", "Quản trị", "", ""],
    ]
    result = import_run(importer=UserImporter(user=office), upload=xlsx_upload({"Người dùng": [header, *rows]}))
    assert [str(e) for e in result.errors] == [
        "Dòng 3, cột D: mã đơn vị 'XX-01' không tồn tại.",
        "Dòng 4, cột E: chỉ quản trị viên mới được gán vai trò quản trị.",
    ]
    admin = AdminFactory()
    result = import_run(importer=UserImporter(user=admin), upload=xlsx_upload({"Người dùng": [header, rows[0]]}))
    assert result.counts["Người dùng"].as_dict() == {"created": 1, "updated": 0, "unchanged": 0}
    user = User.objects.get(username="an")
    assert (user.unit, user.role, user.full_name, user.has_usable_password()) == (unit, "staff", "Nguyễn Văn An",
                                                                                  False)
    again = import_run(importer=UserImporter(user=admin), upload=xlsx_upload({"Người dùng": [header, rows[0]]}))
    assert again.counts["Người dùng"].as_dict() == {"created": 0, "updated": 0, "unchanged": 1}
