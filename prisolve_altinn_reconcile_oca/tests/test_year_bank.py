# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The year scenario of prisolve_altinn (tests/test_booking_year.py) extended to the bank: the company pays
Skatteetaten from its bank with the KIDs and gets the T3 refund; the bank's CAMT.053 files are imported with
OCA's modules in two orders (all of them after the Altinn documents; each right when the payments are made,
before Skatteetaten's claims lists show them). The addon posts what is certain; a person posts the drafts it
names. At year end every paid debt is reconciled once, 2400 holds exactly the open amounts of the last claims
list (the restskatt), nothing is left on outstanding payments and no bank line waits for a person."""

import base64
from datetime import date

from odoo.tests import tagged

from odoo.addons.prisolve_altinn.tests.booking_common import BookingCommon, claims_json
from odoo.addons.prisolve_altinn.tests.common import ORG_OWN
from odoo.addons.prisolve_altinn.tests.test_booking_year import Year

from .camt import IBAN, Booking, bank_journal, camt053

# Debit minus credit at year end: the VAT terms, advance tax and settlement as in the year scenario; on 2400
# only the restskatt the last claims list shows open; the refund received.
EXPECTED = {
    "2740": 0.0,
    "2400": -30000.0,
    "2500": 0.0,
    "2510": 0.0,
    "2540": 0.0,
    "8300": 140000.0,
    "8309": 10000.0,
    "1579": 0.0,
}
PAID_OUT = 143995 + 25000 + 31500 + 18750 + 22000 + 60000 + 60000  # 361 245
REFUND = 12000


class BankYear(Year):
    """The year's documents, and Krav og betalinger in its later shape: each placed payment says which KID it
    came with (innbetaltFra.kidnummer); the claims themselves carry no KID, as published."""

    def __init__(self, org, transport, prefix):
        super().__init__(org, transport, prefix)
        self.payment_kid = {
            "inn-T4": self.vat_kid[4],
            "inn-T5a": self.vat_kid[5],
            "inn-T5b": self.vat_kid[5],
            "inn-T6": self.vat_kid[6],
            "inn-F1": self.advance_kid[1],
            "inn-F2": self.advance_kid[2],
        }

    def claims(self, name, claims, created, period):
        for row in claims:
            row["partIdentifikator"] = self.org
            for instalment in row["kravforfall"]:
                for placed in instalment["plassertInnbetaling"]:
                    placed["innbetaltFra"] = {
                        "kidnummer": self.payment_kid[placed["innbetalingsIdentifikator"]]
                    }
        data = claims_json(claims, org=self.org, period=period)
        return self.item(name, "krav.json", data, created, mimetype="application/json")

    def bank_files(self):
        """(day the file is read, CAMT.053 file): the 2025 payments, then the 2026 ones, each file read the
        day after its last booking."""
        k = self.vat_kid
        f = self.advance_kid
        files = [
            [Booking("2025-05-20", -143995, kid=k[1])],
            [Booking("2025-06-10", -25000, kid=k[2])],
            [Booking("2025-09-03", REFUND, text="Tilbakebetaling merverdiavgift mai-juni 2025")],
            [Booking("2025-10-09", -31500, kid=k[4])],
            [Booking("2025-12-09", -10000, kid=k[5])],
            [Booking("2026-02-09", -22000, kid=k[6]), Booking("2026-02-14", -60000, kid=f[1])],
            [Booking("2026-03-10", -8750, kid=k[5])],
            [Booking("2026-04-14", -60000, kid=f[2])],
        ]
        return [
            (date.fromisoformat(bookings[-1].day), camt053(IBAN, bookings, statement_id=f"{self.prefix}-{n}"))
            for n, bookings in enumerate(files, start=1)
        ]


@tagged("post_install", "-at_install")
class TestYearWithTheBank(BookingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.sudo().altinn_post_certain = True
        cls.bank = bank_journal(cls.company)

    def ledger_by_hand(self):
        """What the accountant posted: Odoo's VAT closing of each term and the year-end accrual."""
        for day, amount in [
            ("2025-02-28", 143995),
            ("2025-04-30", 25000),
            ("2025-06-30", -12000),
            ("2025-08-31", 31500),
            ("2025-10-31", 18750),
            ("2025-12-31", 22000),
        ]:
            if amount > 0:
                self.post_entry(day, [("2700", amount, 0), ("2740", 0, amount)])
            else:
                self.post_entry(day, [("2740", -amount, 0), ("2710", 0, -amount)])
        self.post_entry("2025-12-31", [("8300", 140000, 0), ("2500", 0, 140000)])

    def read_document(self, document):
        """Book one Altinn document; the person then posts the drafts it names (and only those)."""
        doc = self.book(document)
        self.assertIn(doc.state, ("imported", "duplicate"), f"{doc.reference}: {doc.error}")
        drafts = doc.move_ids.filtered(lambda move: move.state == "draft")
        for move in drafts:
            self.assertTrue(move.altinn_review_reason, move.ref)
            self.assertIn(move.altinn_review_reason, doc.booking_note or "")
        self.named += [(move.ref, move.altinn_review_reason) for move in drafts]
        drafts.sorted("date").action_post()
        return doc

    def import_camt(self, data):
        wizard = (
            self.env["account.statement.import"]
            .with_context(journal_id=self.bank.id, _test_account_reconcile_oca=True)
            .create({"statement_file": base64.b64encode(data), "statement_filename": "camt053.xml"})
        )
        return self.env["account.bank.statement"].browse(wizard._import_file()["statement_ids"]).line_ids

    def assertYearEnd(self, docs):
        balances = {code: self.balance(code) for code in EXPECTED}
        self.assertEqual(balances, EXPECTED)
        outstanding = self.env.ref(f"account.{self.company.id}_account_journal_payment_credit_account_id")
        lines = self.env["account.move.line"].search([("account_id", "=", outstanding.id)])
        self.assertEqual(round(sum(lines.mapped("balance")), 2), 0.0)
        self.assertFalse(lines.filtered(lambda line: not line.reconciled))
        bank_lines = self.env["account.bank.statement.line"].search([("journal_id", "=", self.bank.id)])
        self.assertEqual(len(bank_lines), 9)
        self.assertEqual([line.altinn_match_note for line in bank_lines if not line.is_reconciled], [])
        bank = self.env["account.move.line"].search([("account_id", "=", self.bank.default_account_id.id)])
        self.assertEqual(round(sum(bank.mapped("balance")), 2), REFUND - PAID_OUT)
        # Every debt paid is reconciled once: nothing open on the payable but the restskatt, and no
        # payment booked twice (each placed payment is either an entry or a confirmation, never both).
        payable = self.env["account.move.line"].search(
            [
                ("account_id.code", "=", "2400"),
                ("company_id", "=", self.company.id),
                ("reconciled", "=", False),
            ]
        )
        self.assertEqual(round(sum(payable.mapped("amount_residual")), 2), -30000.0)
        placed = docs.line_ids.filtered(lambda line: line.kind == "payment" and line.state == "booked")
        self.assertEqual(sorted(placed.mapped("identifier")), sorted(set(placed.mapped("identifier"))))
        self.assertEqual(len(placed), 6)
        self.assertFalse(
            self.env["account.move"].search([("altinn_document_id", "in", docs.ids), ("state", "=", "draft")])
        )
        # The Skattekonto agrees with the last claims list for every debt it shows.
        rows = self.env["altinn.tax.account"].search([("company_id", "=", self.company.id)])
        self.assertFalse(rows.filtered("flagged"), rows.filtered("flagged").mapped("check"))
        # What a person had to look at is named, with the reason: the receipts without their return, the
        # claims without a KID and what hangs on them, the tax settlement.
        self.assertTrue(self.named)
        reasons = " ".join(reason for _ref, reason in self.named)
        self.assertIn("VAT return is not with this receipt", reasons)
        self.assertIn("no KID", reasons)

    def test_bank_files_after_the_altinn_documents(self):
        self.named = []
        self.ledger_by_hand()
        year = BankYear(ORG_OWN, "altinn2", "A2")
        docs = self.env["altinn.document"]
        for document in year.documents():
            docs |= self.read_document(document)
        for _day, data in year.bank_files():
            self.import_camt(data)
        self.assertYearEnd(docs)

    def test_each_bank_file_when_the_payments_are_made(self):
        """The bank shows each payment before Skatteetaten's claims list does: the claims list confirms it."""
        self.named = []
        self.ledger_by_hand()
        year = BankYear(ORG_OWN, "upload", "UP")
        documents = year.documents()
        files = year.bank_files()
        docs = self.env["altinn.document"]
        for document in documents:
            created = document.created.date()
            while files and files[0][0] < created:
                self.import_camt(files.pop(0)[1])
            docs |= self.read_document(document)
        for _day, data in files:
            self.import_camt(data)
        self.assertYearEnd(docs)
        confirmed = docs.line_ids.filtered(lambda line: line.kind == "payment" and not line.move_id)
        self.assertEqual(sorted(confirmed.mapped("identifier")), ["inn-F1", "inn-F2", "inn-T6"])
