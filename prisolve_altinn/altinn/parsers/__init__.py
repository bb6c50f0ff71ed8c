"""Skatteetaten document parsers (plain Python, no Odoo).

``parse_item(item)`` / ``parse_files(files)`` turn the files of one Altinn item into one
``ParsedDocument``: the most bookable document found is the primary one; other recognised documents of
the same item are in ``related``. Unknown content gives ``DOC_OTHER``; a known format whose content
cannot be trusted (wrong schema, unknown namespace version, bad encoding, DTD/entities, missing required
fields, totals that do not add up) raises ``ParseError`` whose ``reason`` is an English ``Text`` the ORM
renders in the company's language (summaries and notices are ``Text`` too). A malformed
attachment that shows no sign of a known format is skipped with an ``unreadable_file`` notice.

Formats (see the modules): MVA betalingsinformasjon v1.0 and MVA-melding v1.0 XML (``vat``), the
assessed-VAT JSON (``vat``), Krav og betalinger JSON (``claims``), beregnet skatt upersonlig v4, alone or
in the Skattemelding API response envelope (``settlement``), our forskuddsskatt notice XML and its text
form (``advance_tax``); Altinn 2 SOAP envelopes with escaped FormData are unwrapped (``detect``).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..i18n import Money, Text, _lt
from ..types import AltinnFile, AltinnItem
from .base import (
    CAT_ARBEIDSGIVERAVGIFT,
    CAT_FORSKUDDSSKATT,
    CAT_FORSKUDDSTREKK,
    CAT_INTEREST_COST,
    CAT_INTEREST_INCOME,
    CAT_INTEREST_NON_DEDUCTIBLE,
    CAT_MVA,
    CAT_MVA_COMPENSATION,
    CAT_OTHER,
    CAT_RESTSKATT,
    CLAIM_CATEGORIES,
    DOC_ADVANCE_TAX,
    DOC_MVA_RETURN,
    DOC_OTHER,
    DOC_TAX_CLAIMS,
    DOC_TAX_SETTLEMENT,
    DOC_TYPES,
    DOC_VAT_PAYMENT,
    AdvanceTax,
    AdvanceTaxInstalment,
    ClaimInstalment,
    ClaimTotals,
    MvaLine,
    MvaReturn,
    Notice,
    OtherDocument,
    ParsedDocument,
    ParseError,
    PlacedPayment,
    TaxClaim,
    TaxClaims,
    TaxPayment,
    TaxSettlement,
    VatPayment,
)
from .detect import EXCERPT_CHARS, FileResult, is_pdf, parse_file
from .settlement import settlement_summary

SUMMARY_CHARS = 160  # of a letter's text, as its summary

__all__ = [
    "CAT_ARBEIDSGIVERAVGIFT",
    "CAT_FORSKUDDSSKATT",
    "CAT_FORSKUDDSTREKK",
    "CAT_INTEREST_COST",
    "CAT_INTEREST_INCOME",
    "CAT_INTEREST_NON_DEDUCTIBLE",
    "CAT_MVA",
    "CAT_MVA_COMPENSATION",
    "CAT_OTHER",
    "CAT_RESTSKATT",
    "CLAIM_CATEGORIES",
    "DOC_ADVANCE_TAX",
    "DOC_MVA_RETURN",
    "DOC_OTHER",
    "DOC_TAX_CLAIMS",
    "DOC_TAX_SETTLEMENT",
    "DOC_TYPES",
    "DOC_VAT_PAYMENT",
    "AdvanceTax",
    "AdvanceTaxInstalment",
    "ClaimInstalment",
    "ClaimTotals",
    "MvaLine",
    "MvaReturn",
    "Notice",
    "OtherDocument",
    "ParseError",
    "ParsedDocument",
    "PlacedPayment",
    "TaxClaim",
    "TaxClaims",
    "TaxPayment",
    "TaxSettlement",
    "VatPayment",
    "parse_files",
    "parse_item",
]

# Which document of an item is the primary one: the one that carries money to book or pay.
_PRIORITY = {
    DOC_VAT_PAYMENT: 0,
    DOC_ADVANCE_TAX: 1,
    DOC_TAX_CLAIMS: 2,
    DOC_TAX_SETTLEMENT: 3,
    DOC_MVA_RETURN: 4,
    DOC_OTHER: 9,
}


def parse_files(
    files: list[AltinnFile], *, service_code: str | None = None, title: str | None = None
) -> ParsedDocument:
    """Parse the files of one item. Raises ParseError for a known document with untrustworthy content.

    A PDF's text (a letter, or the advance-tax notice printed) is read only when the other files hold no
    document: a receipt's PDF next to its XML is the voucher, not data, and reading it costs the most."""
    files = list(files or [])
    results: dict[int, FileResult] = {
        index: parse_file(file) for index, file in enumerate(files) if not is_pdf(file)
    }
    structured = any(result.documents for result in results.values())
    for index, file in enumerate(files):
        if index not in results:
            results[index] = parse_file(file, pdf_text=not structured)
    results = [results[index] for index in range(len(files))]
    documents = [doc for result in results for doc in result.documents]
    file_notices = [notice for result in results for notice in result.notices]
    if not documents:
        document = _other(results, service_code, title)
        document.notices.extend(file_notices)
        return document
    _check_same_company(documents)
    # structured sources (XML/JSON) win over text read from a letter or PDF; min keeps the first on ties
    primary = min(documents, key=lambda d: (_PRIORITY.get(d.doc_type, 9), _is_text_source(d)))
    primary.related = [d for d in documents if d is not primary]
    primary.notices.extend(file_notices)
    _settlement_year_hint(primary, title)
    _cross_check(primary)
    return primary


