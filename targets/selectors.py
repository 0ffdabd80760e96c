"""Reads of targets, allocations and progress, scoped to the asking user.

Roll-ups are aggregate queries (``GROUP BY`` in PostgreSQL), never Python
loops over progress rows, so a dashboard over 10,000 units answers quickly.

Numbers of percentage targets are rolled up by summing numerators and
denominators, then dividing: the rate of a district is not the mean of its
units' rates.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, NullIf

from accounts.models import Unit, User
from campaigns.models import Campaign, Cluster, ClusterMember, Criterion, Period
from campaigns.rules import manages_campaign
from campaigns.selectors import campaigns_visible_to

from .models import Target, TargetAllocation, TargetProgress, TargetReport, TargetRollup

ZERO = Decimal("0")
HUNDRED = Decimal("100")
DECIMAL = DecimalField(max_digits=20, decimal_places=4)


# --- scoping -----------------------------------------------------------------


def campaigns_with_targets_for(user: User) -> QuerySet[Campaign]:
    """Campaigns whose targets the user may see: the visible ones, plus (not in
    draft) those allocating a target to the user's unit, which must report."""
    if not user.is_authenticated:
        return Campaign.objects.none()
    visible = campaigns_visible_to(user).values("pk")
    if user.unit_id is None:
        return Campaign.objects.filter(pk__in=visible)
    allocated = TargetAllocation.objects.filter(unit_id=user.unit_id)
    if user.is_office:
        # An office follows the units below it, e.g. a district the grassroots units of a provincial campaign.
        allocated = TargetAllocation.objects.filter(unit__path__startswith=user.unit.path)
    allocated = allocated.values("target__campaign_id")
    return Campaign.objects.filter(
        Q(pk__in=visible) | (Q(pk__in=allocated) & ~Q(status=Campaign.Status.DRAFT))
    )


def targets_visible_to(user: User) -> QuerySet[Target]:
    return Target.objects.filter(campaign__in=campaigns_with_targets_for(user))


def targets_managed_by(user: User) -> QuerySet[Target]:
    from campaigns.selectors import campaigns_managed_by

    return Target.objects.filter(campaign__in=campaigns_managed_by(user))


def scope_unit_ids(*, user: User, campaign: Campaign) -> list[int] | None:
    """Ids of the units whose numbers the user may see in ``campaign``; ``None`` means all.

    The office running the campaign sees every unit; anyone else sees their own
    unit, the units below it (an office's district) and the members of the
    clusters their unit leads or deputises, or that they follow. The ids are
    returned as a list (a few hundred at most), so the roll-ups filter by an
    indexed ``unit_id IN (…)`` instead of a subquery the planner cannot size.
    """
    if manages_campaign(user, campaign):
        return None
    if user.unit_id is None:
        return []
    clusters = Cluster.objects.filter(campaign=campaign).filter(
        Q(leader_unit_id=user.unit_id) | Q(deputy_unit_id=user.unit_id) | Q(follower=user)
    )
    members = ClusterMember.objects.filter(cluster__in=clusters).values("unit_id")
    own = Q(pk=user.unit_id)
    if user.is_office:
        own |= Q(path__startswith=user.unit.path)
    return list(Unit.objects.filter(own | Q(pk__in=members)).values_list("pk", flat=True))


def _scoped(queryset: QuerySet, unit_ids: list[int] | None, field_name: str = "unit_id") -> QuerySet:
    return queryset if unit_ids is None else queryset.filter(**{f"{field_name}__in": unit_ids})


def allocated_units(*, campaign: Campaign, unit_ids: list[int] | None = None) -> QuerySet[Unit]:
    """Units with at least one target of the campaign allocated to them."""
    units = Unit.objects.filter(
        pk__in=TargetAllocation.objects.filter(target__campaign=campaign).values("unit_id")
    )
    return _scoped(units, unit_ids, "pk")


def allocation_candidates(*, campaign: Campaign, depth: int) -> QuerySet[Unit]:
    """Active units at ``depth`` below the campaign's issuing unit (its districts, or its grassroots units)."""
    issuing = campaign.issuing_unit
    return Unit.objects.filter(path__startswith=issuing.path, depth=depth, is_active=True).order_by("path")


