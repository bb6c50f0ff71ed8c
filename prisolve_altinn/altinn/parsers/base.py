"""Result types of the parsers: one ``ParsedDocument`` per Altinn item, with typed ``data``.

Sign conventions (the booking code relies on them):
- every amount is a ``Decimal`` rounded to øre (2 decimals);
- an amount the company must PAY is positive, money the company gets BACK (til gode) is negative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from ..errors import DETAILS_LABEL
from ..i18n import Text, _lt

DOC_VAT_PAYMENT = "vat_payment"
DOC_MVA_RETURN = "mva_return"
DOC_TAX_CLAIMS = "tax_claims"
DOC_TAX_SETTLEMENT = "tax_settlement"
DOC_ADVANCE_TAX = "advance_tax"
DOC_OTHER = "other"

DOC_TYPES = (DOC_VAT_PAYMENT, DOC_MVA_RETURN, DOC_TAX_CLAIMS, DOC_TAX_SETTLEMENT, DOC_ADVANCE_TAX, DOC_OTHER)

# Debt categories, one spelling for every route (a claim's kravtype is mapped by claim_types.claim_type; a
# VAT notice is CAT_MVA, an advance-tax notice CAT_FORSKUDDSSKATT). The booking keys debts on them.
CAT_FORSKUDDSSKATT = "forskuddsskatt"
CAT_RESTSKATT = "restskatt"
CAT_MVA = "mva"
CAT_MVA_COMPENSATION = "mva_kompensasjon"  # merverdiavgiftskompensasjon: its own accounts, not 2740
CAT_ARBEIDSGIVERAVGIFT = "arbeidsgiveravgift"
CAT_FORSKUDDSTREKK = "forskuddstrekk"
CAT_INTEREST_COST = "interest_cost"  # late-payment interest: a deductible finance cost
CAT_INTEREST_NON_DEDUCTIBLE = "interest_non_deductible"  # skatteloven § 6-40 (5)
CAT_INTEREST_INCOME = "interest_income"  # interest paid to the company (rentegodtgjørelse)
CAT_OTHER = "other"  # fees, penalties, unknown kinds: booked by a person

CLAIM_CATEGORIES = (
    CAT_FORSKUDDSSKATT,
    CAT_RESTSKATT,
    CAT_MVA,
    CAT_MVA_COMPENSATION,
    CAT_ARBEIDSGIVERAVGIFT,
    CAT_FORSKUDDSTREKK,
    CAT_INTEREST_COST,
    CAT_INTEREST_NON_DEDUCTIBLE,
    CAT_INTEREST_INCOME,
    CAT_OTHER,
)


# NUL, other control characters and lone surrogates: never in a stored message.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def join_texts(texts: list[Text], separator: str = ", ") -> Text:
    """Several texts as one (each translated on its own): the joining template holds no words."""
    return Text(
        separator.join(f"%(part{n})s" for n in range(len(texts))),
        {f"part{n}": t for n, t in enumerate(texts)},
    )


class ParseError(ValueError):
    """A document of a known kind that cannot be trusted: never book from it.

    ``reason`` is an English ``Text`` (marked with ``_lt``) that the ORM renders in the company's language;
    ``text()`` renders it with the file name (English without arguments, for logs). ``details`` is the
    technical note for support (such as lxml's own words), never part of the reason: ``message`` puts it
    on a second line, "Details for support: …".
    """

    def __init__(
        self, reason: Text, *, file_name: str | None = None, code: str = "invalid", details: str | None = None
    ):
        self.reason = reason
        self.file_name = file_name
        self.code = code
        self.details = details
        super().__init__(self.text())

    @property
    def message(self) -> Text:
        """The reason, with the file it was found in, and the support details line when there is one."""
        message = self.reason
        if self.file_name:
            message = Text(_lt("%(reason)s (file: %(file)s)"), {"reason": message, "file": self.file_name})
        if self.details:
            details = _CONTROL.sub("\ufffd", self.details[:300])
            message = join_texts([message, Text(DETAILS_LABEL, {"details": details})], "\n")
        return message

    def text(self, translate=None, value=None) -> str:
        return self.message.render(translate, value)

    def with_file(self, file_name: str | None) -> ParseError:
        if file_name and not self.file_name:
            self.file_name = file_name
            self.args = (self.text(),)
        return self


@dataclass(frozen=True)
class Notice:
    """A non-blocking remark for the accountant (e.g. payment amount differs from the return)."""

    code: str
    message: Text

    def text(self, translate=None, value=None) -> str:
        return self.message.render(translate, value)


# --- 1. MVA payment information (betalingsinformasjon) -------------------------------------------
@dataclass
class VatPayment:
    org_number: str
    kid: str
    kid_valid: bool  # MOD10/MOD11 check; informative only (Skatteetaten's own test KIDs fail it)
    amount: Decimal  # positive = to pay, negative = to be refunded (til gode)
    due_date: date
    account: str  # betalesTilKonto/norskKontonummer
    period_year: int
    period_name: str  # e.g. "januar-februar", "aarlig"
    period_start: date
    period_end: date
    submission_reference: str | None = None  # innsendingsreferanse
    payee: str | None = None  # betaleTil
    iban: str | None = None
    swift_bic: str | None = None
    information: str | None = None

    @property
    def is_refund(self) -> bool:
        return self.amount < 0


# --- 2. MVA-melding / assessed VAT ----------------------------------------------------------------
@dataclass
class MvaLine:
    mva_code: str  # SAF-T standard VAT code (mvaKode) → l10n_no tax via l10n_no_standard_code
    vat: Decimal  # merverdiavgift, signed as in the return (negative = deduction)
    base: Decimal | None = None  # grunnlag
    rate: Decimal | None = None  # sats in percent ("11,11" → 11.11)
    specification: str | None = None  # spesifikasjon: justering, tapPåKrav, uttak, …
    is_deduction: bool | None = None  # erFradrag (only in the assessment JSON)
    internal_code: str | None = None  # mvaKodeRegnskapsystem


@dataclass
class MvaReturn:
    org_number: str | None
    period_year: int
    period_name: str
    period_start: date
    period_end: date
    total: Decimal  # fastsattMerverdiavgift: positive = to pay, negative = til gode
    lines: list[MvaLine] = field(default_factory=list)
    category: str | None = None  # meldingskategori
    # betalingsinformasjon/kundeIdentifikasjonsnummer: the company's own KID for receiving a refund
    # ("hvordan tilgodebeløp skal utbetales", XSD), never a KID to pay with.
    refund_kid: str | None = None
    system_reference: str | None = None  # regnskapssystemsreferanse
    submission_reference: str | None = None  # meldingsreferanse (assessment JSON)
    submitted_at: datetime | None = None
    filing_deadline: date | None = None  # innleveringsfrist (assessment JSON)
    source: str = "mva-melding"  # "mva-melding" (XML) | "mvafastsetting" (assessment JSON)

    @property
    def lines_total(self) -> Decimal:
        return sum((line.vat for line in self.lines), Decimal("0.00"))


# --- 3. Krav og betalinger -------------------------------------------------------------------------
@dataclass
class PlacedPayment:
    """A payment (or a counterclaim set off) placed on one due date of a claim."""

    payment_id: str | None  # innbetalingsIdentifikator (kravforfallsIdentifikator of a counterclaim)
    amount: Decimal  # positive: how much of the claim it covers (Skatteetaten sends it negative)
    date: date | None  # plasseringsdato / plassertDato
    paid_on: date | None = None  # innbetalingsdato
    kid: str | None = None  # the KID the payment came with (innbetaltFra.kidnummer, later API versions)


@dataclass
class ClaimInstalment:
    """One kravforfall: a due date of a claim (forskuddsskatt has several)."""

    due_date: date
    original_amount: Decimal
    open_amount: Decimal
    instalment_id: str | None = None
    kid: str | None = None
    kid_valid: bool | None = None
    account: str | None = None
    deferred: bool = False  # utsattIverksettelse
    placed_payments: list[PlacedPayment] = field(default_factory=list)
    placed_counterclaims: list[PlacedPayment] = field(default_factory=list)  # plassertMotkrav

    @property
    def placed_total(self) -> Decimal:
        return sum((p.amount for p in self.placed_payments + self.placed_counterclaims), Decimal("0.00"))

    @property
    def current_amount(self) -> Decimal:
        """What the due date amounts to today: still open plus what payments and set-offs covered.

        Below ``original_amount`` after a reduction (nedsettelse); the original is what was first registered.
        """
        return self.open_amount + self.placed_total


@dataclass
class TaxClaim:
    claim_id: str
    claim_type: str  # kravtype as sent (RESTSKATT / restskatt / utskrevetForskuddsskatt …)
    category: str  # one of CLAIM_CATEGORIES (claim_types.claim_type)
    original_amount: Decimal
    open_amount: Decimal
    direction: str = "debit"  # claim_types.DEBIT | CREDIT | EITHER
    org_number: str | None = None  # the claim's own partIdentifikator (newer API versions send one per claim)
    description: str | None = None  # kravbeskrivelse (plain text or the nb text of spraakTekst)
    claim_group: str | None = None  # kravgruppe
    period: str | None = None  # kravperiode, e.g. "2023/1" (year/term) or "2024" (income year)
    created: date | None = None
    interest: Decimal = Decimal("0.00")  # stipulerteRenter
    instalments: list[ClaimInstalment] = field(default_factory=list)

    @property
    def due_date(self) -> date | None:
        """Earliest due date still open, else the earliest due date."""
        open_dates = [i.due_date for i in self.instalments if i.open_amount]
        dates = open_dates or [i.due_date for i in self.instalments]
        return min(dates) if dates else None

    @property
    def kid(self) -> str | None:
        return next((i.kid for i in self.instalments if i.kid), None)

    @property
    def account(self) -> str | None:
        return next((i.account for i in self.instalments if i.account), None)


@dataclass
class TaxPayment:
    payment_id: str
    date: date
    amount: Decimal  # innbetaltBeloep (positive)
    unplaced_amount: Decimal | None = None  # uplassertBeloep when given
    paid_to_account: str | None = None
    paid_from_account: str | None = None
    payer_name: str | None = None
    kid: str | None = None
    payment_type: str | None = None
    placements: list[dict] = field(default_factory=list)  # plassertInnbetalingMotKrav, as sent


@dataclass
class ClaimTotals:
    """totalOversikt (open-claims endpoint only)."""

    interest: Decimal
    overdue: Decimal
    not_due: Decimal
    unplaced_payments: Decimal
    balance: Decimal  # saldo


@dataclass
class TaxClaims:
    org_number: str | None  # partIdentifikator (9 digits = organisation)
    kind: str  # "open_claims" | "claims" | "payments"
    claims: list[TaxClaim] = field(default_factory=list)
    payments: list[TaxPayment] = field(default_factory=list)
    period_start: date | None = None
    period_end: date | None = None  # tilOgMed as sent
    totals: ClaimTotals | None = None

    @property
    def open_total(self) -> Decimal:
        return sum((c.open_amount for c in self.claims), Decimal("0.00"))


# --- 4. Beregnet skatt (AS) --------------------------------------------------------------------------
@dataclass
class TaxSettlement:
    org_number: str | None
    income_year: int | None  # from the envelope's skattemelding when present
    total_tax: Decimal  # beregnetSkatt: assessed tax after credits
    sum_tax: Decimal | None = None  # skatt/sumSkatt, before credits
    components: dict[str, Decimal] = field(default_factory=dict)  # skatt/* (inntektsskattTilStat …)
    credits: dict[str, Decimal] = field(default_factory=dict)  # skattefradrag/*
    additions: dict[str, Decimal] = field(default_factory=dict)  # skattetillegg/*
    net_income: Decimal | None = None  # informasjonTilSkattelister/nettoinntekt
    net_wealth: Decimal | None = None
    municipality: str | None = None
    variant: str = "fastland"  # fastland | svalbard | petroleum (from the envelope's dokument/type)


# --- 5. Forskuddsskatt (AS) ------------------------------------------------------------------------
@dataclass
class AdvanceTaxInstalment:
    number: int  # 1 = 15 Feb, 2 = 15 Apr (of income_year + 1)
    due_date: date
    amount: Decimal
    kid: str
    account: str | None  # always set from XML; may be None from a letter text without an account


@dataclass
class AdvanceTax:
    org_number: str | None  # always set from XML; None when a letter text does not print it
    income_year: int
    total: Decimal
    account: str | None  # default account; each instalment carries its own too
    instalments: list[AdvanceTaxInstalment] = field(default_factory=list)
    company_name: str | None = None
    notice_date: date | None = None
    source: str = "xml"  # "xml" (our format, DESIGN-NOTES) | "text" (letter body / PDF text)


# --- 6. Anything else --------------------------------------------------------------------------------
@dataclass
class OtherDocument:
    title: str | None
    files: list[str] = field(default_factory=list)  # "name (mimetype)"
    detected: list[str] = field(default_factory=list)  # what each file looked like: "pdf", "xml:{ns}root"…
    text_excerpt: str | None = None  # first characters of readable text, if any
    service_code: str | None = None


@dataclass
class ParsedDocument:
    doc_type: str
    org_number: str | None
    document_date: date | None
    period_start: date | None
    period_end: date | None
    summary: Text  # short; rendered in the company's language
    data: VatPayment | MvaReturn | TaxClaims | TaxSettlement | AdvanceTax | OtherDocument
    source_file: str | None = None  # the file the data came from
    source_format: str | None = None  # namespace or JSON shape that was recognised
    notices: list[Notice] = field(default_factory=list)
    # Other recognised documents of the same item (e.g. the MVA-melding next to its betalingsinformasjon).
    related: list[ParsedDocument] = field(default_factory=list)
