from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from awards import services
from awards.models import Award, AwardDecision, AwardForm, CertificateTemplate
from campaigns.models import Period
from core.models import Job
from tests.awards.factories import AwardDecisionFactory, AwardFactory, AwardRuleFactory, ClusterScoreFactory
from tests.factories import (
    AdminFactory,
    AwardFormFactory,
    CampaignFactory,
    ClusterFactory,
    OfficeUnitFactory,
    OfficeUserFactory,
    PeriodFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ISSUE = {"number": "45-QĐ/ĐTN", "date": date(2024, 12, 20), "place": "Giồng Riềng",
         "signer_title": "TM. BAN THƯỜNG VỤ HUYỆN ĐOÀN / PHÓ BÍ THƯ", "signer_name": "Võ Văn An"}


def _issued(**fields):
    award = AwardFactory(**fields)
    services.decision_issue(decision=award.decision, user=OfficeUserFactory(unit=award.decision.issuer_unit),
                            **ISSUE)
    award.refresh_from_db()
    return award


# ---- public verification -------------------------------------------------------------------------

def test_verify_page_shows_a_valid_award_without_login(client):
    award = _issued(person_name="Nguyễn Văn Đức", recipient_name="Nguyễn Văn Đức")
    response = client.get(f"/verify/{award.code}")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Nguyễn Văn Đức" in body
    assert "45-QĐ/ĐTN" in body
    assert "20/12/2024" in body
    assert award.award_form.name in body
    assert award.reason not in body  # nothing beyond what the certificate shows


def test_verify_page_accepts_a_lower_case_code(client):
    award = _issued()
    assert client.get(f"/verify/{award.code.lower()}").status_code == 200


def test_verify_page_unknown_code_is_404_with_a_message(client):
    response = client.get("/verify/AAAAAAAAAA")
    assert response.status_code == 404
    assert "AAAAAAAAAA" in response.content.decode()


def test_verify_page_does_not_show_draft_awards(client):
    award = AwardFactory()
    assert client.get(f"/verify/{award.code}").status_code == 404


def test_verify_page_shows_a_revoked_award_as_revoked(client):
    award = _issued()
    user = OfficeUserFactory(unit=award.decision.issuer_unit)
    correction = services.decision_correct(decision=award.decision, user=user)
    services.decision_issue(decision=correction, user=user, **{**ISSUE, "number": "52-QĐ/ĐTN"})
    response = client.get(f"/verify/{award.code}")
    body = response.content.decode()
    assert response.status_code == 200
    assert "52-QĐ/ĐTN" in body
    assert "alert-danger" in body


# ---- award forms -------------------------------------------------------------------------------

def test_award_form_list_shows_only_forms_of_the_office_subtree(login):
    user = OfficeUserFactory()
    mine = AwardFormFactory(issuer_unit=user.unit, name="Giấy khen của tôi")
    AwardFormFactory(name="Giấy khen nơi khác")
    body = login(user).get(reverse("award_form_list")).content.decode()
    assert mine.name in body
    assert "Giấy khen nơi khác" not in body


@pytest.mark.parametrize("rows", [1, 3])
def test_award_form_list_query_count(login, django_assert_max_num_queries, rows):
    user = OfficeUserFactory()
    for _ in range(rows):
        AwardFormFactory(issuer_unit=user.unit)
    client = login(user)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("award_form_list")).status_code == 200


def test_award_form_create_edit_and_deactivate(login):
    user = OfficeUserFactory()
    client = login(user)
    response = client.post(reverse("award_form_create"), {
        "name": "Giấy khen", "issuer_unit": user.unit.pk, "issuer_name": "Ban Thường vụ Huyện đoàn",
        "organisation": "doan", "amount": "1000000", "base_salary_coefficient": "", "description": ""})
    assert response.status_code == 302
    form = AwardForm.objects.get()
    assert (form.amount, form.issuer_unit_id) == (1_000_000, user.unit.pk)
    client.post(reverse("award_form_deactivate", args=[form.pk]))
    assert AwardForm.objects.get().is_active is False


def test_award_form_views_refuse_other_units_and_staff(login):
    other = AwardFormFactory()
    office = OfficeUserFactory()
    client = login(office)
    assert client.get(reverse("award_form_edit", args=[other.pk])).status_code == 404
    assert client.post(reverse("award_form_deactivate", args=[other.pk])).status_code == 404
    staff_client = login(UserFactory())
    assert staff_client.get(reverse("award_form_list")).status_code == 403


