# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo.tests import tagged

from ..altinn.parsers.kid import make_kid_mod10
from .booking_common import BookingCommon, advance_tax_xml, claim, claims_json, item, payments_json


@tagged("post_install", "-at_install")
class TestBookingClaims(BookingCommon):
    def _book_claims(self, reference, claims):
        return self.book(item(reference, "krav.json", claims_json(claims), mimetype="application/json"))

    def test_each_claim_type_on_its_account(self):
        """Krav og betalinger: a draft payable to Skatteetaten per claim, on the account of its claim type."""
        kid = make_kid_mod10("2025911158612001")
        doc = self._book_claims(
            "krav-1",
            [
                claim(
                    "K-REST",
                    "RESTSKATT",
                    30000,
                    description="Restskatt",
                    instalments=[("2026-09-20", 30000, kid)],
                ),
                claim(
                    "K-FORSKUDD",
                    "utskrevetForskuddsskatt",
                    120000,
                    description="Forskuddsskatt",
                    instalments=[
                        ("2026-02-16", 60000, make_kid_mod10("2025911158612015")),
                        ("2026-04-15", 60000, make_kid_mod10("2025911158612023")),
                    ],
                ),
                claim("K-MVA", "MERVERDIAVGIFT", 21400.5, description="Mva-melding å betale"),
                claim("K-AGA", "ARBEIDSGIVERAVGIFT", 7050, description="Arbeidsgiveravgift"),
                claim("K-TREKK", "FORSKUDDSTREKK", 12000, description="Forskuddstrekk"),
            ],
        )
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertEqual(doc.doc_type, "tax_claims")
        self.assertEqual(len(doc.move_ids), 5)
        self.assertBalanced(doc.move_ids)
        by_claim = {line.identifier: line.move_id for line in doc.line_ids if line.kind == "claim"}
        expected = {
            "K-REST": ("2510", 30000.0),
            "K-FORSKUDD": ("2540", 120000.0),
            "K-MVA": ("2740", 21400.5),
            "K-AGA": ("2770", 7050.0),
            "K-TREKK": ("2600", 12000.0),
        }
        for claim_id, (code, amount) in expected.items():
            move = by_claim[claim_id]
            self.assertEqual(self.lines_by_code(move), {code: (amount, 0.0), "2400": (0.0, amount)}, claim_id)
            payable = move.line_ids.filtered(lambda line: line.account_id.code == "2400")
            self.assertTrue(all(line.partner_id == self.tax_partner() for line in payable))
            self.assertIn(claim_id, move.ref)
            self.assertAttached(doc, move)
        rest = by_claim["K-REST"]
        self.assertEqual(rest.payment_reference, kid)
        self.assertEqual(rest.date, date(2026, 3, 1))
        self.assertEqual(rest.line_ids.filtered(lambda line: line.credit).date_maturity, date(2026, 9, 20))
        # Two instalments: two payable lines with their own due dates and KIDs.
        forskudd = by_claim["K-FORSKUDD"].line_ids.filtered(lambda line: line.account_id.code == "2400")
        self.assertEqual(sorted(forskudd.mapped("date_maturity")), [date(2026, 2, 16), date(2026, 4, 15)])
        self.assertTrue(all("KID" in line.name for line in forskudd))
        self.assertEqual(by_claim["K-MVA"].partner_bank_id.sanitized_acc_number, "63450618162")

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

    def test_claim_with_a_kid_already_booked_from_a_notice_is_a_duplicate(self):
        """An advance-tax claim whose KID was booked from the forskuddsskatt notice is not booked again."""
        kid = make_kid_mod10("2025911158612015")
        self.book(item("fs-1", "forskuddsskatt.xml", advance_tax_xml([(1, "2026-02-16", 60000, kid)])))
        doc = self._book_claims(
            "krav-5",
            [claim("K-FS1", "utskrevetForskuddsskatt", 60000, instalments=[("2026-02-16", 60000, kid)])],
        )
        self.assertEqual(doc.state, "duplicate")
        self.assertFalse(doc.move_ids)

    def test_payments_are_recorded_for_matching(self):
        kid = make_kid_mod10("2025911158612099")
        claim_doc = self._book_claims(
            "krav-8", [claim("K-PAY", "RESTSKATT", 21400, instalments=[("2026-04-10", 21400, kid)])]
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
            [claim("K-X", "tvangsmulkt", 1000, description="Tvangsmulkt"), claim("K-Y", "RESTSKATT", 200)],
        )
        self.assertEqual(doc.state, "imported")
        self.assertEqual(len(doc.move_ids), 1)
        skipped = doc.line_ids.filtered(lambda line: line.identifier == "K-X")
        self.assertEqual(skipped.state, "skipped")
        self.assertIn("K-X", doc.booking_note)
        only_unknown = self._book_claims(
            "krav-7", [claim("K-Z", "tvangsmulkt", 1000, description="Tvangsmulkt")]
        )
        self.assertEqual(only_unknown.state, "failed")
        self.assertIn("K-Z", only_unknown.error)
