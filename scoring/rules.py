"""Who may review and score evidence (django-rules predicates).

A reviewer is the office running the campaign (or an administrator), or the
official who follows the evidence unit's cluster. Nobody reviews the evidence of
their own unit.
"""

import rules

from campaigns.models import ClusterMember
from campaigns.rules import manages_campaign


@rules.predicate
def follows_unit_cluster(user, evidence) -> bool:
    if evidence is None or not user.is_authenticated:
        return False
    return ClusterMember.objects.filter(
        campaign_id=evidence.campaign_id, unit_id=evidence.unit_id, cluster__follower_id=user.pk
    ).exists()


@rules.predicate
def is_own_unit(user, evidence) -> bool:
    return bool(evidence is not None and user.is_authenticated and user.unit_id == evidence.unit_id)


@rules.predicate
def manages_evidence_campaign(user, evidence) -> bool:
    return evidence is not None and manages_campaign(user, evidence.campaign)


can_review = (manages_evidence_campaign | follows_unit_cluster) & ~is_own_unit

rules.add_perm("scoring.review_evidence", can_review)
