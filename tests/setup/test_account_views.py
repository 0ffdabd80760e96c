import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Unit, User
from core.models import AuditEntry
from tests.factories import PASSWORD, AdminFactory, OfficeUnitFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


def test_unit_list_shows_the_tree_indented(login, admin, district_a):
    response = login(admin).get(reverse("unit_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "tree-indent-2\">" in body
    assert district_a.units[0].name in body
    assert body.index(district_a.office_unit.name) < body.index(district_a.units[0].name)


def test_unit_list_search_finds_by_code(login, admin, district_a, district_b):
    response = login(admin).get(reverse("unit_list"), {"q": district_a.units[1].code})
    assert [unit.pk for unit in response.context["units"]] == [district_a.units[1].pk]


def test_unit_list_query_count_does_not_grow(login, province, django_assert_num_queries):
    admin = AdminFactory(unit=province)
    client = login(admin)
    one = _count_queries(client, reverse("unit_list"))
    UnitFactory(parent=province)
    OfficeUnitFactory(parent=province)
    assert Unit.objects.count() == 3
    with django_assert_num_queries(one):
        client.get(reverse("unit_list"))


def test_unit_create_by_admin(login, admin, district_a):
    response = login(admin).post(reverse("unit_create"), {
        "code": "GR-99", "name": "Đoàn xã Mới", "level": "grassroots", "parent": district_a.office_unit.pk,
        "member_count": 120, "email": "",
    })
    assert response.status_code == 302
    unit = Unit.objects.get(code="GR-99")
    assert unit.parent == district_a.office_unit
    assert unit.path == f"{district_a.office_unit.path}{unit.pk}/"
    assert AuditEntry.objects.filter(action="unit.create").count() == 1


def test_unit_create_with_a_used_code_shows_a_clear_message(login, admin, district_a):
    response = login(admin).post(reverse("unit_create"), {
        "code": district_a.units[0].code, "name": "Trùng", "level": "grassroots", "member_count": 0,
    })
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        f"Mã “{district_a.units[0].code}” đã được đơn vị khác sử dụng. Vui lòng chọn mã khác."]
    assert Unit.objects.filter(name="Trùng").count() == 0


def test_unit_edit_moves_the_subtree(login, admin, district_a, district_b):
    unit = district_a.units[0]
    branch = UnitFactory(parent=unit, level=Unit.Level.BRANCH)
    response = login(admin).post(reverse("unit_edit", args=[unit.pk]), {
        "code": unit.code, "name": unit.name, "level": unit.level, "parent": district_b.office_unit.pk,
        "member_count": unit.member_count, "email": "",
    })
    assert response.status_code == 302
    branch.refresh_from_db()
    assert branch.path == f"{district_b.office_unit.path}{unit.pk}/{branch.pk}/"


def test_unit_edit_under_own_descendant_shows_the_message(login, admin, district_a):
    office_unit = district_a.office_unit
    response = login(admin).post(reverse("unit_edit", args=[office_unit.pk]), {
        "code": office_unit.code, "name": office_unit.name, "level": office_unit.level,
        "parent": district_a.units[0].pk, "member_count": 0, "email": "",
    })
    assert response.status_code == 200
    assert response.context["form"].errors["parent"] == [
        "Không thể chuyển một đơn vị vào chính nó hoặc vào đơn vị trực thuộc của nó. "
        f"Vui lòng chọn đơn vị cấp trên nằm ngoài “{office_unit.name}”."]
    office_unit.refresh_from_db()
    assert office_unit.parent_id != district_a.units[0].pk


def test_unit_deactivate_and_activate(login, admin, district_a):
    unit = district_a.units[2]
    client = login(admin)
    assert client.post(reverse("unit_deactivate", args=[unit.pk])).status_code == 302
    unit.refresh_from_db()
    assert unit.is_active is False
    client.post(reverse("unit_deactivate", args=[unit.pk]), {"activate": "1"})
    unit.refresh_from_db()
    assert unit.is_active is True


def test_user_list_for_an_office_shows_only_its_subtree(login, district_a, district_b):
    response = login(district_a.office).get(reverse("user_list"))
    assert response.status_code == 200
    assert {user.pk for user in response.context["users"]} == {district_a.office.pk, district_a.staff.pk}


def test_user_list_filters_by_role_and_unit(login, admin, district_a, district_b):
    client = login(admin)
    response = client.get(reverse("user_list"), {"role": "office", "unit": district_b.office_unit.pk})
    assert [user.pk for user in response.context["users"]] == [district_b.office.pk]
    response = client.get(reverse("user_list"), {"unit": district_a.office_unit.pk, "is_active": "true"})
    assert {user.pk for user in response.context["users"]} == {district_a.office.pk, district_a.staff.pk}


def test_user_list_query_count_does_not_grow(login, district_a, django_assert_num_queries):
    client = login(district_a.office)
    district_a.staff.delete()
    one = _count_queries(client, reverse("user_list"))
    UserFactory(unit=district_a.units[1])
    UserFactory(unit=district_a.units[2])
    with django_assert_num_queries(one):
        response = client.get(reverse("user_list"))
    assert len(response.context["users"]) == 3


def test_user_create_by_office(login, district_a):
    response = login(district_a.office).post(reverse("user_create"), {
        "username": "canbo-moi", "full_name": "Cán bộ Mới", "position": "Bí thư", "unit": district_a.units[1].pk,
        "role": "staff", "email": "moi@example.org", "phone": "0900000000",
        "password1": "Mat-khau-rat-dai-9", "password2": "Mat-khau-rat-dai-9",
    })
    assert response.status_code == 302
    user = User.objects.get(username="canbo-moi")
    assert (user.unit, user.role, user.position) == (district_a.units[1], "staff", "Bí thư")
    assert user.check_password("Mat-khau-rat-dai-9") is True


def test_user_create_by_office_cannot_choose_admin(login, district_a):
    response = login(district_a.office).post(reverse("user_create"), {
        "username": "sep", "unit": district_a.office_unit.pk, "role": "admin",
        "password1": "Mat-khau-rat-dai-9", "password2": "Mat-khau-rat-dai-9",
    })
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert User.objects.filter(username="sep").count() == 0


def test_user_create_by_office_cannot_choose_another_districts_unit(login, district_a, district_b):
    response = login(district_a.office).post(reverse("user_create"), {
        "username": "la", "unit": district_b.units[0].pk, "role": "staff",
        "password1": "Mat-khau-rat-dai-9", "password2": "Mat-khau-rat-dai-9",
    })
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert User.objects.filter(username="la").count() == 0


def test_user_create_passwords_must_match(login, admin, district_a):
    response = login(admin).post(reverse("user_create"), {
        "username": "x", "unit": district_a.units[0].pk, "role": "staff",
        "password1": "Mat-khau-rat-dai-9", "password2": "Mat-khau-khac-9",
    })
    assert response.context["form"].errors["password2"] == [
        "Hai mật khẩu không khớp. Vui lòng nhập cùng một mật khẩu hai lần."]


def test_user_edit_by_office(login, district_a):
    staff = district_a.staff
    response = login(district_a.office).post(reverse("user_edit", args=[staff.pk]), {
        "full_name": "Tên Mới", "position": "Phó Bí thư", "unit": district_a.units[2].pk, "role": "staff",
        "email": "moi@example.org", "phone": "0911", "is_active": "",
    })
    assert response.status_code == 302
    staff.refresh_from_db()
    assert (staff.full_name, staff.unit, staff.is_active, staff.phone) == (
        "Tên Mới", district_a.units[2], False, "0911")
    assert AuditEntry.objects.get(action="user.update").data["is_active"] == [True, False]


def test_user_password_reset_by_admin(login, admin, district_a):
    response = login(admin).post(reverse("user_password", args=[district_a.staff.pk]), {
        "password1": "Moi-mat-khau-dai-7", "password2": "Moi-mat-khau-dai-7"})
    assert response.status_code == 302
    district_a.staff.refresh_from_db()
    assert district_a.staff.check_password("Moi-mat-khau-dai-7") is True
    assert district_a.staff.check_password(PASSWORD) is False


def test_admin_menu_lists_units_and_users(login, admin):
    body = login(admin).get(reverse("home")).content.decode()
    assert reverse("unit_list") in body
    assert reverse("user_list") in body


def test_office_menu_lists_users_but_not_units(login, district_a):
    body = login(district_a.office).get(reverse("home")).content.decode()
    assert reverse("unit_list") not in body
    assert reverse("user_list") in body


def test_unit_edit_with_itself_as_parent_shows_the_message(login, admin, district_a):
    unit = district_a.units[0]
    response = login(admin).post(reverse("unit_edit", args=[unit.pk]), {
        "code": unit.code, "name": unit.name, "level": unit.level, "parent": unit.pk, "member_count": 0})
    assert response.status_code == 200
    assert response.context["form"].errors["parent"] == [
        "Không thể chuyển một đơn vị vào chính nó hoặc vào đơn vị trực thuộc của nó. "
        f"Vui lòng chọn đơn vị cấp trên nằm ngoài “{unit.name}”."]
