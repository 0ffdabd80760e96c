"""Writes for awards: forms, rules, decisions and their awards, certificate jobs.

Every function is keyword-only, runs in one transaction and leaves an audit
entry. An issued decision is immutable: the functions here refuse, and a
PostgreSQL trigger refuses too (migration 0003).
"""

import base64
import logging
import secrets
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Unit, User
from campaigns.models import Campaign, Cluster, Period
from core.audit import audit_record, changes_between
from core.models import Job

from .models import Award, AwardDecision, AwardForm, AwardRule, BaseSalary, CertificateTemplate
from .proposals import award_proposals, standing_label
from .selectors import base_salary_on, year_is_frozen

CERTIFICATE_JOB_KIND = "award_certificates"
logger = logging.getLogger(__name__)


def verification_code_new() -> str:
    """10 characters of base32 (50 random bits): short enough to type, impossible to guess in practice."""
    return base64.b32encode(secrets.token_bytes(7)).decode()[:10]


def award_amount(*, award_form: AwardForm, on: date) -> int:
    """The prize of a form on a date: its coefficient × the base salary then in force, else its amount."""
    if award_form.base_salary_coefficient is None:
        return award_form.amount
    base = base_salary_on(on)
    if base is None:
        raise ValidationError(
            _("No base salary is in force on %(date)s for “%(form)s”. Add the base salary setting first.")
            % {"date": on.strftime("%d/%m/%Y"), "form": award_form.name}
        )
    return int((award_form.base_salary_coefficient * Decimal(base.amount)).quantize(Decimal("1"), ROUND_HALF_UP))


# ---- award forms, base salaries, templates, rules -------------------------------------------

def _fields(obj) -> dict:
    return model_to_dict(obj)


@transaction.atomic
def award_form_save(*, award_form: AwardForm, user: User) -> AwardForm:
    """Create or update an award form (from a bound ModelForm's unsaved instance)."""
    old = _fields(AwardForm.objects.get(pk=award_form.pk)) if award_form.pk else {}
    award_form.save()
    audit_record(actor=user, action="award_form.create" if not old else "award_form.update", obj=award_form,
                 data=changes_between(old, _fields(award_form)), unit=award_form.issuer_unit)
    return award_form


@transaction.atomic
def award_form_deactivate(*, award_form: AwardForm, user: User) -> AwardForm:
    """Hide an award form from new rules and decisions; decisions already using it are untouched."""
    if award_form.is_active:
        award_form.is_active = False
        award_form.save(update_fields=["is_active"])
        audit_record(actor=user, action="award_form.deactivate", obj=award_form, unit=award_form.issuer_unit)
    return award_form


@transaction.atomic
def base_salary_create(*, amount: int, effective_from: date, legal_basis: str, user: User) -> BaseSalary:
    if BaseSalary.objects.filter(effective_from=effective_from).exists():
        raise ValidationError(_("A base salary already starts on that date."))
    salary = BaseSalary.objects.create(amount=amount, effective_from=effective_from, legal_basis=legal_basis)
    audit_record(actor=user, action="base_salary.create", obj=salary,
                 data={"amount": amount, "effective_from": effective_from})
    return salary


@transaction.atomic
def certificate_template_save(*, template: CertificateTemplate, user: User) -> CertificateTemplate:
    old = _fields(CertificateTemplate.objects.get(pk=template.pk)) if template.pk else {}
    template.save()
    audit_record(actor=user, action="certificate_template.save", obj=template,
                 data=changes_between(old, _fields(template)), campaign=template.campaign)
    return template


@transaction.atomic
def award_rule_save(*, rule: AwardRule, user: User) -> AwardRule:
    old = _fields(AwardRule.objects.get(pk=rule.pk)) if rule.pk else {}
    rule.save()
    audit_record(actor=user, action="award_rule.save", obj=rule, data=changes_between(old, _fields(rule)),
                 campaign=rule.campaign)
    return rule


@transaction.atomic
def award_rule_delete(*, rule: AwardRule, user: User) -> None:
    audit_record(actor=user, action="award_rule.delete", obj=rule, data=_fields(rule), campaign=rule.campaign)
    rule.delete()


# ---- decisions ----------------------------------------------------------------------------------

