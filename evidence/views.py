"""Evidence pages: the unit's list and edit pages, files, late windows, the cluster matrix and dossier,
the office's overviews and the audit trail. Each view opens with its authorisation check; every id is
looked up through a "visible to user" queryset (404 otherwise)."""

from datetime import datetime, time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Unit
from campaigns.deadlines import VIETNAM
from campaigns.models import Campaign, Period
from campaigns.rules import leads_cluster
from campaigns.selectors import (
    campaigns_managed_by,
    campaigns_visible_to,
    clusters_led_by,
    clusters_visible_to,
    current_period,
    scored_criteria,
)

from . import selectors, services
from .forms import AuditFilterForm, EvidenceForm, LateDecisionForm, LateRequestForm, LateWindowForm, ReminderForm
from .models import DossierSubmission, Evidence, LateRequest, LateWindow, Reminder
from .selectors import (
    EDITABLE_STATUSES,
    audit_entries_visible_to,
    can_edit_for_unit,
    deadline_passed,
    evidence_duplicates,
    evidence_files_visible_to,
    evidence_visible_to,
    late_requests_for,
    lock_state,
    periods_for_unit,
    unit_period_rows,
)


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _done(request: HttpRequest, url: str) -> HttpResponse:
    """After a successful POST: a redirect, or for the upload script the address to go to."""
    if _wants_json(request):
        return JsonResponse({"redirect": url})
    return redirect(url)


# ---------------------------------------------------------------- unit staff

