# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo.tests import tagged

from ..altinn.parsers.kid import make_kid_mod10
from .booking_common import BookingCommon, advance_tax_xml, item, settlement_xml

KID_1 = make_kid_mod10("2025911158612001")
KID_2 = make_kid_mod10("2025911158612002")


@tagged("post_install", "-at_install")
class TestBookingAdvanceTax(BookingCommon):
    def test_two_instalments_are_two_payables(self):
        """Forskuddsskatt notice: Dr 2540 / Cr 2400 per instalment, with its KID and due date."""
        doc = self.book(
            item(
                "fs-10",
                "forskuddsskatt_2025.xml",
                advance_tax_xml([(1, "2026-02-16", 60000, KID_1), (2, "2026-04-15", 60000.5, KID_2)]),
            )
        )
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertEqual(doc.doc_type, "advance_tax")
        self.assertEqual(len(doc.move_ids), 2)
        self.assertBalanced(doc.move_ids)
        first, second = doc.move_ids.sorted("id")
        self.assertEqual(self.lines_by_code(first), {"2540": (60000.0, 0.0), "2400": (0.0, 60000.0)})
        self.assertEqual(self.lines_by_code(second), {"2540": (60000.5, 0.0), "2400": (0.0, 60000.5)})
        self.assertEqual((first.payment_reference, second.payment_reference), (KID_1, KID_2))
        self.assertEqual(first.line_ids.filtered("credit").date_maturity, date(2026, 2, 16))
        self.assertEqual(second.line_ids.filtered("credit").date_maturity, date(2026, 4, 15))
        self.assertEqual(first.date, date(2026, 1, 9))  # the notice's date
        self.assertEqual(first.line_ids.partner_id, self.tax_partner())
        self.assertAttached(doc, first)

    def test_reimport_is_a_no_op(self):
        data = advance_tax_xml([(1, "2026-02-16", 60000, KID_1), (2, "2026-04-15", 60000, KID_2)])
        self.book(item("fs-11", "forskuddsskatt.xml", data))
        count = self.env["account.move"].search_count([])
        again = self.book(item("fs-11-b", "forskuddsskatt-kopi.xml", data))
        self.assertEqual(again.state, "duplicate")
        self.assertEqual(self.env["account.move"].search_count([]), count)
        # A changed notice with another amount is an amendment: the difference is booked, said on both.
        changed = self.book(
            item(
                "fs-11-c",
                "forskuddsskatt-endret.xml",
                advance_tax_xml([(2, "2026-04-15", 80000, KID_2)], notice_date="2026-03-02"),
            )
        )
        self.assertEqual(changed.state, "imported", changed.error)
        correction = changed.line_ids.filtered(lambda line: line.state == "booked")
        self.assertEqual((correction.kind, correction.booked_amount), ("correction", 20000.0))
        self.assertEqual(
            self.lines_by_code(correction.move_id), {"2540": (20000.0, 0.0), "2400": (0.0, 20000.0)}
        )
        self.assertEqual(correction.move_id.payment_reference, KID_2)
        self.assertIn(self.money(20000), changed.booking_note)


@tagged("post_install", "-at_install")
class TestBookingSettlement(BookingCommon):
    def setUp(self):
        super().setUp()
        # The year-end accrual (Dr 8300 / Cr 2500) and the advance tax paid (Dr 2540 / Cr 1920).
        self.post_entry("2025-12-31", [("8300", 100000, 0), ("2500", 0, 100000)])
        self.post_entry("2026-02-17", [("2540", 80000, 0), ("1920", 0, 80000)])

    def _settle(self, reference, total):
        return self.book(item(reference, "skattemelding_respons.xml", settlement_xml(total, year=2025)))

    def test_restskatt(self):
        """Assessed 110 000: clear 2500 (100 000) and 2540 (80 000); restskatt 30 000 on 2510; 8309 10 000."""
        doc = self._settle("sk-1", 110000)
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertEqual(doc.doc_type, "tax_settlement")
        move = doc.move_id
        self.assertBalanced(move)
        self.assertEqual(
            self.lines_by_code(move),
            {
                "2500": (100000.0, 0.0),
                "2540": (0.0, 80000.0),
                "2510": (0.0, 30000.0),
                "8309": (10000.0, 0.0),
            },
        )
        self.assertEqual(move.date, date(2026, 3, 5))  # the document's date in Altinn
        self.assertIn("2025", move.ref)
        self.assertAttached(doc, move)

    def test_til_gode_and_over_accrued(self):
        """Assessed 70 000: 10 000 to be refunded (receivable), 30 000 over-accrued credited to 8309."""
        doc = self._settle("sk-2", 70000)
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertEqual(
            self.lines_by_code(doc.move_id),
            {
                "2500": (100000.0, 0.0),
                "2540": (0.0, 80000.0),
                "1579": (10000.0, 0.0),
                "8309": (0.0, 30000.0),
            },
        )

    def test_settlement_is_booked_once(self):
        self._settle("sk-3", 110000)
        again = self._settle("sk-4", 110000)
        self.assertEqual(again.state, "duplicate")
        self.assertFalse(again.move_ids)
