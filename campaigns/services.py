"""Writes on campaigns, periods, clusters and the criteria set.

Each service is keyword-only, runs in one transaction and leaves an audit entry.
Rules that forms also check are checked here again, so no caller can skip them.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Unit, User
from core.audit import audit_record, changes_between
from scoring.compute import campaign_mark_dirty

from .models import Campaign, Cluster, ClusterMember, Criterion, Period

CAMPAIGN_FIELDS = (
    "issuing_unit", "number", "title", "theme", "legal_basis", "purpose", "start_date", "end_date", "place",
    "signer_title", "signer_name", "year_aggregation", "cluster_score_method", "excellent_min_percent",
    "good_min_percent", "complete_min_percent", "excellent_cap_percent",
)
# Campaign fields the score tables depend on: changing one recomputes the open periods.
SCORING_FIELDS = {
    "year_aggregation", "cluster_score_method", "excellent_min_percent", "good_min_percent", "complete_min_percent",
    "excellent_cap_percent",
}
PERIOD_FIELDS = ("name", "kind", "order", "start_date", "end_date")
CRITERION_FIELDS = (
    "parent", "code", "title", "kind", "max_points", "method", "category", "evidence_required", "target_quantity",
)


def _snapshot(obj, fields) -> dict:
    return {name: getattr(obj, name) for name in fields}


def _apply(obj, fields: dict, allowed) -> None:
    for name, value in fields.items():
        if name not in allowed:
            raise ValueError(name)
        setattr(obj, name, value)


def _check_campaign(campaign: Campaign) -> None:
    errors = {}
    if campaign.end_date < campaign.start_date:
        errors["end_date"] = _("The end date must not be before the start date.")
    if not (campaign.excellent_min_percent >= campaign.good_min_percent >= campaign.complete_min_percent):
        errors["good_min_percent"] = _("The thresholds must go down: “excellent” ≥ “good” ≥ “completed”.")
    if errors:
        raise ValidationError(errors)


# Campaigns ---------------------------------------------------------------------------------------------------

@transaction.atomic
def campaign_create(*, user: User, **fields) -> Campaign:
    """Create a campaign in draft. Audited as ``campaign.create``."""
    campaign = Campaign(created_by=user, status=Campaign.Status.DRAFT)
    _apply(campaign, fields, CAMPAIGN_FIELDS)
    _check_campaign(campaign)
    campaign.save()
    audit_record(actor=user, action="campaign.create", obj=campaign, campaign=campaign,
                 unit=campaign.issuing_unit, data={"number": campaign.number})
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, user: User, **fields) -> Campaign:
    """Change a campaign's fields. Audited with old and new values."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    before = _snapshot(campaign, CAMPAIGN_FIELDS)
    _apply(campaign, fields, CAMPAIGN_FIELDS)
    _check_campaign(campaign)
    campaign.save()
    changes = changes_between(before, _snapshot(campaign, CAMPAIGN_FIELDS))
    if changes:
        audit_record(actor=user, action="campaign.update", obj=campaign, campaign=campaign,
                     unit=campaign.issuing_unit, data=changes)
        if changes.keys() & SCORING_FIELDS:
            campaign_mark_dirty(campaign=campaign)
    return campaign


def _campaign_set_status(*, campaign: Campaign, user: User, allowed_from: tuple, to: str, action: str) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status not in allowed_from:
        raise ValidationError(
            _("This cannot be done while the campaign is “%(status)s”.") % {"status": campaign.get_status_display()}
        )
    old = campaign.status
    campaign.status = to
    campaign.save(update_fields=["status"])
    audit_record(actor=user, action=action, obj=campaign, campaign=campaign, unit=campaign.issuing_unit,
                 data={"status": [old, to]})
    return campaign


@transaction.atomic
def campaign_launch(*, campaign: Campaign, user: User) -> Campaign:
    """Draft → launched: units now see the campaign. Needs at least one period and one scored criterion."""
    if not campaign.periods.exists():
        raise ValidationError(_("Add at least one period with its deadline before launching the campaign."))
    if not campaign.criteria.filter(kind=Criterion.Kind.CRITERION).exists():
        raise ValidationError(_("Add at least one criterion before launching the campaign."))
    return _campaign_set_status(campaign=campaign, user=user, allowed_from=(Campaign.Status.DRAFT,),
                                to=Campaign.Status.LAUNCHED, action="campaign.launch")


