"""Reads of the score tables for the standings pages (xếp hạng), scoped to the asking user.

Pages only read what ``scoring.compute`` wrote; nothing here ranks or sums
evidence. Each selector issues a fixed number of queries whatever the number
of clusters or units, because the national campaign has 700 clusters and
10,000 units on one page.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from accounts.models import User
from campaigns.models import Campaign, Cluster, ClusterMember, Criterion, Period
from campaigns.rules import manages_campaign
from campaigns.selectors import campaigns_managed_by, clusters_led_by, current_period
from core.templatetags.formatting import percent as percent_text
from core.templatetags.formatting import score as score_text
from evidence.models import Evidence

from .models import (
    ClusterScore,
    ClusterSectionScore,
    ClusterYearScore,
    CriterionScore,
    DirtyCluster,
    PeriodStanding,
    Review,
    StandingSnapshot,
    UnitScore,
    UnitYearScore,
)

# Heat-map colour bands: the lower bound (percent of the section's points) of each band, best last.
HEAT_BANDS = (Decimal("0"), Decimal("40"), Decimal("60"), Decimal("80"), Decimal("90"))


# ---------------------------------------------------------------- who sees what

def sees_all_standings(user: User, campaign: Campaign) -> bool:
    """Reviewers see every cluster's standing: the office running the campaign, an administrator,
    or an official following one of its clusters (cán bộ phụ trách cụm)."""
    if not user.is_authenticated:
        return False
    return bool(manages_campaign(user, campaign) or campaign.clusters.filter(follower_id=user.pk).exists())


def clusters_with_standing_visible_to(user: User) -> QuerySet[Cluster]:
    """Clusters whose standing page the user may open: led (cụm trưởng, cụm phó) by the user's unit,
    followed by the user, or in a campaign the user's office runs; every cluster for an admin."""
    if not user.is_authenticated:
        return Cluster.objects.none()
    if user.is_admin:
        return Cluster.objects.all()
    if user.is_office:
        return Cluster.objects.filter(Q(campaign__in=campaigns_managed_by(user)) | Q(follower=user))
    return clusters_led_by(user)


def memberships_with_scores_visible_to(user: User) -> QuerySet[ClusterMember]:
    """Cluster memberships whose unit's scores the user may read: their own unit's; the members of a
    cluster their unit leads; the members of a cluster they follow or of a campaign their office runs."""
    if not user.is_authenticated:
        return ClusterMember.objects.none()
    if user.is_admin:
        return ClusterMember.objects.all()
    if user.unit_id is None:
        return ClusterMember.objects.none()
    if user.is_office:
        return ClusterMember.objects.filter(Q(campaign__in=campaigns_managed_by(user)) | Q(cluster__follower=user))
    return ClusterMember.objects.filter(
        Q(unit_id=user.unit_id) | Q(cluster__leader_unit_id=user.unit_id) | Q(cluster__deputy_unit_id=user.unit_id)
    ).exclude(campaign__status=Campaign.Status.DRAFT)


def standing_period(campaign: Campaign) -> Period | None:
    """The period the standings open on: the latest whose deadline has passed (its evidence is in and being
    scored), else the current one. Uses ``campaign.periods`` as prefetched by the caller."""
    now = timezone.now()
    passed = [p for p in campaign.periods.all() if p.deadline < now]
    if passed:
        return max(passed, key=lambda p: (p.deadline, p.order))
    return current_period(campaign)


def pick_period(campaign: Campaign, period_id: str | int | None) -> Period | None:
    """The period asked for in ``?period=`` (must belong to the campaign), else ``standing_period``.

    Uses ``campaign.periods`` as prefetched by the caller: no query of its own then.
    """
    periods = list(campaign.periods.all())
    if period_id not in (None, ""):
        try:
            wanted = int(period_id)
        except (TypeError, ValueError):
            return None
        return next((p for p in periods if p.pk == wanted), None)
    return standing_period(campaign)


# ---------------------------------------------------------------- freshness and freezing

@dataclass
class Freshness:
    """When the shown scores were computed and whether a recompute is still pending."""

    computed_at: object  # datetime | None
    dirty_count: int


