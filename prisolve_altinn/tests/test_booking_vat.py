# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import dataclasses
from datetime import date

from odoo.tests import tagged

from ..altinn.types import ROLE_ATTACHMENT, AltinnFile
from ..services import recording
from .booking_common import SKATTEETATEN, TAX_ACCOUNT, BookingCommon, item, mva_return_xml, vat_payment_xml


@tagged("post_install", "-at_install")
class TestBookingVat(BookingCommon):
    def test_vat_to_pay_is_a_payable_against_2740(self):
        """Betalingsinformasjon with VAT to pay: Dr 2740 / Cr 2400 Skatteetaten with KID and due date."""
        doc = self.book(
            item("mva-1", "betalingsinformasjon.xml", vat_payment_xml("15000.50", kid="3400000932456870"))
        )
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertEqual(doc.doc_type, "vat_payment")
        move = doc.move_id
        self.assertEqual(doc.move_ids, move)
        self.assertBalanced(move)
        self.assertEqual(self.lines_by_code(move), {"2740": (15000.5, 0.0), "2400": (0.0, 15000.5)})
        payable = move.line_ids.filtered(lambda line: line.account_id.code == "2400")
        self.assertEqual(payable.date_maturity, date(2026, 4, 10))
        self.assertEqual(move.payment_reference, "3400000932456870")
        self.assertIn("3400000932456870", payable.name)
        partner = self.tax_partner()
        self.assertEqual(len(partner), 1)
        self.assertEqual(move.partner_id, partner)
        self.assertEqual(payable.partner_id, partner)
        self.assertEqual(partner.l10n_no_bronnoysund_number, SKATTEETATEN)
        self.assertEqual(move.partner_bank_id.sanitized_acc_number, TAX_ACCOUNT)
        self.assertEqual(move.journal_id, self.company.altinn_journal_id)
        self.assertEqual(move.journal_id.code, "ALTN")
        self.assertEqual(move.altinn_document_id, doc)
        self.assertAttached(doc, move)
        booked = doc.line_ids.filtered(lambda line: line.state == "booked")
        self.assertEqual(booked.kid, "3400000932456870")
        self.assertEqual(booked.move_id, move)

    def test_lines_say_draft_or_posted_as_the_entry_is(self):
        """Booking makes drafts: a line says "draft entry created" until its entry is posted, then "posted";
        a duplicate says it is already in an entry; never a bare "booked" (to an accountant: posted)."""
        data = vat_payment_xml("15000", kid="3400000932456870")
        doc = self.book(item("mva-st", "betalingsinformasjon.xml", data))
        line = doc.line_ids.filtered(lambda line: line.move_id)
        self.assertEqual(line.status, "draft")
        labels = dict(line._fields["status"]._description_selection(self.env))
        self.assertEqual(labels["draft"], "Draft entry created")
        self.assertNotIn("Booked", labels.values())
        line.move_id.action_post()
        self.assertEqual(line.status, "posted")
        other = self.book(item("mva-st-copy", "kopi.xml", data))
        self.assertEqual(other.line_ids.mapped("status"), ["duplicate"])
        line.move_id.button_draft()
        line.move_id.unlink()
        self.assertEqual(line.status, "removed")

    def test_vat_refund_is_a_receivable(self):
        """A negative amount (til gode): Dr the tax receivable (1579) / Cr 2740."""
        doc = self.book(item("mva-2", "betalingsinformasjon.xml", vat_payment_xml("-4200")))
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertEqual(self.lines_by_code(doc.move_id), {"1579": (4200.0, 0.0), "2740": (0.0, 4200.0)})
        receivable = doc.move_id.line_ids.filtered(lambda line: line.account_id.code == "1579")
        self.assertEqual(receivable.date_maturity, date(2026, 4, 10))
        self.assertEqual(receivable.partner_id, self.tax_partner())

    def test_nothing_to_pay_books_nothing(self):
        doc = self.book(item("mva-0", "betalingsinformasjon.xml", vat_payment_xml("0")))
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertFalse(doc.move_ids)
        self.assertTrue(doc.booking_note)

    def test_reimport_is_a_no_op(self):
        """The same item again is known; the same payment in another item is a duplicate, nothing booked."""
        data = vat_payment_xml("15000")
        doc = self.book(item("mva-3", "betalingsinformasjon.xml", data))
        moves_before = self.env["account.move"].search_count([])
        again = self.book(item("mva-3", "betalingsinformasjon.xml", data))
        self.assertEqual(again, doc)
        self.assertEqual(doc.state, "imported")
        other = self.book(item("mva-3-copy", "kopi.xml", data))
        self.assertEqual(other.state, "duplicate", other.error)
        self.assertFalse(other.move_ids)
        self.assertIn(doc.display_name, other.booking_note)
        self.assertEqual(self.env["account.move"].search_count([]), moves_before)

    def test_return_compared_with_the_ledger_when_vat_is_closed_in_odoo(self):
        """Mode (a): no entry; the difference between the return and 2740 for the period is recorded."""
        self.company.sudo().altinn_vat_mode = "odoo"
        # Odoo's closing of January–February: 25 000 output, 10 000 input → 15 000 on 2740.
        self.post_entry("2026-02-28", [("2700", 25000, 0), ("2710", 0, 10000), ("2740", 0, 15000)])
        # A payment of the previous term through the bank is not part of the comparison.
        self.post_entry("2026-02-10", [("2740", 9000, 0), ("1920", 0, 9000)])
        lines = [("1", -10000, None, "25 inng"), ("3", 25400, 101600, "25 utg")]
        doc = self.book(item("mva-4", "mvamelding.xml", mva_return_xml(lines)))
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertEqual(doc.doc_type, "mva_return")
        self.assertFalse(doc.move_ids)
        self.assertTrue(doc.vat_checked)
        self.assertEqual(doc.vat_return_amount, 15400)
        self.assertEqual(doc.vat_ledger_amount, 15000)
        self.assertEqual(doc.vat_difference, 400)
        self.assertIn("2740", doc.booking_note)

    # ------------------------------------------------------------------
    # Altinn's draft of the next term (a form never sent)
    # ------------------------------------------------------------------
    def draft_return(self, reference, lines, **kwargs):
        return dataclasses.replace(
            item(reference, "mvamelding.xml", mva_return_xml(lines, **kwargs)), kind="form", unsent=True
        )

    def test_unsent_return_is_a_draft_not_a_return(self):
        """Altinn's FillIn draft: "Draft – not submitted", no VAT check, nothing booked (either VAT mode)."""
        lines = [("3", 187827, 751308, "25 utg")]
        for mode, reference in (("odoo", "utkast-odoo"), ("external", "utkast-ext")):
            self.company.sudo().altinn_vat_mode = mode
            doc = self.book(self.draft_return(reference, lines, period="mai-juni"))
            self.assertTrue(doc.unsent)
            self.assertEqual(doc.state, "unsent", doc.error)
            self.assertEqual(doc.doc_type, "mva_return")
            self.assertFalse(doc.move_ids | doc.move_id)
            self.assertFalse(doc.line_ids)
            self.assertFalse(doc.vat_checked)
            self.assertFalse(doc.vat_difference)
            self.assertTrue(doc.summary.startswith("Draft – not submitted: "), doc.summary)
            self.assertIn("never sent", doc.booking_note)
            labels = dict(doc._fields["state"]._description_selection(self.env))
            self.assertEqual(labels[doc.state], "Draft – not submitted")
        # Read again by every fetch (it may be sent meanwhile), unlike the documents held complete.
        self.assertNotIn("utkast-odoo", recording.known_references(self.company))

    def test_submitted_return_replaces_the_draft_of_its_period(self):
        self.company.sudo().altinn_vat_mode = "odoo"
        draft = self.book(self.draft_return("utkast-1", [("3", 1000, 4000, "25 utg")]))
        other = self.book(self.draft_return("utkast-2", [("3", 500, 2000, "25 utg")], period="mars-april"))
        sent = self.book(item("sendt-1", "mvamelding.xml", mva_return_xml([("3", 1200, 4800, "25 utg")])))
        self.assertEqual(sent.state, "imported", sent.error)
        self.assertTrue(sent.vat_checked)
        self.assertEqual(draft.state, "replaced")
        self.assertIn(sent.display_name, draft.booking_note)
        self.assertEqual(other.state, "unsent", "another term's draft stays a draft")
        # A draft that arrives after its period's return is replaced at once.
        late = self.book(self.draft_return("utkast-3", [("3", 1000, 4000, "25 utg")]))
        self.assertEqual(late.state, "replaced")
        self.assertFalse(late.line_ids)

    def test_drafts_and_returns_of_one_batch(self):
        """Booked together, in either order: a return replaces the draft planned before it and the stored
        draft of its period (once, even when its receipt comes in the same batch); a draft planned after its
        period's return is replaced at once; another term's draft stays."""
        self.company.sudo().altinn_vat_mode = "odoo"
        lines = [("3", 1000, 4000, "25 utg")]
        stored = self.book(self.draft_return("utkast-lagret", lines, period="mai-juni"))
        self.assertEqual(stored.state, "unsent")
        docs = self.book(
            self.draft_return("utkast-for", lines),
            item("sendt-jan", "mvamelding.xml", mva_return_xml(lines)),
            item("sendt-mai", "mvamelding.xml", mva_return_xml(lines, period="mai-juni")),
            item(
                "kvittering-mai",
                "betalingsinformasjon.xml",
                vat_payment_xml("1000", period="mai-juni", due="2026-08-31"),
            ),
            self.draft_return("utkast-etter", lines, period="mai-juni"),
            self.draft_return("utkast-annen", lines, period="mars-april"),
        )
        by_reference = {doc.reference: doc for doc in docs}
        self.assertEqual(
            {reference: doc.state for reference, doc in by_reference.items()},
            {
                "utkast-for": "replaced",
                "sendt-jan": "imported",
                "sendt-mai": "imported",
                "kvittering-mai": "imported",
                "utkast-etter": "replaced",
                "utkast-annen": "unsent",
            },
            {doc.reference: doc.error for doc in docs if doc.error},
        )
        self.assertIn(by_reference["sendt-jan"].display_name, by_reference["utkast-for"].booking_note)
        self.assertEqual(stored.state, "replaced")
        notes = stored.message_ids.filtered(lambda message: "Replaced by" in (message.body or ""))
        self.assertEqual(len(notes), 1, notes.mapped("body"))

    def test_the_same_item_sent_later_becomes_the_return(self):
        """An Altinn 3 dialog that was a draft and is completed later: the same row, booked as a return."""
        self.company.sudo().altinn_vat_mode = "odoo"
        lines = [("3", 1000, 4000, "25 utg")]
        draft = self.book(self.draft_return("dialog:utkast", lines))
        self.assertEqual(draft.state, "unsent")
        sent = dataclasses.replace(self.draft_return("dialog:utkast", lines), unsent=False)
        again = self.book(sent)
        self.assertEqual(again, draft)
        self.assertFalse(draft.unsent)
        self.assertEqual(draft.state, "imported", draft.error)
        self.assertTrue(draft.vat_checked)
        self.assertFalse(draft.summary.startswith("Draft"))

    def test_return_matching_the_ledger(self):
        self.company.sudo().altinn_vat_mode = "odoo"
        self.post_entry("2026-02-28", [("2700", 25000, 0), ("2710", 0, 10000), ("2740", 0, 15000)])
        doc = self.book(
            item(
                "mva-5",
                "mvamelding.xml",
                mva_return_xml([("1", -10000, None, "inng"), ("3", 25000, 100000, "utg")]),
            )
        )
        self.assertEqual(doc.vat_difference, 0)
        self.assertFalse(doc.move_ids)

    def test_closing_entry_when_vat_is_filed_outside_odoo(self):
        """Mode (b): each line goes to the account of the l10n_no tax with its VAT code, against 2740."""
        self.company.sudo().altinn_vat_mode = "external"
        lines = [
            ("3", 25000, 100000, "25 utg"),
            ("31", 1500, 10000, "15 utg"),
            ("1", -10000, None, "25 inng"),
            ("86", 2500, 10000, "tjenester utland utg"),
            ("86", -2500, None, "tjenester utland inng"),
            ("5", 0, 3000, "fritatt"),
        ]
        doc = self.book(item("mva-6", "mvamelding.xml", mva_return_xml(lines)))
        self.assertEqual(doc.state, "imported", doc.error)
        move = doc.move_id
        self.assertBalanced(move)
        self.assertEqual(move.date, date(2026, 2, 28))
        self.assertEqual(
            self.lines_by_code(move),
            {
                "2700": (25000.0, 0.0),
                "2701": (1500.0, 0.0),
                "2710": (0.0, 10000.0),
                "2704": (2500.0, 0.0),
                "2714": (0.0, 2500.0),
                "2740": (0.0, 16500.0),
            },
        )
        self.assertTrue(all(line.partner_id == self.tax_partner() for line in move.line_ids))
        # The same return again: the term is booked already.
        again = self.book(item("mva-6b", "mvamelding-kopi.xml", mva_return_xml(lines)))
        self.assertEqual(again.state, "duplicate")
        self.assertFalse(again.move_ids)

    def test_closing_refused_without_the_tax(self):
        """A VAT code without an l10n_no tax is refused, naming the code; nothing is guessed."""
        self.company.sudo().altinn_vat_mode = "external"
        doc = self.book(
            item(
                "mva-7",
                "mvamelding.xml",
                mva_return_xml([("3", 2500, 10000, "utg"), ("99", 100, 400, "ukjent")]),
            )
        )
        self.assertEqual(doc.state, "failed")
        self.assertIn("99", doc.error)
        self.assertFalse(doc.move_ids)
        self.assertFalse(doc.line_ids)

    def test_payment_information_with_its_return(self):
        """One Altinn instance: payment information plus the VAT return, both handled, one document."""
        self.company.sudo().altinn_vat_mode = "external"
        lines = [("3", 25000, 100000, "utg"), ("1", -10000, None, "inng")]
        doc = self.book(
            item(
                "mva-8",
                "betalingsinformasjon.xml",
                vat_payment_xml("15000"),
                extra_files=[self._file("mvamelding.xml", mva_return_xml(lines))],
            )
        )
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertEqual(doc.doc_type, "vat_payment")
        self.assertEqual(len(doc.move_ids), 2)
        self.assertEqual(
            self.lines_by_code(doc.move_ids),
            {
                "2700": (25000.0, 0.0),
                "2710": (0.0, 10000.0),
                "2740": (15000.0, 15000.0),
                "2400": (0.0, 15000.0),
            },
        )

    @staticmethod
    def _file(name, data):
        return AltinnFile(name=name, mimetype="application/xml", data=data, role=ROLE_ATTACHMENT)

    def test_compensation_has_its_own_settlement_account(self):
        """A kompensasjon return settles on 1654, not 2740; its refund and its claim land there too."""
        self.company.sudo().altinn_vat_mode = "external"
        lines = [
            ("1", -25000, -100000, "Inngående MVA, høy sats"),
            ("13", -1500, -12500, "Inngående MVA, lav sats"),
        ]
        compensation = mva_return_xml(lines, period="september-oktober", category="kompensasjon")
        doc = self.book(
            item(
                "komp-1",
                "betalingsinformasjon.xml",
                vat_payment_xml("-26500", due="2026-12-10", period="september-oktober"),
                extra_files=[self._file("mvamelding.xml", compensation)],
            )
        )
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertEqual(
            self.lines_by_code(doc.move_ids),
            {
                "1654": (26500.0, 26500.0),
                "2710": (0.0, 25000.0),
                "2713": (0.0, 1500.0),
                "1579": (26500.0, 0.0),
            },
        )
        self.assertFalse(doc.move_ids.line_ids.filtered(lambda line: line.account_id.code == "2740"))
        self.assertEqual(
            doc.line_ids.filtered(lambda line: line.kind == "vat_payment").category, "mva_kompensasjon"
        )
