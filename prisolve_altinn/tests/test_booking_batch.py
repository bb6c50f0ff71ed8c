# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Documents booked together (BookingBatch): one create per model, duplicates and refusals inside a batch,
the one-by-one fallback, the entry's voucher and chatter, and the booked-line lookup."""

from decimal import Decimal

from odoo import api, models
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from ..altinn.parsers.kid import make_kid_mod10
from ..altinn.types import ROLE_ATTACHMENT, AltinnFile
from ..booking import pipeline
from ..booking.batch import BookingBatch, stored_lines
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
from .common import ORG_OTHER, ORG_OWN

PDF = b"%PDF-1.4\n%%EOF\n"
MAIL_KEYS = ("tracking_disable", "mail_create_nolog", "mail_create_nosubscribe", "mail_notrack")


def vat_kid(number, org=ORG_OWN):
    return make_kid_mod10(f"34{org}{number:04d}")


def vat_data(number, amount="1000", org=ORG_OWN):
    """A VAT payment notice of its own (KID and submission reference unique per ``number``)."""
    return vat_payment_xml(
        amount, kid=vat_kid(number, org), org=org, reference=f"5026{number:04d}/batch-test"
    )


def vat_item(number, amount="1000", org=ORG_OWN, reference=None, extra_files=()):
    return item(
        reference or f"BATCH-{number}",
        "betalingsinformasjon.xml",
        vat_data(number, amount, org),
        extra_files=extra_files,
    )


def pdf_file(name):
    return AltinnFile(name=name, mimetype="application/pdf", data=PDF + name.encode(), role=ROLE_ATTACHMENT)


# What differs between two rows made of the same values: the id and the times they were written.
ROW_IDENTITY = ("id", "create_date", "write_date")


def table_columns(cr, table, exclude=()):
    """Every column of ``table`` in the database, in their order, but ``exclude``."""
    cr.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = %s ORDER BY ordinal_position",
        [table],
    )
    return [name for (name,) in cr.fetchall() if name not in exclude]


def table_rows(cr, table, columns, ids):
    """The rows ``ids`` of ``table``, by id, as {column: value}."""
    cr.execute(
        SQL(
            "SELECT %s FROM %s WHERE id = ANY(%s) ORDER BY id",
            SQL(", ").join(SQL.identifier(name) for name in columns),
            SQL.identifier(table),
            list(ids),
        )
    )
    return [dict(zip(columns, row, strict=True)) for row in cr.fetchall()]


