from datetime import date
from decimal import Decimal

from core.templatetags.formatting import money, money_words, number, percent, score, vn_date_long, vn_date_short


def test_money_groups_thousands_with_dots():
    assert money(1_000_000) == "1.000.000 đ"
    assert money(500000) == "500.000 đ"
    assert money_words(1_000_000) == "1.000.000 đồng"
    assert money(None) == ""


def test_scores_use_a_decimal_comma_and_drop_trailing_zeros():
    assert score(Decimal("8.50")) == "8,5"
    assert score(Decimal("10")) == "10"
    assert score(Decimal("7.25")) == "7,25"
    assert score(None) == "–"
    assert number(Decimal("27000")) == "27.000"
    assert percent(Decimal("0.855"), 1) == "85,5 %"


def test_dates_in_document_and_short_style():
    assert vn_date_long(date(2024, 6, 10)) == "ngày 10 tháng 6 năm 2024"
    assert vn_date_short(date(2024, 6, 10)) == "10/6/2024"
