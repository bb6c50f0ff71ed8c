# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Posting what is certain: off by default; on, the entries the addon is sure of are posted and every other
entry stays a draft with the reason on the entry and on its Altinn document. A posted entry is never edited:
what changes it later is an entry of its own."""

from datetime import datetime, timezone

from odoo.tests import tagged

from ..altinn.parsers.kid import make_kid_mod10
from ..altinn.types import ROLE_ATTACHMENT, AltinnFile
from .booking_common import (
    BookingCommon,
    advance_tax_xml,
    claim,
    claims_item,
    due,
    item,
    mva_return_xml,
    vat_payment_xml,
)
from .common import ORG_OWN

VAT_KID = make_kid_mod10(f"34{ORG_OWN}0304")
ADVANCE = [
    (1, "2027-02-15", 60000, make_kid_mod10(f"2026{ORG_OWN}01")),
    (2, "2027-04-15", 60000, make_kid_mod10(f"2026{ORG_OWN}02")),
]


def receipt(reference, amount, *, kid=VAT_KID, with_return=None, created=(2026, 6, 1)):
    """The VAT receipt of mars-april 2026; ``with_return``: the VAT return's total filed with it."""
    extra = []
    if with_return is not None:
        extra.append(
            AltinnFile(
                "mvamelding.xml",
                "application/xml",
                mva_return_xml([("3", with_return, with_return * 4, "Utgående 25 %")], period="mars-april"),
                ROLE_ATTACHMENT,
            )
        )
    return item(
        reference,
        "betalingsinformasjon.xml",
        vat_payment_xml(amount, kid=kid, due="2026-06-10", period="mars-april"),
        created=datetime(*created, 9, 0, tzinfo=timezone.utc),
        extra_files=extra,
    )


def notice(reference):
    data = advance_tax_xml(ADVANCE, year=2026, notice_date="2027-01-09")
    return item(reference, "forskuddsskatt_2026.xml", data)


@tagged("post_install", "-at_install")
class TestPostingWhatIsCertain(BookingCommon):
    def post_certain(self, on=True):
        self.company.sudo().altinn_post_certain = on

    def test_off_by_default_everything_is_a_draft(self):
        self.assertFalse(self.company.altinn_post_certain)
        doc = self.book(notice("fs-off"))
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertEqual(set(doc.move_ids.mapped("state")), {"draft"})
        # The entries the addon is sure of say nothing to check, even as drafts.
        self.assertEqual(doc.move_ids.mapped("altinn_review_reason"), [False, False])

    def test_instalments_with_kid_and_due_date_are_posted(self):
        self.post_certain()
        doc = self.book(notice("fs-on"))
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertEqual(doc.move_ids.mapped("state"), ["posted", "posted"])
        payable = doc.move_ids.line_ids.filtered(lambda line: line.account_id.code == "2400")
        self.assertEqual(sorted(payable.mapped("amount_residual")), [-60000.0, -60000.0])
        self.assertFalse(doc.booking_note and "stays a draft" in doc.booking_note)

    def test_a_kid_failing_its_check_digit_stays_a_draft_with_the_reason(self):
        self.post_certain()
        bad = VAT_KID[:-1] + str((int(VAT_KID[-1]) + 1) % 10)
        doc = self.book(receipt("mva-bad-kid", "25000", kid=bad, with_return=25000))
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertEqual(doc.move_ids.state, "draft")
        self.assertIn(bad, doc.move_ids.altinn_review_reason)
        self.assertIn(doc.move_ids.altinn_review_reason, doc.booking_note)

    def test_a_vat_receipt_is_posted_only_when_it_agrees_with_its_return(self):
        self.post_certain()
        alone = self.book(receipt("mva-alone", "25000"))
        self.assertEqual(alone.move_ids.state, "draft")
        self.assertIn("VAT return", alone.move_ids.altinn_review_reason)
        self.assertIn(alone.move_ids.altinn_review_reason, alone.booking_note)

    def test_a_vat_receipt_that_agrees_with_its_return_is_posted(self):
        self.post_certain()
        agrees = self.book(receipt("mva-agrees", "25000", with_return=25000))
        self.assertEqual(agrees.state, "imported", agrees.error)
        self.assertEqual(agrees.move_ids.state, "posted")

    def test_a_vat_receipt_that_differs_from_its_return_stays_a_draft(self):
        self.post_certain()
        differs = self.book(
            receipt("mva-differs", "25000", kid=make_kid_mod10("349111586120399"), with_return=24000)
        )
        self.assertEqual(differs.move_ids.state, "draft")
        self.assertIn(self.money(24000), differs.move_ids.altinn_review_reason)

    def test_a_claim_without_kid_stays_a_draft(self):
        """Krav og betalinger in its public shape carries no KID: a person pays it with the KID elsewhere."""
        self.post_certain()
        rows = [
            claim(
                "K-REST",
                "RESTSKATT",
                30000,
                description="Restskatt",
                period="2025",
                created="2026-10-20",
                instalments=[due("2026-11-10", 30000)],
            )
        ]
        doc = self.book(claims_item("krav-rest", rows))
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertEqual(doc.move_ids.state, "draft")
        self.assertIn("KID", doc.move_ids.altinn_review_reason)

    def test_an_amendment_never_edits_the_posted_entry(self):
        self.post_certain()
        first = self.book(receipt("mva-v1", "25000", with_return=25000))
        posted = first.move_ids
        self.assertEqual(posted.state, "posted")
        before = [(line.account_id.code, line.debit, line.credit) for line in posted.line_ids]
        amended = self.book(receipt("mva-v2", "30000", with_return=30000, created=(2026, 6, 20)))
        self.assertEqual(amended.state, "imported", amended.error)
        correction = amended.move_ids
        self.assertEqual(correction.state, "draft")
        self.assertIn("changes a debt booked earlier", correction.altinn_review_reason)
        self.assertEqual(self.lines_by_code(correction), {"2740": (5000.0, 0.0), "2400": (0.0, 5000.0)})
        self.assertEqual(posted.state, "posted")
        self.assertEqual(
            [(line.account_id.code, line.debit, line.credit) for line in posted.line_ids], before
        )

    def test_a_locked_period_leaves_the_entry_a_draft_and_says_why(self):
        self.post_certain()
        self.company.sudo().fiscalyear_lock_date = "2027-12-31"
        doc = self.book(notice("fs-locked"))
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertEqual(set(doc.move_ids.mapped("state")), {"draft"})
        for move in doc.move_ids:
            self.assertTrue(move.altinn_review_reason)
