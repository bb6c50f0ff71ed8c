# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Documents as Skatteetaten sends them (built with chosen amounts), and helpers to book and inspect them."""

import base64
import json
from datetime import datetime, timezone

from odoo import Command
from odoo.tools import format_amount

from ..altinn.parsers.kid import make_kid_mod10
from ..altinn.types import ROLE_ATTACHMENT, AltinnFile, AltinnItem
from ..booking import pipeline
from ..services import recording
from ..services.texts import in_company_lang
from .common import ORG_OTHER, ORG_OWN, NorwegianCompanyCommon

SKATTEETATEN = "974761076"
NS_PAYMENT = "no:skatteetaten:fastsetting:avgift:mva:skattemeldingformerverdiavgift:betalingsinformasjon:v1.0"
TAX_ACCOUNT = "63450618162"


# --- documents ------------------------------------------------------------------------------------
def vat_payment_xml(
    amount,
    *,
    kid=None,
    due="2026-04-10",
    period="januar-februar",
    year=2026,
    org=ORG_OWN,
    reference="50267437/55604b08-1690-4a8d-bf6b-95c11dc40c58",
):
    kid = kid or make_kid_mod10("34" + org + "0102")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<betalingsinformasjon xmlns="{NS_PAYMENT}">
  <innsendingsreferanse>{reference}</innsendingsreferanse>
  <skattepliktig><organisasjonsnummer>{org}</organisasjonsnummer></skattepliktig>
  <skattleggingsperiode><periode><skattleggingsperiodeToMaaneder>{period}</skattleggingsperiodeToMaaneder></periode>
    <aar>{year}</aar></skattleggingsperiode>
  <kundeidentifikasjonsnummer>{kid}</kundeidentifikasjonsnummer>
  <beloep>{amount}</beloep>
  <betaleTil>Skatteetaten</betaleTil>
  <betalingsfrist>{due}</betalingsfrist>
  <betalesTilKonto><norskKontonummer>{TAX_ACCOUNT}</norskKontonummer></betalesTilKonto>
</betalingsinformasjon>""".encode()


def mva_return_xml(
    lines,
    *,
    total=None,
    period="januar-februar",
    year=2026,
    org=ORG_OWN,
    category="alminnelig",
    refund_kid=None,
):
    """``lines``: (mvaKode, merverdiavgift, grunnlag or None, label); ``refund_kid``: the company's own KID
    for receiving a refund (betalingsinformasjon of the return)."""
    total = sum(line[1] for line in lines) if total is None else total
    refund = (
        f"<betalingsinformasjon><kundeIdentifikasjonsnummer>{refund_kid}</kundeIdentifikasjonsnummer>"
        "</betalingsinformasjon>"
        if refund_kid
        else ""
    )
    body = "".join(
        "<mvaSpesifikasjonslinje><mvaKode>{}</mvaKode><mvaKodeRegnskapsystem>{}</mvaKodeRegnskapsystem>{}"
        "<merverdiavgift>{}</merverdiavgift></mvaSpesifikasjonslinje>".format(
            code, label, f"<grunnlag>{base}</grunnlag><sats>25</sats>" if base is not None else "", vat
        )
        for code, vat, base, label in lines
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<mvaMeldingDto xmlns="no:skatteetaten:fastsetting:avgift:mva:skattemeldingformerverdiavgift:v1.0">
  <innsending><regnskapssystemsreferanse>1</regnskapssystemsreferanse>
    <regnskapssystem><systemnavn>Odoo</systemnavn><systemversjon>18.0</systemversjon></regnskapssystem></innsending>
  <skattegrunnlagOgBeregnetSkatt>
    <skattleggingsperiode><periode><skattleggingsperiodeToMaaneder>{period}</skattleggingsperiodeToMaaneder></periode>
      <aar>{year}</aar></skattleggingsperiode>
    <fastsattMerverdiavgift>{total}</fastsattMerverdiavgift>
    {body}
  </skattegrunnlagOgBeregnetSkatt>
  {refund}
  <skattepliktig><organisasjonsnummer>{org}</organisasjonsnummer></skattepliktig>
  <meldingskategori>{category}</meldingskategori>
</mvaMeldingDto>""".encode()


def text(value):
    """A text as the 2024 API sends it: in a list of languages."""
    return {"spraakTekst": [{"tekst": value, "spraak": "nb"}]}


