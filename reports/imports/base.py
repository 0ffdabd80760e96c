"""The import framework: sheets of named columns, each row bound to a ModelForm.

An import (NetBox's bulk import, by sheet and row) reads the whole workbook,
validates every row through a form and the cross-row rules (codes unique in
the file, parents that exist, no cycles), and collects every problem by
sheet, row and column. Only a clean file is applied, in one transaction,
and the apply is idempotent by code: a row equal to what is stored counts
as "unchanged" and writes nothing.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance
from django.utils.translation import gettext as _

from .reader import Limits, WorkbookRefused, iter_sheet_rows, open_workbook, sheet_named


@dataclass(frozen=True)
class Column:
    """One column of a sheet: the form field it feeds, its Vietnamese header, an example value."""

    key: str
    header: str
    required: bool = False
    example: Any = ""
    note: str = ""
    default: Any = None
    # Accepted spellings (lower case) of choice values, e.g. {"đoàn cơ sở": "grassroots"}.
    aliases: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]
    required: bool = True


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return _("Sheet “%(sheet)s”: %(message)s") % {"sheet": self.sheet, "message": self.message}
        if self.column:
            return _("Row %(row)s, column %(column)s: %(message)s") % {
                "row": self.row, "column": self.column, "message": self.message}
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class ParsedRow:
    """A non-empty data row: its number in the sheet, values by column key, column letters by key."""

    number: int
    values: dict[str, str]
    letters: dict[str, str]


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    counts: dict[str, Counts] = field(default_factory=dict)
    rows: int = 0
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _normalise_header(text: Any) -> str:
    return " ".join(str(text or "").replace("*", " ").split()).lower()


def cell_text(value: Any) -> str:
    """A cell value as the text a form field parses: integral floats without “.0”, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


class ImportRowForm(forms.ModelForm):
    """Base of the row forms: the UI form's fields and validators, checked without per-row queries.

    Uniqueness and the model's constraints span rows (a code is unique in the
    campaign, not in a row): the import checks them over the whole file in
    memory, so the per-row ``validate_unique`` / ``validate_constraints``
    round trips to the database, which would make a 20,000-row file slow,
    are left out here. Field validators and ``Model.clean`` still run.
    """

    def bind(self, data: dict, instance) -> "ImportRowForm":
        """Bind this form to the next row and the instance it updates (or a new one).

        An import reuses one form per sheet: constructing a form deep-copies
        its fields, which was a third of the validation time of a 10,000-row
        file. Binding resets everything a validation leaves behind.
        """
        self.data = data
        self.files = {}
        self.is_bound = True
        self.instance = instance
        self._errors = None
        self._bound_fields_cache = {}
        self.__dict__.pop("cleaned_data", None)
        return self

    def _post_clean(self):
        exclude = self._get_validation_exclusions()
        try:
            self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
        except ValidationError as exc:
            self._update_errors(exc)
        try:
            self.instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            self._update_errors(exc)


class Importer:
    """One kind of import. Subclasses declare ``sheets`` and implement ``validate`` and ``apply``."""

    # Templates list importer classes; a class is callable, so tell the template engine not to call it.
    do_not_call_in_templates = True
    key: str = ""
    label: str = ""
    description: str = ""
    needs_campaign: bool = False
    sheets: tuple[SheetSpec, ...] = ()
    notes: tuple[str, ...] = ()

    def __init__(self, *, user, campaign=None):
        self.user = user
        self.campaign = campaign
        self.errors: list[RowError] = []

    # -- permissions ------------------------------------------------------
    @classmethod
    def permitted(cls, user, campaign=None) -> bool:
        raise NotImplementedError

    # -- helpers for subclasses --------------------------------------------
    def error(self, sheet: SheetSpec, row: ParsedRow | None, key: str, message: str) -> None:
        column = row.letters.get(key, "") if row is not None and key else ""
        self.errors.append(RowError(sheet.name, row.number if row else None, column, str(message)))

    def form_errors(self, sheet: SheetSpec, row: ParsedRow, form: forms.Form) -> None:
        for name, messages in form.errors.items():
            key = "" if name == "__all__" else name
            for message in messages:
                self.error(sheet, row, key, message)

    @staticmethod
    def changed(instance, old: dict, fields: list[str]) -> bool:
        return any(getattr(instance, name) != old.get(name) for name in fields)

    @staticmethod
    def snapshot(instance, fields: list[str]) -> dict:
        return {name: getattr(instance, name) for name in fields} if instance is not None else {}

    # -- the two phases ------------------------------------------------------
    def validate(self, rows: dict[str, list[ParsedRow]]) -> None:
        raise NotImplementedError

    def apply(self) -> dict[str, Counts]:
        raise NotImplementedError

    def audit_target(self):
        return self.campaign


