"""Object permissions on evidence (django-rules predicates); scoping of reads is in the selectors."""

import rules

from accounts.rules import is_admin, is_office
from campaigns.rules import leads_cluster, manages_campaign

from .selectors import can_edit_for_unit


@rules.predicate
def is_own_unit_evidence(user, evidence) -> bool:
    """Only the unit's own people change its evidence; leaders and reviewers read it."""
    return evidence is not None and can_edit_for_unit(user, evidence.unit_id)


rules.add_perm("evidence.change_evidence", is_own_unit_evidence)
rules.add_perm("evidence.remind_cluster", leads_cluster)
rules.add_perm("evidence.submit_dossier", leads_cluster)
rules.add_perm("evidence.manage_late_windows", manages_campaign)
rules.add_perm("evidence.view_audit_trail", is_admin | is_office)
