"""A Celery worker killed outright (SIGKILL to the whole worker, as the kernel's OOM killer or a lost machine
does) in the middle of a certificate batch: a new worker finishes it, each certificate exactly once.

Killing only the pool process (the main process survives and the message is redelivered at once) is in
tests/awards/test_batch_worker.py; a worker killed during a recompute is in tests/scoring/test_worker.py
(``test_a_worker_killed_mid_recompute_leaves_the_flag_and_the_sweep_finishes``).
"""

import os
import signal
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from awards import services
from awards.models import CertificateBatchChunk, CertificateBatchItem
from awards.tasks import sweep_certificate_jobs
from core.models import Job
from tests.awards.pdf import pdf_info, pdf_text
from tests.awards.test_batch_worker import _issued_decision
from tests.celery_worker import celery_worker, children_of

from .conftest import wait_for

pytestmark = [pytest.mark.faults, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def broker():
    """The test's Redis db, without the messages a killed worker leaves unacknowledged."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    yield client
    client.delete("unacked", "unacked_index", "unacked_mutex")


def test_a_worker_killed_mid_batch_is_finished_by_a_new_worker_each_certificate_once(tmp_path, broker):
    decision, user = _issued_decision(45)
    first_log, second_log = tmp_path / "worker.log", tmp_path / "second-worker.log"
    with celery_worker(first_log) as worker:
        job = services.certificates_job_start(decision=decision, user=user)
        wait_for(lambda: CertificateBatchItem.objects.filter(job=job).count() >= 3, 60,
                 lambda: first_log.read_text()[-3000:])
        for pid in [*children_of(worker.pid), worker.pid]:
            os.kill(pid, signal.SIGKILL)
        worker.wait(timeout=10)
    before = dict(CertificateBatchItem.objects.filter(job=job).values_list("award_id", "file"))
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING
    assert 3 <= len(before) < 45
    # The message is unacknowledged in Redis and would come back only after the visibility timeout (an hour);
    # the job row says "running" with no progress: the beat sweep requeues it once it has been quiet 10 minutes.
    quiet = timezone.now() - timedelta(minutes=11)
    Job.objects.filter(pk=job.pk).update(started_at=quiet)
    CertificateBatchChunk.objects.filter(job=job).update(created_at=quiet)

    with celery_worker(second_log):
        sweep_certificate_jobs.delay()  # what beat sends every five minutes
        wait_for(lambda: Job.objects.get(pk=job.pk).is_finished, 180, lambda: second_log.read_text()[-3000:])
        time.sleep(1)  # a redelivered duplicate, if any, would show now

    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", 45, 45)
    items = list(CertificateBatchItem.objects.filter(job=job).values_list("award_id", "file"))
    assert len(items) == len({award_id for award_id, _ in items}) == 45
    assert {k: v for k, v in items if k in before} == before  # those rendered before the kill were kept
    combined = Path(job.output.path)
    assert pdf_info(combined)["Pages"] == "45"
    text = pdf_text(combined)
    assert [text.count(f"Nguyễn Thị Hồng Nhung {n}\n") for n in range(1, 46)] == [1] * 45
