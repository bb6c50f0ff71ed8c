"""Forskuddsskatt for AS: the two instalments (15 Feb / 15 Apr of the year after the income year).

Skatteetaten publishes no schema for this notice (a PDF letter; domain.md §2 #4, §6), so the XML is our
own format, documented in docs/DESIGN-NOTES.md "## Advance-tax notice format" (the emulator produces it).
The same facts printed as text (letter body, text attachment, or text extracted from a PDF) are read too.
"""

from __future__ import annotations

import re
from datetime import date

from lxml import etree

from ..i18n import Money, Text, _lt
from . import values as v
from .base import (
    DOC_ADVANCE_TAX,
    AdvanceTax,
    AdvanceTaxInstalment,
    Notice,
    ParsedDocument,
    ParseError,
    join_texts,
)
from .kid import is_valid_account_number, is_valid_kid
from .xmlsafe import leaf_text

NS_ADVANCE_TAX = "urn:prisolve:altinn:forskuddsskatt:upersonlig:v1"
ROOT_ADVANCE_TAX = "forskuddsskattUpersonlig"
TEXT_FORMAT = "text:forskuddsskatt"


def parse_xml(root: etree._Element, file_name: str | None = None) -> ParsedDocument:
    ns = {"n": NS_ADVANCE_TAX}

    def text(path: str, node=None) -> str | None:
        return leaf_text((root if node is None else node).find(path, ns), path.replace("n:", ""), file_name)

    org = v.org_number(text("n:organisasjonsnummer"), file_name=file_name)
    if len(org) != 9:
        raise v.bad_value("organisasjonsnummer", org, file_name)
    income_year = v.year(text("n:inntektsaar"), "inntektsaar", file_name=file_name)
    total = v.amount(text("n:sumForskuddsskatt"), "sumForskuddsskatt", file_name=file_name)
    default_account = v.account_number(
        text("n:betalesTilKonto/n:norskKontonummer"),
        "betalesTilKonto/norskKontonummer",
        required=False,
        file_name=file_name,
    )
    instalments = []
    for index, node in enumerate(root.findall("n:termin", ns), start=1):
        where = f"termin[{index}]"
        number_text = text("n:terminnummer", node)
        if number_text is None:
            raise v.missing(f"{where}/terminnummer", file_name)
        if number_text not in ("1", "2"):
            raise v.bad_value(f"{where}/terminnummer", number_text, file_name)
        kid = v.kid(text("n:kid", node), f"{where}/kid", file_name=file_name)
        account = v.account_number(
            text("n:kontonummer", node), f"{where}/kontonummer", required=False, file_name=file_name
        )
        account = account or default_account
        if not account:
            raise v.missing("betalesTilKonto/norskKontonummer", file_name)
        instalments.append(
            AdvanceTaxInstalment(
                number=int(number_text),
                due_date=v.iso_date(
                    text("n:forfallsdato", node), f"{where}/forfallsdato", file_name=file_name
                ),
                amount=v.amount(text("n:beloep", node), f"{where}/beloep", file_name=file_name),
                kid=kid,
                account=account,
            )
        )
    if default_account is None and instalments:
        default_account = instalments[0].account
    data = AdvanceTax(
        org_number=org,
        income_year=income_year,
        total=total,
        account=default_account,
        instalments=instalments,
        company_name=text("n:navn"),
        notice_date=v.optional_date(text("n:vedtaksdato"), "vedtaksdato", file_name=file_name),
        source="xml",
    )
    notices = _validate(data, file_name, strict_accounts=True)
    return _document(data, file_name, NS_ADVANCE_TAX, notices)


