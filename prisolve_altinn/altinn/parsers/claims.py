"""Krav og betalinger (Skatteetaten innkreving API, JSON): claims, their due dates, and payments.

Endpoints and example payloads: Skatteetaten/api-dokumentasjon `docs/api/kravogbetalinger.md`; field
meanings and the kravtype/kravgruppe code lists: Skatteetaten/beta-apier `docs/kravogbetalinger/`.
The KID field inside ``kravforfall.betalingsinformasjon`` is not named in the public examples ("kan
inneholde f. eks. KIDnummer og bankkonto"), so any key naming a KID is accepted (``kid`` preferred).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from . import values as v
from .base import (
    CAT_ARBEIDSGIVERAVGIFT,
    CAT_FORSKUDDSSKATT,
    CAT_FORSKUDDSTREKK,
    CAT_INTEREST,
    CAT_MVA,
    CAT_OTHER,
    CAT_RESTSKATT,
    DOC_TAX_CLAIMS,
    ClaimInstalment,
    ClaimTotals,
    Notice,
    ParsedDocument,
    ParseError,
    PlacedPayment,
    TaxClaim,
    TaxClaims,
    TaxPayment,
)
from .kid import is_valid_kid

KIND_OPEN = "open_claims"
KIND_CLAIMS = "claims"
KIND_PAYMENTS = "payments"

_LIST_KEYS = {
    "aapentKravMedGjenstaaendeBeloep": KIND_OPEN,
    "krav": KIND_CLAIMS,
    "innbetaling": KIND_PAYMENTS,
}


def shape(obj) -> str | None:
    """The endpoint a JSON object came from, or None if it is not Krav og betalinger."""
    if not isinstance(obj, dict) or "partIdentifikator" not in obj:
        return None
    for key, kind in _LIST_KEYS.items():
        if key in obj:
            return kind
    return None


def _norm(text: str | None) -> str:
    text = (text or "").lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", text)


def categorize(claim_type: str | None, description: str | None = None, group: str | None = None) -> str:
    """kravtype (RESTSKATT, utskrevetForskuddsskatt, åBetaleMva, …) → claim category.

    Interest, penalties and fees are checked first: "forsinkelsesrenterMva" is interest, not VAT.
    """
    for text in (claim_type, description):
        norm = _norm(text)
        if not norm:
            continue
        if "rente" in norm:
            return CAT_INTEREST
        if any(word in norm for word in ("tilleggsskatt", "tvangsmulkt", "gebyr", "sanksjon", "finansskatt")):
            return CAT_OTHER
        if "forskuddsskatt" in norm:
            return CAT_FORSKUDDSSKATT
        if "restskatt" in norm:
            return CAT_RESTSKATT
        if "forskuddstrekk" in norm:
            return CAT_FORSKUDDSTREKK
        if "arbeidsgiveravgift" in norm:
            return CAT_ARBEIDSGIVERAVGIFT
        if "mva" in norm or "merverdiavgift" in norm:
            return CAT_MVA
    if _norm(group) in ("forskuddstrekk", "arbeidsgiveravgift"):
        return CAT_FORSKUDDSTREKK if _norm(group) == "forskuddstrekk" else CAT_ARBEIDSGIVERAVGIFT
    return CAT_OTHER


def _kid_of(info) -> str | None:
    if not isinstance(info, dict):
        return None
    for key in (
        "kid",
        "kidnummer",
        "kidNummer",
        "KID",
        "kundeidentifikasjonsnummer",
        "kundeIdentifikasjonsnummer",
    ):
        if info.get(key):
            return v.digits(str(info[key]))
    for key, value in info.items():
        if isinstance(value, (str, int)) and value and ("kid" in key.lower() or "kundeident" in key.lower()):
            return v.digits(str(value))
    return None


def _account_of(info) -> str | None:
    if not isinstance(info, dict):
        return None
    konto = info.get("konto")
    if isinstance(konto, dict) and konto.get("kontonummer"):
        return v.digits(str(konto["kontonummer"]))
    if info.get("kontonummer"):
        return v.digits(str(info["kontonummer"]))
    return None


def _list(obj: dict, key: str, where: str, file_name: str | None) -> list:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise v.bad_value(f"{where}/{key}".lstrip("/"), value, file_name)
    return value


def _parse_claim(raw, where: str, file_name: str | None, notices: list[Notice]) -> TaxClaim:
    if not isinstance(raw, dict):
        raise v.bad_value(where, raw, file_name)
    claim_id = raw.get("kravidentifikator")
    if not claim_id:
        raise v.missing(f"{where}/kravidentifikator", file_name)
    claim_type = raw.get("kravtype")
    if not claim_type and not raw.get("kravbeskrivelse"):
        raise v.missing(f"{where}/kravtype", file_name)
    instalments = []
    for index, due in enumerate(_list(raw, "kravforfall", where, file_name), start=1):
        due_where = f"{where}/kravforfall[{index}]"
        if not isinstance(due, dict):
            raise v.bad_value(due_where, due, file_name)
        info = due.get("betalingsinformasjon")
        kid = _kid_of(info)
        placed = []
        for p_index, payment in enumerate(_list(due, "plassertInnbetaling", due_where, file_name), start=1):
            if not isinstance(payment, dict):
                raise v.bad_value(f"{due_where}/plassertInnbetaling[{p_index}]", payment, file_name)
            placed.append(
                PlacedPayment(
                    payment_id=payment.get("innbetalingsIdentifikator")
                    or payment.get("innbetalingsidentifikator"),
                    amount=v.amount(
                        payment.get("plassertBeloep"), f"{due_where}/plassertBeloep", file_name=file_name
                    ),
                    date=v.optional_date(
                        payment.get("plasseringsdato"), "plasseringsdato", file_name=file_name
                    ),
                )
            )
        instalments.append(
            ClaimInstalment(
                due_date=v.iso_date(
                    due.get("forfallsdato"), f"{due_where}/forfallsdato", file_name=file_name
                ),
                original_amount=v.amount(
                    due.get("opprinneligBeloep"), f"{due_where}/opprinneligBeloep", file_name=file_name
                ),
                open_amount=v.amount(
                    due.get("gjenstaaendeBeloep"), f"{due_where}/gjenstaaendeBeloep", file_name=file_name
                ),
                instalment_id=due.get("kravforfallsIdentifikator"),
                kid=kid,
                kid_valid=is_valid_kid(kid) if kid else None,
                account=_account_of(info),
                deferred=bool(due.get("utsattIverksettelse")),
                placed_payments=placed,
            )
        )
    claim = TaxClaim(
        claim_id=str(claim_id),
        claim_type=str(claim_type or ""),
        category=categorize(claim_type, raw.get("kravbeskrivelse"), raw.get("kravgruppe")),
        original_amount=v.amount(
            raw.get("opprinneligBeloep"), f"{where}/opprinneligBeloep", file_name=file_name
        ),
        open_amount=v.amount(
            raw.get("gjenstaaendeBeloep"), f"{where}/gjenstaaendeBeloep", file_name=file_name
        ),
        description=raw.get("kravbeskrivelse"),
        claim_group=raw.get("kravgruppe"),
        period=raw.get("kravperiode"),
        created=v.optional_date(
            raw.get("opprettelsesdatoForKrav"), "opprettelsesdatoForKrav", file_name=file_name
        ),
        interest=v.optional_amount(
            raw.get("stipulerteRenter"), f"{where}/stipulerteRenter", file_name=file_name
        )
        or v.ZERO,
        instalments=instalments,
    )
    if instalments:
        open_sum = sum((i.open_amount for i in instalments), v.ZERO)
        if open_sum != claim.open_amount:
            raise v.totals_mismatch(
                f"Claim {claim.claim_id} open amount",
                f"Krav {claim.claim_id} gjenstående beløp",
                claim.open_amount,
                open_sum,
                file_name,
            )
        original_sum = sum((i.original_amount for i in instalments), v.ZERO)
        if (
            original_sum != claim.original_amount
        ):  # may differ after a reduction (nedsettelse): tell, don't stop
            notices.append(
                Notice(
                    "claim_original_differs",
                    f"Claim {claim.claim_id}: original amount {v.format_nok(claim.original_amount, 'en')} "
                    f"differs from its due dates' {v.format_nok(original_sum, 'en')}.",
                    f"Krav {claim.claim_id}: opprinnelig beløp {v.format_nok(claim.original_amount)} "
                    f"avviker fra forfallenes {v.format_nok(original_sum)}.",
                )
            )
    return claim


def _parse_payment(raw, where: str, file_name: str | None) -> TaxPayment:
    if not isinstance(raw, dict):
        raise v.bad_value(where, raw, file_name)
    payment_id = raw.get("innbetalingsidentifikator") or raw.get("innbetalingsIdentifikator")
    if not payment_id:
        raise v.missing(f"{where}/innbetalingsidentifikator", file_name)
    paid_from = raw.get("betaltFra") or {}
    from_account = paid_from.get("konto") if isinstance(paid_from, dict) else None
    unplaced = raw.get("uplassertBeloep", raw.get("uplassertBeløp"))
    return TaxPayment(
        payment_id=str(payment_id),
        date=v.iso_date(raw.get("innbetalingsdato"), f"{where}/innbetalingsdato", file_name=file_name),
        amount=v.amount(
            raw.get("innbetaltBeloep", raw.get("innbetaltBeløp")),
            f"{where}/innbetaltBeloep",
            file_name=file_name,
        ),
        unplaced_amount=v.optional_amount(unplaced, f"{where}/uplassertBeloep", file_name=file_name),
        paid_to_account=_account_of({"konto": raw.get("betaltTilKonto")}),
        paid_from_account=_account_of(paid_from),
        payer_name=(from_account or {}).get("kontoeiersNavn") if isinstance(from_account, dict) else None,
        kid=_kid_of(paid_from) or _kid_of(from_account),
        payment_type=raw.get("innbetalingstype"),
        placements=[
            p for p in _list(raw, "plassertInnbetalingMotKrav", where, file_name) if isinstance(p, dict)
        ],
    )


def _totals(raw, file_name: str | None) -> ClaimTotals | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise v.bad_value("totalOversikt", raw, file_name)

    def get(key: str) -> Decimal:
        return v.amount(raw.get(key, 0), f"totalOversikt/{key}", file_name=file_name)

    return ClaimTotals(
        interest=get("sumStipulerteRenter"),
        overdue=get("sumForfalteKrav"),
        not_due=get("sumIkkeForfalteKrav"),
        unplaced_payments=get("sumUplasserteInnbetalinger"),
        balance=v.amount(raw.get("saldo"), "totalOversikt/saldo", file_name=file_name),
    )


def _check_summary(
    label_en: str,
    label_nb: str,
    raw: dict,
    claims: list[TaxClaim],
    file_name: str | None,
    with_unplaced: bool,
) -> None:
    """sumForfalte + sumIkkeForfalte = open claims; renter = claims' interest; saldo = both − unplaced."""

    def get(key: str) -> Decimal:
        return v.amount(raw.get(key, 0), f"{label_en}/{key}", file_name=file_name)

    open_sum = sum((c.open_amount for c in claims), v.ZERO)
    interest_sum = sum((c.interest for c in claims), v.ZERO)
    stated_open = get("sumForfalteKrav") + get("sumIkkeForfalteKrav")
    if stated_open != open_sum:
        raise v.totals_mismatch(
            f"{label_en}: overdue + not yet due claims",
            f"{label_nb}: forfalte + ikke forfalte krav",
            stated_open,
            open_sum,
            file_name,
        )
    if get("sumStipulerteRenter") != interest_sum:
        raise v.totals_mismatch(
            f"{label_en}: estimated interest",
            f"{label_nb}: stipulerte renter",
            get("sumStipulerteRenter"),
            interest_sum,
            file_name,
        )
    unplaced = get("sumUplasserteInnbetalinger") if with_unplaced else v.ZERO
    balance = v.amount(raw.get("saldo"), f"{label_en}/saldo", file_name=file_name)
    expected = stated_open + get("sumStipulerteRenter") - unplaced
    if balance != expected:
        raise v.totals_mismatch(
            f"{label_en}: balance (saldo)", f"{label_nb}: saldo", balance, expected, file_name
        )


