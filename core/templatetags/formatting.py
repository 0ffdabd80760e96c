"""Vietnamese formats: money ``1.000.000 đ``, dates ``ngày 10 tháng 6 năm 2024``, scores ``8,5``."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone

register = template.Library()


def group_thousands(value: int) -> str:
    return f"{value:,}".replace(",", ".")


@register.filter
def money(value) -> str:
    """1000000 → "1.000.000 đ"."""
    if value in (None, ""):
        return ""
    try:
        amount = int(Decimal(value).quantize(Decimal("1")))
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    return f"{group_thousands(amount)} đ"


@register.filter
def money_words(value) -> str:
    """1000000 → "1.000.000 đồng" (documents spell the currency out)."""
    text = money(value)
    return text[:-2] + " đồng" if text.endswith(" đ") else text


@register.filter
def number(value, places: int = 0) -> str:
    """Vietnamese number: thousands with ".", decimals with ","; trailing zeros dropped."""
    if value in (None, ""):
        return ""
    try:
        d = Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    d = d.quantize(Decimal(1).scaleb(-int(places))) if places else d
    sign = "-" if d < 0 else ""
    d = abs(d)
    whole = int(d)
    frac = format(d - whole, "f")[2:].rstrip("0") if d != whole else ""
    return f"{sign}{group_thousands(whole)}" + (f",{frac}" if frac else "")


@register.filter
def score(value) -> str:
    """A score with at most two decimals: 8.50 → "8,5"; None → "–"."""
    if value in (None, ""):
        return "–"
    return number(Decimal(value).quantize(Decimal("0.01")))


@register.filter
def percent(value, places: int = 0) -> str:
    """A share in 0..1 → "85 %"."""
    if value in (None, ""):
        return "–"
    return f"{number(Decimal(value) * 100, places)} %"


@register.filter
def vn_date_long(value) -> str:
    """date(2024, 6, 10) → "ngày 10 tháng 6 năm 2024" (document style)."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if not isinstance(value, date):
        return str(value)
    return f"ngày {value.day} tháng {value.month} năm {value.year}"


@register.filter
def vn_date_short(value) -> str:
    """date(2024, 6, 10) → "10/6/2024" (the plans' own short style)."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return f"{value.day}/{value.month}/{value.year}"
