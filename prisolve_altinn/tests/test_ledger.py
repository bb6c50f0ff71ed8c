# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re
from datetime import date, datetime, timezone

from psycopg2 import IntegrityError

from odoo import Command, api, fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import format_date, mute_logger

from ..altinn import errors as altinn_errors
from ..altinn.types import ROLE_ATTACHMENT, ROLE_BODY, ROLE_FORM_DATA, AltinnFile, FetchFailure
from ..services import recording
from .common import ORG_CLIENT_1, ORG_OWN, AltinnCommon, make_item


@tagged("post_install", "-at_install")
class TestLedger(AltinnCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Document = cls.env["altinn.document"]

    def record(self, items, company=None):
        return recording.record_items(self.Document, company or self.company, items)

    def test_record_items_is_idempotent(self):
        new, known, failures = self.record([make_item("AR1"), make_item("AR2")])
        self.assertEqual(len(new), 2)
        self.assertFalse(known or failures)
        new2, known2, failures2 = self.record([make_item("AR1"), make_item("AR2"), make_item("AR3")])
        self.assertEqual(new2.mapped("reference"), ["AR3"])
        self.assertEqual(known2, new)
        self.assertFalse(failures2)
        self.assertEqual(self.Document.search_count([("company_id", "=", self.company.id)]), 3)

    def test_same_reference_twice_in_one_batch(self):
        new, known, _failures = self.record([make_item("AR10"), make_item("AR10")])
        self.assertEqual(len(new), 1)
        self.assertEqual(known, new)

    def test_known_items_cost_no_query_each(self):
        """The existing references of a chunk are read in one query, however many are known."""
        self.record([make_item(f"AR-Q{i}") for i in range(30)])
        self.env.invalidate_all()

        def queries(count):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.record([make_item(f"AR-Q{i}") for i in range(count)])
            return self.env.cr.sql_log_count - before

        queries(3)  # warm the caches (rules, metadata)
        self.assertEqual(queries(3), queries(30))

    def test_many_items_are_read_and_written_a_chunk_at_a_time(self):
        from ..services.recording import RECORD_CHUNK_SIZE

        # One known row and one incomplete row among them.
        self.record([make_item("AR-C0005"), FetchFailure("AR-C0007", "x", RuntimeError("boom"))])
        count = 2 * RECORD_CHUNK_SIZE + 50
        references = [f"AR-C{number:04d}" for number in range(count)]
        rows_when_read = {}

        def items():
            for number, reference in enumerate(references):
                if number % RECORD_CHUNK_SIZE == 0:
                    rows_when_read[number] = self.Document.search_count([("reference", "=like", "AR-C%")])
                yield make_item(reference)
            yield make_item("AR-C0001")  # seen again in the last chunk

        new, known, failures = self.record(items())
        # Lazily: a chunk is written before the next one is read.
        self.assertEqual(
            rows_when_read,
            {0: 2, RECORD_CHUNK_SIZE: RECORD_CHUNK_SIZE, 2 * RECORD_CHUNK_SIZE: 2 * RECORD_CHUNK_SIZE},
        )
        self.assertEqual(new.mapped("reference"), [ref for ref in references if ref != "AR-C0005"])
        self.assertEqual(known.mapped("reference"), ["AR-C0005", "AR-C0001"])
        self.assertFalse(failures)
        self.assertEqual(self.Document.search_count([("reference", "=like", "AR-C%")]), count)
        self.assertEqual(set(new.mapped("state")), {"new"})
        self.assertFalse(any(new.mapped("incomplete")))
        self.assertEqual(len(new.raw_attachment_id), len(new))
        self.assertEqual(new.raw_attachment_id.mapped("res_id"), new.ids)
        self.assertEqual(len(new.attachment_ids), 3 * len(new))
        self.assertEqual([len(doc._altinn_files()) for doc in new[:3]], [2, 2, 2])

    def test_a_bad_item_fails_alone_in_its_batch(self):
        # PostgreSQL refuses NUL in text: the batch's INSERT fails, the retry item by item finds the culprit.
        bad_file = AltinnFile("bad\x00name.pdf", "application/pdf", b"%PDF-1.4 x", ROLE_ATTACHMENT)
        with mute_logger("odoo.sql_db", "odoo.addons.prisolve_altinn.models.altinn_document"):
            new, known, failures = self.record(
                [make_item("AR-B1"), make_item("AR-B2", files=[bad_file]), make_item("AR-B3")]
            )
        self.assertEqual(new.mapped("reference"), ["AR-B1", "AR-B3"])
        self.assertFalse(known)
        self.assertEqual([failure.reference for failure in failures], ["AR-B2"])
        failed = self.Document.search([("reference", "=", "AR-B2")])
        self.assertEqual(
            (failed.state, failed.incomplete, failed.attachment_ids),
            ("failed", True, self.env["ir.attachment"]),
        )
        self.assertEqual(len(new.attachment_ids), 6)
        # Next time it comes through whole: the failed row is completed.
        new, _known, failures = self.record([make_item("AR-B2")])
        self.assertEqual((new, failures), (failed, []))
        self.assertEqual((failed.state, failed.incomplete), ("new", False))

    def test_a_reference_recorded_concurrently_is_known(self):
        """Another transaction records the item between our lookup and our insert."""
        doc = self.record([make_item("AR-U1")])[0]
        self.patch(recording, "_existing_documents", lambda documents, company, references: {})
        with mute_logger("odoo.sql_db"):
            new, known, failures = self.record([make_item("AR-U1"), make_item("AR-U2")])
        self.assertEqual((new.mapped("reference"), known, failures), (["AR-U2"], doc, []))
        self.assertEqual(self.Document.search_count([("reference", "=", "AR-U1")]), 1)

    def test_recording_writes_no_chatter_but_later_changes_are_tracked(self):
        # The test classes turn mail off: on again, as in production.
        mail_keys = ("tracking_disable", "mail_create_nolog", "mail_create_nosubscribe", "mail_notrack")
        documents = self.Document.with_context(**dict.fromkeys(mail_keys, False))
        items = [make_item("AR-M1"), FetchFailure("AR-M2", "x", RuntimeError("boom"))]
        doc = recording.record_items(documents, self.company, items)[0]
        failed = documents.search([("reference", "=", "AR-M2")])
        recording.record_items(documents, self.company, [make_item("AR-M2")])  # completes the failed row
        self.env.cr.flush()  # tracking is written by the precommit hooks
        self.assertFalse((doc | failed).message_ids or (doc | failed).message_follower_ids)
        doc.action_ignore()
        self.env.cr.flush()
        doc.invalidate_recordset(["message_ids"])
        self.assertEqual(doc.message_ids.sudo().tracking_value_ids.field_id.name, "state")

    def test_same_reference_in_another_company(self):
        self.record([make_item("AR20")])
        new, known, _failures = self.record([make_item("AR20", ORG_CLIENT_1)], self.client_1)
        self.assertEqual(len(new), 1)
        self.assertFalse(known)
        self.assertEqual(new.company_id, self.client_1)

    def test_unique_reference_per_company_in_sql(self):
        self.Document.create({"company_id": self.company.id, "reference": "AR30", "title": "One"})
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.env.cr.savepoint():
            self.Document.create({"company_id": self.company.id, "reference": "AR30", "title": "Two"})

    def test_fields_from_the_item(self):
        item = make_item("AR40", title="Forskuddsskatt 2025", kind="form", due_date=date(2026, 2, 16))
        doc = self.record([item])[0]
        self.assertEqual(doc.title, "Forskuddsskatt 2025")
        # The title and the day in Norway; Altinn's reference is on the technical tab.
        self.assertEqual(doc.display_name, f"Forskuddsskatt 2025 ({format_date(self.env, date(2026, 3, 1))})")
        self.assertEqual((doc.kind, doc.transport, doc.state), ("form", "altinn2", "new"))
        self.assertEqual((doc.service_code, doc.service_edition), ("4503", 2))
        self.assertEqual((doc.sender, doc.reportee), ("Skatteetaten", ORG_OWN))
        self.assertEqual(doc.due_date, date(2026, 2, 16))
        # Aware times are converted to UTC; naive ones are Altinn's local time (Oslo, UTC+1 in March).
        self.assertEqual(doc.date_created, datetime(2026, 3, 1, 10, 0))
        self.assertEqual(doc.date_archived, datetime(2026, 3, 2, 9, 0))

    def test_files_round_trip_with_roles(self):
        files = [
            AltinnFile("form.xml", "application/xml", b"<Skjema/>", ROLE_FORM_DATA),
            AltinnFile("body.html", "text/html", "<p>Hei på deg</p>".encode(), ROLE_BODY),
            AltinnFile("vedlegg.pdf", "application/pdf", b"%PDF-1.4 x", ROLE_ATTACHMENT),
        ]
        doc = self.record([make_item("AR50", files=files)])[0]
        self.assertEqual(doc._altinn_files(), files)
        raw = doc.raw_attachment_id
        self.assertEqual(
            (raw.name, raw.res_model, raw.res_id), ("altinn-AR50.xml", "altinn.document", doc.id)
        )
        self.assertIn(b"AR50", raw.raw)
        self.assertEqual(len(doc.attachment_ids), 4)
        # The Files tab: the document's files, not Altinn's description of the item.
        self.assertEqual(sorted(doc.file_ids.mapped("name")), sorted(file.name for file in files))
        self.assertEqual(set(doc.attachment_ids.mapped("company_id")), {self.company})
        # What Odoo serves to a non-administrator: HTML/XML as plain text (no stored XSS).
        body = doc.attachment_ids.filtered(lambda a: a.name == "body.html")
        self.assertEqual(body.mimetype, "text/plain")

    def test_file_names_hold_no_colon(self):
        """Altinn 3's references ("dialog:…") and odd names make file names a person can save anywhere."""
        files = [AltinnFile("krav: 2026/1.json", "application/json", b"{}", ROLE_ATTACHMENT)]
        doc = self.record([make_item("dialog:7b3d-11", files=files)])[0]
        names = doc.attachment_ids.mapped("name")
        self.assertIn("altinn-dialog-7b3d-11.xml", names)
        self.assertIn("krav- 2026-1.json", names)
        self.assertFalse([name for name in names if set(name) & set(':/\\<>|?*"')])

    def test_the_day_of_an_altinn_time_is_the_day_in_norway(self):
        """23:30 UTC on 1 March is 2 March in Oslo: names and texts say 2 March."""
        item = make_item("AR41", title="Brev", created=datetime(2026, 3, 1, 23, 30, tzinfo=timezone.utc))
        doc = self.record([item])[0]
        self.assertEqual(doc.display_name, f"Brev ({format_date(self.env, date(2026, 3, 2))})")

    def test_a_large_image_is_kept_byte_for_byte(self):
        """Odoo shrinks an uploaded image wider than 1920 px; the ledger keeps what Altinn sent."""
        import io

        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", (2400, 40), "white").save(buffer, format="PNG")
        png = buffer.getvalue()
        files = [AltinnFile("skann.png", "image/png", png, ROLE_ATTACHMENT)]
        doc = self.record([make_item("AR52", files=files)])[0]
        self.assertEqual(doc._altinn_files()[0].data, png)
        # What the same file becomes through Odoo's ordinary upload (the difference this test is about).
        uploaded = self.env["ir.attachment"].create(
            {"name": "skann.png", "raw": png, "mimetype": "image/png"}
        )
        self.assertNotEqual(uploaded.raw, png)

    def test_ledger_files_go_through_ir_attachment_create(self):
        """Every file of the ledger is made by ``ir.attachment.create`` (one call for the chunk), so the
        create steps of other modules (document management, indexing) see it, in the filestore and with
        database storage; the files read back as they came."""
        files = [
            AltinnFile("form.xml", "application/xml", b"<Skjema/>", ROLE_FORM_DATA),
            AltinnFile("body.html", "text/html", "<p>Hei på deg</p>".encode(), ROLE_BODY),
            AltinnFile("notat.txt", "text/plain", b"Betal innen fristen", ROLE_ATTACHMENT),
            AltinnFile("tom.pdf", "application/pdf", b"", ROLE_ATTACHMENT),
        ]
        Attachment = type(self.env["ir.attachment"])
        original = Attachment.create
        seen = []

        @api.model_create_multi
        def create(model, vals_list):
            attachments = original(model, vals_list)
            seen.append(attachments.filtered(lambda a: a.res_model == "altinn.document").ids)
            return attachments

        self.patch(Attachment, "create", create)
        for number, location in enumerate(("file", "db")):
            with self.subTest(storage=location):
                self.env["ir.config_parameter"].sudo().set_param("ir_attachment.location", location)
                seen.clear()
                docs = self.record([make_item(f"AR6{number}{n}", files=files) for n in range(2)])[0]
                made = docs.attachment_ids
                self.assertEqual(len(made), 10)  # the files and the raw description of each
                self.assertEqual(seen, [sorted(made.ids)])
                for doc in docs:
                    self.assertEqual(doc._altinn_files(), files)
                    stored = doc.attachment_ids.sorted("id")
                    self.assertEqual(
                        [bool(attachment.store_fname) for attachment in stored],
                        [location == "file" and bool(f.data) for f in files] + [location == "file"],
                    )

    def test_json_raw_description(self):
        item = make_item("AR51", raw=False)
        item.raw = b'{"id": "AR51"}'
        doc = self.record([item])[0]
        self.assertEqual(doc.raw_attachment_id.mimetype, "application/json")
        self.assertTrue(doc.raw_attachment_id.name.endswith(".json"))

    def test_fetch_failure_is_visible_and_retried(self):
        failure = FetchFailure("AR60", "Brev", altinn_errors.ServiceUnavailable(error_guid="g-60"))
        new, known, failures = self.record([failure])
        self.assertFalse(new or known)
        self.assertEqual(failures, [failure])
        doc = self.Document.search([("reference", "=", "AR60")])
        self.assertEqual((doc.state, doc.incomplete, doc.title), ("failed", True, "Brev"))
        self.assertIn("g-60", doc.error)
        # Failing again changes nothing; succeeding completes the same row.
        self.record([failure])
        self.assertEqual(self.Document.search_count([("reference", "=", "AR60")]), 1)
        new, _known, _failures = self.record([make_item("AR60")])
        self.assertEqual(new, doc)
        self.assertEqual((doc.state, doc.incomplete, doc.error), ("new", False, False))
        self.assertEqual(len(doc._altinn_files()), 2)

    def test_known_document_failing_to_download_stays_known(self):
        doc = self.record([make_item("AR61")])[0]
        new, known, failures = self.record([FetchFailure("AR61", "x", RuntimeError("boom"))])
        self.assertEqual((new, known, failures), (self.Document, doc, []))
        self.assertEqual(doc.state, "new")

    def test_moves_link_both_ways(self):
        doc = self.record([make_item("AR70")])[0]
        journal = self.company_data["default_journal_misc"]
        account = self.company_data["default_account_revenue"]
        moves = self.env["account.move"].create(
            [
                {
                    "journal_id": journal.id,
                    "altinn_document_id": doc.id,
                    "line_ids": [
                        (0, 0, {"account_id": account.id, "debit": 100.0 * n}),
                        (
                            0,
                            0,
                            {
                                "account_id": self.company_data["default_account_expense"].id,
                                "credit": 100.0 * n,
                            },
                        ),
                    ],
                }
                for n in (1, 2)
            ]
        )
        doc.write({"move_id": moves[0].id, "state": "imported"})
        self.assertEqual(doc.move_ids, moves)
        self.assertEqual(doc.move_count, 2)
        action = doc.action_view_moves()
        self.assertEqual(self.env["account.move"].search(action["domain"]), moves)
        action = moves[1].action_open_altinn_document()
        self.assertEqual((action["res_model"], action["res_id"]), ("altinn.document", doc.id))
        # A document with journal entries is kept.
        with self.assertRaises(UserError):
            doc.sudo().unlink()
        self.assertFalse(moves[0].copy().altinn_document_id)

    def test_bilag_opens_a_list_of_entries(self):
        """Bilag opens the journal entries (even one) in the entries' list, not the vendor bills': date, the
        debt's due date from its lines (not "today"), KID, amount and draft/posted."""
        doc = self.record([make_item("AR71")])[0]
        due = fields.Date.to_date("2026-10-10")
        move = self.env["account.move"].create(
            {
                "journal_id": self.company_data["default_journal_misc"].id,
                "altinn_document_id": doc.id,
                "date": "2026-09-01",
                "payment_reference": "2025910000000015",
                "line_ids": [
                    Command.create(
                        {"account_id": self.company_data["default_account_expense"].id, "debit": 250.0}
                    ),
                    Command.create(
                        {
                            "account_id": self.company_data["default_account_payable"].id,
                            "credit": 250.0,
                            "date_maturity": due,
                        }
                    ),
                ],
            }
        )
        action = doc.action_view_moves()
        self.assertEqual(action["view_mode"], "list,form")
        self.assertEqual(self.env["account.move"].search(action["domain"]), move)
        view = self.env["ir.ui.view"].browse(action["views"][0][0])
        self.assertEqual(action["views"][0][1], "list")
        arch = self.env["account.move"].get_view(view.id, "list")["arch"]
        columns = re.findall(r'<field name="(\w+)"', arch)
        for column in ("date", "altinn_due_date", "payment_reference", "amount_total_signed", "state"):
            self.assertIn(column, columns)
        self.assertNotIn("invoice_date_due", columns)
        self.assertEqual(move.altinn_due_date, due)
        self.assertEqual(move.amount_total_signed, 250.0)

    def test_ignore_and_reset(self):
        doc = self.record([make_item("AR80")])[0]
        doc.action_ignore()
        self.assertEqual(doc.state, "ignored")
        doc.action_reset()
        self.assertEqual(doc.state, "new")
        self.record([FetchFailure("AR81", "x", RuntimeError("boom"))])
        failed = self.Document.search([("reference", "=", "AR81")])
        failed.action_ignore()
        self.assertEqual(failed.state, "ignored")
        failed.action_reset()  # nothing was downloaded: it cannot become new
        self.assertEqual(failed.state, "ignored")

    def test_upload_transport_reuses_the_recording(self):
        item = make_item("sha256:abc", raw=False)
        item.transport = "upload"
        doc = self.record([item])[0]
        self.assertEqual((doc.transport, doc.raw_attachment_id.id), ("upload", False))

    def test_search_view_filters(self):
        self.record([make_item("AR95"), FetchFailure("AR96", "x", RuntimeError("boom"))])
        failed = self.Document.search([("state", "=", "failed")])
        self.assertEqual(failed.mapped("reference"), ["AR96"])
        self.assertEqual(self.Document.search([("sender", "ilike", "skatte")]).mapped("reference"), ["AR95"])
        found = self.Document.name_search("AR95")
        # Found by its reference, named by its title and day.
        self.assertEqual(
            [name for _id, name in found], [f"Message AR95 ({format_date(self.env, date(2026, 3, 1))})"]
        )
