"""Krav og betalinger (Skatteetaten innkreving API, JSON): claims, their due dates, and payments.

Endpoints and example payloads: Skatteetaten/api-dokumentasjon `docs/api/kravogbetalinger.md`; field
meanings and the kravtype/kravgruppe code lists: Skatteetaten/beta-apier `docs/kravogbetalinger/`.
The KID field inside ``kravforfall.betalingsinformasjon`` is not named in the public examples ("kan
inneholde f. eks. KIDnummer og bankkonto"), so any key naming a KID is accepted (``kid`` preferred).
"""

from __future__ import annotations

from decimal import Decimal

from ..i18n import Money, Text, _lt
from . import values as v
from .base import (
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
from .claim_types import claim_type, normalize
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


def categorize(claim_type_code: str | None) -> str:
    """kravtype (RESTSKATT, utskrevetForskuddsskatt, åBetaleMva, …) → debt category (claim_types)."""
    return claim_type(claim_type_code).category


def _text(value) -> str | None:
    """A plain text, or the Norwegian text of a ``{"spraakTekst": [{"tekst", "spraak"}]}`` (newer API)."""
    if value is None or isinstance(value, str):
        return value or None
    if isinstance(value, dict):
        texts = value.get("spraakTekst")
        if isinstance(texts, list):
            by_lang = {
                t.get("spraak"): t.get("tekst") for t in texts if isinstance(t, dict) and t.get("tekst")
            }
            return by_lang.get("nb") or by_lang.get("no") or next(iter(by_lang.values()), None)
        if "periodeBeskrivelse" in value:
            return _text(value.get("periodeBeskrivelse")) or (str(value["aar"]) if value.get("aar") else None)
    return str(value)


def _period(value) -> str | None:
    """kravperiode: "2023/1" (year/term), "2024" (income year), or the newer object with a text and
    ``aar``."""
    if isinstance(value, dict):
        text = _text(value.get("periodeBeskrivelse"))
        if text and any(ch.isdigit() for ch in text):
            return text
        return str(value["aar"]) if value.get("aar") else text
    return _text(value)


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


def _placed(raw, where: str, file_name: str | None, *, counterclaim: bool) -> PlacedPayment:
    if not isinstance(raw, dict):
        raise v.bad_value(where, raw, file_name)
    if counterclaim:
        reference = raw.get("kravforfallsIdentifikator") or raw.get("motkravForfallsIdentifikator")
    else:
        reference = raw.get("innbetalingsIdentifikator") or raw.get("innbetalingsidentifikator")
    amount = v.amount(raw.get("plassertBeloep"), f"{where}/plassertBeloep", file_name=file_name)
    return PlacedPayment(
        payment_id=str(reference) if reference else None,
        amount=abs(amount),  # sent negative: it reduces the claim
        date=v.optional_date(
            raw.get("plasseringsdato") or raw.get("plassertDato"),
            f"{where}/plasseringsdato",
            file_name=file_name,
        ),
        paid_on=v.optional_date(
            raw.get("innbetalingsdato"), f"{where}/innbetalingsdato", file_name=file_name
        ),
        kid=None if counterclaim else _kid_of(raw.get("innbetaltFra")),
    )


def _parse_instalment(due, where: str, file_name: str | None) -> ClaimInstalment:
    if not isinstance(due, dict):
        raise v.bad_value(where, due, file_name)
    info = due.get("betalingsinformasjon")
    kid = _kid_of(info)
    return ClaimInstalment(
        due_date=v.iso_date(due.get("forfallsdato"), f"{where}/forfallsdato", file_name=file_name),
        original_amount=v.amount(
            due.get("opprinneligBeloep"), f"{where}/opprinneligBeloep", file_name=file_name
        ),
        open_amount=v.amount(
            due.get("gjenstaaendeBeloep"), f"{where}/gjenstaaendeBeloep", file_name=file_name
        ),
        instalment_id=due.get("kravforfallsIdentifikator"),
        kid=kid,
        kid_valid=is_valid_kid(kid) if kid else None,
        account=_account_of(info),
        deferred=bool(due.get("utsattIverksettelse")),
        placed_payments=[
            _placed(raw, f"{where}/plassertInnbetaling[{n}]", file_name, counterclaim=False)
            for n, raw in enumerate(_list(due, "plassertInnbetaling", where, file_name), start=1)
        ],
        placed_counterclaims=[
            _placed(raw, f"{where}/plassertMotkrav[{n}]", file_name, counterclaim=True)
            for n, raw in enumerate(_list(due, "plassertMotkrav", where, file_name), start=1)
        ],
    )


def _parse_claim(raw, where: str, file_name: str | None, notices: list[Notice]) -> TaxClaim:
    if not isinstance(raw, dict):
        raise v.bad_value(where, raw, file_name)
    claim_id = raw.get("kravidentifikator")
    if not claim_id:
        raise v.missing(f"{where}/kravidentifikator", file_name)
    code = raw.get("kravtype")
    description = _text(raw.get("kravbeskrivelse"))
    if not code and not description:
        raise v.missing(f"{where}/kravtype", file_name)
    kind = claim_type(code)
    instalments = [
        _parse_instalment(due, f"{where}/kravforfall[{index}]", file_name)
        for index, due in enumerate(_list(raw, "kravforfall", where, file_name), start=1)
    ]
    claim = TaxClaim(
        claim_id=str(claim_id),
        claim_type=str(code or ""),
        category=kind.category,
        direction=kind.direction,
        org_number=v.org_number(
            raw.get("partIdentifikator"), f"{where}/partIdentifikator", required=False, file_name=file_name
        ),
        original_amount=v.amount(
            raw.get("opprinneligBeloep"), f"{where}/opprinneligBeloep", file_name=file_name
        ),
        open_amount=v.amount(
            raw.get("gjenstaaendeBeloep"), f"{where}/gjenstaaendeBeloep", file_name=file_name
        ),
        description=description,
        claim_group=raw.get("kravgruppe"),
        period=_period(raw.get("kravperiode")),
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
                Text(_lt("Claim %(claim)s, open amount"), {"claim": claim.claim_id}),
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
                    Text(
                        _lt(
                            "Claim %(claim)s: original amount %(original)s "
                            "differs from its due dates' %(sum)s."
                        ),
                        {
                            "claim": claim.claim_id,
                            "original": Money(claim.original_amount),
                            "sum": Money(original_sum),
                        },
                    ),
                )
            )
    return claim


