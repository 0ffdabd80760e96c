"""Checking and storing uploaded evidence files.

A file is judged by its content (magic bytes, zip structure, image header),
never by its name or the type the browser claims; the name's extension must
agree with the content. Files are streamed in chunks: nothing here reads a
whole upload into memory.
"""

import hashlib
import os
import posixpath
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

EVIDENCE_UPLOAD_DIR = "evidence"
THUMBNAIL_DIR = "thumbs"


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    content_type: str
    extensions: tuple[str, ...]
    icon: str


KINDS = {
    k.key: k
    for k in [
        Kind("pdf", "PDF", "application/pdf", (".pdf",), "file-earmark-pdf"),
        Kind("jpeg", "JPEG", "image/jpeg", (".jpg", ".jpeg", ".jfif"), "file-earmark-image"),
        Kind("png", "PNG", "image/png", (".png",), "file-earmark-image"),
        Kind("webp", "WebP", "image/webp", (".webp",), "file-earmark-image"),
        Kind("heic", "HEIC", "image/heic", (".heic", ".heif"), "file-earmark-image"),
        Kind(
            "docx", "Word (DOCX)",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",),
            "file-earmark-word",
        ),
        Kind(
            "xlsx", "Excel (XLSX)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            (".xlsx",), "file-earmark-excel",
        ),
        Kind(
            "pptx", "PowerPoint (PPTX)",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",),
            "file-earmark-ppt",
        ),
        Kind("mp4", "MP4", "video/mp4", (".mp4", ".m4v"), "file-earmark-play"),
    ]
}
CONTENT_TYPE_KINDS = {k.content_type: k for k in KINDS.values()}
ALLOWED_EXTENSIONS = sorted({ext for k in KINDS.values() for ext in k.extensions})
# For <input accept=…>: extensions plus types, so phone pickers offer the camera and gallery.
ACCEPT_ATTRIBUTE = ",".join(ALLOWED_EXTENSIONS + ["image/*", "video/mp4", "application/pdf"])

HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
# The main part each Office format must have, and the content type [Content_Types].xml must declare for it.
OOXML_PARTS = {
    "docx": ("word/document.xml", b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    "pptx": (
        "ppt/presentation.xml",
        b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    ),
}
CHUNK = 1024 * 1024


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
    return f"{max(1, size // 1024)} KB"


def clean_original_name(name: str) -> str:
    """The name to keep and show: one path component, printable, NFC, at most 200 characters.

    Raises ``ValidationError`` if the name tries to leave its folder
    (``../``, absolute paths, drive letters) — it is refused, not repaired.
    """
    name = unicodedata.normalize("NFC", name or "")
    if "\x00" in name or "/" in name or "\\" in name or name in (".", "..") or name.startswith(".."):
        raise ValidationError(
            _("The file name “%(name)s” contains a folder path; rename the file and choose it again.")
            % {"name": name[:80]}
        )
    name = "".join(ch for ch in name if ch.isprintable()).strip().strip(".")
    if not name:
        raise ValidationError(_("The file has no name; rename it and choose it again."))
    stem, ext = os.path.splitext(name)
    return stem[: 200 - len(ext)] + ext.lower()


def _read_head(upload, size: int = 64) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        return "heic" if head[8:12] in HEIF_BRANDS else "mp4"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def _check_ooxml(upload, display: str) -> str:
    """Which Office format a zip is (docx/xlsx/pptx), refusing bombs and anything else packed in a zip."""
    max_entries = _limit("EVIDENCE_MAX_ZIP_ENTRIES", 2000)
    max_unzipped = _limit("EVIDENCE_MAX_UNZIPPED_BYTES", 100 * 1024 * 1024)
    not_office = _("“%(name)s” is a zip archive, not a Word, Excel or PowerPoint file.") % {"name": display}
    try:
        upload.seek(0)
        archive = zipfile.ZipFile(upload)
        entries = archive.infolist()
        if len(entries) > max_entries:
            raise ValidationError(
                _("“%(name)s” contains too many parts (%(count)d, at most %(max)d); it may be a zip bomb.")
                % {"name": display, "count": len(entries), "max": max_entries}
            )
        unpacked = sum(info.file_size for info in entries)
        if unpacked > max_unzipped:
            raise ValidationError(
                _("“%(name)s” would unpack to %(size)s (at most %(max)s allowed); it may be a zip bomb.")
                % {"name": display, "size": human_size(unpacked), "max": human_size(max_unzipped)}
            )
        names = {info.filename for info in entries}
        if "[Content_Types].xml" not in names:
            raise ValidationError(not_office)
        with archive.open("[Content_Types].xml") as handle:
            content_types = handle.read(1024 * 1024)
    except zipfile.BadZipFile as exc:
        raise ValidationError(_("“%(name)s” is a damaged Office file.") % {"name": display}) from exc
    finally:
        upload.seek(0)
    for key, (part, declared) in OOXML_PARTS.items():
        if part in names and declared in content_types:
            return key
    raise ValidationError(
        _("“%(name)s” is not a plain Word, Excel or PowerPoint document (files with macros are not accepted).")
        % {"name": display}
    )


def _check_image(upload, kind: str, display: str) -> None:
    """Open the image header and refuse decompression bombs before any pixel is decoded."""
    max_pixels = _limit("EVIDENCE_MAX_IMAGE_PIXELS", 60_000_000)
    if kind == "heic":
        import pillow_heif

        pillow_heif.register_heif_opener()
    damaged = _("“%(name)s” is a damaged or unreadable image.") % {"name": display}
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise ValidationError(
                    _("The image “%(name)s” is %(width)d × %(height)d pixels; at most %(max)d megapixels are "
                      "accepted. Reduce its size and upload it again.")
                    % {"name": display, "width": width, "height": height, "max": max_pixels // 1_000_000}
                )
            image.verify()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(
            _("The image “%(name)s” is too large in pixels; reduce its size and upload it again.") % {"name": display}
        ) from exc
    except Exception as exc:  # noqa: BLE001 - Pillow raises many types for broken files
        raise ValidationError(damaged) from exc
    finally:
        upload.seek(0)


@dataclass(frozen=True)
class CheckedUpload:
    upload: object
    original_name: str
    kind: Kind
    size: int


def check_upload(upload) -> CheckedUpload:
    """Judge one uploaded file; raise ``ValidationError`` with a Vietnamese reason if it is refused."""
    original_name = clean_original_name(getattr(upload, "name", "") or "")
    display = original_name
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty (0 bytes).") % {"name": display})
    max_bytes = _limit("EVIDENCE_MAX_FILE_BYTES", 25 * 1024 * 1024)
    if size > max_bytes:
        raise ValidationError(
            _("“%(name)s” is %(size)s; each file may be at most %(max)s.")
            % {"name": display, "size": human_size(size), "max": human_size(max_bytes)}
        )
    key = _sniff(_read_head(upload))
    if key == "zip":
        key = _check_ooxml(upload, display)
    if key is None:
        raise ValidationError(
            _("“%(name)s” is not an accepted file type. Accepted: PDF, JPEG, PNG, WebP, HEIC, Word (DOCX), "
              "Excel (XLSX), PowerPoint (PPTX), MP4.") % {"name": display}
        )
    kind = KINDS[key]
    extension = os.path.splitext(original_name)[1].lower()
    if extension not in kind.extensions:
        raise ValidationError(
            _("The name of “%(name)s” does not match its content, which is %(kind)s. Rename it to end in "
              "%(extension)s, or choose the right file.")
            % {"name": display, "kind": kind.label, "extension": kind.extensions[0]}
        )
    if key in ("jpeg", "png", "webp", "heic"):
        _check_image(upload, key, display)
    return CheckedUpload(upload=upload, original_name=original_name, kind=kind, size=size)


def sha256_of(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks(CHUNK):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def store_upload(checked: CheckedUpload) -> tuple[str, str]:
    """Stream the file to the default storage under a generated name; return (stored name, SHA-256).

    Hashing is a separate pass over the chunks (the temporary file is on local
    disk), so it stays right whatever the storage backend does with the stream.
    """
    today = timezone.now()
    name = posixpath.join(
        EVIDENCE_UPLOAD_DIR, f"{today:%Y}", f"{today:%m}", f"{uuid.uuid4().hex}{checked.kind.extensions[0]}"
    )
    digest = sha256_of(checked.upload)
    stored = default_storage.save(name, checked.upload)
    return stored, digest