def parse_json(obj: dict, file_name: str | None = None) -> ParsedDocument:
    kind = shape(obj)
    if kind is None:
        raise ParseError(
            "Not a Krav og betalinger document.",
            "Ikke et dokument fra Krav og betalinger.",
            file_name=file_name,
            code="wrong_schema",
        )
    org = v.org_number(obj.get("partIdentifikator"), "partIdentifikator", file_name=file_name)
    notices: list[Notice] = []
    claims: list[TaxClaim] = []
    payments: list[TaxPayment] = []
    if kind == KIND_OPEN:
        raw_claims = _list(obj, "aapentKravMedGjenstaaendeBeloep", "", file_name)
        raw_payments = _list(obj, "innbetalingMedUplassertBeloep", "", file_name)
    elif kind == KIND_CLAIMS:
        raw_claims, raw_payments = _list(obj, "krav", "", file_name), []
    else:
        raw_claims, raw_payments = [], _list(obj, "innbetaling", "", file_name)
    for index, raw in enumerate(raw_claims, start=1):
        claims.append(_parse_claim(raw, f"krav[{index}]", file_name, notices))
    for index, raw in enumerate(raw_payments, start=1):
        payments.append(_parse_payment(raw, f"innbetaling[{index}]", file_name))
    ids = [c.claim_id for c in claims]
    if len(set(ids)) != len(ids):
        raise ParseError(
            "The same claim identifier occurs twice.",
            "Samme kravidentifikator forekommer to ganger.",
            file_name=file_name,
            code="duplicate",
        )
    totals = _totals(obj.get("totalOversikt"), file_name)
    if obj.get("totalOversikt") is not None:
        _check_summary("totalOversikt", "totalOversikt", obj["totalOversikt"], claims, file_name, True)
    for index, group in enumerate(_list(obj, "oversiktPerKravgruppe", "", file_name), start=1):
        if not isinstance(group, dict):
            raise v.bad_value(f"oversiktPerKravgruppe[{index}]", group, file_name)
        name = group.get("kravgruppe")
        members = [c for c in claims if _norm(c.claim_group) == _norm(name)]
        _check_summary(
            f"oversiktPerKravgruppe {name}",
            f"oversiktPerKravgruppe {name}",
            group,
            members,
            file_name,
            "sumUplasserteInnbetalinger" in group,
        )
    period = obj.get("periode") if isinstance(obj.get("periode"), dict) else {}
    data = TaxClaims(
        org_number=org,
        kind=kind,
        claims=claims,
        payments=payments,
        period_start=v.optional_date(period.get("fraOgMed"), "periode/fraOgMed", file_name=file_name),
        period_end=v.optional_date(period.get("tilOgMed"), "periode/tilOgMed", file_name=file_name),
        totals=totals,
    )
    open_total = data.open_total
    paid = sum((p.amount for p in payments), v.ZERO)
    if kind == KIND_PAYMENTS:
        summary = f"{len(payments)} tax payments, {v.format_nok(paid, 'en')}"
        summary_nb = f"{len(payments)} innbetalinger, {v.format_nok(paid)}"
    else:
        which_en = "open tax claims" if kind == KIND_OPEN else "tax claims"
        which_nb = "åpne krav" if kind == KIND_OPEN else "krav"
        summary = f"{len(claims)} {which_en}, {v.format_nok(open_total, 'en')} open"
        summary_nb = f"{len(claims)} {which_nb}, {v.format_nok(open_total)} gjenstår"
        if payments:
            summary += f"; {len(payments)} unplaced payments"
            summary_nb += f"; {len(payments)} uplasserte innbetalinger"
    return ParsedDocument(
        doc_type=DOC_TAX_CLAIMS,
        org_number=org,
        document_date=None,
        period_start=data.period_start,
        period_end=data.period_end,
        summary=summary,
        summary_nb=summary_nb,
        data=data,
        source_file=file_name,
        source_format=f"json:kravogbetalinger:{kind}",
        notices=notices,
    )
