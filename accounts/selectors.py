"""Reads of units and users, always scoped to what the asking user may see."""

from django.db.models import QuerySet

from .models import Unit, User


def unit_subtree(unit: Unit) -> QuerySet[Unit]:
    """The unit and every unit below it."""
    return Unit.objects.filter(path__startswith=unit.path)


def units_visible_to(user: User) -> QuerySet[Unit]:
    if not user.is_authenticated:
        return Unit.objects.none()
    if user.is_admin:
        return Unit.objects.all()
    if user.unit_id is None:
        return Unit.objects.none()
    if user.is_office:
        return unit_subtree(user.unit)
    # Unit staff see their own unit and, when it leads or deputises a
    # cluster, the cluster's members (campaign-level checks do the rest).
    from campaigns.models import ClusterMember

    led = ClusterMember.objects.filter(
        cluster__campaign__status__in=["launched", "closed"],
        cluster__in=_clusters_led_by_unit(user.unit_id),
    ).values("unit_id")
    return Unit.objects.filter(pk=user.unit_id) | Unit.objects.filter(pk__in=led)


def _clusters_led_by_unit(unit_id: int):
    from django.db.models import Q

    from campaigns.models import Cluster

    return Cluster.objects.filter(Q(leader_unit_id=unit_id) | Q(deputy_unit_id=unit_id)).values("pk")


def users_visible_to(user: User) -> QuerySet[User]:
    if not user.is_authenticated:
        return User.objects.none()
    if user.is_admin:
        return User.objects.all()
    if user.is_office:
        return User.objects.filter(unit__path__startswith=user.unit.path)
    return User.objects.filter(unit_id=user.unit_id)