def _parse_payment(raw, where: str, file_name: str | None) -> TaxPayment:
    if not isinstance(raw, dict):
        raise v.bad_value(where, raw, file_name)
    payment_id = raw.get("innbetalingsidentifikator") or raw.get("innbetalingsIdentifikator")
    if not payment_id:
        raise v.missing(f"{where}/innbetalingsidentifikator", file_name)
    paid_from = raw.get("betaltFra") or raw.get("innbetaltFra") or {}
    from_account = paid_from.get("konto") if isinstance(paid_from, dict) else None
    unplaced = raw.get("uplassertBeloep", raw.get("uplassertBeløp"))
    paid_to = raw.get("betaltTilKonto") or raw.get("mottakersKontonummer")
    return TaxPayment(
        payment_id=str(payment_id),
        date=v.iso_date(raw.get("innbetalingsdato"), f"{where}/innbetalingsdato", file_name=file_name),
        amount=v.amount(
            raw.get("innbetaltBeloep", raw.get("innbetaltBeløp")),
            f"{where}/innbetaltBeloep",
            file_name=file_name,
        ),
        unplaced_amount=v.optional_amount(unplaced, f"{where}/uplassertBeloep", file_name=file_name),
        paid_to_account=_account_of({"konto": paid_to}),
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


def _check_summary(label: str, raw: dict, claims: list[TaxClaim], file_name: str | None, with_unplaced: bool):
    """sumForfalte + sumIkkeForfalte = open claims; renter = claims' interest; saldo = both − unplaced."""

    def get(key: str) -> Decimal:
        return v.amount(raw.get(key, 0), f"{label}/{key}", file_name=file_name)

    open_sum = sum((c.open_amount for c in claims), v.ZERO)
    interest_sum = sum((c.interest for c in claims), v.ZERO)
    stated_open = get("sumForfalteKrav") + get("sumIkkeForfalteKrav")
    if stated_open != open_sum:
        raise v.totals_mismatch(
            Text(_lt("%(summary)s: overdue + not yet due claims"), {"summary": label}),
            stated_open,
            open_sum,
            file_name,
        )
    if get("sumStipulerteRenter") != interest_sum:
        raise v.totals_mismatch(
            Text(_lt("%(summary)s: estimated interest"), {"summary": label}),
            get("sumStipulerteRenter"),
            interest_sum,
            file_name,
        )
    unplaced = get("sumUplasserteInnbetalinger") if with_unplaced else v.ZERO
    balance = v.amount(raw.get("saldo"), f"{label}/saldo", file_name=file_name)
    expected = stated_open + get("sumStipulerteRenter") - unplaced
    if balance != expected:
        raise v.totals_mismatch(
            Text(_lt("%(summary)s: balance (saldo)"), {"summary": label}), balance, expected, file_name
        )


def parse_json(obj: dict, file_name: str | None = None) -> ParsedDocument:
    kind = shape(obj)
    if kind is None:
        raise ParseError(
            Text(_lt("Not a Krav og betalinger document.")), file_name=file_name, code="wrong_schema"
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
    # The same claim twice for the same party is a broken list (newer lists may hold other parties too).
    ids = [(c.org_number or org, c.claim_id) for c in claims]
    if len(set(ids)) != len(ids):
        raise ParseError(
            Text(_lt("The same claim identifier occurs twice.")), file_name=file_name, code="duplicate"
        )
    totals = _totals(obj.get("totalOversikt"), file_name)
    if obj.get("totalOversikt") is not None:
        _check_summary("totalOversikt", obj["totalOversikt"], claims, file_name, True)
    for index, group in enumerate(_list(obj, "oversiktPerKravgruppe", "", file_name), start=1):
        if not isinstance(group, dict):
            raise v.bad_value(f"oversiktPerKravgruppe[{index}]", group, file_name)
        name = group.get("kravgruppe")
        members = [c for c in claims if normalize(c.claim_group) == normalize(name)]
        _check_summary(
            f"oversiktPerKravgruppe {name}", group, members, file_name, "sumUplasserteInnbetalinger" in group
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
    paid = sum((p.amount for p in payments), v.ZERO)
    if kind == KIND_PAYMENTS:
        summary = Text(
            _lt("Tax payments: %(count)s, %(amount)s"), {"count": len(payments), "amount": Money(paid)}
        )
    elif kind == KIND_OPEN:
        summary = Text(
            _lt("Open tax claims: %(count)s, %(open)s open; unplaced payments: %(payments)s"),
            {"count": len(claims), "open": Money(data.open_total), "payments": len(payments)},
        )
    else:
        summary = Text(
            _lt("Tax claims: %(count)s, %(open)s open"),
            {"count": len(claims), "open": Money(data.open_total)},
        )
    return ParsedDocument(
        doc_type=DOC_TAX_CLAIMS,
        org_number=org,
        document_date=None,
        period_start=data.period_start,
        period_end=data.period_end,
        summary=summary,
        data=data,
        source_file=file_name,
        source_format=f"json:kravogbetalinger:{kind}",
        notices=notices,
    )