@tagged("post_install", "-at_install")
class TestBookingBatch(BookingCommon):
    def setUp(self):
        super().setUp()
        self.Move = type(self.env["account.move"])
        self.Line = type(self.env["altinn.document.line"])
        self.Doc = type(self.env["altinn.document"])

    def count_creates(self, model_class, method="create"):
        """Count the calls of ``model_class``'s ``create`` (or ``method``, which creates from a list of
        values the same way): a list of the sizes of the lists created."""
        calls = []
        original = getattr(model_class, method)

        def create(records, vals_list):
            calls.append(len(vals_list))
            return original(records, vals_list)

        self.patch(model_class, method, api.model_create_multi(create) if method == "create" else create)
        return calls

    def booked_line(self, doc):
        return doc.line_ids.filtered(lambda line: line.state == "booked")

    def moves_of(self, docs):
        return self.env["account.move"].search([("altinn_document_id", "in", docs.ids)])

    def attachments_of(self, move):
        return self.env["ir.attachment"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", move.id)]
        )

    # ------------------------------------------------------------------
    def test_documents_booked_together_with_one_create(self):
        """Four VAT notices: one entry each, written with one account.move create and one line create."""
        docs = self.record(*(vat_item(n, amount=str(1000 + n)) for n in range(1, 5)))
        self.assertEqual(len(docs), 4)
        move_creates = self.count_creates(self.Move)
        line_creates = self.count_creates(self.Line)
        line_inserts = self.count_creates(self.Line, "_altinn_insert")
        pipeline.process(docs)
        self.assertEqual(move_creates, [4])
        self.assertEqual(line_inserts, [4])
        self.assertEqual(line_creates, [])
        for number, doc in enumerate(docs, start=1):
            self.assertEqual(doc.state, "imported", doc.error)
            self.assertFalse(doc.error)
            self.assertEqual(doc.doc_type, "vat_payment")
            self.assertEqual(len(doc.move_ids), 1)
            self.assertEqual(doc.move_id, doc.move_ids)
            self.assertBalanced(doc.move_id)
            amount = 1000.0 + number
            self.assertEqual(self.lines_by_code(doc.move_id), {"2740": (amount, 0.0), "2400": (0.0, amount)})
            self.assertEqual(doc.move_id.payment_reference, vat_kid(number))
            self.assertEqual(doc.move_id.altinn_document_id, doc)
            booked = self.booked_line(doc)
            self.assertEqual(len(booked), 1)
            self.assertEqual(
                (booked.move_id, booked.kid, booked.amount), (doc.move_id, vat_kid(number), amount)
            )
            self.assertTrue(booked.booking_key)
        self.assertEqual(len(self.moves_of(docs)), 4)

    def test_the_same_notice_twice_in_one_batch_is_booked_once(self):
        """The same VAT payment under two references in one batch: one entry, the other is its duplicate."""
        docs = self.record(
            vat_item(10),
            vat_item(11, reference="BATCH-11-A"),
            vat_item(12),
            vat_item(11, reference="BATCH-11-B"),
        )
        first, second = (
            docs.filtered(lambda d, ref=ref: d.reference == ref) for ref in ("BATCH-11-A", "BATCH-11-B")
        )
        move_creates = self.count_creates(self.Move)
        pipeline.process(docs)
        self.assertEqual(move_creates, [3])  # found in the batch, not by a failed batch booked one by one
        self.assertEqual(first.state, "imported", first.error)
        self.assertEqual(len(first.move_ids), 1)
        self.assertEqual(second.state, "duplicate", second.error)
        self.assertFalse(second.move_ids)
        self.assertFalse(second.move_id)
        self.assertIn(first.display_name, second.booking_note)
        booked = self.booked_line(first)
        duplicate = second.line_ids
        self.assertEqual(len(duplicate), 1)
        self.assertEqual(duplicate.state, "duplicate")
        self.assertEqual(duplicate.duplicate_of_id, booked)
        self.assertFalse(duplicate.move_id)
        self.assertFalse(duplicate.booking_key)
        self.assertIn(first.display_name, duplicate.note)
        # One entry for the notice that came twice, one for each other notice.
        self.assertEqual(len(self.moves_of(docs)), 3)
        self.assertEqual(
            self.env["account.move"].search_count([("payment_reference", "=", vat_kid(11))]),
            1,
        )

    def test_a_claim_and_a_notice_with_the_same_kid_in_one_batch(self):
        """A forskuddsskatt notice and a claim with its KID in one batch: the claim is its duplicate."""
        kid = make_kid_mod10("2025911158612015")
        notice = item("fs-batch", "forskuddsskatt.xml", advance_tax_xml([(1, "2026-02-16", 60000, kid)]))
        claims = claims_item(
            "krav-batch",
            [
                claim(
                    "K-FS1",
                    "utskrevetForskuddsskatt",
                    60000,
                    instalments=[due("2026-02-16", 60000, kid=kid)],
                ),
                claim("K-REST", "RESTSKATT", 700),
            ],
        )
        docs = self.record(notice, claims, vat_item(20))
        notice_doc, claims_doc, vat_doc = docs
        move_creates = self.count_creates(self.Move)
        pipeline.process(docs)
        self.assertEqual(move_creates, [3])
        self.assertEqual(notice_doc.state, "imported", notice_doc.error)
        self.assertEqual(len(notice_doc.move_ids), 1)
        self.assertEqual(vat_doc.state, "imported", vat_doc.error)
        # The claim document books its other claim and records the advance-tax one as a duplicate.
        self.assertEqual(claims_doc.state, "imported", claims_doc.error)
        self.assertEqual(len(claims_doc.move_ids), 1)
        self.assertEqual(
            self.lines_by_code(claims_doc.move_ids), {"2510": (700.0, 0.0), "2400": (0.0, 700.0)}
        )
        duplicate = claims_doc.line_ids.filtered(lambda line: line.identifier == "K-FS1")
        self.assertEqual(duplicate.state, "duplicate")
        self.assertEqual(duplicate.duplicate_of_id, self.booked_line(notice_doc))
        self.assertFalse(duplicate.move_id)
        self.assertIn(notice_doc.display_name, claims_doc.booking_note)
        self.assertEqual(self.env["account.move"].search_count([("payment_reference", "=", kid)]), 1)

    def test_document_lines_are_the_rows_create_makes(self):
        """The batch inserts its document lines itself (one statement): each row must be what the ORM's
        ``create`` makes of the same values: defaults, the document's company, amounts (0.0 for an empty
        one, NULL for none given), dates, entries and other lines referred to; every column of the table is
        compared, whoever added it."""
        kid = make_kid_mod10("2025911158612031")
        docs = self.book(
            item("fs-rows", "forskuddsskatt.xml", advance_tax_xml([(1, "2026-02-16", 60000, kid)])),
            claims_item(
                "krav-rows",
                [
                    claim("K-R1", "utskrevetForskuddsskatt", 60000, instalments=[due("2026-02-16", 60000)]),
                    claim("K-R2", "RESTSKATT", 700.5),
                ],
            ),
            vat_item(40),
        )
        lines = docs.line_ids
        self.assertTrue(lines.filtered("duplicate_of_id") and lines.filtered("move_id"))
        Line = self.env["altinn.document.line"]
        names = [
            name
            for name, field in Line._fields.items()
            if field.store and field.column_type and name not in models.MAGIC_COLUMNS and name != "company_id"
        ]
        vals_list = [{name: vals[name] for name in names} for vals in lines.read(names, load=False)]
        # Only what a booker gives: no sequence or state (defaults), an amount of more decimals, none open.
        vals_list.append(
            {
                "document_id": docs[2].id,
                "kind": "claim",
                "name": "Restskatt",
                "amount": Decimal("1234.565"),
                "open_amount": False,
                "due_date": "2026-03-10",
            }
        )
        made = {}
        for how, create in (("orm", Line.create), ("insert", Line._altinn_insert)):
            # The booking key is unique per company: each copy gets its own.
            made[how] = create(
                [
                    dict(vals, booking_key=vals.get("booking_key") and f"{vals['booking_key']}/{how}")
                    for vals in vals_list
                ]
            )
        self.env.flush_all()
        cr = self.env.cr

        def rows_made():
            # Every column of the table, whoever added it (an Odoo release, another module's stored
            # field), but what differs between two rows of the same values: id, times, the booking key.
            columns = table_columns(cr, "altinn_document_line", exclude=(*ROW_IDENTITY, "booking_key"))
            return {
                how: table_rows(cr, "altinn_document_line", columns, records.ids)
                for how, records in made.items()
            }

        rows = rows_made()
        self.assertLessEqual(
            {*names, "company_id", "create_uid", "write_uid"} - {"booking_key"}, rows["orm"][0].keys()
        )
        self.assertEqual(len(rows["insert"]), len(vals_list))
        self.assertEqual(rows["insert"], rows["orm"])
        self.assertEqual(
            made["insert"].mapped("booking_key"),
            [key and key.replace("/orm", "/insert") for key in made["orm"].mapped("booking_key")],
        )
        extra = made["insert"][-1]
        self.assertEqual((extra.sequence, extra.state, extra.open_amount), (10, "recorded", 0.0))
        self.assertEqual(extra.company_id, self.company)
        self.assertIn(extra, docs[2].line_ids)  # the document's cached lines were dropped
        # A value the INSERT cannot write (here a related field that is not stored) is refused, not dropped.
        with self.assertRaises(ValueError):
            Line._altinn_insert(
                [{"document_id": docs[2].id, "kind": "claim", "currency_id": self.company.currency_id.id}]
            )
        # A stored field create would compute (as if the line's status were stored) is refused, not left NULL.
        cr.execute("ALTER TABLE altinn_document_line ADD COLUMN status varchar")
        self.patch(Line._fields["status"], "store", True)
        with self.assertRaisesRegex(NotImplementedError, "status"):
            Line._altinn_insert([{"document_id": docs[2].id, "kind": "claim"}])
        # A column nobody listed is compared too. One only the database knows gets its default from both
        # INSERTs alike; a value create and the INSERT wrote differently (set here afterwards) is caught.
        cr.execute("ALTER TABLE altinn_document_line ADD COLUMN x_added_later integer DEFAULT 7")
        rows = rows_made()
        self.assertEqual([row["x_added_later"] for row in rows["insert"]], [7] * len(vals_list))
        self.assertEqual(rows["insert"], rows["orm"])
        cr.execute("UPDATE altinn_document_line SET x_added_later = 8 WHERE id = %s", [made["orm"][0].id])
        rows = rows_made()
        self.assertNotEqual(rows["insert"], rows["orm"])

    def test_a_claim_only_duplicate_in_one_batch_is_a_duplicate_document(self):
        """A claim document that brings only the KID of a notice in its batch is a duplicate document."""
        kid = make_kid_mod10("2025911158612023")
        docs = self.record(
            item("fs-batch-2", "forskuddsskatt.xml", advance_tax_xml([(2, "2026-04-15", 60000, kid)])),
            claims_item(
                "krav-batch-2",
                [
                    claim(
                        "K-FS2",
                        "utskrevetForskuddsskatt",
                        60000,
                        instalments=[due("2026-04-15", 60000)],  # the public shape: no KID
                    )
                ],
            ),
        )
        notice_doc, claims_doc = docs
        pipeline.process(docs)
        self.assertEqual(notice_doc.state, "imported", notice_doc.error)
        self.assertEqual(claims_doc.state, "duplicate", claims_doc.error)
        self.assertFalse(claims_doc.move_ids)
        self.assertEqual(claims_doc.line_ids.duplicate_of_id, self.booked_line(notice_doc))
        self.assertIn(notice_doc.display_name, claims_doc.booking_note)

    def test_a_refused_document_fails_alone_in_its_batch(self):
        """A document for another organisation, between two good ones: it fails alone, the batch goes on."""
        docs = self.record(vat_item(30), vat_item(31, org=ORG_OTHER), vat_item(32))
        before, refused, after = docs
        move_creates = self.count_creates(self.Move)
        pipeline.process(docs)
        self.assertEqual(move_creates, [2])  # booked together, not one by one after a failed batch
        self.assertEqual(refused.state, "failed")
        self.assertIn(ORG_OTHER, refused.error)
        self.assertFalse(refused.booking_note)
        self.assertFalse(refused.move_ids or refused.move_id)
        self.assertFalse(refused.line_ids)
        self.assertFalse(self.moves_of(refused))
        for doc in (before, after):
            self.assertEqual(doc.state, "imported", doc.error)
            self.assertEqual(len(doc.move_ids), 1)
            self.assertEqual(len(self.booked_line(doc)), 1)

    def test_a_document_refused_halfway_leaves_nothing_planned(self):
        """Refused after an entry was planned: the batch forgets the entry, its line and its claim."""
        self.company.sudo().altinn_vat_mode = "external"
        bad_return = mva_return_xml([("3", 2500, 10000, "utg"), ("99", 100, 400, "ukjent")])
        halfway = vat_item(
            40,
            reference="BATCH-40-REFUSED",
            extra_files=[AltinnFile("mvamelding.xml", "application/xml", bad_return, ROLE_ATTACHMENT)],
        )
        docs = self.record(vat_item(41), halfway, vat_item(40, reference="BATCH-40-ALONE"), vat_item(42))
        good_before, refused, same_payment, good_after = docs
        move_creates = self.count_creates(self.Move)
        discarded = []
        original = BookingBatch.discard

        def discard(batch, mark):
            discarded.append((len(batch.moves) - mark[0], len(batch.lines) - mark[1]))
            return original(batch, mark)

        self.patch(BookingBatch, "discard", discard)
        pipeline.process(docs)
        self.assertEqual(discarded, [(1, 1)])  # the payment's entry and line were planned, then dropped
        self.assertEqual(move_creates, [3])
        self.assertEqual(refused.state, "failed")
        self.assertIn("99", refused.error)
        self.assertEqual(refused.doc_type, "vat_payment")
        self.assertFalse(refused.move_ids or refused.move_id)
        self.assertFalse(refused.line_ids)
        self.assertFalse(refused.booking_note)
        self.assertFalse(refused.message_ids.filtered(lambda message: "VAT" in (message.body or "")))
        # The payment the refused document had planned is booked by the next document that brings it.
        self.assertEqual(same_payment.state, "imported", same_payment.error)
        self.assertEqual(len(same_payment.move_ids), 1)
        self.assertFalse(self.booked_line(same_payment).duplicate_of_id)
        self.assertEqual(self.env["account.move"].search_count([("payment_reference", "=", vat_kid(40))]), 1)
        for doc in (good_before, good_after):
            self.assertEqual(doc.state, "imported", doc.error)
            self.assertEqual(len(doc.move_ids), 1)

    def test_a_batch_failing_in_the_database_is_booked_one_by_one(self):
        """The batch's line INSERT fails once: nothing of the batch stays, each document is booked alone."""
        docs = self.record(vat_item(50), vat_item(51), vat_item(51, reference="BATCH-51-AGAIN"), vat_item(52))
        original = BookingBatch._create_lines
        failures = []

        def create_lines(batch):
            if not failures:
                failures.append(len(batch.lines))
                batch.env.cr.execute("SELECT 1 / 0")  # a real database error: the transaction is aborted
            return original(batch)

        self.patch(BookingBatch, "_create_lines", create_lines)
        move_creates = self.count_creates(self.Move)
        with (
            mute_logger("odoo.sql_db"),
            self.assertLogs(pipeline._logger.name, "WARNING") as logs,
        ):
            pipeline.process(docs)
        self.assertEqual(failures, [4])
        self.assertIn("one by one", logs.output[0])
        self.assertEqual(move_creates, [3, 1, 1, 1])  # the batch (rolled back), then one document at a time
        first, second, again, third = docs
        for doc in (first, second, third):
            self.assertEqual(doc.state, "imported", doc.error)
            self.assertEqual(len(doc.move_ids), 1)
            self.assertEqual(self.booked_line(doc).move_id, doc.move_id)
        # The entries of the failed batch were rolled back: no entry twice.
        self.assertEqual(again.state, "duplicate", again.error)
        self.assertEqual(again.line_ids.duplicate_of_id, self.booked_line(second))
        self.assertEqual(len(self.moves_of(docs)), 3)
        self.assertEqual(self.moves_of(docs).altinn_document_id, first | second | third)
        self.assertEqual(self.env["altinn.document.line"].search_count([("document_id", "in", docs.ids)]), 4)

    def test_the_entry_carries_the_pdf_as_voucher(self):
        """XML + PDF: the entry has the PDF(s) and the data file; XML only: the XML; the ledger document keeps
        all its files."""
        with_pdf = vat_item(60, extra_files=[pdf_file("kvittering.pdf"), pdf_file("brev.pdf")])
        xml_only = vat_item(61)
        docs = self.record(with_pdf, xml_only)
        pdf_doc, xml_doc = docs
        pipeline.process(docs)
        self.assertEqual(pdf_doc.state, "imported", pdf_doc.error)
        self.assertEqual(xml_doc.state, "imported", xml_doc.error)

        attachments = self.attachments_of(pdf_doc.move_id)
        self.assertEqual(
            sorted(attachments.mapped("name")), ["betalingsinformasjon.xml", "brev.pdf", "kvittering.pdf"]
        )
        self.assertEqual(attachments.filtered(lambda a: a.name.endswith(".xml")).raw, vat_data(60))
        attachments = attachments.filtered(lambda a: a.mimetype == "application/pdf")
        self.assertEqual(
            {a.name: a.raw for a in attachments},
            {"kvittering.pdf": PDF + b"kvittering.pdf", "brev.pdf": PDF + b"brev.pdf"},
        )
        self.assertEqual(set(attachments.mapped("company_id")), {self.company})
        # A copy shares the ledger's stored file (nothing written twice) and outlives its draft entry.
        ledger_pdfs = pdf_doc.attachment_ids.filtered(lambda a: a.name.endswith(".pdf"))
        self.assertEqual(set(attachments.mapped("store_fname")), set(ledger_pdfs.mapped("store_fname")))
        self.assertFalse(attachments & ledger_pdfs)
        pdf_doc.move_id.unlink()
        self.assertFalse(attachments.exists())
        self.assertEqual(
            sorted(ledger_pdfs.mapped("raw")), sorted([PDF + b"brev.pdf", PDF + b"kvittering.pdf"])
        )
        attachments = self.attachments_of(xml_doc.move_id)
        self.assertEqual(attachments.mapped("name"), ["betalingsinformasjon.xml"])
        self.assertEqual(attachments.raw, vat_data(61))
        # The ledger document keeps every file it came with.
        self.assertLessEqual(
            {"betalingsinformasjon.xml", "kvittering.pdf", "brev.pdf"},
            set(pdf_doc.attachment_ids.mapped("name")),
        )
        self.assertIn("betalingsinformasjon.xml", xml_doc.attachment_ids.mapped("name"))
        self.assertEqual(
            len(pdf_doc._altinn_files()), 3, "the voucher is a copy: the document's files are untouched"
        )

    def test_a_document_booked_alone_carries_the_pdf_as_voucher(self):
        doc = self.book(vat_item(62, extra_files=[pdf_file("kvittering.pdf")]))
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertEqual(
            sorted(self.attachments_of(doc.move_id).mapped("name")),
            ["betalingsinformasjon.xml", "kvittering.pdf"],
        )

    def test_booked_entries_have_no_creation_message_nor_the_booker_as_follower(self):
        # The test classes turn mail off: on again, as in production.
        docs = self.record(vat_item(70), vat_item(71, extra_files=[pdf_file("kvittering.pdf")]))
        pipeline.process(docs.with_context(**dict.fromkeys(MAIL_KEYS, False)))
        self.env.cr.flush()  # tracking is written by the precommit hooks
        moves = docs.move_ids
        self.assertEqual(len(moves), 2)
        moves.invalidate_recordset(["message_ids", "message_follower_ids"])
        partner = self.env.user.partner_id
        for doc in docs:
            move = doc.move_id
            self.assertEqual(doc.state, "imported", doc.error)
            created = move._creation_message()
            self.assertTrue(created)
            self.assertFalse(
                move.message_ids.filtered(lambda message, text=created: text in (message.body or "")),
                "no generic creation message on a booked entry",
            )
            self.assertNotIn(partner, move.message_follower_ids.partner_id)
            # What the entry says about itself is there: its document, its files, the narration.
            self.assertEqual(move.altinn_document_id, doc)
            self.assertIn(move, doc.move_ids)
            self.assertAttached(doc, move)
        # Compare: an entry created the ordinary way with the same context gets both.
        journal = self.company.altinn_journal_id
        ordinary = (
            self.env["account.move"]
            .with_context(**dict.fromkeys(MAIL_KEYS, False))
            .create({"move_type": "entry", "journal_id": journal.id})
        )
        self.assertIn(partner, ordinary.message_follower_ids.partner_id)
        self.assertTrue(ordinary.message_ids.filtered(lambda message: "created" in (message.body or "")))


