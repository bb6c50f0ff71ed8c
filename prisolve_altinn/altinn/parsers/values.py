"""Value conversions shared by the parsers: money, dates, periods, identifiers."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ..i18n import Money, Text, _lt
from .base import ParseError

ORE = Decimal("0.01")
ZERO = Decimal("0.00")
# Odoo keeps amounts in float8 columns: above 10^13 a float no longer holds every øre exactly, and no tax
# document of one company comes near it (Norway's whole state budget is about 2·10^12 NOK).
MAX_AMOUNT = Decimal("1e13")
# The calendar years a date on a tax document may have: merverdiavgift began in Norway on 1 January 1970,
# so nothing booked here is older; a later year than 2099 is a placeholder ("9999-12-31" = no end in
# Skatteetaten's systems) or an attack, never a real due date, and date arithmetic near 9999 overflows.
MIN_YEAR, MAX_YEAR = 1970, 2099
# An amount written as text: the xs:decimal form (ASCII digits, one optional sign and point, no exponent).
_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
# Unicode text PostgreSQL refuses (NUL) or cannot encode (lone surrogates), and other C0 controls.
_BAD_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def amount(value, what: str, *, file_name: str | None = None) -> Decimal:
    """A money value (str/int/Decimal from XML or JSON) → Decimal rounded to øre."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise missing(what, file_name)
    if isinstance(value, bool):
        raise bad_value(what, value, file_name)
    if isinstance(value, float):  # JSON is loaded with Decimal; keep floats exact anyway
        value = repr(value)
    if isinstance(value, str):
        value = value.strip()
        # Decimal() would take Unicode digits, exponents and "NaN": a tax document writes none of them
        if len(value) > 40 or not _DECIMAL_TEXT.fullmatch(value):
            raise bad_value(what, value, file_name)
    elif not isinstance(value, (int, Decimal)):
        raise bad_value(what, value, file_name)
    try:
        number = Decimal(value)
        finite = number.is_finite() and abs(number) < MAX_AMOUNT
        rounded = number.quantize(ORE, rounding=ROUND_HALF_UP) if finite else None
    except (InvalidOperation, ValueError, OverflowError):
        rounded = None
    if rounded is None:
        raise bad_value(what, value, file_name)
    return rounded


def optional_amount(value, what: str, *, file_name: str | None = None) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return amount(value, what, file_name=file_name)


_NB_AMOUNT = re.compile(
    r"^-?[0-9]{1,3}(?:[ .\u00a0][0-9]{3})*(?:,[0-9]{1,2})?$|^-?[0-9]+(?:[.,][0-9]{1,2})?$"
)


def norwegian_amount(text: str, what: str, *, file_name: str | None = None) -> Decimal:
    """'60 000,00', '60.000,00', '60000.00', 'kr 60 000', '60 000,-' → Decimal."""
    cleaned = text.strip().lower().removeprefix("kr").removeprefix("nok").strip()
    cleaned = cleaned.removesuffix(",-").removesuffix(".-").strip()
    if not _NB_AMOUNT.match(cleaned):
        raise bad_value(what, text, file_name)
    if "," in cleaned:
        cleaned = cleaned.replace(" ", "").replace("\u00a0", "").replace(".", "").replace(",", ".")
    elif re.search(r"\.\d{3}(?:\.|$)", cleaned) and not re.search(r"\.\d{1,2}$", cleaned):
        cleaned = cleaned.replace(".", "")  # 60.000 = sixty thousand
    cleaned = cleaned.replace(" ", "").replace("\u00a0", "")
    return amount(cleaned, what, file_name=file_name)


def _date_text(value, what: str, file_name: str | None) -> str:
    """The text of a date field: a string of ASCII characters (fromisoformat takes other digits too)."""
    if not isinstance(value, str) or len(value) > 40 or not value.isascii():
        raise bad_value(what, value, file_name)
    return value.strip()


def in_window(day: date, what: str, value=None, file_name: str | None = None) -> date:
    """``day`` when its year is in MIN_YEAR..MAX_YEAR, else the field is refused."""
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise bad_value(what, day if value is None else value, file_name)
    return day


