# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Where each debt stands: open / paid / overdue on its document's lines, and the Skattekonto: what Odoo has
open per debt next to what Skatteetaten's latest claims list says is remaining, differences flagged."""

from freezegun import freeze_time

from odoo.tests import tagged

from .booking_common import (
    ADVANCE_KID_1,
    ADVANCE_KID_2,
    ADVANCE_TERMS,
    BookingCommon,
    advance_claims,
    advance_tax_xml,
    claims_item,
    item,
)

KID_1, KID_2, TERMS = ADVANCE_KID_1, ADVANCE_KID_2, ADVANCE_TERMS


@tagged("post_install", "-at_install")
class TestWhereEachDebtStands(BookingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.sudo().altinn_post_certain = True

    def rows(self):
        rows = self.env["altinn.tax.account"].search([("company_id", "=", self.company.id)])
        return {row.kid: row for row in rows}

    @freeze_time("2026-03-10")
    def test_open_paid_and_overdue_on_the_document(self):
        notice = self.book(item("fs-2025", "forskuddsskatt_2025.xml", advance_tax_xml(TERMS)))
        by_kid = {line.kid: line for line in notice.line_ids}
        self.assertEqual(by_kid[KID_1].debt_status, "overdue")  # due 16 February, nothing paid
        self.assertEqual(by_kid[KID_2].debt_status, "open")
        self.assertEqual(by_kid[KID_2].debt_open_amount, 60000.0)
        self.book(claims_item("krav", advance_claims(paid_1=[("inn-F1", 60000, "2026-02-14")])))
        notice.line_ids.invalidate_recordset()
        self.assertEqual(by_kid[KID_1].debt_status, "paid")
        self.assertEqual(by_kid[KID_1].debt_open_amount, 0.0)
        self.assertEqual(by_kid[KID_2].debt_status, "open")

    @freeze_time("2026-03-10")
    def test_the_skattekonto_flags_what_differs_from_skatteetaten(self):
        self.book(item("fs-2025", "forskuddsskatt_2025.xml", advance_tax_xml(TERMS)))
        rows = self.rows()
        self.assertEqual(set(rows), {KID_1, KID_2})
        self.assertEqual(rows[KID_1].check, "Not in a claims list read so far.")
        # Skatteetaten: instalment 1 paid (placed), instalment 2 has 30 000 left: a payment without an
        # identifier, which booking cannot place (a person must), so Odoo still has 60 000 open.
        paid_1, paid_2 = [("inn-F1", 60000, "2026-02-14")], [(None, 30000, "2026-03-01")]
        self.book(claims_item("krav", advance_claims(paid_1=paid_1, paid_2=paid_2)))
        self.env["altinn.tax.account"].invalidate_model()
        rows = self.rows()
        self.assertEqual((rows[KID_1].odoo_open, rows[KID_1].skatteetaten_open), (0.0, 0.0))
        self.assertFalse(rows[KID_1].flagged)
        self.assertEqual((rows[KID_2].odoo_open, rows[KID_2].skatteetaten_open), (60000.0, 30000.0))
        self.assertTrue(rows[KID_2].flagged)
        self.assertEqual(rows[KID_2].difference, 30000.0)
        self.assertIn(self.money(30000), rows[KID_2].check)
