import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Unit, User
from campaigns.models import Campaign, Cluster, Criterion
from targets.models import Target
from tests.factories import (
    ClusterFactory,
    ClusterMemberFactory,
    OfficeUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_login_page_is_vietnamese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Đăng nhập" in body
    assert "Mật khẩu" in body
    assert '<html lang="vi">' in body


def test_home_redirects_anonymous_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_healthz_reports_database_redis_and_workers(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["database"]["engine"] == "postgresql"
    assert body["redis"]["ok"] is True
    # No worker runs for this test: the portal serves pages, the background work waits.
    assert body["workers"] == {"ok": False, "count": 0}
    assert body["status"] == "degraded"


def test_healthz_is_degraded_not_down_without_redis(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get(reverse("healthz"))
    body = response.json()
    assert (response.status_code, body["status"], body["database"]["ok"], body["redis"]["ok"]) == (
        200, "degraded", True, False)
    assert body["workers"]["error"] == "broker unreachable"


def test_livez_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("livez"))
    assert (response.status_code, response.content) == (200, b"ok")


def test_seed_demo_is_idempotent_and_holds_the_plans_facts():
    call_command("seed_demo")
    counts = (Unit.objects.count(), User.objects.count(), Campaign.objects.count(), Criterion.objects.count())
    call_command("seed_demo")
    assert (Unit.objects.count(), User.objects.count(), Campaign.objects.count(), Criterion.objects.count()) == counts
    district = Campaign.objects.get(issuing_unit__code="HD-GR")
    assert district.criteria.filter(kind=Criterion.Kind.CRITERION).count() >= 25
    assert Cluster.objects.filter(campaign=district).count() == 4
    deadlines = [timezone.localtime(p.deadline) for p in district.periods.order_by("order")]
    assert [(d.day, d.month, d.hour, d.minute, d.second) for d in deadlines[:3]] == [
        (10, 6, 23, 59, 59), (10, 9, 23, 59, 59), (10, 10, 23, 59, 59)]
    assert Unit.objects.filter(level=Unit.Level.GRASSROOTS, parent__code="HD-GR").count() == 20
    provincial = Campaign.objects.get(issuing_unit__code="TD-KG")
    assert provincial.periods.count() == 2
    assert Target.objects.get(campaign=provincial, code="3").total == 27000
    assert {u.username for u in User.objects.filter(username__in=["admin", "reviewer", "leader", "staff"])} == {
        "admin", "reviewer", "leader", "staff"}


ROLE_MARKERS = {
    "admin": "Thiết lập đơn vị, người dùng, phong trào",
    "reviewer": "Thẩm định minh chứng của các cụm bạn phụ trách",
    "leader": "Theo dõi mức độ đầy đủ và xếp hạng của cụm",
    "staff": "Tải lên minh chứng của đơn vị cho từng tiêu chí",
}


@pytest.mark.parametrize("username, marker", list(ROLE_MARKERS.items()))
def test_each_demo_account_lands_on_its_home(client, username, marker):
    call_command("seed_demo")
    assert client.login(username=username, password="thidua-demo")
    response = client.get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert marker in body
    others = set(ROLE_MARKERS.values()) - {marker}
    assert [text for text in others if text in body] == []


def test_campaign_detail_is_404_for_a_unit_outside_the_campaign(login):
    cluster = ClusterFactory()
    ClusterMemberFactory(cluster=cluster)
    outsider = UserFactory()
    response = login(outsider).get(reverse("campaign_detail", args=[cluster.campaign_id]))
    assert response.status_code == 404


def test_campaign_detail_visible_to_member_unit_staff(login):
    member = ClusterMemberFactory()
    staff = UserFactory(unit=member.unit)
    response = login(staff).get(reverse("campaign_detail", args=[member.campaign_id]))
    assert response.status_code == 200
    assert member.cluster.name in response.content.decode()


def test_office_of_another_district_cannot_see_the_campaign(login):
    member = ClusterMemberFactory()
    other_office = OfficeUserFactory()
    response = login(other_office).get(reverse("campaign_detail", args=[member.campaign_id]))
    assert response.status_code == 404


def test_office_sees_campaigns_of_units_below_it(login):
    office = OfficeUserFactory()
    member = ClusterMemberFactory(cluster__campaign__issuing_unit=office.unit)
    response = login(office).get(reverse("campaign_detail", args=[member.campaign_id]))
    assert response.status_code == 200
