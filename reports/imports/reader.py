"""Opening an uploaded workbook safely and streaming its rows.

An upload is untrusted: before openpyxl touches it we check its size and the
zip directory (entry count and declared uncompressed sizes — the zipfile
module never inflates an entry past its declared size, so bounding the
declared sizes bounds the work). openpyxl then runs in read-only mode with
defusedxml installed, so a DTD or entity declaration (billion laughs) is
refused by the parser. Rows are streamed and counted, and a sheet longer
than the limit is refused from its declared dimension or, when the
dimension lies or is missing, as soon as the count passes the limit.
"""

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _


class WorkbookRefused(Exception):
    """The file cannot be read as a workbook; the message says why, in the user's language."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_rows: int
    max_columns: int
    max_entries: int
    max_uncompressed: int

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(
            max_bytes=settings.IMPORT_MAX_BYTES,
            max_rows=settings.IMPORT_MAX_ROWS,
            max_columns=settings.IMPORT_MAX_COLUMNS,
            max_entries=settings.IMPORT_MAX_ZIP_ENTRIES,
            max_uncompressed=settings.IMPORT_MAX_UNCOMPRESSED_BYTES,
        )


def _size_of(upload) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        position = upload.tell()
        upload.seek(0, 2)
        size = upload.tell()
        upload.seek(position)
    return size


def check_archive(upload, limits: Limits) -> None:
    """Refuse files that are too big, not zip archives, or whose contents would inflate too far."""
    size = _size_of(upload)
    if size > limits.max_bytes:
        raise WorkbookRefused(
            _("The file is %(size)s MB; the largest accepted is %(limit)s MB. Split it into smaller files.")
            % {"size": round(size / 1024 / 1024, 1), "limit": round(limits.max_bytes / 1024 / 1024, 1)}
        )
    upload.seek(0)
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise WorkbookRefused(_not_xlsx()) from exc
    with archive:
        entries = archive.infolist()
        if len(entries) > limits.max_entries:
            raise WorkbookRefused(_unsafe_archive())
        declared = sum(entry.file_size for entry in entries)
        if declared > limits.max_uncompressed:
            raise WorkbookRefused(_unsafe_archive())
        names = {entry.filename for entry in entries}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise WorkbookRefused(_not_xlsx())
        for entry in entries:
            if entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml"):
                _check_row_count(archive, entry, limits)
    upload.seek(0)


ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")


def _check_row_count(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, limits: Limits) -> None:
    """Count the row elements of a sheet on the raw stream, before any XML parser sees it.

    openpyxl reads a sheet's size from its <dimension> tag and, when there is
    none, parses the whole sheet to find it: a million-row sheet without one
    would cost seconds before our own row count could stop it. A byte scan
    of the decompressed stream stops at the limit instead.
    """
    too_many = _("A sheet of the file has more than %(limit)s rows. Split the file into smaller files.") % {
        "limit": f"{limits.max_rows:,}".replace(",", ".")}
    rows = 0
    tail = b""
    try:
        with archive.open(entry) as stream:
            while chunk := stream.read(1024 * 1024):
                data = tail + chunk
                # A tag starts at "<" and holds no other "<": cutting at the last one never splits a match.
                cut = data.rfind(b"<")
                if cut < 0 or len(data) - cut > 1024:
                    cut = len(data)
                rows += len(ROW_TAG.findall(data, 0, cut))
                tail = data[cut:]
                if rows > limits.max_rows + 1:
                    raise WorkbookRefused(too_many)
        rows += len(ROW_TAG.findall(tail))
        if rows > limits.max_rows + 1:
            raise WorkbookRefused(too_many)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise WorkbookRefused(_not_xlsx()) from exc


def _not_xlsx() -> str:
    return _("The file is not an Excel workbook (.xlsx). Open it in Excel and save it as “Excel Workbook (.xlsx)”.")


def _unsafe_archive() -> str:
    return _("The file expands to far more data than a spreadsheet holds and was refused. Use the template.")


def _forbidden_xml() -> str:
    return _("The file contains XML declarations (DTD or entities) that are not allowed. Save it again from Excel.")


def open_workbook(upload, limits: Limits | None = None):
    """The workbook in read-only mode, after the archive checks; raises WorkbookRefused."""
    import openpyxl

    limits = limits or Limits.from_settings()
    check_archive(upload, limits)
    try:
        return openpyxl.load_workbook(upload, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a broken file
        raise WorkbookRefused(_forbidden_xml() if _caused_by_defusedxml(exc) else _not_xlsx()) from exc


def _caused_by_defusedxml(exc: BaseException | None) -> bool:
    """openpyxl wraps parser errors in ValueError; look down the chain for defusedxml's refusal."""
    from defusedxml import DefusedXmlException

    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DefusedXmlException):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def sheet_named(workbook, name: str):
    """The worksheet ``name`` (case-insensitive), or None. Raises WorkbookRefused for forbidden XML."""
    wanted = name.strip().lower()
    for title in workbook.sheetnames:
        if title.strip().lower() == wanted:
            try:
                return workbook[title]
            except Exception as exc:  # noqa: BLE001
                raise WorkbookRefused(_forbidden_xml() if _caused_by_defusedxml(exc) else _not_xlsx()) from exc
    return None


def iter_sheet_rows(sheet, limits: Limits) -> Iterator[tuple[int, tuple]]:
    """(row number, values) for every row of ``sheet``, refusing sheets longer than the limit."""
    too_long = _("The sheet “%(sheet)s” has more than %(limit)s rows. Split the file into smaller files.") % {
        "sheet": sheet.title,
        "limit": f"{limits.max_rows:,}".replace(",", "."),
    }
    # The declared dimension answers at once for an honest file; a file
    # without one, or lying about it, is counted while it streams.
    if (sheet.max_row or 0) > limits.max_rows + 1:
        raise WorkbookRefused(too_long)
    if (sheet.max_column or 0) > limits.max_columns:
        raise WorkbookRefused(
            _("The sheet “%(sheet)s” has more than %(limit)s columns. Use the template.")
            % {"sheet": sheet.title, "limit": limits.max_columns}
        )
    sheet.reset_dimensions()
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > limits.max_rows + 1:
                raise WorkbookRefused(too_long)
            if len(values) > limits.max_columns:
                values = values[: limits.max_columns]
            yield number, values
    except WorkbookRefused:
        raise
    except Exception as exc:  # noqa: BLE001
        raise WorkbookRefused(_forbidden_xml() if _caused_by_defusedxml(exc) else _not_xlsx()) from exc
