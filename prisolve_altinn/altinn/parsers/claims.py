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


def _text(value, what: str = "kravbeskrivelse", file_name: str | None = None) -> str | None:
    """A plain text, or the Norwegian text of a ``{"spraakTekst": [{"tekst", "spraak"}]}`` (newer API)."""
    if value is None or isinstance(value, str):
        return v.string(value, what, file_name=file_name)
    if isinstance(value, dict):
        texts = value.get("spraakTekst")
        if isinstance(texts, list):
            by_lang = {
                v.string(t.get("spraak"), f"{what}/spraak", file_name=file_name): v.string(
                    t.get("tekst"), what, file_name=file_name
                )
                for t in texts
                if isinstance(t, dict) and t.get("tekst")
            }
            return by_lang.get("nb") or by_lang.get("no") or next(iter(by_lang.values()), None)
        if "periodeBeskrivelse" in value:
            return _text(value.get("periodeBeskrivelse"), what, file_name) or _year_text(
                value, what, file_name
            )
    raise v.bad_value(what, value, file_name)


def _year_text(value: dict, what: str, file_name: str | None) -> str | None:
    aar = value.get("aar")
    return str(v.year(aar, f"{what}/aar", file_name=file_name)) if aar else None


def _period(value, file_name: str | None = None) -> str | None:
    """kravperiode: "2023/1" (year/term), "2024" (income year), or the newer object with a text and
    ``aar``."""
    if isinstance(value, dict):
        text = _text(value.get("periodeBeskrivelse"), "kravperiode", file_name)
        if text and any(ch.isdigit() for ch in text):
            return text
        return _year_text(value, "kravperiode", file_name) or text
    return _text(value, "kravperiode", file_name)


_KID_KEYS = (
    "kid",
    "kidnummer",
    "kidNummer",
    "KID",
    "kundeidentifikasjonsnummer",
    "kundeIdentifikasjonsnummer",
)


def _kid_of(info, where: str = "betalingsinformasjon", file_name: str | None = None) -> str | None:
    if not isinstance(info, dict):
        return None
    for key in _KID_KEYS:
        if info.get(key) is not None and info.get(key) != "":
            return v.kid(info[key], f"{where}/{key}", required=False, file_name=file_name)
    for key, value in info.items():  # a key merely naming a KID: only its text can be one
        if isinstance(value, str) and value and ("kid" in key.lower() or "kundeident" in key.lower()):
            return v.kid(value, f"{where}/{key}", required=False, file_name=file_name)
    return None


