"""Default accounts for booking Skatteetaten documents (NS 4102 / SAF-T codes of Odoo 18 ``l10n_no``).

Data only; the booking code resolves each role to the company's account by code, with a per-company
override, and must REFUSE an account whose name does not match the role (``account_matches``): databases
migrated from Odoo ≤17 carry another list where some codes mean something else (17.0: 2540 "Forhåndsskatt",
8070 "Annen finansinntekt"; domain.md §0.3, §4).

Codes, English names and nb_NO names below are those of Odoo 18's
``addons/l10n_no/data/template/account.account-no.csv``; journal templates follow domain.md §3.
Sign convention of the parsers: positive = the company owes, negative = til gode.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

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
)

# Document roles
ROLE_BANK = "bank"
ROLE_TAX_WITHHOLDING_BANK = "tax_withholding_bank"
ROLE_PAYABLE = "payable"  # Skatteetaten as a vendor, payment_reference = KID
ROLE_VAT_SETTLEMENT = "vat_settlement"
ROLE_TAX_ACCRUED = "tax_accrued"  # year-end accrual, not yet assessed
ROLE_TAX_ASSESSED = "tax_assessed"  # assessed (restskatt) still to pay
ROLE_ADVANCE_TAX = "advance_tax"  # forskuddsskatt paid during the year after the income year
ROLE_WITHHOLDING_TAX = "withholding_tax"  # forskuddstrekk
ROLE_EMPLOYER_CONTRIBUTION = "employer_contribution"  # arbeidsgiveravgift owed
ROLE_TAX_EXPENSE = "tax_expense"
ROLE_TAX_PRIOR_YEAR = "tax_prior_year_difference"  # for mye/lite avsatt tidligere år
ROLE_TAX_INTEREST = "tax_interest"  # late-payment interest (forsinkelsesrenter): deductible
ROLE_INTEREST_NON_DEDUCTIBLE = "interest_non_deductible"  # skatteloven § 6-40 (5)
ROLE_INTEREST_INCOME = "interest_income"  # interest paid to the company (rentegodtgjørelse)
ROLE_TAX_RECEIVABLE = "tax_receivable"  # refunds from Skatteetaten (VAT and tax til gode): reconcilable
ROLE_VAT_COMPENSATION = "vat_compensation"  # merverdiavgiftskompensasjon: its own settlement account
ROLE_TAX_PAYMENTS = "tax_payments"  # payments Skatteetaten placed, to be matched with the bank statement
ROLE_VAT_SMALL_REFUND = "vat_small_refund"  # til gode < kr 100 is not paid out


@dataclass(frozen=True)
class AccountDefault:
    role: str
    code: str
    name_en: str  # Odoo 18 l10n_no name
    name_nb: str  # Odoo 18 l10n_no name@nb_NO
    account_type: str  # Odoo 18 account_type of that code
    keywords: tuple[str, ...]  # the account's name must contain one of these (case/diacritics-insensitive)
    exclude: tuple[str, ...] = ()  # ... and none of these
    note: str = ""
    reconcile: bool = False  # the booking matches its lines (payments, refunds): must allow reconciliation


ACCOUNTS: dict[str, AccountDefault] = {
    a.role: a
    for a in (
        AccountDefault(
            ROLE_BANK,
            "1920",
            "Bank deposits",
            "Bankinnskudd",
            "asset_cash",
            ("bank",),
            ("skattetrekk", "tax withholding"),
        ),
        AccountDefault(
            ROLE_TAX_WITHHOLDING_BANK,
            "1950",
            "Bank deposits for tax withholdings",
            "Bankinnskudd for skattetrekk",
            "asset_cash",
            ("skattetrekk", "tax withholding"),
            note="forskuddstrekk may be paid from here instead of 1920",
        ),
        AccountDefault(
            ROLE_PAYABLE,
            "2400",
            "Trade creditors",
            "Leverandørgjeld",
            "liability_payable",
            ("leverandorgjeld", "trade creditors", "creditors", "payable"),
            reconcile=True,
        ),
        AccountDefault(
            ROLE_VAT_SETTLEMENT,
            "2740",
            "Settlement account for VAT",
            "Oppgjørskonto merverdiavgift",
            "liability_payable",
            ("oppgjorskonto merverdiavgift", "oppgjorskonto mva", "settlement account for vat"),
            note="reconcilable payable in Odoo 18; every l10n_no tax group closes VAT to it",
        ),
        AccountDefault(
            ROLE_TAX_ACCRUED,
            "2500",
            "Tax payable, not offset",
            "Betalbar skatt, ikke fastsatt",
            "liability_current",
            ("ikke fastsatt", "not offset", "ikke utlignet"),
        ),
        AccountDefault(
            ROLE_TAX_ASSESSED,
            "2510",
            "Tax payable, offset",
            "Betalbar skatt, fastsatt",
            "liability_current",
            ("skatt, fastsatt", "tax payable, offset"),
            ("ikke", "not offset"),
        ),
        AccountDefault(
            ROLE_ADVANCE_TAX,
            "2540",
            "Corporate advance tax",
            "Forskuddsskatt upersonlig skattyter",
            "liability_current",
            ("forskuddsskatt", "advance tax"),
            ("forhandsskatt",),
            note="17.0 had 2540 'Forhåndsskatt': refused on purpose, map it explicitly if it is meant",
        ),
        AccountDefault(
            ROLE_WITHHOLDING_TAX,
            "2600",
            "Advance tax withholding",
            "Forskuddstrekk",
            "liability_current",
            ("forskuddstrekk", "tax withholding"),
        ),
        AccountDefault(
            ROLE_EMPLOYER_CONTRIBUTION,
            "2770",
            "Unpaid employers national insurance contributions",
            "Skyldig arbeidsgiveravgift",
            "liability_current",
            ("arbeidsgiveravgift", "national insurance"),
        ),
        AccountDefault(
            ROLE_TAX_EXPENSE,
            "8300",
            "Tax payable",
            "Betalbar skatt",
            "expense",
            ("betalbar skatt", "tax payable"),
            ("tidligere", "previous", "too much", "for mye"),
        ),
        AccountDefault(
            ROLE_TAX_PRIOR_YEAR,
            "8309",
            "Tax payable, too much/little allocated in previous year(s)",
            "Betalbar skatt, for mye/lite avsatt tidligere år",
            "expense",
            ("for mye/lite avsatt", "too much/little", "tidligere ar", "previous year"),
        ),
        AccountDefault(
            ROLE_TAX_INTEREST,
            "8159",
            "Other interest paid",
            "Annen rentekostnad",
            "expense",
            ("rentekostnad", "interest"),
            ("inntekt", "income", "ikke fradragsberettiget", "non-deductible"),
            note="late-payment interest, skattebetalingsloven § 11-1 (kontohjelp.no 8159)",
        ),
        AccountDefault(
            ROLE_INTEREST_NON_DEDUCTIBLE,
            "8140",
            "Interest expenses, non-deductible",
            "Rentekostnad, ikke fradragsberettiget",
            "expense",
            ("ikke fradragsberettiget", "non-deductible"),
        ),
        AccountDefault(
            ROLE_INTEREST_INCOME,
            "8059",
            "Other interest income",
            "Annen renteinntekt",
            "expense",
            ("renteinntekt", "interest income"),
            ("skattefri", "tax-exempt", "konsern", "group"),
            note="8040 'Renteinntekt, skattefri' for interest on refunded income tax",
        ),
        AccountDefault(
            ROLE_TAX_RECEIVABLE,
            "1579",
            "Other short-term receivables",
            "Andre kortsiktige fordringer",
            "asset_current",
            ("kortsiktige fordringer", "short-term receivables"),
            reconcile=True,
        ),
        AccountDefault(
            ROLE_VAT_COMPENSATION,
            "1654",
            "Settlement account for VAT compensation",
            "Oppgjørskonto kompensert merverdiavgift",
            "asset_current",
            ("kompensert merverdiavgift", "vat compensation"),
        ),
        AccountDefault(
            ROLE_VAT_SMALL_REFUND,
            "7798",
            "Other expenses, deductible",
            "Annen kostnad, fradragsberettiget",
            "expense",
            ("annen kostnad", "other expenses"),
        ),
    )
}

# Krav og betalinger claim category → the account the claim is booked against (debit when the claim
# arrives, Cr 2400 Skatteetaten with the KID; or straight against the bank when paid). None = ask.
CLAIM_CATEGORY_ROLES: dict[str, str | None] = {
    CAT_FORSKUDDSSKATT: ROLE_ADVANCE_TAX,  # 2540
    CAT_RESTSKATT: ROLE_TAX_ASSESSED,  # 2510
    CAT_MVA: ROLE_VAT_SETTLEMENT,  # 2740
    CAT_MVA_COMPENSATION: ROLE_VAT_COMPENSATION,  # 1654
    CAT_ARBEIDSGIVERAVGIFT: ROLE_EMPLOYER_CONTRIBUTION,  # 2770
    CAT_FORSKUDDSTREKK: ROLE_WITHHOLDING_TAX,  # 2600
    CAT_INTEREST_COST: ROLE_TAX_INTEREST,  # 8159
    CAT_INTEREST_NON_DEDUCTIBLE: ROLE_INTEREST_NON_DEDUCTIBLE,  # 8140
    CAT_INTEREST_INCOME: ROLE_INTEREST_INCOME,  # 8059
    CAT_OTHER: None,
}
CLAIM_CATEGORY_ACCOUNTS: dict[str, str | None] = {
    cat: (ACCOUNTS[role].code if role else None) for cat, role in CLAIM_CATEGORY_ROLES.items()
}

# Journal templates (domain.md §3), as (role, "debit"|"credit") pairs for a positive amount.
# A negative amount (til gode) swaps the sides.
TEMPLATES: dict[str, tuple[tuple[str, str], ...]] = {
    # betalingsinformasjon: the VAT to pay becomes a payable to Skatteetaten with KID and due date
    "vat_payment_claim": ((ROLE_VAT_SETTLEMENT, "debit"), (ROLE_PAYABLE, "credit")),
    # forskuddsskatt notice, one move (or line pair) per instalment, date_maturity = due date
    "advance_tax_instalment": ((ROLE_ADVANCE_TAX, "debit"), (ROLE_PAYABLE, "credit")),
    # a claim from Krav og betalinger: the category's account vs. Skatteetaten
    "tax_claim": (("<debt account>", "debit"), (ROLE_PAYABLE, "credit")),
    # a payment Skatteetaten placed on a claim, matched with the bank statement later
    "tax_payment": ((ROLE_PAYABLE, "debit"), (ROLE_TAX_PAYMENTS, "credit")),
    # a refund (VAT or tax til gode), whichever route brings it
    "refund": ((ROLE_TAX_RECEIVABLE, "debit"), ("<debt account>", "credit")),
    # year-end accrual (made by the accountant; the settlement reverses it)
    "tax_accrual": ((ROLE_TAX_EXPENSE, "debit"), (ROLE_TAX_ACCRUED, "credit")),
    # skatteoppgjør: Dr 2500 accrued, Cr 2540 advance tax paid, Cr 2510 restskatt (Dr 1579 if til gode),
    # the difference between accrued and assessed to 8309
    "tax_settlement": (
        (ROLE_TAX_ACCRUED, "debit"),
        (ROLE_ADVANCE_TAX, "credit"),
        (ROLE_TAX_ASSESSED, "credit"),
        (ROLE_TAX_PRIOR_YEAR, "debit/credit"),
    ),
}

# SAF-T/MVA-melding mvaKode → the accounts Odoo 18 l10n_no taxes post to (from account.tax-no.csv:
# repartition lines tagged "+<code> Tax"). Reverse-charge codes post both an input and an output line.
# Use the company's taxes first; this is the fallback and the check.
MVA_CODE_ACCOUNTS: dict[str, dict[str, str]] = {
    "1": {"input": "2710"},
    "11": {"input": "2711"},
    "12": {"input": "2712"},
    "13": {"input": "2713"},
    "14": {"input": "2715"},
    "15": {"input": "2716"},
    "3": {"output": "2700"},
    "31": {"output": "2701"},
    "32": {"output": "2702"},
    "33": {"output": "2703"},
    "5": {},
    "6": {},
    "51": {},
    "52": {},
    "85": {},
    "81": {"input": "2715", "output": "2705"},
    "82": {"output": "2705"},
    "83": {"input": "2716", "output": "2706"},
    "84": {"output": "2706"},
    "86": {"input": "2714", "output": "2704"},
    "87": {"output": "2704"},
    "88": {"input": "2718", "output": "2709"},
    "89": {"output": "2709"},
    "91": {"input": "2715", "output": "2705"},
    "92": {"output": "2705"},
}


def _fold(text: str | None) -> str:
    text = (text or "").lower().replace("ø", "o").replace("æ", "ae").replace("å", "a")
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def account_matches(role: str, code: str, *names: str | None) -> bool:
    """True when an account with ``code`` and these names (any language) can serve ``role``.

    The code must be the default code of the role (an override table maps other codes explicitly), one
    of the names must contain a keyword, and no name may contain an excluded word.
    """
    default = ACCOUNTS[role]
    if (code or "").strip() != default.code:
        return False
    folded = [_fold(n) for n in names if n]
    if not folded:
        return False
    if any(_fold(word) in name for word in default.exclude for name in folded):
        return False
    return any(_fold(word) in name for word in default.keywords for name in folded)


def account_for_claim_category(category: str) -> AccountDefault | None:
    role = CLAIM_CATEGORY_ROLES.get(category)
    return ACCOUNTS[role] if role else None
