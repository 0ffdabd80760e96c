"""Reads of evidence, scoped to the asking user, and the lock state of a period for a unit."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import Unit, User
from campaigns.models import Campaign, Cluster, ClusterMember, Criterion, Period
from campaigns.selectors import campaigns_managed_by, scored_criteria
from core.models import AuditEntry

from .models import DossierSubmission, Evidence, EvidenceFile, LateRequest, LateWindow

# Statuses a unit may still change; accepted and rejected evidence is decided.
EDITABLE_STATUSES = (Evidence.Status.DRAFT, Evidence.Status.SUBMITTED, Evidence.Status.RETURNED)
# What counts as "sent" in the completeness matrix and the dossier.
SENT_STATUSES = (Evidence.Status.SUBMITTED, Evidence.Status.ACCEPTED, Evidence.Status.REJECTED)


def evidence_visible_to(user: User) -> QuerySet[Evidence]:
    """Evidence the user may read: their own unit's; a cluster leader's or deputy's members';
    an office's campaigns (managed, or with a cluster the user follows); everything for an admin."""
    if not user.is_authenticated:
        return Evidence.objects.none()
    if user.is_admin:
        return Evidence.objects.all()
    if user.unit_id is None:
        return Evidence.objects.none()
    if user.is_office:
        followed = ClusterMember.objects.filter(
            cluster__follower=user, campaign_id=OuterRef("campaign_id"), unit_id=OuterRef("unit_id")
        )
        return Evidence.objects.filter(Q(campaign__in=campaigns_managed_by(user)) | Exists(followed))
    led = ClusterMember.objects.filter(
        Q(cluster__leader_unit_id=user.unit_id) | Q(cluster__deputy_unit_id=user.unit_id),
        campaign_id=OuterRef("campaign_id"),
        unit_id=OuterRef("unit_id"),
    )
    return Evidence.objects.filter(Q(unit_id=user.unit_id) | Exists(led)).exclude(
        campaign__status=Campaign.Status.DRAFT
    )


def evidence_files_visible_to(user: User) -> QuerySet[EvidenceFile]:
    return EvidenceFile.objects.filter(evidence__in=evidence_visible_to(user))


def periods_for_unit(user: User) -> QuerySet[Period]:
    """Periods of launched campaigns in which the user's unit is a cluster member (it submits evidence)."""
    if not user.is_authenticated or user.unit_id is None:
        return Period.objects.none()
    member_of = ClusterMember.objects.filter(unit_id=user.unit_id).values("campaign_id")
    return Period.objects.filter(campaign_id__in=member_of).exclude(campaign__status=Campaign.Status.DRAFT)


def can_edit_for_unit(user: User, unit_id: int | None) -> bool:
    """Only the unit's own people change its evidence; reviewers and leaders read."""
    return bool(user.is_authenticated and user.unit_id and user.unit_id == unit_id and not user.is_office)


def deadline_passed(deadline: datetime, now: datetime) -> bool:
    """A deadline of 23:59:59 includes that whole second: 23:59:59.9 is on time, 00:00:00 is late."""
    return now.replace(microsecond=0) > deadline


@dataclass
class LockState:
    locked: bool
    reason: str  # "open", "late_window", "deadline", "closed"
    until: datetime | None = None
    window: LateWindow | None = None
    windows: list[LateWindow] = field(default_factory=list)


def lock_state(*, period: Period, unit_id: int, now: datetime | None = None) -> LockState:
    """Whether the unit may still change its evidence for the period, and why."""
    now = now or timezone.now()
    windows = list(
        LateWindow.objects.filter(period=period).filter(Q(unit_id=unit_id) | Q(unit__isnull=True))
        .select_related("unit", "granted_by")
    )
    if period.status == Period.Status.CLOSED:
        return LockState(True, "closed", windows=windows)
    if not deadline_passed(period.deadline, now):
        return LockState(False, "open", until=period.deadline, windows=windows)
    active = [w for w in windows if not deadline_passed(w.ends_at, now)]
    if active:
        best = max(active, key=lambda w: w.ends_at)
        return LockState(False, "late_window", until=best.ends_at, window=best, windows=windows)
    return LockState(True, "deadline", until=period.deadline, windows=windows)


def unit_period_rows(*, period: Period, unit_id: int) -> list[dict]:
    """The scored criteria of the period's campaign with the unit's evidence (or None) and file counts."""
    criteria = list(scored_criteria(period.campaign))
    evidence = {
        e.criterion_id: e
        for e in Evidence.objects.filter(period=period, unit_id=unit_id)
        .annotate(file_count=Count("files")).prefetch_related("files")
    }
    return [{"criterion": c, "evidence": evidence.get(c.pk)} for c in criteria]