@login_required
def evidence_campaign(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Entry from the campaign page: the unit's evidence for the current period."""
    periods = periods_for_unit(request.user).filter(campaign_id=campaign_id)
    campaign = get_object_or_404(campaigns_visible_to(request.user), pk=campaign_id)
    if not periods.exists():
        raise Http404
    period = current_period(campaign) or periods.first()
    return redirect("evidence_period", period_id=period.pk)


@login_required
def evidence_period(request: HttpRequest, period_id: int) -> HttpResponse:
    """The unit's page for one period: every criterion with its evidence status, the deadline and time left."""
    period = get_object_or_404(periods_for_unit(request.user).select_related("campaign"), pk=period_id)
    unit_id = request.user.unit_id
    state = lock_state(period=period, unit_id=unit_id)
    context = {
        "period": period,
        "campaign": period.campaign,
        "periods": period.campaign.periods.all(),
        "rows": unit_period_rows(period=period, unit_id=unit_id),
        "state": state,
        "late_requests": late_requests_for(period, unit_id),
        "late_form": LateRequestForm(),
        "can_edit": can_edit_for_unit(request.user, unit_id),
    }
    return render(request, "evidence/evidence_period.html", context)


@login_required
def evidence_edit(request: HttpRequest, period_id: int, criterion_id: int) -> HttpResponse:
    """Add files, links, a note, the quantity and a self-score for one criterion; save as draft or submit."""
    period = get_object_or_404(periods_for_unit(request.user).select_related("campaign"), pk=period_id)
    if not can_edit_for_unit(request.user, request.user.unit_id):
        raise PermissionDenied
    criterion = get_object_or_404(scored_criteria(period.campaign), pk=criterion_id)
    unit_id = request.user.unit_id
    evidence = Evidence.objects.filter(period=period, unit_id=unit_id, criterion=criterion).first()
    initial = {"version": evidence.version} if evidence else {}
    if evidence:
        initial.update({"note": evidence.note, "links": "\n".join(evidence.links), "quantity": evidence.quantity,
                        "self_score": evidence.self_score})
    form = EvidenceForm(criterion=criterion, initial=initial)
    status = 200
    if request.method == "POST":
        form = EvidenceForm(request.POST, request.FILES, criterion=criterion, initial=initial)
        if form.is_valid():
            data = form.cleaned_data
            try:
                evidence = services.evidence_save_draft(
                    user=request.user, period=period, criterion=criterion, note=data["note"], links=data["links"],
                    quantity=data.get("quantity"), self_score=data["self_score"], uploads=data["files"],
                    expected_version=data["version"],
                )
                if "submit" in request.POST:
                    services.evidence_submit(evidence=evidence, user=request.user)
                    messages.success(request, _("Evidence for %(code)s submitted.") % {"code": criterion.code})
                    return _done(request, reverse("evidence_period", args=[period.pk]))
                messages.success(request, _("Draft saved. Submit it when it is complete."))
                return _done(request, reverse("evidence_edit", args=[period.pk, criterion.pk]))
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
                evidence = Evidence.objects.filter(period=period, unit_id=unit_id, criterion=criterion).first()
        status = 400
    # Only for the page: a saved POST redirects, and the service checks the lock itself, in its transaction.
    state = lock_state(period=period, unit_id=unit_id)
    editable = not state.locked and (evidence is None or evidence.status in EDITABLE_STATUSES)
    files = list(evidence.files.all()) if evidence else []
    duplicates = evidence_duplicates(evidence) if evidence else []
    context = {
        "period": period, "campaign": period.campaign, "criterion": criterion, "evidence": evidence,
        "form": form, "files": files, "state": state, "editable": editable, "duplicates": duplicates,
        "duplicate_ids": {d["file"].pk for d in duplicates}, "max_file_bytes": settings.EVIDENCE_MAX_FILE_BYTES,
    }
    return render(request, "evidence/evidence_edit.html", context, status=status)


@login_required
def evidence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Read-only view of one piece of evidence (cluster leaders, reviewers, the unit itself)."""
    evidence = get_object_or_404(
        evidence_visible_to(request.user).select_related("unit", "criterion", "period", "campaign", "reviewed_by",
                                                          "submitted_by"),
        pk=pk,
    )
    duplicates = evidence_duplicates(evidence)
    context = {
        "evidence": evidence, "files": list(evidence.files.all()), "duplicates": duplicates,
        "duplicate_ids": {d["file"].pk for d in duplicates}, "own": can_edit_for_unit(request.user, evidence.unit_id),
    }
    return render(request, "evidence/evidence_detail.html", context)


def _stream(name: str, *, content_type: str, filename: str, attachment: bool) -> FileResponse:
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=attachment, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    # A file is never a page of this site: no scripts, no frames, even if a browser were fooled.
    # (Not for PDF shown inline: browsers refuse to open their PDF viewer in a sandboxed document.)
    if attachment or content_type != "application/pdf":
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def evidence_file_download(request: HttpRequest, file_id: int) -> FileResponse:
    evidence_file = get_object_or_404(evidence_files_visible_to(request.user), pk=file_id)
    inline_types = ("application/pdf", "image/jpeg", "image/png", "image/webp", "video/mp4")
    attachment = evidence_file.content_type not in inline_types or request.GET.get("download") == "1"
    return _stream(evidence_file.file.name, content_type=evidence_file.content_type,
                   filename=evidence_file.original_name, attachment=attachment)


@login_required
def evidence_file_thumbnail(request: HttpRequest, file_id: int) -> FileResponse:
    evidence_file = get_object_or_404(evidence_files_visible_to(request.user), pk=file_id)
    if not evidence_file.thumbnail:
        raise Http404
    return _stream(evidence_file.thumbnail.name, content_type="image/jpeg", filename="thumbnail.jpg",
                   attachment=False)


@login_required
@require_POST
def evidence_file_remove(request: HttpRequest, file_id: int) -> HttpResponse:
    evidence_file = get_object_or_404(
        evidence_files_visible_to(request.user).select_related("evidence"), pk=file_id
    )
    evidence = evidence_file.evidence
    if not request.user.has_perm("evidence.change_evidence", evidence):
        raise PermissionDenied
    try:
        services.evidence_remove_file(evidence_file=evidence_file, user=request.user)
        messages.success(request, _("File “%(name)s” removed.") % {"name": evidence_file.original_name})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("evidence_edit", evidence.period_id, evidence.criterion_id)


@login_required
@require_POST
def late_request_create(request: HttpRequest, period_id: int) -> HttpResponse:
    period = get_object_or_404(periods_for_unit(request.user).select_related("campaign"), pk=period_id)
    form = LateRequestForm(request.POST)
    if form.is_valid():
        try:
            services.late_request_create(period=period, user=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("Your request was sent to the office."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Explain why your unit needs more time."))
    return redirect("evidence_period", period_id=period.pk)


# ---------------------------------------------------------------- office: late windows and dossiers

def _managed_campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    campaign = get_object_or_404(campaigns_visible_to(request.user), pk=campaign_id)
    if not request.user.has_perm("evidence.manage_late_windows", campaign):
        raise PermissionDenied
    return campaign


@login_required
def late_windows(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The office's page: units' late requests to decide, late windows granted, reopening a period."""
    campaign = _managed_campaign(request, campaign_id)
    units = Unit.objects.filter(cluster_memberships__campaign=campaign).order_by("code")
    periods = campaign.periods.all()
    form = LateWindowForm(units=units, periods=periods, initial={"period": current_period(campaign)})
    if request.method == "POST":
        form = LateWindowForm(request.POST, units=units, periods=periods)
        if form.is_valid():
            try:
                services.late_window_grant(
                    period=form.cleaned_data["period"], unit=form.cleaned_data["unit"],
                    reason=form.cleaned_data["reason"], ends_at=form.end_moment(), user=request.user,
                )
                messages.success(request, _("Late window recorded."))
                return redirect("late_windows", campaign_id=campaign.pk)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
    context = {
        "campaign": campaign,
        "form": form,
        "pending": LateRequest.objects.filter(period__campaign=campaign, status=LateRequest.Status.PENDING)
        .select_related("unit", "period", "requested_by"),
        "decided": LateRequest.objects.filter(period__campaign=campaign).exclude(status=LateRequest.Status.PENDING)
        .select_related("unit", "period", "decided_by")[:50],
        "windows": LateWindow.objects.filter(period__campaign=campaign).select_related("unit", "period", "granted_by"),
        "decision_form": LateDecisionForm(),
    }
    return render(request, "evidence/latewindow_list.html", context)


@login_required
@require_POST
def late_request_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    late_request = get_object_or_404(
        LateRequest.objects.filter(period__campaign__in=campaigns_managed_by(request.user))
        .select_related("period__campaign"),
        pk=request_id,
    )
    form = LateDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.late_request_decide(
                request=late_request, approve="approve" in request.POST, user=request.user,
                ends_at=form.end_moment(), remark=form.cleaned_data["remark"],
            )
            messages.success(request, _("Decision recorded."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Check the date and time."))
    return redirect("late_windows", campaign_id=late_request.period.campaign_id)


@login_required
def dossier_overview(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The office's view of which clusters submitted their dossier for each period, and when."""
    campaign = _managed_campaign(request, campaign_id)
    clusters = list(campaign.clusters.select_related("leader_unit"))
    periods = list(campaign.periods.all())
    latest: dict[tuple[int, int], DossierSubmission] = {}
    counts: dict[tuple[int, int], int] = {}
    for dossier in DossierSubmission.objects.filter(period__campaign=campaign).select_related("submitted_by") \
            .order_by("submitted_at", "id"):
        key = (dossier.cluster_id, dossier.period_id)
        latest[key] = dossier
        counts[key] = counts.get(key, 0) + 1
    rows = [
        {"cluster": c, "cells": [{"period": p, "dossier": latest.get((c.pk, p.pk)),
                                  "count": counts.get((c.pk, p.pk), 0)} for p in periods]}
        for c in clusters
    ]
    return render(request, "evidence/dossier_list.html", {"campaign": campaign, "periods": periods, "rows": rows})


# ---------------------------------------------------------------- cluster leader

@login_required
def cluster_matrix_campaign(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Entry from the campaign page: the matrix of the cluster the user's unit leads, for the current period."""
    campaign = get_object_or_404(campaigns_visible_to(request.user), pk=campaign_id)
    cluster = clusters_led_by(request.user).filter(campaign=campaign).first()
    if cluster is None:
        cluster = clusters_visible_to(request.user).filter(campaign=campaign).first()
    if cluster is None:
        raise Http404
    period = current_period(campaign)
    if period is None:
        raise Http404
    return redirect("cluster_matrix", cluster_id=cluster.pk, period_id=period.pk)


def _matrix_objects(request: HttpRequest, cluster_id: int, period_id: int):
    cluster = get_object_or_404(clusters_visible_to(request.user).select_related("campaign"), pk=cluster_id)
    if not request.user.has_perm("campaigns.view_cluster_matrix", cluster):
        raise PermissionDenied
    period = get_object_or_404(Period.objects.filter(campaign=cluster.campaign), pk=period_id)
    return cluster, period


@login_required
def cluster_matrix(request: HttpRequest, cluster_id: int, period_id: int) -> HttpResponse:
    """Member units × criteria, each cell coloured by status, with counts and the percentage complete."""
    cluster, period = _matrix_objects(request, cluster_id, period_id)
    matrix = selectors.cluster_matrix(cluster=cluster, period=period)
    dossiers = list(DossierSubmission.objects.filter(cluster=cluster, period=period).select_related("submitted_by"))
    context = {
        "cluster": cluster, "period": period, "campaign": cluster.campaign, "matrix": matrix,
        "periods": cluster.campaign.periods.all(), "dossiers": dossiers,
        "reminders": Reminder.objects.filter(cluster=cluster, period=period).select_related("unit", "sent_by")[:20],
        "leads": leads_cluster(request.user, cluster), "reminder_form": ReminderForm(),
        "legend": [("none", _("None yet")), *Evidence.Status.choices],
        # After the deadline only a first (late) submission is possible; the server enforces it too.
        "can_submit_dossier": not period.is_closed and (not dossiers or not deadline_passed(period.deadline,
                                                                                            timezone.now())),
    }
    return render(request, "evidence/cluster_matrix.html", context)


@login_required
@require_POST
def cluster_remind(request: HttpRequest, cluster_id: int, period_id: int) -> HttpResponse:
    cluster, period = _matrix_objects(request, cluster_id, period_id)
    if not request.user.has_perm("evidence.remind_cluster", cluster):
        raise PermissionDenied
    form = ReminderForm(request.POST)
    form.is_valid()
    unit_id = form.cleaned_data.get("unit")
    reminders = services.reminders_create(
        cluster=cluster, period=period, user=request.user, unit_ids=[unit_id] if unit_id else None,
        message=form.cleaned_data.get("message") or "",
    )
    if reminders:
        messages.success(request, _("%(count)d reminder(s) queued for sending by e-mail.") % {"count": len(reminders)})
    else:
        messages.info(request, _("No unit has missing evidence: nobody to remind."))
    return redirect("cluster_matrix", cluster_id=cluster.pk, period_id=period.pk)


@login_required
@require_POST
def dossier_submit(request: HttpRequest, cluster_id: int, period_id: int) -> HttpResponse:
    cluster, period = _matrix_objects(request, cluster_id, period_id)
    if not request.user.has_perm("evidence.submit_dossier", cluster):
        raise PermissionDenied
    try:
        dossier = services.dossier_submit(cluster=cluster, period=period, user=request.user)
        messages.success(request, _("Cluster dossier submitted: %(count)d pieces of evidence.")
                         % {"count": dossier.evidence_count})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("cluster_matrix", cluster_id=cluster.pk, period_id=period.pk)


# ---------------------------------------------------------------- audit trail

@login_required
def audit_trail(request: HttpRequest) -> HttpResponse:
    """The office's audit trail (nhật ký): who changed what, when (shown in Vietnam time) and from where."""
    user = request.user
    if not user.has_perm("evidence.view_audit_trail"):
        raise PermissionDenied
    entries = audit_entries_visible_to(user).select_related("campaign", "unit")
    form = AuditFilterForm(request.GET or None, campaigns=campaigns_managed_by(user))
    if form.is_valid():
        data = form.cleaned_data
        if data["campaign"]:
            entries = entries.filter(campaign=data["campaign"])
        if data["action"]:
            entries = entries.filter(action__icontains=data["action"])
        if data["actor"]:
            entries = entries.filter(Q(actor_name__icontains=data["actor"]) | Q(object_repr__icontains=data["actor"]))
        if data["date_from"]:
            entries = entries.filter(created_at__gte=datetime.combine(data["date_from"], time.min, tzinfo=VIETNAM))
        if data["date_to"]:
            entries = entries.filter(created_at__lte=datetime.combine(data["date_to"], time.max, tzinfo=VIETNAM))
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "evidence/auditentry_list.html",
                  {"page": page, "form": form, "query": query.urlencode()})
