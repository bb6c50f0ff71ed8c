"""Krav og betalinger claim types (kravtype) → what the booking does with them.

Source: Skatteetaten's code list ``kravtype`` (Skatteetaten/beta-apier
``docs/kravogbetalinger/files/kravtype.xml`` at commit ae5003d0484e626a0b7f44188e3fd88b7ac9b9d8, 446 codes,
each with its kravgruppe and legal basis). Only the codes a company meets in its own tax account and that
have ONE way to be booked are listed; every other code (fees, penalties, coercive fines, special duties,
inheritance tax, interest whose deductibility depends on the case) is left to a person with a note.

Codes are compared after ``normalize``: Skatteetaten writes them in camelCase with Norwegian letters
(``åBetaleMva``, ``rentegodtgjørelseMva``), the API examples in upper case (``RESTSKATT``), and the code list
also gives a spelling without Norwegian letters (``aaBetaleMva``); all of them fold to the same key.

Interest, by direction and deductibility (skatteloven § 6-40 (5) b/c; kontohjelp.no 8140/8159, Tripletex
8040):
- late-payment interest (forsinkelsesrente, skattebetalingsloven § 11-1) and interest on reassessed VAT
  (fastsettingsrenter, § 11-2 for merverdiavgift): a deductible cost;
- interest on deferred wealth tax: not deductible;
- interest paid TO the company (rentegodtgjørelse, tilgoderente, renter på utbetaling, forsinkelsesrente
  kredit): finance income.
"""

from __future__ import annotations

import re
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

DEBIT = "debit"  # the company owes it
CREDIT = "credit"  # Skatteetaten owes it to the company
EITHER = "either"  # the sign says which (an assessment can go both ways)


def normalize(text: str | None) -> str:
    """One spelling for a code, group or category: lower case, æ/ø/å as ae/oe/aa, letters and digits only."""
    text = (
        (text if isinstance(text, str) else "")
        .lower()
        .replace("æ", "ae")
        .replace("ø", "oe")
        .replace("å", "aa")
    )
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]", "", text)


@dataclass(frozen=True)
class ClaimType:
    category: str
    direction: str


def _types(category: str, direction: str, *codes: str) -> dict[str, ClaimType]:
    return {normalize(code): ClaimType(category, direction) for code in codes}


_COMPENSATION_SUFFIXES = ("", "Fylke", "Kommune", "Offentlig", "Organisasjon")

CLAIM_TYPES: dict[str, ClaimType] = {
    **_types(CAT_RESTSKATT, DEBIT, "restskatt"),
    **_types(CAT_FORSKUDDSSKATT, DEBIT, "utskrevetForskuddsskatt"),
    **_types(CAT_MVA, DEBIT, "åBetaleMva", "fastsettingØkningMva"),
    **_types(CAT_MVA, CREDIT, "tilgodeMva"),
    **_types(CAT_MVA, EITHER, "fastsettingMva"),
    **_types(
        CAT_MVA_COMPENSATION,
        EITHER,
        *(f"kompensasjonMva{suffix}" for suffix in _COMPENSATION_SUFFIXES),
        *(f"kompensasjonsmeldingMva{suffix}" for suffix in _COMPENSATION_SUFFIXES),
    ),
    **_types(
        CAT_ARBEIDSGIVERAVGIFT,
        DEBIT,
        "arbeidsgiveravgift",
        "arbeidsgiveravgiftAvstemt",
        "arbeidsgiveravgiftAvvik",
        "arbeidsgiveravgiftFastsatt",
        "arbeidsgiveravgiftTerminvis",
        "arbeidsgiveravgiftTillegg",
    ),
    **_types(
        CAT_FORSKUDDSTREKK,
        DEBIT,
        "forskuddstrekk",
        "forskuddstrekkAvstemt",
        "forskuddstrekkFastsattAnsvar",
        "forskuddstrekkTillegg",
    ),
    **_types(
        CAT_INTEREST_COST,
        DEBIT,
        "forsinkelsesrente",
        "forsinkelsesrente111",
        "forsinkelsesrenteDebet",
        "forsinkelsesrenterMva",
        "forsinkelsesrenterMvaKorrigert",
        *(f"forsinkelsesrenterMvaKompensasjon{suffix}" for suffix in _COMPENSATION_SUFFIXES),
        *(
            f"fastsettingsrenterMva{suffix}"
            for suffix in ("", *(f"Kompensasjon{s}" for s in _COMPENSATION_SUFFIXES))
        ),
    ),
    **_types(CAT_INTEREST_NON_DEDUCTIBLE, DEBIT, "renterUtsattFormuesskatt"),
    **_types(
        CAT_INTEREST_INCOME,
        CREDIT,
        "forsinkelsesrenteKredit",
        "rentegodtgjørelseMva",
        "rentegodtgjørelseKorrigert",
        "tilgoderenteMvaKorrigert",
        *(f"rentegodtgjørelseMvaKompensasjon{suffix}" for suffix in _COMPENSATION_SUFFIXES),
        *(f"tilgoderenteMvaKompensasjonKorrigert{suffix}" for suffix in _COMPENSATION_SUFFIXES),
        "renterUtbetalingLønnsstøtte",
        "renterUtbetalingNullsone",
        "renterUtbetalingOmsetningsfall",
    ),
}

UNKNOWN = ClaimType(CAT_OTHER, EITHER)


def claim_type(code: str | None) -> ClaimType:
    """What ``code`` (a kravtype as sent) is; ``UNKNOWN`` (category other) when it is not listed."""
    return CLAIM_TYPES.get(normalize(code), UNKNOWN)
