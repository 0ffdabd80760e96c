from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from awards import services
from awards.models import Award, AwardDecision, AwardForm
from awards.selectors import campaign_prize_total
from campaigns.models import Period
from core.models import AuditEntry
from tests.awards.factories import (
    AwardDecisionFactory,
    AwardFactory,
    AwardRuleFactory,
    BaseSalaryFactory,
    ClusterScoreFactory,
)
from tests.factories import (
    AwardFormFactory,
    CampaignFactory,
    ClusterFactory,
    OfficeUserFactory,
    PeriodFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

ISSUE = {"number": "45-QĐ/ĐTN", "date": date(2024, 12, 20), "place": "Giồng Riềng",
         "signer_title": "TM. BAN THƯỜNG VỤ HUYỆN ĐOÀN / PHÓ BÍ THƯ", "signer_name": "Võ Văn An"}


def _office(campaign):
    return OfficeUserFactory(unit=campaign.issuing_unit)


def test_verification_code_is_ten_base32_characters_and_unique_enough():
    codes = {services.verification_code_new() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(code) == 10 and set(code) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for code in codes)


def test_propose_creates_a_draft_with_the_rules_suggestions_and_an_audit_entry():
    campaign = CampaignFactory(place="Giồng Riềng")
    period = PeriodFactory(campaign=campaign, name="Quý I", status=Period.Status.CLOSED)
    leader = UnitFactory(name="Đoàn xã Bàn Tân Định")
    cluster = ClusterFactory(campaign=campaign, name="Cụm thi đua số 1", leader_unit=leader)
    ClusterScoreFactory(period=period, cluster=cluster, score=Decimal("92"), rank=1)
    form = AwardFormFactory(issuer_unit=campaign.issuing_unit, organisation="doan", amount=1_000_000)
    AwardRuleFactory(campaign=campaign, award_form=form, reason_template="Dẫn đầu {standing}")
    AwardRuleFactory(campaign=campaign, award_form=form, recipient_kind="cluster_leader_unit",
                     reason_template="Cụm trưởng xuất sắc")
    hoi_form = AwardFormFactory(issuer_unit=campaign.issuing_unit, organisation="hoi")
    AwardRuleFactory(campaign=campaign, award_form=hoi_form)
    user = _office(campaign)

    decision = services.decision_propose(campaign=campaign, period=period, issuer_unit=campaign.issuing_unit,
                                         organisation="doan", user=user)

    assert decision.status == AwardDecision.Status.DRAFT
    assert decision.place == "Giồng Riềng"
    assert [(a.recipient_kind, a.recipient_name, a.cluster_id, a.unit_id, a.reason) for a in decision.awards.all()] == [
        ("cluster", "Cụm thi đua số 1", cluster.pk, None, "Dẫn đầu Quý I"),
        ("unit", "Đoàn xã Bàn Tân Định", None, leader.pk, "Cụm trưởng xuất sắc"),
    ]
    assert AuditEntry.objects.filter(action="award_decision.propose", object_id=str(decision.pk)).count() == 1


def test_propose_refuses_an_open_period():
    campaign = CampaignFactory()
    period = PeriodFactory(campaign=campaign, status=Period.Status.OPEN)
    AwardFormFactory(issuer_unit=campaign.issuing_unit)
    with pytest.raises(ValidationError):
        services.decision_propose(campaign=campaign, period=period, issuer_unit=campaign.issuing_unit,
                                  organisation="doan", user=_office(campaign))
    assert AwardDecision.objects.count() == 0


def test_office_edits_a_draft_add_person_change_reason_remove():
    award = AwardFactory(recipient_kind="cluster", cluster=ClusterFactory(), person_name="",
                         recipient_name="Cụm thi đua số 9")
    decision = award.decision
    user = _office(decision.campaign)
    person = services.award_add(decision=decision, user=user, award_form=award.award_form, recipient_kind="person",
                                reason="Cụm trưởng tích cực", person_name="Phạm Thị Thu", person_position="Bí thư",
                                person_unit_name="Đoàn xã Thạnh Hưng")
    services.award_update(award=award, user=user, reason="Lý do mới")
    services.award_remove(award=award, user=user)

    assert [(a.recipient_name, a.person_position, a.person_unit_name) for a in decision.awards.all()] == [
        ("Phạm Thị Thu", "Bí thư", "Đoàn xã Thạnh Hưng"),
    ]
    assert person.code and len(person.code) == 10
    assert list(AuditEntry.objects.filter(action__startswith="award.").order_by("id")
                .values_list("action", flat=True)) == ["award.add", "award.update", "award.remove"]


def test_award_add_refuses_a_form_of_another_issuer():
    decision = AwardDecisionFactory()
    other_form = AwardFormFactory()
    with pytest.raises(ValidationError):
        services.award_add(decision=decision, user=_office(decision.campaign), award_form=other_form,
                           recipient_kind="person", reason="x", person_name="A")


def test_issue_fixes_amounts_with_the_base_salary_in_force_on_the_decision_date():
    BaseSalaryFactory(amount=1_800_000, effective_from=date(2023, 7, 1))
    BaseSalaryFactory(amount=2_340_000, effective_from=date(2024, 7, 1))
    decision = AwardDecisionFactory()
    coefficient_form = AwardFormFactory(issuer_unit=decision.issuer_unit, amount=0,
                                        base_salary_coefficient=Decimal("0.3"))
    AwardFactory(decision=decision, award_form=coefficient_form)
    AwardFactory(decision=decision, award_form__amount=500_000)

    issued = services.decision_issue(decision=decision, user=_office(decision.campaign), **ISSUE)

    assert list(issued.awards.values_list("amount", flat=True)) == [702_000, 500_000]
    assert campaign_prize_total(decision.campaign) == 1_202_000


def test_issue_refuses_a_coefficient_without_base_salary_and_changes_nothing():
    decision = AwardDecisionFactory()
    form = AwardFormFactory(issuer_unit=decision.issuer_unit, base_salary_coefficient=Decimal("0.5"))
    AwardFactory(decision=decision, award_form=form)
    with pytest.raises(ValidationError):
        services.decision_issue(decision=decision, user=_office(decision.campaign), **ISSUE)
    decision.refresh_from_db()
    assert decision.status == AwardDecision.Status.DRAFT
    assert decision.number == ""


def test_issue_refuses_an_empty_decision_and_a_reused_number():
    empty = AwardDecisionFactory()
    with pytest.raises(ValidationError):
        services.decision_issue(decision=empty, user=_office(empty.campaign), **ISSUE)
    first = AwardFactory().decision
    services.decision_issue(decision=first, user=_office(first.campaign), **ISSUE)
    second = AwardFactory(decision__campaign=first.campaign).decision
    with pytest.raises(ValidationError):
        services.decision_issue(decision=second, user=_office(first.campaign), **ISSUE)


def test_issued_decision_is_immutable_in_the_services():
    award = AwardFactory(reason="Lý do ban đầu")
    user = _office(award.decision.campaign)
    decision = services.decision_issue(decision=award.decision, user=user, **ISSUE)
    award.refresh_from_db()
    for attempt in (
        lambda: services.award_update(award=award, user=user, reason="khác"),
        lambda: services.award_remove(award=award, user=user),
        lambda: services.award_add(decision=decision, user=user, award_form=award.award_form,
                                   recipient_kind="person", reason="x", person_name="B"),
        lambda: services.decision_update(decision=decision, user=user, number="46-QĐ/ĐTN"),
        lambda: services.decision_issue(decision=decision, user=user, **ISSUE),
        lambda: services.decision_delete(decision=decision, user=user),
    ):
        with pytest.raises(ValidationError):
            attempt()
    award.refresh_from_db()
    assert award.reason == "Lý do ban đầu"
    assert Award.objects.filter(decision=decision).count() == 1


def test_issued_decision_is_immutable_in_the_database():
    award = AwardFactory()
    decision = services.decision_issue(decision=award.decision, user=_office(award.decision.campaign), **ISSUE)
    with pytest.raises(DatabaseError), transaction.atomic():
        AwardDecision.objects.filter(pk=decision.pk).update(number="99-QĐ/ĐTN")
    with pytest.raises(DatabaseError), transaction.atomic():
        Award.objects.filter(pk=award.pk).update(reason="sửa lén")
    with pytest.raises(DatabaseError), transaction.atomic():
        Award.objects.filter(pk=award.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        Award.objects.create(decision=decision, award_form=award.award_form, recipient_kind="person",
                             person_name="C", recipient_name="C", reason="x", code="ZZZZZZZZZZ")
    assert AwardDecision.objects.get(pk=decision.pk).number == "45-QĐ/ĐTN"


def test_correction_revokes_the_old_decision_and_both_are_kept():
    award = AwardFactory(award_form__amount=1_000_000)
    user = _office(award.decision.campaign)
    old = services.decision_issue(decision=award.decision, user=user, **ISSUE)
    correction = services.decision_correct(decision=old, user=user)
    assert correction.revokes_id == old.pk
    assert correction.status == AwardDecision.Status.DRAFT
    with pytest.raises(ValidationError):
        services.decision_correct(decision=old, user=user)
    fixed = correction.awards.get()
    services.award_update(award=fixed, user=user, reason="Lý do đã sửa")
    assert fixed.code != award.code
    assert campaign_prize_total(old.campaign) == 1_000_000  # the draft correction revokes nothing yet

    services.decision_issue(decision=correction, user=user, **{**ISSUE, "number": "52-QĐ/ĐTN"})

    assert AwardDecision.objects.filter(pk__in=[old.pk, correction.pk], status="issued").count() == 2
    assert old.revoked_by.number == "52-QĐ/ĐTN"
    assert campaign_prize_total(old.campaign) == 1_000_000  # only the correction counts
    assert AuditEntry.objects.filter(action="award_decision.issue").count() == 2


def test_award_form_deactivate_is_audited_and_keeps_the_form():
    form = AwardFormFactory()
    user = OfficeUserFactory(unit=form.issuer_unit)
    services.award_form_deactivate(award_form=form, user=user)
    assert AwardForm.objects.get(pk=form.pk).is_active is False
    assert AuditEntry.objects.filter(action="award_form.deactivate").count() == 1
