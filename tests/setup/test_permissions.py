"""Every set-up view that takes an id: a unit's staff, an office of another district and an anonymous
visitor are all turned away, and nothing changes."""

import pytest
from django.urls import reverse

from core.models import AuditEntry
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db

# (url name, HTTP method, object of district A whose id goes in the URL, extra args)
CAMPAIGN_VIEWS = [
    ("campaign_edit", "get", "campaign", []),
    ("campaign_setup", "get", "campaign", []),
    ("campaign_status", "post", "campaign", ["close"]),
    ("period_create", "get", "campaign", []),
    ("period_create", "post", "campaign", []),
    ("period_edit", "get", "period", []),
    ("period_edit", "post", "period", []),
    ("period_deadline", "get", "period", []),
    ("period_deadline", "post", "period", []),
    ("period_delete", "post", "period", []),
    ("cluster_list", "get", "campaign", []),
    ("cluster_create", "get", "campaign", []),
    ("cluster_create", "post", "campaign", []),
    ("cluster_edit", "get", "cluster", []),
    ("cluster_edit", "post", "cluster", []),
    ("cluster_delete", "post", "cluster", []),
    ("criterion_list", "get", "campaign", []),
    ("criterion_create", "get", "campaign", []),
    ("criterion_create", "post", "campaign", []),
    ("criterion_edit", "get", "criterion", []),
    ("criterion_edit", "post", "criterion", []),
    ("criterion_delete", "post", "criterion", []),
    ("criterion_move", "post", "criterion", ["down"]),
]
UNIT_VIEWS = [("unit_edit", "get"), ("unit_edit", "post"), ("unit_deactivate", "post")]
USER_VIEWS = [("user_edit", "get"), ("user_edit", "post"), ("user_password", "get"), ("user_password", "post")]


def _url(district, target, name, extra):
    return reverse(name, args=[getattr(district, target).pk, *extra])


@pytest.mark.parametrize(("name", "method", "target", "extra"), CAMPAIGN_VIEWS)
def test_campaign_setup_view_is_404_for_staff_of_a_member_unit(login, district_a, name, method, target, extra):
    response = getattr(login(district_a.staff), method)(_url(district_a, target, name, extra))
    assert response.status_code == 404
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize(("name", "method", "target", "extra"), CAMPAIGN_VIEWS)
def test_campaign_setup_view_is_404_for_another_district_office(login, district_a, district_b, name, method,
                                                                target, extra):
    response = getattr(login(district_b.office), method)(_url(district_a, target, name, extra))
    assert response.status_code == 404
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize(("name", "method", "target", "extra"), CAMPAIGN_VIEWS)
def test_campaign_setup_view_redirects_anonymous_to_login(client, district_a, name, method, target, extra):
    response = getattr(client, method)(_url(district_a, target, name, extra))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_campaign_detail_is_404_for_another_district(login, district_a, district_b):
    assert login(district_b.office).get(reverse("campaign_detail", args=[district_a.campaign.pk])).status_code == 404


def test_campaign_detail_is_404_for_staff_of_another_district(login, district_a, district_b):
    assert login(district_b.staff).get(reverse("campaign_detail", args=[district_a.campaign.pk])).status_code == 404


@pytest.mark.parametrize(("name", "method"), UNIT_VIEWS)
def test_unit_view_is_403_for_staff(login, district_a, name, method):
    response = getattr(login(district_a.staff), method)(reverse(name, args=[district_a.units[0].pk]))
    assert response.status_code == 403
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize(("name", "method"), UNIT_VIEWS)
def test_unit_view_is_403_for_any_office(login, district_a, district_b, name, method):
    # The unit tree is the administrators' alone, even for an office's own units.
    for office in (district_a.office, district_b.office):
        response = getattr(login(office), method)(reverse(name, args=[district_a.units[0].pk]))
        assert response.status_code == 403
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize(("name", "method"), UNIT_VIEWS)
def test_unit_view_redirects_anonymous_to_login(client, district_a, name, method):
    response = getattr(client, method)(reverse(name, args=[district_a.units[0].pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "method"), USER_VIEWS)
def test_user_view_is_403_for_staff(login, district_a, name, method):
    response = getattr(login(district_a.staff), method)(reverse(name, args=[district_a.staff.pk]))
    assert response.status_code == 403
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize(("name", "method"), USER_VIEWS)
def test_user_view_is_404_for_another_district_office(login, district_a, district_b, name, method):
    response = getattr(login(district_b.office), method)(reverse(name, args=[district_a.staff.pk]))
    assert response.status_code == 404
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize(("name", "method"), USER_VIEWS)
def test_user_view_is_403_for_an_office_on_an_admin_of_its_unit(login, district_a, name, method):
    local_admin = AdminFactory(unit=district_a.office_unit)
    response = getattr(login(district_a.office), method)(reverse(name, args=[local_admin.pk]))
    assert response.status_code == 403


@pytest.mark.parametrize(("name", "method"), USER_VIEWS)
def test_user_view_redirects_anonymous_to_login(client, district_a, name, method):
    response = getattr(client, method)(reverse(name, args=[district_a.staff.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["unit_list", "unit_create"])
def test_unit_pages_are_403_for_offices(login, district_a, name):
    assert login(district_a.office).get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", ["user_list", "user_create", "campaign_create"])
def test_office_pages_are_403_for_staff(login, district_a, name):
    assert login(district_a.staff).get(reverse(name)).status_code == 403