def evidence_duplicates(evidence: Evidence) -> list[dict]:
    """Files of this evidence whose SHA-256 also appears in another unit's or another period's evidence.

    Flagged to reviewers, never refused: [{"file": EvidenceFile, "others": [EvidenceFile, …]}].
    """
    files = list(evidence.files.all())
    hashes = {f.sha256 for f in files}
    if not hashes:
        return []
    others = (
        EvidenceFile.objects.filter(sha256__in=hashes)
        .exclude(evidence_id=evidence.pk)
        .filter(~Q(evidence__unit_id=evidence.unit_id) | ~Q(evidence__period_id=evidence.period_id))
        .select_related("evidence__unit", "evidence__period", "evidence__criterion")
    )
    by_hash: dict[str, list[EvidenceFile]] = {}
    for other in others:
        by_hash.setdefault(other.sha256, []).append(other)
    return [{"file": f, "others": by_hash[f.sha256]} for f in files if f.sha256 in by_hash]


def duplicate_hashes(file_ids_and_hashes: list[tuple[int, int, int, str]]) -> set[str]:
    """Of the given (file id, unit id, period id, sha256), the hashes found in another unit's or period's files."""
    hashes = {h for _, _, _, h in file_ids_and_hashes}
    if not hashes:
        return set()
    seen = EvidenceFile.objects.filter(sha256__in=hashes).values_list(
        "sha256", "evidence__unit_id", "evidence__period_id"
    )
    places: dict[str, set[tuple[int, int]]] = {}
    for sha, unit_id, period_id in seen:
        places.setdefault(sha, set()).add((unit_id, period_id))
    return {sha for sha, where in places.items() if len(where) > 1}


@dataclass
class Matrix:
    cluster: Cluster
    period: Period
    units: list[Unit]
    criteria: list[Criterion]
    rows: list[dict]
    column_counts: list[int]
    complete: int
    total: int

    @property
    def percent(self) -> float:
        return round(self.complete * 100 / self.total, 1) if self.total else 0.0

    @property
    def counted_criteria(self) -> int:
        """How many criteria each unit is expected to send (the base ones)."""
        return sum(1 for c in self.criteria if c.category == Criterion.Category.BASE)


def cluster_matrix(*, cluster: Cluster, period: Period) -> Matrix:
    """Member units × scored criteria with each cell's evidence (or None); sent evidence counts as complete.

    Only base criteria count towards completeness and the reminders' gaps: bonus criteria are optional
    extras and penalty criteria are not something a unit is asked to prove (the scores count alike)."""
    units = list(
        Unit.objects.filter(cluster_memberships__cluster=cluster).order_by("code")
    )
    criteria = list(scored_criteria(cluster.campaign))
    cells = {
        (e.unit_id, e.criterion_id): e
        for e in Evidence.objects.filter(period=period, unit__in=[u.pk for u in units]).only(
            "id", "unit_id", "criterion_id", "status", "score", "period_id"
        )
    }
    rows = []
    column_counts = [0] * len(criteria)
    complete = 0
    for unit in units:
        row_cells = []
        done = 0
        for index, criterion in enumerate(criteria):
            evidence = cells.get((unit.pk, criterion.pk))
            sent = evidence is not None and evidence.status in SENT_STATUSES
            counted = criterion.category == Criterion.Category.BASE
            if sent:
                column_counts[index] += 1
                done += counted
            row_cells.append({"criterion": criterion, "evidence": evidence, "sent": sent, "counted": counted})
        complete += done
        rows.append({"unit": unit, "cells": row_cells, "done": done,
                     "missing": [c["criterion"] for c in row_cells if c["counted"] and not c["sent"]]})
    base_count = sum(1 for c in criteria if c.category == Criterion.Category.BASE)
    return Matrix(cluster, period, units, criteria, rows, column_counts, complete, len(units) * base_count)


def dossiers_for_period(period: Period) -> QuerySet[DossierSubmission]:
    return DossierSubmission.objects.filter(period=period).select_related("cluster", "submitted_by")


def late_requests_for(period: Period, unit_id: int) -> QuerySet[LateRequest]:
    return LateRequest.objects.filter(period=period, unit_id=unit_id).select_related("decided_by")


def audit_entries_visible_to(user: User) -> QuerySet[AuditEntry]:
    """The audit trail an office may read: entries about the campaigns it manages; all for an admin."""
    if not user.is_authenticated:
        return AuditEntry.objects.none()
    if user.is_admin:
        return AuditEntry.objects.all()
    if not user.is_office:
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(campaign__in=campaigns_managed_by(user))