def _account_of(info, where: str = "betalingsinformasjon", file_name: str | None = None) -> str | None:
    if not isinstance(info, dict):
        return None
    konto = info.get("konto")
    if isinstance(konto, dict) and konto.get("kontonummer"):
        return v.account_number(konto["kontonummer"], f"{where}/konto/kontonummer", file_name=file_name)
    if info.get("kontonummer"):
        return v.account_number(info["kontonummer"], f"{where}/kontonummer", file_name=file_name)
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
    reference = v.string(reference, f"{where}/identifikator", file_name=file_name)
    amount = v.amount(raw.get("plassertBeloep"), f"{where}/plassertBeloep", file_name=file_name)
    return PlacedPayment(
        payment_id=reference,
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
    kid = _kid_of(info, f"{where}/betalingsinformasjon", file_name)
    return ClaimInstalment(
        due_date=v.iso_date(due.get("forfallsdato"), f"{where}/forfallsdato", file_name=file_name),
        original_amount=v.amount(
            due.get("opprinneligBeloep"), f"{where}/opprinneligBeloep", file_name=file_name
        ),
        open_amount=v.amount(
            due.get("gjenstaaendeBeloep"), f"{where}/gjenstaaendeBeloep", file_name=file_name
        ),
        instalment_id=v.string(
            due.get("kravforfallsIdentifikator"), f"{where}/kravforfallsIdentifikator", file_name=file_name
        ),
        kid=kid,
        kid_valid=is_valid_kid(kid) if kid else None,
        account=_account_of(info, f"{where}/betalingsinformasjon", file_name),
        deferred=_flag(due.get("utsattIverksettelse"), f"{where}/utsattIverksettelse", file_name),
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
    claim_id = v.string(raw.get("kravidentifikator"), f"{where}/kravidentifikator", file_name=file_name)
    if not claim_id:
        raise v.missing(f"{where}/kravidentifikator", file_name)
    code = v.string(raw.get("kravtype"), f"{where}/kravtype", file_name=file_name)
    description = _text(raw.get("kravbeskrivelse"), f"{where}/kravbeskrivelse", file_name)
    if not code and not description:
        raise v.missing(f"{where}/kravtype", file_name)
    kind = claim_type(code)
    instalments = [
        _parse_instalment(due, f"{where}/kravforfall[{index}]", file_name)
        for index, due in enumerate(_list(raw, "kravforfall", where, file_name), start=1)
    ]
    claim = TaxClaim(
        claim_id=claim_id,
        claim_type=code or "",
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
        claim_group=v.string(raw.get("kravgruppe"), f"{where}/kravgruppe", file_name=file_name),
        period=_period(raw.get("kravperiode"), file_name),
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
    payment_id = v.string(
        raw.get("innbetalingsidentifikator") or raw.get("innbetalingsIdentifikator"),
        f"{where}/innbetalingsidentifikator",
        file_name=file_name,
    )
    if not payment_id:
        raise v.missing(f"{where}/innbetalingsidentifikator", file_name)
    paid_from = raw.get("betaltFra") or raw.get("innbetaltFra") or {}
    from_account = paid_from.get("konto") if isinstance(paid_from, dict) else None
    payer = from_account.get("kontoeiersNavn") if isinstance(from_account, dict) else None
    unplaced = raw.get("uplassertBeloep", raw.get("uplassertBeløp"))
    paid_to = raw.get("betaltTilKonto") or raw.get("mottakersKontonummer")
    return TaxPayment(
        payment_id=payment_id,
        date=v.iso_date(raw.get("innbetalingsdato"), f"{where}/innbetalingsdato", file_name=file_name),
        amount=v.amount(
            raw.get("innbetaltBeloep", raw.get("innbetaltBeløp")),
            f"{where}/innbetaltBeloep",
            file_name=file_name,
        ),
        unplaced_amount=v.optional_amount(unplaced, f"{where}/uplassertBeloep", file_name=file_name),
        paid_to_account=_account_of({"konto": paid_to}, f"{where}/betaltTilKonto", file_name),
        paid_from_account=_payer_account(from_account, f"{where}/betaltFra/konto/kontonummer", file_name),
        payer_name=v.string(payer, f"{where}/betaltFra/konto/kontoeiersNavn", file_name=file_name),
        kid=_kid_of(paid_from, f"{where}/betaltFra", file_name)
        or _kid_of(from_account, f"{where}/betaltFra/konto", file_name),
        payment_type=v.string(raw.get("innbetalingstype"), f"{where}/innbetalingstype", file_name=file_name),
        placements=[
            p for p in _list(raw, "plassertInnbetalingMotKrav", where, file_name) if isinstance(p, dict)
        ],
    )


def _payer_account(konto, what: str, file_name: str | None) -> str | None:
    """The payer's account, for information only: newer API versions mask it ("******43210")."""
    if not isinstance(konto, dict):
        return None
    return v.digits(v.string(konto.get("kontonummer"), what, file_name=file_name)) or None


def _flag(value, what: str, file_name: str | None) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise v.bad_value(what, value, file_name)
    return value


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
        name = v.string(
            group.get("kravgruppe"), f"oversiktPerKravgruppe[{index}]/kravgruppe", file_name=file_name
        )
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
