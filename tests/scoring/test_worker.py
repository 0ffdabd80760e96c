"""Recomputes through the real broker and a real Celery worker on Redis and PostgreSQL."""

import os
import signal
import time
from decimal import Decimal

import psycopg2
import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from scoring import compute, tasks
from scoring.models import ClusterScore, DirtyCluster, UnitScore
from tests.celery_worker import celery_worker, children_of
from tests.evidence.factories import build_world
from tests.scoring.factories import accepted, submitted

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _wait_for(condition, seconds: float = 60, log=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out" + (f"\n{log.read_text()[-3000:]}" if log and log.exists() else ""))


def test_a_review_is_recomputed_by_a_real_worker_and_changes_the_standings(tmp_path):
    from scoring.services import evidence_review

    world = build_world()
    accepted(period=world.period, unit=world.other_unit, criterion=world.criteria[0], score=3)
    compute.period_recompute(period_id=world.period.pk)
    assert ClusterScore.objects.get(cluster=world.other_cluster).rank == 1
    evidence = submitted(period=world.period, unit=world.unit, criterion=world.criteria[0], self_score=9)
    log = tmp_path / "worker.log"
    with celery_worker(log, pool="solo"):
        evidence_review(evidence=evidence, user=world.office, decision="accepted", score=Decimal("9.5"),
                        expected_version=evidence.version)
        assert DirtyCluster.objects.filter(cluster=world.cluster).exists()  # durable before the task runs
        _wait_for(lambda: not DirtyCluster.objects.exists(), log=log)
        health = Client().get(reverse("healthz")).json()  # with a worker answering, nothing is missing
        assert (health["status"], health["workers"]["count"]) == ("ok", 1), health
    assert UnitScore.objects.get(period=world.period, unit=world.unit).total == Decimal("9.50")
    assert ClusterScore.objects.get(cluster=world.cluster).rank == 1
    assert ClusterScore.objects.get(cluster=world.other_cluster).rank == 2


def test_a_worker_killed_mid_recompute_leaves_the_flag_and_the_sweep_finishes(tmp_path):
    world = build_world()
    accepted(period=world.period, unit=world.unit, criterion=world.criteria[0], score=8)
    db = connection.settings_dict
    blocker = psycopg2.connect(dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"])
    log = tmp_path / "worker.log"
    try:
        with blocker.cursor() as cursor:  # hold the period's row lock: the recompute will wait inside its transaction
            cursor.execute("SELECT id FROM campaigns_period WHERE id = %s FOR NO KEY UPDATE", [world.period.pk])
        with celery_worker(log, pool="prefork", concurrency=1) as worker:
            with transaction.atomic():
                compute.scores_mark_dirty(period=world.period, cluster_ids=[world.cluster.pk])

            def waiting_on_the_lock():
                with blocker.cursor() as cursor:
                    cursor.execute("SELECT pg_stat_clear_snapshot()")  # the view is a snapshot per transaction
                    cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                                   "AND wait_event_type = 'Lock'", [db["NAME"]])
                    return cursor.fetchone()[0] == 1

            _wait_for(waiting_on_the_lock, log=log)
            for pid in [*children_of(worker.pid), worker.pid]:
                os.kill(pid, signal.SIGKILL)
            worker.wait(timeout=10)
    finally:
        blocker.rollback()
        blocker.close()
    assert DirtyCluster.objects.filter(cluster=world.cluster).exists()
    assert not UnitScore.objects.exists()
    second = tmp_path / "second-worker.log"
    with celery_worker(second, pool="solo"):
        tasks.recompute_dirty.delay()  # what beat sends every minute
        _wait_for(lambda: not DirtyCluster.objects.exists(), log=second)
    assert UnitScore.objects.get(period=world.period, unit=world.unit).total == Decimal("8.00")
    assert ClusterScore.objects.get(cluster=world.cluster).rank == 1
