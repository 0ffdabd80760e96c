"""Reads of campaigns, periods and clusters, scoped to the asking user.

Every view fetches objects through these querysets, so an id the user may not
see is a 404, never a leak (NetBox's restricted querysets).
"""

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User

from .models import Campaign, Cluster, ClusterMember, Criterion, Period


def campaigns_managed_by(user: User) -> QuerySet[Campaign]:
    """Campaigns the user may set up and run as an office: issued by their unit or below."""
    if not user.is_authenticated:
        return Campaign.objects.none()
    if user.is_admin:
        return Campaign.objects.all()
    if user.is_office:
        return Campaign.objects.filter(issuing_unit__path__startswith=user.unit.path)
    return Campaign.objects.none()


def campaigns_visible_to(user: User) -> QuerySet[Campaign]:
    if not user.is_authenticated:
        return Campaign.objects.none()
    if user.is_admin:
        return Campaign.objects.all()
    if user.unit_id is None:
        return Campaign.objects.none()
    if user.is_office:
        return Campaign.objects.filter(
            Q(issuing_unit__path__startswith=user.unit.path) | Q(clusters__follower=user)
        ).distinct()
    member_of = ClusterMember.objects.filter(unit_id=user.unit_id).values("campaign_id")
    return Campaign.objects.filter(pk__in=member_of).exclude(status=Campaign.Status.DRAFT)


def clusters_visible_to(user: User) -> QuerySet[Cluster]:
    if not user.is_authenticated:
        return Cluster.objects.none()
    if user.is_admin:
        return Cluster.objects.all()
    if user.unit_id is None:
        return Cluster.objects.none()
    if user.is_office:
        return Cluster.objects.filter(
            Q(campaign__issuing_unit__path__startswith=user.unit.path) | Q(follower=user)
        ).distinct()
    return Cluster.objects.filter(memberships__unit_id=user.unit_id).exclude(
        campaign__status=Campaign.Status.DRAFT
    )


def clusters_led_by(user: User) -> QuerySet[Cluster]:
    """Clusters whose leader (cụm trưởng) or deputy (cụm phó) is the user's unit."""
    if not user.is_authenticated or user.unit_id is None:
        return Cluster.objects.none()
    return Cluster.objects.filter(
        Q(leader_unit_id=user.unit_id) | Q(deputy_unit_id=user.unit_id)
    ).exclude(campaign__status=Campaign.Status.DRAFT)


def periods_visible_to(user: User) -> QuerySet[Period]:
    return Period.objects.filter(campaign__in=campaigns_visible_to(user))


def current_period(campaign: Campaign) -> Period | None:
    """The open period whose deadline comes next, else the last one."""
    periods = list(campaign.periods.all())
    now = timezone.now()
    upcoming = [p for p in periods if p.status == Period.Status.OPEN and p.deadline >= now]
    if upcoming:
        return min(upcoming, key=lambda p: p.deadline)
    return periods[-1] if periods else None


def criteria_tree(campaign: Campaign) -> list[tuple[Criterion, int]]:
    """The criteria set in reading order, each with its depth (0 for a top section)."""
    items = list(campaign.criteria.all().order_by("order", "code"))
    children: dict[int | None, list[Criterion]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)
    ordered: list[tuple[Criterion, int]] = []

    def walk(parent_id, depth):
        for item in children.get(parent_id, []):
            ordered.append((item, depth))
            walk(item.pk, depth + 1)

    walk(None, 0)
    return ordered


def scored_criteria(campaign: Campaign) -> QuerySet[Criterion]:
    return campaign.criteria.filter(kind=Criterion.Kind.CRITERION).order_by("order", "code")


def clusters_of_unit(*, unit_id: int, campaigns) -> dict[int, Cluster]:
    """{campaign id: the unit's cluster} for the given campaigns, in one query."""
    members = ClusterMember.objects.filter(unit_id=unit_id, campaign__in=campaigns).select_related("cluster")
    return {member.campaign_id: member.cluster for member in members}


def unit_cluster(*, campaign: Campaign, unit_id: int) -> Cluster | None:
    return Cluster.objects.filter(campaign=campaign, memberships__unit_id=unit_id).first()