def parse_item(item: AltinnItem) -> ParsedDocument:
    """Parse an item; a document without its own date gets the item's (created, else archived) date."""
    document = parse_files(item.files, service_code=item.service_code, title=item.title)
    fallback = item.created or item.archived
    if fallback is not None:
        for doc in [document, *document.related]:
            if doc.document_date is None:
                doc.document_date = _local_date(fallback)
    return document


def _local_date(moment: datetime) -> date:
    """The Norwegian calendar day of a timestamp (23:30 UTC on 1 July is 2 July in Oslo)."""
    if moment.tzinfo is None:
        return moment.date()
    try:
        return moment.astimezone(ZoneInfo("Europe/Oslo")).date()
    except ZoneInfoNotFoundError:  # no tz database on this machine
        return moment.date()


def _check_same_company(documents: list[ParsedDocument]) -> None:
    orgs = sorted({d.org_number for d in documents if d.org_number})
    if len(orgs) > 1:
        raise ParseError(
            Text(
                _lt("The files of this item belong to different organisations (%(organisations)s)."),
                {"organisations": ", ".join(orgs)},
            ),
            code="org_mismatch",
        )


def _is_text_source(document: ParsedDocument) -> bool:
    return (document.source_format or "").startswith("text:")


_YEAR_HINT = re.compile(
    r"(?:skatteoppgj\w*|inntekts\w*|beregnet\w*|income year)\D{0,20}?(20[0-9][0-9])", re.IGNORECASE
)


def _settlement_year_hint(primary: ParsedDocument, title: str | None) -> None:
    """A standalone beregnetSkatt has no income year; the letter's title or file name usually does."""
    if primary.doc_type != DOC_TAX_SETTLEMENT or primary.data.income_year is not None:
        return
    for text in (title, primary.source_file):
        match = _YEAR_HINT.search(text or "")
        if match:
            year = int(match.group(1))
            primary.data.income_year = year
            primary.period_start, primary.period_end = date(year, 1, 1), date(year, 12, 31)
            primary.summary = settlement_summary(primary.data.total_tax, year)
            primary.notices.append(
                Notice(
                    "income_year_from_title",
                    Text(
                        _lt("Income year %(year)s taken from '%(source)s'."), {"year": year, "source": text}
                    ),
                )
            )
            return


