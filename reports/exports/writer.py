"""The house style of every Excel export, written in openpyxl's write-only mode.

Each sheet opens with the campaign title and the export time, then one bold
header row that stays frozen, columns as wide as their content, and number
formats by kind: ``#,##0`` for đồng and counts, ``0.00`` for scores, ``0%``
for rates. Rows stream to a temporary file, so memory does not grow with the
number of rows; column widths are measured on the first rows, buffered
until the widths are known.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMATS = {
    "text": None,
    "int": "#,##0",
    "money": "#,##0",
    "score": "0.00",
    "percent": "0%",
    "date": "dd/mm/yyyy",
    "datetime": "dd/mm/yyyy hh:mm",
}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WIDTH_SAMPLE_ROWS = 200
MAX_WIDTH = 60
TITLE_ROWS = 3  # campaign title, sheet title with export time, then the header row


@dataclass(frozen=True)
class ExportColumn:
    header: str
    kind: str = "text"
    width: int | None = None  # fixed width; None measures the content


def _local(value, zone=None):
    # Excel has no time zones: write wall-clock Vietnam time.
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(zone or timezone.get_current_timezone()).replace(tzinfo=None)
    return value


def _display_width(value, kind: str) -> int:
    if value is None:
        return 0
    if kind == "score":
        return len(f"{value:.2f}") + 1
    if kind in ("money", "int"):
        return len(f"{value:,.0f}") + 1
    if kind == "percent":
        return 5
    if kind == "date":
        return 10
    if kind == "datetime":
        return 16
    return max((len(line) for line in str(value).splitlines()), default=0)


class SheetWriter:
    """One sheet of an export. ``append`` rows of plain values in column order, then ``close``."""

    def __init__(self, workbook: "ExportWorkbook", name: str, columns: list[ExportColumn], *, subtitle: str = ""):
        self.book = workbook
        self.columns = columns
        self.sheet = workbook.workbook.create_sheet(title=name[:31])
        self.subtitle = subtitle or name
        self.rows = 0
        self._buffer: list[list] | None = []
        sheet = self.sheet
        # A prototype style per formatted column, shared (read-only) by every cell of the column.
        self._styled: list[tuple[int, object, bool]] = []
        for index, column in enumerate(columns):
            fmt = FORMATS[column.kind]
            if fmt is None:
                continue
            prototype = WriteOnlyCell(sheet)
            prototype.number_format = fmt
            self._styled.append((index, prototype._style, column.kind in ("date", "datetime")))
        self._zone = timezone.get_current_timezone()

    def append(self, values: list) -> None:
        if self._buffer is not None:
            self._buffer.append(values)
            if len(self._buffer) >= WIDTH_SAMPLE_ROWS:
                self._start()
            return
        self._write(values)

    def extend(self, rows: Iterable[list]) -> None:
        for values in rows:
            self.append(values)

    def _write(self, values: list) -> None:
        sheet = self.sheet
        row = list(values)
        for index, style, is_date in self._styled:
            value = row[index]
            if value is not None:
                cell = WriteOnlyCell(sheet, _local(value, self._zone) if is_date else value)
                cell._style = style
                row[index] = cell
        sheet.append(row)
        self.rows += 1

    def _start(self) -> None:
        """Fix widths from the header and buffered rows, write the title block, flush the buffer."""
        buffered, self._buffer = self._buffer or [], None
        sheet = self.sheet
        for index, column in enumerate(self.columns):
            width = column.width
            if width is None:
                width = max([len(column.header)] + [_display_width(r[index], column.kind) for r in buffered])
                width = min(MAX_WIDTH, max(8, width + 2))
            sheet.column_dimensions[get_column_letter(index + 1)].width = width
        sheet.freeze_panes = f"A{TITLE_ROWS + 1}"
        title = WriteOnlyCell(sheet, self.book.title)
        title.font = Font(bold=True, size=13)
        sheet.append([title])
        stamp = _("Exported at %(time)s") % {"time": self.book.exported_at.strftime("%H:%M %d/%m/%Y")}
        sheet.append([WriteOnlyCell(sheet, f"{self.subtitle} · {stamp}")])
        header = []
        for column in self.columns:
            cell = WriteOnlyCell(sheet, column.header)
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            header.append(cell)
        sheet.append(header)
        for values in buffered:
            self._write(values)

    def close(self) -> None:
        if self._buffer is not None:
            self._start()


class ExportWorkbook:
    """A write-only workbook in the house style; sheets are added in order and the file saved once."""

    def __init__(self, *, title: str, progress: Callable[[int], None] | None = None):
        self.workbook = Workbook(write_only=True)
        self.title = title
        self.exported_at = timezone.localtime()
        self.progress = progress
        self._sheets: list[SheetWriter] = []

    def sheet(self, name: str, columns: list[ExportColumn], *, subtitle: str = "") -> SheetWriter:
        if self._sheets:
            self._sheets[-1].close()
        writer = SheetWriter(self, name, columns, subtitle=subtitle)
        self._sheets.append(writer)
        return writer

    def save(self, target) -> None:
        for writer in self._sheets:
            writer.close()
        self.workbook.save(target)


def excel_date(value: date | datetime | None):
    return _local(value)
