"""Writes on targets, allocations and progress. Each one is atomic and audited."""

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Unit, User
from campaigns.models import Campaign, Criterion, Period
from campaigns.rules import manages_campaign
from core.audit import audit_record, changes_between
from scoring.compute import campaign_mark_dirty, scores_mark_unit_dirty

from .models import Target, TargetAllocation, TargetProgress, TargetReport
from .rollups import RollupDelta, rollup_apply, rollup_refresh
from .selectors import rate

TARGET_FIELDS = ("code", "name", "unit_of_measure", "kind", "total", "order", "description")


def split_proportionally(
    *, total: Decimal, weights: dict[int, int], step: Decimal = Decimal("1")
) -> dict[int, Decimal]:
    """Split ``total`` over the keys in proportion to ``weights`` (e.g. member counts),
    in whole multiples of ``step``, by the largest-remainder method: each key
    gets the floor of its exact share, and the steps left over go to the
    largest remainders (ties to the first key), so the parts add up to
    ``total`` exactly. Equal weights are used when every weight is 0."""
    if not weights:
        return {}
    if sum(weights.values()) <= 0:
        weights = dict.fromkeys(weights, 1)
    steps = int((total / step).to_integral_value(rounding=ROUND_DOWN))
    weight_sum = sum(weights.values())
    floors: dict[int, int] = {}
    remainders: list[tuple[int, int, int]] = []
    for position, (key, weight) in enumerate(weights.items()):
        # Integer arithmetic: share = steps * weight / weight_sum, exactly.
        floors[key], remainder = divmod(steps * weight, weight_sum)
        remainders.append((-remainder, position, key))
    left = steps - sum(floors.values())
    for _remainder, _position, key in sorted(remainders)[:left]:
        floors[key] += 1
    parts = {key: Decimal(count) * step for key, count in floors.items()}
    # A total that is not a multiple of the step keeps its last fraction on the largest part.
    rest = total - sum(parts.values())
    if rest:
        largest = max(parts, key=lambda k: (parts[k], -list(parts).index(k)))
        parts[largest] += rest
    return parts


@transaction.atomic
def target_create(*, campaign: Campaign, user: User, data: dict) -> Target:
    """Add a target to the campaign. Side effect: an audit entry."""
    target = Target.objects.create(campaign=campaign, **{k: data[k] for k in TARGET_FIELDS if k in data})
    rollup_refresh(target_ids=[target.pk])
    audit_record(actor=user, action="target.created", obj=target, campaign=campaign,
                 data={k: getattr(target, k) for k in TARGET_FIELDS})
    return target


@transaction.atomic
def target_update(*, target: Target, user: User, data: dict) -> Target:
    """Change a target's definition. Side effect: an audit entry with old and new values."""
    old = {k: getattr(target, k) for k in TARGET_FIELDS}
    for key in TARGET_FIELDS:
        if key in data:
            setattr(target, key, data[key])
    target.save(update_fields=[k for k in TARGET_FIELDS if k in data])
    changes = changes_between(old, {k: getattr(target, k) for k in TARGET_FIELDS})
    if "kind" in changes:
        rollup_refresh(target_ids=[target.pk])
    if changes:
        audit_record(actor=user, action="target.updated", obj=target, campaign=target.campaign, data=changes)
    return target


@transaction.atomic
def target_delete(*, target: Target, user: User) -> None:
    """Delete a target with its allocations and progress. Side effect: an audit entry."""
    audit_record(actor=user, action="target.deleted", obj=target, campaign=target.campaign,
                 data={"code": target.code, "name": target.name})
    target.delete()


@transaction.atomic
def allocation_save(*, target: Target, amounts: dict[int, Decimal | None], user: User, source: str) -> dict:
    """Make the target's allocation exactly ``amounts`` ({unit_id: amount}; None or
    missing units have none). Returns {"created", "updated", "deleted"} counts.
    Side effect: one audit entry listing the changed units."""
    wanted = {unit_id: amount for unit_id, amount in amounts.items() if amount is not None}
    if any(amount < 0 for amount in wanted.values()):
        raise ValidationError(_("An allocation cannot be negative."))
    existing = {a.unit_id: a for a in target.allocations.select_for_update()}
    changes: dict[str, list] = {}
    to_create, to_update = [], []
    for unit_id, amount in wanted.items():
        allocation = existing.get(unit_id)
        if allocation is None:
            to_create.append(TargetAllocation(target=target, unit_id=unit_id, amount=amount))
            changes[str(unit_id)] = [None, str(amount)]
        elif allocation.amount != amount:
            changes[str(unit_id)] = [str(allocation.amount), str(amount)]
            allocation.amount = amount
            to_update.append(allocation)
    gone = [a for unit_id, a in existing.items() if unit_id not in wanted]
    for allocation in gone:
        changes[str(allocation.unit_id)] = [str(allocation.amount), None]
    TargetAllocation.objects.bulk_create(to_create)
    TargetAllocation.objects.bulk_update(to_update, ["amount"])
    TargetAllocation.objects.filter(pk__in=[a.pk for a in gone]).delete()
    if changes:
        rollup_refresh(target_ids=[target.pk])
        audit_record(actor=user, action="target.allocated", obj=target, campaign=target.campaign,
                     data={"source": source, "units": changes})
        if target.criteria.filter(method=Criterion.Method.QUANTITY).exists():
            campaign_mark_dirty(campaign=target.campaign)  # the goals of quantity criteria moved
    return {"created": len(to_create), "updated": len(to_update), "deleted": len(gone)}