def _key_amount(document: ParsedDocument):
    data = document.data
    for attribute in ("amount", "total", "total_tax"):
        if hasattr(data, attribute):
            return getattr(data, attribute)
    if isinstance(data, TaxClaims):
        return data.open_total
    return None


def _cross_check(primary: ParsedDocument) -> None:
    """Documents of one item should tell the same story; differences are told, not fatal."""
    for related in primary.related:
        if related.doc_type == primary.doc_type and _key_amount(related) != _key_amount(primary):
            primary.notices.append(
                Notice(
                    "copies_differ",
                    Text(
                        _lt("%(file)s states %(summary)s, which differs from %(main)s."),
                        {
                            "file": related.source_file or "-",
                            "summary": related.summary,
                            "main": primary.source_file or "-",
                        },
                    ),
                )
            )
    if primary.doc_type != DOC_VAT_PAYMENT:
        return
    payment: VatPayment = primary.data
    for related in primary.related:
        if related.doc_type != DOC_MVA_RETURN:
            continue
        mva: MvaReturn = related.data
        if (mva.period_year, mva.period_start, mva.period_end) != (
            payment.period_year,
            payment.period_start,
            payment.period_end,
        ):
            primary.notices.append(
                Notice(
                    "period_differs",
                    Text(
                        _lt("The payment information is for %(payment)s, the VAT return for %(return)s."),
                        {
                            "payment": f"{payment.period_name} {payment.period_year}",
                            "return": f"{mva.period_name} {mva.period_year}",
                        },
                    ),
                )
            )
        if mva.total != payment.amount:
            primary.notices.append(
                Notice(
                    "amount_differs",
                    Text(
                        _lt("The payment amount %(payment)s differs from the VAT return's %(return)s."),
                        {"payment": Money(payment.amount), "return": Money(mva.total)},
                    ),
                )
            )


_WORD = re.compile(r"\S+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _excerpt(text: str) -> str | None:
    """The first EXCERPT_CHARS of ``text`` with its whitespace collapsed, read word by word: splitting a
    whole unzipped text at once took 395 MB for a 30 KB zip. Control characters, NUL and lone surrogates
    (a PDF's text may hold them; PostgreSQL refuses them) become spaces."""
    words, size = [], 0
    for match in _WORD.finditer(text):
        words.append(match.group())
        size += len(words[-1]) + 1
        if size > EXCERPT_CHARS:
            break
    excerpt = _CONTROL.sub(" ", " ".join(words)[:EXCERPT_CHARS])
    return excerpt or None


def _other(results: list[FileResult], service_code: str | None, title: str | None) -> ParsedDocument:
    files = [f"{r.name} ({r.mimetype})" if r.mimetype else r.name for r in results]
    detected = [r.detected for r in results]
    text = next((r.text for r in results if r.text), None)
    excerpt = _excerpt(text) if text else None
    label = title or (excerpt[:80] if excerpt else None) or ", ".join(r.name for r in results) or "(empty)"
    data = OtherDocument(
        title=title, files=files, detected=detected, text_excerpt=excerpt, service_code=service_code
    )
    # What the letter says (its text's beginning, else its title): the Files tab lists the files, and a
    # service code is an identifier, not something a person reads.
    summary = Text("%(label)s", {"label": excerpt[:SUMMARY_CHARS] if excerpt else label})
    return ParsedDocument(
        doc_type=DOC_OTHER,
        org_number=None,
        document_date=None,
        period_start=None,
        period_end=None,
        summary=summary,
        data=data,
        source_file=results[0].name if len(results) == 1 else None,
        source_format=",".join(detected) or None,
    )
