"""Generated texts in the company's language, whoever runs the work.

Summaries, entry references and labels, booking notes and error notes are stored text: they are written
once, in the language of the company's accountants (the company partner's language; Norwegian Bokmål for a
Norwegian company when it is installed), not in the language of the scheduled action's user or of an
English-speaking administrator. Source strings stay English and are translated through ``i18n/nb.po``.
"""

import ast
from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import babel.dates
import pytz

from odoo.exceptions import UserError
from odoo.tools import float_round, format_datetime, get_lang
from odoo.tools.misc import babel_locale_parse, posix_to_ldml
from odoo.tools.translate import code_translations

from odoo.addons.base.models.res_lang import intersperse

from ..altinn import errors as altinn_errors
from ..altinn.i18n import Money, Text

MODULE = "prisolve_altinn"
NORWEGIAN = "nb_NO"
# Altinn's times are Norwegian times: shown in the user's zone, in Oslo's when the user has none. UTC counts
# as none: Odoo sets a user's zone from the browser at the first login, and a browser on a server or in a
# container says UTC, which no Norwegian bookkeeper reads the clock in.
ALTINN_TZ_NAME = "Europe/Oslo"
# Altinn writes database times without an offset, in Norwegian local time.
ALTINN_TZ = ZoneInfo(ALTINN_TZ_NAME)
NO_ZONE = frozenset(
    f"{prefix}{name}"
    for prefix in ("", "Etc/")
    for name in ("UTC", "UCT", "GMT", "GMT0", "GMT+0", "GMT-0", "Greenwich", "Universal", "Zulu")
)


def to_utc_naive(value):
    """A datetime from a transport as Odoo stores it (naive UTC); naive input is Altinn local time."""
    if not value:
        return False
    if not isinstance(value, datetime):  # a date
        return datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=ALTINN_TZ)
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def local_tz(env):
    """The time zone times are written in for the person of ``env``: the context's or the user's zone,
    Europe/Oslo when there is none (or only UTC)."""
    for name in (env.context.get("tz"), env.user.tz):
        if name and name not in NO_ZONE and name in pytz.all_timezones_set:
            return name
    return ALTINN_TZ_NAME


def local_time(env, value, lang=None, dt_format="short"):
    """A datetime (naive UTC as Odoo stores it, or aware) as the person reads it: in ``local_tz`` and the
    language's format; "" for none."""
    if not value:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(pytz.utc).replace(tzinfo=None)
    return format_datetime(env, value, tz=local_tz(env), dt_format=dt_format, lang_code=lang or env.lang)


def local_date(env, value):
    """The calendar day of a datetime (naive UTC or aware) in ``local_tz``; a date stays as it is."""
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is None:
        value = pytz.utc.localize(value)
    return value.astimezone(pytz.timezone(local_tz(env))).date()


def company_lang(company):
    """The language generated texts of ``company`` are written in: its partner's language; for a Norwegian
    company a Norwegian one (Bokmål unless the partner says Nynorsk), whoever created the company."""
    env = company.env
    # The partner's stored fields: the company's own address fields are computed from them (and cost more).
    partner = company.sudo().partner_id
    installed = {code for code, _name in env["res.lang"].get_installed()}
    lang = partner.lang
    if partner.country_id.code == "NO":
        if lang in installed and lang.startswith(("nb", "nn", "no")):
            return lang
        if NORWEGIAN in installed:
            return NORWEGIAN
    if lang in installed:
        return lang
    return env.lang if env.lang in installed else "en_US"


def in_company_lang(records, company=None):
    """``records`` with the context language of ``company`` (see ``company_lang``), by default their own
    company (``records.company_id``, one company)."""
    return records.with_context(lang=company_lang(records.company_id if company is None else company))


def translate(source, lang):
    """``source`` (an English string of this addon, marked with ``_``/``_lt``) in ``lang``."""
    if not lang or lang == "en_US":
        return source
    return code_translations.get_python_translations(MODULE, lang).get(source) or source


class ValueFormatter:
    """Values inside generated texts, written the way one language writes them: amounts as
    ``odoo.tools.format_amount``, dates as ``odoo.tools.format_date``. The language is looked up once, not
    per value: a booking batch writes thousands of amounts and dates."""

    def __init__(self, env, lang, currency=None):
        data = get_lang(env, lang)
        self._env = env
        self._locale = babel_locale_parse(data.code)
        self._date_format = posix_to_ldml(data.date_format, locale=self._locale)
        # What res.lang.format and the currency read per call, read once.
        self._grouping = ast.literal_eval(data.grouping)
        self._thousands_sep = data.thousands_sep or ""
        self._decimal_point = data.decimal_point
        currency = currency or env.company.currency_id
        self._rounding = currency.rounding
        self._decimals = f"%.{currency.decimal_places}f"
        self._symbol = currency.symbol or ""
        self._symbol_before = currency.position == "before"

    def money(self, amount):
        """As ``format_amount``: ``res.lang.format`` with grouping, the currency's rounding and symbol."""
        rounded = float_round(amount, precision_rounding=self._rounding)
        whole, *fraction = (self._decimals % rounded).split(".")
        number = self._decimal_point.join(
            [intersperse(whole, self._grouping, self._thousands_sep)[0], *fraction]
        )
        number = number.replace(" ", "\N{NO-BREAK SPACE}").replace("-", "-\N{ZERO WIDTH NO-BREAK SPACE}")
        if self._symbol_before:
            return f"{self._symbol}\N{NO-BREAK SPACE}{number}"
        return f"{number}\N{NO-BREAK SPACE}{self._symbol}"

    def day(self, value):
        """A date (a datetime: its date) in the language's date format; "" for none."""
        if not value:
            return ""
        if isinstance(value, datetime):
            value = local_date(self._env, value)  # the day in Norway, not in UTC
        return babel.dates.format_date(value, format=self._date_format, locale=self._locale)

    def __call__(self, value):
        if isinstance(value, Money):
            return self.money(float(value))
        if isinstance(value, date):
            return self.day(value)
        if isinstance(value, Decimal):
            return str(value)
        return "" if value is None else str(value)


def render(env, text, lang, currency=None, formatter=None):
    """``text`` (a ``Text`` or a plain English source) in ``lang``, values formatted for it (by ``formatter``,
    a ``ValueFormatter`` of ``lang``, when the caller keeps one)."""
    if isinstance(text, str):
        return translate(text, lang)
    if isinstance(text, Text):
        return text.render(
            lambda source: translate(source, lang),
            formatter or ValueFormatter(env, lang, currency),
        )
    return "" if text is None else str(text)


def error_text(error, lang):
    """The one-sentence message of ``error`` (an Altinn error, a ``UserError`` or any other) in ``lang``."""
    if isinstance(error, altinn_errors.AltinnError):
        return error.text(lambda source: translate(source, lang))
    if isinstance(error, UserError):
        return error.args[0]
    return str(error) or error.__class__.__name__


def error_details(error, lang):
    """The support details line of an Altinn error in ``lang`` (Altinn's text, ErrorID, ErrorGuid), or ""."""
    if isinstance(error, altinn_errors.AltinnError):
        return error.details_text(lambda source: translate(source, lang))
    return ""


def error_message(error, lang):
    """What a person reads about ``error`` in ``lang``: the sentence, then the support details line if any."""
    details = error_details(error, lang)
    return "\n".join(part for part in (error_text(error, lang), details) if part)


# Until every caller uses error_text/error_details: ``error.text("nb_NO")`` translates through this module.
altinn_errors.install_lang_translator(translate)
