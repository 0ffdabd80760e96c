import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import services
from accounts.models import User
from core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_office_creates_staff_of_a_unit_in_its_subtree(district_a):
    user = services.user_create(actor=district_a.office, username="moi", password="Mat-khau-dai-1",
                                unit=district_a.units[1], role=User.Role.STAFF, full_name="Người mới")
    assert user.check_password("Mat-khau-dai-1") is True
    assert user.unit == district_a.units[1]
    assert AuditEntry.objects.get(action="user.create").data == {"username": "moi", "role": "staff"}


def test_office_never_creates_an_admin(district_a):
    with pytest.raises(PermissionDenied):
        services.user_create(actor=district_a.office, username="sep", password="Mat-khau-dai-1",
                             unit=district_a.office_unit, role=User.Role.ADMIN)
    assert User.objects.filter(username="sep").count() == 0


def test_office_cannot_create_users_of_another_district(district_a, district_b):
    with pytest.raises(PermissionDenied):
        services.user_create(actor=district_a.office, username="la", password="Mat-khau-dai-1",
                             unit=district_b.units[0], role=User.Role.STAFF)


def test_office_cannot_move_a_user_out_of_its_subtree(district_a, district_b):
    with pytest.raises(PermissionDenied):
        services.user_update(actor=district_a.office, user=district_a.staff, unit=district_b.units[0])
    district_a.staff.refresh_from_db()
    assert district_a.staff.unit == district_a.units[0]


def test_user_update_records_changes(admin, district_a):
    services.user_update(actor=admin, user=district_a.staff, role=User.Role.OFFICE, unit=district_a.office_unit)
    entry = AuditEntry.objects.get(action="user.update")
    assert entry.data == {"unit": [district_a.units[0].name, district_a.office_unit.name], "role": ["staff", "office"]}


def test_user_create_refuses_a_taken_username(admin, district_a):
    with pytest.raises(ValidationError):
        services.user_create(actor=admin, username=district_a.staff.username.upper(), password="Mat-khau-dai-1",
                             unit=district_a.units[0], role=User.Role.STAFF)


def test_user_cannot_deactivate_themselves(admin):
    with pytest.raises(ValidationError):
        services.user_update(actor=admin, user=admin, is_active=False)


def test_user_set_password_is_audited_without_the_password(admin, district_a):
    services.user_set_password(actor=admin, user=district_a.staff, password="Moi-mat-khau-2")
    district_a.staff.refresh_from_db()
    assert district_a.staff.check_password("Moi-mat-khau-2") is True
    assert AuditEntry.objects.get(action="user.password_reset").data == {}
