from celery import shared_task

from core.models import Job


@shared_task(acks_late=True, reject_on_worker_lost=True)
def render_decision_certificates(job_id: int) -> None:
    """Render a decision's certificates; safe to run again (already rendered ones are skipped)."""
    from .batch import certificates_job_run

    job = Job.objects.filter(pk=job_id, kind="award_certificates").first()
    if job is None or job.is_finished:
        return
    certificates_job_run(job=job)


@shared_task
def sweep_certificate_jobs() -> int:
    """Queue again the certificate jobs whose message was lost (broker restart) or whose worker stalled.

    Safe: a job renders only the certificates it has not recorded yet.
    """
    from datetime import timedelta

    from django.db.models import Max
    from django.utils import timezone

    now = timezone.now()
    stale = []
    pending = Job.objects.filter(kind="award_certificates", status=Job.Status.PENDING,
                                 created_at__lt=now - timedelta(minutes=2))
    stale.extend(pending.values_list("pk", flat=True))
    running = (
        Job.objects.filter(kind="award_certificates", status=Job.Status.RUNNING)
        .annotate(last_chunk=Max("certificate_chunks__created_at"))
    )
    for job in running:
        last = max(filter(None, [job.started_at, job.last_chunk]), default=job.created_at)
        if last < now - timedelta(minutes=10):
            stale.append(job.pk)
    for job_id in stale:
        render_decision_certificates.delay(job_id)
    return len(stale)


@shared_task
def certificate_stray_files_cleanup() -> int:
    """Delete the certificate files of killed runs that no row records (older than a day)."""
    from .batch import certificate_stray_files_cleanup as cleanup

    return len(cleanup())
