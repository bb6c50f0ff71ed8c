# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One company's year 2025, imported in two orders through two routes, against an accountant's ledger.

The documents: six VAT terms (T1 as a receipt and its amended receipt, T2 and T6 as receipts, T3 a refund
with its return, T4 and T5 only as Krav og betalinger claims), the advance-tax notice for 2025, two claims
lists (March 2026: T4 paid, T5 partly paid, T6 open, advance tax instalment 1 paid; November 2026: T5, T6
and both instalments paid, restskatt open) and the tax settlement for 2025. Claims in the public shape: no
KID. The accountant posted the VAT closings of the terms and the year-end accrual.

Route A: Altinn 2 items, in the order they were issued. Route B: uploaded files, newest first.
"""

from datetime import datetime, timezone

from odoo.tests import tagged

from ..altinn.parsers.kid import make_kid_mod10
from ..altinn.types import ROLE_ATTACHMENT, AltinnFile
from .booking_common import (
    BookingCommon,
    advance_tax_xml,
    claim,
    claims_json,
    due,
    item,
    mva_return_xml,
    settlement_xml,
    vat_payment_xml,
)
from .common import ORG_OTHER, ORG_OWN

# The ledger at the end, computed by hand (debit minus credit):
# 2740: closings -143 995 - 25 000 + 12 000 - 31 500 - 18 750 - 22 000 = -229 245, the terms' debts the same
#       amounts the other way = 0.
# 2400: debts 143 995 + 25 000 + 31 500 + 18 750 + 22 000 + 60 000 + 60 000 + 30 000 = 391 245 credit; placed
#       payments 31 500 + 10 000 + 8 750 + 22 000 + 60 000 + 60 000 = 192 250 debit: -198 995 (T1, T2 and the
#       restskatt still open).
# 2500: accrual -140 000, settlement +140 000 = 0.
# 2510: settlement -30 000 (150 000 assessed less 120 000 advance tax), restskatt claim +30 000 = 0.
# 2540: advance tax +120 000, settlement -120 000 = 0.
# 8300: the accrual, 140 000. 8309: assessed 150 000 less accrued 140 000 = 10 000.
# 1579: the T3 refund, 12 000.
EXPECTED = {
    "2740": 0.0,
    "2400": -198995.0,
    "2500": 0.0,
    "2510": 0.0,
    "2540": 0.0,
    "8300": 140000.0,
    "8309": 10000.0,
    "1579": 12000.0,
}
PAID = 192250.0  # waiting on the outstanding payments account for the bank statement


def on(year, month, day):
    return datetime(year, month, day, 9, 0, tzinfo=timezone.utc)


class Year:
    """The documents of the year for one organisation, as Altinn items of one route."""

    def __init__(self, org, transport, prefix):
        self.org, self.transport, self.prefix = org, transport, prefix
        self.vat_kid = {term: make_kid_mod10(f"34{org}25{term}0") for term in range(1, 7)}
        self.advance_kid = {n: make_kid_mod10(f"2025{org}0{n}") for n in (1, 2)}

    def item(self, name, file_name, data, created, *, mimetype="application/xml", extra_files=()):
        return item(
            f"{self.prefix}-{name}",
            file_name,
            data,
            created=created,
            mimetype=mimetype,
            transport=self.transport,
            reportee=self.org,
            extra_files=extra_files,
        )

    def receipt(self, name, term, amount, period, due_date, created, extra_files=()):
        data = vat_payment_xml(
            amount,
            kid=self.vat_kid[term],
            due=due_date,
            period=period,
            year=2025,
            org=self.org,
            reference=f"5026{term:04d}/{name}",
        )
        return self.item(name, "betalingsinformasjon.xml", data, created, extra_files=extra_files)

    def claims(self, name, claims, created, period):
        for row in claims:
            row["partIdentifikator"] = self.org
        data = claims_json(claims, org=self.org, period=period)
        return self.item(name, "krav.json", data, created, mimetype="application/json")

    def documents(self):
        """In the order they were issued."""
        refund_return = AltinnFile(
            "mvamelding.xml",
            "application/xml",
            mva_return_xml(
                [("1", -12000, None, "Inngående 25 %")],
                period="mai-juni",
                year=2025,
                org=self.org,
                refund_kid=make_kid_mod10(f"{self.org}7700"),
            ),
            ROLE_ATTACHMENT,
        )
        advance = [
            (1, "2026-02-16", 60000, self.advance_kid[1]),
            (2, "2026-04-15", 60000, self.advance_kid[2]),
        ]

        def forskudd(paid):
            return claim(
                "K-FS25",
                "utskrevetForskuddsskatt",
                description="Utskrevet forskuddsskatt",
                period="2025",
                created="2026-01-09",
                instalments=[
                    due("2026-02-16", 60000, paid=[("inn-F1", 60000, "2026-02-14")]),
                    due("2026-04-15", 60000, paid=paid),
                ],
            )

        def vat(claim_id, term, amount, due_date, created, paid):
            return claim(
                claim_id,
                "åBetaleMva",
                description="Mva-melding å betale",
                period=f"2025/{term}",
                group="Merverdiavgift",
                created=created,
                instalments=[due(due_date, amount, paid=paid)],
            )

        march = [
            vat("K-T4", 4, 31500, "2025-10-10", "2025-10-01", [("inn-T4", 31500, "2025-10-09")]),
            vat("K-T5", 5, 18750, "2025-12-10", "2025-12-01", [("inn-T5a", 10000, "2025-12-09")]),
            vat("K-T6", 6, 22000, "2026-02-10", "2026-02-01", []),
            forskudd([]),
        ]
        november = [
            vat(
                "K-T5",
                5,
                18750,
                "2025-12-10",
                "2025-12-01",
                [("inn-T5a", 10000, "2025-12-09"), ("inn-T5b", 8750, "2026-03-10")],
            ),
            vat("K-T6", 6, 22000, "2026-02-10", "2026-02-01", [("inn-T6", 22000, "2026-02-09")]),
            forskudd([("inn-F2", 60000, "2026-04-14")]),
            claim(
                "K-REST25",
                "RESTSKATT",
                30000,
                description="Restskatt",
                period="2025",
                created="2026-10-20",
                instalments=[due("2026-11-10", 30000)],
            ),
        ]
        return [
            self.receipt("t1", 1, "84994", "januar-februar", "2025-04-10", on(2025, 3, 28)),
            self.receipt("t1-amended", 1, "143995", "januar-februar", "2025-04-10", on(2025, 5, 15)),
            self.receipt("t2", 2, "25000", "mars-april", "2025-06-10", on(2025, 5, 30)),
            self.receipt("t3", 3, "-12000", "mai-juni", "2025-09-01", on(2025, 8, 20), [refund_return]),
            self.item(
                "forskudd",
                "forskuddsskatt_2025.xml",
                advance_tax_xml(advance, year=2025, org=self.org, notice_date="2026-01-09"),
                on(2026, 1, 9),
            ),
            self.receipt("t6", 6, "22000", "november-desember", "2026-02-10", on(2026, 2, 1)),
            self.claims("krav-mars", march, on(2026, 3, 2), ("2025-01-01", "2026-03-01")),
            self.item(
                "oppgjor",
                "skattemelding_respons.xml",
                settlement_xml(150000, year=2025, org=self.org),
                on(2026, 10, 20),
            ),
            self.claims("krav-november", november, on(2026, 11, 2), ("2026-01-01", "2026-11-01")),
        ]


@tagged("post_install", "-at_install")
class TestBookingYear(BookingCommon):
    with_second_company = True

    def ledger_by_hand(self, company):
        """What the accountant posted: Odoo's VAT closing of each term and the year-end accrual."""
        closings = [
            ("2025-02-28", 143995),
            ("2025-04-30", 25000),
            ("2025-06-30", -12000),
            ("2025-08-31", 31500),
            ("2025-10-31", 18750),
            ("2025-12-31", 22000),
        ]
        for day, amount in closings:
            if amount > 0:
                self.post_entry(day, [("2700", amount, 0), ("2740", 0, amount)], company=company)
            else:
                self.post_entry(day, [("2740", -amount, 0), ("2710", 0, -amount)], company=company)
        self.post_entry("2025-12-31", [("8300", 140000, 0), ("2500", 0, 140000)], company=company)

    def import_one_by_one(self, company, documents):
        docs = self.env["altinn.document"]
        for document in documents:
            doc = self.book(document, company=company)
            self.assertIn(doc.state, ("imported", "duplicate"), f"{doc.reference}: {doc.error}")
            docs |= doc
        return docs

    def assertLedger(self, company):
        balances = {code: self.balance(code, company) for code in EXPECTED}
        self.assertEqual(balances, EXPECTED)
        outstanding = self.env.ref(f"account.{company.id}_account_journal_payment_credit_account_id")
        lines = self.env["account.move.line"].search([("account_id", "=", outstanding.id)])
        self.assertEqual(round(sum(lines.mapped("balance")), 2), -PAID)

    def test_the_year_in_two_orders_through_two_routes(self):
        route_a, route_b = self.company, self.second_company
        for company in (route_a, route_b):
            self.ledger_by_hand(company)
        year_a = Year(ORG_OWN, "altinn2", "A2")
        year_b = Year(ORG_OTHER, "upload", "UP")
        docs_a = self.import_one_by_one(route_a, year_a.documents())
        docs_b = self.import_one_by_one(route_b, list(reversed(year_b.documents())))
        self.assertLedger(route_a)
        self.assertLedger(route_b)
        # Every entry is a draft for the accountant; nothing was booked twice.
        for docs in (docs_a, docs_b):
            moves = docs.move_ids
            self.assertEqual(set(moves.mapped("state")), {"draft"})
            keys = docs.line_ids.filtered(lambda line: line.state == "booked").mapped("booking_key")
            self.assertEqual(len(keys), len(set(keys)))
        # The order changes which document books a debt, never the result: the older T1 receipt after
        # the amended one books nothing; in issue order it is the first booking and the amendment follows.
        older_t1 = docs_b.filtered(lambda doc: doc.reference == "UP-t1")
        self.assertEqual((older_t1.state, older_t1.line_ids.state), ("duplicate", "skipped"))
        amended_t1 = docs_a.filtered(lambda doc: doc.reference == "A2-t1-amended")
        self.assertEqual(amended_t1.line_ids.filtered("move_id").booked_amount, 59001.0)
        self.assertEqual(set(docs_a.mapped("transport")), {"altinn2"})
        self.assertEqual(set(docs_b.mapped("transport")), {"upload"})