def _ensure_draft(decision: AwardDecision) -> None:
    if decision.status != AwardDecision.Status.DRAFT:
        raise ValidationError(
            _("Decision %(number)s is issued and can no longer be changed. To correct it, make a correcting "
              "decision that revokes it.") % {"number": decision.number}
        )


def _lock(decision: AwardDecision) -> AwardDecision:
    return AwardDecision.objects.select_for_update().get(pk=decision.pk)


def _new_award(**fields) -> Award:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Award.objects.create(code=verification_code_new(), **fields)
        except IntegrityError as error:
            if "code" not in str(error):
                raise
    raise RuntimeError("could not draw a unique verification code")


DEFAULT_COPIES = "Như Điều 3;\nLưu VP."


@transaction.atomic
def decision_propose(
    *, campaign: Campaign, period: Period | None, issuer_unit: Unit, organisation: str, user: User
) -> AwardDecision:
    """A draft decision of one issuer, filled with the rules' proposals from the frozen standing.

    ``period`` None means the year. Refuses when the standing is not frozen.
    """
    if period is not None and period.status != Period.Status.CLOSED:
        raise ValidationError(_("%(period)s is not closed yet: its standing is not final. Close the period first.")
                              % {"period": period.name})
    if period is None and not year_is_frozen(campaign):
        raise ValidationError(_("Not every period of the campaign is closed: the year's standing is not final yet."))
    forms = AwardForm.objects.filter(issuer_unit=issuer_unit, organisation=organisation)
    first_form = forms.filter(is_active=True).first() or forms.first()
    if first_form is None:
        raise ValidationError(_("This issuer has no award form. Add an award form first."))
    label = standing_label(campaign, period)
    heading = "Đoàn" if organisation == AwardForm.Organisation.DOAN else "Hội"
    decision = AwardDecision.objects.create(
        campaign=campaign, period=period, issuer_unit=issuer_unit, organisation=organisation,
        issuer_name=first_form.issuer_name,
        title=(f"Về việc khen thưởng các tập thể có thành tích xuất sắc trong {campaign.title} "
               f"({label}, công tác {heading})"),
        place=campaign.place, signer_title=campaign.signer_title, signer_name=campaign.signer_name,
        legal_basis=campaign.legal_basis + (f"\nCăn cứ {campaign.number} về {campaign.title};" if campaign.number
                                            else ""),
        recipients_of_copies=DEFAULT_COPIES, created_by=user,
    )
    for order, proposal in enumerate(award_proposals(campaign=campaign, period=period, award_forms=forms), start=1):
        _new_award(
            decision=decision, award_form=proposal.award_form, rule=proposal.rule,
            recipient_kind=proposal.recipient_kind,
            cluster=proposal.cluster if proposal.recipient_kind == Award.RecipientKind.CLUSTER else None,
            unit_id=proposal.unit_id, recipient_name=proposal.recipient_name, reason=proposal.reason,
            standing=proposal.standing, order=order,
        )
    audit_record(actor=user, action="award_decision.propose", obj=decision, campaign=campaign,
                 unit=issuer_unit, data={"period": label, "awards": decision.awards.count()})
    return decision


DECISION_EDITABLE = ["title", "number", "date", "place", "signer_title", "signer_name", "issuer_name",
                     "legal_basis", "recipients_of_copies", "certificate_template"]


@transaction.atomic
def decision_update(*, decision: AwardDecision, user: User, **fields) -> AwardDecision:
    """Change the header of a draft decision (number, date, place, signer, …)."""
    locked = _lock(decision)
    _ensure_draft(locked)
    unknown = set(fields) - set(DECISION_EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    old = {name: getattr(locked, name) for name in fields}
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=list(fields))
    audit_record(actor=user, action="award_decision.update", obj=locked, campaign=locked.campaign,
                 data=changes_between(old, fields))
    return locked


@transaction.atomic
def decision_delete(*, decision: AwardDecision, user: User) -> None:
    """Discard a draft decision and its awards."""
    locked = _lock(decision)
    _ensure_draft(locked)
    audit_record(actor=user, action="award_decision.delete", obj=locked, campaign=locked.campaign,
                 data={"awards": locked.awards.count()})
    locked.awards.all().delete()
    locked.delete()


