"""Realistic Skatteetaten items (forms and messages) with their payloads, generated from a seeded RNG.

Formats follow Skatteetaten's published schemas (mva-melding, betalingsinformasjon, beregnet skatt
upersonlig v4, Krav og betalinger JSON) and the team's own forskuddsskatt format (DESIGN-NOTES.md,
"Advance-tax notice format"). Everything is a pure function of (rng state, organisation, anchor date).
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from xml.sax.saxutils import escape

from .clock import OSLO
from .kid import account_number, kid_mod10, kid_mod11
from .model import (
    KIND_FORM,
    KIND_MESSAGE,
    MSG_ARCHIVED,
    MSG_CREATED,
    MSG_READ,
    Attachment,
    Form,
    Item,
    Organisation,
)
from .pdf import make_pdf

NS_MVA = "no:skatteetaten:fastsetting:avgift:mva:skattemeldingformerverdiavgift:v1.0"
NS_BETALING = (
    "no:skatteetaten:fastsetting:avgift:mva:skattemeldingformerverdiavgift:betalingsinformasjon:v1.0"
)
NS_BEREGNET = "urn:no:skatteetaten:fastsetting:formueinntekt:upersonlig:beregnetskatt:v4"
NS_FORSKUDD = "urn:prisolve:altinn:forskuddsskatt:upersonlig:v1"

# Skatteetaten's accounts (valid MOD11 numbers, not real ones).
ACCOUNT_MVA = account_number("6345061816")
ACCOUNT_SKATT = account_number("7694050123")

VAT_TERMS = [
    "januar-februar",
    "mars-april",
    "mai-juni",
    "juli-august",
    "september-oktober",
    "november-desember",
]
TEMPLATES = (
    "mva_kvittering",
    "mva_melding",
    "skatteoppgjoer",
    "forskuddsskatt",
    "brev",
    "kravogbetalinger",
    "mva_utkast",
)
BROKEN = ("invalid_xml", "truncated_pdf", "not_a_pdf", "wrong_namespace", "empty_attachment", "invalid_json")

SERVICE_MVA = ("3903", 2)
SERVICE_MESSAGE = ("4136", 1)
SERVICE_SKATTEOPPGJOER = ("4860", 2)
SERVICE_FORSKUDD = ("4861", 1)
SERVICE_KRAV = ("5928", 202301)

MONTHS_NB = [
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
]
WEEKDAYS_NB = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"]


def nb_date(value: date) -> str:
    return f"{value.day:02d}.{value.month:02d}.{value.year}"


def nb_amount(value: Decimal | int) -> str:
    """60 000,00 style."""
    text = f"{Decimal(value):,.2f}"
    return text.replace(",", " ").replace(".", ",")


def business_day(value: date) -> date:
    while value.weekday() >= 5:
        value += timedelta(days=1)
    return value


def at_time(rng: random.Random, day: date) -> datetime:
    """A working-hours timestamp on ``day`` with millisecond precision (as Altinn's DB dates)."""
    seconds = rng.randrange(8 * 3600, 16 * 3600)
    moment = datetime.combine(day, time(0), OSLO) + timedelta(
        seconds=seconds, milliseconds=rng.randrange(1000)
    )
    return moment


def _archived_after(rng: random.Random, when: datetime, anchor: date) -> datetime:
    """Archived 1-3 days after ``when``, but never on or after the anchor date."""
    archived = when + timedelta(days=rng.randrange(1, 4))
    return archived if archived.date() < anchor else when + timedelta(minutes=1)


def new_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def vat_deadline(year: int, term: int) -> date:
    """Leveringsfrist/betalingsfrist of a bimonthly term (0 = januar-februar)."""
    return [
        date(year, 4, 10),
        date(year, 6, 10),
        date(year, 8, 31),
        date(year, 10, 10),
        date(year, 12, 10),
        date(year + 1, 2, 10),
    ][term]


def latest_vat_term(anchor: date) -> tuple[int, int]:
    """(year, term) of the latest term whose deadline is before ``anchor``."""
    best = None
    for year in (anchor.year - 2, anchor.year - 1, anchor.year):
        for term in range(6):
            if vat_deadline(year, term) < anchor:
                best = (year, term)
    return best


def next_vat_term(year: int, term: int) -> tuple[int, int]:
    return (year, term + 1) if term < 5 else (year + 1, 0)


# ---------------------------------------------------------------- facts (shared by related documents)
@dataclass
class VatFacts:
    year: int
    term: int
    lines: list[dict]
    fastsatt: Decimal
    kid: str
    deadline: date
    submitted: datetime
    reference: str

    @property
    def term_name(self) -> str:
        return VAT_TERMS[self.term]


def vat_facts(rng: random.Random, org: Organisation, anchor: date) -> VatFacts:
    year, term = latest_vat_term(anchor)
    deadline = vat_deadline(year, term)
    submitted = at_time(rng, business_day(deadline - timedelta(days=rng.randrange(1, 12))))
    if submitted.date() >= anchor:
        submitted = at_time(rng, anchor - timedelta(days=1))
    sales = rng.randrange(20_000, 240_000) * 4  # multiple of 4: 25 % VAT stays whole kroner
    lines = [
        {
            "mvaKode": "3",
            "tekst": "Utgående mva 25 %",
            "grunnlag": Decimal(sales),
            "sats": "25",
            "merverdiavgift": Decimal(sales) / 4,
        }
    ]
    if rng.random() < 0.5:
        food = rng.randrange(1_000, 30_000) * 20
        lines.append(
            {
                "mvaKode": "31",
                "tekst": "Utgående mva 15 %",
                "grunnlag": Decimal(food),
                "sats": "15",
                "merverdiavgift": Decimal(food) * 15 / 100,
            }
        )
    purchases = rng.randrange(10_000, 200_000 if rng.random() < 0.9 else 400_000) * 4
    lines.append(
        {
            "mvaKode": "1",
            "tekst": "Inngående mva 25 %",
            "grunnlag": Decimal(purchases),
            "sats": "25",
            "merverdiavgift": -Decimal(purchases) / 4,
        }
    )
    fastsatt = sum((line["merverdiavgift"] for line in lines), Decimal(0))
    kid = kid_mod11(f"34{org.orgnr}{year % 100:02d}{term + 1}0")
    reference = f"{org.party_id}/{new_uuid(rng)}"
    return VatFacts(year, term, lines, fastsatt, kid, deadline, submitted, reference)


@dataclass
class AdvanceTaxFacts:
    income_year: int
    decided: date
    total: Decimal
    terms: list[dict]


def advance_tax_facts(rng: random.Random, org: Organisation, anchor: date) -> AdvanceTaxFacts:
    income_year = anchor.year - 1 if anchor >= date(anchor.year, 1, 12) else anchor.year - 2
    decided = business_day(date(income_year + 1, 1, 5 + rng.randrange(0, 5)))
    total = Decimal(rng.randrange(100, 6000) * 100)
    half = (total / 2).quantize(Decimal("1"))
    terms = []
    for number, (month, amount) in enumerate(((2, half), (4, total - half)), start=1):
        terms.append(
            {
                "terminnummer": number,
                "forfallsdato": business_day(date(income_year + 1, month, 15)),
                "beloep": amount,
                "kid": kid_mod10(f"{income_year}{org.orgnr}0{number}"),
            }
        )
    return AdvanceTaxFacts(income_year, decided, total, terms)


@dataclass
class SettlementFacts:
    income_year: int
    published: datetime
    net_income: int
    net_wealth: int
    income_tax: int
    advance_paid: int
    balance: int  # > 0 restskatt, < 0 til gode
    kid: str
    due: date
    municipality: str


def settlement_facts(
    rng: random.Random, org: Organisation, anchor: date, advance: AdvanceTaxFacts | None = None
) -> SettlementFacts:
    income_year = anchor.year - 1 if anchor >= date(anchor.year, 10, 25) else anchor.year - 2
    published = at_time(rng, business_day(date(income_year + 1, 10, 14 + rng.randrange(0, 8))))
    if advance is not None and advance.income_year == income_year:
        advance_paid = int(advance.total)
        # the notice was an estimate: the real result lands within ±30 % of it
        net_income = int(advance.total * rng.randrange(70, 131) / 100 / Decimal("0.22")) // 1000 * 1000
    else:
        net_income = rng.randrange(50, 5000) * 1000
        advance_paid = (net_income * 22 // 100 * rng.randrange(70, 120) // 100) // 100 * 100
    income_tax = net_income * 22 // 100
    balance = income_tax - advance_paid
    kid = kid_mod10(f"{income_year}{org.orgnr}09")
    due = business_day(published.date() + timedelta(days=21))
    municipality = rng.choice(["0301", "4601", "5001", "1103", "3301"])
    return SettlementFacts(
        income_year,
        published,
        net_income,
        rng.randrange(0, 20_000) * 1000,
        income_tax,
        advance_paid,
        balance,
        kid,
        due,
        municipality,
    )


# ---------------------------------------------------------------- payload writers
def _xml(root: str, namespace: str, body: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{namespace}">{body}</{root}>'


def _amount(value: Decimal) -> str:
    value = Decimal(value)
    return str(int(value)) if value == value.to_integral_value() else f"{value:.2f}"


def refund_kid(org: Organisation) -> str:
    """The company's own KID for receiving VAT refunds (the MVA-melding's betalingsinformasjon: "hvordan
    tilgodebeløp skal utbetales", skattemeldingformerverdiavgift v1.0 XSD), never the KID to pay with."""
    return kid_mod10(f"{org.orgnr}7700")


def mva_melding_xml(org: Organisation, facts: VatFacts, *, draft: bool = False) -> str:
    lines = "".join(
        f"<mvaSpesifikasjonslinje><mvaKode>{line['mvaKode']}</mvaKode>"
        f"<mvaKodeRegnskapsystem>{escape(line['tekst'])}</mvaKodeRegnskapsystem>"
        f"<grunnlag>{_amount(line['grunnlag'])}</grunnlag><sats>{line['sats']}</sats>"
        f"<merverdiavgift>{_amount(line['merverdiavgift'])}</merverdiavgift></mvaSpesifikasjonslinje>"
        for line in facts.lines
    )
    body = (
        f"<innsending><regnskapssystemsreferanse>{escape(facts.reference)}</regnskapssystemsreferanse>"
        "<regnskapssystem><systemnavn>Prisolve demo</systemnavn><systemversjon>18.0</systemversjon>"
        "</regnskapssystem>"
        "</innsending>"
        "<skattegrunnlagOgBeregnetSkatt><skattleggingsperiode><periode>"
        f"<skattleggingsperiodeToMaaneder>{facts.term_name}</skattleggingsperiodeToMaaneder></periode>"
        f"<aar>{facts.year}</aar></skattleggingsperiode>"
        f"<fastsattMerverdiavgift>{_amount(facts.fastsatt)}</fastsattMerverdiavgift>{lines}"
        "</skattegrunnlagOgBeregnetSkatt>"
        + (
            "<betalingsinformasjon/>"
            if draft
            else f"<betalingsinformasjon><kundeIdentifikasjonsnummer>{refund_kid(org)}"
            "</kundeIdentifikasjonsnummer></betalingsinformasjon>"
        )
        + f"<skattepliktig><organisasjonsnummer>{org.orgnr}</organisasjonsnummer></skattepliktig>"
        "<meldingskategori>alminnelig</meldingskategori>"
    )
    return _xml("mvaMeldingDto", NS_MVA, body)


def betalingsinformasjon_xml(org: Organisation, facts: VatFacts) -> str:
    body = (
        f"<innsendingsreferanse>{escape(facts.reference)}</innsendingsreferanse>"
        f"<skattepliktig><organisasjonsnummer>{org.orgnr}</organisasjonsnummer></skattepliktig>"
        f"<skattleggingsperiode><periode><skattleggingsperiodeToMaaneder>{facts.term_name}"
        f"</skattleggingsperiodeToMaaneder></periode><aar>{facts.year}</aar></skattleggingsperiode>"
        f"<kundeidentifikasjonsnummer>{facts.kid}</kundeidentifikasjonsnummer>"
        f"<beloep>{_amount(facts.fastsatt)}</beloep><betaleTil>Skatteetaten</betaleTil>"
        f"<betalingsfrist>{facts.deadline.isoformat()}</betalingsfrist>"
        f"<betalesTilKonto><norskKontonummer>{ACCOUNT_MVA}</norskKontonummer></betalesTilKonto>"
    )
    return _xml("betalingsinformasjon", NS_BETALING, body)


def beregnet_skatt_xml(org: Organisation, facts: SettlementFacts) -> str:
    body = (
        f"<skatt><sumSkatt>{facts.income_tax}</sumSkatt><formuesskattTilStat>0</formuesskattTilStat>"
        f"<inntektsskattTilStat>{facts.income_tax}</inntektsskattTilStat></skatt>"
        f"<beregnetSkatt>{facts.income_tax}</beregnetSkatt>"
        f"<informasjonTilSkattelister><organisasjonsnummer>{org.orgnr}</organisasjonsnummer>"
        f"<kommune>{facts.municipality}</kommune><nettoinntekt>{facts.net_income}</nettoinntekt>"
        f"<nettoformue>{facts.net_wealth}</nettoformue><beregnetSkatt>{facts.income_tax}</beregnetSkatt>"
        "</informasjonTilSkattelister>"
    )
    return _xml("beregnetSkatt", NS_BEREGNET, body)


def forskuddsskatt_xml(org: Organisation, facts: AdvanceTaxFacts) -> str:
    terms = "".join(
        f"<termin><terminnummer>{t['terminnummer']}</terminnummer>"
        f"<forfallsdato>{t['forfallsdato'].isoformat()}</forfallsdato>"
        f"<beloep>{t['beloep']:.2f}</beloep><kid>{t['kid']}</kid></termin>"
        for t in facts.terms
    )
    body = (
        f"<organisasjonsnummer>{org.orgnr}</organisasjonsnummer><navn>{escape(org.name)}</navn>"
        f"<inntektsaar>{facts.income_year}</inntektsaar><vedtaksdato>{facts.decided.isoformat()}</vedtaksdato>"
        f"<sumForskuddsskatt>{facts.total:.2f}</sumForskuddsskatt>"
        f"<betalesTilKonto><norskKontonummer>{ACCOUNT_SKATT}</norskKontonummer></betalesTilKonto>{terms}"
    )
    return _xml("forskuddsskattUpersonlig", NS_FORSKUDD, body)


def forskuddsskatt_text(org: Organisation, facts: AdvanceTaxFacts) -> list[str]:
    acc = ACCOUNT_SKATT
    lines = [
        f"Forskuddsskatt for inntektsåret {facts.income_year}",
        f"Organisasjonsnummer: {org.orgnr[:3]} {org.orgnr[3:6]} {org.orgnr[6:]}",
        f"Kontonummer: {acc[:4]}.{acc[4:6]}.{acc[6:]}",
    ]
    for t in facts.terms:
        lines.append(
            f"{t['terminnummer']}. termin forfall {nb_date(t['forfallsdato'])} beløp kr "
            f"{nb_amount(t['beloep'])} KID {t['kid']}"
        )
    lines.append(f"Sum forskuddsskatt: kr {nb_amount(facts.total)}")
    return lines


def krav_json(
    rng: random.Random,
    org: Organisation,
    anchor: date,
    vat: VatFacts | None,
    advance: AdvanceTaxFacts | None,
    settlement: SettlementFacts | None,
) -> str:
    claims = []

    def claim(description, kravtype, group, period, created, due, amount, account, kid):
        amount = float(Decimal(amount))
        claims.append(
            {
                "kravidentifikator": f"krav-{rng.randrange(10**8, 10**9)}",
                "kravbeskrivelse": description,
                "opprettelsesdatoForKrav": created.isoformat(),
                "kravperiode": period,
                "opprinneligBeloep": amount,
                "kravforfall": [
                    {
                        "forfallsdato": due.isoformat(),
                        "opprinneligBeloep": amount,
                        "gjenstaaendeBeloep": amount,
                        "plassertInnbetaling": [],
                        "plassertMotkrav": [],
                        "kravforfallsIdentifikator": new_uuid(rng),
                        "betalingsinformasjon": {"konto": {"kontonummer": account}, "kid": kid},
                        "utsattIverksettelse": False,
                    }
                ],
                "gjenstaaendeBeloep": amount,
                "stipulerteRenter": round(amount * 0.01, 2) if due < anchor else 0.0,
                "kravtype": kravtype,
                "kravgruppe": group,
            }
        )

    if vat is not None and vat.fastsatt > 0:
        claim(
            "Mva-melding å betale",
            "åBetaleMva",
            "Merverdiavgift",
            f"{vat.year}/{vat.term + 1:02d}",
            vat.submitted.date(),
            vat.deadline,
            vat.fastsatt,
            ACCOUNT_MVA,
            vat.kid,
        )
    if advance is not None:
        for t in advance.terms:
            claim(
                "Utskrevet forskuddsskatt",
                "utskrevetForskuddsskatt",
                "Skatt",
                f"{advance.income_year}/{t['terminnummer']:02d}",
                advance.decided,
                t["forfallsdato"],
                t["beloep"],
                ACCOUNT_SKATT,
                t["kid"],
            )
    if settlement is not None and settlement.balance > 0:
        claim(
            "Restskatt",
            "RESTSKATT",
            "Skatt",
            f"{settlement.income_year}/00",
            settlement.published.date(),
            settlement.due,
            settlement.balance,
            ACCOUNT_SKATT,
            settlement.kid,
        )
    overdue = sum(
        c["gjenstaaendeBeloep"] for c in claims if c["kravforfall"][0]["forfallsdato"] < anchor.isoformat()
    )
    not_due = sum(c["gjenstaaendeBeloep"] for c in claims) - overdue
    interest = round(sum(c["stipulerteRenter"] for c in claims), 2)
    groups = []
    for group in sorted({c["kravgruppe"] for c in claims}):
        members = [c for c in claims if c["kravgruppe"] == group]
        g_over = sum(
            c["gjenstaaendeBeloep"]
            for c in members
            if c["kravforfall"][0]["forfallsdato"] < anchor.isoformat()
        )
        g_int = round(sum(c["stipulerteRenter"] for c in members), 2)
        g_all = sum(c["gjenstaaendeBeloep"] for c in members)
        groups.append(
            {
                "kravgruppe": group,
                "sumStipulerteRenter": g_int,
                "sumForfalteKrav": g_over,
                "sumIkkeForfalteKrav": g_all - g_over,
                "saldo": round(g_all + g_int, 2),
            }
        )
    document = {
        "partIdentifikator": org.orgnr,
        "aapentKravMedGjenstaaendeBeloep": claims,
        "innbetalingMedUplassertBeloep": [],
        "totalOversikt": {
            "sumStipulerteRenter": interest,
            "sumForfalteKrav": overdue,
            "sumIkkeForfalteKrav": not_due,
            "sumUplasserteInnbetalinger": 0,
            "saldo": round(overdue + not_due + interest, 2),
        },
        "oversiktPerKravgruppe": groups,
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


# ---------------------------------------------------------------- items
def _att(name: str, mimetype: str, data: bytes | str, created: datetime) -> Attachment:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return Attachment(0, name, name, mimetype, data, created)


def _pdf(title: str, lines: list[str], created: datetime) -> bytes:
    return make_pdf(
        [title, "", *lines, "", "Skatteetaten", "Postboks 9200 Grønland, 0134 Oslo"],
        title=title,
        created=created,
    )


def item_mva_kvittering(rng, org, anchor, vat: VatFacts | None = None) -> Item:
    vat = vat or vat_facts(rng, org, anchor)
    when = vat.submitted + timedelta(minutes=rng.randrange(1, 5))
    title = f"Kvittering for mottatt skattemelding for merverdiavgift {vat.term_name} {vat.year}"
    text = [
        f"Skatteetaten har mottatt skattemelding for merverdiavgift for {org.name} ({org.orgnr}).",
        f"Periode: {vat.term_name} {vat.year}",
        f"Innsendingsreferanse: {vat.reference}",
        f"Fastsatt merverdiavgift: kr {nb_amount(vat.fastsatt)}",
    ]
    if vat.fastsatt > 0:
        text += [
            f"Beløpet betales til kontonummer {ACCOUNT_MVA} med KID {vat.kid}",
            f"Betalingsfrist: {nb_date(vat.deadline)}",
        ]
    else:
        text += ["Beløpet til gode blir utbetalt til virksomhetens registrerte kontonummer."]
    item = Item(
        uuid=new_uuid(rng),
        kind=KIND_MESSAGE,
        reportee=org.orgnr,
        title=title,
        created=when,
        last_changed=when,
        service_code=SERVICE_MVA[0],
        service_edition=SERVICE_MVA[1],
        summary="Kvittering for innsendt mva-melding",
        body="\n".join(text),
        archived_at=_archived_after(rng, when, anchor),
        status=MSG_ARCHIVED,
        external_reference=vat.reference,
        document_type="mva_kvittering",
    )
    item.attachments = [
        _att("betalingsinformasjon.xml", "application/xml", betalingsinformasjon_xml(org, vat), when),
        _att("kvittering.pdf", "application/pdf", _pdf(title, text, when), when),
    ]
    item.meta = {
        "year": vat.year,
        "term": vat.term_name,
        "kid": vat.kid,
        "beloep": _amount(vat.fastsatt),
        "betalingsfrist": vat.deadline.isoformat(),
        "konto": ACCOUNT_MVA,
    }
    return item


def item_mva_melding(rng, org, anchor, vat: VatFacts | None = None) -> Item:
    vat = vat or vat_facts(rng, org, anchor)
    title = f"Skattemelding for merverdiavgift - alminnelig næring {vat.term_name} {vat.year}"
    item = Item(
        uuid=new_uuid(rng),
        kind=KIND_FORM,
        reportee=org.orgnr,
        title=title,
        created=vat.submitted,
        last_changed=vat.submitted,
        service_code=SERVICE_MVA[0],
        service_edition=SERVICE_MVA[1],
        archived_at=vat.submitted,
        status="Archive",
        due_date=datetime.combine(vat.deadline, time(0), OSLO),
        document_type="mva_melding",
    )
    item.forms = [Form(0, "Skattemelding for merverdiavgift", "6464", 47281, mva_melding_xml(org, vat))]
    lines = [
        f"{line['mvaKode']:>3}  {line['tekst']:<22} grunnlag {nb_amount(line['grunnlag']):>14}  "
        f"mva {nb_amount(line['merverdiavgift']):>14}"
        for line in vat.lines
    ]
    lines.append(f"Fastsatt merverdiavgift: kr {nb_amount(vat.fastsatt)}")
    item.attachments = [
        _att("mvamelding.pdf", "application/pdf", _pdf(title, lines, vat.submitted), vat.submitted)
    ]
    item.meta = {
        "year": vat.year,
        "term": vat.term_name,
        "fastsatt": _amount(vat.fastsatt),
        "refund_kid": refund_kid(org),
    }
    return item


def item_mva_utkast(rng, org, anchor, vat: VatFacts | None = None) -> Item:
    base = vat or vat_facts(rng, org, anchor)
    year, term = next_vat_term(base.year, base.term)
    draft = VatFacts(
        year,
        term,
        base.lines[:1],
        base.lines[0]["merverdiavgift"],
        "",
        vat_deadline(year, term),
        base.submitted,
        base.reference,
    )
    when = at_time(rng, anchor - timedelta(days=rng.randrange(1, 4)))
    title = f"Skattemelding for merverdiavgift - alminnelig næring {draft.term_name} {year}"
    item = Item(
        uuid=new_uuid(rng),
        kind=KIND_FORM,
        reportee=org.orgnr,
        title=title,
        created=when,
        last_changed=when,
        service_code=SERVICE_MVA[0],
        service_edition=SERVICE_MVA[1],
        status="FillIn",
        due_date=datetime.combine(draft.deadline, time(0), OSLO),
        document_type="mva_utkast",
    )
    item.forms = [
        Form(0, "Skattemelding for merverdiavgift", "6464", 47281, mva_melding_xml(org, draft, draft=True))
    ]
    item.meta = {"year": year, "term": draft.term_name}
    return item


def item_skatteoppgjoer(rng, org, anchor, settlement: SettlementFacts | None = None) -> Item:
    s = settlement or settlement_facts(rng, org, anchor)
    when = s.published if s.published.date() < anchor else at_time(rng, anchor - timedelta(days=1))
    title = f"Skatteoppgjøret for {s.income_year} er klart"
    text = [
        f"Skatteoppgjør {s.income_year} for {org.name} ({org.orgnr})",
        f"Nettoinntekt: kr {nb_amount(s.net_income)}",
        f"Beregnet skatt: kr {nb_amount(s.income_tax)}",
        f"Innbetalt forskuddsskatt: kr {nb_amount(s.advance_paid)}",
    ]
    if s.balance > 0:
        text += [
            f"Restskatt: kr {nb_amount(s.balance)}",
            f"Betales til kontonummer {ACCOUNT_SKATT} med KID {s.kid} innen {nb_date(s.due)}",
        ]
    else:
        text += [f"Til gode: kr {nb_amount(-s.balance)}", "Beløpet utbetales til virksomhetens konto."]
    item = Item(
        uuid=new_uuid(rng),
        kind=KIND_MESSAGE,
        reportee=org.orgnr,
        title=title,
        created=when,
        last_changed=when,
        service_code=SERVICE_SKATTEOPPGJOER[0],
        service_edition=SERVICE_SKATTEOPPGJOER[1],
        summary="Skatteoppgjør for upersonlige skattytere",
        body="Skatteoppgjøret ditt er klart. Se vedlagt skatteoppgjør og skatteberegning.",
        due_date=datetime.combine(s.due, time(0), OSLO) if s.balance > 0 else None,
        status=MSG_CREATED,
        document_type="skatteoppgjoer",
    )
    item.attachments = [
        _att(f"skatteoppgjoer_{s.income_year}.pdf", "application/pdf", _pdf(title, text, when), when),
        _att(f"beregnetSkatt_{s.income_year}.xml", "application/xml", beregnet_skatt_xml(org, s), when),
    ]
    item.meta = {
        "income_year": s.income_year,
        "beregnet_skatt": s.income_tax,
        "forskudd": s.advance_paid,
        "restskatt": s.balance,
        "kid": s.kid,
        "forfall": s.due.isoformat(),
    }
    return item


def item_forskuddsskatt(rng, org, anchor, advance: AdvanceTaxFacts | None = None) -> Item:
    a = advance or advance_tax_facts(rng, org, anchor)
    when = at_time(rng, a.decided)
    title = f"Forskuddsskatt for inntektsåret {a.income_year}"
    text = forskuddsskatt_text(org, a)
    item = Item(
        uuid=new_uuid(rng),
        kind=KIND_MESSAGE,
        reportee=org.orgnr,
        title=title,
        created=when,
        last_changed=when,
        service_code=SERVICE_FORSKUDD[0],
        service_edition=SERVICE_FORSKUDD[1],
        summary="Skatteoppgjør og forskuddsskatt for upersonlige skattytere",
        body="\n".join(text),
        due_date=datetime.combine(a.terms[0]["forfallsdato"], time(0), OSLO),
        status=MSG_READ,
        document_type="forskuddsskatt",
    )
    item.attachments = [
        _att(f"forskuddsskatt_{a.income_year}.xml", "application/xml", forskuddsskatt_xml(org, a), when),
        _att(f"forskuddsskatt_{a.income_year}.pdf", "application/pdf", _pdf(title, text[1:], when), when),
    ]
    item.meta = {
        "income_year": a.income_year,
        "sum": f"{a.total:.2f}",
        "terms": [
            {"forfallsdato": t["forfallsdato"].isoformat(), "beloep": f"{t['beloep']:.2f}", "kid": t["kid"]}
            for t in a.terms
        ],
    }
    return item


LETTERS = [
    (
        "Endringer i a-meldingen fra 1. januar",
        "Fra 1. januar gjelder nye regler for rapportering i a-meldingen. Les mer på skatteetaten.no.",
    ),
    (
        "Påminnelse om frist for skattemelding",
        "Fristen for å levere skattemelding for upersonlige skattytere er "
        "31. mai. Husk å levere næringsspesifikasjonen samtidig.",
    ),
    ("Informasjon om skattekort", "Virksomheten kan hente skattekort for sine ansatte via eSkattekort."),
    (
        "Bekreftelse på registrering i Merverdiavgiftsregisteret",
        "Virksomheten er registrert i Merverdiavgiftsregisteret fra og med neste termin.",
    ),
]


def item_brev(rng, org, anchor) -> Item:
    subject, text = LETTERS[rng.randrange(len(LETTERS))]
    when = at_time(rng, anchor - timedelta(days=rng.randrange(1, 30)))
    return Item(
        uuid=new_uuid(rng),
        kind=KIND_MESSAGE,
        reportee=org.orgnr,
        title=subject,
        created=when,
        last_changed=when,
        service_code=SERVICE_MESSAGE[0],
        service_edition=SERVICE_MESSAGE[1],
        summary=subject,
        body=f"Til {org.name}\n\n{text}\n\nMed hilsen\nSkatteetaten",
        status=MSG_CREATED,
        document_type="brev",
    )


def item_kravogbetalinger(rng, org, anchor, vat=None, advance=None, settlement=None) -> Item:
    when = at_time(rng, anchor - timedelta(days=rng.randrange(0, 5)))
    if when.date() >= anchor:
        when = at_time(rng, anchor - timedelta(days=1))
    if vat is None and advance is None and settlement is None:
        vat = vat_facts(rng, org, anchor)
        advance = advance_tax_facts(rng, org, anchor)
    data = krav_json(rng, org, anchor, vat, advance, settlement)
    item = Item(
        uuid=new_uuid(rng),
        kind=KIND_MESSAGE,
        reportee=org.orgnr,
        title="Oversikt over krav og betalinger",
        created=when,
        last_changed=when,
        service_code=SERVICE_KRAV[0],
        service_edition=SERVICE_KRAV[1],
        summary="Åpne krav per " + nb_date(when.date()),
        body="Vedlagt er en oversikt over virksomhetens åpne krav og uplasserte innbetalinger.",
        status=MSG_CREATED,
        document_type="kravogbetalinger",
    )
    item.attachments = [_att("kravogbetalinger.json", "application/json", data, when)]
    item.meta = {"claims": len(json.loads(data)["aapentKravMedGjenstaaendeBeloep"])}
    return item


BUILDERS = {
    "mva_kvittering": item_mva_kvittering,
    "mva_melding": item_mva_melding,
    "skatteoppgjoer": item_skatteoppgjoer,
    "forskuddsskatt": item_forskuddsskatt,
    "brev": item_brev,
    "kravogbetalinger": item_kravogbetalinger,
    "mva_utkast": item_mva_utkast,
}


def build(template: str, rng: random.Random, org: Organisation, anchor: date) -> Item:
    try:
        builder = BUILDERS[template]
    except KeyError:
        raise ValueError(f"unknown template {template!r}; known: {', '.join(TEMPLATES)}, mixed") from None
    return builder(rng, org, anchor)


def default_items(rng: random.Random, org: Organisation, anchor: date) -> list[Item]:
    """The seven default documents of one company, with consistent facts across them."""
    vat = vat_facts(rng, org, anchor)
    advance = advance_tax_facts(rng, org, anchor)
    settlement = settlement_facts(rng, org, anchor, advance)
    return [
        item_mva_melding(rng, org, anchor, vat),
        item_mva_kvittering(rng, org, anchor, vat),
        item_forskuddsskatt(rng, org, anchor, advance),
        item_skatteoppgjoer(rng, org, anchor, settlement),
        item_brev(rng, org, anchor),
        item_kravogbetalinger(rng, org, anchor, vat, advance, settlement),
        item_mva_utkast(rng, org, anchor, vat),
    ]


# ---------------------------------------------------------------- deliberately broken payloads
def _is_xml(att: Attachment) -> bool:
    return att.mimetype in ("application/xml", "text/xml") or att.filename.endswith(".xml")


def break_item(item: Item, how: str) -> Item:
    if how not in BROKEN:
        raise ValueError(f"unknown broken kind {how!r}; known: {', '.join(BROKEN)}")
    created = item.created
    if how == "invalid_xml":
        for form in item.forms:
            form.xml = form.xml[: len(form.xml) // 2]
        xmls = [a for a in item.attachments if _is_xml(a)]
        for att in xmls:
            att.data = att.data[: len(att.data) // 2]
        if not item.forms and not xmls:
            item.attachments.append(
                _att("data.xml", "application/xml", "<?xml version='1.0'?><data><a>1</data>", created)
            )
    elif how == "wrong_namespace":
        for form in item.forms:
            form.xml = _swap_ns(form.xml)
        xmls = [a for a in item.attachments if _is_xml(a)]
        for att in xmls:
            att.data = _swap_ns(att.data.decode("utf-8")).encode("utf-8")
        if not item.forms and not xmls:
            item.attachments.append(
                _att(
                    "data.xml",
                    "application/xml",
                    '<?xml version="1.0"?><data xmlns="urn:example:unknown"/>',
                    created,
                )
            )
    elif how in ("truncated_pdf", "not_a_pdf"):
        pdfs = [a for a in item.attachments if a.mimetype == "application/pdf"]
        if not pdfs:
            pdfs = [_att("dokument.pdf", "application/pdf", make_pdf([item.title]), created)]
            item.attachments.append(pdfs[0])
        for att in pdfs:
            att.data = (
                att.data[: len(att.data) // 3]
                if how == "truncated_pdf"
                else b"<html><body><h1>503 Service Unavailable</h1></body></html>"
            )
    elif how == "empty_attachment":
        if not item.attachments:
            item.attachments.append(_att("tom.pdf", "application/pdf", b"", created))
        for att in item.attachments:
            att.data = b""
    elif how == "invalid_json":
        jsons = [a for a in item.attachments if a.mimetype == "application/json"]
        if not jsons:
            jsons = [_att("data.json", "application/json", b'{"a": 1}', created)]
            item.attachments.append(jsons[0])
        for att in jsons:
            att.data = att.data[: max(1, len(att.data) // 2)]
    item.meta = dict(item.meta, broken=how)
    return item


def _swap_ns(text: str) -> str:
    for namespace in (NS_MVA, NS_BETALING, NS_BEREGNET, NS_FORSKUDD):
        text = text.replace(f'xmlns="{namespace}"', 'xmlns="urn:example:unknown"')
    return text
