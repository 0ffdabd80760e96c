"""PostgreSQL's connection dies in the middle of an upload: an error page in Vietnamese, nothing half-saved,
and the next request works."""

import hashlib

import pytest
from django.urls import reverse

from evidence.models import Evidence, EvidenceFile
from tests.evidence.factories import build_world, pdf_bytes

from .conftest import Visitor, portal_server, proxied_database_url

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


def test_a_connection_dropped_mid_upload_shows_the_error_page_and_leaves_nothing(
    tmp_path, pg_proxy, stored_files, own_redis
):
    world = build_world()
    path = reverse("evidence_edit", args=[world.period.pk, world.criteria[0].pk])
    document = pdf_bytes()
    with portal_server(tmp_path / "gunicorn.log", DATABASE_URL=proxied_database_url(pg_proxy),
                       REDIS_URL=own_redis.url) as server:
        visitor = Visitor(server).log_in_as(world.staff)
        body, content_type = visitor.upload_body(path, [("bien-ban.pdf", document, "application/pdf")],
                                                 {"note": "Biên bản sinh hoạt chi đoàn"})
        # The evidence row is inserted, the file is in storage: the connection dies as the file's row goes in.
        pg_proxy.trigger = b'INSERT INTO "evidence_evidencefile"'
        at_the_cut: list[str] = []
        pg_proxy.on_cut = lambda: at_the_cut.extend(stored_files("evidence/"))
        failed = visitor.request("POST", path, body, {"Content-Type": content_type})

        assert pg_proxy.cuts == 1
        assert len(at_the_cut) == 1  # the file had been written to storage when the database went away
        assert failed.status == 500
        assert "Đã xảy ra lỗi, thao tác chưa được thực hiện" in failed.text
        assert "Không có dữ liệu nào bị lưu dở dang" in failed.text
        assert not Evidence.objects.exists()
        assert stored_files("evidence/") == []

        # The same user carries on: the page opens, and sending again stores the evidence once.
        assert visitor.get(path).status == 200
        again = visitor.upload(path, [("bien-ban.pdf", document, "application/pdf")],
                               {"note": "Biên bản sinh hoạt chi đoàn"})
        assert again.status == 302

    evidence = Evidence.objects.get()
    assert evidence.note == "Biên bản sinh hoạt chi đoàn"
    stored = EvidenceFile.objects.get()
    assert stored.sha256 == hashlib.sha256(document).hexdigest()
    assert stored_files("evidence/") == [stored.file.name]
    assert "Internal Server Error" in server.log_text()  # the failure is logged for the administrators
