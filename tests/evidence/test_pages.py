"""List pages: query counts with 1 and 3 rows, the audit trail, the demo data."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from core.audit import audit_record
from evidence.models import DossierSubmission, Evidence, EvidenceFile
from tests.factories import CriterionFactory, EvidenceFactory, OfficeUserFactory, UnitFactory

pytestmark = pytest.mark.django_db


def _grow(world, rows):
    for criterion in world.criteria[: rows]:
        EvidenceFactory(period=world.period, unit=world.unit, criterion=criterion, status=Evidence.Status.SUBMITTED)


@pytest.mark.parametrize("rows", [1, 3])
def test_period_page_query_count(world, login, django_assert_max_num_queries, rows):
    _grow(world, rows)
    for _ in range(rows - 1):
        CriterionFactory(campaign=world.campaign)
    client = login(world.staff)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("evidence_period", args=[world.period.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 3])
def test_matrix_query_count(world, login, django_assert_max_num_queries, rows):
    _grow(world, rows)
    from tests.factories import ClusterMemberFactory

    for _ in range(rows):
        ClusterMemberFactory(cluster=world.cluster, unit=UnitFactory())
    client = login(world.leader)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("cluster_matrix", args=[world.cluster.pk, world.period.pk]))
    assert response.status_code == 200
    assert len(response.context["matrix"].rows) == 2 + rows


@pytest.mark.parametrize("rows", [1, 3])
def test_audit_trail_query_count(world, login, django_assert_max_num_queries, rows):
    for index in range(rows):
        audit_record(actor=world.office, action=f"evidence.test{index}", obj=world.period, campaign=world.campaign,
                     unit=world.unit)
    client = login(world.office)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("audit_trail"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == rows


def test_audit_trail_filters_and_scopes(world, login):
    audit_record(actor=world.office, action="evidence.submit", obj=world.period, campaign=world.campaign)
    audit_record(actor=world.office, action="evidence.reminder", obj=world.period, campaign=world.campaign)
    stranger = OfficeUserFactory()
    assert list(login(stranger).get(reverse("audit_trail")).context["page"].object_list) == []
    client = login(world.office)
    response = client.get(reverse("audit_trail"), {"action": "submit", "campaign": world.campaign.pk})
    assert [e.action for e in response.context["page"].object_list] == ["evidence.submit"]
    assert login(world.staff).get(reverse("audit_trail")).status_code == 403


def test_campaign_page_shows_evidence_links_by_role(world, login):
    staff_page = login(world.staff).get(reverse("campaign_detail", args=[world.campaign.pk])).content.decode()
    assert reverse("evidence_campaign", args=[world.campaign.pk]) in staff_page
    assert reverse("cluster_matrix_campaign", args=[world.campaign.pk]) not in staff_page
    leader_page = login(world.leader).get(reverse("campaign_detail", args=[world.campaign.pk])).content.decode()
    assert reverse("cluster_matrix_campaign", args=[world.campaign.pk]) in leader_page
    office_page = login(world.office).get(reverse("campaign_detail", args=[world.campaign.pk])).content.decode()
    assert reverse("late_windows", args=[world.campaign.pk]) in office_page
    assert reverse("dossier_overview", args=[world.campaign.pk]) in office_page


def test_campaign_entry_redirects_to_current_period(world, login):
    response = login(world.staff).get(reverse("evidence_campaign", args=[world.campaign.pk]))
    assert response["Location"] == reverse("evidence_period", args=[world.period.pk])
    response = login(world.leader).get(reverse("cluster_matrix_campaign", args=[world.campaign.pk]))
    assert response["Location"] == reverse("cluster_matrix", args=[world.cluster.pk, world.period.pk])


def test_demo_seed_is_idempotent(db):
    call_command("seed_demo", stdout=None)
    counts = (Evidence.objects.count(), EvidenceFile.objects.count(), DossierSubmission.objects.count())
    assert counts[0] >= 10 and counts[1] >= 4
    call_command("seed_demo", stdout=None)
    assert (Evidence.objects.count(), EvidenceFile.objects.count(), DossierSubmission.objects.count()) == counts


@pytest.mark.parametrize("rows", [1, 3])
def test_late_windows_page_query_count(world, login, django_assert_max_num_queries, rows):
    from datetime import timedelta

    from django.utils import timezone

    from evidence.models import LateRequest, LateWindow

    for index in range(rows):
        unit = UnitFactory()
        LateRequest.objects.create(period=world.period, unit=unit, reason=f"lý do {index}")
        LateWindow.objects.create(period=world.period, unit=unit, reason="x", granted_by=world.office,
                                  ends_at=timezone.now() + timedelta(days=1))
    client = login(world.office)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("late_windows", args=[world.campaign.pk]))
    assert response.status_code == 200
    assert len(response.context["pending"]) == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_dossier_overview_query_count(world, login, django_assert_max_num_queries, rows):
    from django.utils import timezone

    from tests.factories import ClusterFactory

    clusters = [world.cluster] + [ClusterFactory(campaign=world.campaign) for _ in range(rows - 1)]
    for cluster in clusters:
        DossierSubmission.objects.create(cluster=cluster, period=world.period, submitted_by=world.leader,
                                         submitted_at=timezone.now(), on_time=True)
    client = login(world.office)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("dossier_overview", args=[world.campaign.pk]))
    assert response.status_code == 200
    submitted = [row for row in response.context["rows"] if row["cells"][0]["dossier"]]
    assert len(submitted) == rows