def allocation_levels(*, campaign: Campaign) -> list[tuple[int, str]]:
    """The depths below the issuing unit that hold units, each labelled by the levels found there."""
    issuing = campaign.issuing_unit
    rows = (
        Unit.objects.filter(path__startswith=issuing.path, depth__gt=issuing.depth, is_active=True)
        .values("depth", "level").distinct().order_by("depth", "level")
    )
    labels: dict[int, list[str]] = {}
    names = dict(Unit.Level.choices)
    for row in rows:
        labels.setdefault(row["depth"], []).append(str(names[row["level"]]))
    return [(depth, ", ".join(levels)) for depth, levels in labels.items()]


# --- time ----------------------------------------------------------------------


def elapsed_fraction(*, campaign: Campaign, on: date) -> Decimal:
    """Share of the campaign's duration elapsed at the end of day ``on`` (0 to 1)."""
    days = (campaign.end_date - campaign.start_date).days + 1
    done = (on - campaign.start_date).days + 1
    return min(max(Decimal(done) / Decimal(days), ZERO), Decimal("1")).quantize(Decimal("0.0001"))


def period_fraction(period: Period) -> Decimal:
    """Expected share of a target reached by the end of ``period`` (elapsed time of the campaign)."""
    return elapsed_fraction(campaign=period.campaign, on=period.end_date)


# --- achievement ---------------------------------------------------------------


def rate(numerator, denominator) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return (Decimal(numerator) * HUNDRED / Decimal(denominator)).quantize(Decimal("0.01"))


@dataclass
class Achievement:
    """One target's result for a set of units at the end of a period."""

    target: Target
    allocated: Decimal = ZERO
    units_allocated: int = 0
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    units_reported: int = 0
    units_met: int | None = None
    fraction: Decimal = ZERO
    series: list = field(default_factory=list)

    @property
    def result(self) -> Decimal | None:
        """The number shown: the rate for a percentage, the share of units meeting N, else the sum."""
        kind = self.target.kind
        if kind == Target.Kind.PERCENTAGE:
            return rate(self.numerator, self.denominator)
        if kind == Target.Kind.PER_UNIT_MIN:
            if not self.units_allocated or self.units_met is None:
                return None
            return (Decimal(self.units_met) * HUNDRED / self.units_allocated).quantize(Decimal("0.01"))
        return self.value

    @property
    def goal(self) -> Decimal:
        """What ``result`` is compared with."""
        if self.target.kind == Target.Kind.COUNT:
            return self.allocated if self.allocated else self.target.total
        if self.target.kind == Target.Kind.PER_UNIT_MIN:
            return HUNDRED
        return self.target.total

    @property
    def percent(self) -> Decimal | None:
        if self.result is None or not self.goal:
            return None
        return (self.result * HUNDRED / self.goal).quantize(Decimal("0.1"))

    @property
    def expected_percent(self) -> Decimal:
        if self.target.kind == Target.Kind.PERCENTAGE:
            return HUNDRED
        return (self.fraction * HUNDRED).quantize(Decimal("0.1"))

    @property
    def on_track(self) -> bool | None:
        if self.percent is None:
            return None
        return self.percent >= self.expected_percent


def campaign_achievements(
    *, campaign: Campaign, period: Period | None, unit_ids: list[int] | None = None
) -> list[Achievement]:
    """Every target of the campaign with its roll-up at ``period`` and its series across periods.

    For the whole campaign (``unit_ids`` None) this reads the maintained
    :class:`TargetRollup` rows: one small query whatever the number of units.
    For a scope (a cluster, a district, a unit) it runs three aggregate
    queries restricted to the scope's units.
    """
    targets = list(campaign.targets.all())
    if not targets:
        return []
    periods = list(campaign.periods.all())
    fraction = period_fraction(period) if period else ZERO
    by_id = {t.pk: Achievement(target=t, fraction=fraction) for t in targets}
    if unit_ids is None:
        rollups = list(TargetRollup.objects.filter(target__campaign=campaign).values())
        if len(rollups) == len(targets) * len(periods):
            _fill_from_rollups(by_id, periods, period, rollups)
            return [by_id[t.pk] for t in targets]
    _fill_by_aggregates(by_id, campaign, periods, period, unit_ids)
    return [by_id[t.pk] for t in targets]