@tagged("post_install", "-at_install")
class TestBookedLineLookup(BookingCommon):
    """``booking.batch.stored_lines``: what a batch asks the database for, in one query."""

    with_second_company = True

    def setUp(self):
        super().setUp()
        self.Line = self.env["altinn.document.line"].sudo()
        self.doc = self.record(item("LOOKUP-1", "a.xml", vat_data(90)))
        self.other_doc = self.record(item("LOOKUP-2", "b.xml", vat_data(91)), company=self.second_company)

    def line(self, doc=None, state="booked", **vals):
        return self.Line.create(
            {"document_id": (doc or self.doc).id, "kind": "claim", "state": state, **vals}
        )

    def lookup(self, company=None, keys=(), slots=(), kids=(), refs=()):
        return stored_lines(
            self.env["altinn.document.line"], company or self.company, keys, slots, kids, refs
        )

    def test_found_by_key_slot_kid_or_claim_reference(self):
        by_key = self.line(
            booking_key="tax_settlement:2025:fastland", debt_key="tax_settlement:2025:fastland"
        )
        by_slot = self.line(
            booking_key="debt:mva:2026-04-10:1", debt_key="debt:mva:2026-04-10:1", debt_slot="mva:2026-04-10"
        )
        by_kid = self.line(booking_key="debt:mva:2026-06-10:2", debt_key="debt:mva:2026-06-10:2", kid="2002")
        by_ref = self.line(
            booking_key="debt:restskatt:2026-09-20:", debt_key="debt:restskatt:2026-09-20:", claim_ref="K-1"
        )
        self.assertEqual(self.lookup(keys={"tax_settlement:2025:fastland"}), by_key)
        self.assertEqual(self.lookup(slots={"mva:2026-04-10"}), by_slot)
        self.assertEqual(self.lookup(kids={"2002"}), by_kid)
        self.assertEqual(self.lookup(refs={"K-1"}), by_ref)
        self.assertFalse(self.lookup(keys={"x"}, slots={"mva:2026-08-31"}, kids={"9"}, refs={"K-9"}))
        self.assertFalse(self.lookup())

    def test_every_line_of_a_found_debt_comes_along(self):
        """Found by its KID, the debt brings its amendments and payments (they carry no KID or slot)."""
        first = self.line(booking_key="debt:a", debt_key="debt:a", kid="3001", debt_slot="mva:2026-04-10")
        amendment = self.line(booking_key="debt:a~2", debt_key="debt:a", kind="correction")
        payment = self.line(booking_key="debt:a:paid:inn-1", debt_key="debt:a", kind="payment")
        duplicate = self.line(state="duplicate", debt_key="debt:a", kid="3001")
        self.line(booking_key="debt:b", debt_key="debt:b", kid="3002")
        self.assertEqual(self.lookup(kids={"3001"}), first | amendment | payment | duplicate)

    def test_a_kid_outside_any_debt_is_not_a_debt(self):
        self.line(state="recorded", kind="payment", kid="4001")
        self.assertFalse(self.lookup(kids={"4001"}))

    def test_lines_of_another_company_are_never_found(self):
        other = self.line(self.other_doc, booking_key="debt:f", debt_key="debt:f", kid="5001")
        self.assertEqual(other.company_id, self.second_company)
        self.assertFalse(self.lookup(keys={"debt:f"}, kids={"5001"}))
        self.assertEqual(self.lookup(self.second_company, keys={"debt:f"}), other)
        # The same key in both companies: each finds its own.
        own = self.line(booking_key="debt:f", debt_key="debt:f", kid="5001")
        self.assertEqual(self.lookup(keys={"debt:f"}), own)
        self.assertEqual(self.lookup(self.second_company, kids={"5001"}), other)


