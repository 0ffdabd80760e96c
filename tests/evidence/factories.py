"""Evidence-specific test helpers: small real files made in code, and a campaign with one cluster."""

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.factories import (
    CampaignFactory,
    ClusterFactory,
    ClusterMemberFactory,
    CriterionFactory,
    OfficeUnitFactory,
    OfficeUserFactory,
    PeriodFactory,
    UnitFactory,
    UserFactory,
)


def png_bytes(size=(40, 30), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def pdf_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 280), (255, 255, 255)).save(out, "PDF")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def huge_png_header(width=20000, height=20000) -> bytes:
    """A valid PNG header declaring width × height pixels, with a tiny (truncated) image body."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + _chunk(
        b"IEND", b""
    )


OOXML = {
    "docx": ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    "pptx": ("ppt/presentation.xml",
             "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"),
}


def office_bytes(kind="docx", extra: dict | None = None, content_type: str | None = None) -> bytes:
    part, main_type = OOXML[kind]
    content_type = content_type or main_type
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Override PartName="/{part}" ContentType="{content_type}"/></Types>',
        )
        archive.writestr(part, "<document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def zip_bomb_docx(unpacked_mb=120) -> bytes:
    """A real DOCX structure plus one entry of zeros that unpacks to ``unpacked_mb`` MB."""
    out = io.BytesIO()
    part, content_type = OOXML["docx"]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<Types><Override PartName="/{part}" ContentType="{content_type}"/></Types>',
        )
        archive.writestr(part, "<document/>")
        with archive.open("word/media/zeros.bin", "w", force_zip64=True) as handle:
            block = b"\x00" * (1024 * 1024)
            for _ in range(unpacked_mb):
                handle.write(block)
    return out.getvalue()


def upload(name: str, data: bytes, content_type="application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@dataclass
class World:
    office_unit: object
    office: object
    campaign: object
    period: object
    cluster: object
    leader_unit: object
    unit: object
    leader: object
    staff: object
    criteria: list
    quantity_criterion: object
    other_cluster: object
    other_unit: object
    other_staff: object


def build_world(criteria_count=3) -> World:
    office_unit = OfficeUnitFactory()
    office = OfficeUserFactory(unit=office_unit)
    campaign = CampaignFactory(issuing_unit=office_unit)
    period = PeriodFactory(campaign=campaign, name="Quý II")
    leader_unit = UnitFactory(parent=office_unit, email="cum-truong@example.org")
    unit = UnitFactory(parent=office_unit, email="don-vi@example.org")
    cluster = ClusterFactory(campaign=campaign, leader_unit=leader_unit)
    ClusterMemberFactory(cluster=cluster, unit=leader_unit)
    ClusterMemberFactory(cluster=cluster, unit=unit)
    other_unit = UnitFactory(parent=office_unit)
    other_cluster = ClusterFactory(campaign=campaign, leader_unit=other_unit)
    ClusterMemberFactory(cluster=other_cluster, unit=other_unit)
    criteria = [CriterionFactory(campaign=campaign) for _ in range(criteria_count)]
    quantity = CriterionFactory(campaign=campaign, method="quantity", target_quantity=20, max_points=5)
    return World(
        office_unit=office_unit, office=office, campaign=campaign, period=period, cluster=cluster,
        leader_unit=leader_unit, unit=unit, leader=UserFactory(unit=leader_unit), staff=UserFactory(unit=unit),
        criteria=criteria, quantity_criterion=quantity, other_cluster=other_cluster, other_unit=other_unit,
        other_staff=UserFactory(unit=other_unit),
    )