@transaction.atomic
def award_add(
    *, decision: AwardDecision, user: User, award_form: AwardForm, recipient_kind: str, reason: str,
    cluster: Cluster | None = None, unit: Unit | None = None, person_name: str = "", person_position: str = "",
    person_unit_name: str = "",
) -> Award:
    """Add a recipient to a draft decision: a cluster, a unit, or a person (name, position, unit)."""
    locked = _lock(decision)
    _ensure_draft(locked)
    if award_form.issuer_unit_id != locked.issuer_unit_id or award_form.organisation != locked.organisation:
        raise ValidationError(_("This award form belongs to another issuer than the decision."))
    if recipient_kind == Award.RecipientKind.CLUSTER:
        if cluster is None or cluster.campaign_id != locked.campaign_id:
            raise ValidationError(_("Choose a cluster of this campaign."))
        name = cluster.name
    elif recipient_kind == Award.RecipientKind.UNIT:
        if unit is None:
            raise ValidationError(_("Choose the unit."))
        name = unit.name
    elif recipient_kind == Award.RecipientKind.PERSON:
        if not person_name.strip():
            raise ValidationError(_("Enter the person's full name."))
        name = person_name.strip()
    else:
        raise ValidationError(_("Choose who receives the award."))
    last = locked.awards.order_by("-order").values_list("order", flat=True).first() or 0
    award = _new_award(
        decision=locked, award_form=award_form, recipient_kind=recipient_kind,
        cluster=cluster if recipient_kind == Award.RecipientKind.CLUSTER else None,
        unit=unit if recipient_kind == Award.RecipientKind.UNIT else None,
        person_name=person_name.strip(), person_position=person_position.strip(),
        person_unit_name=person_unit_name.strip(), recipient_name=name, reason=reason.strip(), order=last + 1,
    )
    audit_record(actor=user, action="award.add", obj=award, campaign=locked.campaign,
                 data={"decision": locked.pk, "recipient": name, "form": award_form.name, "reason": award.reason})
    return award


AWARD_EDITABLE = ["reason", "recipient_name", "person_position", "person_unit_name", "award_form"]