def test_office_cannot_create_a_form_for_a_unit_outside_its_subtree(login):
    user = OfficeUserFactory()
    foreign = OfficeUnitFactory()
    login(user).post(reverse("award_form_create"), {
        "name": "Giấy khen", "issuer_unit": foreign.pk, "issuer_name": "X", "organisation": "doan",
        "amount": "1", "base_salary_coefficient": "", "description": ""})
    assert AwardForm.objects.count() == 0



def test_office_cannot_take_over_or_change_a_shared_certificate_template(login):
    """A template for every campaign (no campaign, no issuer) is the administrators': an office sees it in
    the list and its certificates use it, but may not edit it (e.g. claim it for its own unit, or switch it
    off for everyone)."""
    shared = CertificateTemplate.objects.create(name="Mẫu chung", colour="#b00000")
    office = OfficeUserFactory()
    client = login(office)
    url = reverse("certificate_template_edit", args=[shared.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, {"name": "Của huyện", "layout": "classic", "colour": "#000000",
                                 "accent_colour": "#000000", "border": "double", "issuer_unit": office.unit.pk})
    assert response.status_code == 404
    shared.refresh_from_db()
    assert (shared.name, shared.issuer_unit_id, shared.is_active) == ("Mẫu chung", None, True)
    page = client.get(reverse("certificate_template_list"))
    assert "Mẫu chung" in page.content.decode()
    assert url not in page.content.decode()
    assert login(AdminFactory()).get(url).status_code == 200


def test_an_office_cannot_create_a_shared_certificate_template(login):
    office = OfficeUserFactory()
    fields = {"name": "Mẫu của huyện", "layout": "classic", "colour": "#b00000", "accent_colour": "#d4a017",
              "border": "double", "is_active": "on"}
    response = login(office).post(reverse("certificate_template_create"), fields)
    assert response.status_code == 200
    assert "Hãy chọn phong trào hoặc đơn vị ban hành mà mẫu này dùng cho." in response.content.decode()
    assert not CertificateTemplate.objects.exists()
    response = login(office).post(reverse("certificate_template_create"), {**fields, "issuer_unit": office.unit.pk})
    assert response.status_code == 302
    assert CertificateTemplate.objects.get().issuer_unit == office.unit

# ---- campaign awards, proposals and decisions ---------------------------------------------------

def _campaign_with_standing():
    campaign = CampaignFactory()
    period = PeriodFactory(campaign=campaign, name="Quý I", status=Period.Status.CLOSED)
    cluster = ClusterFactory(campaign=campaign, name="Cụm thi đua số 1", leader_unit=UnitFactory())
    ClusterScoreFactory(period=period, cluster=cluster, score=Decimal("90"), rank=1)
    form = AwardFormFactory(issuer_unit=campaign.issuing_unit, organisation="doan")
    AwardRuleFactory(campaign=campaign, award_form=form)
    return campaign, period


def test_propose_page_creates_a_draft_and_redirects(login):
    campaign, period = _campaign_with_standing()
    client = login(OfficeUserFactory(unit=campaign.issuing_unit))
    assert client.get(reverse("campaign_awards", args=[campaign.pk])).status_code == 200
    response = client.post(reverse("decision_propose", args=[campaign.pk]),
                           {"standing": str(period.pk), "issuer": f"{campaign.issuing_unit_id}:doan"})
    decision = AwardDecision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("decision_detail", args=[decision.pk])
    assert list(decision.awards.values_list("recipient_name", flat=True)) == ["Cụm thi đua số 1"]
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("rows", [1, 3])
def test_campaign_awards_page_query_count(login, django_assert_max_num_queries, rows):
    campaign, _ = _campaign_with_standing()
    for _ in range(rows):
        AwardFactory(decision__campaign=campaign)
    client = login(OfficeUserFactory(unit=campaign.issuing_unit))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("campaign_awards", args=[campaign.pk])).status_code == 200


def test_decision_issue_view_then_edits_are_refused(login):
    award = AwardFactory()
    decision = award.decision
    client = login(OfficeUserFactory(unit=decision.issuer_unit))
    client.post(reverse("decision_issue", args=[decision.pk]), {**ISSUE, "date": "2024-12-20"})
    assert AwardDecision.objects.get(pk=decision.pk).status == "issued"
    client.post(reverse("award_remove", args=[award.pk]))
    client.post(reverse("award_edit", args=[award.pk]), {"reason": "khác", "award_form": award.award_form_id,
                                                         "recipient_name": "x"})
    assert Award.objects.get(pk=award.pk).reason == award.reason


