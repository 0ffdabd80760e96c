"""Reads for awards: frozen standings, award forms, rules and decisions, scoped to the asking user.

The standings are read straight from scoring's tables for a closed (frozen)
period; the year's standing exists only when every period of the campaign is
closed, and aggregates ``ClusterScore.score`` by ``Campaign.year_aggregation``.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from accounts.models import Unit, User
from campaigns.models import Campaign, Cluster, Period
from campaigns.selectors import campaigns_managed_by
from core.models import Job
from scoring.models import ClusterScore, UnitScore

from .models import Award, AwardDecision, AwardForm, AwardRule, BaseSalary, CertificateTemplate


@dataclass(frozen=True)
class ClusterStanding:
    cluster: Cluster
    score: Decimal
    rank: int


@dataclass(frozen=True)
class UnitStanding:
    unit: Unit
    cluster: Cluster
    score: Decimal
    rank_in_cluster: int


def _competition_ranks(scores: list[Decimal]) -> list[int]:
    """1, 2, 2, 4 … for scores sorted from best to worst (ties share a rank)."""
    ranks, previous, rank = [], None, 0
    for position, value in enumerate(scores, start=1):
        if value != previous:
            rank, previous = position, value
        ranks.append(rank)
    return ranks


def period_cluster_standing(period: Period) -> list[ClusterStanding]:
    """The frozen cluster standing of a closed period, best first; [] while the period is open."""
    if period.status != Period.Status.CLOSED:
        return []
    rows = (
        ClusterScore.objects.filter(period=period, rank__isnull=False)
        .select_related("cluster__leader_unit")
        .order_by("rank", "cluster__order")
    )
    return [ClusterStanding(cluster=row.cluster, score=row.score, rank=row.rank) for row in rows]


def year_is_frozen(campaign: Campaign) -> bool:
    statuses = list(campaign.periods.values_list("status", flat=True))
    return bool(statuses) and all(status == Period.Status.CLOSED for status in statuses)


def year_cluster_standing(campaign: Campaign) -> list[ClusterStanding]:
    """The year's cluster standing (sum or average of the periods), once every period is closed."""
    if not year_is_frozen(campaign):
        return []
    period_count = campaign.periods.count()
    totals = (
        ClusterScore.objects.filter(period__campaign=campaign)
        .values("cluster_id")
        .annotate(total=Sum("score"))
    )
    scores = {}
    for row in totals:
        total = row["total"] or Decimal("0")
        if campaign.year_aggregation == Campaign.YearAggregation.AVERAGE:
            total = (total / period_count).quantize(Decimal("0.001"))
        scores[row["cluster_id"]] = total
    clusters = Cluster.objects.filter(pk__in=scores).select_related("leader_unit").in_bulk()
    ordered = sorted(scores.items(), key=lambda item: (-item[1], clusters[item[0]].order, item[0]))
    ranks = _competition_ranks([score for _, score in ordered])
    return [
        ClusterStanding(cluster=clusters[cluster_id], score=score, rank=rank)
        for (cluster_id, score), rank in zip(ordered, ranks, strict=True)
    ]


def period_unit_standing(period: Period) -> list[UnitStanding]:
    if period.status != Period.Status.CLOSED:
        return []
    rows = (
        UnitScore.objects.filter(period=period, cluster__isnull=False, rank_in_cluster__isnull=False)
        .select_related("unit", "cluster")
        .order_by("cluster__order", "rank_in_cluster", "unit__name")
    )
    return [UnitStanding(unit=r.unit, cluster=r.cluster, score=r.total, rank_in_cluster=r.rank_in_cluster)
            for r in rows]


def year_unit_standing(campaign: Campaign) -> list[UnitStanding]:
    """Each unit's year total (sum or average of its period totals), ranked within its cluster."""
    if not year_is_frozen(campaign):
        return []
    period_count = campaign.periods.count()
    totals = (
        UnitScore.objects.filter(period__campaign=campaign, cluster__isnull=False)
        .values("unit_id", "cluster_id")
        .annotate(total=Sum("total"))
    )
    by_cluster: dict[int, list[tuple[int, Decimal]]] = {}
    for row in totals:
        total = row["total"] or Decimal("0")
        if campaign.year_aggregation == Campaign.YearAggregation.AVERAGE:
            total = (total / period_count).quantize(Decimal("0.01"))
        by_cluster.setdefault(row["cluster_id"], []).append((row["unit_id"], total))
    units = Unit.objects.filter(pk__in=[u for rows in by_cluster.values() for u, _ in rows]).in_bulk()
    clusters = Cluster.objects.filter(pk__in=by_cluster).in_bulk()
    standing = []
    for cluster_id in sorted(by_cluster, key=lambda pk: (clusters[pk].order, pk)):
        rows = sorted(by_cluster[cluster_id], key=lambda item: (-item[1], units[item[0]].name))
        for (unit_id, total), rank in zip(rows, _competition_ranks([t for _, t in rows]), strict=True):
            standing.append(UnitStanding(unit=units[unit_id], cluster=clusters[cluster_id], score=total,
                                         rank_in_cluster=rank))
    return standing