def due(day, amount, *, open_amount=None, paid=(), kid=None, ref=None):
    """One due date (kravforfall) of a claim; ``paid``: (payment id, amount, date) placed on it."""
    placed = [
        {
            "innbetalingsIdentifikator": payment_id,
            "plassertBeloep": -part,
            "plassertDato": when,
            "innbetalingsdato": when,
            "innbetaltBeloep": part,
            "innbetaltFra": {"konto": {}},
            "innbetalingstype": "Bankoverføring",
        }
        for payment_id, part, when in paid
    ]
    open_amount = amount - sum(part for _id, part, _when in paid) if open_amount is None else open_amount
    info = {"konto": {"kontonummer": TAX_ACCOUNT, "iban": f"NO93{TAX_ACCOUNT}", "swiftBIC": "DNBANOKK"}}
    if kid:  # not in Skatteetaten's examples: only where a test needs a KID
        info["kid"] = kid
    return {
        "kravforfallsIdentifikator": ref,
        "forfallsdato": day,
        "opprinneligBeloep": amount,
        "gjenstaaendeBeloep": open_amount,
        "betalingsinformasjon": info,
        "plassertInnbetaling": placed,
        "plassertMotkrav": [],
    }


def claim(
    claim_id,
    kravtype,
    amount=None,
    *,
    description=None,
    created="2026-03-01",
    instalments=None,
    period=None,
    party=ORG_OWN,
    group="Skatt",
    interest=0.0,
):
    """One claim in the public shape of Skatteetaten's Krav og betalinger API (2024 examples: texts in
    languages, one partIdentifikator per claim, no KID). ``instalments``: ``due(...)`` dicts (default: one
    due date, 31.03.2026, with the whole amount open)."""
    instalments = instalments or [due("2026-03-31", amount)]
    for index, instalment in enumerate(instalments, start=1):
        instalment["kravforfallsIdentifikator"] = (
            instalment["kravforfallsIdentifikator"] or f"{claim_id}-{index}"
        )
    original = amount if amount is not None else sum(i["opprinneligBeloep"] for i in instalments)
    return {
        "partIdentifikator": party,
        "kravidentifikator": claim_id,
        "kravtype": kravtype,
        "opprinneligBeloep": original,
        "gjenstaaendeBeloep": sum(i["gjenstaaendeBeloep"] for i in instalments),
        "kravforfall": instalments,
        "stipulerteRenter": interest,
        "kravbeskrivelse": text(description or kravtype),
        "kravperiode": {"periodeBeskrivelse": text(period or "2026/1")},
        "opprettelsesdatoForKrav": created,
        "kravgruppe": group,
        "fastsettingsmaate": "blank",
    }


def claims_json(claims, *, org=ORG_OWN, period=("2026-01-01", "2027-01-01")):
    """The claims endpoint (krav) of Krav og betalinger."""
    obj = {
        "partIdentifikator": org,
        "periode": {"fraOgMed": period[0], "tilOgMed": period[1]},
        "skjermet": False,
        "krav": claims,
    }
    return json.dumps(obj).encode()


def payments_json(payments, *, org=ORG_OWN):
    """``payments``: (identifier, date, amount) or (identifier, date, amount, kid)."""
    rows = []
    for payment_id, day, amount, *kid in payments:
        paid_from = {"konto": {"kontoeiersNavn": "EKSEMPEL HOLDING AS", "kontonummer": "12345678903"}}
        if kid:
            paid_from["kid"] = kid[0]
        rows.append(
            {
                "partIdentifikator": org,
                "innbetalingsidentifikator": payment_id,
                "innbetalingsdato": day,
                "innbetaltBeloep": amount,
                "plassertInnbetalingMotKrav": [],
                "betaltTilKonto": {"kontonummer": TAX_ACCOUNT},
                "betaltFra": paid_from,
                "innbetalingstype": "bankoverføring",
            }
        )
    obj = {
        "partIdentifikator": org,
        "periode": {"fraOgMed": "2026-01-01", "tilOgMed": "2027-01-01"},
        "innbetaling": rows,
    }
    return json.dumps(obj).encode()


