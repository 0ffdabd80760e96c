"""Standings pages (xếp hạng): the office's table of every cluster, one cluster's standing, one unit's
scores, and closing / reopening a period. Each view opens with its authorisation check; every id is looked
up through a "visible to user" queryset (404 otherwise). The pages only read the score tables."""

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

from campaigns.models import Campaign, Period
from campaigns.rules import leads_cluster, manages_campaign
from campaigns.selectors import campaigns_managed_by, campaigns_visible_to, criteria_tree

from .. import selectors, services
from ..charts import rank_chart, score_chart
from ..models import UnitYearScore


def _standings_url(period: Period) -> str:
    return reverse("scoring_standings", args=[period.campaign_id]) + f"?period={period.pk}"


# ---------------------------------------------------------------- entry from the campaign page

@login_required
def scoring_campaign(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Entry from the campaign page: reviewers to the standings, a cluster leader to the cluster,
    a member unit to its own scores for the current period."""
    user = request.user
    campaign = get_object_or_404(campaigns_visible_to(user).select_related("issuing_unit")
                                 .prefetch_related("periods"), pk=campaign_id)
    if selectors.sees_all_standings(user, campaign):
        return redirect("scoring_standings", campaign_id=campaign.pk)
    cluster = selectors.clusters_with_standing_visible_to(user).filter(campaign=campaign).first()
    if cluster is not None:
        return redirect("scoring_cluster", cluster_id=cluster.pk)
    period = selectors.standing_period(campaign)
    member = selectors.memberships_with_scores_visible_to(user).filter(campaign=campaign,
                                                                       unit_id=user.unit_id).first()
    if member is None or period is None:
        raise Http404
    return redirect("scoring_unit", unit_id=member.unit_id, period_id=period.pk)


# ---------------------------------------------------------------- every cluster (reviewers)

@login_required
def campaign_standings(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Every cluster's standing for a period (or the year), the heat map of sections, the units by year
    classification, when the scores were computed, and closing or reopening the period."""
    user = request.user
    campaign = get_object_or_404(campaigns_visible_to(user).select_related("issuing_unit")
                                 .prefetch_related("periods"), pk=campaign_id)
    if not selectors.sees_all_standings(user, campaign):
        raise PermissionDenied
    periods = list(campaign.periods.all())
    year_view = request.GET.get("view") == "year"
    period = selectors.pick_period(campaign, request.GET.get("period"))
    if period is None and (request.GET.get("period") or not year_view and periods):
        raise Http404
    manages = manages_campaign(user, campaign)
    # An official who only follows some clusters sees every standing but opens only their clusters' pages.
    followed = None if manages else set(campaign.clusters.filter(follower_id=user.pk).values_list("pk", flat=True))
    query = "" if year_view or period is None else f"?period={period.pk}"
    # One reverse() for 700 rows: the cluster id is the only part of the address that changes.
    cluster_url = reverse("scoring_cluster", args=[987654321]).replace("987654321", "{}") + query

    def url_of(cluster_id: int) -> str:
        if followed is not None and cluster_id not in followed:
            return ""
        return cluster_url.format(cluster_id)

    context = {"campaign": campaign, "periods": periods, "period": period, "year_view": year_view,
               "manages": manages}
    if year_view:
        rows = selectors.cluster_year_standings(campaign=campaign, url_of=url_of)
        context.update(freshness=selectors.period_freshness(periods=periods))
    elif period is not None:
        rows = selectors.cluster_standings(period=period, url_of=url_of)
        context.update(freshness=selectors.period_freshness(periods=[period]),
                       snapshots=selectors.period_snapshots(period=period) if manages or period.is_closed else [])
    else:
        rows = []
    context.update(rows=rows, heatmap=selectors.section_heatmap(
        campaign=campaign, periods=periods if year_view else [p for p in [period] if p], clusters=rows))
    classification = request.GET.get("xep_loai") or UnitYearScore.Classification.EXCELLENT
    if classification not in UnitYearScore.Classification.values:
        classification = UnitYearScore.Classification.EXCELLENT
    context.update(
        classifications=selectors.classification_counts(campaign=campaign), classification=classification,
        unit_page=Paginator(selectors.units_by_classification(campaign=campaign, classification=classification),
                            100).get_page(request.GET.get("page")),
    )
    return render(request, "scoring/clusterscore_list.html", context)


def _managed_period(request: HttpRequest, period_id: int) -> Period:
    return get_object_or_404(
        Period.objects.filter(campaign__in=campaigns_managed_by(request.user)).select_related("campaign__issuing_unit"),
        pk=period_id,
    )


def _error_message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("Only the office running this campaign can do this.")


@login_required
@require_POST
def period_close(request: HttpRequest, period_id: int) -> HttpResponse:
    """Close the period (khóa sổ): one last recompute, then its standings are frozen."""
    period = _managed_period(request, period_id)
    try:
        services.period_close(period=period, user=request.user)
        messages.success(request, _("%(period)s is closed and its standings are frozen.") % {"period": period})
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_message(error))
    return redirect(_standings_url(period))