def period_freshness(*, periods: list[Period]) -> Freshness:
    """The last recompute among ``periods`` (one period, or the whole year) and their pending clusters."""
    ids = [p.pk for p in periods]
    computed_at = PeriodStanding.objects.filter(period_id__in=ids).aggregate(last=Max("computed_at"))["last"]
    return Freshness(computed_at=computed_at, dirty_count=DirtyCluster.objects.filter(period_id__in=ids).count())


def period_snapshots(*, period: Period) -> list[StandingSnapshot]:
    """The period's frozen standings, newest first, with who froze and who reopened them."""
    return list(StandingSnapshot.objects.filter(period=period).select_related("frozen_by", "reopened_by")
                .defer("data"))


# ---------------------------------------------------------------- the office's standings page

# The office's page lists up to 700 clusters: rows are plain objects built from ``values()`` with their texts
# formatted here once, because per-cell template filters and {% url %} tags cost more than the queries.

@dataclass(slots=True)
class StandingRow:
    """One cluster's line in the standings table (a period, or the year)."""

    cluster_id: int
    name: str
    rank: int | None
    score: Decimal
    completeness: Decimal
    url: str = ""  # the cluster's standing page, empty when the user may not open it
    previous_rank: int | None = None
    on_time: bool = False
    dossier_submitted_at: datetime | None = None
    on_time_count: int = 0  # year: periods whose dossier was on time
    period_count: int = 0
    rank_text: str = "–"
    score_text: str = ""
    completeness_text: str = ""
    dossier_text: str = ""  # the dossier's time, Vietnam time
    trend_kind: str = ""  # "up", "down", "same", or "" for a first period

    @property
    def trend(self) -> int | None:
        """Places gained (+) or lost (−) since the previous period; None for the first."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank

    @property
    def trend_places(self) -> int | None:
        return None if self.trend is None else abs(self.trend)


def _finish(row: StandingRow, url_of) -> StandingRow:
    row.rank_text = str(row.rank) if row.rank is not None else "–"
    row.score_text = score_text(row.score)
    row.completeness_text = percent_text(row.completeness, 1)
    if row.dossier_submitted_at is not None:
        row.dossier_text = timezone.localtime(row.dossier_submitted_at).strftime("%H:%M %d/%m/%Y")
    row.url = url_of(row.cluster_id) or ""
    trend = row.trend
    row.trend_kind = "" if trend is None else "up" if trend > 0 else "down" if trend < 0 else "same"
    return row


def cluster_standings(*, period: Period, url_of=lambda cluster_id: "") -> list[StandingRow]:
    """Every cluster's standing in the period, best first (one query). ``url_of(cluster_id)`` links a row."""
    rows = (ClusterScore.objects.filter(period=period)
            .order_by(F("rank").asc(nulls_last=True), "cluster__order", "cluster__name")
            .values_list("cluster_id", "cluster__name", "rank", "score", "completeness", "previous_rank", "on_time",
                         "dossier_submitted_at"))
    return [
        _finish(StandingRow(cluster_id=cluster_id, name=name, rank=rank, score=score, completeness=completeness,
                            previous_rank=previous_rank, on_time=on_time, dossier_submitted_at=submitted_at), url_of)
        for cluster_id, name, rank, score, completeness, previous_rank, on_time, submitted_at in rows
    ]


def cluster_year_standings(*, campaign: Campaign, url_of=lambda cluster_id: "") -> list[StandingRow]:
    """Every cluster's year standing, best first, with the number of periods its dossier was on time
    (two queries)."""
    on_time = {
        cluster_id: (on_time_count, periods)
        for cluster_id, on_time_count, periods in ClusterScore.objects.filter(campaign=campaign)
        .values("cluster_id").annotate(on_time_count=Count("id", filter=Q(on_time=True)), periods=Count("id"))
        .values_list("cluster_id", "on_time_count", "periods")
    }
    rows = (ClusterYearScore.objects.filter(campaign=campaign)
            .order_by(F("rank").asc(nulls_last=True), "cluster__order", "cluster__name")
            .values_list("cluster_id", "cluster__name", "rank", "score", "completeness"))
    return [
        _finish(StandingRow(cluster_id=cluster_id, name=name, rank=rank, score=score, completeness=completeness,
                            on_time_count=on_time.get(cluster_id, (0, 0))[0],
                            period_count=on_time.get(cluster_id, (0, 0))[1]), url_of)
        for cluster_id, name, rank, score, completeness in rows
    ]


