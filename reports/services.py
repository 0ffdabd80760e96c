"""Writes of the reports app: export jobs and their files. Imports write through reports.imports."""

import logging
import tempfile
from datetime import timedelta
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from campaigns.models import Campaign, Cluster, Period
from core.models import Job

from .exports.registry import EXPORTS
from .exports.tables import Export
from .exports.writer import ExportWorkbook

logger = logging.getLogger(__name__)

EXPORT_JOB_KIND = "reports.export"


def export_from_params(params: dict) -> Export | None:
    """Rebuild an export from the ids stored on its job; None when the campaign is gone."""
    export_cls = EXPORTS.get(params.get("export", ""))
    campaign = Campaign.objects.filter(pk=params.get("campaign")).first()
    if export_cls is None or campaign is None:
        return None
    period = Period.objects.filter(pk=params["period"], campaign=campaign).first() if params.get("period") else None
    cluster = (
        Cluster.objects.filter(pk=params["cluster"], campaign=campaign).first() if params.get("cluster") else None
    )
    return export_cls(campaign=campaign, period=period, cluster=cluster)


def export_write(*, export: Export, target, progress=None) -> None:
    """Write ``export`` as an .xlsx into ``target`` (a path or a binary file)."""
    book = ExportWorkbook(title=export.campaign.title, progress=progress)
    export.write(book, progress)
    book.save(target)


def _enqueue(job_id: int) -> None:
    from .tasks import export_job_run

    try:
        export_job_run.delay(job_id)
    except Exception:  # noqa: BLE001 - a broker outage must not fail the request; the sweep retries
        logger.warning("export job %s not queued; the periodic sweep will pick it up", job_id, exc_info=True)


def export_job_start(*, user: User, export: Export) -> Job:
    """Create a job for a large export and queue it once the job row is committed."""
    with transaction.atomic():
        job = Job.objects.create(
            kind=EXPORT_JOB_KIND, created_by=user, params=export.params(), total=export.count(),
            output_name=export.filename(),
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def export_job_run(*, job: Job) -> None:
    """Run a pending export job: progress on the job row, the file saved on it, done or failed.

    Idempotent: only the worker that moves the row from pending to running does the work.
    """
    claimed = Job.objects.filter(pk=job.pk, status=Job.Status.PENDING).update(
        status=Job.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return
    export = export_from_params(job.params)
    if export is None:
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, finished_at=timezone.now(),
                                             message="campaign deleted")
        return
    total = job.total

    def progress(done: int) -> None:
        Job.objects.filter(pk=job.pk).update(done=min(done, total) if total else 0)

    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "export.xlsx"
            export_write(export=export, target=str(path), progress=progress)
            with path.open("rb") as handle:
                job.output.save(job.output_name or export.filename(), File(handle), save=False)
    except Exception as exc:  # noqa: BLE001 - recorded on the job the user is watching
        logger.exception("export job %s failed", job.pk)
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, finished_at=timezone.now(),
                                             message=str(exc)[:255])
        return
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE, finished_at=timezone.now(), output=job.output.name, done=total
    )


def export_jobs_requeue(*, older_than_seconds: int = 60) -> int:
    """Queue again the export jobs still pending after a while (the broker was down when they were created)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(Job.objects.filter(kind=EXPORT_JOB_KIND, status=Job.Status.PENDING, created_at__lt=cutoff)
               .values_list("pk", flat=True)[:100])
    for job_id in ids:
        _enqueue(job_id)
    return len(ids)