@transaction.atomic
def award_update(*, award: Award, user: User, **fields) -> Award:
    """Change the reason, the printed name or the form of an award of a draft decision."""
    decision = _lock(award.decision)
    _ensure_draft(decision)
    unknown = set(fields) - set(AWARD_EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    form = fields.get("award_form")
    if form is not None and (form.issuer_unit_id != decision.issuer_unit_id
                             or form.organisation != decision.organisation):
        raise ValidationError(_("This award form belongs to another issuer than the decision."))
    old = {name: getattr(award, name) for name in fields}
    for name, value in fields.items():
        setattr(award, name, value.strip() if isinstance(value, str) else value)
    award.save(update_fields=list(fields))
    audit_record(actor=user, action="award.update", obj=award, campaign=decision.campaign,
                 data=changes_between(old, {name: getattr(award, name) for name in fields}))
    return award


@transaction.atomic
def award_remove(*, award: Award, user: User) -> None:
    decision = _lock(award.decision)
    _ensure_draft(decision)
    audit_record(actor=user, action="award.remove", obj=award, campaign=decision.campaign,
                 data={"decision": decision.pk, "recipient": award.recipient_name, "form": award.award_form.name})
    award.delete()


@transaction.atomic
def decision_issue(
    *, decision: AwardDecision, user: User, number: str, date: date, place: str, signer_title: str,
    signer_name: str,
) -> AwardDecision:
    """Issue a draft decision: fix its number, date and signer and each award's prize; then it is immutable.

    Prizes given as a coefficient use the base salary in force on the decision date.
    """
    locked = _lock(decision)
    _ensure_draft(locked)
    number, signer_name = number.strip(), signer_name.strip()
    if not number or not signer_name or date is None:
        raise ValidationError(_("Enter the number, the date and the signer's name before issuing."))
    awards = list(locked.awards.select_related("award_form"))
    if not awards:
        raise ValidationError(_("The decision has no recipient. Add at least one award before issuing."))
    if AwardDecision.objects.filter(issuer_unit=locked.issuer_unit, number=number,
                                    status=AwardDecision.Status.ISSUED).exists():
        raise ValidationError(_("Number %(number)s is already used by an issued decision of this issuer.")
                              % {"number": number})
    if locked.revokes_id and locked.revokes.date and date < locked.revokes.date:
        raise ValidationError(_("A correcting decision cannot be dated before the decision it revokes."))
    for award in awards:
        award.amount = award_amount(award_form=award.award_form, on=date)
    Award.objects.bulk_update(awards, ["amount"])
    locked.number, locked.date, locked.place = number, date, place.strip()
    locked.signer_title, locked.signer_name = signer_title.strip(), signer_name
    locked.status, locked.issued_at, locked.issued_by = AwardDecision.Status.ISSUED, timezone.now(), user
    locked.save(update_fields=["number", "date", "place", "signer_title", "signer_name", "status", "issued_at",
                               "issued_by"])
    audit_record(
        actor=user, action="award_decision.issue", obj=locked, campaign=locked.campaign, unit=locked.issuer_unit,
        data={"number": number, "date": date, "total": sum(a.amount for a in awards), "awards": len(awards),
              "revokes": locked.revokes.number if locked.revokes_id else None},
    )
    return locked


@transaction.atomic
def decision_correct(*, decision: AwardDecision, user: User) -> AwardDecision:
    """Start a correcting decision: a draft copy of an issued decision that revokes it once issued.

    Both decisions are kept; the old one's certificates then show as revoked on the verification page.
    """
    locked = _lock(decision)
    if locked.status != AwardDecision.Status.ISSUED:
        raise ValidationError(_("Only an issued decision can be corrected; a draft can simply be edited."))
    if AwardDecision.objects.filter(revokes=locked).exists():
        raise ValidationError(_("A correcting decision for %(number)s already exists.") % {"number": locked.number})
    copy = AwardDecision.objects.create(
        campaign=locked.campaign, period=locked.period, issuer_unit=locked.issuer_unit,
        organisation=locked.organisation, issuer_name=locked.issuer_name, title=locked.title, place=locked.place,
        signer_title=locked.signer_title, signer_name=locked.signer_name,
        legal_basis=locked.legal_basis + f"\nXét Quyết định số {locked.number} ngày {locked.date:%d/%m/%Y} cần được "
                                         "điều chỉnh;",
        recipients_of_copies=locked.recipients_of_copies, certificate_template=locked.certificate_template,
        revokes=locked, created_by=user,
    )
    for award in locked.awards.all():
        _new_award(
            decision=copy, award_form=award.award_form, rule=award.rule, recipient_kind=award.recipient_kind,
            cluster=award.cluster, unit=award.unit, person_name=award.person_name,
            person_position=award.person_position, person_unit_name=award.person_unit_name,
            recipient_name=award.recipient_name, reason=award.reason, standing=award.standing, order=award.order,
        )
    audit_record(actor=user, action="award_decision.correct", obj=copy, campaign=copy.campaign,
                 data={"revokes": locked.number})
    return copy


# ---- certificates --------------------------------------------------------------------------------

@transaction.atomic
def certificates_job_start(*, decision: AwardDecision, user: User) -> Job:
    """Queue the rendering of every certificate of an issued decision (one PDF and a zip)."""
    if decision.status != AwardDecision.Status.ISSUED:
        raise ValidationError(_("Certificates are printed from an issued decision. Issue the decision first."))
    total = decision.awards.count()
    job = Job.objects.create(kind=CERTIFICATE_JOB_KIND, created_by=user, total=total,
                             params={"decision_id": decision.pk})
    audit_record(actor=user, action="award_certificates.render", obj=decision, campaign=decision.campaign,
                 data={"job": job.pk, "awards": total})
    transaction.on_commit(lambda: _enqueue_certificates(job.pk))
    return job


def _enqueue_certificates(job_id: int) -> None:
    """Queue the job; with the broker down the job row waits for the periodic sweep instead."""
    from kombu.exceptions import OperationalError

    from .tasks import render_decision_certificates

    try:
        render_decision_certificates.delay(job_id)
    except OperationalError:
        logger.warning("broker unavailable; certificate job %s left for the sweep", job_id)
