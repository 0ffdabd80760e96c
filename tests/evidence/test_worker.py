"""Reminders go through the real broker: enqueued on commit, sent by a real Celery worker on Redis."""

import time

import pytest
from django.urls import reverse

from evidence.models import Reminder
from tests.celery_worker import celery_worker

from .factories import build_world

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(tmp_path):
    with celery_worker(tmp_path / "worker.log", pool="solo") as process:
        yield process


def test_reminder_is_sent_by_a_real_worker(worker, client):
    world = build_world()
    from tests.factories import EvidenceFactory

    EvidenceFactory(period=world.period, unit=world.leader_unit, criterion=world.criteria[0])
    assert client.login(username=world.leader.username, password="mat-khau-kiem-thu-1")
    response = client.post(reverse("cluster_remind", args=[world.cluster.pk, world.period.pk]),
                           {"unit": world.unit.pk})
    assert response.status_code == 302
    reminder = Reminder.objects.get()
    for _ in range(300):
        reminder.refresh_from_db()
        if reminder.recipients:  # written once the e-mail has gone out
            break
        time.sleep(0.1)
    assert reminder.sent_at is not None, worker.read_text()[-2000:]
    assert sorted(reminder.recipients) == sorted(["don-vi@example.org", world.staff.email])
