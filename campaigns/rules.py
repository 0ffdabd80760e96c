"""Object permissions on campaigns and clusters (django-rules predicates)."""

import rules

from accounts.rules import is_admin, is_office


@rules.predicate
def manages_campaign(user, campaign) -> bool:
    if campaign is None or not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    return bool(user.is_office and campaign.issuing_unit.is_within(user.unit))


@rules.predicate
def leads_cluster(user, cluster) -> bool:
    """The user's unit is the cluster's leader (cụm trưởng) or deputy (cụm phó)."""
    if cluster is None or not user.is_authenticated or user.unit_id is None:
        return False
    return user.unit_id in (cluster.leader_unit_id, cluster.deputy_unit_id)


@rules.predicate
def follows_cluster(user, cluster) -> bool:
    return bool(cluster is not None and cluster.follower_id == user.pk)


@rules.predicate
def manages_cluster_campaign(user, cluster) -> bool:
    return cluster is not None and manages_campaign(user, cluster.campaign)


rules.add_perm("campaigns.add_campaign", is_admin | is_office)
rules.add_perm("campaigns.manage_campaign", manages_campaign)
rules.add_perm("campaigns.view_cluster_matrix", leads_cluster | follows_cluster | manages_cluster_campaign)
