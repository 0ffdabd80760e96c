"""Building .xlsx uploads in tests."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook


def xlsx_upload(sheets: dict[str, list[list]], name: str = "nhap.xlsx") -> SimpleUploadedFile:
    """An upload holding one sheet per entry; each entry's first row is the header row."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def open_response(response):
    """The workbook a download response carries."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(BytesIO(content))


def sheet_values(sheet) -> list[tuple]:
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]