@tagged("post_install", "-at_install")
class TestFilesThroughCreate(BookingCommon):
    """Every file the addon attaches is made by ``ir.attachment.create``: a module that extends it (document
    management, indexing, expenses) sees the entries' vouchers and the ledger's files."""

    def setUp(self):
        super().setUp()
        self.created = self.spy_attachment_creates()

    def spy_attachment_creates(self):
        """The attachments each ``ir.attachment.create`` call made, as a module extending it sees them."""
        calls = []
        Attachment = type(self.env["ir.attachment"])
        original = Attachment.create

        def create(records, vals_list):
            attachments = original(records, vals_list)
            calls.append(attachments)
            return attachments

        self.patch(Attachment, "create", api.model_create_multi(create))
        return calls

    def entry_files(self, moves):
        return self.env["ir.attachment"].search(
            [("res_model", "=", "account.move"), ("res_id", "in", moves.ids)], order="id"
        )

    def test_the_vouchers_of_a_batch_are_made_by_one_create(self):
        """The entries' copies of their vouchers: one create for the batch, as the booking user, each what
        uploading the same file to the entry makes (name, mimetype, content, company)."""
        docs = self.record(vat_item(100, extra_files=[pdf_file("kvittering.pdf")]), vat_item(101))
        self.created.clear()
        pipeline.process(docs)
        self.assertEqual(docs.mapped("state"), ["imported", "imported"], docs.mapped("error"))
        vouchers = self.entry_files(docs.move_ids)
        self.assertEqual(len(vouchers), 3)  # the PDF and the XML, the XML alone
        self.assertEqual([attachments.sorted("id") for attachments in self.created], [vouchers])
        self.assertEqual(vouchers.create_uid, self.env.user)
        fields = ["name", "mimetype", "raw", "checksum", "file_size", "store_fname", "index_content"]
        fields += ["company_id", "create_uid", "public", "type", "res_model", "res_id"]
        for doc in docs:
            for voucher in self.entry_files(doc.move_id):
                sent = next(file for file in doc._altinn_files() if file.name == voucher.name)
                uploaded = self.env["ir.attachment"].create(
                    {
                        "name": sent.name,
                        "raw": sent.data,
                        "mimetype": sent.mimetype,
                        "res_model": "account.move",
                        "res_id": doc.move_id.id,
                    }
                )
                self.assertEqual(
                    voucher.read(fields, load=False)[0] | {"id": None},
                    uploaded.read(fields, load=False)[0] | {"id": None},
                )

    def test_the_pdf_of_a_debt_booked_elsewhere_is_made_by_create_once(self):
        """Two receipts of a debt a claims list booked, in one batch: the entry gets the first one's PDF and
        data file (by ``create``, with the batch's other vouchers), the second adds nothing; the same when
        the entry is made in the batch itself."""
        kid = make_kid_mod10("349111586122630")
        claims = claims_item(
            "krav-extra",
            [
                claim(
                    "K-EXTRA",
                    "åBetaleMva",
                    31500,
                    group="Merverdiavgift",
                    instalments=[due("2026-10-12", 31500)],
                )
            ],
        )
        booked = self.book(claims)
        self.assertEqual(booked.state, "imported", booked.error)
        move = booked.move_id
        self.assertEqual(self.entry_files(move).mapped("name"), ["krav.json"])
        data = vat_payment_xml("31500", kid=kid, due="2026-10-12", period="juli-august")
        receipts = self.record(
            item("mva-extra-1", "betalingsinformasjon.xml", data, extra_files=[pdf_file("kvittering.pdf")]),
            item("mva-extra-2", "betalingsinformasjon.xml", data, extra_files=[pdf_file("kvittering-2.pdf")]),
            vat_item(102),
        )
        self.created.clear()
        pipeline.process(receipts)
        self.assertEqual(
            receipts.mapped("state"), ["duplicate", "duplicate", "imported"], receipts.mapped("error")
        )
        files = self.entry_files(move)
        self.assertEqual(
            sorted(files.mapped("name")), ["betalingsinformasjon.xml", "krav.json", "kvittering.pdf"]
        )
        # One create: the debt's PDF and data file with the batch's own voucher (the third notice's XML).
        made = files.filtered(lambda a: a.name != "krav.json") | self.entry_files(receipts[2].move_id)
        self.assertEqual([set(attachments.ids) for attachments in self.created], [set(made.ids)])
        # A receipt that books its debt and another receipt of it in one batch: the entry made in the batch
        # has the first one's PDF, the second adds none.
        data = vat_payment_xml("7200", kid=make_kid_mod10("349111586122650"), due="2026-12-10")
        receipts = self.record(
            item("mva-new-1", "betalingsinformasjon.xml", data, extra_files=[pdf_file("kvittering-a.pdf")]),
            item("mva-new-2", "betalingsinformasjon.xml", data, extra_files=[pdf_file("kvittering-b.pdf")]),
        )
        pipeline.process(receipts)
        self.assertEqual(receipts.mapped("state"), ["imported", "duplicate"], receipts.mapped("error"))
        self.assertEqual(
            sorted(self.entry_files(receipts[0].move_id).mapped("name")),
            ["betalingsinformasjon.xml", "kvittering-a.pdf"],
        )

    def test_no_voucher_on_an_entry_the_booking_user_may_not_change(self):
        """The copy checks write access on the entry it goes to, as attaching a file does: a debt's PDF is
        not put on an entry the booking user may not change (the document says why)."""
        kid = make_kid_mod10("349111586122640")
        claims = claims_item(
            "krav-locked",
            [
                claim(
                    "K-LOCKED",
                    "åBetaleMva",
                    31500,
                    group="Merverdiavgift",
                    instalments=[due("2026-10-12", 31500)],
                )
            ],
        )
        move = self.book(claims).move_id
        self.assertTrue(move)
        self.env["ir.rule"].sudo().create(
            {
                "name": "Not this entry",
                "model_id": self.env["ir.model"]._get_id("account.move"),
                "domain_force": f"[('id', '!=', {move.id})]",
                "perm_read": False,
                "perm_create": False,
                "perm_unlink": False,
            }
        )
        data = vat_payment_xml("31500", kid=kid, due="2026-10-12", period="juli-august")
        receipt = self.record(
            item("mva-locked", "betalingsinformasjon.xml", data, extra_files=[pdf_file("kvittering.pdf")])
        )
        with mute_logger(pipeline._logger.name):
            pipeline.process(receipt)
        self.assertEqual(receipt.state, "failed")
        self.assertIn("account.move", receipt.error)
        self.assertEqual(self.entry_files(move).mapped("name"), ["krav.json"])
