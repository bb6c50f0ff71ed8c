"""MVA documents: payment information after filing, the MVA-melding itself, and the assessed VAT JSON.

Schemas: Skatteetaten/mva-meldingen `docs/informasjonsmodell_filer/xsd/`
(skattemeldingformerverdiavgift v1.0 and its betalingsinformasjon v1.0); assessment JSON from the
Mva-fastsetting API documentation (Skatteetaten/api-dokumentasjon `docs/api/mvafastsetting.md`).
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from ..i18n import Money, Text, _lt
from . import values as v
from .base import (
    DOC_MVA_RETURN,
    DOC_VAT_PAYMENT,
    MvaLine,
    MvaReturn,
    ParsedDocument,
    ParseError,
    VatPayment,
)
from .kid import is_valid_kid
from .xmlsafe import leaf_text, local

NS_PAYMENT = "no:skatteetaten:fastsetting:avgift:mva:skattemeldingformerverdiavgift:betalingsinformasjon:v1.0"
NS_RETURN = "no:skatteetaten:fastsetting:avgift:mva:skattemeldingformerverdiavgift:v1.0"
ROOT_PAYMENT = "betalingsinformasjon"
ROOT_RETURN = "mvaMeldingDto"

_PERIOD_ELEMENTS = (
    "skattleggingsperiodeMaaned",
    "skattleggingsperiodeToMaaneder",
    "skattleggingsperiodeTreMaaneder",
    "skattleggingsperiodeSeksMaaneder",
    "skattleggingsperiodeHalvMaaned",
    "skattleggingsperiodeUke",
    "skattleggingsperiodeAar",
)


class _Reader:
    """Namespace-bound lookups on one document."""

    def __init__(self, root: etree._Element, ns: str, file_name: str | None):
        self.root = root
        self.ns = {"n": ns}
        self.file_name = file_name

    def find(self, path: str, node=None):
        return (self.root if node is None else node).find(self._path(path), self.ns)

    def findall(self, path: str, node=None):
        return (self.root if node is None else node).findall(self._path(path), self.ns)

    def text(self, path: str, node=None) -> str | None:
        return leaf_text(self.find(path, node), path, self.file_name)

    def required(self, path: str, node=None) -> str:
        value = self.text(path, node)
        if value is None:
            raise v.missing(path, self.file_name)
        return value

    @staticmethod
    def _path(path: str) -> str:
        return "/".join("n:" + part if part not in (".", "..") else part for part in path.split("/"))

    def period(self, base: str) -> tuple[int, str, object, object]:
        """skattleggingsperiode → (year, name, start, end)."""
        node = self.find(base)
        if node is None:
            raise v.missing(base, self.file_name)
        year = v.year(self.text("aar", node), f"{base}/aar", file_name=self.file_name)
        period_node = self.find("periode", node)
        name = None
        if period_node is not None:
            for child in period_node:
                if local(child.tag) in _PERIOD_ELEMENTS:
                    name = leaf_text(child, f"{base}/periode/{local(child.tag)}", self.file_name)
                    if name:
                        break
        if name is None:
            raise v.missing(f"{base}/periode", self.file_name)
        start, end = v.period_bounds(name, year, file_name=self.file_name)
        return year, name, start, end


def _period_label(name: str, year: int) -> str:
    return f"{name} {year}"


def parse_payment_xml(root: etree._Element, file_name: str | None = None) -> ParsedDocument:
    """betalingsinformasjon v1.0: KID, amount, due date and account for one VAT period."""
    r = _Reader(root, NS_PAYMENT, file_name)
    org = v.org_number(
        r.text("skattepliktig/organisasjonsnummer"), "skattepliktig/organisasjonsnummer", file_name=file_name
    )
    year, name, start, end = r.period("skattleggingsperiode")
    kid = v.kid(r.required("kundeidentifikasjonsnummer"), "kundeidentifikasjonsnummer", file_name=file_name)
    amount = v.amount(r.text("beloep"), "beloep", file_name=file_name)
    due = v.iso_date(r.text("betalingsfrist"), "betalingsfrist", file_name=file_name)
    account = v.account_number(
        r.required("betalesTilKonto/norskKontonummer"),
        "betalesTilKonto/norskKontonummer",
        file_name=file_name,
    )
    payment = VatPayment(
        org_number=org,
        kid=kid,
        kid_valid=is_valid_kid(kid),
        amount=amount,
        due_date=due,
        account=account,
        period_year=year,
        period_name=name,
        period_start=start,
        period_end=end,
        submission_reference=r.text("innsendingsreferanse"),
        payee=r.text("betaleTil"),
        iban=r.text("betalesTilKonto/IBAN"),
        swift_bic=r.text("betalesTilKonto/swiftBIC"),
        information=r.text("informasjon"),
    )
    label = _period_label(name, year)
    if amount < 0:
        summary = Text(
            _lt("VAT refund %(amount)s for %(period)s"), {"amount": Money(-amount), "period": label}
        )
    else:
        summary = Text(
            _lt("VAT to pay %(amount)s for %(period)s, due %(due)s, KID %(kid)s"),
            {"amount": Money(amount), "period": label, "due": due, "kid": kid},
        )
    return ParsedDocument(
        doc_type=DOC_VAT_PAYMENT,
        org_number=org,
        document_date=None,
        period_start=start,
        period_end=end,
        summary=summary,
        data=payment,
        source_file=file_name,
        source_format=NS_PAYMENT,
    )


def parse_return_xml(root: etree._Element, file_name: str | None = None) -> ParsedDocument:
    """mvaMeldingDto v1.0: the VAT return; the lines must add up to fastsattMerverdiavgift."""
    r = _Reader(root, NS_RETURN, file_name)
    base = "skattegrunnlagOgBeregnetSkatt"
    if r.find(base) is None:
        raise v.missing(base, file_name)
    year, name, start, end = r.period(f"{base}/skattleggingsperiode")
    total = v.amount(r.text(f"{base}/fastsattMerverdiavgift"), "fastsattMerverdiavgift", file_name=file_name)
    lines = []
    for index, node in enumerate(r.findall(f"{base}/mvaSpesifikasjonslinje"), start=1):
        where = f"mvaSpesifikasjonslinje[{index}]"
        code = r.text("mvaKode", node)
        if code is None:
            raise v.missing(f"{where}/mvaKode", file_name)
        lines.append(
            MvaLine(
                mva_code=code,
                vat=v.amount(r.text("merverdiavgift", node), f"{where}/merverdiavgift", file_name=file_name),
                base=v.optional_amount(r.text("grunnlag", node), f"{where}/grunnlag", file_name=file_name),
                rate=v.rate(r.text("sats", node), file_name=file_name),
                specification=r.text("spesifikasjon", node),
                internal_code=r.text("mvaKodeRegnskapsystem", node),
            )
        )
    org = v.org_number(r.text("skattepliktig/organisasjonsnummer"), required=False, file_name=file_name)
    refund_kid = r.text("betalingsinformasjon/kundeIdentifikasjonsnummer")
    mva = MvaReturn(
        org_number=org,
        period_year=year,
        period_name=name,
        period_start=start,
        period_end=end,
        total=total,
        lines=lines,
        category=r.text("meldingskategori"),
        refund_kid=v.kid(
            refund_kid, "betalingsinformasjon/kundeIdentifikasjonsnummer", required=False, file_name=file_name
        ),
        system_reference=r.text("innsending/regnskapssystemsreferanse"),
        source="mva-melding",
    )
    _check_total(mva, file_name)
    return _return_document(mva, file_name, NS_RETURN)


def _check_total(mva: MvaReturn, file_name: str | None) -> None:
    computed = mva.lines_total
    if computed != mva.total:
        raise v.totals_mismatch(
            Text(_lt("VAT return %(period)s"), {"period": _period_label(mva.period_name, mva.period_year)}),
            mva.total,
            computed,
            file_name,
        )


def _return_document(mva: MvaReturn, file_name: str | None, source_format: str) -> ParsedDocument:
    label = _period_label(mva.period_name, mva.period_year)
    values = {"period": label, "amount": Money(abs(mva.total)), "lines": len(mva.lines)}
    # One source per number: "1 linjer" is wrong in both languages.
    if mva.total < 0 and len(mva.lines) == 1:
        summary = Text(_lt("VAT return %(period)s: %(amount)s refund, 1 line"), values)
    elif mva.total < 0:
        summary = Text(_lt("VAT return %(period)s: %(amount)s refund, %(lines)s lines"), values)
    elif len(mva.lines) == 1:
        summary = Text(_lt("VAT return %(period)s: %(amount)s to pay, 1 line"), values)
    else:
        summary = Text(_lt("VAT return %(period)s: %(amount)s to pay, %(lines)s lines"), values)
    return ParsedDocument(
        doc_type=DOC_MVA_RETURN,
        org_number=mva.org_number,
        document_date=mva.submitted_at.date() if mva.submitted_at else None,
        period_start=mva.period_start,
        period_end=mva.period_end,
        summary=summary,
        data=mva,
        source_file=file_name,
        source_format=source_format,
    )


# --- assessed VAT (Mva-fastsetting API JSON) --------------------------------------------------------
JSON_ASSESSMENT = "json:mvafastsetting"


def is_assessment_json(obj) -> bool:
    return isinstance(obj, dict) and "forespurtSkattleggingsperiode" in obj


def parse_assessment_json(obj: dict, file_name: str | None = None) -> list[ParsedDocument]:
    """One MvaReturn per requested period; each period's lines must add up to its fastsattMerverdiavgift."""
    org = v.org_number(obj.get("skattepliktig"), "skattepliktig", required=False, file_name=file_name)
    periods = obj["forespurtSkattleggingsperiode"]
    if not isinstance(periods, list):
        raise v.bad_value("forespurtSkattleggingsperiode", periods, file_name)
    if not periods:
        raise v.missing("forespurtSkattleggingsperiode", file_name)
    documents = []
    for index, period in enumerate(periods, start=1):
        where = f"forespurtSkattleggingsperiode[{index}]"
        if not isinstance(period, dict):
            raise v.bad_value(where, period, file_name)
        documents.append(_parse_assessed_period(period, org, where, file_name))
    return documents


