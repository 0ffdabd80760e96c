from decimal import Decimal

import pytest
from django.urls import reverse

from core.models import AuditEntry
from evidence.models import Evidence, EvidenceFile

from .factories import office_bytes, pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db


def _edit_url(world, criterion):
    return reverse("evidence_edit", args=[world.period.pk, criterion.pk])


def test_period_page_lists_criteria_with_deadline_in_vietnam_time(world, login):
    client = login(world.staff)
    response = client.get(reverse("evidence_period", args=[world.period.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "23:59:59" in body
    assert world.period.deadline.astimezone(world.period.deadline.tzinfo).strftime("%d/%m/%Y") in body
    assert [r["criterion"] for r in response.context["rows"]] == [*world.criteria, world.quantity_criterion]
    assert response.context["state"].locked is False
    assert "Chưa có" in body


def test_staff_flow_draft_submit_return_amend_resubmit(world, login, django_capture_on_commit_callbacks):
    client = login(world.staff)
    criterion = world.criteria[0]
    url = _edit_url(world, criterion)
    assert client.get(url).status_code == 200

    with django_capture_on_commit_callbacks():
        response = client.post(url, {
            "files": [upload("bao-cao quý II.pdf", pdf_bytes()), upload("ảnh 1.png", png_bytes())],
            "links": "https://facebook.com/doan-xa/posts/1\n",
            "note": "Đã tổ chức 2 buổi",
            "self_score": "8.5",
            "save": "1",
        })
    assert response.status_code == 302
    evidence = Evidence.objects.get(unit=world.unit, criterion=criterion, period=world.period)
    assert evidence.status == Evidence.Status.DRAFT
    assert evidence.self_score == Decimal("8.5")
    assert evidence.links == ["https://facebook.com/doan-xa/posts/1"]
    names = sorted(evidence.files.values_list("original_name", flat=True))
    assert names == ["bao-cao quý II.pdf", "ảnh 1.png"]
    pdf = evidence.files.get(original_name="bao-cao quý II.pdf")
    assert pdf.content_type == "application/pdf"
    assert pdf.file.name.startswith("evidence/") and pdf.file.name.endswith(".pdf")
    assert "bao-cao" not in pdf.file.name
    assert len(pdf.sha256) == 64
    assert pdf.uploaded_by == world.staff

    response = client.post(url, {"note": "Đã tổ chức 2 buổi", "self_score": "8.5",
                                 "links": "https://facebook.com/doan-xa/posts/1", "version": evidence.version + 0,
                                 "submit": "1"})
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.status == Evidence.Status.SUBMITTED
    assert evidence.submitted_by == world.staff

    # A reviewer returns it (the scoring app's service sets these fields).
    Evidence.objects.filter(pk=evidence.pk).update(status=Evidence.Status.RETURNED, review_remark="Thiếu hình ảnh")
    page = client.get(url)
    assert "Thiếu hình ảnh" in page.content.decode()
    listing = client.get(reverse("evidence_period", args=[world.period.pk]))
    assert "Thiếu hình ảnh" in listing.content.decode()

    evidence.refresh_from_db()
    with django_capture_on_commit_callbacks():
        response = client.post(url, {"files": [upload("anh-bo-sung.jpg", png_bytes())], "note": "Bổ sung",
                                     "self_score": "8.5", "version": evidence.version, "save": "1"})
    # A PNG named .jpg is refused: the name must match the content.
    assert response.status_code == 400
    assert "không khớp với nội dung" in response.content.decode()
    with django_capture_on_commit_callbacks():
        response = client.post(url, {"files": [upload("anh-bo-sung.png", png_bytes())], "note": "Bổ sung",
                                     "self_score": "8.5", "version": evidence.version, "submit": "1"})
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.status == Evidence.Status.SUBMITTED
    assert evidence.note == "Bổ sung"
    assert evidence.files.count() == 3
    entries = AuditEntry.objects.filter(object_id=str(evidence.pk)).order_by("id")
    actions = list(entries.values_list("action", flat=True))
    assert actions == ["evidence.create", "evidence.file_add", "evidence.file_add", "evidence.submit",
                       "evidence.update", "evidence.file_add", "evidence.submit"]
    assert AuditEntry.objects.filter(action="evidence.submit").first().ip_address == "127.0.0.1"


def test_submit_via_script_returns_json_redirect(world, login):
    client = login(world.staff)
    response = client.post(_edit_url(world, world.criteria[0]),
                           {"files": [upload("a.pdf", pdf_bytes())], "submit": "1"},
                           headers={"x-requested-with": "XMLHttpRequest"})
    assert response.status_code == 200
    assert response.json() == {"redirect": reverse("evidence_period", args=[world.period.pk])}


def test_submit_without_file_or_link_is_refused(world, login):
    client = login(world.staff)
    response = client.post(_edit_url(world, world.criteria[0]), {"note": "x", "submit": "1"})
    assert response.status_code == 400
    assert "Thêm ít nhất một tệp hoặc một đường dẫn" in response.content.decode()
    assert Evidence.objects.get().status == Evidence.Status.DRAFT or Evidence.objects.count() == 0


def test_quantity_criterion_needs_quantity_to_submit(world, login):
    client = login(world.staff)
    url = _edit_url(world, world.quantity_criterion)
    response = client.post(url, {"links": "https://example.org/a", "submit": "1"})
    assert response.status_code == 400
    response = client.post(url, {"links": "https://example.org/a", "quantity": "12", "submit": "1"})
    assert response.status_code == 302
    assert Evidence.objects.get().quantity == Decimal("12")


def test_self_score_above_max_is_refused(world, login):
    client = login(world.staff)
    response = client.post(_edit_url(world, world.criteria[0]), {"self_score": "10.5", "save": "1"})
    assert response.status_code == 400
    assert Evidence.objects.count() == 0


def test_stale_version_is_refused(world, login):
    client = login(world.staff)
    url = _edit_url(world, world.criteria[0])
    client.post(url, {"note": "một", "save": "1"})
    evidence = Evidence.objects.get()
    response = client.post(url, {"note": "hai", "version": evidence.version - 1, "save": "1"})
    assert response.status_code == 400
    evidence.refresh_from_db()
    assert evidence.note == "một"


def test_file_download_headers(world, login):
    client = login(world.staff)
    data = office_bytes("docx")
    client.post(_edit_url(world, world.criteria[0]), {"files": [upload("Báo cáo \"quý\" II.docx", data)], "save": "1"})
    evidence_file = EvidenceFile.objects.get()
    response = client.get(reverse("evidence_file_download", args=[evidence_file.pk]))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''B%C3%A1o%20c%C3%A1o%20%22qu%C3%BD%22%20II.docx" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == data


def test_remove_file_deletes_row_and_stored_file(world, login, stored_files, django_capture_on_commit_callbacks):
    client = login(world.staff)
    client.post(_edit_url(world, world.criteria[0]), {"files": [upload("a.pdf", pdf_bytes())], "save": "1"})
    evidence_file = EvidenceFile.objects.get()
    assert stored_files() == [evidence_file.file.name]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("evidence_file_remove", args=[evidence_file.pk]))
    assert response.status_code == 302
    assert EvidenceFile.objects.count() == 0
    assert stored_files() == []
    assert AuditEntry.objects.filter(action="evidence.file_remove").count() == 1


def test_reviewed_evidence_cannot_be_changed(world, login):
    client = login(world.staff)
    url = _edit_url(world, world.criteria[0])
    client.post(url, {"links": "https://example.org/a", "submit": "1"})
    Evidence.objects.update(status=Evidence.Status.ACCEPTED, score=Decimal("9"))
    response = client.post(url, {"note": "sửa", "save": "1"})
    assert response.status_code == 400
    assert Evidence.objects.get().note == ""


def test_saving_unchanged_submitted_evidence_keeps_it_submitted(world, login):
    client = login(world.staff)
    url = _edit_url(world, world.criteria[0])
    client.post(url, {"links": "https://example.org/a", "submit": "1"})
    evidence = Evidence.objects.get()
    response = client.post(url, {"links": "https://example.org/a", "version": evidence.version, "save": "1"})
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.status == Evidence.Status.SUBMITTED
    client.post(url, {"links": "https://example.org/b", "version": evidence.version, "save": "1"})
    evidence.refresh_from_db()
    assert (evidence.status, evidence.links) == (Evidence.Status.DRAFT, ["https://example.org/b"])


def test_period_list_shows_thumbnails_or_icons(world, login):
    client = login(world.staff)
    client.post(_edit_url(world, world.criteria[0]), {"files": [upload("a.pdf", pdf_bytes())], "save": "1"})
    body = client.get(reverse("evidence_period", args=[world.period.pk])).content.decode()
    assert "bi-file-earmark-pdf" in body
    EvidenceFile.objects.update(thumbnail="thumbs/2024/01/x.jpg")
    body = client.get(reverse("evidence_period", args=[world.period.pk])).content.decode()
    assert reverse("evidence_file_thumbnail", args=[EvidenceFile.objects.get().pk]) in body
