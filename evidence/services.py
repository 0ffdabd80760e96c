"""Writes of evidence, late windows, reminders and cluster dossiers.

Every service is keyword-only, runs in one transaction, writes the audit trail
(who, what, when in UTC, the client IP from ``core.middleware``) and enqueues
its background work with ``transaction.on_commit``.
"""

import contextlib
import logging
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from io import BytesIO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F, Sum
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Unit, User
from campaigns.models import Cluster, ClusterMember, Criterion, Period
from core.audit import audit_record, changes_between
from core.background import enqueue_on_commit
from core.storage import unreferenced_files_delete
from core.templatetags.formatting import score

from .models import DossierSubmission, Evidence, EvidenceFile, LateRequest, LateWindow, Reminder
from .selectors import (
    EDITABLE_STATUSES,
    SENT_STATUSES,
    can_edit_for_unit,
    cluster_matrix,
    deadline_passed,
    lock_state,
)
from .uploads import EVIDENCE_UPLOAD_DIR, THUMBNAIL_DIR, CheckedUpload, check_upload, human_size, store_upload

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------- helpers

@contextlib.contextmanager
def _stored_files() -> Iterator[list[str]]:
    """Collects the names of files written to storage; deletes them if the block fails."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            with contextlib.suppress(Exception):
                default_storage.delete(name)
        raise


def _ensure_can_change(*, user: User, period: Period, unit_id: int) -> None:
    if not can_edit_for_unit(user, unit_id):
        raise PermissionDenied
    state = lock_state(period=period, unit_id=unit_id)
    if state.locked:
        if state.reason == "closed":
            raise ValidationError(_("%(period)s is closed: evidence can no longer be changed.") % {"period": period})
        raise ValidationError(
            _("The deadline of %(period)s has passed: evidence can no longer be changed. Ask the office for a "
              "late window if you need one.") % {"period": period}
        )


def _ensure_editable(evidence: Evidence) -> None:
    if evidence.status not in EDITABLE_STATUSES:
        raise ValidationError(
            _("This evidence has already been reviewed (%(status)s) and can no longer be changed.")
            % {"status": evidence.get_status_display()}
        )


def _check_uploads(uploads: Iterable) -> list[CheckedUpload]:
    """Judge every file; refuse the whole batch with one reason per refused file."""
    checked, errors = [], []
    for upload in uploads:
        try:
            checked.append(check_upload(upload))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return checked


def _attach_files(
    *, evidence: Evidence, user: User, checked: list[CheckedUpload], stored: list[str]
) -> list[EvidenceFile]:
    if not checked:
        return []
    # One upload at a time per unit, so two requests cannot both pass the period limit. NO KEY UPDATE: rows
    # that merely refer to the unit (a review's audit entry, checked at commit) are not held up by it.
    Unit.objects.select_for_update(no_key=True).filter(pk=evidence.unit_id).order_by().first()
    limit = int(settings.EVIDENCE_MAX_PERIOD_BYTES)
    used = EvidenceFile.objects.filter(
        evidence__unit_id=evidence.unit_id, evidence__period_id=evidence.period_id
    ).aggregate(total=Sum("size"))["total"] or 0
    adding = sum(c.size for c in checked)
    if used + adding > limit:
        raise ValidationError(
            _("These files (%(adding)s) would take your unit over the limit of %(limit)s for %(period)s "
              "(%(used)s already used). Remove some files or make them smaller.")
            % {"adding": human_size(adding), "limit": human_size(limit), "period": evidence.period,
               "used": human_size(used)}
        )
    created = []
    for item in checked:
        name, sha256 = store_upload(item)
        stored.append(name)
        evidence_file = EvidenceFile.objects.create(
            evidence=evidence, file=name, original_name=item.original_name, size=item.size,
            content_type=item.kind.content_type, sha256=sha256, uploaded_by=user,
        )
        created.append(evidence_file)
        audit_record(
            actor=user, action="evidence.file_add", obj=evidence, unit=evidence.unit, campaign=evidence.campaign,
            data={"file_id": evidence_file.pk, "name": item.original_name, "size": item.size,
                  "sha256": sha256, "content_type": item.kind.content_type},
        )
    from .tasks import evidence_file_thumbnail

    for evidence_file in created:
        if evidence_file.content_type.startswith("image/") or evidence_file.content_type == "application/pdf":
            enqueue_on_commit(evidence_file_thumbnail, evidence_file.pk)
    return created


def clean_links(lines: Iterable[str]) -> list[str]:
    validate = URLValidator(schemes=["http", "https"])
    links = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        try:
            validate(line)
        except ValidationError as exc:
            raise ValidationError(
                _("“%(link)s” is not a web address; links must start with http:// or https://.") % {"link": line[:100]}
            ) from exc
        if line not in links:
            links.append(line)
    return links


def _bump(evidence: Evidence, fields: list[str]) -> None:
    evidence.version = F("version") + 1
    evidence.save(update_fields=[*fields, "version", "updated_at"])
    evidence.refresh_from_db(fields=["version"])


# ---------------------------------------------------------------- evidence

@transaction.atomic
def _evidence_save(
    *, user, period, criterion, note, links, quantity, self_score, uploads, expected_version, stored
) -> Evidence:
    unit_id = user.unit_id
    _ensure_can_change(user=user, period=period, unit_id=unit_id)
    if criterion.campaign_id != period.campaign_id or criterion.kind != Criterion.Kind.CRITERION:
        raise ValidationError(_("This criterion does not belong to the period's campaign."))
    if self_score is not None and not (Decimal("0") <= self_score <= criterion.max_points):
        raise ValidationError(
            _("The self-assessed score must be between 0 and %(max)s.") % {"max": score(criterion.max_points)}
        )
    if criterion.method != Criterion.Method.QUANTITY:
        quantity = None
    links = clean_links(links)
    checked = _check_uploads(uploads)
    # Only the evidence row: without ``of`` and ``order_by()`` the default ordering would join the period,
    # campaign, unit and criterion and lock their rows too, and every upload of every unit would queue on the
    # one period row (and deadlock with the foreign-key checks other transactions make at commit).
    evidence = (
        Evidence.objects.select_for_update(of=("self",))
        .filter(period=period, unit_id=unit_id, criterion=criterion).order_by().first()
    )
    created = evidence is None
    if created:
        evidence = Evidence.objects.create(
            campaign_id=period.campaign_id, period=period, unit_id=unit_id, criterion=criterion,
            note=note, links=links, quantity=quantity, self_score=self_score, created_by=user,
        )
        audit_record(
            actor=user, action="evidence.create", obj=evidence, unit=evidence.unit, campaign=evidence.campaign,
            data={"note": note, "links": links, "quantity": quantity, "self_score": self_score},
        )
    else:
        _ensure_editable(evidence)
        if expected_version is not None and expected_version != evidence.version:
            raise ValidationError(
                _("Somebody else changed this evidence while you were editing it. Reload the page, check their "
                  "changes and save again.")
            )
        old = {"note": evidence.note, "links": evidence.links, "quantity": evidence.quantity,
               "self_score": evidence.self_score, "status": evidence.status}
        evidence.note, evidence.links, evidence.quantity, evidence.self_score = note, links, quantity, self_score
        new = {"note": note, "links": links, "quantity": quantity, "self_score": self_score,
               "status": evidence.status}
        # Changing submitted evidence takes it back to draft until it is submitted again;
        # returned evidence stays returned so the reviewer's remark stays next to it.
        if evidence.status == Evidence.Status.SUBMITTED and (changes_between(old, new) or checked):
            evidence.status = new["status"] = Evidence.Status.DRAFT
        changes = changes_between(old, new)
        if changes:
            _bump(evidence, ["note", "links", "quantity", "self_score", "status"])
            audit_record(
                actor=user, action="evidence.update", obj=evidence, unit=evidence.unit,
                campaign=evidence.campaign, data=changes,
            )
    if checked:
        _attach_files(evidence=evidence, user=user, checked=checked, stored=stored)
        if not created:
            _bump(evidence, [])
    return evidence


def evidence_save_draft(
    *,
    user: User,
    period: Period,
    criterion: Criterion,
    note: str = "",
    links: Iterable[str] = (),
    quantity: Decimal | None = None,
    self_score: Decimal | None = None,
    uploads: Iterable = (),
    expected_version: int | None = None,
) -> Evidence:
    """Create or change the user's unit's evidence for a criterion and period, adding any uploaded files.

    Refused (``ValidationError``, nothing saved, no file left in storage) after the deadline without a
    late window, on a closed period, on reviewed evidence, on a stale ``expected_version`` or on any
    refused file. Audited; thumbnails are made in the background.
    """
    with _stored_files() as stored:
        return _evidence_save(
            user=user, period=period, criterion=criterion, note=note, links=list(links), quantity=quantity,
            self_score=self_score, uploads=list(uploads), expected_version=expected_version, stored=stored,
        )


def evidence_add_files(*, evidence: Evidence, user: User, uploads: Iterable) -> list[EvidenceFile]:
    """Attach files to existing evidence (all or none). Same refusals as ``evidence_save_draft``."""
    with _stored_files() as stored, transaction.atomic():
        evidence = Evidence.objects.select_for_update(of=("self",)).select_related(
            "period", "unit", "campaign").get(pk=evidence.pk)
        _ensure_can_change(user=user, period=evidence.period, unit_id=evidence.unit_id)
        _ensure_editable(evidence)
        files = _attach_files(evidence=evidence, user=user, checked=_check_uploads(uploads), stored=stored)
        if evidence.status == Evidence.Status.SUBMITTED:
            evidence.status = Evidence.Status.DRAFT
        _bump(evidence, ["status"])
        return files


@transaction.atomic
def evidence_remove_file(*, evidence_file: EvidenceFile, user: User) -> None:
    """Remove a file from editable evidence; the stored file and thumbnail are deleted after commit."""
    evidence = Evidence.objects.select_for_update(of=("self",)).select_related("period", "unit", "campaign").get(
        pk=evidence_file.evidence_id
    )
    _ensure_can_change(user=user, period=evidence.period, unit_id=evidence.unit_id)
    _ensure_editable(evidence)
    names = [n for n in (evidence_file.file.name, evidence_file.thumbnail.name) if n]
    audit_record(
        actor=user, action="evidence.file_remove", obj=evidence, unit=evidence.unit, campaign=evidence.campaign,
        data={"file_id": evidence_file.pk, "name": evidence_file.original_name, "sha256": evidence_file.sha256},
    )
    evidence_file.delete()
    if evidence.status == Evidence.Status.SUBMITTED:
        evidence.status = Evidence.Status.DRAFT
    _bump(evidence, ["status"])

    def delete_stored():
        for name in names:
            with contextlib.suppress(Exception):
                default_storage.delete(name)

    transaction.on_commit(delete_stored)


@transaction.atomic
def evidence_submit(*, evidence: Evidence, user: User, expected_version: int | None = None) -> Evidence:
    """Submit draft or returned evidence to the reviewers (gửi minh chứng). Audited."""
    evidence = Evidence.objects.select_for_update(of=("self",)).select_related(
        "period", "unit", "campaign", "criterion").get(pk=evidence.pk)
    _ensure_can_change(user=user, period=evidence.period, unit_id=evidence.unit_id)
    _ensure_editable(evidence)
    if expected_version is not None and expected_version != evidence.version:
        raise ValidationError(
            _("Somebody else changed this evidence while you were editing it. Reload the page and submit again.")
        )
    if evidence.status == Evidence.Status.SUBMITTED:
        raise ValidationError(_("This evidence has already been submitted."))
    if not evidence.files.exists() and not evidence.links:
        raise ValidationError(_("Add at least one file or link before submitting."))
    if evidence.criterion.method == Criterion.Method.QUANTITY and evidence.quantity is None:
        raise ValidationError(_("Enter the quantity achieved before submitting."))
    previous = evidence.status
    evidence.status = Evidence.Status.SUBMITTED
    evidence.submitted_at = timezone.now()
    evidence.submitted_by = user
    _bump(evidence, ["status", "submitted_at", "submitted_by"])
    audit_record(
        actor=user, action="evidence.submit", obj=evidence, unit=evidence.unit, campaign=evidence.campaign,
        data={"status": [previous, evidence.status], "resubmission": previous == Evidence.Status.RETURNED},
    )
    return evidence


# ---------------------------------------------------------------- late windows

def _ensure_manages(user: User, campaign) -> None:
    from campaigns.rules import manages_campaign

    if not manages_campaign(user, campaign):
        raise PermissionDenied


@transaction.atomic
def late_window_grant(
    *, period: Period, unit: Unit | None, reason: str, ends_at: datetime, user: User,
    request: LateRequest | None = None,
) -> LateWindow:
    """Let one unit (or, with ``unit=None``, every unit) change evidence until ``ends_at``. Audited."""
    _ensure_manages(user, period.campaign)
    if not reason.strip():
        raise ValidationError(_("Give the reason for the late window."))
    if ends_at <= timezone.now():
        raise ValidationError(_("The end of the late window must be in the future."))
    if unit is not None and not ClusterMember.objects.filter(campaign_id=period.campaign_id, unit=unit).exists():
        raise ValidationError(_("%(unit)s does not take part in this campaign.") % {"unit": unit})
    if period.status == Period.Status.CLOSED:
        raise ValidationError(_("%(period)s is closed; it must be reopened by the scoring office first.")
                              % {"period": period})
    window = LateWindow.objects.create(
        period=period, unit=unit, reason=reason.strip(), ends_at=ends_at, granted_by=user, request=request
    )
    audit_record(
        actor=user, action="evidence.period_reopen" if unit is None else "evidence.late_window_grant",
        obj=window, unit=unit, campaign=period.campaign,
        data={"period": period.name, "ends_at": ends_at, "reason": window.reason},
    )
    return window


def period_reopen(*, period: Period, reason: str, ends_at: datetime, user: User) -> LateWindow:
    """Reopen the period for every unit until ``ends_at`` (a late window without a unit)."""
    return late_window_grant(period=period, unit=None, reason=reason, ends_at=ends_at, user=user)


@transaction.atomic
def late_request_create(*, period: Period, user: User, reason: str) -> LateRequest:
    """A unit asks the office for a late window (xin gia hạn). One pending request per unit and period."""
    if not can_edit_for_unit(user, user.unit_id):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("Explain why your unit needs more time."))
    if LateRequest.objects.filter(period=period, unit_id=user.unit_id, status=LateRequest.Status.PENDING).exists():
        raise ValidationError(_("Your unit already has a request waiting for the office's decision."))
    request = LateRequest.objects.create(period=period, unit_id=user.unit_id, reason=reason.strip(),
                                         requested_by=user)
    audit_record(actor=user, action="evidence.late_request", obj=request, unit=request.unit,
                 campaign=period.campaign, data={"period": period.name, "reason": request.reason})
    return request


@transaction.atomic
def late_request_decide(
    *, request: LateRequest, approve: bool, user: User, ends_at: datetime | None = None, remark: str = ""
) -> LateRequest:
    """Approve (granting a late window until ``ends_at``) or refuse a unit's request. Audited."""
    # Only the request's row: the joined period and unit rows are locked by recomputes and evidence writes.
    request = (LateRequest.objects.select_for_update(of=("self",)).select_related("period__campaign", "unit")
               .get(pk=request.pk))
    _ensure_manages(user, request.period.campaign)
    if request.status != LateRequest.Status.PENDING:
        raise ValidationError(_("This request has already been decided."))
    if approve:
        if ends_at is None:
            raise ValidationError(_("Give the date and time until which the unit may submit."))
        late_window_grant(period=request.period, unit=request.unit, reason=remark or request.reason,
                          ends_at=ends_at, user=user, request=request)
    request.status = LateRequest.Status.APPROVED if approve else LateRequest.Status.REFUSED
    request.decided_by = user
    request.decided_at = timezone.now()
    request.decision_remark = remark.strip()
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_remark"])
    audit_record(actor=user, action=f"evidence.late_request_{request.status}", obj=request, unit=request.unit,
                 campaign=request.period.campaign, data={"remark": request.decision_remark, "ends_at": ends_at})
    return request


