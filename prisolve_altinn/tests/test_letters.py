# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Letters and other documents with nothing to book: to read, with an activity, open with their PDF, read in
Odoo (and in Altinn when the person chooses); every document button answers."""

import base64
import importlib.util
from pathlib import Path

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..altinn import errors as altinn_errors
from ..altinn.types import ROLE_BODY, AltinnFile
from ..booking import pipeline
from ..models.altinn_document import LETTER_ACTIVITY, notice_kind
from ..services import recording
from .common import ORG_OWN, AltinnCommon, FakeAltinn3Transport, make_item

MIGRATION = Path(__file__).resolve().parents[1] / "migrations" / "18.0.1.2.0" / "post-migration.py"


@tagged("post_install", "-at_install")
class TestLetters(AltinnCommon):
    def setUp(self):
        real = pipeline.process
        super().setUp()
        self.patch(pipeline, "process", real)  # AltinnCommon stubs it
        self.company.sudo().altinn_responsible_user_id = self.accountant

    def record(self, *items):
        return recording.record_items(self.env["altinn.document"], self.company, items)[0]

    def book(self, *items):
        docs = self.record(*items)
        pipeline.book_documents(docs)
        return docs

    def letter_activities(self, docs):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "altinn.document"),
                ("res_id", "in", docs.ids),
                ("activity_type_id", "=", self.env.ref(LETTER_ACTIVITY).id),
            ]
        )

    def test_a_letter_is_to_read_and_opens_with_its_pdf(self):
        doc = self.book(make_item("AR-L1", title="Informasjon om skattekort"))
        self.assertEqual(doc.state, "to_read")
        self.assertFalse(doc.notice_kind)
        activity = self.letter_activities(doc)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.accountant)
        self.assertIn("Informasjon om skattekort", activity.note)
        self.assertNotIn("Needs attention", activity.note)
        self.assertEqual(base64.b64decode(doc.letter_pdf), b"%PDF-1.4 AR-L1")
        self.assertFalse(doc.letter_text)  # the PDF is the letter

        answer = doc.action_mark_read()
        self.assertEqual(answer["tag"], "display_notification")
        self.assertIn("1 letters marked as read", answer["params"]["message"])
        self.assertEqual(answer["params"]["next"]["tag"], "soft_reload")
        self.assertEqual(doc.state, "read")
        self.assertFalse(self.letter_activities(doc))
        self.assertIn("Nothing to do", doc.action_mark_read()["params"]["message"])

    def test_a_letter_without_pdf_shows_its_message(self):
        body = AltinnFile("message.txt", "text/plain", b"Hei <b>du</b>\nLes dette.", ROLE_BODY)
        doc = self.book(make_item("AR-L2", title="Brev", files=[body]))
        self.assertEqual(doc.state, "to_read")
        self.assertFalse(doc.letter_pdf)
        self.assertIn("Les dette.", doc.letter_text)
        self.assertNotIn("<b>", doc.letter_text)  # Altinn's text stays text

    def test_a_letter_that_needs_attention_says_so(self):
        titles = {
            "AR-L3": "Varsel om tvangsmulkt",
            "AR-L4": "Vedtak om endring av skattefastsettingen",
            "AR-L5": "Purring på ubetalt krav",
            "AR-L6": "Varsel om endring",
            "AR-L7": "Påminnelse om frist for skattemelding",
        }
        docs = self.book(*(make_item(ref, title=title) for ref, title in titles.items()))
        kinds = {doc.reference: doc.notice_kind for doc in docs}
        expected = {"AR-L3": "tvangsmulkt", "AR-L4": "vedtak", "AR-L5": "purring", "AR-L6": "varsel"}
        self.assertEqual(kinds, {**expected, "AR-L7": False})
        by_id = {doc.id: doc.reference for doc in docs}
        notes = {by_id[activity.res_id]: activity.note for activity in self.letter_activities(docs)}
        self.assertEqual(len(notes), 5)
        self.assertIn("Needs attention (Coercive fine)", notes["AR-L3"])
        self.assertNotIn("Needs attention", notes["AR-L7"])
        flagged = self.env["altinn.document"].search([("id", "in", docs.ids), ("notice_kind", "!=", False)])
        self.assertEqual(sorted(flagged.mapped("reference")), sorted(expected))

    def test_notice_words(self):
        self.assertEqual(notice_kind("Inkassovarsel", None, "Statens innkrevingssentral"), "purring")
        self.assertEqual(notice_kind("Brev", "skd-varsel-tvangsmulkt", "Skatteetaten"), "tvangsmulkt")
        self.assertEqual(notice_kind("VEDTAK", None, None), "vedtak")
        self.assertFalse(notice_kind("Informasjon om skattekort", "4136", "SKD"))
        self.assertFalse(notice_kind(None, None, None))

    def test_the_activity_is_written_in_the_company_language(self):
        self.env["res.lang"].sudo()._activate_lang("nb_NO")
        module = self.env["ir.module.module"].sudo().search([("name", "=", "prisolve_altinn")])
        module._update_translations(["nb_NO"])  # the selection labels, as installing the language does
        self.assertIn(self.env.lang, (None, "en_US"))
        doc = self.book(make_item("AR-L8", title="Varsel om tvangsmulkt"))
        note = self.letter_activities(doc).note
        self.assertIn("Les brevet", note)
        self.assertIn("Tvangsmulkt", note)

    def test_mark_read_in_altinn_only_when_chosen(self):
        self.make_altinn3(self.company)
        doc = self.book(make_item("correspondence:7d1c", title="Brev fra Skatteetaten"))
        doc.sudo().transport = "altinn3"
        self.assertTrue(doc.can_mark_read_in_altinn)
        doc.action_mark_read()
        self.assertEqual(doc.state, "read")
        self.assertNotIn("mark_seen", [call[0] for call in self.altinn.calls])  # Altinn's inbox untouched
        answer = doc.action_mark_read_in_altinn()
        self.assertIn("in Odoo and in Altinn", answer["params"]["message"])
        self.assertEqual(
            [call for call in self.altinn.calls if call[0] == "mark_seen"],
            [("mark_seen", ORG_OWN, "correspondence:7d1c")],
        )
        self.assertEqual(self.altinn.closed, 1)
        # A dialog (no Correspondence message) and an Altinn 2 letter have no read mark in Altinn.
        others = self.book(make_item("dialog:5e2a"), make_item("C7012004"))
        others.filtered(lambda d: d.reference.startswith("dialog:")).sudo().transport = "altinn3"
        self.assertFalse(any(others.mapped("can_mark_read_in_altinn")))
        self.assertIn("Nothing to do", others.action_mark_read_in_altinn()["params"]["message"])
        self.assertEqual(len([call for call in self.altinn.calls if call[0] == "mark_seen"]), 1)

    def test_altinn_refusing_the_read_mark_says_so_and_changes_nothing(self):
        self.make_altinn3(self.company)
        doc = self.book(make_item("correspondence:9b0f", title="Brev"))
        doc.sudo().transport = "altinn3"

        def unavailable(transport, item):
            raise altinn_errors.ServiceUnavailable("Correspondence mark as read: HTTP 503")

        self.patch(FakeAltinn3Transport, "mark_seen", unavailable)
        with self.assertRaisesRegex(UserError, "Altinn is unavailable right now"):
            doc.action_mark_read_in_altinn()
        self.assertEqual(doc.state, "to_read")
        self.assertEqual(len(self.letter_activities(doc)), 1)
        self.assertEqual(self.altinn.closed, 1)

    def test_every_document_button_answers(self):
        letter = self.record(make_item("AR-B1", title="Brev"))
        answer = letter.action_altinn_process()
        self.assertEqual(answer["tag"], "display_notification")
        self.assertIn("letters to read: 1", answer["params"]["message"])
        self.assertEqual(letter.state, "to_read")
        other = self.record(make_item("AR-B2"))
        self.assertIn("1 documents ignored", other.action_ignore()["params"]["message"])
        self.assertIn("1 documents are new again", other.action_reset()["params"]["message"])
        self.assertEqual(other.state, "new")
        self.assertIn("Nothing to do", letter.action_ignore()["params"]["message"])

    def test_migration_makes_set_aside_letters_to_read(self):
        letter, by_hand = self.record(make_item("AR-M1"), make_item("AR-M2"))
        letter.sudo().write({"state": "ignored", "doc_type": "other"})
        by_hand.sudo().write({"state": "ignored"})
        spec = importlib.util.spec_from_file_location("prisolve_altinn_migration_18_0_1_2_0", MIGRATION)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        self.env.flush_all()
        migration.migrate(self.env.cr, "18.0.1.1.0")
        self.env.invalidate_all()
        self.assertEqual((letter.state, by_hand.state), ("to_read", "ignored"))
