"""Demo targets: the provincial plan 2020 (seed 000) allocated to its six
district-level units in proportion to their members, with progress for its
two phases, so the targets dashboard shows real-looking numbers.

Idempotent: allocations and progress are updated in place. An office account
of the provincial office ("tinhdoan") runs the campaign; the demo "reviewer"
(Huyện đoàn Giồng Riềng) sees and reports its own unit's numbers, "admin" sees all.
"""

from datetime import timedelta
from decimal import Decimal

from accounts.demo import _account
from accounts.models import User
from campaigns.deadlines import end_of_day_ict

from .models import Target, TargetAllocation, TargetProgress, TargetReport
from .rollups import rollup_refresh
from .services import split_proportionally

DISTRICT_UNITS = ["HD-GR", "HD-GQ", "HD-TH", "HD-CT", "TD-RG", "DK-CQ"]
# Share of its allocation each unit had reached by the end of phase 1 and phase 2 (in %).
PHASE_SHARES = {
    "HD-GR": (52, 104), "HD-GQ": (41, 93), "HD-TH": (47, 99),
    "HD-CT": (35, 86), "TD-RG": (58, 112), "DK-CQ": (44, 97),
}
LATE_UNIT = "DK-CQ"  # reported phase 2 two days after the deadline


def seed(demo: dict) -> None:
    units = demo["units"]
    campaign = demo["campaigns"]["provincial"]
    demo.setdefault("accounts", {})["tinhdoan"] = _account(
        "tinhdoan", full_name="Phạm Thanh Tùng", unit=units["TD-KG"], role=User.Role.OFFICE,
        position="Chánh Văn phòng Tỉnh đoàn", email="tinhdoan@example.org",
    )
    admin = demo["accounts"].get("admin")
    chosen = [units[code] for code in DISTRICT_UNITS]
    weights = {unit.pk: unit.member_count for unit in chosen}
    periods = list(campaign.periods.order_by("order")[:2])
    for target in campaign.targets.all():
        if target.kind == Target.Kind.COUNT:
            amounts = split_proportionally(total=target.total, weights=weights)
        else:
            amounts = dict.fromkeys(weights, target.total)
        for unit in chosen:
            TargetAllocation.objects.update_or_create(target=target, unit=unit, defaults={"amount": amounts[unit.pk]})
            for index, period in enumerate(periods):
                share = Decimal(PHASE_SHARES[unit.code][index])
                defaults = {"note": "", "created_by": admin, "updated_by": admin}
                if target.kind == Target.Kind.PERCENTAGE:
                    # Denominator: members concerned so far; numerator near the unit's share of the rate.
                    denominator = Decimal(unit.member_count * (index + 1) // 20)
                    numerator = min(denominator, (denominator * target.total * share / 10000).quantize(Decimal("1")))
                    defaults.update(numerator=numerator, denominator=denominator,
                                    value=(numerator * 100 / denominator).quantize(Decimal("0.01")))
                else:
                    defaults.update(value=(amounts[unit.pk] * share / 100).quantize(Decimal("1")),
                                    numerator=None, denominator=None)
                progress, _created = TargetProgress.objects.update_or_create(
                    target=target, unit=unit, period=period, defaults=defaults
                )
                late = unit.code == LATE_UNIT and index == 1
                # The demo writes rows directly (history, not a user's action), dated as if reported then.
                reported = period.deadline + timedelta(days=2) if late else end_of_day_ict(
                    period.end_date + timedelta(days=5))
                TargetProgress.objects.filter(pk=progress.pk).update(created_at=reported, updated_at=reported)
                TargetReport.objects.update_or_create(
                    unit=unit, period=period, defaults={"first_reported_at": reported, "first_reported_by": admin}
                )
    rollup_refresh(target_ids=list(campaign.targets.values_list("pk", flat=True)))
