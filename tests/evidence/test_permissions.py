"""Users of another unit, another cluster or another office get 403/404 on every evidence view and file URL."""

import pytest
from django.urls import reverse

from evidence.models import Evidence, EvidenceFile, LateRequest
from evidence.selectors import evidence_visible_to
from tests.factories import (
    CampaignFactory,
    EvidenceFactory,
    EvidenceFileFactory,
    OfficeUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidence(world):
    item = EvidenceFactory(period=world.period, unit=world.unit, criterion=world.criteria[0],
                           status=Evidence.Status.SUBMITTED)
    EvidenceFileFactory(evidence=item, thumbnail="thumbs/x.jpg")
    return item


def _urls(world, evidence):
    evidence_file = EvidenceFile.objects.get(evidence=evidence)
    request = LateRequest.objects.create(period=world.period, unit=world.unit, reason="x")
    return {
        "detail": ("get", reverse("evidence_detail", args=[evidence.pk])),
        "download": ("get", reverse("evidence_file_download", args=[evidence_file.pk])),
        "thumbnail": ("get", reverse("evidence_file_thumbnail", args=[evidence_file.pk])),
        "remove": ("post", reverse("evidence_file_remove", args=[evidence_file.pk])),
        "late_windows": ("get", reverse("late_windows", args=[world.campaign.pk])),
        "decide": ("post", reverse("late_request_decide", args=[request.pk])),
        "dossiers": ("get", reverse("dossier_overview", args=[world.campaign.pk])),
        "matrix": ("get", reverse("cluster_matrix", args=[world.cluster.pk, world.period.pk])),
        "remind": ("post", reverse("cluster_remind", args=[world.cluster.pk, world.period.pk])),
        "dossier_submit": ("post", reverse("dossier_submit", args=[world.cluster.pk, world.period.pk])),
    }


def test_other_cluster_unit_is_refused_everywhere(world, evidence, login):
    client = login(world.other_staff)
    results = {name: getattr(client, method)(url).status_code for name, (method, url) in _urls(world, evidence).items()}
    assert results == {
        "detail": 404, "download": 404, "thumbnail": 404, "remove": 404, "late_windows": 403, "decide": 404,
        "dossiers": 403, "matrix": 404, "remind": 404, "dossier_submit": 404,
    }
    assert EvidenceFile.objects.count() == 1


def test_member_of_the_same_cluster_does_not_see_another_members_evidence(world, login):
    # The leader's own evidence is not visible to a plain member unit.
    item = EvidenceFactory(period=world.period, unit=world.leader_unit, criterion=world.criteria[0])
    evidence_file = EvidenceFileFactory(evidence=item)
    client = login(world.staff)
    assert client.get(reverse("evidence_detail", args=[item.pk])).status_code == 404
    assert client.get(reverse("evidence_file_download", args=[evidence_file.pk])).status_code == 404
    assert client.post(reverse("evidence_file_remove", args=[evidence_file.pk])).status_code == 404


def test_leader_may_read_but_not_remove_member_files(world, evidence, login):
    client = login(world.leader)
    evidence_file = EvidenceFile.objects.get()
    assert client.get(reverse("evidence_file_download", args=[evidence_file.pk])).status_code == 200
    assert client.post(reverse("evidence_file_remove", args=[evidence_file.pk])).status_code == 403
    assert EvidenceFile.objects.count() == 1


def test_office_of_another_district_sees_nothing(world, evidence, login):
    stranger = OfficeUserFactory()
    CampaignFactory(issuing_unit=stranger.unit)
    client = login(stranger)
    results = {name: getattr(client, method)(url).status_code for name, (method, url) in _urls(world, evidence).items()}
    assert results == {
        "detail": 404, "download": 404, "thumbnail": 404, "remove": 404, "late_windows": 404, "decide": 404,
        "dossiers": 404, "matrix": 404, "remind": 404, "dossier_submit": 404,
    }


def test_unit_pages_are_404_for_non_members(world, login):
    outsider = UserFactory()
    client = login(outsider)
    assert client.get(reverse("evidence_period", args=[world.period.pk])).status_code == 404
    assert client.get(reverse("evidence_edit", args=[world.period.pk, world.criteria[0].pk])).status_code == 404
    assert client.post(reverse("late_request_create", args=[world.period.pk]), {"reason": "x"}).status_code == 404
    assert client.get(reverse("evidence_campaign", args=[world.campaign.pk])).status_code == 404
    assert client.get(reverse("cluster_matrix_campaign", args=[world.campaign.pk])).status_code == 404


def test_office_user_cannot_edit_a_units_evidence(world, login):
    client = login(world.office)
    assert client.get(reverse("evidence_edit", args=[world.period.pk, world.criteria[0].pk])).status_code == 404


def test_criterion_of_another_campaign_is_404(world, login):
    from tests.factories import CriterionFactory

    foreign = CriterionFactory()
    response = login(world.staff).get(reverse("evidence_edit", args=[world.period.pk, foreign.pk]))
    assert response.status_code == 404


def test_anonymous_is_sent_to_login(world, evidence, client):
    for _, (method, url) in _urls(world, evidence).items():
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_evidence_visible_to_by_role(world, evidence):
    leader_own = EvidenceFactory(period=world.period, unit=world.leader_unit, criterion=world.criteria[1])
    other = EvidenceFactory(period=world.period, unit=world.other_unit, criterion=world.criteria[1])
    assert set(evidence_visible_to(world.staff)) == {evidence}
    assert set(evidence_visible_to(world.leader)) == {evidence, leader_own}
    assert set(evidence_visible_to(world.other_staff)) == {other}
    assert set(evidence_visible_to(world.office)) == {evidence, leader_own, other}
    follower = OfficeUserFactory()
    world.other_cluster.follower = follower
    world.other_cluster.save(update_fields=["follower"])
    assert set(evidence_visible_to(follower)) == {other}
