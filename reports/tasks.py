from celery import shared_task

from core.models import Job

from . import services


@shared_task
def export_job_run(job_id: int) -> None:
    job = Job.objects.filter(pk=job_id, kind=services.EXPORT_JOB_KIND).first()
    if job is None:
        return
    services.export_job_run(job=job)


@shared_task
def export_jobs_sweep() -> None:
    services.export_jobs_requeue()