# ---------------------------------------------------------------- cluster leader

def _ensure_leads(user: User, cluster: Cluster) -> None:
    from campaigns.rules import leads_cluster

    if not leads_cluster(user, cluster):
        raise PermissionDenied


@transaction.atomic
def reminders_create(
    *, cluster: Cluster, period: Period, user: User, unit_ids: Iterable[int] | None = None, message: str = ""
) -> list[Reminder]:
    """Remind member units with gaps (all of them, or those in ``unit_ids``); e-mails go out in the background."""
    _ensure_leads(user, cluster)
    matrix = cluster_matrix(cluster=cluster, period=period)
    wanted = set(unit_ids) if unit_ids is not None else None
    reminders = []
    for row in matrix.rows:
        if not row["missing"] or (wanted is not None and row["unit"].pk not in wanted):
            continue
        reminder = Reminder.objects.create(
            cluster=cluster, period=period, unit=row["unit"], sent_by=user, message=message.strip(),
            missing=[f"{c.code}. {c.title}" for c in row["missing"]],
        )
        audit_record(actor=user, action="evidence.reminder", obj=reminder, unit=row["unit"],
                     campaign=cluster.campaign, data={"missing": len(row["missing"]), "period": period.name})
        reminders.append(reminder)
    from .tasks import reminder_send

    for reminder in reminders:
        enqueue_on_commit(reminder_send, reminder.pk)
    return reminders


