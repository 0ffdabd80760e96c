"""Thumbnails, the stray-file cleanup, the sweep, duplicates across units and periods."""

import os
import time
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from evidence.models import EvidenceFile
from evidence.selectors import evidence_duplicates
from evidence.services import evidence_save_draft
from evidence.tasks import evidence_file_thumbnail, evidence_stray_files_cleanup
from tests.factories import EvidenceFactory, PeriodFactory

from .factories import pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db


def test_thumbnails_for_png_and_pdf(world, login, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        evidence = evidence_save_draft(
            user=world.staff, period=world.period, criterion=world.criteria[0],
            uploads=[upload("a.png", png_bytes((900, 600))), upload("b.pdf", pdf_bytes())],
        )
    assert len(callbacks) == 2
    for evidence_file in evidence.files.all():
        evidence_file_thumbnail(evidence_file.pk)
        evidence_file_thumbnail(evidence_file.pk)  # idempotent
    for evidence_file in evidence.files.all():
        assert evidence_file.thumbnail.name.startswith("thumbs/")
        with default_storage.open(evidence_file.thumbnail.name) as handle, Image.open(handle) as image:
            assert image.format == "JPEG"
            assert max(image.size) <= 320
    png = evidence.files.get(original_name="a.png")
    response = login(world.staff).get(reverse("evidence_file_thumbnail", args=[png.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    page = login(world.staff).get(reverse("evidence_edit", args=[world.period.pk, world.criteria[0].pk]))
    assert reverse("evidence_file_thumbnail", args=[png.pk]) in page.content.decode()


def test_missing_thumbnail_falls_back_to_an_icon(world, login):
    evidence_save_draft(user=world.staff, period=world.period, criterion=world.criteria[0],
                        uploads=[upload("b.pdf", pdf_bytes())])
    page = login(world.staff).get(reverse("evidence_edit", args=[world.period.pk, world.criteria[0].pk]))
    assert "bi-file-earmark-pdf" in page.content.decode()


def test_stray_files_cleanup_deletes_only_old_unreferenced_files(world, settings):
    evidence = evidence_save_draft(user=world.staff, period=world.period, criterion=world.criteria[0],
                                   uploads=[upload("a.pdf", pdf_bytes())])
    kept = evidence.files.get().file.name
    old_stray = default_storage.save("evidence/2024/01/old.pdf", ContentFile(b"x"))
    new_stray = default_storage.save("evidence/2024/01/new.pdf", ContentFile(b"x"))
    two_days_ago = time.time() - 2 * 86400
    for name in (old_stray, kept):
        os.utime(default_storage.path(name), (two_days_ago, two_days_ago))
    assert evidence_stray_files_cleanup() == 1
    assert (default_storage.exists(old_stray), default_storage.exists(new_stray), default_storage.exists(kept)) == (
        False, True, True)
    out = StringIO()
    call_command("evidence_cleanup", "--hours", "0", stdout=out)
    assert "evidence/2024/01/new.pdf" in out.getvalue()
    assert default_storage.exists(kept)


def test_beat_schedule_has_the_cleanup(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"evidence.tasks.evidence_stray_files_cleanup", "evidence.tasks.evidence_sweep"} <= tasks


def test_same_file_in_two_units_or_two_periods_is_flagged(world, login):
    data = pdf_bytes()
    mine = evidence_save_draft(user=world.staff, period=world.period, criterion=world.criteria[0],
                               uploads=[upload("a.pdf", data)])
    assert evidence_duplicates(mine) == []
    theirs = evidence_save_draft(user=world.leader, period=world.period, criterion=world.criteria[0],
                                 uploads=[upload("copy.pdf", data)])
    later = PeriodFactory(campaign=world.campaign)
    again = evidence_save_draft(user=world.staff, period=later, criterion=world.criteria[0],
                                uploads=[upload("a.pdf", data)])
    flagged = evidence_duplicates(mine)
    assert [d["file"].pk for d in flagged] == [mine.files.get().pk]
    assert {o.evidence_id for o in flagged[0]["others"]} == {theirs.pk, again.pk}
    page = login(world.leader).get(reverse("evidence_detail", args=[mine.pk]))
    assert "Tệp trùng với nơi khác" in page.content.decode()


def test_same_file_twice_in_one_unit_and_period_is_not_flagged(world):
    data = pdf_bytes()
    one = evidence_save_draft(user=world.staff, period=world.period, criterion=world.criteria[0],
                              uploads=[upload("a.pdf", data)])
    evidence_save_draft(user=world.staff, period=world.period, criterion=world.criteria[1],
                        uploads=[upload("a.pdf", data)])
    assert evidence_duplicates(one) == []
    assert EvidenceFile.objects.count() == 2


def test_sweep_sends_unsent_reminders_and_makes_missing_thumbnails(world):
    from datetime import timedelta

    from django.core import mail
    from django.utils import timezone

    from evidence.models import Reminder
    from evidence.tasks import evidence_sweep

    evidence = evidence_save_draft(user=world.staff, period=world.period, criterion=world.criteria[0],
                                   uploads=[upload("a.png", png_bytes())])
    old = timezone.now() - timedelta(hours=1)
    EvidenceFile.objects.update(uploaded_at=old)
    reminder = Reminder.objects.create(cluster=world.cluster, period=world.period, unit=world.unit, missing=["I.1"])
    Reminder.objects.filter(pk=reminder.pk).update(created_at=old)
    EvidenceFactory  # noqa: B018 - factories stay importable for readers of this module
    evidence_sweep()
    assert len(mail.outbox) == 1
    assert evidence.files.get().thumbnail.name.startswith("thumbs/")
