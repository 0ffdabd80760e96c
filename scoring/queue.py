"""The reviewers' queue (hàng đợi thẩm định): which evidence a user reviews, filtered, counted and ordered.

A reviewer sees the submitted evidence of the campaigns their office runs and
of the clusters they follow, never their own unit's. The queue is ordered by
submission time (first come, first reviewed), which is also the order "save
and next" walks.
"""

import django_filters
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit, User
from campaigns.models import Campaign, Cluster, ClusterMember, Criterion, Period
from campaigns.selectors import campaigns_managed_by
from evidence.models import Evidence, EvidenceFile

from .services import REVIEWABLE


def evidence_in_review_scope(user: User) -> QuerySet[Evidence]:
    """Evidence of the user's reviewing scope (their office's campaigns, the clusters they follow), any status
    but draft. Their own unit's evidence is in scope only to be shown read-only, with the reason."""
    if not user.is_authenticated:
        return Evidence.objects.none()
    evidence = Evidence.objects.filter(status__in=REVIEWABLE)
    if user.is_admin:
        return evidence
    if not user.is_office:
        return Evidence.objects.none()
    followed = ClusterMember.objects.filter(
        cluster__follower=user, campaign_id=OuterRef("campaign_id"), unit_id=OuterRef("unit_id"))
    return evidence.filter(Q(campaign__in=campaigns_managed_by(user)) | Exists(followed))


def evidence_reviewable_by(user: User) -> QuerySet[Evidence]:
    """What the user may decide on: their scope without their own unit."""
    evidence = evidence_in_review_scope(user)
    if user.is_authenticated and user.unit_id:
        evidence = evidence.exclude(unit_id=user.unit_id)
    return evidence


def is_reviewer(user: User) -> bool:
    """Whether the user reviews anything at all (the menu entry)."""
    return bool(user.is_authenticated and (user.is_admin or user.is_office))


def _cluster_of_evidence():
    return ClusterMember.objects.filter(campaign_id=OuterRef("campaign_id"), unit_id=OuterRef("unit_id"))


def queue_rows(evidence: QuerySet[Evidence]) -> QuerySet[Evidence]:
    """The queue's columns in one query: unit, criterion, period, cluster name, file count, duplicate flag."""
    duplicate = EvidenceFile.objects.filter(sha256=OuterRef("files__sha256")).exclude(evidence_id=OuterRef("pk"))
    return (
        evidence.select_related("unit", "criterion", "period", "campaign", "reviewed_by")
        .annotate(
            cluster_name=Subquery(_cluster_of_evidence().values("cluster__name")[:1]),
            file_count=Count("files", distinct=True),
            duplicate_count=Count("files", filter=Q(Exists(duplicate)), distinct=True),
        )
        .order_by("submitted_at", "pk")
    )


STATUS_CHOICES = [
    (Evidence.Status.SUBMITTED, _("Waiting for review")),
    (Evidence.Status.RETURNED, _("Returned")),
    (Evidence.Status.ACCEPTED, _("Accepted")),
    (Evidence.Status.REJECTED, _("Rejected")),
    ("all", _("All")),
]


class ReviewQueueFilter(django_filters.FilterSet):
    """The queue's filters; every choice list is limited to what the user reviews."""

    campaign = django_filters.ModelChoiceFilter(label=_("Campaign"), queryset=Campaign.objects.none(),
                                                empty_label=_("All campaigns"))
    period = django_filters.ModelChoiceFilter(label=_("Period"), queryset=Period.objects.none(),
                                              empty_label=_("All periods"))
    cluster = django_filters.ModelChoiceFilter(label=_("Cluster"), queryset=Cluster.objects.none(),
                                               method="filter_cluster", empty_label=_("All clusters"))
    unit = django_filters.ModelChoiceFilter(label=_("Unit"), queryset=Unit.objects.none(),
                                            empty_label=_("All units"))
    criterion = django_filters.ModelChoiceFilter(label=_("Criterion"), queryset=Criterion.objects.none(),
                                                 empty_label=_("All criteria"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=STATUS_CHOICES, method="filter_status",
                                         empty_label=None)

    class Meta:
        model = Evidence
        fields = ["campaign", "period", "cluster", "unit", "criterion", "status"]

    def __init__(self, data=None, *args, user: User, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("status", Evidence.Status.SUBMITTED)
        super().__init__(data, *args, **kwargs)
        scope = evidence_reviewable_by(user)
        campaigns = Campaign.objects.filter(pk__in=scope.values("campaign_id")).order_by("-start_date", "pk")
        self.filters["campaign"].queryset = campaigns
        periods = Period.objects.filter(campaign__in=campaigns).select_related("campaign")
        units = Unit.objects.filter(pk__in=scope.values("unit_id")).order_by("name")
        clusters = Cluster.objects.filter(campaign__in=campaigns).order_by("campaign_id", "order", "name")
        criteria = Criterion.objects.filter(pk__in=scope.values("criterion_id")).order_by(
            "campaign_id", "order", "code")
        campaign_id = self.data.get("campaign")
        if campaign_id and str(campaign_id).isdigit():
            periods, clusters = periods.filter(campaign_id=campaign_id), clusters.filter(campaign_id=campaign_id)
            criteria = criteria.filter(campaign_id=campaign_id)
            units = units.filter(cluster_memberships__campaign_id=campaign_id).distinct()
        self.filters["period"].queryset = periods.order_by("campaign_id", "order")
        if not (campaign_id and str(campaign_id).isdigit()):
            # Periods of several campaigns share names ("Quý I"): say whose they are.
            self.filters["period"].field.label_from_instance = lambda p: f"{p.name} · {p.campaign.number}"
        self.filters["cluster"].queryset = clusters
        self.filters["unit"].queryset = units
        self.filters["criterion"].queryset = criteria
        for name in self.form.fields:
            self.form.fields[name].widget.attrs.setdefault("class", "form-select form-select-sm")

    def filter_cluster(self, queryset, name, value):
        members = ClusterMember.objects.filter(cluster=value).values("unit_id")
        return queryset.filter(campaign_id=value.campaign_id, unit_id__in=members)

    def filter_status(self, queryset, name, value):
        return queryset if value == "all" else queryset.filter(status=value)


def status_counts(filterset: ReviewQueueFilter) -> dict[str, int]:
    """How many items each status chip would show under the other filters (one query)."""
    filterset.errors  # noqa: B018 - validates the form, so that cleaned_data exists
    base = filterset.queryset
    for name, value in filterset.form.cleaned_data.items():
        if name != "status" and value not in (None, ""):
            base = filterset.filters[name].filter(base, value)
    rows = base.order_by().values("status").annotate(n=Count("pk"))
    counts = {row["status"]: row["n"] for row in rows}
    counts["all"] = sum(counts.values())
    return counts


def queue_next(*, filterset: ReviewQueueFilter, after: Evidence) -> Evidence | None:
    """The item "save and next" opens: the next one after ``after`` still waiting in the same filtered queue,
    else the first one still waiting."""
    waiting = filterset.qs.filter(status=Evidence.Status.SUBMITTED).exclude(pk=after.pk).order_by("submitted_at", "pk")
    if after.submitted_at is not None:
        later = waiting.filter(Q(submitted_at__gt=after.submitted_at)
                               | Q(submitted_at=after.submitted_at, pk__gt=after.pk)).first()
        if later is not None:
            return later
    return waiting.first()
