"""An upload cut off halfway (the phone loses its signal) leaves nothing behind, and changes nothing."""

import hashlib
import os
import socket
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from evidence.models import EvidenceFile
from evidence.services import evidence_save_draft
from evidence.tasks import evidence_stray_files_cleanup
from tests.evidence.factories import build_world, pdf_bytes, upload

from .conftest import Visitor, portal_server

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


def noisy_png(megabytes: float = 1.5) -> bytes:
    from io import BytesIO

    from PIL import Image

    side = int((megabytes * 1024 * 1024 / 3) ** 0.5)
    out = BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG", compress_level=0)
    return out.getvalue()


def send_half_and_hang_up(port: int, path: str, body: bytes, content_type: str, cookies: dict) -> None:
    """Announce the whole body, send half of it, close the socket: what a dropped mobile connection does."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nCookie: {'; '.join(f'{k}={v}' for k, v in cookies.items())}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(head + body[: len(body) // 2])
        time.sleep(0.3)  # the server is reading the body when the line drops


def test_an_upload_interrupted_halfway_leaves_no_row_no_file_and_keeps_the_draft(tmp_path, stored_files, own_redis):
    world = build_world()
    criterion, other = world.criteria[0], world.criteria[1]
    existing = evidence_save_draft(user=world.staff, period=world.period, criterion=other, note="Ghi chú cũ",
                                   links=["https://example.org/bai-viet"], uploads=[upload("a.pdf", pdf_bytes())])
    before_files, before_version = stored_files(), existing.version
    with portal_server(tmp_path / "gunicorn.log", REDIS_URL=own_redis.url) as server:
        visitor = Visitor(server).log_in_as(world.staff)
        for target in (criterion, other):  # new evidence, and evidence that already has a note and a file
            path = reverse("evidence_edit", args=[world.period.pk, target.pk])
            body, content_type = visitor.upload_body(path, [("anh-hoat-dong.png", noisy_png(), "image/png")])
            send_half_and_hang_up(server.port, path, body, content_type, visitor.cookies)
            # One worker thread: this answer comes only after the interrupted request is finished.
            assert visitor.get(path).status == 200
        assert EvidenceFile.objects.count() == 1  # checked here, while the server still runs
        # The same body sent whole is stored: the interruption, not the body, was refused.
        photo = noisy_png()
        whole = visitor.upload(reverse("evidence_edit", args=[world.period.pk, criterion.pk]),
                               [("anh-hoat-dong.png", photo, "image/png")])
        assert whole.status == 302

    existing.refresh_from_db()
    assert (existing.note, existing.links, existing.version) == ("Ghi chú cũ", ["https://example.org/bai-viet"],
                                                                 before_version)
    assert list(existing.files.values_list("original_name", flat=True)) == ["a.pdf"]
    stored = EvidenceFile.objects.get(evidence__criterion=criterion)  # the one complete upload, nothing else
    assert stored.sha256 == hashlib.sha256(photo).hexdigest()
    assert sorted(set(stored_files("evidence/")) - set(before_files)) == [stored.file.name]
    assert "Traceback" not in server.log_text()


def test_the_periodic_cleanup_removes_stray_files_older_than_a_day():
    """What no transaction could clean (a process killed between writing the file and committing its row) is
    removed by the beat task a day later; files of rows are kept. (Service details: tests/evidence/test_tasks.py.)
    """
    world = build_world()
    kept = evidence_save_draft(user=world.staff, period=world.period, criterion=world.criteria[0],
                               uploads=[upload("a.pdf", pdf_bytes())]).files.get().file.name
    stray = default_storage.save("evidence/2026/01/killed-mid-request.pdf", ContentFile(pdf_bytes()))
    fresh = default_storage.save("evidence/2026/01/upload-in-progress.pdf", ContentFile(pdf_bytes()))
    two_days_ago = time.time() - 2 * 86400
    for name in (kept, stray):
        os.utime(default_storage.path(name), (two_days_ago, two_days_ago))

    assert evidence_stray_files_cleanup.apply().get() == 1

    assert [default_storage.exists(n) for n in (kept, stray, fresh)] == [True, False, True]
