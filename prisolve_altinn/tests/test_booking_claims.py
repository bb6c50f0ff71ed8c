# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Krav og betalinger in the public shape (no KID): every due date its own debt and entry, what is owed
today, payments placed by Skatteetaten, interest by direction and deductibility, bad input left alone."""

from datetime import date

from odoo.tests import tagged

from ..altinn.parsers.kid import make_kid_mod10
from .booking_common import (
    BookingCommon,
    advance_tax_xml,
    claim,
    claims_item,
    due,
    item,
    payments_json,
)
from .common import ORG_OTHER


@tagged("post_install", "-at_install")
class TestBookingClaims(BookingCommon):
    def _book_claims(self, reference, claims, **kwargs):
        return self.book(claims_item(reference, claims, **kwargs))

    def payable_balance(self):
        lines = self.env["account.move.line"].search(
            [("company_id", "=", self.company.id), ("account_id.code", "=", "2400")]
        )
        return round(sum(lines.mapped("balance")), 2)

    def test_each_claim_type_on_its_account(self):
        """A draft payable to Skatteetaten per due date, on the account of the claim type's category."""
        doc = self._book_claims(
            "krav-1",
            [
                claim(
                    "K-REST",
                    "RESTSKATT",
                    30000,
                    description="Restskatt",
                    instalments=[due("2026-09-20", 30000)],
                ),
                claim(
                    "K-FORSKUDD",
                    "utskrevetForskuddsskatt",
                    description="Utskrevet forskuddsskatt",
                    instalments=[due("2026-02-16", 60000), due("2026-04-15", 60000)],
                    period="2025",
                ),
                claim(
                    "K-MVA", "åBetaleMva", 21400.5, description="Mva-melding å betale", group="Merverdiavgift"
                ),
                claim("K-AGA", "arbeidsgiveravgift", 7050, group="Arbeidsgiveravgift"),
                claim("K-TREKK", "forskuddstrekk", 12000, group="Forskuddstrekk"),
                claim("K-RENTE", "forsinkelsesrenterMva", 312.15, group="Merverdiavgift"),
                claim("K-FORMUE", "renterUtsattFormuesskatt", 45),
                claim("K-GODT", "rentegodtgjørelseMva", -88, group="Merverdiavgift"),
            ],
        )
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertEqual(doc.doc_type, "tax_claims")
        self.assertEqual(len(doc.move_ids), 9)
        self.assertBalanced(doc.move_ids)
        booked = doc.line_ids.filtered(lambda line: line.state == "booked")
        by_due = {(line.identifier, line.due_date): line.move_id for line in booked}
        expected = {
            ("K-REST", date(2026, 9, 20)): {"2510": (30000.0, 0.0), "2400": (0.0, 30000.0)},
            ("K-FORSKUDD", date(2026, 2, 16)): {"2540": (60000.0, 0.0), "2400": (0.0, 60000.0)},
            ("K-FORSKUDD", date(2026, 4, 15)): {"2540": (60000.0, 0.0), "2400": (0.0, 60000.0)},
            ("K-MVA", date(2026, 3, 31)): {"2740": (21400.5, 0.0), "2400": (0.0, 21400.5)},
            ("K-AGA", date(2026, 3, 31)): {"2770": (7050.0, 0.0), "2400": (0.0, 7050.0)},
            ("K-TREKK", date(2026, 3, 31)): {"2600": (12000.0, 0.0), "2400": (0.0, 12000.0)},
            # Late-payment interest is a deductible finance cost, interest on deferred wealth tax is not, and
            # interest paid to the company is finance income on the refund receivable.
            ("K-RENTE", date(2026, 3, 31)): {"8159": (312.15, 0.0), "2400": (0.0, 312.15)},
            ("K-FORMUE", date(2026, 3, 31)): {"8140": (45.0, 0.0), "2400": (0.0, 45.0)},
            ("K-GODT", date(2026, 3, 31)): {"8059": (0.0, 88.0), "1579": (88.0, 0.0)},
        }
        self.assertEqual({key: self.lines_by_code(move) for key, move in by_due.items()}, expected)
        for (claim_id, due_date), move in by_due.items():
            self.assertIn(claim_id, move.ref)
            self.assertAttached(doc, move)
            counterpart = move.line_ids.filtered(lambda line: line.account_id.code in ("2400", "1579"))
            self.assertEqual(counterpart.date_maturity, due_date)
            self.assertEqual(counterpart.partner_id, self.tax_partner())
            self.assertFalse(move.payment_reference, "the public claims carry no KID: none is invented")
        self.assertEqual(by_due[("K-REST", date(2026, 9, 20))].date, date(2026, 3, 1))
        self.assertEqual(
            by_due[("K-MVA", date(2026, 3, 31))].partner_bank_id.sanitized_acc_number, "63450618162"
        )
        self.assertTrue(self.account("1579").reconcile, "refunds are matched with Skatteetaten's payout")

    def test_a_claim_is_booked_once_forever(self):
        """The same claim in a later fetch is a duplicate; new claims in that fetch are booked."""
        first = self._book_claims("krav-2", [claim("K-1", "RESTSKATT", 5000)])
        self.assertEqual(first.state, "imported")
        move = first.move_id
        second = self._book_claims(
            "krav-3", [claim("K-1", "RESTSKATT", 5000), claim("K-2", "RESTSKATT", 700)]
        )
        self.assertEqual(second.state, "imported", second.error)
        self.assertEqual(len(second.move_ids), 1)
        self.assertEqual(self.lines_by_code(second.move_ids), {"2510": (700.0, 0.0), "2400": (0.0, 700.0)})
        duplicate = second.line_ids.filtered(lambda line: line.identifier == "K-1")
        self.assertEqual(duplicate.state, "duplicate")
        self.assertFalse(duplicate.move_id)
        # Even after the first draft is deleted, the claim stays booked.
        move.unlink()
        third = self._book_claims("krav-4", [claim("K-1", "RESTSKATT", 5000)])
        self.assertEqual(third.state, "duplicate")
        self.assertFalse(third.move_ids)

    def test_advance_tax_booked_from_the_notice_is_the_same_debt_without_a_kid(self):
        """The claim of an instalment booked from the forskuddsskatt notice: same category and due date."""
        kid = make_kid_mod10("2025911158612015")
        notice = self.book(
            item("fs-1", "forskuddsskatt.xml", advance_tax_xml([(1, "2026-02-16", 60000, kid)]))
        )
        doc = self._book_claims(
            "krav-5",
            [claim("K-FS1", "utskrevetForskuddsskatt", 60000, instalments=[due("2026-02-16", 60000)])],
        )
        self.assertEqual(doc.state, "duplicate", doc.error)
        self.assertFalse(doc.move_ids)
        line = doc.line_ids
        self.assertEqual(line.duplicate_of_id, notice.line_ids.filtered(lambda line: line.state == "booked"))
        self.assertEqual(line.debt_key, line.duplicate_of_id.debt_key)
        self.assertEqual(self.env["account.move"].search_count([("payment_reference", "=", kid)]), 1)

    def test_a_fully_paid_claim_leaves_nothing_open(self):
        """The claim and the payment Skatteetaten placed on it: 2400 nets to zero; the payment waits on the
        outstanding payments account for the bank statement."""
        doc = self._book_claims(
            "krav-9",
            [
                claim(
                    "K-PAID",
                    "åBetaleMva",
                    21400,
                    group="Merverdiavgift",
                    instalments=[due("2026-04-10", 21400, paid=[("inn-7001", 21400, "2026-04-09")])],
                )
            ],
        )
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertEqual(len(doc.move_ids), 2)
        payment = doc.line_ids.filtered(lambda line: line.kind == "payment")
        self.assertEqual((payment.state, payment.identifier, payment.amount), ("booked", "inn-7001", 21400.0))
        self.assertEqual(payment.move_id.date, date(2026, 4, 9))
        outstanding = self.env.ref(f"account.{self.company.id}_account_journal_payment_credit_account_id")
        self.assertEqual(
            self.lines_by_code(payment.move_id), {"2400": (21400.0, 0.0), outstanding.code: (0.0, 21400.0)}
        )
        self.assertEqual(self.payable_balance(), 0.0)

    def test_a_claim_paid_later_books_only_what_changed(self):
        """Open, then partly paid, then paid: one debt, one entry per payment, never the debt twice."""

        def fetch(reference, paid):
            return self._book_claims(
                reference,
                [
                    claim(
                        "K-AGA", "arbeidsgiveravgift", 9000, instalments=[due("2026-03-16", 9000, paid=paid)]
                    )
                ],
            )

        first = fetch("krav-a", [])
        self.assertEqual(self.payable_balance(), -9000.0)
        second = fetch("krav-b", [("inn-1", 4000, "2026-03-10")])
        self.assertEqual(second.state, "imported", second.error)
        self.assertEqual(len(second.move_ids), 1)
        self.assertEqual(second.line_ids.filtered(lambda line: line.kind == "claim").state, "duplicate")
        self.assertEqual(self.payable_balance(), -5000.0)
        third = fetch("krav-c", [("inn-1", 4000, "2026-03-10"), ("inn-2", 5000, "2026-03-16")])
        self.assertEqual(len(third.move_ids), 1)
        self.assertEqual(self.payable_balance(), 0.0)
        again = fetch("krav-d", [("inn-1", 4000, "2026-03-10"), ("inn-2", 5000, "2026-03-16")])
        self.assertEqual(again.state, "duplicate")
        self.assertFalse(again.move_ids)
        debts = (first | second | third | again).line_ids.filtered(lambda line: line.kind == "claim")
        self.assertEqual(len(set(debts.mapped("debt_key"))), 1)

    def test_a_reduced_claim_books_a_correction_and_says_so_on_both_documents(self):
        first = self._book_claims("krav-r1", [claim("K-RED", "RESTSKATT", 10000)])
        # Skatteetaten reduced the claim (nedsettelse): still registered with 10 000, 8 000 owed.
        second = self._book_claims(
            "krav-r2",
            [claim("K-RED", "RESTSKATT", 10000, instalments=[due("2026-03-31", 10000, open_amount=8000)])],
        )
        self.assertEqual(second.state, "imported", second.error)
        correction = second.line_ids.filtered(lambda line: line.state == "booked")
        self.assertEqual((correction.kind, correction.booked_amount), ("correction", -2000.0))
        self.assertEqual(
            self.lines_by_code(correction.move_id), {"2510": (0.0, 2000.0), "2400": (2000.0, 0.0)}
        )
        self.assertEqual(correction.move_id.state, "draft")
        self.assertEqual(first.move_id.state, "draft")
        self.assertEqual(self.lines_by_code(first.move_id), {"2510": (10000.0, 0.0), "2400": (0.0, 10000.0)})
        self.assertIn(self.money(-2000), second.booking_note)
        self.assertIn(second.display_name, first.message_ids.mapped("body")[0])
        self.assertEqual(self.payable_balance(), -8000.0)

    def test_payments_are_recorded_for_matching(self):
        kid = make_kid_mod10("2025911158612099")
        claim_doc = self._book_claims(
            "krav-8", [claim("K-PAY", "RESTSKATT", 21400, instalments=[due("2026-04-10", 21400, kid=kid)])]
        )
        doc = self.book(
            item(
                "inn-1",
                "innbetalinger.json",
                payments_json([("inn-9001", "2026-04-09", 21400, kid), ("inn-9002", "2026-04-15", 60000)]),
                mimetype="application/json",
            )
        )
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertFalse(doc.move_ids)
        payments = doc.line_ids.filtered(lambda line: line.kind == "payment")
        self.assertEqual(sorted(payments.mapped("identifier")), ["inn-9001", "inn-9002"])
        self.assertEqual(sorted(payments.mapped("amount")), [21400.0, 60000.0])
        self.assertEqual(payments.mapped("bank_account"), ["63450618162", "63450618162"])
        matched = payments.filtered(lambda line: line.identifier == "inn-9001")
        self.assertEqual(matched.kid, kid)
        self.assertIn(claim_doc.move_id.display_name, matched.note)

    def test_unknown_claim_type_is_not_guessed(self):
        doc = self._book_claims(
            "krav-6",
            [claim("K-X", "tvangsmulktMva", 1000, description="Tvangsmulkt"), claim("K-Y", "RESTSKATT", 200)],
        )
        self.assertEqual(doc.state, "imported")
        self.assertEqual(len(doc.move_ids), 1)
        skipped = doc.line_ids.filtered(lambda line: line.identifier == "K-X")
        self.assertEqual(skipped.state, "skipped")
        self.assertIn("K-X", doc.booking_note)
        only_unknown = self._book_claims("krav-7", [claim("K-Z", "kildeskattRenter", 1000)])
        self.assertEqual(only_unknown.state, "failed")
        self.assertIn("K-Z", only_unknown.error)
        self.assertFalse(only_unknown.move_ids)

    def test_bad_claims_are_told_and_not_booked(self):
        """Amounts against the claim's direction, zero, another party's claim, more covered than claimed."""
        doc = self._book_claims(
            "krav-bad",
            [
                claim("K-NEG", "RESTSKATT", -500),
                claim("K-ZERO", "arbeidsgiveravgift", 0),
                claim("K-PERSON", "RESTSKATT", 700, party="04827896468"),
                claim("K-CREDIT", "tilgodeMva", 300, group="Merverdiavgift"),
                claim(
                    "K-MORE",
                    "RESTSKATT",
                    10000,
                    instalments=[
                        due("2023-02-21", 10000, open_amount=10000, paid=[("inn-12345", 1000, "2023-02-05")])
                    ],
                ),
                claim("K-GOOD", "forskuddstrekk", 1200),
            ],
        )
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertEqual(len(doc.move_ids), 1)
        self.assertEqual(self.lines_by_code(doc.move_ids), {"2600": (1200.0, 0.0), "2400": (0.0, 1200.0)})
        states = {line.identifier: line.state for line in doc.line_ids if line.kind == "claim"}
        self.assertEqual(
            states,
            {
                "K-NEG": "skipped",
                "K-ZERO": "recorded",
                "K-PERSON": "skipped",
                "K-CREDIT": "skipped",
                "K-MORE": "skipped",
                "K-GOOD": "booked",
            },
        )
        for line in doc.line_ids.filtered(lambda line: line.state == "skipped"):
            self.assertTrue(line.note, line.identifier)
            self.assertIn(line.note, doc.booking_note)
        self.assertIn("04827896468", doc.booking_note)

    def test_claims_for_another_organisation_are_refused(self):
        doc = self._book_claims(
            "krav-other", [claim("K-O", "RESTSKATT", 100, party=ORG_OTHER)], org=ORG_OTHER
        )
        self.assertEqual(doc.state, "failed")
        self.assertIn(ORG_OTHER, doc.error)
        self.assertFalse(doc.move_ids)