def _parse_assessed_period(
    period: dict, org: str | None, where: str, file_name: str | None
) -> ParsedDocument:
    info = _object(period, "skattleggingsperiode", where, file_name)
    year = v.year(info.get("aar"), f"{where}/skattleggingsperiode/aar", file_name=file_name)
    name = v.string(info.get("periode"), f"{where}/skattleggingsperiode/periode", file_name=file_name) or ""
    start = v.optional_date(info.get("periodeStart"), "periodeStart", file_name=file_name)
    end = v.optional_date(info.get("periodeSlutt"), "periodeSlutt", file_name=file_name)
    if start is None or end is None:
        if not name:
            raise v.missing(f"{where}/skattleggingsperiode/periode", file_name)
        start, end = v.period_bounds(name, year, file_name=file_name)
    total = _assessed_total(period.get("fastsattMerverdiavgift"), where, file_name)
    self_assessed = _object(period, "egenfastsattMerverdiavgift", where, file_name)
    raw_lines = self_assessed.get("mvaSpesifikasjonslinje")
    if not isinstance(raw_lines, list):
        raise v.missing(f"{where}/egenfastsattMerverdiavgift/mvaSpesifikasjonslinje", file_name)
    lines = []
    for index, raw in enumerate(raw_lines, start=1):
        line_where = f"mvaSpesifikasjonslinje[{index}]"
        if not isinstance(raw, dict):
            raise v.bad_value(line_where, raw, file_name)
        code = v.string(raw.get("mvaKode"), f"{line_where}/mvaKode", file_name=file_name)
        if code is None:
            raise v.missing(f"{line_where}/mvaKode", file_name)
        deduction = raw.get("erFradrag")
        if deduction is not None and not isinstance(deduction, bool):
            raise v.bad_value(f"{line_where}/erFradrag", deduction, file_name)
        lines.append(
            MvaLine(
                mva_code=code,
                vat=v.amount(raw.get("merverdiavgift"), f"{line_where}/merverdiavgift", file_name=file_name),
                base=v.optional_amount(raw.get("grunnlag"), f"{line_where}/grunnlag", file_name=file_name),
                rate=v.rate(raw.get("sats"), file_name=file_name),
                specification=v.string(
                    raw.get("spesifikasjon"), f"{line_where}/spesifikasjon", file_name=file_name
                ),
                is_deduction=deduction,
            )
        )
    melding = _object(self_assessed, "mvaMelding", where, file_name)
    mva = MvaReturn(
        org_number=org,
        period_year=year,
        period_name=name or "aarlig",
        period_start=start,
        period_end=end,
        total=total,
        lines=lines,
        category=v.string(period.get("meldingskategori"), f"{where}/meldingskategori", file_name=file_name),
        submission_reference=v.string(
            melding.get("meldingsreferanse"), f"{where}/mvaMelding/meldingsreferanse", file_name=file_name
        ),
        submitted_at=v.optional_datetime(
            melding.get("innsendingstidspunkt"), "innsendingstidspunkt", file_name=file_name
        ),
        filing_deadline=v.optional_date(
            period.get("innleveringsfrist"), "innleveringsfrist", file_name=file_name
        ),
        source="mvafastsetting",
    )
    _check_total(mva, file_name)
    return _return_document(mva, file_name, JSON_ASSESSMENT)


def _object(obj: dict, key: str, where: str, file_name: str | None) -> dict:
    """A JSON member that must be an object (``{}`` when absent or null)."""
    value = obj.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise v.bad_value(f"{where}/{key}", value, file_name)
    return value


def _assessed_total(value, where: str, file_name: str | None) -> Decimal:
    """fastsattMerverdiavgift is a number or an object such as {"tilGode": -348431}."""
    what = f"{where}/fastsattMerverdiavgift"
    if isinstance(value, dict):
        numbers = {key: val for key, val in value.items() if val is not None}
        if len(numbers) != 1:
            raise ParseError(
                Text(
                    _lt("'%(field)s' must hold exactly one amount, found %(found)s."),
                    {"field": what, "found": ", ".join(sorted(numbers)) or "-"},
                ),
                file_name=file_name,
                code="bad_value",
            )
        key, raw = next(iter(numbers.items()))
        v.clean_text(key, what, file_name)
        total = v.amount(raw, f"{what}/{key}", file_name=file_name)
        # til gode = refund = negative in our convention, whatever sign the sender used
        if key.lower().startswith("tilgode") and total > 0:
            total = -total
        return total
    return v.amount(value, what, file_name=file_name)
