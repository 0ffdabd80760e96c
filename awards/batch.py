"""Rendering all certificates of a decision into one PDF and a zip, as a resumable job.

Certificates are rendered a chunk at a time (``CHUNK_SIZE`` pages in one
WeasyPrint document, which costs far less per page than one document each);
each chunk is written to storage, split into one PDF per recipient with pypdf,
and recorded in one transaction (a ``CertificateBatchChunk`` and one
``CertificateBatchItem`` per award). Memory therefore does not grow with the
number of certificates, and a rerun (a worker died, the broker redelivered)
renders only the awards without an item: every certificate is rendered and
recorded exactly once per job. The combined PDF is assembled on disk from the
chunks by poppler's ``pdfunite``, in a child process. Files a killed run stored
but never recorded are deleted a day later by ``certificate_stray_files_cleanup``.
"""

import logging
import shutil
import subprocess
import tempfile
import zipfile
from datetime import timedelta
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from pypdf import PdfReader, PdfWriter

from core.models import Job
from core.storage import unreferenced_files_delete

from .models import CERTIFICATE_DIR, AwardDecision, CertificateBatchChunk, CertificateBatchItem
from .selectors import template_for

logger = logging.getLogger(__name__)

CHUNK_SIZE = 20


def _file_stem(order: int, name: str) -> str:
    ascii_name = slugify(name.replace("đ", "d").replace("Đ", "D"))[:60] or "giay-khen"
    return f"{order:04d}-{ascii_name}"


def _local_copy(stored_name: str, folder: Path, index: int) -> Path:
    """A local path of a stored file (the file itself on a local disk, else a downloaded copy)."""
    try:
        return Path(default_storage.path(stored_name))
    except NotImplementedError:
        target = folder / f"{index:05d}.pdf"
        with default_storage.open(stored_name, "rb") as source, open(target, "wb") as out:
            shutil.copyfileobj(source, out)
        return target


def certificates_job_run(*, job: Job) -> Job:
    """Render the missing certificates of the job's decision, then assemble the PDF and the zip."""
    claimed = Job.objects.filter(pk=job.pk).filter(
        Q(status=Job.Status.PENDING) | Q(status=Job.Status.RUNNING)
    ).update(status=Job.Status.RUNNING, started_at=timezone.now())
    if not claimed:
        return job
    decision = AwardDecision.objects.filter(pk=job.params.get("decision_id")).select_related("campaign").first()
    if decision is None or not decision.is_issued:
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, finished_at=timezone.now(),
                                             message="Quyết định không còn hoặc chưa ban hành.")
        return job
    try:
        _render_missing(job, decision)
        _assemble(job, decision)
    except Exception:
        logger.exception("certificate job %s failed", job.pk)
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, finished_at=timezone.now(),
                                             message="Lỗi khi in giấy khen; hãy thử lại hoặc báo quản trị.")
        raise
    job.refresh_from_db()
    return job


def _render_missing(job: Job, decision: AwardDecision) -> None:
    template = template_for(decision)
    awards = list(decision.awards.select_related("award_form", "decision").order_by("order", "pk"))
    Job.objects.filter(pk=job.pk).update(total=len(awards))
    done = set(CertificateBatchItem.objects.filter(job=job).values_list("award_id", flat=True))
    missing = [award for award in awards if award.pk not in done]
    with tempfile.TemporaryDirectory(prefix="certificates-") as folder:
        for start in range(0, len(missing), CHUNK_SIZE):
            _render_chunk(job, missing[start:start + CHUNK_SIZE], template, Path(folder))
            Job.objects.filter(pk=job.pk).update(done=CertificateBatchItem.objects.filter(job=job).count())


def _render_chunk(job: Job, awards: list, template, folder: Path) -> None:
    """Render, split and record a few certificates; all of them or none are recorded."""
    from .documents import certificates_pdf  # WeasyPrint is loaded only by the processes that draw PDFs

    chunk_path = folder / "chunk.pdf"
    certificates_pdf(awards, str(chunk_path), template=template)
    stored = []
    with open(chunk_path, "rb") as handle:
        chunk = CertificateBatchChunk(job=job)
        chunk.file.save(f"job{job.pk}-chunk.pdf", File(handle), save=False)
        stored.append(chunk.file.name)
    reader = PdfReader(str(chunk_path))
    items = []
    for award, page in zip(awards, reader.pages, strict=True):
        writer = PdfWriter()
        writer.add_page(page)
        page_path = folder / "page.pdf"
        with open(page_path, "wb") as out:
            writer.write(out)
        item = CertificateBatchItem(job=job, award=award, chunk=chunk)
        with open(page_path, "rb") as handle:
            item.file.save(f"job{job.pk}-{_file_stem(award.order, award.recipient_name)}.pdf", File(handle),
                           save=False)
        stored.append(item.file.name)
        items.append(item)
    try:
        with transaction.atomic():
            chunk.save()
            for item in items:
                item.chunk = chunk
            CertificateBatchItem.objects.bulk_create(items)
    except IntegrityError:  # a concurrent run of the same job recorded these first
        for name in stored:
            default_storage.delete(name)


def _assemble(job: Job, decision: AwardDecision) -> None:
    items = list(
        CertificateBatchItem.objects.filter(job=job).select_related("award").order_by("award__order", "award__pk")
    )
    chunks = list(CertificateBatchChunk.objects.filter(job=job).order_by("pk"))
    base = slugify((decision.number or f"quyet-dinh-{decision.pk}").replace("/", "-").replace("Đ", "D"))
    with tempfile.TemporaryDirectory(prefix="certificates-") as folder:
        folder_path = Path(folder)
        pieces = [_local_copy(chunk.file.name, folder_path, index) for index, chunk in enumerate(chunks)]
        combined = folder_path / "combined.pdf"
        if len(pieces) == 1:
            shutil.copyfile(pieces[0], combined)
        else:
            subprocess.run(["pdfunite", *map(str, pieces), str(combined)], check=True, capture_output=True,
                           timeout=600)
        local = [_local_copy(item.file.name, folder_path, len(chunks) + index) for index, item in enumerate(items)]
        archive = folder_path / "certificates.zip"
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            for item, path in zip(items, local, strict=True):
                bundle.write(path, f"{_file_stem(item.award.order, item.award.recipient_name)}.pdf")
        job = Job.objects.get(pk=job.pk)
        with open(combined, "rb") as handle:
            job.output.save(f"giay-khen-{base}.pdf", File(handle), save=False)
        with open(archive, "rb") as handle:
            job.extra_output.save(f"giay-khen-{base}.zip", File(handle), save=False)
        job.output_name = f"giay-khen-{base}.pdf"
        job.extra_output_name = f"giay-khen-{base}.zip"
        job.status, job.finished_at, job.done = Job.Status.DONE, timezone.now(), len(items)
        job.save(update_fields=["output", "extra_output", "output_name", "extra_output_name", "status",
                                "finished_at", "done"])


def certificate_stray_files_cleanup(*, older_than: timedelta = timedelta(days=1)) -> list[str]:
    """Delete certificate files no chunk or item records, older than ``older_than``: those a run killed
    between storing a chunk's files and recording them left behind (a rerun renders the chunk again)."""
    known = set(CertificateBatchChunk.objects.values_list("file", flat=True)) | set(
        CertificateBatchItem.objects.values_list("file", flat=True))
    return unreferenced_files_delete(folders=[CERTIFICATE_DIR], known=known, older_than=older_than)
