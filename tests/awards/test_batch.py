"""The batch job in-process: resuming renders only what is missing, in order."""

import os
import time
from datetime import date
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from awards import batch, services
from awards.models import CertificateBatchChunk, CertificateBatchItem
from awards.tasks import certificate_stray_files_cleanup
from core.models import Job
from tests.awards.factories import AwardDecisionFactory, AwardFactory
from tests.awards.pdf import pdf_info, pdf_text
from tests.factories import AwardFormFactory, OfficeUserFactory

pytestmark = pytest.mark.django_db


def _issued_decision(count):
    decision = AwardDecisionFactory()
    form = AwardFormFactory(issuer_unit=decision.issuer_unit)
    for n in range(1, count + 1):
        AwardFactory(decision=decision, award_form=form, person_name=f"Đoàn viên {n:02d}",
                     recipient_name=f"Đoàn viên {n:02d}", order=n)
    return services.decision_issue(decision=decision, user=OfficeUserFactory(unit=decision.issuer_unit),
                                   number="45-QĐ/ĐTN", date=date(2024, 12, 20), place="Giồng Riềng",
                                   signer_title="PHÓ BÍ THƯ", signer_name="Võ Văn An")


def test_rerun_after_a_partial_run_renders_only_the_missing_certificates(monkeypatch, tmp_path):
    monkeypatch.setattr(batch, "CHUNK_SIZE", 3)
    decision = _issued_decision(7)
    job = Job.objects.create(kind="award_certificates", params={"decision_id": decision.pk}, total=7,
                             status=Job.Status.RUNNING)
    awards = list(decision.awards.order_by("order"))
    batch._render_chunk(job, awards[:3], None, tmp_path)  # a run that died after its first chunk
    first = dict(CertificateBatchItem.objects.values_list("award_id", "file"))

    job = batch.certificates_job_run(job=job)

    assert (job.status, job.done, job.total) == ("done", 7, 7)
    assert CertificateBatchChunk.objects.filter(job=job).count() == 3
    items = dict(CertificateBatchItem.objects.filter(job=job).values_list("award_id", "file"))
    assert len(items) == 7
    assert {k: items[k] for k in first} == first
    combined = Path(job.output.path)
    assert pdf_info(combined)["Pages"] == "7"
    text = pdf_text(combined)
    assert [text.index(f"Đoàn viên {n:02d}") for n in range(1, 8)] == sorted(
        text.index(f"Đoàn viên {n:02d}") for n in range(1, 8))


def test_files_a_killed_run_stored_but_never_recorded_are_deleted_a_day_later(tmp_path):
    decision = _issued_decision(2)
    job = Job.objects.create(kind="award_certificates", params={"decision_id": decision.pk}, total=2,
                             status=Job.Status.RUNNING)
    other = Job.objects.create(kind="award_certificates", params={"decision_id": decision.pk})
    folder = timezone.localtime().strftime("certificates/%Y/%m")
    orphans = [default_storage.save(f"{folder}/job{job.pk}-chunk.pdf", ContentFile(b"%PDF-1.7 killed")),
               default_storage.save(f"{folder}/job{job.pk}-0001-doan-vien-01.pdf", ContentFile(b"%PDF-1.7"))]
    # Not recorded yet either, but written just now: a run still rendering its chunk.
    kept = [default_storage.save(f"{folder}/job{other.pk}-chunk.pdf", ContentFile(b"%PDF-1.7 other job")),
            default_storage.save(f"{folder}/job{job.pk}0-chunk.pdf", ContentFile(b"%PDF-1.7 job ten times"))]
    job = batch.certificates_job_run(job=job)
    recorded = [*CertificateBatchChunk.objects.filter(job=job).values_list("file", flat=True),
                *CertificateBatchItem.objects.filter(job=job).values_list("file", flat=True)]
    two_days_ago = time.time() - 2 * 86400
    for name in (*orphans, *recorded):
        os.utime(default_storage.path(name), (two_days_ago, two_days_ago))

    assert certificate_stray_files_cleanup.apply().get() == 2

    assert job.status == "done"
    assert not any(default_storage.exists(name) for name in orphans)
    assert all(default_storage.exists(name) for name in kept)
    assert len(recorded) == 3 and all(default_storage.exists(name) for name in recorded)


def test_finished_job_is_not_run_again():
    decision = _issued_decision(1)
    job = Job.objects.create(kind="award_certificates", params={"decision_id": decision.pk}, total=1,
                             status=Job.Status.DONE)
    batch.certificates_job_run(job=job)
    assert CertificateBatchItem.objects.count() == 0


def test_job_for_a_draft_decision_fails_with_a_message():
    decision = AwardDecisionFactory()
    job = Job.objects.create(kind="award_certificates", params={"decision_id": decision.pk})
    batch.certificates_job_run(job=job)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message == "Quyết định không còn hoặc chưa ban hành."


def test_sweep_queues_again_only_the_stale_certificate_jobs():
    import redis
    from django.conf import settings
    from django.utils import timezone

    from awards.tasks import sweep_certificate_jobs

    queue = redis.Redis.from_url(settings.REDIS_URL)
    queue.delete("celery")
    old = timezone.now() - timezone.timedelta(minutes=30)
    lost = Job.objects.create(kind="award_certificates", params={"decision_id": 0})
    Job.objects.filter(pk=lost.pk).update(created_at=old)
    Job.objects.create(kind="award_certificates", status=Job.Status.RUNNING, started_at=old)  # stalled
    Job.objects.create(kind="award_certificates", status=Job.Status.RUNNING, started_at=timezone.now())
    Job.objects.create(kind="award_certificates")  # just queued
    finished = Job.objects.create(kind="award_certificates", status=Job.Status.DONE)
    Job.objects.filter(pk=finished.pk).update(created_at=old)

    assert sweep_certificate_jobs() == 2
    assert queue.llen("celery") == 2
    queue.delete("celery")
