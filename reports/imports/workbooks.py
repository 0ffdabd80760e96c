"""The downloadable template of each import: headers, one example row, a notes sheet.

Headers are the Vietnamese words the office already uses; the import matches
them (case and “*” ignored), so they are part of the file format, not UI text.
"""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .base import Importer

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")


def template_workbook(importer_cls: type[Importer]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for spec in importer_cls.sheets:
        sheet = workbook.create_sheet(spec.name)
        for index, column in enumerate(spec.columns, start=1):
            cell = sheet.cell(row=1, column=index, value=column.header + (" *" if column.required else ""))
            cell.font = Font(bold=True)
            cell.fill = REQUIRED_FILL if column.required else HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            example = column.example
            sheet.cell(row=2, column=index, value=example if example != "" else None)
            width = max(len(column.header) + 3, len(str(example)) + 2, 12)
            sheet.column_dimensions[get_column_letter(index)].width = min(width, 60)
        sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("Hướng dẫn")
    notes.column_dimensions["A"].width = 28
    notes.column_dimensions["B"].width = 32
    notes.column_dimensions["C"].width = 80
    notes.append([f"Mẫu nhập: {importer_cls.label}"])
    notes["A1"].font = Font(bold=True, size=13)
    notes.append([str(importer_cls.description)])
    notes.append([])
    notes.append(["Cách dùng"])
    notes["A4"].font = Font(bold=True)
    for line in (
        "Dòng 1 là tiêu đề cột, giữ nguyên; cột có dấu * là bắt buộc. Thứ tự cột có thể thay đổi.",
        "Dòng 2 là dòng ví dụ: sửa hoặc xoá trước khi nhập.",
        "Tệp được kiểm tra toàn bộ trước; chỉ khi không còn lỗi nào mới ghi vào hệ thống, trong một lần.",
        "Nhập lại cùng một tệp không thay đổi gì: dòng đã có (theo mã) được cập nhật, dòng mới được thêm.",
        "Không có dòng nào bị xoá: mục có trong hệ thống mà không có trong tệp được giữ nguyên.",
        *importer_cls.notes,
    ):
        notes.append(["", line])
    notes.append([])
    notes.append(["Trang tính", "Cột", "Ghi chú"])
    for cell in notes[notes.max_row]:
        cell.font = Font(bold=True)
    for spec in importer_cls.sheets:
        for column in spec.columns:
            notes.append([spec.name, column.header + (" *" if column.required else ""), column.note])
    for row in notes.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