def iso_date(value, what: str, *, file_name: str | None = None) -> date:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise missing(what, file_name)
    text = _date_text(value, what, file_name)
    try:
        if len(text) > 10:  # datetime with time zone: the calendar day as written
            day = datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        else:
            day = date.fromisoformat(text)
    except ValueError:
        raise bad_value(what, value, file_name) from None
    return in_window(day, what, value, file_name)


def optional_date(value, what: str, *, file_name: str | None = None) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return iso_date(value, what, file_name=file_name)


def optional_datetime(value, what: str, *, file_name: str | None = None) -> datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = _date_text(value, what, file_name)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise bad_value(what, value, file_name) from None
    in_window(moment.date(), what, value, file_name)
    return moment


def norwegian_date(text: str, what: str, *, file_name: str | None = None) -> date:
    """'15.02.2026' or '15.2.2026' → date."""
    match = re.fullmatch(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})", text.strip())
    if not match:
        raise bad_value(what, text, file_name)
    day, month, year = (int(g) for g in match.groups())
    try:
        return in_window(date(year, month, day), what, text, file_name)
    except ValueError:
        raise bad_value(what, text, file_name) from None


def year(value, what: str, *, file_name: str | None = None) -> int:
    if isinstance(value, bool):
        raise bad_value(what, value, file_name)
    text = str(value if value is not None else "").strip()
    if not re.fullmatch(r"[0-9]{4}", text):
        raise missing(what, file_name) if not text else bad_value(what, value, file_name)
    number = int(text)
    if not MIN_YEAR <= number <= MAX_YEAR:
        raise bad_value(what, value, file_name)
    return number


def digits(value: str | None) -> str:
    """Identifier with spaces/dots removed ('910 000 000', '6345.06.18162')."""
    return re.sub(r"[\s.\u00a0]", "", value or "")


def string(value, what: str, *, file_name: str | None = None) -> str | None:
    """A text field of a JSON document: a string (None when absent or empty), never a number or a
    boolean (a number loses leading zeros: an identifier or a KID is text), never NUL or a surrogate."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad_value(what, value, file_name)
    clean_text(value, what, file_name)
    return value.strip() or None


def clean_text(value: str, what: str, file_name: str | None = None) -> str:
    """``value`` when it holds no control character, NUL or lone surrogate (PostgreSQL refuses them)."""
    if _BAD_TEXT.search(value):
        raise bad_value(what, value.encode("unicode_escape").decode("ascii"), file_name)
    return value


def _identifier(value, pattern: str, what: str, required: bool, file_name: str | None) -> str | None:
    """An identifier as printed (spaces and dots dropped) that must match ``pattern`` (ASCII digits only:
    ``\\d`` would take Arabic-Indic or fullwidth digits); None when absent and not ``required``."""
    if value is not None and not isinstance(value, str):
        raise bad_value(what, value, file_name)
    text = digits(value)
    if not text:
        if required:
            raise missing(what, file_name)
        return None
    if not re.fullmatch(pattern, text):
        raise bad_value(what, value, file_name)
    return text


def kid(value, what: str = "KID", *, required: bool = True, file_name: str | None = None) -> str | None:
    """A KID as printed ('1234 5678 903'): 2-25 ASCII digits, the last may be MOD11's '-'.

    Whether its check digit is right is told apart (``kid.is_valid_kid``); the form is not negotiable."""
    return _identifier(value, r"[0-9]{1,24}[0-9-]", what, required, file_name)


def account_number(
    value, what: str = "kontonummer", *, required: bool = True, file_name: str | None = None
) -> str | None:
    """A Norwegian bank account ('1234.56.78903'): 11 ASCII digits (the MOD11 check is told apart)."""
    return _identifier(value, r"[0-9]{11}", what, required, file_name)


def org_number(
    value, what: str = "organisasjonsnummer", *, required: bool = True, file_name: str | None = None
) -> str | None:
    """An organisation number, or 11 digits: a person (fødselsnummer) in Krav og betalinger."""
    return _identifier(value, r"[0-9]{9}|[0-9]{11}", what, required, file_name)


def rate(value, *, file_name: str | None = None) -> Decimal | None:
    """VAT 'sats' is a code-list string: '25', '11,11', '0'."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise bad_value("sats", value, file_name)
    text = str(value).strip().replace(",", ".")
    if not _DECIMAL_TEXT.fullmatch(text) or len(text) > 12:  # no NaN, Infinity, exponent or other digits
        raise bad_value("sats", value, file_name)
    number = Decimal(text)
    if not 0 <= number <= 100:  # a percentage
        raise bad_value("sats", value, file_name)
    return number