def reminder_deliver(*, reminder: Reminder) -> bool:
    """Send one reminder's e-mail unless already sent; returns whether it was sent now."""
    now = timezone.now()
    if not Reminder.objects.filter(pk=reminder.pk, sent_at__isnull=True).update(sent_at=now):
        return False
    unit = reminder.unit
    recipients = sorted({
        *(e for e in [unit.email] if e),
        *User.objects.filter(unit=unit, is_active=True).exclude(email="").values_list("email", flat=True),
    })
    context = {"reminder": reminder, "unit": unit, "period": reminder.period, "cluster": reminder.cluster,
               "site_url": settings.SITE_URL}
    try:
        if recipients:
            send_mail(
                subject=_("[%(cluster)s] Missing evidence for %(period)s") % {
                    "cluster": reminder.cluster, "period": reminder.period},
                message=render_to_string("evidence/reminder_email.txt", context),
                from_email=None, recipient_list=recipients,
            )
    except Exception:
        Reminder.objects.filter(pk=reminder.pk).update(sent_at=None)
        raise
    Reminder.objects.filter(pk=reminder.pk).update(recipients=recipients)
    return True


@transaction.atomic
def dossier_submit(*, cluster: Cluster, period: Period, user: User) -> DossierSubmission:
    """Submit the cluster's dossier (hồ sơ cụm): a snapshot of the members' sent evidence and file hashes.

    The first submission is accepted at any time (flagged late after the deadline); resubmitting is only
    possible until the deadline. Refused on a closed period.
    """
    _ensure_leads(user, cluster)
    if period.campaign_id != cluster.campaign_id:
        raise ValidationError(_("This period does not belong to the cluster's campaign."))
    if period.status == Period.Status.CLOSED:
        raise ValidationError(_("%(period)s is closed.") % {"period": period})
    now = timezone.now()
    on_time = not deadline_passed(period.deadline, now)
    earlier = DossierSubmission.objects.select_for_update().filter(cluster=cluster, period=period)
    if not on_time and earlier.exists():
        raise ValidationError(_("The deadline has passed: the dossier already submitted can no longer be replaced."))
    evidence = (
        Evidence.objects.filter(period=period, unit__cluster_memberships__cluster=cluster, status__in=SENT_STATUSES)
        .prefetch_related("files").order_by("unit_id", "criterion__order", "id")
    )
    items = [
        {"id": e.pk, "unit_id": e.unit_id, "criterion_id": e.criterion_id, "status": e.status, "version": e.version,
         "files": [{"id": f.pk, "sha256": f.sha256, "size": f.size} for f in e.files.all()]}
        for e in evidence
    ]
    dossier = DossierSubmission.objects.create(
        cluster=cluster, period=period, submitted_by=user, submitted_at=now, on_time=on_time,
        snapshot={"evidence": items}, evidence_count=len(items), file_count=sum(len(i["files"]) for i in items),
    )
    audit_record(actor=user, action="evidence.dossier_submit", obj=dossier, unit=user.unit, campaign=cluster.campaign,
                 data={"period": period.name, "evidence": len(items), "on_time": on_time})
    return dossier


