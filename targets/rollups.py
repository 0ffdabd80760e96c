"""Keeping :class:`TargetRollup` (campaign-wide totals per target and period) in step.

Two ways, both in SQL that runs on PostgreSQL and on the embedded SQLite:
:func:`rollup_refresh` recomputes the rows of some
targets with one ``INSERT … SELECT … GROUP BY … ON CONFLICT`` (used after an
allocation changes, when a period has no rows yet, and by the demo), and
:func:`rollup_apply` adds the deltas of a saved progress grid with
``UPDATE … SET x = x + delta`` in the caller's transaction, so two units
saving at once never lose each other's numbers.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import F

from .models import TargetRollup

ZERO = Decimal("0")

REFRESH_SQL = """
INSERT INTO targets_targetrollup
    (target_id, period_id, allocated, units_allocated, value, numerator, denominator, units_reported, units_met,
     campaign_units)
SELECT t.id, pe.id, COALESCE(a.allocated, 0), COALESCE(a.units, 0), COALESCE(pr.value, 0), COALESCE(pr.num, 0),
       COALESCE(pr.den, 0), COALESCE(pr.reported, 0), COALESCE(pr.met, 0), 0
FROM targets_target t
JOIN campaigns_period pe ON pe.campaign_id = t.campaign_id
LEFT JOIN (
    SELECT target_id, SUM(amount) AS allocated, COUNT(*) AS units
    FROM targets_targetallocation WHERE target_id IN ({ids}) GROUP BY target_id
) a ON a.target_id = t.id
LEFT JOIN (
    SELECT p.target_id, p.period_id, SUM(p.value) AS value, SUM(p.numerator) AS num, SUM(p.denominator) AS den,
           COUNT(*) AS reported, SUM(CASE WHEN p.value >= al.amount THEN 1 ELSE 0 END) AS met
    FROM targets_targetprogress p
    LEFT JOIN targets_targetallocation al ON al.target_id = p.target_id AND al.unit_id = p.unit_id
    WHERE p.target_id IN ({ids})
    GROUP BY p.target_id, p.period_id
) pr ON pr.target_id = t.id AND pr.period_id = pe.id
WHERE t.id IN ({ids})
ON CONFLICT (target_id, period_id) DO UPDATE SET
    allocated = EXCLUDED.allocated, units_allocated = EXCLUDED.units_allocated, value = EXCLUDED.value,
    numerator = EXCLUDED.numerator, denominator = EXCLUDED.denominator,
    units_reported = EXCLUDED.units_reported, units_met = EXCLUDED.units_met
"""

# The distinct units allocated anything in the campaigns of these targets, copied to all their rows.
CAMPAIGN_UNITS_SQL = """
UPDATE targets_targetrollup SET campaign_units = (
    SELECT COUNT(DISTINCT a.unit_id)
    FROM targets_target t JOIN targets_targetallocation a ON a.target_id = t.id
    WHERE t.campaign_id = (SELECT campaign_id FROM targets_target WHERE id = targets_targetrollup.target_id)
)
WHERE target_id IN (
    SELECT id FROM targets_target
    WHERE campaign_id IN (SELECT campaign_id FROM targets_target WHERE id IN ({ids}))
)
"""


def rollup_refresh(*, target_ids: list[int]) -> None:
    """Recompute every period's roll-up of these targets from the allocations and progress."""
    if not target_ids:
        return
    ids = [int(pk) for pk in target_ids]
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(REFRESH_SQL.format(ids=marks), ids * REFRESH_SQL.count("{ids}"))
        cursor.execute(CAMPAIGN_UNITS_SQL.format(ids=marks), ids)


@dataclass
class RollupDelta:
    value: Decimal = ZERO
    numerator: Decimal = ZERO
    denominator: Decimal = ZERO
    reported: int = 0
    met: int = 0


def rollup_apply(*, period_id: int, deltas: dict[int, RollupDelta]) -> None:
    """Add each target's delta to its roll-up at the period.

    If the period lacks rows (a period added after the targets), every target
    of the campaign is refreshed instead; the refresh already counts the rows
    the caller has just written, so no delta is added on top.
    """
    if not deltas:
        return
    from .models import Target

    campaign_targets = Target.objects.filter(campaign__periods__pk=period_id).values_list("pk", flat=True)
    campaign_targets = list(campaign_targets)
    present = TargetRollup.objects.filter(period_id=period_id, target_id__in=campaign_targets).count()
    if present < len(campaign_targets):
        rollup_refresh(target_ids=campaign_targets)
        return
    for target_id, delta in deltas.items():
        TargetRollup.objects.filter(period_id=period_id, target_id=target_id).update(
            value=F("value") + delta.value,
            numerator=F("numerator") + delta.numerator,
            denominator=F("denominator") + delta.denominator,
            units_reported=F("units_reported") + delta.reported,
            units_met=F("units_met") + delta.met,
        )