def _validate(data: AdvanceTax, file_name: str | None, *, strict_accounts: bool) -> list[Notice]:
    notices: list[Notice] = []
    if not data.instalments:
        raise v.missing("termin", file_name)
    if len(data.instalments) > 2:
        raise ParseError(
            Text(
                _lt("An advance-tax notice has at most 2 instalments, found %(count)s."),
                {"count": len(data.instalments)},
            ),
            file_name=file_name,
            code="bad_value",
        )
    numbers = [i.number for i in data.instalments]
    if len(set(numbers)) != len(numbers):
        raise ParseError(
            Text(_lt("The same instalment number occurs twice.")),
            file_name=file_name,
            code="duplicate",
        )
    for instalment in data.instalments:
        number = instalment.number
        if instalment.amount < 0:
            raise v.bad_value(f"termin[{number}]/beloep", instalment.amount, file_name)
        if instalment.due_date.year != data.income_year + 1:
            raise ParseError(
                Text(
                    _lt(
                        "Due date %(due)s of instalment %(number)s is not in the "
                        "year after the income year %(year)s."
                    ),
                    {"due": instalment.due_date, "number": number, "year": data.income_year},
                ),
                file_name=file_name,
                code="bad_value",
            )
        if not is_valid_kid(instalment.kid):
            raise ParseError(
                Text(
                    _lt("KID %(kid)s of instalment %(number)s fails the MOD10/MOD11 check."),
                    {"kid": instalment.kid, "number": number},
                ),
                file_name=file_name,
                code="bad_kid",
            )
        if instalment.account and not re.fullmatch(r"[0-9]{11}", instalment.account):
            raise v.bad_value(f"termin[{number}]/kontonummer", instalment.account, file_name)
        if instalment.account and not is_valid_account_number(instalment.account):
            message = Text(
                _lt("Account %(account)s of instalment %(number)s fails the MOD11 check."),
                {"account": instalment.account, "number": number},
            )
            if strict_accounts:
                raise ParseError(message, file_name=file_name, code="bad_account")
            notices.append(Notice("bad_account", message))
    computed = sum((i.amount for i in data.instalments), v.ZERO)
    if computed != data.total:
        raise v.totals_mismatch(
            Text(_lt("Advance tax %(year)s"), {"year": data.income_year}),
            data.total,
            computed,
            file_name,
        )
    data.instalments.sort(key=lambda i: i.number)
    return notices


def _document(
    data: AdvanceTax, file_name: str | None, source_format: str, notices: list[Notice]
) -> ParsedDocument:
    terms = [
        Text(_lt("%(amount)s due %(due)s"), {"amount": Money(i.amount), "due": i.due_date})
        for i in data.instalments
    ]
    summary = Text(
        _lt("Advance tax %(year)s: %(total)s (%(terms)s)"),
        {"year": data.income_year, "total": Money(data.total), "terms": join_texts(terms)},
    )
    return ParsedDocument(
        doc_type=DOC_ADVANCE_TAX,
        org_number=data.org_number,
        document_date=data.notice_date,
        period_start=date(data.income_year, 1, 1),
        period_end=date(data.income_year, 12, 31),
        summary=summary,
        data=data,
        source_file=file_name,
        source_format=source_format,
        notices=notices,
    )


# --- text form -------------------------------------------------------------------------------------------
_TRIGGER = re.compile(r"forskuddsskatt", re.IGNORECASE)
# Each separator is one optional run: "\s*:?\s*" could split a long run of spaces in n² ways when nothing
# follows it (20 000 spaces after "Sum" took 10 s); "\s*(?::\s*)?" splits it one way only.
_SEP = r"\s*(?::\s*)?"
_TERM = re.compile(r"\b([12])\s*\.\s*termin\b", re.IGNORECASE)
_KID = re.compile(r"\bKID(?:-?nummer|-?nr\.?)?" + _SEP + r"([0-9](?:[0-9 ]{0,30}[0-9])?)", re.IGNORECASE)
_DATE = re.compile(r"\b([0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4})\b")
_NUMBER = r"(-?[0-9][0-9 \u00a0.]*(?:,[0-9]{1,2}|,-)?)"
_AMOUNT = re.compile(r"(?:bel(?:ø|o)p|kr\.?|nok)" + _SEP + r"(?:(?:kr\.?|nok)\s*)?" + _NUMBER, re.IGNORECASE)
_YEAR = re.compile(r"inntekts(?:året|aaret|år|aar)" + _SEP + r"([0-9]{4})", re.IGNORECASE)
_ORG = re.compile(r"organisasjonsnummer" + _SEP + r"([0-9][0-9 .\u00a0]{7,12}[0-9])", re.IGNORECASE)
_ACCOUNT = re.compile(r"kontonummer" + _SEP + r"([0-9][0-9 .\u00a0]{9,14}[0-9])", re.IGNORECASE)
_SUM = re.compile(r"\bsum(?:\s+forskuddsskatt)?" + _SEP + r"(?:(?:kr\.?|nok)\s*)?" + _NUMBER, re.IGNORECASE)
_NOTICE_DATE = re.compile(
    r"\b(?:dato|vedtaksdato|utstedt)" + _SEP + r"([0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4})", re.IGNORECASE
)
# A letter is a page or two; text beyond this is not read as a notice (the regexes stay linear anyway).
MAX_TEXT_CHARS = 200_000


