"""Who may import and export (django-rules predicates)."""

import rules

from accounts.rules import is_admin_or_office
from campaigns.rules import leads_cluster, manages_campaign


@rules.predicate
def may_export_campaign(user, campaign) -> bool:
    """Whole-campaign exports (matrix of every cluster, evidence register): the campaign's managers."""
    return manages_campaign(user, campaign)


@rules.predicate
def may_open_campaign_reports(user, campaign) -> bool:
    """The campaign's reports page: its managers, and cluster leaders for their own cluster's matrix."""
    if manages_campaign(user, campaign):
        return True
    from campaigns.selectors import clusters_led_by

    return clusters_led_by(user).filter(campaign=campaign).exists()


rules.add_perm("reports.use_excel", is_admin_or_office)
rules.add_perm("reports.import_campaign", manages_campaign)
rules.add_perm("reports.export_campaign", may_export_campaign)
rules.add_perm("reports.export_cluster_matrix", leads_cluster | manages_campaign)