def read_rows(workbook, spec: SheetSpec, limits: Limits, errors: list[RowError]) -> list[ParsedRow]:
    """The sheet's non-empty data rows keyed by column; missing sheets or headers become errors."""
    sheet = sheet_named(workbook, spec.name)
    if sheet is None:
        if spec.required:
            errors.append(RowError(spec.name, None, "", _("the sheet is missing; use the template.")))
        return []
    rows: list[ParsedRow] = []
    by_header = {_normalise_header(column.header): column for column in spec.columns}
    positions: list[tuple[int, Column]] = []
    letters: dict[str, str] = {}
    absent: dict[str, str] = {}
    header_seen = False
    for number, values in iter_sheet_rows(sheet, limits):
        if not header_seen:
            if not any(v not in (None, "") for v in values):
                continue
            header_seen = True
            for index, value in enumerate(values, start=1):
                column = by_header.get(_normalise_header(value))
                if column is not None and column.key not in letters:
                    positions.append((index - 1, column))
                    letters[column.key] = _letter(index)
            for column in spec.columns:
                if column.required and column.key not in letters:
                    errors.append(RowError(spec.name, number, "", _("the column “%(header)s” is missing.")
                                           % {"header": column.header}))
            if any(e.sheet == spec.name for e in errors):
                return []
            # Optional columns left out of the file take their defaults on every row.
            absent = {c.key: str(c.default) for c in spec.columns if c.key not in letters and c.default is not None}
            continue
        data: dict[str, str] = dict(absent)
        empty = True
        width = len(values)
        for index, column in positions:
            text = cell_text(values[index]) if index < width else ""
            if text:
                empty = False
                if column.aliases:
                    text = column.aliases.get(text.lower(), text)
            elif column.default is not None:
                text = str(column.default)
            data[column.key] = text
        if not empty:
            rows.append(ParsedRow(number, data, letters))
    if not header_seen and spec.required:
        errors.append(RowError(spec.name, None, "", _("the sheet is empty; use the template.")))
    return rows


def import_run(*, importer: Importer, upload, dry_run: bool = False) -> ImportResult:
    """Validate the whole upload; apply it in one transaction only if it is clean and not a dry run.

    Side effects when applied: the rows written by ``importer.apply`` and one
    audit entry ``import.<key>`` with the file name and the counts.
    """
    from django.db import transaction

    from core.audit import audit_record

    result = ImportResult()
    limits = Limits.from_settings()
    try:
        workbook = open_workbook(upload, limits)
    except WorkbookRefused as exc:
        result.errors.append(RowError(getattr(upload, "name", "") or "xlsx", None, "", str(exc)))
        return result
    try:
        rows = {spec.name: read_rows(workbook, spec, limits, result.errors) for spec in importer.sheets}
    except WorkbookRefused as exc:
        result.errors.append(RowError(getattr(upload, "name", "") or "xlsx", None, "", str(exc)))
        return result
    finally:
        workbook.close()
    result.rows = sum(len(sheet_rows) for sheet_rows in rows.values())
    if result.errors:
        return result
    if result.rows == 0:
        result.errors.append(RowError(importer.sheets[0].name, None, "", _("there is no data row to import.")))
        return result
    with transaction.atomic():
        importer.validate(rows)
        result.errors.extend(importer.errors)
        if result.errors or dry_run:
            transaction.set_rollback(True)
            return result
        result.counts = importer.apply()
        audit_record(
            actor=importer.user,
            action=f"import.{importer.key}",
            obj=importer.audit_target(),
            campaign=importer.campaign,
            data={
                "file": getattr(upload, "name", ""),
                "rows": result.rows,
                "counts": {name: counts.as_dict() for name, counts in result.counts.items()},
            },
        )
        result.applied = True
    return result
