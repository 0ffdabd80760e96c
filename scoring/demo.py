"""Demo standings (idempotent): the other member units' reviewed evidence for the past quarters, then a recompute.

The evidence demo gives a handful of units evidence in every state for the
reviewer's queue; here the rest of the district's units get accepted evidence
with varied scores, so the standings, the heat map and the leader's chart have
something to show. Written straight to the tables like the evidence demo (past
quarters are locked for the services); the scores go through the real recompute.
"""

import hashlib
from datetime import timedelta
from decimal import Decimal

from campaigns.models import ClusterMember, Criterion, Period
from campaigns.selectors import scored_criteria
from evidence.models import Evidence

from . import compute
from .services import SCORE_STEP

# Units whose evidence the evidence demo writes by hand (the reviewer's queue).
CURATED = {"GR-01", "GR-02", "GR-03", "GR-04", "GR-06"}


def _share(*parts: str) -> Decimal:
    """A stable number in [0, 1) for these parts: the same demo on every run."""
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    return Decimal(int.from_bytes(digest[:4], "big")) / Decimal(2**32)


def _points(criterion: Criterion, share: Decimal) -> Decimal:
    if criterion.method == Criterion.Method.BINARY:
        return criterion.max_points
    raw = criterion.max_points * (Decimal("0.55") + share * Decimal("0.45"))
    return (raw / SCORE_STEP).quantize(Decimal("1")) * SCORE_STEP


def seed(demo: dict) -> None:
    campaign = demo["campaigns"]["district"]
    reviewer = demo["accounts"]["reviewer"]
    periods = [p for p in Period.objects.filter(campaign=campaign).order_by("order")
               if p.evidence.exists()]
    criteria = list(scored_criteria(campaign).filter(category=Criterion.Category.BASE))
    members = list(ClusterMember.objects.filter(campaign=campaign).exclude(unit__code__in=CURATED)
                   .select_related("unit"))
    for period in periods:
        existing = set(Evidence.objects.filter(period=period).values_list("unit_id", "criterion_id"))
        rows = []
        for member in members:
            unit = member.unit
            # Stronger and weaker units, as in any real cluster.
            diligence = Decimal("0.5") + _share(unit.code) * Decimal("0.3") + _share(unit.code, period.name) * Decimal("0.2")
            for criterion in criteria:
                if (unit.pk, criterion.pk) in existing:
                    continue
                share = _share(unit.code, criterion.code, period.name)
                if share > diligence:
                    continue  # nothing sent for this criterion
                points = _points(criterion, _share(criterion.code, unit.code, str(period.order)))
                quantity = None
                if criterion.method == Criterion.Method.QUANTITY:
                    goal = criterion.target_quantity or Decimal(10)
                    quantity = (Decimal(goal) * (Decimal("0.5") + share)).quantize(Decimal("1"))
                submitted_at = period.deadline - timedelta(days=1 + int(share * 20))
                rows.append(Evidence(
                    campaign=campaign, period=period, unit=unit, criterion=criterion, status=Evidence.Status.ACCEPTED,
                    note=f"Báo cáo {criterion.code} của {unit.name}, {period.name}.", quantity=quantity,
                    self_score=criterion.max_points, score=points, review_remark="Đạt yêu cầu.",
                    reviewed_by=reviewer, reviewed_at=period.deadline + timedelta(days=4),
                    submitted_at=submitted_at, created_by=None,
                ))
        Evidence.objects.bulk_create(rows, ignore_conflicts=True)
        compute.period_recompute(period_id=period.pk)
