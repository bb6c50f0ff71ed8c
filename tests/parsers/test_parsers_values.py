"""KID/account check digits, money, dates and VAT periods."""

from datetime import date
from decimal import Decimal

import pytest

from prisolve_altinn.altinn.i18n import Money, Text
from prisolve_altinn.altinn.parsers import ParseError
from prisolve_altinn.altinn.parsers import kid as K
from prisolve_altinn.altinn.parsers import values as V


@pytest.mark.parametrize("value", ["1234567897", "20259265432102", "20259265432201", "0000000000000000018"])
def test_mod10_valid(value):
    assert K.is_valid_mod10(value)
    assert K.is_valid_kid(value)


def test_mod10_detects_single_digit_and_transposition_errors():
    assert not K.is_valid_kid("1234567898")
    assert not K.is_valid_mod10("2134567897")


def test_mod11_with_dash_and_make():
    assert K.make_kid_mod11("123456789") == "1234567892"
    assert K.is_valid_mod11("1234567892")
    dashed = next(K.make_kid_mod11(str(n)) for n in range(10, 200) if K.make_kid_mod11(str(n)).endswith("-"))
    assert K.is_valid_kid(dashed)
    assert not K.is_valid_mod11(dashed[:-1] + "0")


def test_kid_length_and_format():
    assert not K.is_valid_kid("")
    assert not K.is_valid_kid("7")
    assert not K.is_valid_kid("12a4")
    assert not K.is_valid_kid("1" * 26)
    assert K.is_valid_kid("2025 9265 4321 02")  # as printed on letters


def test_account_numbers():
    assert K.is_valid_account_number("12345678903")
    assert K.is_valid_account_number("7694.05.12340")
    assert not K.is_valid_account_number("12345678904")
    assert not K.is_valid_account_number("1234567890")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("60 000,00", "60000.00"),
        ("60.000,00", "60000.00"),
        ("60000.00", "60000.00"),
        ("kr 60 000", "60000.00"),
        ("60 000,-", "60000.00"),
        ("1 234 567,5", "1234567.50"),
        ("-12,34", "-12.34"),
        ("60.000", "60000.00"),
    ],
)
def test_norwegian_amounts(text, expected):
    assert V.norwegian_amount(text, "x") == Decimal(expected)


@pytest.mark.parametrize("text", ["60 00,00", "abc", "12,345", ""])
def test_norwegian_amount_rejects(text):
    with pytest.raises(ParseError):
        V.norwegian_amount(text, "beløp")


def test_amount_rounds_to_ore_and_rejects_garbage():
    assert V.amount("1.005", "x") == Decimal("1.01")
    assert V.amount(Decimal("-2.344"), "x") == Decimal("-2.34")
    assert V.amount(0.1 + 0.2, "x") == Decimal("0.30")
    for bad in ("NaN", "Infinity", "1,5", True, None, " "):
        with pytest.raises(ParseError):
            V.amount(bad, "beloep")


def test_dates():
    assert V.iso_date("2025-08-31", "x") == date(2025, 8, 31)
    assert V.iso_date("2025-03-28T23:14:02.511Z", "x") == date(2025, 3, 28)
    assert V.norwegian_date("5.2.2026", "x") == date(2026, 2, 5)
    with pytest.raises(ParseError):
        V.iso_date("31.08.2025", "betalingsfrist")
    with pytest.raises(ParseError):
        V.norwegian_date("30.02.2026", "forfall")


@pytest.mark.parametrize(
    ("name", "year", "start", "end"),
    [
        ("januar-februar", 2024, date(2024, 1, 1), date(2024, 2, 29)),
        ("november-desember", 2025, date(2025, 11, 1), date(2025, 12, 31)),
        ("juli-september", 2025, date(2025, 7, 1), date(2025, 9, 30)),
        ("juli-desember", 2025, date(2025, 7, 1), date(2025, 12, 31)),
        ("mars", 2025, date(2025, 3, 1), date(2025, 3, 31)),
        ("andre halvdel februar", 2025, date(2025, 2, 16), date(2025, 2, 28)),
        ("foerste halvdel mai", 2025, date(2025, 5, 1), date(2025, 5, 15)),
        ("uke 1", 2026, date(2025, 12, 29), date(2026, 1, 4)),
        ("aarlig", 2025, date(2025, 1, 1), date(2025, 12, 31)),
        ("årlig", 2025, date(2025, 1, 1), date(2025, 12, 31)),
    ],
)
def test_period_bounds(name, year, start, end):
    assert V.period_bounds(name, year) == (start, end)


@pytest.mark.parametrize("name", ["februar-januar", "februar-mars", "mars-mai", "termin 3", "uke 54", ""])
def test_period_bounds_unknown(name):
    with pytest.raises(ParseError) as info:
        V.period_bounds(name, 2025)
    assert info.value.reason.params == {"period": name}


def test_parse_error_texts():
    error = ParseError(Text("Amount %(amount)s", {"amount": Money("1234567.5")}), file_name="a.xml", code="x")
    assert isinstance(error, ValueError)
    assert str(error) == "Amount NOK 1,234,567.50 (file: a.xml)"
    # The ORM translates the sources and formats the values in the company's language.
    norwegian = {
        "Amount %(amount)s": "Beløp %(amount)s",
        "%(reason)s (file: %(file)s)": "%(reason)s (fil: %(file)s)",
    }
    text = error.text(
        lambda source: norwegian.get(source, source),
        lambda value: "kr 1 234 567,50" if isinstance(value, Money) else str(value),
    )
    assert text == "Beløp kr 1 234 567,50 (fil: a.xml)"