def settlement_xml(total, *, year=2025, org=ORG_OWN):
    """beregnet skatt for AS inside the Skattemelding API response envelope (which gives the income year)."""
    inner = f"""<?xml version="1.0" encoding="UTF-8"?>
<beregnetSkatt xmlns="urn:no:skatteetaten:fastsetting:formueinntekt:upersonlig:beregnetskatt:v4">
  <skatt><sumSkatt>{total}</sumSkatt><formuesskattTilStat>0</formuesskattTilStat>
    <inntektsskattTilStat>{total}</inntektsskattTilStat></skatt>
  <beregnetSkatt>{total}</beregnetSkatt>
  <informasjonTilSkattelister><organisasjonsnummer>{org}</organisasjonsnummer>
    <beregnetSkatt>{total}</beregnetSkatt></informasjonTilSkattelister>
</beregnetSkatt>""".encode()
    return envelope(
        {
            "beregnetSkattUpersonlig": inner,
            "skattemeldingUpersonligEtterBeregning": (
                '<?xml version="1.0" encoding="UTF-8"?><skattemelding xmlns="urn:no:skatteetaten:'
                'fastsetting:formueinntekt:skattemelding:upersonlig:ekstern:v6">'
                f"<inntektsaar>{year}</inntektsaar></skattemelding>"
            ).encode(),
        }
    )


def envelope(documents):
    parts = "".join(
        f"<dokument><type>{doc_type}</type><encoding>utf-8</encoding>"
        f"<content>{base64.b64encode(content).decode()}</content></dokument>"
        for doc_type, content in documents.items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><skattemeldingOgNaeringsspesifikasjonResponse '
        'xmlns="no:skatteetaten:fastsetting:formueinntekt:skattemeldingognaeringsspesifikasjon:response:v2">'
        f"<dokumenter>{parts}</dokumenter></skattemeldingOgNaeringsspesifikasjonResponse>"
    ).encode()