# --- progress --------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressInput:
    """One cell of the progress grid, already validated by the form."""

    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    note: str = ""


def progress_is_locked(*, period: Period) -> bool:
    """Units may report until the period's deadline, while it is open (like evidence)."""
    return period.is_closed or period.is_past_deadline


def progress_can_edit(*, user: User, unit: Unit, period: Period) -> bool:
    """The unit's own staff before the lock; the office running the campaign at any time."""
    if manages_campaign(user, period.campaign):
        return True
    return user.unit_id == unit.pk and not progress_is_locked(period=period)


@transaction.atomic
def progress_save(*, unit: Unit, period: Period, entries: dict[int, ProgressInput], user: User) -> int:
    """Write a unit's reported numbers for the period ({target_id: input}); blank cells are skipped.

    Raises PermissionDenied when the period is locked for the user. Returns how
    many rows changed. Side effects: the campaign roll-ups move by the
    deltas; the unit's report for the period is dated on its first save; one
    audit entry for the grid (a correction when the office writes after the lock).
    """
    if not progress_can_edit(user=user, unit=unit, period=period):
        raise PermissionDenied(_("Reporting for this period is closed."))
    targets = {t.pk: t for t in Target.objects.filter(campaign_id=period.campaign_id, pk__in=entries)}
    existing = {
        p.target_id: p
        for p in TargetProgress.objects.select_for_update().filter(unit=unit, period=period, target_id__in=targets)
    }
    amounts = dict(TargetAllocation.objects.filter(unit=unit, target_id__in=targets).values_list("target_id", "amount"))
    changes: dict[str, dict] = {}
    deltas: dict[int, RollupDelta] = {}
    for target_id, entry in entries.items():
        target = targets.get(target_id)
        if target is None or target_id not in amounts:
            continue  # only the targets allocated to the unit are reported
        if target.kind == Target.Kind.PERCENTAGE:
            if entry.numerator is None or entry.denominator is None:
                continue
            if entry.numerator < 0 or entry.denominator < 0 or entry.numerator > entry.denominator:
                raise ValidationError(_("The numerator must be between 0 and the denominator."))
            new = {"value": rate(entry.numerator, entry.denominator) or Decimal("0"),
                   "numerator": entry.numerator, "denominator": entry.denominator, "note": entry.note}
        else:
            if entry.value is None:
                continue
            if entry.value < 0:
                raise ValidationError(_("A reported value cannot be negative."))
            new = {"value": entry.value, "numerator": None, "denominator": None, "note": entry.note}
        progress = existing.get(target_id)
        if progress is None:
            TargetProgress.objects.create(target=target, unit=unit, period=period, created_by=user, updated_by=user,
                                          **new)
            changes[target.code] = changes_between({}, new)
            deltas[target_id] = _delta(old=None, new=new, amount=amounts.get(target_id))
            continue
        old = {k: getattr(progress, k) for k in new}
        diff = changes_between(old, new)
        if diff:
            for key, value in new.items():
                setattr(progress, key, value)
            progress.updated_by = user
            progress.save(update_fields=[*new, "updated_by", "updated_at"])
            changes[target.code] = diff
            deltas[target_id] = _delta(old=old, new=new, amount=amounts.get(target_id))
    rollup_apply(period_id=period.pk, deltas=deltas)
    if changes:
        TargetReport.objects.get_or_create(
            unit=unit, period=period, defaults={"first_reported_at": timezone.now(), "first_reported_by": user}
        )
        correction = progress_is_locked(period=period) or user.unit_id != unit.pk
        audit_record(
            actor=user,
            action="target.progress_corrected" if correction else "target.progress_reported",
            obj=period, unit=unit, campaign=period.campaign,
            data={"targets": changes},
        )
        if Criterion.objects.filter(target_id__in=[t.pk for t in targets.values() if t.code in changes],
                                    method=Criterion.Method.QUANTITY).exists():
            scores_mark_unit_dirty(period=period, unit_id=unit.pk)
    return len(changes)


def _delta(*, old: dict | None, new: dict, amount: Decimal | None) -> RollupDelta:
    """How one unit's change moves the campaign roll-up of a target."""
    def met(row):
        return int(row is not None and amount is not None and row["value"] >= amount)

    def number(row, key):
        return (row or {}).get(key) or Decimal("0")

    return RollupDelta(
        value=number(new, "value") - number(old, "value"),
        numerator=number(new, "numerator") - number(old, "numerator"),
        denominator=number(new, "denominator") - number(old, "denominator"),
        reported=0 if old is not None else 1,
        met=met(new) - met(old),
    )
