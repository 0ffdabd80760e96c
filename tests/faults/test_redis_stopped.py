"""Redis (broker and cache) stopped: the portal keeps working, and what the background would have done is kept
in PostgreSQL and done once Redis is back."""

import hashlib
import subprocess
import sys
from decimal import Decimal

import pytest
from django.urls import reverse

from emulation.celery import app
from evidence.models import EvidenceFile
from evidence.tasks import evidence_sweep
from scoring import compute
from scoring.models import ClusterScore, DirtyCluster, UnitScore
from scoring.tasks import recompute_dirty
from tests.celery_worker import ROOT, celery_worker
from tests.evidence.factories import build_world, png_bytes
from tests.factories import PASSWORD
from tests.scoring.factories import accepted, submitted

from .conftest import Visitor, portal_server, production_env, wait_for

pytestmark = [pytest.mark.faults, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def review_in_a_portal_process(redis_url: str, *, evidence, reviewer, score: str) -> subprocess.CompletedProcess:
    """The review service run in a process of its own configured like the web server (no review page yet)."""
    code = (
        "from accounts.models import User; from evidence.models import Evidence; "
        "from scoring.services import evidence_review; "
        f"e = Evidence.objects.get(pk={evidence.pk}); "
        f"evidence_review(evidence=e, user=User.objects.get(pk={reviewer.pk}), decision='accepted', "
        f"score='{score}', expected_version=e.version)"
    )
    return subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env=production_env(REDIS_URL=redis_url))


def send(task, redis_url: str) -> None:
    """What beat does: publish ``task`` to the broker at ``redis_url``."""
    with app.connection_for_write(redis_url) as connection:
        task.apply_async(connection=connection)


def test_with_redis_stopped_pages_uploads_and_reviews_work_and_scores_catch_up(tmp_path, own_redis, settings):
    world = build_world()
    accepted(period=world.period, unit=world.other_unit, criterion=world.criteria[0], score=3)
    compute.period_recompute(period_id=world.period.pk)
    assert ClusterScore.objects.get(cluster=world.other_cluster).rank == 1
    evidence = submitted(period=world.period, unit=world.unit, criterion=world.criteria[0], self_score=9)
    # A real password check on the server (tests elsewhere use the fast MD5 hasher, unknown to production).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher",
                                 "django.contrib.auth.hashers.MD5PasswordHasher"]
    world.staff.set_password(PASSWORD)
    world.staff.save(update_fields=["password"])
    photo = png_bytes((900, 600))

    with portal_server(tmp_path / "gunicorn.log", REDIS_URL=own_redis.url) as server:
        own_redis.stop()

        visitor = Visitor(server)
        login = visitor.post_form(reverse("login"), {"username": world.staff.username, "password": PASSWORD})
        assert (login.status, login.headers.get("Location")) == (302, "/")
        for path in ("/", reverse("evidence_period", args=[world.period.pk]),
                     reverse("evidence_edit", args=[world.period.pk, world.criteria[1].pk])):
            page = visitor.get(path)
            assert page.status == 200, (path, page.status)
        health = visitor.get("/healthz")
        assert (health.status, b'"status": "degraded"' in health.body, b'"redis": {"ok": false' in health.body) == (
            200, True, True)

        uploaded = visitor.upload(reverse("evidence_edit", args=[world.period.pk, world.criteria[1].pk]),
                                  [("anh-hoat-dong.png", photo, "image/png")], {"note": "Ảnh hoạt động"})
        assert uploaded.status == 302
        assert uploaded.seconds < 8  # the broker's connection timeout, not a hang
        stored = EvidenceFile.objects.get()
        assert (stored.sha256, stored.thumbnail.name) == (hashlib.sha256(photo).hexdigest(), "")
        with stored.file.open("rb") as handle:
            assert handle.read() == photo
        assert "Could not enqueue evidence.tasks.evidence_file_thumbnail" in server.log_text()

    review = review_in_a_portal_process(own_redis.url, evidence=evidence, reviewer=world.office, score="9.5")
    assert review.returncode == 0, review.stderr[-3000:]
    assert "Could not enqueue scoring.tasks.recompute_cluster" in review.stderr
    evidence.refresh_from_db()
    assert (evidence.status, evidence.score) == ("accepted", Decimal("9.50"))
    assert list(DirtyCluster.objects.values_list("cluster_id", flat=True)) == [world.cluster.pk]
    assert ClusterScore.objects.get(cluster=world.other_cluster).rank == 1  # not recomputed yet

    own_redis.start()
    log = tmp_path / "worker.log"
    with celery_worker(log, pool="solo", flush=False, REDIS_URL=own_redis.url):
        send(recompute_dirty, own_redis.url)  # beat sends it every minute
        wait_for(lambda: not DirtyCluster.objects.exists(), 60, lambda: log.read_text()[-3000:])
        EvidenceFile.objects.update(uploaded_at=stored.uploaded_at.replace(year=stored.uploaded_at.year - 1))
        send(evidence_sweep, own_redis.url)  # every 15 minutes: thumbnails whose message was lost
        wait_for(lambda: EvidenceFile.objects.exclude(thumbnail="").exists(), 60, lambda: log.read_text()[-3000:])

    assert UnitScore.objects.get(period=world.period, unit=world.unit).total == Decimal("9.50")
    assert ClusterScore.objects.get(cluster=world.cluster).rank == 1
    assert ClusterScore.objects.get(cluster=world.other_cluster).rank == 2