def advance_tax_xml(terms, *, year=2025, org=ORG_OWN, notice_date="2026-01-09"):
    """``terms``: (number, due date, amount, kid)."""
    total = sum(term[2] for term in terms)
    body = "".join(
        f"<termin><terminnummer>{n}</terminnummer><forfallsdato>{due}</forfallsdato>"
        f"<beloep>{amount:.2f}</beloep><kid>{kid}</kid></termin>"
        for n, due, amount, kid in terms
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<forskuddsskattUpersonlig xmlns="urn:prisolve:altinn:forskuddsskatt:upersonlig:v1">
  <organisasjonsnummer>{org}</organisasjonsnummer>
  <navn>EKSEMPEL HOLDING AS</navn>
  <inntektsaar>{year}</inntektsaar>
  <vedtaksdato>{notice_date}</vedtaksdato>
  <sumForskuddsskatt>{total:.2f}</sumForskuddsskatt>
  <betalesTilKonto><norskKontonummer>{TAX_ACCOUNT}</norskKontonummer></betalesTilKonto>
  {body}
</forskuddsskattUpersonlig>""".encode()


# One company's advance tax for 2025 in two instalments, as the notice and Krav og betalinger show it.
ADVANCE_KID_1 = make_kid_mod10(f"2025{ORG_OWN}01")
ADVANCE_KID_2 = make_kid_mod10(f"2025{ORG_OWN}02")
ADVANCE_TERMS = [(1, "2026-02-16", 60000, ADVANCE_KID_1), (2, "2026-04-15", 60000, ADVANCE_KID_2)]


def advance_claims(paid_1=(), paid_2=()):
    """Krav og betalinger's view of ``ADVANCE_TERMS`` (no KID): ``paid_1``/``paid_2`` placed on each."""
    return [
        claim(
            "K-FS25",
            "utskrevetForskuddsskatt",
            description="Utskrevet forskuddsskatt",
            period="2025",
            created="2026-01-09",
            instalments=[due("2026-02-16", 60000, paid=paid_1), due("2026-04-15", 60000, paid=paid_2)],
        )
    ]


def item(
    reference,
    name,
    data,
    *,
    mimetype="application/xml",
    title=None,
    extra_files=(),
    created=datetime(2026, 3, 5, 9, 0, tzinfo=timezone.utc),
    transport="altinn3",
    reportee=ORG_OWN,
):
    """One Altinn item with one file (and ``extra_files``), as a transport yields it."""
    return AltinnItem(
        reference=reference,
        kind="message",
        reportee=reportee,
        title=title or name,
        transport=transport,
        sender="Skatteetaten",
        created=created,
        files=[AltinnFile(name=name, mimetype=mimetype, data=data, role=ROLE_ATTACHMENT), *extra_files],
    )


def claims_item(reference, claims, **kwargs):
    """Skatteetaten's claims list (Krav og betalinger, ``claims_json(claims, **kwargs)``) as one item."""
    return item(reference, "krav.json", claims_json(claims, **kwargs), mimetype="application/json")


def vat_item(number, amount="1000", org=ORG_OWN):
    """A VAT payment notice of its own (KID and submission reference unique per ``number``)."""
    kid = make_kid_mod10(f"34{org}{number:04d}")
    data = vat_payment_xml(amount, kid=kid, org=org, reference=f"5026{number:04d}/cron-test")
    return item(f"CRON-{org}-{number}", "betalingsinformasjon.xml", data)


class BookingCommon(NorwegianCompanyCommon):
    """Run as the accountant (with ``with_second_company``, also in Datter AS, ORG_OTHER, with its own l10n_no
    chart); helpers to book documents and read entries."""

    with_second_company = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        companies = cls.company
        if cls.with_second_company:
            second = cls.setup_other_company(name="Datter AS")["company"]
            second.sudo().altinn_org_number = ORG_OTHER
            companies |= second
        cls.work_as_accountant(companies)
        cls.second_company = cls.env["res.company"].browse(companies[1:].ids)
        cls.Document = cls.env["altinn.document"].with_company(cls.company)

    # booking ---------------------------------------------------------------
    def record(self, *items, company=None):
        company = company or self.company
        new, known, failures = recording.record_items(
            self.Document.with_company(company), company, list(items)
        )
        self.assertFalse(failures)
        return new | known

    def book(self, *items, company=None):
        docs = self.record(*items, company=company)
        pipeline.process(docs)
        return docs

    # inspection -------------------------------------------------------------
    def account(self, code, company=None):
        company = company or self.company
        Account = self.env["account.account"].with_company(company)
        return Account.search(
            [*Account._check_company_domain(company), ("code", "=", code)], limit=1, order="id"
        )

    def company_env(self, company=None):
        """The environment generated texts of ``company`` are written in (its language)."""
        return in_company_lang(self.env["res.company"], company or self.company).env

    def money(self, amount, company=None):
        """``amount`` as the company's texts write it."""
        env = self.company_env(company)
        return format_amount(env, amount, (company or self.company).currency_id)

    def balance(self, code, company=None):
        """Debit minus credit on the account with ``code``, all entries (drafts included)."""
        account = self.account(code, company)
        lines = self.env["account.move.line"].search([("account_id", "=", account.id)])
        return round(sum(lines.mapped("balance")), 2)

    def lines_by_code(self, moves):
        """{account code: (debit, credit)} summed over ``moves``."""
        result = {}
        for line in moves.line_ids:
            debit, credit = result.get(line.account_id.code, (0.0, 0.0))
            result[line.account_id.code] = (round(debit + line.debit, 2), round(credit + line.credit, 2))
        return result

    def tax_partner(self):
        return self.env["res.partner"].sudo().search([("l10n_no_bronnoysund_number", "=", SKATTEETATEN)])

    def post_entry(self, day, lines, company=None):
        """A posted manual entry: ``lines`` (code, debit, credit)."""
        company = company or self.company
        journal = self.env["account.journal"].search(
            [*self.env["account.journal"]._check_company_domain(company), ("type", "=", "general")], limit=1
        )
        move = (
            self.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "date": day,
                    "line_ids": [
                        Command.create(
                            {
                                "account_id": self.account(code, company).id,
                                "debit": debit,
                                "credit": credit,
                                "name": code,
                            }
                        )
                        for code, debit, credit in lines
                    ],
                }
            )
        )
        move.action_post()
        return move

    def assertBalanced(self, moves):
        for move in moves:
            self.assertEqual(move.state, "draft")
            self.assertAlmostEqual(sum(move.line_ids.mapped("debit")), sum(move.line_ids.mapped("credit")), 2)

    def assertAttached(self, doc, move):
        names = set(
            self.env["ir.attachment"]
            .search([("res_model", "=", "account.move"), ("res_id", "=", move.id)])
            .mapped("name")
        )
        self.assertTrue(names)
        self.assertTrue(names <= set(doc.attachment_ids.mapped("name")))
        self.assertIn(doc.reference, move.narration)
