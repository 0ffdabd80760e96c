"""Target pages: definitions and allocation (office), the progress grid (units),
achievement, roll-ups and the reporting rate (everyone, within their scope)."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Unit
from campaigns.models import Campaign, Period
from campaigns.rules import manages_campaign
from campaigns.selectors import current_period

from . import selectors
from .forms import AllocationGridForm, AllocationImportForm, ProgressGridForm, TargetForm
from .imports import AllocationImportError, allocation_import, allocation_template_xlsx
from .models import Target
from .services import (
    allocation_save,
    progress_can_edit,
    progress_is_locked,
    progress_save,
    split_proportionally,
    target_create,
    target_delete,
    target_update,
)


def _campaign_for(request: HttpRequest, pk: int) -> Campaign:
    return get_object_or_404(
        selectors.campaigns_with_targets_for(request.user).select_related("issuing_unit"), pk=pk
    )


def _managed_target(request: HttpRequest, pk: int) -> Target:
    return get_object_or_404(selectors.targets_managed_by(request.user).select_related("campaign__issuing_unit"),
                             pk=pk)


def _period_from(request: HttpRequest, campaign: Campaign) -> Period | None:
    """The period chosen in ``?period=`` (one of the campaign's), else the current one."""
    period_id = request.GET.get("period")
    if period_id:
        if not period_id.isdigit():
            raise Http404
        return get_object_or_404(campaign.periods.all(), pk=int(period_id))
    return current_period(campaign)


@login_required
def target_home(request: HttpRequest) -> HttpResponse:
    campaigns = selectors.campaigns_with_targets_for(request.user).filter(targets__isnull=False).distinct()
    campaigns = campaigns.select_related("issuing_unit").order_by("-start_date", "title")
    return render(request, "targets/target_home.html", {"campaigns": campaigns})


@login_required
def campaign_dashboard(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """Progress bars per target, a line per target across periods, and the reporting rate."""
    campaign = _campaign_for(request, campaign_pk)
    unit_ids = selectors.scope_unit_ids(user=request.user, campaign=campaign)
    period = _period_from(request, campaign)
    periods = list(campaign.periods.all())
    achievements = selectors.campaign_achievements(campaign=campaign, period=period, unit_ids=unit_ids)
    context = {
        "campaign": campaign,
        "period": period,
        "periods": periods,
        "achievements": achievements,
        "can_manage": unit_ids is None,
        "rate": selectors.reporting_rate(campaign=campaign, period=period, unit_ids=unit_ids) if period else None,
        "chart": _chart_data(periods, achievements),
        "own_unit_allocated": request.user.unit_id is not None and campaign.targets.filter(
            allocations__unit_id=request.user.unit_id).exists(),
    }
    return render(request, "targets/campaign_dashboard.html", context)


def _chart_data(periods: list[Period], achievements) -> dict:
    """Series for Chart.js: each target's % of its goal at the end of each period."""
    datasets = []
    for achievement in achievements:
        goal = achievement.goal
        points = []
        for point in achievement.series:
            if point is None or not goal:
                points.append(None)
            elif achievement.target.kind == Target.Kind.PER_UNIT_MIN:
                points.append(None)  # a share of units, only known for the chosen period
            else:
                points.append(float(round(point * 100 / goal, 1)))
        if any(p is not None for p in points):
            datasets.append({"label": f"{achievement.target.code}. {achievement.target.name}"[:60], "data": points})
    return {"labels": [p.name for p in periods], "datasets": datasets}


@login_required
def unit_dashboard(request: HttpRequest, campaign_pk: int, unit_pk: int) -> HttpResponse:
    """One unit's targets: allocation, value, % and a line across periods."""
    campaign = _campaign_for(request, campaign_pk)
    unit = _unit_in_scope(request, campaign, unit_pk)
    period = _period_from(request, campaign)
    periods = list(campaign.periods.all())
    achievements = selectors.campaign_achievements(
        campaign=campaign, period=period, unit_ids=[unit.pk]
    )
    achievements = [a for a in achievements if a.units_allocated]
    context = {
        "campaign": campaign, "unit": unit, "period": period, "periods": periods,
        "achievements": achievements, "chart": _chart_data(periods, achievements),
        "can_edit": period is not None and progress_can_edit(user=request.user, unit=unit, period=period),
    }
    return render(request, "targets/unit_dashboard.html", context)


def _unit_in_scope(request: HttpRequest, campaign: Campaign, unit_pk: int) -> Unit:
    unit_ids = selectors.scope_unit_ids(user=request.user, campaign=campaign)
    return get_object_or_404(selectors.allocated_units(campaign=campaign, unit_ids=unit_ids), pk=unit_pk)


@login_required
def progress_entry(request: HttpRequest, campaign_pk: int, unit_pk: int) -> HttpResponse:
    """The unit's data-entry grid: all its targets × one period."""
    campaign = _campaign_for(request, campaign_pk)
    unit = _unit_in_scope(request, campaign, unit_pk)
    period = _period_from(request, campaign)
    if period is None:
        raise Http404
    can_edit = progress_can_edit(user=request.user, unit=unit, period=period)
    allocations = selectors.unit_allocations(campaign=campaign, unit=unit)
    reported = selectors.unit_progress(campaign=campaign, unit=unit)
    before = selectors.previous_period(period)
    previous = {t: p for (t, pid), p in reported.items() if before and pid == before.pk}
    current = {t: p for (t, pid), p in reported.items() if pid == period.pk}
    initial = {}
    for target_id, progress in current.items():
        initial.update({f"value_{target_id}": progress.value, f"num_{target_id}": progress.numerator,
                        f"den_{target_id}": progress.denominator, f"note_{target_id}": progress.note})
    linked = selectors.criteria_by_target(campaign=campaign)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("Reporting for this period is closed."))
        form = ProgressGridForm(request.POST, allocations=allocations, previous=previous, initial=initial,
                                linked=linked)
        if form.is_valid():
            try:
                changed = progress_save(unit=unit, period=period, entries=form.entries(), user=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Saved: %(count)s targets changed.") % {"count": changed})
                return redirect(f"{request.path}?period={period.pk}")
        else:
            messages.error(request, _("Nothing was saved. Correct the highlighted cells and save again."))
    else:
        form = ProgressGridForm(allocations=allocations, previous=previous, initial=initial,
                                linked=linked)
    context = {
        "campaign": campaign, "unit": unit, "period": period, "periods": campaign.periods.all(),
        "form": form, "can_edit": can_edit, "locked": progress_is_locked(period=period),
        "previous_period": before,
        "correcting": can_edit and progress_is_locked(period=period),
    }
    return render(request, "targets/progress_entry.html", context)


UNITS_PER_PAGE = 100
BEHIND_SHOWN = 50


@login_required
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Achievement of one target by unit (a page of units at a time), the units
    behind, and roll-ups by cluster and by parent unit."""
    target = get_object_or_404(selectors.targets_visible_to(request.user).select_related("campaign"), pk=pk)
    campaign = target.campaign
    unit_ids = selectors.scope_unit_ids(user=request.user, campaign=campaign)
    period = _period_from(request, campaign)
    rows = selectors.allocation_rows(target=target, period=period, unit_ids=unit_ids)
    page = Paginator(rows, UNITS_PER_PAGE).get_page(request.GET.get("page"))
    behind = selectors.units_behind(target=target, period=period, unit_ids=unit_ids) if period else None
    context = {
        "campaign": campaign, "target": target, "period": period, "periods": campaign.periods.all(),
        "rows": page.object_list, "page": page, "can_manage": unit_ids is None,
        "behind": list(behind[:BEHIND_SHOWN]) if behind is not None else [],
        "behind_count": behind.count() if behind is not None else 0,
        "by_cluster": selectors.target_rollup(target=target, period=period, by="cluster", unit_ids=unit_ids)
        if period else [],
        "by_parent": selectors.target_rollup(target=target, period=period, by="parent", unit_ids=unit_ids)
        if period else [],
        "fraction": selectors.period_fraction(period) if period else None,
    }
    return render(request, "targets/target_detail.html", context)


@login_required
def reporting_status(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """Which units reported for the period, and whether on time."""
    campaign = _campaign_for(request, campaign_pk)
    unit_ids = selectors.scope_unit_ids(user=request.user, campaign=campaign)
    period = _period_from(request, campaign)
    if period is None:
        raise Http404
    units = selectors.reporting_status(campaign=campaign, period=period, unit_ids=unit_ids)
    page = Paginator(units, UNITS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "campaign": campaign, "period": period, "periods": campaign.periods.all(),
        "units": page.object_list, "page": page,
        "rate": selectors.reporting_rate(campaign=campaign, period=period, unit_ids=unit_ids),
    }
    return render(request, "targets/reporting_status.html", context)


# --- the office: definitions and allocation --------------------------------------------


@login_required
def target_create_view(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = _campaign_for(request, campaign_pk)
    if not manages_campaign(request.user, campaign):
        raise PermissionDenied
    form = TargetForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        target = target_create(campaign=campaign, user=request.user, data=form.cleaned_data)
        messages.success(request, _("Target “%(name)s” added. Now allocate it to units.") % {"name": target.name})
        return redirect("targets:allocate", pk=target.pk)
    return render(request, "targets/target_form.html", {"campaign": campaign, "form": form, "target": None})


@login_required
def target_edit(request: HttpRequest, pk: int) -> HttpResponse:
    target = _managed_target(request, pk)
    form = TargetForm(request.POST or None, instance=target, campaign=target.campaign)
    if request.method == "POST" and form.is_valid():
        target_update(target=Target.objects.get(pk=target.pk), user=request.user, data=form.cleaned_data)
        messages.success(request, _("Target saved."))
        return redirect("targets:detail", pk=target.pk)
    return render(request, "targets/target_form.html", {"campaign": target.campaign, "form": form, "target": target})


@login_required
@require_POST
def target_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    target = _managed_target(request, pk)
    campaign_pk = target.campaign_id
    target_delete(target=target, user=request.user)
    messages.success(request, _("Target deleted."))
    return redirect("targets:dashboard", campaign_pk=campaign_pk)


def _allocation_depth(request: HttpRequest, target: Target, levels: list[tuple[int, str]]) -> int:
    depths = [depth for depth, _label in levels]
    chosen = request.POST.get("depth") or request.GET.get("depth")
    if chosen and chosen.isdigit() and int(chosen) in depths:
        return int(chosen)
    current = target.allocations.values_list("unit__depth", flat=True).first()
    if current in depths:
        return current
    return depths[0] if depths else target.campaign.issuing_unit.depth + 1


@login_required
def target_allocate(request: HttpRequest, pk: int) -> HttpResponse:
    """Typed-in allocation grid, with a proportional split by member count; checked against the total."""
    target = _managed_target(request, pk)
    campaign = target.campaign
    levels = selectors.allocation_levels(campaign=campaign)
    depth = _allocation_depth(request, target, levels)
    units = list(selectors.allocation_candidates(campaign=campaign, depth=depth))
    existing = dict(target.allocations.values_list("unit_id", "amount"))
    initial = {f"unit_{unit_id}": amount for unit_id, amount in existing.items()}
    action = request.POST.get("action")
    if request.method == "POST" and action == "split":
        if target.kind == Target.Kind.COUNT:
            whole = target.total == target.total.to_integral_value()
            parts = split_proportionally(total=target.total, weights={u.pk: u.member_count for u in units},
                                         step=Decimal("1") if whole else Decimal("0.01"))
        else:
            parts = {u.pk: target.total for u in units}
        form = AllocationGridForm(initial={f"unit_{k}": v for k, v in parts.items()}, units=units)
        messages.info(request, _("The split is shown below and not saved yet: check it, then save."))
    elif request.method == "POST":
        form = AllocationGridForm(request.POST, units=units, initial=initial)
        if form.is_valid():
            amounts = form.amounts()
            # Units of other levels lose their share: an allocation is made at one level.
            counts = allocation_save(target=target, amounts=amounts, user=request.user, source="grid")
            messages.success(request, _("Allocation saved (%(created)s added, %(updated)s changed, "
                                        "%(deleted)s removed).") % counts)
            return redirect(f"{reverse('targets:allocate', args=[target.pk])}?depth={depth}")
        messages.error(request, _("Nothing was saved. Correct the highlighted amounts and save again."))
    else:
        form = AllocationGridForm(units=units, initial=initial)
    allocated = selectors.current_total(target.allocations.all())
    context = {
        "campaign": campaign, "target": target, "form": form, "levels": levels, "depth": depth,
        "allocated": allocated, "difference": allocated - target.total, "shortfall": target.total - allocated,
        "other_level": target.allocations.exclude(unit__depth=depth).count(),
        "import_form": AllocationImportForm(),
    }
    return render(request, "targets/target_allocate.html", context)


@login_required
@require_POST
def target_allocation_import(request: HttpRequest, pk: int) -> HttpResponse:
    target = _managed_target(request, pk)
    levels = selectors.allocation_levels(campaign=target.campaign)
    depth = _allocation_depth(request, target, levels)
    form = AllocationImportForm(request.POST, request.FILES)
    errors: list[str] = []
    if form.is_valid():
        candidates = selectors.allocation_candidates(campaign=target.campaign, depth=depth)
        try:
            counts = allocation_import(target=target, file=form.cleaned_data["file"], candidates=candidates,
                                       user=request.user)
        except AllocationImportError as exc:
            errors = exc.errors
        else:
            messages.success(request, _("Allocation imported (%(created)s added, %(updated)s changed, "
                                        "%(deleted)s removed).") % counts)
            return redirect(f"{reverse('targets:allocate', args=[target.pk])}?depth={depth}")
    else:
        errors = [str(e) for e in form.errors.get("file", [])]
    return render(request, "targets/allocation_import_errors.html",
                  {"campaign": target.campaign, "target": target, "errors": errors, "depth": depth}, status=400)


@login_required
def target_allocation_template(request: HttpRequest, pk: int) -> HttpResponse:
    """The import sheet pre-filled with the units of the chosen level and their current amounts."""
    target = _managed_target(request, pk)
    levels = selectors.allocation_levels(campaign=target.campaign)
    depth = _allocation_depth(request, target, levels)
    units = selectors.allocation_candidates(campaign=target.campaign, depth=depth)
    content = allocation_template_xlsx(target=target, units=units)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="phan-bo-chi-tieu-{target.pk}.xlsx"'
    return response