# ---------------------------------------------------------------- files in the background

THUMBNAIL_SIZE = (320, 320)


def _local_copy(name: str) -> tuple[str, bool]:
    """A local path for a stored file (a temporary copy when the storage is remote)."""
    try:
        return default_storage.path(name), False
    except NotImplementedError:
        handle, path = tempfile.mkstemp(suffix=os.path.splitext(name)[1])
        with os.fdopen(handle, "wb") as out, default_storage.open(name, "rb") as src:
            shutil.copyfileobj(src, out, 1024 * 1024)
        return path, True


def evidence_file_make_thumbnail(*, evidence_file: EvidenceFile) -> bool:
    """Make the JPEG thumbnail of an image or a PDF's first page; idempotent. Returns whether one was made."""
    from PIL import Image

    if evidence_file.thumbnail:
        return False
    path, temporary = _local_copy(evidence_file.file.name)
    try:
        if evidence_file.content_type == "application/pdf":
            with tempfile.TemporaryDirectory() as folder:
                prefix = os.path.join(folder, "page")
                subprocess.run(
                    ["pdftoppm", "-f", "1", "-l", "1", "-singlefile", "-jpeg", "-scale-to", str(THUMBNAIL_SIZE[0]),
                     path, prefix],
                    check=True, capture_output=True, timeout=60,
                )
                with open(prefix + ".jpg", "rb") as handle:
                    data = handle.read()
        elif evidence_file.content_type.startswith("image/"):
            if evidence_file.content_type == "image/heic":
                import pillow_heif

                pillow_heif.register_heif_opener()
            with Image.open(path) as image:
                image.draft("RGB", THUMBNAIL_SIZE)
                image.thumbnail(THUMBNAIL_SIZE)
                out = BytesIO()
                image.convert("RGB").save(out, "JPEG", quality=80)
                data = out.getvalue()
        else:
            return False
    finally:
        if temporary:
            os.unlink(path)
    today = timezone.now()
    name = default_storage.save(f"{THUMBNAIL_DIR}/{today:%Y}/{today:%m}/{uuid.uuid4().hex}.jpg", ContentFile(data))
    if not EvidenceFile.objects.filter(pk=evidence_file.pk, thumbnail="").update(thumbnail=name):
        default_storage.delete(name)  # made meanwhile by another run, or the file is gone
        return False
    return True


def stray_files_cleanup(*, older_than: timedelta = timedelta(days=1)) -> list[str]:
    """Delete files under the evidence and thumbnail folders that no row references and are older than
    ``older_than`` (left by failed transactions). Returns the deleted names."""
    known = set(EvidenceFile.objects.values_list("file", flat=True)) | set(
        EvidenceFile.objects.exclude(thumbnail="").values_list("thumbnail", flat=True)
    )
    return unreferenced_files_delete(folders=[EVIDENCE_UPLOAD_DIR, THUMBNAIL_DIR], known=known, older_than=older_than)
