"""Campaign pages: list and detail for everyone who may see a campaign, and the set-up pages
(campaign, periods, clusters, criteria set) for administrators and the offices that manage it."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.nav import campaign_links_for

from . import services
from .deadlines import END_OF_DAY
from .forms import CampaignForm, ClusterForm, CriterionForm, DeadlineForm, PeriodForm
from .models import Campaign, Cluster, ClusterMember, Criterion, Period
from .rules import manages_campaign
from .selectors import campaigns_managed_by, campaigns_visible_to, criteria_tree, unit_cluster


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = campaigns_visible_to(request.user).select_related("issuing_unit")
    managed_ids = set(campaigns_managed_by(request.user).values_list("pk", flat=True))
    return render(request, "campaigns/campaign_list.html", {"campaigns": campaigns, "managed_ids": managed_ids})


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(campaigns_visible_to(request.user).select_related("issuing_unit"), pk=pk)
    user = request.user
    cluster = unit_cluster(campaign=campaign, unit_id=user.unit_id) if user.unit_id else None
    context = {
        "campaign": campaign,
        "periods": campaign.periods.all(),
        "clusters": campaign.clusters.select_related("leader_unit", "deputy_unit", "follower"),
        "criteria": criteria_tree(campaign),
        "my_cluster": cluster,
        "can_manage": manages_campaign(user, campaign),
        "links": campaign_links_for(user, campaign),
    }
    return render(request, "campaigns/campaign_detail.html", context)


# Set-up: helpers that fetch through the "managed by" querysets, so other offices get a 404 ------------------

def _managed_campaign(request: HttpRequest, pk: int) -> Campaign:
    return get_object_or_404(campaigns_managed_by(request.user).select_related("issuing_unit"), pk=pk)


def _managed(model, request: HttpRequest, pk: int):
    queryset = model.objects.filter(campaign__in=campaigns_managed_by(request.user))
    return get_object_or_404(queryset.select_related("campaign__issuing_unit"), pk=pk)


def _save(form, request: HttpRequest, call, success: str):
    """Run a service with the form's data; a rule it refuses becomes a form error, nothing is changed."""
    try:
        result = call()
    except ValidationError as error:
        form.add_error(None, error)
        return None
    messages.success(request, success)
    return result


def _data(form, *exclude) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k not in exclude}


# Campaigns ---------------------------------------------------------------------------------------------------

@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    if not (request.user.is_admin or request.user.is_office):
        raise PermissionDenied(_("Only administrators and offices create campaigns."))
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        campaign = _save(form, request, lambda: services.campaign_create(user=request.user, **form.cleaned_data),
                         _("Campaign created as a draft. Add its periods, clusters and criteria, then launch it."))
        if campaign:
            return redirect("campaign_setup", campaign.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form, "title": _("New campaign")})


