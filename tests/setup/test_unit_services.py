import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import Unit
from core.models import AuditEntry
from tests.factories import OfficeUnitFactory, UnitFactory

pytestmark = pytest.mark.django_db


def test_unit_move_rewrites_paths_of_all_descendants(admin, province):
    old_district = OfficeUnitFactory(parent=province)
    new_district = OfficeUnitFactory(parent=province)
    grassroots = UnitFactory(parent=old_district)
    branch = UnitFactory(parent=grassroots, level=Unit.Level.BRANCH)

    services.unit_update(unit=grassroots, user=admin, parent=new_district)

    grassroots.refresh_from_db()
    branch.refresh_from_db()
    assert grassroots.path == f"{new_district.path}{grassroots.pk}/"
    assert branch.path == f"{new_district.path}{grassroots.pk}/{branch.pk}/"
    assert (grassroots.depth, branch.depth) == (2, 3)
    assert branch.is_within(new_district) is True
    assert branch.is_within(old_district) is False
    entry = AuditEntry.objects.get(action="unit.move")
    assert entry.data == {"parent": [old_district.name, new_district.name]}


def test_unit_move_to_the_top_makes_depth_zero(admin, province):
    district = OfficeUnitFactory(parent=province)
    child = UnitFactory(parent=district)
    services.unit_move(unit=district, parent=None, user=admin)
    child.refresh_from_db()
    assert child.path == f"/{district.pk}/{child.pk}/"
    assert child.depth == 1


def test_unit_move_under_own_descendant_is_refused(admin, province):
    district = OfficeUnitFactory(parent=province)
    grassroots = UnitFactory(parent=district)
    branch = UnitFactory(parent=grassroots)

    with pytest.raises(ValidationError) as error:
        services.unit_update(unit=district, user=admin, parent=branch)

    assert error.value.message_dict["parent"] == [
        "Không thể chuyển một đơn vị vào chính nó hoặc vào đơn vị trực thuộc của nó. "
        f"Vui lòng chọn đơn vị cấp trên nằm ngoài “{district.name}”."
    ]
    district.refresh_from_db()
    assert district.parent_id == province.pk
    assert AuditEntry.objects.filter(action="unit.move").count() == 0


def test_unit_move_under_itself_is_refused(admin, province):
    district = OfficeUnitFactory(parent=province)
    with pytest.raises(ValidationError):
        services.unit_move(unit=district, parent=district, user=admin)


def test_unit_create_refuses_a_used_code(admin, province):
    UnitFactory(code="GR-01")
    with pytest.raises(ValidationError) as error:
        services.unit_create(user=admin, code="gr-01", name="Trùng mã", level=Unit.Level.GRASSROOTS, parent=province)
    assert error.value.message_dict["code"] == ["Mã “gr-01” đã được đơn vị khác sử dụng. Vui lòng chọn mã khác."]
    assert Unit.objects.filter(name="Trùng mã").count() == 0


def test_unit_update_records_old_and_new_values(admin, province):
    unit = UnitFactory(parent=province, name="Cũ", member_count=10)
    services.unit_update(unit=unit, user=admin, name="Mới", member_count=12, parent=province)
    entry = AuditEntry.objects.get(action="unit.update")
    assert entry.data == {"name": ["Cũ", "Mới"], "member_count": [10, 12]}


def test_unit_deactivate_keeps_the_row_and_audits(admin, province):
    unit = UnitFactory(parent=province)
    services.unit_deactivate(unit=unit, user=admin)
    unit.refresh_from_db()
    assert unit.is_active is False
    assert AuditEntry.objects.filter(action="unit.deactivate", object_id=str(unit.pk)).count() == 1
