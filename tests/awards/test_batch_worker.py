"""The certificate batch end to end with a real Celery worker on Redis and the test database."""

import os
import signal
import time
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings

from awards import services
from awards.batch import certificate_stray_files_cleanup
from awards.models import CertificateBatchChunk, CertificateBatchItem
from core.models import Job
from tests.awards.factories import AwardDecisionFactory, AwardFactory
from tests.awards.pdf import page_size_points, pdf_info, pdf_text, rasterise
from tests.celery_worker import celery_worker, children_of
from tests.factories import AwardFormFactory, OfficeUserFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ISSUE = {"number": "45-QĐ/ĐTN", "date": date(2024, 12, 20), "place": "Giồng Riềng",
         "signer_title": "TM. BAN THƯỜNG VỤ HUYỆN ĐOÀN / PHÓ BÍ THƯ", "signer_name": "Võ Văn An"}


@pytest.fixture
def worker(tmp_path):
    """A real worker (prefork, one child) on this test's database, media folder and Redis db."""
    with celery_worker(tmp_path / "worker.log") as process:
        yield process


def _wait(job: Job, seconds: float = 120) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return job
        time.sleep(0.3)
    raise AssertionError(f"job still {job.status} ({job.done}/{job.total})")


def _issued_decision(count: int):
    decision = AwardDecisionFactory()
    form = AwardFormFactory(issuer_unit=decision.issuer_unit, name="Giấy khen")
    for n in range(1, count + 1):
        AwardFactory(decision=decision, award_form=form, person_name=f"Nguyễn Thị Hồng Nhung {n}",
                     recipient_name=f"Nguyễn Thị Hồng Nhung {n}", order=n)
    user = OfficeUserFactory(unit=decision.issuer_unit)
    return services.decision_issue(decision=decision, user=user, **ISSUE), user


def test_batch_renders_one_pdf_and_a_zip_with_a_real_worker(worker, tmp_path, login):
    decision, user = _issued_decision(5)

    job = _wait(services.certificates_job_start(decision=decision, user=user))

    assert (job.status, job.done, job.total) == ("done", 5, 5)
    combined = Path(job.output.path)
    assert pdf_info(combined)["Pages"] == "5"
    assert page_size_points(combined) == (842, 595)
    text = pdf_text(combined)
    assert text.count("TẶNG GIẤY KHEN") == 5
    assert "Nguyễn Thị Hồng Nhung 1" in text and "Nguyễn Thị Hồng Nhung 5" in text
    assert len(rasterise(combined, tmp_path)) == 5
    with zipfile.ZipFile(job.extra_output.path) as bundle:
        names = bundle.namelist()
        assert names == [f"{n:04d}-nguyen-thi-hong-nhung-{n}.pdf" for n in range(1, 6)]
        (tmp_path / "one.pdf").write_bytes(bundle.read(names[0]))
    assert pdf_info(tmp_path / "one.pdf")["Pages"] == "1"
    assert CertificateBatchItem.objects.filter(job=job).count() == 5

    client = login(user)
    response = client.get(f"/khen-thuong/in/{job.pk}/tai/pdf/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert login(OfficeUserFactory()).get(f"/khen-thuong/in/{job.pk}/tai/zip/").status_code == 404


def test_batch_resumes_after_the_worker_process_dies_without_rendering_twice(worker):
    decision, user = _issued_decision(45)
    job = services.certificates_job_start(decision=decision, user=user)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and CertificateBatchItem.objects.filter(job=job).count() < 3:
        time.sleep(0.05)
    first_items = dict(CertificateBatchItem.objects.filter(job=job).values_list("award_id", "file"))
    assert 3 <= len(first_items) < 45
    for child in children_of(worker.pid):  # the pool process rendering the job dies mid-way
        os.kill(child, signal.SIGKILL)

    job = _wait(job, 180)

    assert (job.status, job.done) == ("done", 45)
    items = list(CertificateBatchItem.objects.filter(job=job).values_list("award_id", "file"))
    assert len(items) == 45
    assert len({award_id for award_id, _ in items}) == 45
    assert {k: v for k, v in items if k in first_items} == first_items  # rendered once, kept
    assert pdf_info(Path(job.output.path))["Pages"] == "45"
    # The killed child may have stored a chunk's files without recording them: the cleanup (a day later in
    # the beat schedule, at once here) leaves none behind.
    certificate_stray_files_cleanup(older_than=timedelta(0))
    chunks = CertificateBatchChunk.objects.filter(job=job).values_list("file", flat=True)
    recorded = {Path(name).name for name in [*chunks, *(file for _, file in items)]}
    on_disk = {path.name for path in Path(settings.MEDIA_ROOT, "certificates").rglob(f"job{job.pk}-*")}
    assert on_disk == recorded
