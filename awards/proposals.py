"""Award proposals: what the campaign's award rules suggest from a frozen standing.

Pure reads: nothing is written until the office turns the proposals into a
draft decision (``services.decision_propose``).
"""

from dataclasses import dataclass
from decimal import Decimal

from campaigns.models import Campaign, Cluster, Period

from .models import Award, AwardForm, AwardRule
from .selectors import (
    ClusterStanding,
    UnitStanding,
    period_cluster_standing,
    period_unit_standing,
    year_cluster_standing,
    year_unit_standing,
)


@dataclass(frozen=True)
class Proposal:
    rule: AwardRule
    award_form: AwardForm
    recipient_kind: str
    cluster: Cluster | None
    unit_id: int | None
    recipient_name: str
    reason: str
    standing: str


class _Blank(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def _fill(template: str, values: dict) -> str:
    """The reason with its placeholders filled; a malformed template is printed as typed."""
    try:
        return template.format_map(_Blank(values))
    except (ValueError, IndexError, AttributeError):
        return template


def _score_text(value: Decimal) -> str:
    text = f"{value.normalize():f}" if value == value.to_integral() else f"{value:.2f}".rstrip("0")
    return text.replace(".", ",")


def standing_label(campaign: Campaign, period: Period | None) -> str:
    return period.name if period is not None else f"năm {campaign.end_date.year}"


def award_proposals(*, campaign: Campaign, period: Period | None, award_forms=None) -> list[Proposal]:
    """The suggestions of the campaign's active rules for a closed period, or the year when ``period`` is None.

    Empty when the standing is not frozen. ``award_forms`` limits the rules to
    those forms (one issuer's decision).
    """
    rules = campaign.award_rules.filter(is_active=True).select_related("award_form")
    rules = rules.exclude(scope=AwardRule.Scope.YEAR if period is not None else AwardRule.Scope.PERIOD)
    if award_forms is not None:
        rules = rules.filter(award_form__in=award_forms)
    rules = list(rules)
    if not rules:
        return []
    label = standing_label(campaign, period)
    clusters: list[ClusterStanding] = (
        period_cluster_standing(period) if period is not None else year_cluster_standing(campaign)
    )
    units: list[UnitStanding] | None = None
    proposals: list[Proposal] = []
    for rule in rules:
        if rule.recipient_kind == AwardRule.RecipientKind.UNIT:
            if units is None:
                units = period_unit_standing(period) if period is not None else year_unit_standing(campaign)
            for row in units:
                if row.rank_in_cluster > rule.count:
                    continue
                score = _score_text(row.score)
                standing = f"Hạng {row.rank_in_cluster} trong {row.cluster.name}, {label}: {score} điểm"
                values = {"cluster": row.cluster.name, "unit": row.unit.name, "rank": row.rank_in_cluster,
                                "score": _score_text(row.score), "standing": label, "campaign": campaign.title}
                proposals.append(Proposal(rule, rule.award_form, Award.RecipientKind.UNIT, row.cluster, row.unit.pk,
                                          row.unit.name, _fill(rule.reason_template, values), standing))
            continue
        for row in clusters:
            if row.rank > rule.count:
                continue
            standing = f"Hạng {row.rank} {label}: {_score_text(row.score)} điểm"
            leader = row.cluster.leader_unit
            values = {"cluster": row.cluster.name, "unit": leader.name if leader else "", "rank": row.rank,
                            "score": _score_text(row.score), "standing": label, "campaign": campaign.title}
            reason = _fill(rule.reason_template, values)
            if rule.recipient_kind == AwardRule.RecipientKind.CLUSTER:
                proposals.append(Proposal(rule, rule.award_form, Award.RecipientKind.CLUSTER, row.cluster, None,
                                          row.cluster.name, reason, standing))
            elif leader is not None:
                proposals.append(Proposal(rule, rule.award_form, Award.RecipientKind.UNIT, row.cluster, leader.pk,
                                          leader.name, reason, f"Cụm trưởng {row.cluster.name} — {standing}"))
    return proposals
