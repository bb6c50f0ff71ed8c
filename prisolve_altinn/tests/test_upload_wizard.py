# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import io
import zipfile

from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from ..altinn.parsers.kid import make_kid_mod10
from .booking_common import BookingCommon, advance_tax_xml, claim, claims_json, vat_payment_xml
from .common import ORG_OTHER

KID = make_kid_mod10("2025911158612001")


@tagged("post_install", "-at_install")
class TestUploadWizard(BookingCommon):
    def _upload(self, filename, data, **vals):
        wizard = self.env["altinn.upload.wizard"].create(
            {
                "company_id": self.company.id,
                "file": base64.b64encode(data),
                "filename": filename,
                **vals,
            }
        )
        action = wizard.action_import()
        if action.get("res_id"):
            return self.env["altinn.document"].browse(action["res_id"])
        return self.env["altinn.document"].search(action["domain"])

    @staticmethod
    def _zip(files):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, data in files.items():
                archive.writestr(name, data)
        return buffer.getvalue()

    def test_upload_xml_books_it(self):
        doc = self._upload("betalingsinformasjon.xml", vat_payment_xml("2500"))
        self.assertEqual(doc.transport, "upload")
        self.assertEqual(doc.company_id, self.company)
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertEqual(self.lines_by_code(doc.move_id), {"2740": (2500.0, 0.0), "2400": (0.0, 2500.0)})
        self.assertEqual(doc.attachment_ids.mapped("name"), ["betalingsinformasjon.xml"])

    def test_upload_again_is_a_no_op(self):
        data = vat_payment_xml("2500")
        first = self._upload("betalingsinformasjon.xml", data)
        count = self.env["account.move"].search_count([])
        docs = self.env["altinn.document"].search_count([])
        second = self._upload("betalingsinformasjon (1).xml", data)
        self.assertEqual(second, first)
        self.assertEqual(self.env["altinn.document"].search_count([]), docs)
        self.assertEqual(self.env["account.move"].search_count([]), count)

    def test_upload_zip(self):
        data = self._zip(
            {
                "forskuddsskatt.xml": advance_tax_xml([(1, "2026-02-16", 60000, KID)]),
                "krav/krav.json": claims_json([claim("K-UP", "RESTSKATT", 900)]),
                "kvittering.pdf": b"%PDF-1.4\n%%EOF\n",
                "notes.docx": b"PK-not-accepted",
            }
        )
        docs = self._upload("altinn.zip", data)
        self.assertEqual(len(docs), 3)
        by_type = {doc.doc_type: doc for doc in docs}
        self.assertEqual(by_type["advance_tax"].state, "imported")
        self.assertEqual(by_type["tax_claims"].state, "imported")
        self.assertEqual(by_type["other"].state, "to_read")
        self.assertEqual(len(docs.move_ids), 2)

    def test_file_of_another_organisation_is_refused(self):
        with self.assertRaisesRegex(UserError, ORG_OTHER):
            self._upload("betalingsinformasjon.xml", vat_payment_xml("2500", org=ORG_OTHER))
        self.assertFalse(self.env["altinn.document"].search([("transport", "=", "upload")]))

    def test_not_an_accepted_file(self):
        with self.assertRaises(UserError):
            self._upload("bilde.png", b"\x89PNG\r\n\x1a\n")

    def test_broken_file_is_a_failed_document(self):
        doc = self._upload(
            "betalingsinformasjon.xml", b"<betalingsinformasjon xmlns='x'><oops></betalingsinformasjon>"
        )
        self.assertEqual(doc.state, "failed")
        self.assertTrue(doc.error)

    def test_book_later_through_the_cron(self):
        doc = self._upload("betalingsinformasjon.xml", vat_payment_xml("2500"), process_now=False)
        self.assertEqual(doc.state, "new")
        self.assertFalse(doc.move_ids)
        self.env["altinn.document"]._cron_altinn_process()
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertTrue(doc.move_id)

    def test_a_user_without_an_email_address_books_with_notes(self):
        """Odoo refuses a message from an author without an email address; the booking's notes still come,
        from the company's address, with the user as author."""
        self.accountant.sudo().partner_id.email = False
        self.company.sudo().email = "post@eksempel.no"
        first = self._upload("betalingsinformasjon.xml", vat_payment_xml("2500", reference="5026/first"))
        self.assertEqual(first.state, "imported", first.error)
        second = self._upload("betalingsinformasjon-kopi.xml", vat_payment_xml("2500", reference="5026/copy"))
        self.assertEqual(second.state, "duplicate", second.error)
        notes = second.message_ids.filtered(
            lambda message: message.body and first.display_name in message.body
        )
        self.assertEqual(len(notes), 1, second.message_ids.mapped("body"))
        self.assertEqual(notes.author_id, self.accountant.partner_id)
        self.assertIn("post@eksempel.no", notes.email_from)

    def test_only_companies_of_the_company_switcher_are_offered(self):
        """A Settings administrator reads every company, but uploads only to those of the company switcher:
        the field offers them only, and another company is refused in one sentence."""
        admin = new_test_user(
            self.env(su=True),
            login="altinn_upload_admin",
            groups="base.group_user,base.group_system,account.group_account_manager",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        other = self.env["res.company"].sudo().create({"name": "Annen AS"})
        env = self.env(user=admin, context={"allowed_company_ids": self.company.ids})
        self.assertIn(other, env["res.company"].search([]))  # Odoo: Settings administrators read them all
        Wizard = env["altinn.upload.wizard"]
        domain = Wizard.fields_get(["company_id"])["company_id"]["domain"]
        self.assertEqual(domain, "[('id', 'in', allowed_company_ids)]")
        self.assertEqual(Wizard.default_get(["company_id"])["company_id"], self.company.id)
        with self.assertRaises(AccessError) as error:
            other.with_env(env)._altinn_check_company_access()
        self.assertIn("company switcher", str(error.exception))


@tagged("post_install", "-at_install")
class TestUploadDamagedFiles(BookingCommon):
    """A damaged or cut-off file: a Norwegian sentence that says what to do, the parser's words for support
    on their own line, and a failed count in the fetch log (issue 24, item 6; issue 26)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"].sudo()._activate_lang("nb_NO")
        cls.company.partner_id.sudo().lang = "nb_NO"
        cls.env.user.sudo().lang = "nb_NO"
        cls.env = cls.env(context=dict(cls.env.context, lang="nb_NO"))

    def _wizard(self, filename, data, **vals):
        return self.env["altinn.upload.wizard"].create(
            {"company_id": self.company.id, "file": base64.b64encode(data), "filename": filename, **vals}
        )

    def _upload(self, filename, data, **vals):
        action = self._wizard(filename, data, **vals).action_import()
        if action.get("res_id"):
            return self.env["altinn.document"].browse(action["res_id"])
        return self.env["altinn.document"].search(action["domain"])

    def _log(self):
        return self.env["altinn.fetch.log"].search(
            [("company_id", "=", self.company.id), ("trigger", "=", "upload")], order="id desc", limit=1
        )

    def test_cut_off_file_says_what_to_do_and_counts_as_failed(self):
        data = vat_payment_xml("2500")
        doc = self._upload("betalingsinformasjon.xml", data[: len(data) * 2 // 3])
        self.assertEqual(doc.state, "failed")
        headline, details = doc.error.split("\n")
        self.assertIn("skadet eller avkortet", headline)
        self.assertIn("last den ned på nytt", headline)
        self.assertNotIn("line", headline)  # lxml's words are not the headline…
        self.assertTrue(details.startswith("Detaljer for brukerstøtte: "), details)
        self.assertIn("line", details)  # …but kept for support
        log = self._log()
        self.assertEqual((log.outcome, log.new_count, log.failed_count), ("error", 1, 1))
        self.assertIn("skadet eller avkortet", log.message)

    def test_refused_file_counts_as_failed_when_booked_later(self):
        good = vat_payment_xml("2500")
        zipped = TestUploadWizard._zip({"ok.xml": good, "krav.json": b'{"partIdentifikator": "9'})
        docs = self._upload("altinn.zip", zipped, process_now=False)
        self.assertEqual(len(docs), 2)
        log = self._log()
        self.assertEqual((log.outcome, log.new_count, log.failed_count), ("warning", 2, 1))
        self.assertIn("krav.json", log.message)
        self.assertIn("skadet eller avkortet (ikke gyldig JSON)", log.message)
        self.assertIn("Detaljer for brukerstøtte: Unterminated string", log.message)  # the parser's words

    def test_damaged_zip_is_a_norwegian_refusal_not_a_traceback(self):
        good = TestUploadWizard._zip({"betalingsinformasjon.xml": vat_payment_xml("2500") * 20})
        cases = {
            "cut.zip": good[: len(good) // 2],
            "flipped.zip": good[:60] + bytes(b ^ 0xFF for b in good[60:90]) + good[90:],
            "junk.zip": b"PK\x03\x04" + b"\x00" * 40,
        }
        for name, data in cases.items():
            with self.subTest(name), self.assertRaises(UserError) as info:
                self._upload(name, data)
            message = info.exception.args[0]
            self.assertIn(name, message)
            self.assertTrue("skadet" in message or "kan ikke pakkes ut" in message, f"{name}: {message}")
        self.assertFalse(self.env["altinn.document"].search([("transport", "=", "upload")]))