@login_required
@require_POST
def period_reopen(request: HttpRequest, period_id: int) -> HttpResponse:
    """Reopen a closed period (with a reason); the frozen standings are kept."""
    period = _managed_period(request, period_id)
    try:
        services.period_unfreeze(period=period, user=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("%(period)s is reopened; its scores will be recomputed.") % {"period": period})
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_message(error))
    return redirect(_standings_url(period))


# ---------------------------------------------------------------- one cluster

@login_required
def cluster_standing(request: HttpRequest, cluster_id: int) -> HttpResponse:
    """One cluster: rank and score for the period and the year, the trend across periods, the gap to the
    leading cluster criterion by criterion, and each member unit's contribution."""
    user = request.user
    cluster = get_object_or_404(
        selectors.clusters_with_standing_visible_to(user).select_related("campaign__issuing_unit", "leader_unit",
                                                                         "deputy_unit", "follower")
        .prefetch_related("campaign__periods"),
        pk=cluster_id,
    )
    campaign: Campaign = cluster.campaign
    period = selectors.pick_period(campaign, request.GET.get("period"))
    if period is None:
        raise Http404
    periods = list(campaign.periods.all())
    by_period = selectors.cluster_period_scores(cluster=cluster)
    standing = by_period.get(period.pk)
    year = cluster.year_scores.filter(campaign=campaign).first()
    cluster_count = selectors.ranked_cluster_count(period=period)
    leader, compare_with = selectors.leading_cluster_scores(period=period, cluster=cluster)
    labels = [p.name for p in periods]
    score_top = Decimal("100") if campaign.cluster_score_method == Campaign.ClusterScoreMethod.AVERAGE_PERCENT \
        else Decimal("0")
    series = [by_period.get(p.pk) for p in periods]
    context = {
        "campaign": campaign, "cluster": cluster, "period": period, "periods": periods, "standing": standing,
        "year": year, "year_count": campaign.clusters.count(), "cluster_count": cluster_count,
        "leader": leader, "compare_with": compare_with,
        "is_leader": leader is not None and leader.cluster_id == cluster.pk,
        "series": list(zip(periods, series, strict=True)),
        "score_chart": score_chart(title=_("Score by period"), labels=labels,
                                   scores=[s.score if s else None for s in series], top=score_top),
        "rank_chart": rank_chart(title=_("Rank by period"), labels=labels,
                                 ranks=[s.rank if s else None for s in series], count=cluster_count),
        "gap_rows": selectors.cluster_gap(campaign=campaign, period=period, cluster=cluster,
                                          other=compare_with.cluster if compare_with else None,
                                          criteria=criteria_tree(campaign)),
        "members": selectors.member_contributions(period=period, cluster=cluster),
        "freshness": selectors.period_freshness(periods=[period]),
        "sees_all": selectors.sees_all_standings(user, campaign),
        "leads": leads_cluster(user, cluster),
    }
    return render(request, "scoring/clusterscore_detail.html", context)


# ---------------------------------------------------------------- one unit

@login_required
def unit_standing(request: HttpRequest, unit_id: int, period_id: int) -> HttpResponse:
    """One unit's points per criterion with the evidence and the reviewer's remark, its rank in the cluster,
    its year total and classification."""
    memberships = selectors.memberships_with_scores_visible_to(request.user)
    period = get_object_or_404(
        Period.objects.filter(campaign_id__in=memberships.values("campaign_id")).select_related("campaign"),
        pk=period_id,
    )
    member = get_object_or_404(memberships.filter(campaign_id=period.campaign_id).select_related("unit", "cluster"),
                               unit_id=unit_id)
    campaign = period.campaign
    score, year, cluster_size = selectors.unit_scores(period=period, unit_id=member.unit_id)
    context = {
        "campaign": campaign, "period": period, "periods": campaign.periods.all(), "unit": member.unit,
        "cluster": member.cluster, "score": score, "year": year, "cluster_size": cluster_size,
        "rows": selectors.unit_criterion_rows(period=period, unit_id=member.unit_id,
                                              criteria=criteria_tree(campaign)),
        "freshness": selectors.period_freshness(periods=[period]),
        "sees_cluster": selectors.clusters_with_standing_visible_to(request.user).filter(
            pk=member.cluster_id).exists(),
    }
    return render(request, "scoring/unitscore_detail.html", context)
