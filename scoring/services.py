"""Writes of scoring: reviewing evidence (thẩm định), closing a period (freezing
its standings) and reopening it.

Keyword-only, one transaction each, audited. The score tables themselves are
written only by ``scoring.compute``; a review only flags the unit's cluster,
and the recompute runs after the commit.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import localize
from django.utils.translation import gettext as _

from accounts.models import User
from campaigns.models import Cluster, Criterion, Period
from campaigns.rules import manages_campaign
from core.audit import audit_record, changes_between
from evidence.models import Evidence

from . import compute
from .models import ClusterScore, Review, StandingSnapshot, UnitScore
from .rules import can_review, is_own_unit

SCORE_STEP = Decimal("0.25")
REVIEWABLE = (Evidence.Status.SUBMITTED, Evidence.Status.RETURNED, Evidence.Status.ACCEPTED,
              Evidence.Status.REJECTED)


def _ensure_manages(user: User, campaign) -> None:
    if not manages_campaign(user, campaign):
        raise PermissionDenied(_("Only the office running this campaign can do this."))


def _snapshot_data(period: Period) -> dict:
    clusters = [
        {"cluster_id": row.cluster_id, "name": row.cluster.name, "rank": row.rank, "score": str(row.score),
         "completeness": str(row.completeness), "on_time": row.on_time,
         "dossier_submitted_at": row.dossier_submitted_at.isoformat() if row.dossier_submitted_at else None}
        for row in ClusterScore.objects.filter(period=period).select_related("cluster").order_by("rank", "cluster_id")
    ]
    units = [
        {"unit_id": row.unit_id, "name": row.unit.name, "cluster_id": row.cluster_id,
         "rank_in_cluster": row.rank_in_cluster, "total": str(row.total), "percent": str(row.percent),
         "completeness": str(row.completeness)}
        for row in UnitScore.objects.filter(period=period).select_related("unit").order_by(
            "cluster_id", "rank_in_cluster", "unit_id")
    ]
    return {"clusters": clusters, "units": units}


@transaction.atomic
def period_close(*, period: Period, user: User) -> StandingSnapshot:
    """Close a period (khóa sổ): recompute it one last time, freeze its standings and keep a snapshot.

    From then on evidence, reviews and recomputes of the period are refused until
    it is reopened. Audited as ``period.close``.
    """
    _ensure_manages(user, period.campaign)
    period = compute.period_lock(period.pk)
    if period.is_closed:
        raise ValidationError(_("This period is already closed."))
    compute.period_recompute_locked(period)
    now = timezone.now()
    period.status, period.closed_at, period.closed_by = Period.Status.CLOSED, now, user
    period.save(update_fields=["status", "closed_at", "closed_by"])
    snapshot = StandingSnapshot.objects.create(period=period, frozen_at=now, frozen_by=user,
                                               data=_snapshot_data(period))
    audit_record(actor=user, action="period.close", obj=period, campaign=period.campaign,
                 data={"snapshot": snapshot.pk, "clusters": len(snapshot.data["clusters"])})
    return snapshot


@transaction.atomic
def period_unfreeze(*, period: Period, user: User, reason: str) -> Period:
    """Reopen a closed period so that reviews and scores can change again; the frozen snapshot is kept.

    A reason is required. Audited as ``period.reopen``; every cluster is flagged for recompute.
    """
    _ensure_manages(user, period.campaign)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for reopening the period."))
    period = compute.period_lock(period.pk)
    if not period.is_closed:
        raise ValidationError(_("This period is not closed."))
    period.status, period.closed_at, period.closed_by = Period.Status.OPEN, None, None
    period.save(update_fields=["status", "closed_at", "closed_by"])
    snapshot = period.snapshots.filter(reopened_at__isnull=True).first()
    if snapshot is not None:
        snapshot.reopened_at, snapshot.reopened_by, snapshot.reopen_reason = timezone.now(), user, reason
        snapshot.save(update_fields=["reopened_at", "reopened_by", "reopen_reason"])
    audit_record(actor=user, action="period.reopen", obj=period, campaign=period.campaign,
                 data={"reason": reason, "snapshot": snapshot.pk if snapshot else None})
    compute.scores_mark_dirty(
        period=period, cluster_ids=Cluster.objects.filter(campaign_id=period.campaign_id).values_list("pk", flat=True)
    )
    return period


# ---------------------------------------------------------------- reviews

def _review_fields(evidence: Evidence) -> dict:
    return {"status": evidence.status, "score": evidence.score, "review_remark": evidence.review_remark,
            "reviewed_by": evidence.reviewed_by_id}


def _ensure_can_review(user: User, evidence: Evidence) -> None:
    if is_own_unit(user, evidence):
        raise PermissionDenied(_("You cannot review the evidence of your own unit."))
    if not can_review(user, evidence):
        raise PermissionDenied(_("You do not review this unit's evidence."))


def clean_score(value, criterion: Criterion) -> Decimal | None:
    """A reviewer's score as a Decimal in 0..max points, in steps of 0.25; ``None`` when left empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        score = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError(_("The score must be a number, e.g. 7.5."), code="score") from None
    if not score.is_finite() or score < 0 or score > criterion.max_points:
        raise ValidationError(_("The score must be between 0 and %(max)s points.")
                              % {"max": localize(criterion.max_points.normalize())}, code="score")
    if score % SCORE_STEP:
        raise ValidationError(_("The score goes in steps of 0.25 point (e.g. 7, 7.25, 7.5)."), code="score")
    return score.quantize(Decimal("0.01"))


