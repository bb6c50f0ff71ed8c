# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from ..altinn.parsers.kid import make_kid_mod10
from ..altinn.types import ROLE_ATTACHMENT, ROLE_BODY, AltinnFile
from ..booking import pipeline
from .booking_common import BookingCommon, advance_tax_xml, item, vat_payment_xml
from .common import ORG_OTHER

KID = make_kid_mod10("2025911158612001")


@tagged("post_install", "-at_install")
class TestBookingAccounts(BookingCommon):
    """Accounts by code and meaning; bad input fails one document and nothing else."""

    def _advance_tax(self, reference):
        return item(reference, "forskuddsskatt.xml", advance_tax_xml([(1, "2026-02-16", 60000, KID)]))

    def _mapping(self, role):
        """The row of ``role``, edited as an accounting administrator would in the settings."""
        rows = self.env["altinn.account.map"]._altinn_ensure_defaults(self.company)
        return rows.filtered(lambda row: row.role == role).sudo()

    def test_missing_code_is_refused_naming_it(self):
        self.account("2540").sudo().code = "2549"
        doc = self.book(self._advance_tax("acc-1"))
        self.assertEqual(doc.state, "failed")
        self.assertIn("2540", doc.error)
        self.assertFalse(doc.move_ids)
        self.assertFalse(doc.line_ids)
        self.assertFalse(self.env["account.move"].search([("altinn_document_id", "=", doc.id)]))

    def test_code_with_another_meaning_is_refused(self):
        """An Odoo 17-era chart: 2540 is 'Forhåndsskatt'; never post there without the accountant's choice."""
        self.account("2540").sudo().with_context(lang="en_US").name = "Forhåndsskatt"
        doc = self.book(self._advance_tax("acc-2"))
        self.assertEqual(doc.state, "failed")
        self.assertIn("2540", doc.error)
        self.assertIn("Forhåndsskatt", doc.error)
        # The accountant maps the role explicitly; booking the same document again works.
        mapping = self._mapping("advance_tax")
        self.assertFalse(mapping.status_ok)
        self.assertIn("Forhåndsskatt", mapping.status)
        mapping.account_id = self.account("2540")
        self.assertTrue(mapping.status_ok)
        doc.action_altinn_process()
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertEqual(self.lines_by_code(doc.move_id), {"2540": (60000.0, 0.0), "2400": (0.0, 60000.0)})

    def test_mapping_to_another_code(self):
        other = self.account("2540").sudo().copy({"code": "2541", "name": "Forskuddsskatt 2025"})
        self._mapping("advance_tax").code = "2541"
        doc = self.book(self._advance_tax("acc-3"))
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertIn(other.id, doc.move_id.line_ids.account_id.ids)

    def test_defaults_are_complete_and_valid_in_the_norwegian_chart(self):
        rows = self.env["altinn.account.map"]._altinn_ensure_defaults(self.company)
        self.assertIn("2740", rows.mapped("code"))
        for row in rows:
            self.assertTrue(row.status_ok, f"{row.role}: {row.status}")
            if row.role == "tax_payments":
                # Without a code: Odoo's own account for payments waiting for the bank statement.
                self.assertFalse(row.code)
                outstanding = f"account.{self.company.id}_account_journal_payment_credit_account_id"
                self.assertEqual(row.resolved_account_id, self.env.ref(outstanding))
            else:
                self.assertEqual(row.resolved_account_id.code, row.code)

    def test_one_bad_document_does_not_stop_the_batch(self):
        """Wrong schema, unknown namespace, bad encoding, totals that don't add up: failed with a reason."""
        wrong_ns = vat_payment_xml("100").replace(b"betalingsinformasjon:v1.0", b"betalingsinformasjon:v9.9")
        bad_total = advance_tax_xml([(1, "2026-02-16", 60000, KID)]).replace(
            b"<sumForskuddsskatt>60000.00", b"<sumForskuddsskatt>70000.00"
        )
        bad_encoding = (
            b'<?xml version="1.0" encoding="UTF-8"?><betalingsinformasjon>\xff\xfe</betalingsinformasjon>'
        )
        docs = self.record(
            item("bad-1", "betalingsinformasjon.xml", wrong_ns),
            item("good-1", "betalingsinformasjon.xml", vat_payment_xml("100")),
            item("bad-2", "forskuddsskatt.xml", bad_total),
            item("bad-3", "betalingsinformasjon.xml", bad_encoding),
            item("bad-4", "betalingsinformasjon.xml", vat_payment_xml("100", org=ORG_OTHER)),
        )
        pipeline.process(docs)
        by_ref = {doc.reference: doc for doc in docs}
        self.assertEqual(by_ref["good-1"].state, "imported", by_ref["good-1"].error)
        self.assertTrue(by_ref["good-1"].move_id)
        for reference in ("bad-1", "bad-2", "bad-3", "bad-4"):
            doc = by_ref[reference]
            self.assertEqual(doc.state, "failed", reference)
            self.assertTrue(doc.error, reference)
            self.assertFalse(doc.move_ids, reference)
        self.assertIn("v9.9", by_ref["bad-1"].error)
        self.assertIn(ORG_OTHER, by_ref["bad-4"].error)

    def test_letter_is_to_read_and_can_become_a_vendor_bill(self):
        pdf = AltinnFile(
            name="faktura.pdf", mimetype="application/pdf", data=b"%PDF-1.4\n%%EOF\n", role=ROLE_ATTACHMENT
        )
        body = AltinnFile(
            name="melding.txt",
            mimetype="text/plain",
            data=b"Faktura for registrering",
            role=ROLE_BODY,
        )
        letter = item(
            "brev-1", "faktura.pdf", pdf.data, mimetype="application/pdf", title="Faktura", extra_files=[body]
        )
        doc = self.book(letter)
        self.assertEqual(doc.state, "to_read", doc.error)
        self.assertEqual(doc.doc_type, "other")
        self.assertFalse(doc.move_ids)
        action = doc.action_altinn_create_vendor_bill()
        bill = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(bill.move_type, "in_invoice")
        self.assertEqual(bill.state, "draft")
        self.assertEqual(bill.altinn_document_id, doc)
        self.assertEqual(bill.ref, "Faktura")
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", bill.id)]
        )
        self.assertIn("faktura.pdf", attachments.mapped("name"))
        # One click, one bill; the letter is dealt with.
        self.assertEqual(doc.action_altinn_create_vendor_bill()["res_id"], bill.id)
        self.assertEqual(doc.state, "imported")
        letter_type = self.env.ref("prisolve_altinn.mail_activity_type_altinn_letter")
        self.assertFalse(doc.activity_ids.filtered(lambda a: a.activity_type_id == letter_type))