def looks_like_text_notice(text: str) -> bool:
    text = (text or "")[:MAX_TEXT_CHARS]
    return bool(_TRIGGER.search(text or "")) and any(_TERM.search(line) for line in (text or "").splitlines())


def _term_line(line: str, file_name: str | None) -> AdvanceTaxInstalment | None:
    match = _TERM.search(line)
    if not match:
        return None
    rest = line[match.end() :]
    kid_match = _KID.search(rest)
    if not kid_match:
        return None
    rest = rest[: kid_match.start()] + " " + rest[kid_match.end() :]
    date_match = _DATE.search(rest)
    if not date_match:
        return None
    rest = rest[: date_match.start()] + " " + rest[date_match.end() :]
    amount_match = _AMOUNT.search(rest)
    if not amount_match:
        return None
    return AdvanceTaxInstalment(
        number=int(match.group(1)),
        due_date=v.norwegian_date(
            date_match.group(1), f"{match.group(1)}. termin forfall", file_name=file_name
        ),
        amount=v.norwegian_amount(
            amount_match.group(1).strip(" .\u00a0"), f"{match.group(1)}. termin beløp", file_name=file_name
        ),
        kid=v.kid(kid_match.group(1), f"{match.group(1)}. termin KID", file_name=file_name),
        account=None,
    )


def parse_text(text: str, file_name: str | None = None) -> ParsedDocument | None:
    """The notice as text, or None when the text is not one (then it is an ordinary letter)."""
    if not looks_like_text_notice(text):
        return None
    text = text[:MAX_TEXT_CHARS]
    instalments = []
    for line in text.splitlines():
        instalment = _term_line(line, file_name)
        if instalment is not None:
            instalments.append(instalment)
    if not instalments:
        return None
    account_match = _ACCOUNT.search(text)
    account = (
        v.account_number(account_match.group(1), required=False, file_name=file_name)
        if account_match
        else None
    )
    for instalment in instalments:
        instalment.account = account
    year_match = _YEAR.search(text)
    if year_match:
        income_year = v.year(year_match.group(1), "inntektsår", file_name=file_name)
    else:
        income_year = min(i.due_date.year for i in instalments) - 1
    org_match = _ORG.search(text)
    org = v.org_number(org_match.group(1), file_name=file_name) if org_match else None
    sum_match = _SUM.search(text)
    total = (
        v.norwegian_amount(sum_match.group(1).strip(" .\u00a0"), "sum forskuddsskatt", file_name=file_name)
        if sum_match
        else sum((i.amount for i in instalments), v.ZERO)
    )
    date_match = _NOTICE_DATE.search(text)
    data = AdvanceTax(
        org_number=org,
        income_year=income_year,
        total=total,
        account=account,
        instalments=instalments,
        notice_date=v.norwegian_date(date_match.group(1), "dato", file_name=file_name)
        if date_match
        else None,
        source="text",
    )
    notices = _validate(data, file_name, strict_accounts=False)
    if org is None:
        notices.append(
            Notice(
                "no_org_number",
                Text(_lt("The notice text shows no organisation number; check that it is this company's.")),
            )
        )
    return _document(data, file_name, TEXT_FORMAT, notices)
