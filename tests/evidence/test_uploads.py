"""Hostile uploads are refused with a Vietnamese reason and leave no row and no stored file."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files import File
from django.urls import reverse

from evidence.models import Evidence, EvidenceFile
from evidence.services import evidence_save_draft
from evidence.uploads import check_upload

from .factories import huge_png_header, jpeg_bytes, office_bytes, pdf_bytes, png_bytes, upload, zip_bomb_docx

pytestmark = pytest.mark.django_db


def _post(client, world, files):
    return client.post(
        reverse("evidence_edit", args=[world.period.pk, world.criteria[0].pk]),
        {"files": files, "note": "có ghi chú", "save": "1"},
    )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bao-cao.docx", pdf_bytes(), "không khớp với nội dung (nội dung là PDF)"),
        ("anh.png", b"<html><script>alert(1)</script></html>" * 10, "không thuộc loại tệp được nhận"),
        ("bom.docx", zip_bomb_docx(), "tệp nén độc hại (zip bomb)"),
        ("khong-lo.png", huge_png_header(20000, 20000), "quá lớn về số điểm ảnh"),
        ("rong.pdf", b"", "rỗng (0 byte)"),
        ("tai-lieu.zip", office_bytes("docx") and b"PK\x03\x04" + b"\x00" * 100, "tệp Office bị hỏng"),
        ("macro.docm.docx", office_bytes(
            "docx", content_type="application/vnd.ms-word.document.macroEnabled.main+xml"),
         "không phải là tài liệu Word"),
    ],
    ids=["wrong-extension", "html-as-png", "zip-bomb-docx", "20000x20000-png", "empty", "broken-zip", "not-ooxml"],
)
def test_hostile_upload_is_refused_and_leaves_nothing(world, login, stored_files, name, data, message):
    client = login(world.staff)
    response = _post(client, world, [upload(name, data)])
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Evidence.objects.count() == 0
    assert EvidenceFile.objects.count() == 0
    assert stored_files() == []


def test_file_over_25_mb_is_refused(world, login, stored_files):
    client = login(world.staff)
    data = pdf_bytes() + b"\x00" * (26 * 1024 * 1024)
    response = _post(client, world, [upload("lon.pdf", data)])
    assert response.status_code == 400
    assert "mỗi tệp tối đa 25,0 MB" in response.content.decode()
    assert EvidenceFile.objects.count() == 0
    assert stored_files() == []


def test_one_bad_file_refuses_the_whole_batch(world, login, stored_files):
    client = login(world.staff)
    response = _post(client, world, [upload("tot.pdf", pdf_bytes()), upload("xau.png", b"GIF89a....")])
    assert response.status_code == 400
    assert "“xau.png” không thuộc loại tệp được nhận" in response.content.decode()
    assert EvidenceFile.objects.count() == 0
    assert stored_files() == []


def test_period_limit_per_unit_is_enforced(world, login, settings, stored_files):
    settings.EVIDENCE_MAX_PERIOD_BYTES = 3000
    client = login(world.staff)
    first = pdf_bytes()
    assert len(first) < 3000
    assert _post(client, world, [upload("a.pdf", first)]).status_code == 302
    response = client.post(reverse("evidence_edit", args=[world.period.pk, world.criteria[1].pk]),
                           {"files": [upload("b.pdf", pdf_bytes() + b"\x00" * 2000)], "save": "1"})
    assert response.status_code == 400
    assert "vượt giới hạn" in response.content.decode()
    assert EvidenceFile.objects.count() == 1
    assert len(stored_files()) == 1
    # The rolled-back transaction left no evidence row for the second criterion either.
    assert Evidence.objects.count() == 1


def test_path_traversal_name_is_refused(world, stored_files):
    # Files that do not come through Django's upload parser (imports, scripts) keep their raw name.
    hostile = File(io.BytesIO(pdf_bytes()), name="../../etc/cron.d/x.pdf")
    with pytest.raises(ValidationError) as caught:
        evidence_save_draft(user=world.staff, period=world.period, criterion=world.criteria[0], uploads=[hostile])
    assert caught.value.messages == [
        "Tên tệp “../../etc/cron.d/x.pdf” chứa đường dẫn thư mục; hãy đổi tên tệp rồi chọn lại."
    ]
    assert Evidence.objects.count() == 0
    assert stored_files() == []


def test_path_traversal_name_through_the_form_never_reaches_the_path(world, login, stored_files):
    # Django's parser keeps only the last component; the stored name is generated anyway.
    client = login(world.staff)
    boundary = "BoUnDaRy"
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"save\"\r\n\r\n1\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"../../../../tmp/evil.pdf\"\r\n"
        f"Content-Type: application/pdf\r\n\r\n"
    ).encode() + pdf_bytes() + f"\r\n--{boundary}--\r\n".encode()
    response = client.post(reverse("evidence_edit", args=[world.period.pk, world.criteria[0].pk]), data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 302
    stored = EvidenceFile.objects.get()
    assert stored.original_name == "evil.pdf"
    assert stored_files() == [stored.file.name]
    assert stored.file.name.startswith("evidence/")


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("a.pdf", pdf_bytes(), "application/pdf"),
        ("b.PNG", png_bytes(), "image/png"),
        ("c.jpg", jpeg_bytes(), "image/jpeg"),
        ("d.docx", office_bytes("docx"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("e.xlsx", office_bytes("xlsx"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("f.pptx", office_bytes("pptx"), "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        ("g.mp4", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64, "video/mp4"),
    ],
)
def test_allowed_types_are_recognised_by_content(name, data, content_type):
    checked = check_upload(upload(name, data, content_type="text/html"))
    assert checked.kind.content_type == content_type


def test_heic_photo_is_accepted():
    import io

    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (1, 2, 3)).save(out, "HEIF")
    assert check_upload(upload("IMG_0001.HEIC", out.getvalue())).kind.key == "heic"


def test_image_over_the_megapixel_bound_names_its_size():
    with pytest.raises(ValidationError) as caught:
        check_upload(upload("to.png", huge_png_header(9000, 8000)))
    assert caught.value.messages == [
        "Ảnh “to.png” có kích thước 9000 × 8000 điểm ảnh; chỉ nhận tối đa 60 megapixel. "
        "Hãy giảm kích thước ảnh rồi tải lên lại."
    ]


def test_failure_after_storing_removes_the_stored_files(world, stored_files, monkeypatch):
    """A failure half-way through a batch (here: the database refusing the second row) leaves nothing."""
    from evidence.models import EvidenceFile as Model

    real_create = Model.objects.create
    calls = []

    def failing_create(**kwargs):
        calls.append(kwargs["original_name"])
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real_create(**kwargs)

    monkeypatch.setattr(Model.objects, "create", failing_create)
    with pytest.raises(RuntimeError):
        evidence_save_draft(user=world.staff, period=world.period, criterion=world.criteria[0],
                            uploads=[upload("a.pdf", pdf_bytes()), upload("b.png", png_bytes())])
    assert calls == ["a.pdf", "b.png"]
    assert (Evidence.objects.count(), EvidenceFile.objects.count()) == (0, 0)
    assert stored_files() == []