@tagged("post_install", "-at_install")
class TestBookingMultiCompany(BookingCommon):
    with_second_company = True

    def test_each_company_books_in_its_own_ledger(self):
        """A document of the second company uses its chart, journal and mapping; the first sees none of it."""
        company_b = self.second_company
        doc_a = self.book(item("mc-a", "betalingsinformasjon.xml", vat_payment_xml("100")))
        doc_b = self.book(
            item("mc-b", "betalingsinformasjon.xml", vat_payment_xml("300", org=ORG_OTHER)), company=company_b
        )
        self.assertEqual(doc_b.state, "imported", doc_b.error)
        self.assertEqual(doc_b.company_id, company_b)
        self.assertEqual(doc_b.move_id.company_id, company_b)
        self.assertEqual(doc_b.move_id.journal_id, company_b.altinn_journal_id)
        self.assertNotEqual(company_b.altinn_journal_id, self.company.altinn_journal_id)
        self.assertEqual(self.lines_by_code(doc_b.move_id), {"2740": (300.0, 0.0), "2400": (0.0, 300.0)})
        for line in doc_b.move_id.line_ids:
            self.assertIn(company_b, line.account_id.company_ids)
        # The same payment information in the wrong company is refused, not booked.
        wrong = self.book(item("mc-c", "betalingsinformasjon.xml", vat_payment_xml("300", org=ORG_OTHER)))
        self.assertEqual(wrong.state, "failed")
        self.assertIn(ORG_OTHER, wrong.error)
        # Company A's accountant working in A only does not see B's booking lines or mapping.
        env_a = self.env(context=dict(self.env.context, allowed_company_ids=self.company.ids))
        self.assertFalse(env_a["altinn.document.line"].search([("document_id", "=", doc_b.id)]))
        self.assertTrue(env_a["altinn.document.line"].search([("document_id", "=", doc_a.id)]))
        self.assertFalse(env_a["altinn.account.map"].search([("company_id", "=", company_b.id)]))


@tagged("post_install", "-at_install")
class TestBookingNorwegian(BookingCommon):
    def test_refusal_in_norwegian(self):
        """The company's accountants read the refusal in Bokmål, with the code, whoever booked it."""
        self.env["res.lang"].sudo()._activate_lang("nb_NO")
        self.env["ir.module.module"].sudo()._load_module_terms(["prisolve_altinn"], ["nb_NO"], overwrite=True)
        self.company.partner_id.sudo().lang = "nb_NO"
        self.account("2540").sudo().code = "2549"
        docs = self.record(
            item("nb-1", "forskuddsskatt.xml", advance_tax_xml([(1, "2026-02-16", 60000, KID)]))
        )
        pipeline.process(docs.with_context(lang="en_US"))
        self.assertEqual(docs.state, "failed")
        self.assertIn("Konto 2540", docs.error)
        self.assertIn("finnes ikke i kontoplanen", docs.error)
