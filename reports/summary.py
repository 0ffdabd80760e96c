"""The content of a period's summary report (báo cáo sơ kết), assembled once for the PDF and the workbook.

Everything is read from tables other apps maintain: the score tables for the
standings and the sections, the target roll-ups for the achievement, the
dossier flags for timeliness, issued award decisions for the awards. Nothing
is recomputed here.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from awards.models import Award, AwardDecision
from campaigns.models import Campaign, ClusterMember, Criterion, Period
from evidence.models import Evidence
from scoring.models import ClusterScore, ClusterSectionScore, CriterionScore, PeriodStanding
from targets.selectors import Achievement, campaign_achievements

from .exports.standings import section_points, top_sections

EXTREMES = 3  # units shown at the top and at the bottom of each section


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None


@dataclass(frozen=True)
class ClusterLine:
    rank: int | None
    name: str
    score: Decimal
    completeness: Decimal
    unit_count: int
    on_time: bool
    dossier_submitted_at: datetime | None
    trend: int | None
    sections: list[Decimal | None]  # percent per section, in the order of ``PeriodSummary.sections``


@dataclass(frozen=True)
class UnitPoints:
    position: int
    unit_code: str
    unit_name: str
    cluster_name: str
    points: Decimal


@dataclass(frozen=True)
class SectionExtremes:
    section: Criterion
    max_points: Decimal  # of one unit
    top: list[UnitPoints]
    bottom: list[UnitPoints]


@dataclass(frozen=True)
class AwardLine:
    decision_number: str
    decision_date: object
    recipient: str
    award_form: str
    reason: str
    amount: int


@dataclass
class PeriodSummary:
    """What the sơ kết report of one period says, in plain values."""

    campaign: Campaign
    period: Period
    generated_at: datetime
    standings_computed_at: datetime | None
    member_units: int
    participating_units: int
    cluster_count: int
    dossiers_on_time: int
    sections: list[Criterion] = field(default_factory=list)
    clusters: list[ClusterLine] = field(default_factory=list)
    extremes: list[SectionExtremes] = field(default_factory=list)
    targets: list[Achievement] = field(default_factory=list)
    awards: list[AwardLine] = field(default_factory=list)

    @property
    def participation_rate(self) -> Decimal | None:
        """Units with submitted evidence over the campaign's member units (0–1)."""
        return _rate(self.participating_units, self.member_units)

    @property
    def on_time_rate(self) -> Decimal | None:
        """Clusters whose dossier came in by the deadline over all clusters (0–1)."""
        return _rate(self.dossiers_on_time, self.cluster_count)

    @property
    def awards_total(self) -> int:
        return sum(line.amount for line in self.awards)


def _section_max(campaign: Campaign) -> dict[int, Decimal]:
    """The base maximum of one unit per top section (as scoring.compute counts it)."""
    from scoring.compute import criteria_facts

    return criteria_facts(campaign.pk).section_max


def _extremes(period: Period, sections: list[Criterion], members: list[tuple[int, str, str, str]]
              ) -> list[SectionExtremes]:
    points = section_points(CriterionScore.objects.filter(period=period))
    section_max = _section_max(period.campaign)
    result = []
    for section in sections:
        if section.pk not in section_max:
            continue
        ranked = sorted(((points.get((unit_id, section.pk), Decimal("0")), code, name, cluster)
                         for unit_id, code, name, cluster in members), key=lambda row: (-row[0], row[2], row[1]))
        top = ranked[:EXTREMES]
        # The bottom never repeats a unit already shown at the top (a small campaign has few units).
        bottom = ranked[max(EXTREMES, len(ranked) - EXTREMES):]
        bottom.reverse()
        result.append(SectionExtremes(
            section=section, max_points=section_max[section.pk],
            top=[UnitPoints(i, code, name, cluster, p) for i, (p, code, name, cluster) in enumerate(top, 1)],
            bottom=[UnitPoints(len(ranked) - i, code, name, cluster, p)
                    for i, (p, code, name, cluster) in enumerate(bottom)],
        ))
    return result


def _awards(period: Period) -> list[AwardLine]:
    """Awards of the period's issued decisions that no issued decision has replaced."""
    awards = (
        Award.objects.filter(decision__period=period, decision__status=AwardDecision.Status.ISSUED)
        .exclude(decision__revoked_by__status=AwardDecision.Status.ISSUED)
        .select_related("decision", "award_form")
        .order_by("decision__date", "decision_id", "order", "pk")
    )
    return [AwardLine(a.decision.number, a.decision.date, a.recipient_name, a.award_form.name, a.reason, a.amount)
            for a in awards]


def period_summary(period: Period) -> PeriodSummary:
    """The summary of ``period``: participation and timeliness, standings, sections, targets, awards."""
    campaign = period.campaign
    members = list(
        ClusterMember.objects.filter(campaign=campaign)
        .values_list("unit_id", "unit__code", "unit__name", "cluster__name").order_by("unit__name")
    )
    participating = (
        Evidence.objects.filter(period=period, unit_id__in=[m[0] for m in members])
        .exclude(status=Evidence.Status.DRAFT).values("unit_id").distinct().count()
    )
    sections = top_sections(campaign)
    section_percent = {(row.cluster_id, row.section_id): row.percent
                       for row in ClusterSectionScore.objects.filter(period=period)}
    scores = list(
        ClusterScore.objects.filter(period=period).select_related("cluster")
        .order_by(F("rank").asc(nulls_last=True), "cluster__order", "cluster__name")
    )
    scored_sections = [s for s in sections if any(key[1] == s.pk for key in section_percent)]
    clusters = [
        ClusterLine(
            rank=row.rank, name=row.cluster.name, score=row.score, completeness=row.completeness,
            unit_count=row.unit_count, on_time=row.on_time, dossier_submitted_at=row.dossier_submitted_at,
            trend=row.trend, sections=[section_percent.get((row.cluster_id, s.pk)) for s in scored_sections],
        )
        for row in scores
    ]
    standing = PeriodStanding.objects.filter(period=period).first()
    return PeriodSummary(
        campaign=campaign,
        period=period,
        generated_at=timezone.localtime(),
        standings_computed_at=standing.computed_at if standing else None,
        member_units=len(members),
        participating_units=participating,
        cluster_count=campaign.clusters.count(),
        dossiers_on_time=sum(1 for row in scores if row.on_time),
        sections=scored_sections,
        clusters=clusters,
        extremes=_extremes(period, scored_sections, members),
        targets=campaign_achievements(campaign=campaign, period=period),
        awards=_awards(period),
    )
