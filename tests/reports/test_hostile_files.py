"""Hostile uploads get a clear Vietnamese message, quickly, and nothing is written."""

import io
import os
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Unit
from reports.imports.base import import_run
from reports.imports.kinds import UnitImporter
from tests.factories import AdminFactory

from .helpers import xlsx_upload

pytestmark = pytest.mark.django_db

HEADER = ["Mã đơn vị", "Tên đơn vị", "Cấp", "Mã đơn vị cấp trên", "Số đoàn viên", "E-mail"]
NOT_XLSX = ("Tệp không phải là bảng tính Excel (.xlsx). Hãy mở bằng Excel và lưu lại dưới dạng "
            "“Excel Workbook (.xlsx)”.")


def _run(upload):
    count = Unit.objects.count()
    result = import_run(importer=UnitImporter(user=AdminFactory()), upload=upload)
    assert result.applied is False
    assert Unit.objects.count() == count + 1  # only the admin's own unit, made by the factory
    return [str(error) for error in result.errors]


def _rewrite_sheet(upload, transform) -> SimpleUploadedFile:
    """The same workbook with its first sheet's XML passed through ``transform``."""
    source = zipfile.ZipFile(io.BytesIO(upload.read()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = transform(data.decode()).encode()
            target.writestr(item.filename, data)
    return SimpleUploadedFile("don-vi.xlsx", buffer.getvalue())


def _units(rows=1):
    return xlsx_upload({"Đơn vị": [HEADER] + [[f"X-{i}", f"Đơn vị {i}", "Huyện đoàn", "", 1, ""]
                                             for i in range(rows)]})


def test_random_bytes_named_xlsx_are_refused():
    upload = SimpleUploadedFile("don-vi.xlsx", os.urandom(4096))
    assert _run(upload) == [f"Trang tính 'don-vi.xlsx': {NOT_XLSX}"]


def test_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "xin chào")
    assert _run(SimpleUploadedFile("a.xlsx", buffer.getvalue())) == [f"Trang tính 'a.xlsx': {NOT_XLSX}"]


def test_oversize_file_is_refused_before_opening(settings):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    upload = SimpleUploadedFile("lon.xlsx", b"\0" * (1024 * 1024 + 1))
    assert _run(upload) == ["Trang tính 'lon.xlsx': Tệp nặng 1.0 MB; tối đa được nhận là 1.0 MB. "
                            "Hãy chia thành các tệp nhỏ hơn."]


def test_zip_bomb_is_refused_from_declared_sizes():
    # 300 MB of zeros deflate to about 300 KB: the directory declares the size, nothing is inflated.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(300):
                entry.write(chunk)
    assert len(buffer.getvalue()) < 1024 * 1024
    assert _run(SimpleUploadedFile("bom.xlsx", buffer.getvalue())) == [
        "Trang tính 'bom.xlsx': Tệp giải nén ra lượng dữ liệu lớn bất thường so với một bảng tính nên bị từ "
        "chối. Hãy dùng tệp mẫu."]


def test_zip_with_thousands_of_entries_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index in range(2000):
            archive.writestr(f"x/{index}.xml", "")
    assert _run(SimpleUploadedFile("nhieu.xlsx", buffer.getvalue()))[0].startswith(
        "Trang tính 'nhieu.xlsx': Tệp giải nén ra lượng dữ liệu lớn bất thường")


def test_billion_laughs_sheet_is_refused_by_defusedxml():
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                        for i in range(1, 10))
              + "]>")
    upload = _rewrite_sheet(_units(), lambda xml: laughs + re.sub(r"^<\?xml[^>]*\?>", "", xml)
                            .replace("<c r=\"B2\"", "<c r=\"B2\"").replace("Đơn vị 0", "&lol9;"))
    assert _run(upload) == ["Trang tính 'don-vi.xlsx': Tệp chứa khai báo XML (DTD hoặc entity) không được "
                            "phép. Hãy mở và lưu lại tệp bằng Excel."]


def test_a_million_rows_declared_are_refused_from_the_dimension():
    upload = _rewrite_sheet(_units(), lambda xml: re.sub(r'<dimension ref="[^"]+" ?/>',
                                                         '<dimension ref="A1:F1000000"/>', xml))
    assert _run(upload) == ["Trang tính 'don-vi.xlsx': Trang tính 'Đơn vị' có hơn 20.000 dòng. "
                            "Hãy chia thành các tệp nhỏ hơn."]


def test_rows_beyond_the_limit_are_refused_while_streaming_when_the_dimension_lies(settings):
    settings.IMPORT_MAX_ROWS = 50
    upload = _rewrite_sheet(_units(rows=80), lambda xml: re.sub(r'<dimension ref="[^"]+" ?/>',
                                                                '<dimension ref="A1:F2"/>', xml))
    assert _run(upload) == ["Trang tính 'don-vi.xlsx': Tệp có trang tính hơn 50 dòng. "
                            "Hãy chia thành các tệp nhỏ hơn."]


def test_a_million_rows_without_a_dimension_stop_at_the_limit_while_streaming():
    # The sheet XML of a million rows, written directly (openpyxl would take a minute to write it).
    rows = "".join(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>X{i}</t></is></c></row>'
                   for i in range(2, 1_000_002))

    def million(xml):
        xml = re.sub(r'<dimension ref="[^"]+" ?/>', "", xml)
        return xml.replace("</sheetData>", rows + "</sheetData>")

    upload = _rewrite_sheet(_units(rows=0), million)
    assert _run(upload) == ["Trang tính 'don-vi.xlsx': Tệp có trang tính hơn 20.000 dòng. "
                            "Hãy chia thành các tệp nhỏ hơn."]