@dataclass(frozen=True)
class HeatCell:
    percent: Decimal
    label: str  # the rounded percentage shown in the cell
    band: int  # index in HEAT_BANDS


@dataclass(slots=True)
class HeatRow:
    cluster_id: int
    name: str
    cells: list[HeatCell | None]  # one per section

    @property
    def cells_html(self) -> SafeString:
        """The row's cells as HTML, built here: 700 rows × sections are too many template nodes for the page's
        time budget. Only numbers go in, so nothing needs escaping."""
        return mark_safe("".join(  # noqa: S308 - integers and fixed class names only
            f'<td class="heat-{cell.band}">{cell.label}</td>' if cell else '<td class="heat-none">–</td>'
            for cell in self.cells))


@dataclass
class HeatMap:
    sections: list[Criterion]
    rows: list[HeatRow]
    bands: list[tuple[int, str]] = field(default_factory=list)  # (band, "40–59 %") for the legend


def _heat_cell(points: Decimal, max_points: Decimal) -> HeatCell:
    percent = (points * 100 / max_points) if max_points else Decimal("0")
    band = sum(1 for lower in HEAT_BANDS[1:] if percent >= lower)
    label = str(percent.quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    return HeatCell(percent=percent, label=label, band=band)


def _legend() -> list[tuple[int, str]]:
    bounds = [int(b) for b in HEAT_BANDS]
    legend = []
    for index, lower in enumerate(bounds):
        upper = bounds[index + 1] - 1 if index + 1 < len(bounds) else 100
        legend.append((index, f"{lower}–{upper} %"))
    return legend


def section_heatmap(*, campaign: Campaign, periods: list[Period], clusters: list[StandingRow]) -> HeatMap:
    """Clusters × top sections of the criteria set: the share of the section's points each cluster earned.

    For one period the cells are that period's ``ClusterSectionScore``; for several
    (the year) the points and maxima are summed over the periods. Two queries,
    pivoted here; ``clusters`` gives the rows' order.
    """
    cells: dict[tuple[int, int], HeatCell] = {}
    section_ids: set[int] = set()
    rows = (ClusterSectionScore.objects.filter(period_id__in=[p.pk for p in periods])
            .values("cluster_id", "section_id").annotate(points=Sum("points"), max_points=Sum("max_points"))
            .values_list("cluster_id", "section_id", "points", "max_points"))
    for cluster_id, section_id, points, max_points in rows:
        cells[(cluster_id, section_id)] = _heat_cell(points, max_points)
        section_ids.add(section_id)
    sections = list(Criterion.objects.filter(campaign=campaign, pk__in=section_ids).order_by("order", "code")
                    .only("id", "code", "title", "order")) if section_ids else []
    return HeatMap(
        sections=sections,
        rows=[HeatRow(row.cluster_id, row.name, [cells.get((row.cluster_id, s.pk)) for s in sections])
              for row in clusters],
        bands=_legend(),
    )


CLASSIFICATION_ORDER = [choice for choice, _label in UnitYearScore.Classification.choices]


def classification_counts(*, campaign: Campaign) -> list[tuple[str, str, int]]:
    """(classification, label, number of units) in the grading's order, zeros included (one query)."""
    counts = dict(UnitYearScore.objects.filter(campaign=campaign).values("classification")
                  .annotate(n=Count("id")).values_list("classification", "n"))
    return [(value, label, counts.get(value, 0)) for value, label in UnitYearScore.Classification.choices]


def units_by_classification(*, campaign: Campaign, classification: str) -> QuerySet[UnitYearScore]:
    """The units of one year classification, best first (paginate it: a national campaign has 10,000 units)."""
    return (UnitYearScore.objects.filter(campaign=campaign, classification=classification)
            .select_related("unit", "cluster").order_by("-percent", "-total", "unit__name"))


# ---------------------------------------------------------------- one cluster

def cluster_period_scores(*, cluster: Cluster) -> dict[int, ClusterScore]:
    """{period id: the cluster's standing} for every period of its campaign (one query)."""
    return {row.period_id: row for row in ClusterScore.objects.filter(cluster=cluster)}


def ranked_cluster_count(*, period: Period) -> int:
    return ClusterScore.objects.filter(period=period, rank__isnull=False).count()


def leading_cluster_scores(*, period: Period, cluster: Cluster) -> tuple[ClusterScore | None, ClusterScore | None]:
    """(the period's leading cluster, the cluster to compare ``cluster`` with) in one query.

    The comparison is with the leader, or with the runner-up when ``cluster`` leads.
    """
    best = list(ClusterScore.objects.filter(period=period, rank__isnull=False).select_related("cluster")
                .order_by("rank", "cluster__order", "cluster__name")[:2])
    leader = best[0] if best else None
    if leader is not None and leader.cluster_id == cluster.pk:
        return leader, best[1] if len(best) > 1 else None
    return leader, leader


@dataclass
class GapRow:
    """One row of the comparison with another cluster: a section heading or a criterion."""

    criterion: Criterion
    is_section: bool
    ours: Decimal | None  # average points per member unit (criteria) or percent (sections)
    theirs: Decimal | None
    gap: Decimal | None  # ours − theirs; for penalty criteria the points count against


def _average_points(*, period: Period, cluster_ids: list[int]) -> dict[tuple[int, int], Decimal]:
    """{(cluster id, criterion id): points per member unit} from the unit criterion scores (two queries).

    A member without a score on a criterion counts as 0, so the average is over all members.
    """
    members = list(ClusterMember.objects.filter(cluster_id__in=cluster_ids).values_list("unit_id", "cluster_id"))
    cluster_of = dict(members)
    sizes: dict[int, int] = {}
    for _unit_id, cluster_id in members:
        sizes[cluster_id] = sizes.get(cluster_id, 0) + 1
    sums: dict[tuple[int, int], Decimal] = {}
    for unit_id, criterion_id, points in (CriterionScore.objects.filter(period=period, unit_id__in=cluster_of)
                                          .values_list("unit_id", "criterion_id", "points")):
        key = (cluster_of[unit_id], criterion_id)
        sums[key] = sums.get(key, Decimal("0")) + points
    return {key: (total / sizes[key[0]]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            for key, total in sums.items()}


def cluster_gap(*, campaign: Campaign, period: Period, cluster: Cluster, other: Cluster | None,
                criteria: list[tuple[Criterion, int]]) -> list[GapRow]:
    """The cluster against ``other`` (the leading cluster), criterion by criterion, in the criteria set's order.

    Criteria: the average points per member unit; sections: the share of the section's points
    (``ClusterSectionScore``). Four queries whatever the size of the clusters.
    """
    ids = [cluster.pk] + ([other.pk] if other else [])
    average = _average_points(period=period, cluster_ids=ids)
    section_percent = {
        (cluster_id, section_id): percent
        for cluster_id, section_id, percent in ClusterSectionScore.objects.filter(
            period=period, cluster_id__in=ids).values_list("cluster_id", "section_id", "percent")
    }
    rows = []
    for criterion, depth in criteria:
        if criterion.kind == Criterion.Kind.SECTION:
            if depth:  # sub-sections have no score table of their own; their criteria follow
                continue
            ours = section_percent.get((cluster.pk, criterion.pk))
            theirs = section_percent.get((other.pk, criterion.pk)) if other else None
            rows.append(GapRow(criterion, True, ours, theirs,
                               None if ours is None or theirs is None else ours - theirs))
            continue
        ours = average.get((cluster.pk, criterion.pk), Decimal("0.00"))
        theirs = average.get((other.pk, criterion.pk), Decimal("0.00")) if other else None
        gap = None if theirs is None else ours - theirs
        if gap is not None and criterion.category == Criterion.Category.PENALTY:
            gap = -gap
        rows.append(GapRow(criterion, False, ours, theirs, gap))
    return rows


def member_contributions(*, period: Period, cluster: Cluster) -> list[tuple[UnitScore, UnitYearScore | None]]:
    """Each member unit's score in the period, best first, with its year score (two queries)."""
    scores = list(UnitScore.objects.filter(period=period, cluster=cluster).select_related("unit")
                  .order_by(F("rank_in_cluster").asc(nulls_last=True), "unit__name"))
    years = {y.unit_id: y for y in UnitYearScore.objects.filter(campaign_id=period.campaign_id,
                                                               unit_id__in=[s.unit_id for s in scores])}
    return [(s, years.get(s.unit_id)) for s in scores]


# ---------------------------------------------------------------- one unit

@dataclass
class UnitCriterionRow:
    criterion: Criterion
    depth: int
    score: CriterionScore | None = None
    evidence: Evidence | None = None
    remark: str = ""  # the latest reviewer's remark
    remark_review: Review | None = None  # the review it comes from when the evidence carries none


def unit_criterion_rows(*, period: Period, unit_id: int, criteria: list[tuple[Criterion, int]]
                        ) -> list[UnitCriterionRow]:
    """The criteria set with the unit's points, its evidence (status, score) and the latest remark (three queries)."""
    scores = {s.criterion_id: s for s in CriterionScore.objects.filter(period=period, unit_id=unit_id)}
    evidence = {e.criterion_id: e for e in Evidence.objects.filter(period=period, unit_id=unit_id)
                .select_related("reviewed_by")}
    # An acceptance usually carries no remark: then the latest remark of an earlier review still tells why.
    earlier: dict[int, Review] = {}
    for review in (Review.objects.filter(evidence_id__in=[e.pk for e in evidence.values() if not e.review_remark])
                   .exclude(remark="").select_related("reviewer").order_by("-created_at", "-id")):
        earlier.setdefault(review.evidence_id, review)
    rows = []
    for criterion, depth in criteria:
        item = evidence.get(criterion.pk)
        row = UnitCriterionRow(criterion=criterion, depth=depth, score=scores.get(criterion.pk), evidence=item)
        if item is not None:
            row.remark = item.review_remark
            if not row.remark and item.pk in earlier:
                row.remark_review = earlier[item.pk]
                row.remark = row.remark_review.remark
        rows.append(row)
    return rows


def unit_scores(*, period: Period, unit_id: int) -> tuple[UnitScore | None, UnitYearScore | None, int]:
    """The unit's period score, its year score and the number of ranked units in its cluster (three queries)."""
    score = UnitScore.objects.filter(period=period, unit_id=unit_id).first()
    year = UnitYearScore.objects.filter(campaign_id=period.campaign_id, unit_id=unit_id).first()
    size = (UnitScore.objects.filter(period=period, cluster_id=score.cluster_id).count()
            if score is not None and score.cluster_id else 0)
    return score, year, size


# ---------------------------------------------------------------- the home page card

@dataclass
class LeaderCard:
    cluster: Cluster
    period: Period | None
    score: ClusterScore | None
    cluster_count: int


def leader_cards(user: User) -> list[LeaderCard]:
    """"Your cluster: rank X of Y, score Z" for each cluster the user's unit leads (three queries)."""
    clusters = list(clusters_led_by(user).select_related("campaign").prefetch_related("campaign__periods")[:10])
    pairs = [(c, standing_period(c.campaign)) for c in clusters]
    period_ids = [p.pk for _c, p in pairs if p is not None]
    scores = {(s.cluster_id, s.period_id): s for s in ClusterScore.objects.filter(
        period_id__in=period_ids, cluster_id__in=[c.pk for c in clusters])}
    counts = dict(ClusterScore.objects.filter(period_id__in=period_ids, rank__isnull=False)
                  .values("period_id").annotate(n=Count("id")).values_list("period_id", "n"))
    return [LeaderCard(cluster=c, period=p, score=scores.get((c.pk, p.pk)) if p else None,
                       cluster_count=counts.get(p.pk, 0) if p else 0) for c, p in pairs]
