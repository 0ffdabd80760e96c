"""Permissions on targets (django-rules predicates)."""

import rules

from campaigns.rules import manages_campaign


@rules.predicate
def manages_target(user, target) -> bool:
    return target is not None and manages_campaign(user, target.campaign)


rules.add_perm("targets.manage_target", manages_target)