def base_salary_on(day: date) -> BaseSalary | None:
    """The base salary setting in force on ``day``."""
    return BaseSalary.objects.filter(effective_from__lte=day).order_by("-effective_from").first()


def award_forms_managed_by(user: User) -> QuerySet[AwardForm]:
    """Award forms an admin, or an office of the issuing unit or above it, may manage and use."""
    if not user.is_authenticated:
        return AwardForm.objects.none()
    if user.is_admin:
        return AwardForm.objects.all()
    if user.is_office:
        return AwardForm.objects.filter(issuer_unit__path__startswith=user.unit.path)
    return AwardForm.objects.none()


def certificate_templates_managed_by(user: User) -> QuerySet[CertificateTemplate]:
    if not user.is_authenticated:
        return CertificateTemplate.objects.none()
    if user.is_admin:
        return CertificateTemplate.objects.all()
    if user.is_office:
        return CertificateTemplate.objects.filter(
            Q(issuer_unit__path__startswith=user.unit.path)
            | Q(campaign__issuing_unit__path__startswith=user.unit.path)
            | (Q(issuer_unit__isnull=True) & Q(campaign__isnull=True))
        )
    return CertificateTemplate.objects.none()


def certificate_templates_editable_by(user: User) -> QuerySet[CertificateTemplate]:
    """The templates the user may change: those managed, except the shared ones (no campaign, no issuer),
    which offices use but only administrators set."""
    templates = certificate_templates_managed_by(user)
    if user.is_authenticated and user.is_admin:
        return templates
    return templates.exclude(campaign__isnull=True, issuer_unit__isnull=True)


def rules_managed_by(user: User) -> QuerySet[AwardRule]:
    return AwardRule.objects.filter(campaign__in=campaigns_managed_by(user))


def decisions_managed_by(user: User) -> QuerySet[AwardDecision]:
    """Award decisions of the campaigns the user runs as an office (or all, for an admin)."""
    return AwardDecision.objects.filter(campaign__in=campaigns_managed_by(user))


def awards_managed_by(user: User) -> QuerySet[Award]:
    return Award.objects.filter(decision__campaign__in=campaigns_managed_by(user))


def certificate_jobs_of(user: User) -> QuerySet[Job]:
    """Certificate batch jobs the user may watch and download: those of decisions they manage."""
    decision_ids = list(decisions_managed_by(user).values_list("pk", flat=True))
    return Job.objects.filter(kind="award_certificates", params__decision_id__in=decision_ids)


def campaign_prize_total(campaign: Campaign) -> int:
    """Prize money of the campaign's issued decisions that no issued decision revokes."""
    return (
        Award.objects.filter(decision__campaign=campaign, decision__status=AwardDecision.Status.ISSUED)
        .exclude(decision__revoked_by__status=AwardDecision.Status.ISSUED)
        .aggregate(total=Sum("amount"))["total"]
        or 0
    )


def template_for(decision: AwardDecision) -> CertificateTemplate | None:
    """The decision's chosen template, else the most specific active one for its campaign and issuer."""
    if decision.certificate_template_id:
        return decision.certificate_template
    candidates = CertificateTemplate.objects.filter(
        Q(campaign=decision.campaign) | Q(campaign__isnull=True),
        Q(issuer_unit=decision.issuer_unit) | Q(issuer_unit__isnull=True),
        Q(organisation=decision.organisation) | Q(organisation=""),
        is_active=True,
    )

    def specificity(template):
        return (template.campaign_id is not None, template.issuer_unit_id is not None, bool(template.organisation))

    return max(candidates, key=specificity, default=None)


def award_by_code(code: str) -> Award | None:
    """An award of an issued decision, by its verification code (case-insensitive)."""
    return (
        Award.objects.filter(code=code.strip().upper(), decision__status=AwardDecision.Status.ISSUED)
        .select_related("decision", "award_form")
        .first()
    )
