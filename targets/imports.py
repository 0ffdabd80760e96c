"""Importing a target's allocation from a simple Excel sheet.

The first sheet holds a header row and then one unit per row: the unit's code
in the first column, the allocated amount in the second (the header's
wording does not matter). Every row is checked before anything is written:
one error and nothing changes (all-or-nothing); errors name the row and the
column as Excel shows them. openpyxl parses the XML through defusedxml when
it is installed (it is, in requirements.txt).
"""

from decimal import Decimal, InvalidOperation

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from accounts.models import Unit, User

from .models import Target
from .services import allocation_save

MAX_ROWS = 20_000


class AllocationImportError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def read_allocation_sheet(*, file, candidates: QuerySet[Unit]) -> dict[int, Decimal]:
    """Parse the workbook into {unit_id: amount}; raise AllocationImportError listing every bad cell."""
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - a broken or hostile upload fails in many ways (zip, XML, OSError)
        raise AllocationImportError([_("The file is not an Excel workbook (.xlsx) that can be read.")]) from exc
    try:
        sheet = workbook.worksheets[0]
        by_code = {code.strip().upper(): pk for code, pk in candidates.values_list("code", "pk")}
        amounts: dict[int, Decimal] = {}
        seen_rows: dict[int, int] = {}
        errors: list[str] = []
        for number, row in enumerate(sheet.iter_rows(min_row=2, max_col=2, values_only=True), start=2):
            if number > MAX_ROWS:
                errors.append(_("The sheet has more than %(max)s rows.") % {"max": MAX_ROWS})
                break
            code, amount = (list(row) + [None, None])[:2]
            if (code is None or str(code).strip() == "") and amount in (None, ""):
                continue
            code = str(code or "").strip().upper()
            unit_id = by_code.get(code)
            if not code:
                errors.append(_("Row %(row)s, column A: the unit code is missing.") % {"row": number})
            elif unit_id is None:
                errors.append(
                    _("Row %(row)s, column A: unit code “%(code)s” is not one of the units at the chosen level.")
                    % {"row": number, "code": code}
                )
            elif unit_id in seen_rows:
                errors.append(
                    _("Row %(row)s, column A: unit “%(code)s” already appears in row %(first)s.")
                    % {"row": number, "code": code, "first": seen_rows[unit_id]}
                )
            try:
                value = Decimal(str(amount).strip().replace(",", ".")) if amount not in (None, "") else None
            except InvalidOperation:
                value = None
                errors.append(
                    _("Row %(row)s, column B: “%(value)s” is not a number.") % {"row": number, "value": amount}
                )
            else:
                if value is None:
                    errors.append(_("Row %(row)s, column B: the amount is missing.") % {"row": number})
                elif not value.is_finite() or value < 0:
                    errors.append(_("Row %(row)s, column B: the amount cannot be negative.") % {"row": number})
                    value = None
                elif value != value.quantize(Decimal("0.01")) or value >= Decimal("1e12"):
                    errors.append(
                        _("Row %(row)s, column B: use at most 2 decimal places and fewer than 12 digits.")
                        % {"row": number}
                    )
                    value = None
            if unit_id is not None and value is not None and unit_id not in seen_rows:
                amounts[unit_id] = value
            if unit_id is not None:
                seen_rows.setdefault(unit_id, number)
    finally:
        workbook.close()
    if errors:
        raise AllocationImportError(errors)
    if not amounts:
        raise AllocationImportError([_("The sheet has no unit rows under its header.")])
    return amounts


def allocation_import(*, target: Target, file, candidates: QuerySet[Unit], user: User) -> dict:
    """Replace the target's allocation with the sheet's (all-or-nothing). Returns the save counts."""
    amounts = read_allocation_sheet(file=file, candidates=candidates)
    return allocation_save(target=target, amounts=amounts, user=user, source="excel")


def allocation_template_xlsx(*, target: Target, units: QuerySet[Unit]) -> bytes:
    """A workbook in the import's layout: code, amount (current allocation), then name and members for reading."""
    from io import BytesIO

    from openpyxl import Workbook

    amounts = dict(target.allocations.values_list("unit_id", "amount"))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = target.code[:31] or "1"
    sheet.append([_("Unit code"), _("Amount"), _("Unit"), _("Members")])
    for unit in units:
        amount = amounts.get(unit.pk)
        sheet.append([unit.code, float(amount) if amount is not None else None, unit.name, unit.member_count])
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 14
    sheet.column_dimensions["C"].width = 40
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