def test_decision_and_certificate_pdfs_render_for_the_office(login):
    award = _issued()
    client = login(OfficeUserFactory(unit=award.decision.issuer_unit))
    response = client.get(reverse("award_certificate", args=[award.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    response = client.get(reverse("decision_document", args=[award.decision_id]))
    assert response.content.startswith(b"%PDF")


def test_views_with_ids_are_404_for_another_unit_office_and_staff(login):
    award = _issued()
    decision = award.decision
    rule = AwardRuleFactory(campaign=decision.campaign)
    job = Job.objects.create(kind="award_certificates", params={"decision_id": decision.pk}, total=1)
    outsider = OfficeUserFactory()
    staff = UserFactory(unit=decision.issuer_unit)
    gets = [
        reverse("campaign_awards", args=[decision.campaign_id]),
        reverse("award_rule_edit", args=[decision.campaign_id, rule.pk]),
        reverse("decision_detail", args=[decision.pk]),
        reverse("decision_edit", args=[decision.pk]),
        reverse("decision_document", args=[decision.pk]),
        reverse("award_edit", args=[award.pk]),
        reverse("award_certificate", args=[award.pk]),
        reverse("certificate_job", args=[job.pk]),
        reverse("certificate_job_status", args=[job.pk]),
        reverse("certificate_job_download", args=[job.pk, "pdf"]),
    ]
    posts = [
        reverse("award_rule_delete", args=[rule.pk]),
        reverse("decision_propose", args=[decision.campaign_id]),
        reverse("decision_issue", args=[decision.pk]),
        reverse("decision_correct", args=[decision.pk]),
        reverse("decision_delete", args=[decision.pk]),
        reverse("award_add", args=[decision.pk]),
        reverse("award_remove", args=[award.pk]),
        reverse("certificates_start", args=[decision.pk]),
    ]
    for user in (outsider, staff):
        client = login(user)
        for url in gets:
            assert client.get(url).status_code == 404, url
        for url in posts:
            assert client.post(url).status_code == 404, url
    assert AwardDecision.objects.count() == 1
    assert Job.objects.count() == 1


def test_certificate_job_status_partial_polls_until_done(login):
    award = _issued()
    job = Job.objects.create(kind="award_certificates", params={"decision_id": award.decision_id}, total=4, done=1,
                             status="running")
    client = login(OfficeUserFactory(unit=award.decision.issuer_unit))
    body = client.get(reverse("certificate_job_status", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1500ms"' in body
    assert "25%" in body
    Job.objects.filter(pk=job.pk).update(status="done", done=4)
    body = client.get(reverse("certificate_job_status", args=[job.pk])).content.decode()
    assert "hx-trigger" not in body
    assert reverse("certificate_job_download", args=[job.pk, "zip"]) in body


def test_draft_decision_page_offers_editing(login):
    decision = AwardDecisionFactory()
    AwardFactory(decision=decision)
    client = login(OfficeUserFactory(unit=decision.issuer_unit))
    body = client.get(reverse("decision_detail", args=[decision.pk])).content.decode()
    assert reverse("decision_issue", args=[decision.pk]) in body
    assert reverse("award_add", args=[decision.pk]) in body


def test_base_salary_page_admin_adds_office_reads(login):
    from tests.factories import AdminFactory

    admin_client = login(AdminFactory())
    admin_client.post(reverse("base_salary_list"), {"amount": "2340000", "effective_from": "2024-07-01",
                                                    "legal_basis": "Nghị định 73/2024/NĐ-CP"})
    office_client = login(OfficeUserFactory())
    body = office_client.get(reverse("base_salary_list")).content.decode()
    assert "2.340.000 đ" in body
    assert office_client.post(reverse("base_salary_list"), {"amount": "1", "effective_from": "2025-01-01"}
                              ).status_code == 403


@pytest.mark.parametrize("rows", [1, 3])
def test_decision_detail_query_count(login, django_assert_max_num_queries, rows):
    decision = AwardDecisionFactory()
    form = AwardFormFactory(issuer_unit=decision.issuer_unit)
    for _ in range(rows):
        AwardFactory(decision=decision, award_form=form)
    client = login(OfficeUserFactory(unit=decision.issuer_unit))
    with django_assert_max_num_queries(16):
        assert client.get(reverse("decision_detail", args=[decision.pk])).status_code == 200