def _needs_score(criterion: Criterion) -> bool:
    """Judgement criteria, and quantity criteria with no goal to measure against, are scored by the reviewer."""
    if criterion.method == Criterion.Method.JUDGEMENT:
        return True
    return (criterion.method == Criterion.Method.QUANTITY and criterion.target_id is None
            and not criterion.target_quantity)


def _concurrent_change_message(evidence: Evidence) -> str:
    last = evidence.reviews.select_related("reviewer").first()
    if last is None:
        return _("The unit changed this evidence while you were reviewing it. Look at it again before deciding.")
    who = last.reviewer.get_full_name() or last.reviewer.get_username() if last.reviewer else _("someone")
    decision = last.get_decision_display()
    if last.score is not None:
        decision = f"{decision} ({localize(last.score.normalize())} {_('points')})"
    message = _("%(who)s reviewed this evidence while you were looking at it: %(decision)s.") % {
        "who": who, "decision": decision}
    if last.remark:
        message += " " + _("Remark: “%(remark)s”.") % {"remark": last.remark}
    return message + " " + _("Your decision was not saved; look at theirs and decide again.")


@transaction.atomic
def evidence_review(
    *, evidence: Evidence, user: User, decision: str, score=None, remark: str = "",
    expected_version: int | None = None,
) -> Evidence:
    """Accept (with a score), return (with a remark) or reject (with a reason) one evidence.

    ``expected_version`` is the evidence version the reviewer saw; when somebody
    changed it since, nothing is saved and the message says what the other did.
    Refused for drafts, a closed period, one's own unit and evidence outside the
    reviewer's campaigns or clusters. Keeps a ``Review`` row, audits
    ``evidence.review`` with the old and new values, flags the unit's cluster.
    """
    evidence = Evidence.objects.select_for_update(of=("self",)).select_related(
        "period", "campaign", "criterion", "unit").get(pk=evidence.pk)
    _ensure_can_review(user, evidence)
    if evidence.period.is_closed:
        raise ValidationError(_("%(period)s is closed: reviews can no longer change. Reopen the period first.")
                              % {"period": evidence.period})
    if evidence.status not in REVIEWABLE:
        raise ValidationError(_("This evidence has not been submitted yet."))
    if expected_version is not None and expected_version != evidence.version:
        raise ValidationError(_concurrent_change_message(evidence), code="conflict")
    if decision not in Review.Decision.values:
        raise ValidationError({"decision": _("Choose accept, return or reject.")})
    remark = (remark or "").strip()
    criterion = evidence.criterion
    if decision == Review.Decision.ACCEPTED:
        try:
            score = clean_score(score, criterion)
        except ValidationError as error:
            raise ValidationError({"score": error.error_list}) from None
        if score is None:
            if _needs_score(criterion):
                raise ValidationError({"score": _("Give a score to accept this evidence.")})
            score = criterion.max_points if criterion.method == Criterion.Method.BINARY else None
    else:
        score = None
        if not remark:
            raise ValidationError({"remark": _("Write what the unit must amend.")
                                   if decision == Review.Decision.RETURNED
                                   else _("Write the reason for rejecting this evidence.")})
    old = _review_fields(evidence)
    Review.objects.create(evidence=evidence, reviewer=user, decision=decision, score=score, remark=remark,
                          previous_status=evidence.status, previous_score=evidence.score)
    evidence.status, evidence.score, evidence.review_remark = decision, score, remark
    evidence.reviewed_by, evidence.reviewed_at = user, timezone.now()
    evidence.version = F("version") + 1
    evidence.save(update_fields=["status", "score", "review_remark", "reviewed_by", "reviewed_at", "version",
                                 "updated_at"])
    evidence.refresh_from_db(fields=["version"])
    audit_record(actor=user, action="evidence.review", obj=evidence, unit=evidence.unit, campaign=evidence.campaign,
                 data=changes_between(old, _review_fields(evidence)) | {"decision": decision})
    compute.scores_mark_unit_dirty(period=evidence.period, unit_id=evidence.unit_id)
    return evidence


@dataclass
class BulkResult:
    accepted: list[Evidence] = field(default_factory=list)
    skipped: list[tuple[Evidence, str]] = field(default_factory=list)


def reviews_bulk_accept(*, evidence: Iterable[Evidence], user: User) -> BulkResult:
    """Accept several submitted evidence at their self-assessed score (chấp nhận hàng loạt).

    Each is reviewed on its own (own transaction, same rules as one review);
    those that cannot be accepted as they are (no self-score where the reviewer
    must score, another reviewer's decision since, a closed period) are skipped
    with the reason and left for a one-by-one review.
    """
    result = BulkResult()
    for item in evidence:
        if item.status != Evidence.Status.SUBMITTED:
            result.skipped.append((item, _("already reviewed")))
            continue
        try:
            result.accepted.append(evidence_review(
                evidence=item, user=user, decision=Review.Decision.ACCEPTED, score=item.self_score,
                expected_version=item.version))
        except (ValidationError, PermissionDenied) as error:
            reason = " ".join(error.messages) if isinstance(error, ValidationError) else (
                str(error) or _("You do not review this unit's evidence."))
            result.skipped.append((item, reason))
    return result