def _fill_from_rollups(by_id: dict, periods: list[Period], period: Period | None, rollups: list[dict]) -> None:
    cells = {(row["target_id"], row["period_id"]): row for row in rollups}
    for achievement in by_id.values():
        for p in periods:
            row = cells[(achievement.target.pk, p.pk)]
            reported = row["units_reported"] > 0
            if achievement.target.kind == Target.Kind.PERCENTAGE:
                achievement.series.append(rate(row["numerator"], row["denominator"]) if reported else None)
            else:
                achievement.series.append(row["value"] if reported else None)
            if period is not None and p.pk == period.pk:
                achievement.allocated = row["allocated"]
                achievement.units_allocated = row["units_allocated"]
                if reported:
                    achievement.value = row["value"]
                    if achievement.target.kind == Target.Kind.PERCENTAGE:
                        achievement.numerator = row["numerator"]
                        achievement.denominator = row["denominator"]
                    achievement.units_reported = row["units_reported"]
                if achievement.target.kind == Target.Kind.PER_UNIT_MIN:
                    achievement.units_met = row["units_met"]
        if period is None and periods:
            first = cells[(achievement.target.pk, periods[0].pk)]
            achievement.allocated, achievement.units_allocated = first["allocated"], first["units_allocated"]


def _fill_by_aggregates(by_id: dict, campaign: Campaign, periods: list[Period], period: Period | None,
                        unit_ids: list[int] | None) -> None:
    allocations = (
        _scoped(TargetAllocation.objects.filter(target__campaign=campaign), unit_ids)
        .values("target_id").annotate(allocated=Sum("amount"), units=Count("id")).order_by()
    )
    for row in allocations:
        by_id[row["target_id"]].allocated = row["allocated"]
        by_id[row["target_id"]].units_allocated = row["units"]
    progress = (
        _scoped(TargetProgress.objects.filter(period__campaign=campaign), unit_ids)
        .values("target_id", "period_id")
        .annotate(value=Sum("value"), num=Sum("numerator"), den=Sum("denominator"), reported=Count("id"))
        .order_by()
    )
    cells = {(row["target_id"], row["period_id"]): row for row in progress}
    for achievement in by_id.values():
        for p in periods:
            row = cells.get((achievement.target.pk, p.pk))
            if achievement.target.kind == Target.Kind.PERCENTAGE:
                point = rate(row["num"], row["den"]) if row else None
            else:
                point = row["value"] if row else None
            achievement.series.append(point)
            if period is not None and p.pk == period.pk and row:
                achievement.value = row["value"]
                achievement.numerator = row["num"]
                achievement.denominator = row["den"]
                achievement.units_reported = row["reported"]
    per_unit = [pk for pk, a in by_id.items() if a.target.kind == Target.Kind.PER_UNIT_MIN]
    if period is not None and per_unit:
        met = (
            _scoped(TargetProgress.objects.filter(period=period, target_id__in=per_unit), unit_ids)
            .annotate(amount=Subquery(
                TargetAllocation.objects.filter(target_id=OuterRef("target_id"), unit_id=OuterRef("unit_id"))
                .values("amount")[:1]
            ))
            .filter(amount__isnull=False, value__gte=F("amount"))
            .values("target_id").annotate(met=Count("id")).order_by()
        )
        counts = {row["target_id"]: row["met"] for row in met}
        for pk in per_unit:
            by_id[pk].units_met = counts.get(pk, 0)


