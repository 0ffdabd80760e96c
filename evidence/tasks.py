"""Background work on evidence: thin, idempotent tasks on ids that call one service."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .models import EvidenceFile, Reminder


@shared_task
def evidence_file_thumbnail(evidence_file_id: int) -> None:
    from .services import evidence_file_make_thumbnail

    evidence_file = EvidenceFile.objects.filter(pk=evidence_file_id).first()
    if evidence_file is None:
        return
    evidence_file_make_thumbnail(evidence_file=evidence_file)


@shared_task
def reminder_send(reminder_id: int) -> None:
    from .services import reminder_deliver

    reminder = Reminder.objects.filter(pk=reminder_id).select_related("unit", "period", "cluster").first()
    if reminder is None:
        return
    reminder_deliver(reminder=reminder)


@shared_task
def evidence_sweep() -> None:
    """Catch up on work whose message was lost: unsent reminders and missing thumbnails (a few at a time)."""
    settled = timezone.now() - timedelta(minutes=10)
    for reminder_id in Reminder.objects.filter(sent_at__isnull=True, created_at__lt=settled).values_list(
        "pk", flat=True
    )[:50]:
        reminder_send(reminder_id)
    missing = EvidenceFile.objects.filter(thumbnail="", uploaded_at__lt=settled).filter(
        content_type__in=["application/pdf", "image/jpeg", "image/png", "image/webp", "image/heic"]
    )
    for file_id in missing.values_list("pk", flat=True)[:50]:
        evidence_file_thumbnail(file_id)


@shared_task
def evidence_stray_files_cleanup() -> int:
    from .services import stray_files_cleanup

    return len(stray_files_cleanup())
