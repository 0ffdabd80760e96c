"""Award pages: award forms, base salaries, certificate templates, rules, proposals, decisions,
certificates, the batch job and the public verification page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import Unit
from campaigns.selectors import campaigns_managed_by

from . import services
from .forms import (
    AwardAddForm,
    AwardEditForm,
    AwardFormForm,
    AwardRuleForm,
    BaseSalaryForm,
    CertificateTemplateForm,
    DecisionForm,
    IssueForm,
    ProposeForm,
)
from .models import Award, AwardDecision, AwardRule, BaseSalary
from .selectors import (
    award_by_code,
    award_forms_managed_by,
    awards_managed_by,
    base_salary_on,
    campaign_prize_total,
    certificate_jobs_of,
    certificate_templates_editable_by,
    certificate_templates_managed_by,
    decisions_managed_by,
    rules_managed_by,
    year_is_frozen,
)


def _require_office(user) -> None:
    if not (user.is_admin or user.is_office):
        raise PermissionDenied


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# ---- award forms --------------------------------------------------------------------------------

@login_required
def award_form_list(request: HttpRequest) -> HttpResponse:
    _require_office(request.user)
    forms = award_forms_managed_by(request.user).select_related("issuer_unit")
    return render(request, "awards/awardform_list.html", {"award_forms": forms, "today_base": None})


@login_required
def award_form_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_office(request.user)
    instance = get_object_or_404(award_forms_managed_by(request.user), pk=pk) if pk else None
    form = AwardFormForm(request.POST or None, instance=instance, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.award_form_save(award_form=form.save(commit=False), user=request.user)
        messages.success(request, _("The award form was saved."))
        return redirect("award_form_list")
    return render(request, "awards/awardform_form.html", {"form": form, "award_form": instance})


@login_required
@require_POST
def award_form_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    _require_office(request.user)
    award_form = get_object_or_404(award_forms_managed_by(request.user), pk=pk)
    services.award_form_deactivate(award_form=award_form, user=request.user)
    messages.success(request, _("“%(name)s” is no longer offered for new awards.") % {"name": award_form.name})
    return redirect("award_form_list")


# ---- base salaries and certificate templates ------------------------------------------------------

@login_required
def base_salary_list(request: HttpRequest) -> HttpResponse:
    _require_office(request.user)
    form = BaseSalaryForm(request.POST or None) if request.user.is_admin else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.base_salary_create(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                _errors(request, error)
            else:
                messages.success(request, _("The base salary was added."))
                return redirect("base_salary_list")
    return render(request, "awards/basesalary_list.html", {"salaries": BaseSalary.objects.all(), "form": form})


@login_required
def certificate_template_list(request: HttpRequest) -> HttpResponse:
    _require_office(request.user)
    templates = certificate_templates_managed_by(request.user).select_related("campaign", "issuer_unit")
    editable_ids = set(certificate_templates_editable_by(request.user).values_list("pk", flat=True))
    return render(request, "awards/certificatetemplate_list.html",
                  {"templates": templates, "editable_ids": editable_ids})


@login_required
def certificate_template_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_office(request.user)
    instance = get_object_or_404(certificate_templates_editable_by(request.user), pk=pk) if pk else None
    form = CertificateTemplateForm(request.POST or None, instance=instance, user=request.user,
                                   campaigns=campaigns_managed_by(request.user))
    if request.method == "POST" and form.is_valid():
        template = form.save(commit=False)
        if not request.user.is_admin and template.campaign_id is None and template.issuer_unit_id is None:
            form.add_error("issuer_unit", _("Choose a campaign or an issuing unit; shared templates are set by "
                                            "administrators."))
        else:
            services.certificate_template_save(template=template, user=request.user)
            messages.success(request, _("The certificate template was saved."))
            return redirect("certificate_template_list")
    return render(request, "awards/certificatetemplate_form.html", {"form": form, "template_obj": instance})


# ---- a campaign's awards: rules, proposals, decisions -----------------------------------------------

def _issuers(user) -> list[tuple[str, str]]:
    """The issuers (unit and Đoàn/Hội) of the active award forms the user may use, as form choices."""
    seen = {}
    for form in award_forms_managed_by(user).filter(is_active=True):
        seen.setdefault(f"{form.issuer_unit_id}:{form.organisation}",
                        f"{form.issuer_name} ({form.get_organisation_display()})")
    return list(seen.items())


@login_required
def campaign_awards(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_object_or_404(campaigns_managed_by(request.user), pk=campaign_id)
    closed = campaign.periods.filter(status="closed")
    propose = ProposeForm(periods=closed, year_frozen=year_is_frozen(campaign), issuers=_issuers(request.user))
    decisions = (
        campaign.award_decisions.select_related("revokes", "revoked_by", "period")
        .annotate(award_count=Count("awards"), total=Sum("awards__amount"))
        .order_by("-created_at")
    )
    context = {
        "campaign": campaign,
        "rules": campaign.award_rules.select_related("award_form"),
        "decisions": decisions,
        "propose": propose,
        "can_propose": bool(propose.fields["standing"].choices and propose.fields["issuer"].choices),
        "prize_total": campaign_prize_total(campaign),
    }
    return render(request, "awards/campaign_awards.html", context)


@login_required
def award_rule_edit(request: HttpRequest, campaign_id: int, pk: int | None = None) -> HttpResponse:
    campaign = get_object_or_404(campaigns_managed_by(request.user), pk=campaign_id)
    rule = get_object_or_404(rules_managed_by(request.user), pk=pk, campaign=campaign) if pk else \
        AwardRule(campaign=campaign)
    form = AwardRuleForm(request.POST or None, instance=rule,
                         award_forms=award_forms_managed_by(request.user).filter(is_active=True))
    if request.method == "POST" and form.is_valid():
        services.award_rule_save(rule=form.save(commit=False), user=request.user)
        messages.success(request, _("The award rule was saved."))
        return redirect("campaign_awards", campaign_id=campaign.pk)
    return render(request, "awards/awardrule_form.html", {"form": form, "campaign": campaign, "rule": rule})


@login_required
@require_POST
def award_rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(rules_managed_by(request.user), pk=pk)
    campaign_id = rule.campaign_id
    services.award_rule_delete(rule=rule, user=request.user)
    messages.success(request, _("The award rule was deleted."))
    return redirect("campaign_awards", campaign_id=campaign_id)


@login_required
@require_POST
def decision_propose(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_object_or_404(campaigns_managed_by(request.user), pk=campaign_id)
    form = ProposeForm(request.POST, periods=campaign.periods.filter(status="closed"),
                       year_frozen=year_is_frozen(campaign), issuers=_issuers(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose a closed period (or the year) and an issuer."))
        return redirect("campaign_awards", campaign_id=campaign.pk)
    standing = form.cleaned_data["standing"]
    period = None if standing == "year" else campaign.periods.get(pk=int(standing))
    unit_id, organisation = form.cleaned_data["issuer"].split(":")
    try:
        decision = services.decision_propose(campaign=campaign, period=period,
                                             issuer_unit=Unit.objects.get(pk=int(unit_id)),
                                             organisation=organisation, user=request.user)
    except ValidationError as error:
        _errors(request, error)
        return redirect("campaign_awards", campaign_id=campaign.pk)
    messages.success(request, _("A draft decision was prepared with %(count)s proposed awards. Check it, then "
                                "issue it.") % {"count": decision.awards.count()})
    return redirect("decision_detail", pk=decision.pk)


# ---- decisions ------------------------------------------------------------------------------------

def _decision(request, pk) -> AwardDecision:
    return get_object_or_404(
        decisions_managed_by(request.user).select_related("campaign", "period", "revokes", "issuer_unit"), pk=pk
    )


@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    awards = list(decision.awards.select_related("award_form", "cluster", "unit"))
    if not decision.is_issued:
        day = decision.date or decision.created_at.date()
        for award in awards:
            try:
                award.amount = services.award_amount(award_form=award.award_form, on=day)
            except ValidationError:
                award.amount = None
    context = {
        "decision": decision,
        "awards": awards,
        "total": sum(a.amount or 0 for a in awards),
        "revoked_by": AwardDecision.objects.filter(revokes=decision).first(),
        "add_form": None if decision.is_issued else AwardAddForm(decision=decision, user=request.user),
        "issue_form": None if decision.is_issued else IssueForm(initial={
            "number": decision.number, "date": decision.date, "place": decision.place,
            "signer_title": decision.signer_title, "signer_name": decision.signer_name}),
        "jobs": certificate_jobs_of(request.user).filter(params__decision_id=decision.pk)[:5],
        "base_salary": base_salary_on(decision.date or decision.created_at.date()),
    }
    return render(request, "awards/awarddecision_detail.html", context)


@login_required
def decision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    if decision.is_issued:
        messages.error(request, _("An issued decision cannot be changed. Make a correcting decision instead."))
        return redirect("decision_detail", pk=decision.pk)
    form = DecisionForm(request.POST or None, instance=decision,
                        templates=certificate_templates_managed_by(request.user).filter(is_active=True))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.decision_update(decision=AwardDecision.objects.get(pk=decision.pk), user=request.user, **fields)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("The decision was saved."))
        return redirect("decision_detail", pk=decision.pk)
    return render(request, "awards/awarddecision_form.html", {"form": form, "decision": decision})


@login_required
@require_POST
def decision_delete(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    try:
        services.decision_delete(decision=decision, user=request.user)
    except ValidationError as error:
        _errors(request, error)
        return redirect("decision_detail", pk=decision.pk)
    messages.success(request, _("The draft decision was deleted."))
    return redirect("campaign_awards", campaign_id=decision.campaign_id)


@login_required
@require_POST
def decision_issue(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    form = IssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the number, date, place and signer to issue the decision."))
        return redirect("decision_detail", pk=decision.pk)
    try:
        services.decision_issue(decision=decision, user=request.user, **form.cleaned_data)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("Decision %(number)s was issued.") % {"number": form.cleaned_data["number"]})
    return redirect("decision_detail", pk=decision.pk)


@login_required
@require_POST
def decision_correct(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    try:
        correction = services.decision_correct(decision=decision, user=request.user)
    except ValidationError as error:
        _errors(request, error)
        return redirect("decision_detail", pk=decision.pk)
    messages.success(request, _("A correcting decision was drafted. When it is issued, it revokes %(number)s.")
                     % {"number": decision.number})
    return redirect("decision_detail", pk=correction.pk)


@login_required
def decision_document(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    from .documents import decision_pdf  # WeasyPrint (~40 MB) is loaded only where a PDF is drawn

    response = HttpResponse(decision_pdf(decision), content_type="application/pdf")
    name = (decision.number or f"du-thao-{decision.pk}").replace("/", "-")
    response["Content-Disposition"] = f'inline; filename="quyet-dinh-{name}.pdf"'
    return response


@login_required
@require_POST
def award_add(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    form = AwardAddForm(request.POST, decision=decision, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("decision_detail", pk=decision.pk)
    try:
        services.award_add(decision=decision, user=request.user, **form.cleaned_data)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("The recipient was added."))
    return redirect("decision_detail", pk=decision.pk)


def _award(request, pk) -> Award:
    return get_object_or_404(awards_managed_by(request.user).select_related("decision", "award_form"), pk=pk)


@login_required
def award_edit(request: HttpRequest, pk: int) -> HttpResponse:
    award = _award(request, pk)
    if award.decision.is_issued:
        messages.error(request, _("An issued decision cannot be changed. Make a correcting decision instead."))
        return redirect("decision_detail", pk=award.decision_id)
    form = AwardEditForm(request.POST or None, instance=Award.objects.get(pk=award.pk))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.award_update(award=award, user=request.user, **fields)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("The award was saved."))
        return redirect("decision_detail", pk=award.decision_id)
    return render(request, "awards/award_form.html", {"form": form, "award": award})


@login_required
@require_POST
def award_remove(request: HttpRequest, pk: int) -> HttpResponse:
    award = _award(request, pk)
    try:
        services.award_remove(award=award, user=request.user)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("The recipient was removed."))
    return redirect("decision_detail", pk=award.decision_id)


@login_required
def award_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """One certificate, rendered on request (a draft's certificate is a preview marked by its draft state)."""
    award = _award(request, pk)
    from .documents import certificate_pdf  # WeasyPrint is loaded only where a PDF is drawn

    response = HttpResponse(certificate_pdf(award), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="giay-khen-{award.code}.pdf"'
    return response


# ---- certificate batch job -----------------------------------------------------------------------

@login_required
@require_POST
def certificates_start(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    try:
        job = services.certificates_job_start(decision=decision, user=request.user)
    except ValidationError as error:
        _errors(request, error)
        return redirect("decision_detail", pk=decision.pk)
    return redirect("certificate_job", pk=job.pk)


@login_required
def certificate_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(certificate_jobs_of(request.user), pk=pk)
    decision = AwardDecision.objects.get(pk=job.params["decision_id"])
    return render(request, "awards/job_detail.html", {"job": job, "decision": decision})


@login_required
@never_cache
def certificate_job_status(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(certificate_jobs_of(request.user), pk=pk)
    return render(request, "awards/_job_status.html", {"job": job})


@login_required
def certificate_job_download(request: HttpRequest, pk: int, which: str) -> FileResponse:
    job = get_object_or_404(certificate_jobs_of(request.user), pk=pk)
    if job.status != job.Status.DONE or which not in ("pdf", "zip"):
        raise Http404
    field, name = (job.output, job.output_name) if which == "pdf" else (job.extra_output, job.extra_output_name)
    return FileResponse(field.open("rb"), as_attachment=True, filename=name)


# ---- public verification --------------------------------------------------------------------------

@never_cache
def award_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public (no login): is this printed certificate genuine? Shows only what the certificate itself shows."""
    award = award_by_code(code) if len(code) <= 16 else None
    if award is None:
        return render(request, "awards/award_verify.html", {"code": code[:16]}, status=404)
    revoked_by = AwardDecision.objects.filter(revokes=award.decision, status=AwardDecision.Status.ISSUED).first()
    return render(request, "awards/award_verify.html", {"award": award, "revoked_by": revoked_by})