def allocation_rows(*, target: Target, period: Period | None, unit_ids: list[int] | None = None) -> QuerySet:
    """The target's allocations with each unit's numbers at ``period``, annotated in SQL:
    ``value``, ``numerator``, ``denominator`` (None if not reported), ``expected``
    (the share due by the end of the period; the rate itself for a percentage),
    ``percent`` (of the allocation) and ``behind`` (below expected, or not reported)."""
    rows = _scoped(target.allocations.select_related("unit"), unit_ids).order_by("unit__path")
    if period is None:
        return rows.annotate(value=Value(None, DECIMAL), numerator=Value(None, DECIMAL),
                             denominator=Value(None, DECIMAL), percent=Value(None, DECIMAL),
                             expected=F("amount"), behind=Value(False, BooleanField()))
    progress = TargetProgress.objects.filter(target_id=target.pk, unit_id=OuterRef("unit_id"), period=period)
    rows = rows.annotate(
        value=Subquery(progress.values("value")[:1]),
        numerator=Subquery(progress.values("numerator")[:1]),
        denominator=Subquery(progress.values("denominator")[:1]),
    )
    if target.kind == Target.Kind.PERCENTAGE:
        expected = F("amount")
    else:
        expected = ExpressionWrapper(F("amount") * Value(period_fraction(period), DECIMAL), output_field=DECIMAL)
    return rows.annotate(
        expected=expected,
        percent=ExpressionWrapper(F("value") * HUNDRED / NullIf(F("amount"), ZERO), output_field=DECIMAL),
    ).annotate(
        behind=ExpressionWrapper(Q(value__lt=F("expected")) | Q(value__isnull=True), output_field=BooleanField()),
    )


def units_behind(*, target: Target, period: Period, unit_ids: list[int] | None = None) -> QuerySet:
    """Allocations whose unit has not reached its expected share by the end of ``period`` (or not reported).

    Written as ``NOT EXISTS`` (an anti-join in PostgreSQL) so that counting
    them over 10,000 units does not run one subquery per unit.
    """
    if target.kind == Target.Kind.PERCENTAGE:
        expected = OuterRef("amount")
    else:
        expected = ExpressionWrapper(OuterRef("amount") * Value(period_fraction(period), DECIMAL), output_field=DECIMAL)
    reached = TargetProgress.objects.filter(
        target_id=target.pk, unit_id=OuterRef("unit_id"), period=period, value__gte=expected
    )
    behind = _scoped(target.allocations.filter(~Exists(reached)), unit_ids).values("pk")
    return allocation_rows(target=target, period=period, unit_ids=unit_ids).filter(pk__in=behind)


@dataclass
class RollupRow:
    key: int | None
    name: str
    allocated: Decimal = ZERO
    units_allocated: int = 0
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    units_reported: int = 0

    def result(self, kind: str) -> Decimal | None:
        if kind == Target.Kind.PERCENTAGE:
            return rate(self.numerator, self.denominator)
        return self.value


def target_rollup(
    *, target: Target, period: Period, by: str, unit_ids: list[int] | None = None
) -> list[RollupRow]:
    """The target's numbers grouped ``by`` "cluster" (the campaign's clusters) or
    "parent" (the unit above, e.g. the district of a grassroots unit). Two
    aggregate queries: allocations and progress, each grouped by the key."""
    if by == "cluster":
        key = "unit__cluster_memberships__cluster_id"
        join = {"unit__cluster_memberships__campaign_id": target.campaign_id}
        names = dict(Cluster.objects.filter(campaign_id=target.campaign_id).values_list("pk", "name"))
    else:
        key = "unit__parent_id"
        join = {}
        names = None
    allocations = (
        _scoped(target.allocations.filter(**join), unit_ids)
        .values(key).annotate(allocated=Sum("amount"), units=Count("id")).order_by()
    )
    progress = (
        _scoped(TargetProgress.objects.filter(target=target, period=period, **join), unit_ids)
        .values(key).annotate(value=Sum("value"), num=Sum("numerator"), den=Sum("denominator"), reported=Count("id"))
        .order_by()
    )
    rows: dict = {}
    for row in allocations:
        rows[row[key]] = RollupRow(key=row[key], name="", allocated=row["allocated"], units_allocated=row["units"])
    for row in progress:
        item = rows.setdefault(row[key], RollupRow(key=row[key], name=""))
        item.value, item.numerator, item.denominator = row["value"], row["num"], row["den"]
        item.units_reported = row["reported"]
    if names is None:
        names = dict(Unit.objects.filter(pk__in=[k for k in rows if k]).values_list("pk", "name"))
    for item in rows.values():
        item.name = names.get(item.key, "")
    return sorted(rows.values(), key=lambda r: r.name)


# --- reporting rate -------------------------------------------------------------