@transaction.atomic
def campaign_close(*, campaign: Campaign, user: User) -> Campaign:
    """Launched → closed: the campaign is over."""
    return _campaign_set_status(campaign=campaign, user=user, allowed_from=(Campaign.Status.LAUNCHED,),
                                to=Campaign.Status.CLOSED, action="campaign.close")


@transaction.atomic
def campaign_reopen(*, campaign: Campaign, user: User) -> Campaign:
    """Closed → launched again, e.g. to correct a result."""
    return _campaign_set_status(campaign=campaign, user=user, allowed_from=(Campaign.Status.CLOSED,),
                                to=Campaign.Status.LAUNCHED, action="campaign.reopen")


# Periods -----------------------------------------------------------------------------------------------------

def _check_period(period: Period) -> None:
    errors = {}
    if period.end_date < period.start_date:
        errors["end_date"] = _("The end date must not be before the start date.")
    if Period.objects.filter(campaign_id=period.campaign_id, order=period.order).exclude(pk=period.pk).exists():
        errors["order"] = _("Another period of this campaign already has this order number.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def period_create(*, campaign: Campaign, user: User, deadline: datetime, **fields) -> Period:
    """Add a period with its submission deadline. Audited."""
    period = Period(campaign=campaign, deadline=deadline)
    _apply(period, fields, PERIOD_FIELDS)
    _check_period(period)
    period.save()
    audit_record(actor=user, action="period.create", obj=period, campaign=campaign,
                 data={"name": period.name, "deadline": deadline})
    return period


@transaction.atomic
def period_update(*, period: Period, user: User, **fields) -> Period:
    """Change a period's name, kind, order or dates (the deadline moves only by :func:`period_move_deadline`)."""
    period = Period.objects.select_for_update().get(pk=period.pk)
    before = _snapshot(period, PERIOD_FIELDS)
    _apply(period, fields, PERIOD_FIELDS)
    _check_period(period)
    period.save()
    changes = changes_between(before, _snapshot(period, PERIOD_FIELDS))
    if changes:
        audit_record(actor=user, action="period.update", obj=period, campaign=period.campaign, data=changes)
    return period


@transaction.atomic
def period_move_deadline(*, period: Period, deadline: datetime, user: User, reason: str) -> Period:
    """Move the submission deadline; the audit entry keeps the old and new moments and the reason."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the deadline moves; units will ask.")})
    period = Period.objects.select_for_update().get(pk=period.pk)
    old = period.deadline
    if old == deadline:
        return period
    period.deadline = deadline
    period.save(update_fields=["deadline"])
    audit_record(actor=user, action="period.move_deadline", obj=period, campaign=period.campaign,
                 data={"deadline": [timezone.localtime(old), timezone.localtime(deadline)], "reason": reason.strip()})
    return period


@transaction.atomic
def period_delete(*, period: Period, user: User) -> None:
    """Delete a period that holds no evidence yet (evidence is never thrown away)."""
    if period.evidence.exists():
        raise ValidationError(_("This period already holds evidence from units, so it cannot be deleted."))
    campaign = period.campaign
    audit_record(actor=user, action="period.delete", obj=period, campaign=campaign,
                 data={"name": period.name, "deadline": period.deadline})
    period.delete()


# Clusters ----------------------------------------------------------------------------------------------------

def cluster_member_candidates(campaign: Campaign):
    """Units below the issuing unit: the only units a cluster of this campaign may hold."""
    return Unit.objects.filter(path__startswith=campaign.issuing_unit.path).exclude(pk=campaign.issuing_unit_id)


def _check_cluster(*, campaign: Campaign, cluster: Cluster | None, members: list[Unit],
                   leader_unit: Unit | None, deputy_unit: Unit | None) -> None:
    errors: dict[str, list] = {}
    member_ids = {unit.pk for unit in members}
    allowed = set(cluster_member_candidates(campaign).filter(pk__in=member_ids).values_list("pk", flat=True))
    outside = [unit.name for unit in members if unit.pk not in allowed]
    if outside:
        errors.setdefault("members", []).append(
            _("These units are not under the issuing unit: %(units)s.") % {"units": ", ".join(outside)})
    taken = ClusterMember.objects.filter(campaign=campaign, unit_id__in=member_ids).select_related("unit", "cluster")
    if cluster is not None and cluster.pk is not None:
        taken = taken.exclude(cluster_id=cluster.pk)
    clashes = [f"{m.unit.name} ({m.cluster.name})" for m in taken]
    if clashes:
        errors.setdefault("members", []).append(
            _("A unit belongs to one cluster per campaign; already in another cluster: %(units)s. "
              "Remove them there first.") % {"units": ", ".join(clashes)})
    if leader_unit is not None and leader_unit.pk not in member_ids:
        errors["leader_unit"] = [_("The leader unit must be one of the cluster's members.")]
    if deputy_unit is not None and deputy_unit.pk not in member_ids:
        errors["deputy_unit"] = [_("The deputy unit must be one of the cluster's members.")]
    if leader_unit is not None and deputy_unit is not None and leader_unit.pk == deputy_unit.pk:
        errors["deputy_unit"] = [_("The leader unit and the deputy unit must be different units.")]
    if cluster is not None:
        clash = Cluster.objects.filter(campaign=campaign, name__iexact=cluster.name)
        if cluster.pk is not None:
            clash = clash.exclude(pk=cluster.pk)
        if clash.exists():
            errors["name"] = [_("Another cluster of this campaign already has this name.")]
    if errors:
        raise ValidationError(errors)


def _set_members(cluster: Cluster, members: list[Unit]) -> dict:
    current = set(cluster.memberships.values_list("unit_id", flat=True))
    wanted = {unit.pk for unit in members}
    cluster.memberships.filter(unit_id__in=current - wanted).delete()
    ClusterMember.objects.bulk_create(
        [ClusterMember(campaign_id=cluster.campaign_id, cluster=cluster, unit_id=pk) for pk in sorted(wanted - current)]
    )
    return {"added": sorted(wanted - current), "removed": sorted(current - wanted)}


CLUSTER_FIELDS = ("name", "order", "leader_unit", "deputy_unit", "follower")


@transaction.atomic
def cluster_create(*, campaign: Campaign, user: User, members: list[Unit], **fields) -> Cluster:
    """Create a cluster with its members; a unit is in one cluster per campaign. Audited."""
    cluster = Cluster(campaign=campaign)
    _apply(cluster, fields, CLUSTER_FIELDS)
    _check_cluster(campaign=campaign, cluster=cluster, members=members,
                   leader_unit=cluster.leader_unit, deputy_unit=cluster.deputy_unit)
    cluster.save()
    membership = _set_members(cluster, members)
    audit_record(actor=user, action="cluster.create", obj=cluster, campaign=campaign,
                 data={"members": membership["added"], "leader_unit": cluster.leader_unit,
                       "deputy_unit": cluster.deputy_unit})
    campaign_mark_dirty(campaign=campaign)
    return cluster


@transaction.atomic
def cluster_update(*, cluster: Cluster, user: User, members: list[Unit], **fields) -> Cluster:
    """Change a cluster's name, leader, deputy, follower or members. Audited."""
    # Only the cluster's row: locking the joined campaign and issuing unit would hold up evidence writes.
    cluster = (Cluster.objects.select_for_update(of=("self",)).select_related("campaign__issuing_unit")
               .get(pk=cluster.pk))
    before = _snapshot(cluster, CLUSTER_FIELDS)
    _apply(cluster, fields, CLUSTER_FIELDS)
    _check_cluster(campaign=cluster.campaign, cluster=cluster, members=members,
                   leader_unit=cluster.leader_unit, deputy_unit=cluster.deputy_unit)
    cluster.save()
    membership = _set_members(cluster, members)
    changes = changes_between(before, _snapshot(cluster, CLUSTER_FIELDS))
    if membership["added"] or membership["removed"]:
        changes["members"] = membership
    if changes:
        audit_record(actor=user, action="cluster.update", obj=cluster, campaign=cluster.campaign, data=changes)
    if "members" in changes:
        campaign_mark_dirty(campaign=cluster.campaign)
    return cluster


@transaction.atomic
def cluster_delete(*, cluster: Cluster, user: User) -> None:
    """Delete a cluster; its member units become free to join another one."""
    members = list(cluster.memberships.values_list("unit_id", flat=True))
    audit_record(actor=user, action="cluster.delete", obj=cluster, campaign=cluster.campaign,
                 data={"name": cluster.name, "members": members})
    campaign = cluster.campaign
    cluster.delete()
    campaign_mark_dirty(campaign=campaign)


# Criteria ----------------------------------------------------------------------------------------------------

def _check_criterion(criterion: Criterion) -> None:
    errors = {}
    if Criterion.objects.filter(campaign_id=criterion.campaign_id, code__iexact=criterion.code).exclude(
            pk=criterion.pk).exists():
        errors["code"] = _("The code “%(code)s” is already used in this campaign's criteria set.") % {
            "code": criterion.code}
    parent = criterion.parent
    if parent is not None:
        if parent.campaign_id != criterion.campaign_id or parent.kind != Criterion.Kind.SECTION:
            errors["parent"] = _("The parent must be a section of the same campaign.")
        else:
            node = parent
            while node is not None:
                if criterion.pk is not None and node.pk == criterion.pk:
                    errors["parent"] = _("A section cannot be put inside itself or inside one of its own parts.")
                    break
                node = node.parent
    if criterion.pk and criterion.kind == Criterion.Kind.CRITERION and criterion.children.exists():
        errors["kind"] = _("This item has sub-items, so it must stay a section.")
    if criterion.method == Criterion.Method.QUANTITY and criterion.kind == Criterion.Kind.CRITERION and not (
            criterion.target_quantity or criterion.target_id):
        errors["target_quantity"] = _("A quantity criterion needs the target quantity that earns full points.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def criterion_create(*, campaign: Campaign, user: User, **fields) -> Criterion:
    """Add a section or criterion at the end of its parent. Audited."""
    criterion = Criterion(campaign=campaign)
    _apply(criterion, fields, CRITERION_FIELDS)
    _check_criterion(criterion)
    last = campaign.criteria.aggregate(last=Max("order"))["last"]
    criterion.order = 0 if last is None else last + 1
    criterion.save()
    audit_record(actor=user, action="criterion.create", obj=criterion, campaign=campaign,
                 data={"code": criterion.code, "max_points": criterion.max_points})
    campaign_mark_dirty(campaign=campaign)
    return criterion


@transaction.atomic
def criterion_update(*, criterion: Criterion, user: User, **fields) -> Criterion:
    """Change a criterion or section. Audited with old and new values."""
    criterion = Criterion.objects.select_for_update().get(pk=criterion.pk)
    before = _snapshot(criterion, CRITERION_FIELDS)
    _apply(criterion, fields, CRITERION_FIELDS)
    _check_criterion(criterion)
    criterion.save()
    changes = changes_between(before, _snapshot(criterion, CRITERION_FIELDS))
    if changes:
        audit_record(actor=user, action="criterion.update", obj=criterion, campaign=criterion.campaign, data=changes)
        campaign_mark_dirty(campaign=criterion.campaign)
    return criterion


@transaction.atomic
def criterion_delete(*, criterion: Criterion, user: User) -> None:
    """Delete a criterion (or a section with everything in it) that no unit has given evidence for."""
    codes = [criterion.code]
    frontier = [criterion]
    while frontier:
        children = list(Criterion.objects.filter(parent__in=frontier))
        codes += [child.code for child in children]
        frontier = children
    if Criterion.objects.filter(campaign_id=criterion.campaign_id, code__in=codes, evidence__isnull=False).exists():
        raise ValidationError(_("Units have already given evidence for this item, so it cannot be deleted."))
    audit_record(actor=user, action="criterion.delete", obj=criterion, campaign=criterion.campaign,
                 data={"codes": codes})
    campaign = criterion.campaign
    criterion.delete()
    campaign_mark_dirty(campaign=campaign)


@transaction.atomic
def criterion_move(*, criterion: Criterion, user: User, up: bool) -> Criterion:
    """Swap the item with its previous (``up``) or next sibling in the criteria set."""
    siblings = list(
        Criterion.objects.select_for_update().filter(campaign_id=criterion.campaign_id, parent_id=criterion.parent_id)
        .order_by("order", "code")
    )
    index = next(i for i, item in enumerate(siblings) if item.pk == criterion.pk)
    other = index - 1 if up else index + 1
    if other < 0 or other >= len(siblings):
        return criterion
    slots = sorted(item.order for item in siblings)
    siblings[index], siblings[other] = siblings[other], siblings[index]
    # Keep the siblings' slots but make them strictly increasing, so equal orders cannot undo the swap.
    previous = None
    for item, slot in zip(siblings, slots, strict=True):
        item.order = slot if previous is None or slot > previous else previous + 1
        previous = item.order
    Criterion.objects.bulk_update(siblings, ["order"])
    audit_record(actor=user, action="criterion.move", obj=criterion, campaign=criterion.campaign,
                 data={"direction": "up" if up else "down"})
    return criterion