@login_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed_campaign(request, pk)
    form = CampaignForm(request.POST or None, instance=campaign, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = _save(form, request,
                      lambda: services.campaign_update(campaign=campaign, user=request.user, **form.cleaned_data),
                      _("Campaign saved."))
        if saved:
            return redirect("campaign_setup", campaign.pk)
    return render(request, "campaigns/campaign_form.html",
                  {"form": form, "campaign": campaign, "title": _("Edit the campaign")})


@login_required
def campaign_setup(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed_campaign(request, pk)
    context = {
        "campaign": campaign,
        "periods": campaign.periods.annotate(evidence_count=Count("evidence")).order_by("order"),
        "cluster_count": campaign.clusters.count(),
        "criteria_count": campaign.criteria.filter(kind=Criterion.Kind.CRITERION).count(),
    }
    return render(request, "campaigns/campaign_setup.html", context)


STATUS_ACTIONS = {
    "launch": (services.campaign_launch,
               gettext_lazy("The campaign is launched: units can now see it and submit evidence.")),
    "close": (services.campaign_close, gettext_lazy("The campaign is closed.")),
    "reopen": (services.campaign_reopen, gettext_lazy("The campaign is open again.")),
}


@login_required
@require_POST
def campaign_status(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    campaign = _managed_campaign(request, pk)
    if action not in STATUS_ACTIONS:
        raise PermissionDenied
    service, success = STATUS_ACTIONS[action]
    try:
        service(campaign=campaign, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, str(success))
    return redirect("campaign_setup", campaign.pk)


# Periods -----------------------------------------------------------------------------------------------------

@login_required
def period_create(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed_campaign(request, pk)
    next_order = (campaign.periods.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    form = PeriodForm(request.POST or None, initial={"order": next_order})
    if request.method == "POST" and form.is_valid():
        period = _save(form, request, lambda: services.period_create(
            campaign=campaign, user=request.user, deadline=form.deadline,
            **_data(form, "deadline_date", "deadline_time")), _("Period added."))
        if period:
            return redirect("campaign_setup", campaign.pk)
    return render(request, "campaigns/period_form.html",
                  {"form": form, "campaign": campaign, "title": _("New period")})


@login_required
def period_edit(request: HttpRequest, pk: int) -> HttpResponse:
    period = _managed(Period, request, pk)
    form = PeriodForm(request.POST or None, instance=period)
    if request.method == "POST" and form.is_valid():
        saved = _save(form, request, lambda: services.period_update(
            period=period, user=request.user, **form.cleaned_data), _("Period saved."))
        if saved:
            return redirect("campaign_setup", period.campaign_id)
    return render(request, "campaigns/period_form.html",
                  {"form": form, "campaign": period.campaign, "period": period, "title": period.name})


@login_required
def period_deadline(request: HttpRequest, pk: int) -> HttpResponse:
    period = _managed(Period, request, pk)
    current = timezone.localtime(period.deadline)
    form = DeadlineForm(request.POST or None, initial={
        "deadline_date": current.date(),
        "deadline_time": None if current.time() == END_OF_DAY else current.time(),
    })
    if request.method == "POST" and form.is_valid():
        saved = _save(form, request, lambda: services.period_move_deadline(
            period=period, deadline=form.deadline, user=request.user, reason=form.cleaned_data["reason"]),
            _("Deadline moved."))
        if saved:
            return redirect("campaign_setup", period.campaign_id)
    return render(request, "campaigns/period_form.html", {
        "form": form, "campaign": period.campaign, "period": period,
        "title": _("Move the deadline of %(period)s") % {"period": period.name},
    })


@login_required
@require_POST
def period_delete(request: HttpRequest, pk: int) -> HttpResponse:
    period = _managed(Period, request, pk)
    try:
        services.period_delete(period=period, user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Period deleted."))
    return redirect("campaign_setup", period.campaign_id)


# Clusters ----------------------------------------------------------------------------------------------------

@login_required
def cluster_list(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed_campaign(request, pk)
    clusters = campaign.clusters.select_related("leader_unit", "deputy_unit", "follower").prefetch_related(
        Prefetch("memberships", queryset=ClusterMember.objects.select_related("unit").order_by("unit__path")))
    return render(request, "campaigns/cluster_list.html", {"campaign": campaign, "clusters": clusters})


def _cluster_fields(form) -> dict:
    return _data(form, "members")


@login_required
def cluster_create(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed_campaign(request, pk)
    next_order = campaign.clusters.count() + 1
    form = ClusterForm(request.POST or None, campaign=campaign, user=request.user, initial={"order": next_order})
    if request.method == "POST" and form.is_valid():
        cluster = _save(form, request, lambda: services.cluster_create(
            campaign=campaign, user=request.user, members=list(form.cleaned_data["members"]),
            **_cluster_fields(form)), _("Cluster created."))
        if cluster:
            return redirect("cluster_list", campaign.pk)
    return render(request, "campaigns/cluster_form.html",
                  {"form": form, "campaign": campaign, "title": _("New cluster")})


@login_required
def cluster_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = _managed(Cluster, request, pk)
    form = ClusterForm(request.POST or None, instance=cluster, campaign=cluster.campaign, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = _save(form, request, lambda: services.cluster_update(
            cluster=cluster, user=request.user, members=list(form.cleaned_data["members"]),
            **_cluster_fields(form)), _("Cluster saved."))
        if saved:
            return redirect("cluster_list", cluster.campaign_id)
    return render(request, "campaigns/cluster_form.html",
                  {"form": form, "campaign": cluster.campaign, "cluster": cluster, "title": cluster.name})


@login_required
@require_POST
def cluster_delete(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = _managed(Cluster, request, pk)
    services.cluster_delete(cluster=cluster, user=request.user)
    messages.success(request, _("Cluster deleted."))
    return redirect("cluster_list", cluster.campaign_id)


# Criteria set ------------------------------------------------------------------------------------------------

def _section_sums(tree: list[tuple[Criterion, int]]) -> dict[int, Decimal]:
    """For each section, the sum of its base (not bonus or penalty) children's max points."""
    sums: dict[int, Decimal] = {}
    for item, _depth in tree:
        if item.kind == Criterion.Kind.SECTION:
            sums.setdefault(item.pk, Decimal("0"))
        if item.parent_id is not None and item.category == Criterion.Category.BASE:
            sums[item.parent_id] = sums.get(item.parent_id, Decimal("0")) + item.max_points
    return sums


@login_required
def criterion_list(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed_campaign(request, pk)
    tree = criteria_tree(campaign)
    sums = _section_sums(tree)
    rows = [
        {"item": item, "depth": depth, "children_sum": sums.get(item.pk),
         "mismatch": item.pk in sums and sums[item.pk] != item.max_points}
        for item, depth in tree
    ]
    top_total = sum((item.max_points for item, depth in tree
                     if depth == 0 and item.category == Criterion.Category.BASE), Decimal("0"))
    return render(request, "campaigns/criterion_list.html", {
        "campaign": campaign, "rows": rows, "top_total": top_total,
        "mismatches": sum(1 for row in rows if row["mismatch"]),
    })


@login_required
def criterion_create(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed_campaign(request, pk)
    initial = {}
    parent_id = request.GET.get("parent")
    if parent_id and parent_id.isdigit():
        initial["parent"] = campaign.criteria.filter(pk=parent_id, kind=Criterion.Kind.SECTION).first()
    form = CriterionForm(request.POST or None, campaign=campaign, initial=initial)
    if request.method == "POST" and form.is_valid():
        criterion = _save(form, request, lambda: services.criterion_create(
            campaign=campaign, user=request.user, **form.cleaned_data), _("Item added to the criteria set."))
        if criterion:
            return redirect("criterion_list", campaign.pk)
    return render(request, "campaigns/criterion_form.html",
                  {"form": form, "campaign": campaign, "title": _("New item of the criteria set")})


@login_required
def criterion_edit(request: HttpRequest, pk: int) -> HttpResponse:
    criterion = _managed(Criterion, request, pk)
    form = CriterionForm(request.POST or None, instance=criterion, campaign=criterion.campaign)
    if request.method == "POST" and form.is_valid():
        saved = _save(form, request, lambda: services.criterion_update(
            criterion=criterion, user=request.user, **form.cleaned_data), _("Item saved."))
        if saved:
            return redirect("criterion_list", criterion.campaign_id)
    return render(request, "campaigns/criterion_form.html",
                  {"form": form, "campaign": criterion.campaign, "criterion": criterion, "title": criterion.code})


@login_required
@require_POST
def criterion_delete(request: HttpRequest, pk: int) -> HttpResponse:
    criterion = _managed(Criterion, request, pk)
    try:
        services.criterion_delete(criterion=criterion, user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Item deleted."))
    return redirect("criterion_list", criterion.campaign_id)


@login_required
@require_POST
def criterion_move(request: HttpRequest, pk: int, direction: str) -> HttpResponse:
    criterion = _managed(Criterion, request, pk)
    services.criterion_move(criterion=criterion, user=request.user, up=direction == "up")
    return redirect(f"{reverse('criterion_list', args=[criterion.campaign_id])}#criterion-{criterion.pk}")