def reporting_status(*, campaign: Campaign, period: Period, unit_ids: list[int] | None = None) -> QuerySet[Unit]:
    """Units expected to report, each annotated with ``first_reported_at`` for the period (None if not yet)."""
    first = TargetReport.objects.filter(unit_id=OuterRef("pk"), period=period).values("first_reported_at")[:1]
    return allocated_units(campaign=campaign, unit_ids=unit_ids).annotate(
        first_reported_at=Subquery(first)
    ).order_by("path")


def reporting_rate(*, campaign: Campaign, period: Period, unit_ids: list[int] | None = None) -> dict:
    """{"expected", "reported", "on_time"}: counts of units, in two aggregate queries.

    Only units with an allocation count, as expected and as reported. For the
    whole campaign the expected count comes from the maintained roll-ups.
    """
    allocated = TargetAllocation.objects.filter(unit_id=OuterRef("unit_id"), target__campaign_id=campaign.pk)
    reports = _scoped(TargetReport.objects.filter(period=period), unit_ids)
    if unit_ids is not None:
        reports = reports.filter(Exists(allocated))
    counts = reports.aggregate(
        reported=Count("id"), on_time=Count("id", filter=Q(first_reported_at__lte=period.deadline))
    )
    expected = None
    if unit_ids is None:
        expected = (
            TargetRollup.objects.filter(period=period, target__campaign=campaign)
            .values_list("campaign_units", flat=True).first()
        )
    if expected is None:
        expected = allocated_units(campaign=campaign, unit_ids=unit_ids).count()
    return {"expected": expected, "reported": counts["reported"], "on_time": counts["on_time"]}


# --- one unit's grid --------------------------------------------------------------


def unit_allocations(*, campaign: Campaign, unit: Unit) -> QuerySet[TargetAllocation]:
    return TargetAllocation.objects.filter(target__campaign=campaign, unit=unit).select_related("target").order_by(
        "target__order", "target__code"
    )


def unit_progress(*, campaign: Campaign, unit: Unit) -> dict[tuple[int, int], TargetProgress]:
    """{(target_id, period_id): progress} of one unit in the campaign."""
    rows = TargetProgress.objects.filter(target__campaign=campaign, unit=unit)
    return {(p.target_id, p.period_id): p for p in rows}


def previous_period(period: Period) -> Period | None:
    return Period.objects.filter(campaign_id=period.campaign_id, order__lt=period.order).order_by("-order").first()


def criteria_by_target(*, campaign: Campaign) -> dict[int, list[Criterion]]:
    """Quantity criteria fed by each target, for the progress grid."""
    linked: dict[int, list[Criterion]] = {}
    for criterion in campaign.criteria.filter(method=Criterion.Method.QUANTITY, target__isnull=False):
        linked.setdefault(criterion.target_id, []).append(criterion)
    return linked


# --- the link to quantity criteria (for the scoring app) ---------------------------------


def quantity_for(*, criterion: Criterion, unit: Unit, period: Period) -> Decimal | None:
    """The quantity of a "quantity against a target" criterion for a unit and period,
    taken from the unit's reported progress on the criterion's linked target.

    Returns the cumulative value to date (the rate in % for a percentage
    target), or ``None`` when the criterion is not a quantity criterion with a
    linked target or the unit has not reported for that period. A unit thus
    enters a number once and scoring reads it here.
    """
    if criterion.method != Criterion.Method.QUANTITY or criterion.target_id is None:
        return None
    return (
        TargetProgress.objects.filter(target_id=criterion.target_id, unit=unit, period=period)
        .values_list("value", flat=True).first()
    )


def quantities_for_period(*, period: Period) -> dict[tuple[int, int], Decimal]:
    """Every quantity of :func:`quantity_for` for one period in one query:
    ``{(unit_id, criterion_id): value}``. Missing keys mean "not reported";
    scoring treats them as it treats a missing quantity."""
    rows = TargetProgress.objects.filter(
        period=period,
        target__criteria__campaign_id=period.campaign_id,
        target__criteria__method=Criterion.Method.QUANTITY,
        target__criteria__kind=Criterion.Kind.CRITERION,
    ).values_list("unit_id", "target__criteria__id", "value")
    return {(unit_id, criterion_id): value for unit_id, criterion_id, value in rows}


def current_total(queryset: QuerySet) -> Decimal:
    return queryset.aggregate(total=Coalesce(Sum("amount"), ZERO, output_field=DECIMAL))["total"]