# --- VAT periods (skattleggingsperiode) -------------------------------------------------------------
MONTHS = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)


def _month_end(year_: int, month: int) -> date:
    return date(year_, month, calendar.monthrange(year_, month)[1])


def period_bounds(period_name: str, year_: int, *, file_name: str | None = None) -> tuple[date, date]:
    """Turn an MVA 'termin' name into its first and last day.

    Names are the enumerations of the MVA XSDs: month ('mars'), two/three/six months ('januar-februar'),
    half month ('foerste halvdel januar'), week ('uke 7'), year ('aarlig' / 'årlig').
    """
    name = (period_name or "").strip().lower()
    if name in ("aarlig", "årlig", "aar", "år"):
        return date(year_, 1, 1), date(year_, 12, 31)
    if name in MONTHS:
        month = MONTHS.index(name) + 1
        return date(year_, month, 1), _month_end(year_, month)
    if "-" in name:
        first, _, last = name.partition("-")
        if first in MONTHS and last in MONTHS:
            start_month, end_month = MONTHS.index(first) + 1, MONTHS.index(last) + 1
            length = end_month - start_month + 1
            # only the XSD's terms: two months from Jan/Mar/…/Nov, quarters, half years
            if length in (2, 3, 6) and (start_month - 1) % length == 0:
                return date(year_, start_month, 1), _month_end(year_, end_month)
    match = re.fullmatch(r"(foerste|første|andre) halvdel (\w+)", name)
    if match and match.group(2) in MONTHS:
        month = MONTHS.index(match.group(2)) + 1
        if match.group(1) == "andre":
            return date(year_, month, 16), _month_end(year_, month)
        return date(year_, month, 1), date(year_, month, 15)
    match = re.fullmatch(r"uke ([0-9]{1,2})", name)
    week = int(match.group(1)) if match else 0
    if 1 <= week <= date(year_, 12, 28).isocalendar()[1]:  # 28 Dec is always in the year's last ISO week
        return date.fromisocalendar(year_, week, 1), date.fromisocalendar(year_, week, 7)
    raise ParseError(
        Text(_lt("Unknown VAT period (termin) '%(period)s'."), {"period": period_name}),
        file_name=file_name,
        code="bad_value",
    )


# --- errors -----------------------------------------------------------------------------------------
def missing(what: str, file_name: str | None = None) -> ParseError:
    return ParseError(
        Text(_lt("Required field '%(field)s' is missing or empty."), {"field": what}),
        file_name=file_name,
        code="missing_field",
    )


def bad_value(what: str, value, file_name: str | None = None) -> ParseError:
    shown = str(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    shown = _BAD_TEXT.sub("\ufffd", shown)  # the message is stored: nothing PostgreSQL refuses
    return ParseError(
        Text(_lt("Field '%(field)s' has an invalid value '%(value)s'."), {"field": what, "value": shown}),
        file_name=file_name,
        code="bad_value",
    )


def totals_mismatch(
    what: Text, stated: Decimal, computed: Decimal, file_name: str | None = None
) -> ParseError:
    return ParseError(
        Text(
            _lt(
                "%(what)s: the stated total %(stated)s does not match the sum of the lines %(computed)s. "
                "The document is not booked."
            ),
            {"what": what, "stated": Money(stated), "computed": Money(computed)},
        ),
        file_name=file_name,
        code="totals_mismatch",
    )
