# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The ledger: one row per Altinn item and company, its files kept as they came, and its booking.

Recording (``_altinn_record_items``) is what the fetch service does with a transport's items. Booking
happens in the background: the scheduled action ``_cron_altinn_process`` books the new documents company
by company, in batches; each batch's rows are locked with ``FOR UPDATE SKIP LOCKED`` so two overlapping
runs never book the same document, and each batch is committed on its own, so a run killed halfway keeps
what it booked and the next run picks up the rest. A document's failure stays on the document (state
``failed`` + error) and reaches the responsible person through the one failure path
(``services/failures.py``); it never stops the other documents or companies.
"""

import base64
import dataclasses
import logging
import mimetypes
import re
import time
from types import SimpleNamespace

from psycopg2 import errors as pg_errors
from psycopg2.extensions import TransactionRollbackError

from odoo import api, fields, models
from odoo.tools import SQL, format_date, html_sanitize, plaintext2html, split_every, unique

from ..altinn.errors import AltinnError
from ..altinn.types import ROLE_ATTACHMENT, ROLE_BODY, AltinnFile, AltinnItem, FetchFailure
from ..altinn.upload import upload_reference
from ..booking import pipeline, vendor_bill
from ..exceptions import NOT_ALLOWED, NOT_NOW, SETUP, AltinnUserError, altinn_user_error, title_of
from ..services import copies, failures, runtime
from ..services.chatter import post_note
from ..services.fetch import can_commit, retry_missing_files, to_utc_naive
from ..services.texts import company_lang, error_message, error_text, local_date

_logger = logging.getLogger(__name__)

ROLE_PREFIX = "altinn_role:"
MIMETYPE_PREFIX = "mimetype:"
RAW_DESCRIPTION = "altinn_raw"
# Altinn 2's archive reference in an element's raw description (``<ArchiveReference>AR5276000</…>``).
ARCHIVE_REFERENCE = re.compile(rb"ArchiveReference>\s*(AR\d+)\s*<")
# Items recorded per batch: bounded memory, and one INSERT per table for up to this many.
RECORD_CHUNK_SIZE = 100
PENDING_DOMAIN = [("state", "=", "new"), ("incomplete", "=", False)]
# Documents per committed batch: their entries are made with one account.move.create, whose cost per entry
# falls with the batch size; a batch's files are in memory together.
DEFAULT_BATCH_SIZE = 200
# Seconds of work per call in threaded mode; in a prefork worker the server's limits decide
# (``services/runtime.py``), which ``prisolve_altinn.cron_time_budget`` can only shorten. The cron runner
# calls again at once while we report work remaining.
DEFAULT_TIME_BUDGET = 120
# Letters and other documents with nothing to book: one "read the letter" activity each.
LETTER_ACTIVITY = failures.LETTER
CORRESPONDENCE_PREFIX = "correspondence:"
# Words of a title, service or sender that make a letter one to read first, most serious first
# ("inkassovarsel" is a reminder to pay, not a plain varsel).
NOTICE_WORDS = (
    ("tvangsmulkt", ("tvangsmulkt",)),
    ("purring", ("purring", "betalingspåminnelse", "inkassovarsel")),
    ("vedtak", ("vedtak",)),
    ("varsel", ("varsel",)),
)
# The outcome of booking, as the wizard's summary and the Book button count it.
OUTCOMES = {
    "imported": ("imported",),
    "duplicate": ("duplicate",),
    "letter": ("to_read", "read"),
    "failed": ("failed",),
    "waiting": ("new",),
    "other": ("ignored", "unsent", "replaced"),
}


class AltinnDocument(models.Model):
    """The ledger: one row per Altinn item (form set or message) per company."""

    _name = "altinn.document"
    _description = "Altinn document"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_created desc, id desc"
    _rec_name = "reference"
    _rec_names_search = ["reference", "title", "sender"]
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    reference = fields.Char(
        string="Altinn reference",
        required=True,
        readonly=True,
        index=True,
        copy=False,
        help="Altinn's identifier of the item; unique per company.",
    )
    kind = fields.Selection(
        [("form", "Form"), ("message", "Message")],
        required=True,
        readonly=True,
        default="message",
    )
    transport = fields.Selection(
        [("altinn2", "Altinn 2"), ("altinn3", "Altinn 3"), ("upload", "Upload")],
        required=True,
        readonly=True,
        default="altinn2",
    )
    reportee = fields.Char(string="Organisation number", readonly=True)
    service_code = fields.Char(readonly=True)
    service_edition = fields.Integer(readonly=True)
    title = fields.Char(readonly=True)
    sender = fields.Char(readonly=True, index=True)
    date_created = fields.Datetime(string="Created in Altinn", readonly=True, index=True)
    date_archived = fields.Datetime(string="Archived in Altinn", readonly=True)
    due_date = fields.Date(readonly=True)
    state = fields.Selection(
        [
            ("new", "New"),
            ("imported", "Imported"),
            ("to_read", "To read"),
            ("read", "Read"),
            ("ignored", "Ignored"),
            ("failed", "Failed"),
            ("duplicate", "Duplicate"),
            ("unsent", "Draft – not submitted"),
            ("replaced", "Draft – replaced by the submitted return"),
        ],
        required=True,
        default="new",
        index=True,
        tracking=True,
        copy=False,
    )
    error = fields.Text(readonly=True, copy=False)
    unsent = fields.Boolean(
        string="Not submitted",
        readonly=True,
        copy=False,
        help="A form Altinn holds as a draft that was never sent (Altinn 2 FillIn, an Altinn 3 form in "
        "progress): nothing is booked or checked from it; the submitted return replaces it.",
    )
    period_start = fields.Date(string="Period from", readonly=True, copy=False)
    period_end = fields.Date(string="Period to", readonly=True, copy=False)
    incomplete = fields.Boolean(
        readonly=True,
        copy=False,
        help="The item was listed but its content could not be downloaded; the next update tries again.",
    )
    doc_type = fields.Selection(
        [
            ("vat_payment", "VAT payment information"),
            ("mva_return", "VAT return"),
            ("tax_claims", "Tax claims and payments"),
            ("tax_settlement", "Tax settlement"),
            ("advance_tax", "Advance tax"),
            ("other", "Other"),
        ],
        string="Document type",
        readonly=True,
        copy=False,
        index=True,
    )
    move_id = fields.Many2one(
        "account.move",
        string="Journal entry",
        readonly=True,
        copy=False,
        check_company=True,
        index="btree_not_null",
        help="The main journal entry made from this document.",
    )
    move_ids = fields.One2many("account.move", "altinn_document_id", string="Journal entries", readonly=True)
    move_count = fields.Integer(compute="_compute_move_count")
    attachment_ids = fields.One2many(
        "ir.attachment",
        "res_id",
        domain=[("res_model", "=", "altinn.document")],
        string="Files",
        readonly=True,
    )
    file_ids = fields.Many2many(
        "ir.attachment",
        string="Document files",
        compute="_compute_file_ids",
        help="The item's files; Altinn's description of the item is on the technical tab.",
    )
    raw_attachment_id = fields.Many2one(
        "ir.attachment",
        string="Altinn description",
        readonly=True,
        copy=False,
        help="The item as Altinn described it (XML/JSON), kept for support.",
    )
    # The same item under other references (another transport): see models/altinn_document_alias.py.
    alias_ids = fields.One2many(
        "altinn.document.alias", "document_id", string="Other references", readonly=True
    )
    # A dialog read in part: what could not be read, and the retries (services/fetch.py fetches it again).
    has_missing_files = fields.Boolean(
        string="Files missing",
        readonly=True,
        copy=False,
        index=True,
        help="Altinn listed files of this item that could not be read; the next fetches try them again.",
    )
    missing_files = fields.Text(
        string="Files not read",
        readonly=True,
        copy=False,
        help="Which files of the item could not be read, and why.",
    )
    missing_retry_count = fields.Integer(string="Tries for the missing files", readonly=True, copy=False)
    missing_checked_at = fields.Datetime(string="Missing files last tried", readonly=True, copy=False)
    notice_kind = fields.Selection(
        [
            ("tvangsmulkt", "Coercive fine"),
            ("purring", "Payment reminder"),
            ("vedtak", "Decision"),
            ("varsel", "Advance notice"),
        ],
        string="Important",
        compute="_compute_notice_kind",
        store=True,
        precompute=True,  # known from the item's own values: part of the row's INSERT
        help="A letter that asks for something or decides something (varsel, vedtak, tvangsmulkt, purring), "
        "as its title or service says: read it first.",
    )
    letter_pdf = fields.Binary(string="Letter", compute="_compute_letter")
    letter_text = fields.Html(string="Message", compute="_compute_letter")
    can_mark_read_in_altinn = fields.Boolean(
        string="Can be marked read in Altinn", compute="_compute_can_mark_read_in_altinn"
    )
    duplicate_move_ids = fields.Many2many(
        "account.move",
        string="Already booked in",
        compute="_compute_duplicate_move_ids",
        help="The journal entries that already hold what this document says.",
    )

    # ------------------------------------------------------------------
    # Booking: what booking/ found and made (see booking/pipeline.py)
    # ------------------------------------------------------------------
    summary = fields.Char(readonly=True, copy=False, help="What the document says, in short.")
    booking_note = fields.Text(
        string="Booking notes",
        readonly=True,
        copy=False,
        help="Remarks from booking: duplicates, differences.",
    )
    line_ids = fields.One2many("altinn.document.line", "document_id", string="Lines", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    vat_checked = fields.Boolean(string="VAT checked", readonly=True, copy=False)
    vat_return_amount = fields.Monetary(
        string="VAT in the return",
        readonly=True,
        copy=False,
        help="fastsatt merverdiavgift (positive: to pay).",
    )
    vat_ledger_amount = fields.Monetary(
        string="VAT in the ledger",
        readonly=True,
        copy=False,
        help="Credit balance of the VAT settlement account for the period (posted, payments excluded).",
    )
    vat_difference = fields.Monetary(string="VAT difference", readonly=True, copy=False)
    bill_ids = fields.One2many(
        "account.move",
        "altinn_document_id",
        string="Vendor bills",
        domain=[("move_type", "=", "in_invoice")],
        readonly=True,
    )

    _sql_constraints = [
        (
            "reference_company_uniq",
            "unique(company_id, reference)",
            "This Altinn item is already in the ledger for this company.",
        ),
    ]

    @api.depends("reference", "title", "date_created")
    @api.depends_context("lang", "tz")
    def _compute_display_name(self):
        # What a person reads (title and day); Altinn's reference is on the technical tab.
        for doc in self:
            if not doc.title:
                doc.display_name = doc.reference
            elif doc.date_created:
                day = format_date(self.env, local_date(self.env, doc.date_created))
                doc.display_name = f"{doc.title} ({day})"
            else:
                doc.display_name = doc.title

    @api.depends("attachment_ids", "raw_attachment_id")
    def _compute_file_ids(self):
        for doc in self:
            doc.file_ids = doc.attachment_ids.filtered(lambda a: a.description != RAW_DESCRIPTION)

    @api.depends("move_id", "move_ids")
    def _compute_move_count(self):
        for doc in self:
            doc.move_count = len(doc.move_ids | doc.move_id)

    @api.depends("title", "service_code", "sender")
    def _compute_notice_kind(self):
        for doc in self:
            doc.notice_kind = notice_kind(doc.title, doc.service_code, doc.sender)

    @api.depends("attachment_ids", "raw_attachment_id")
    def _compute_letter(self):
        for doc in self:
            files = doc._altinn_files() if doc.id else []
            pdf = next((f for f in files if f.mimetype == "application/pdf"), None)
            body = next((f for f in files if f.role == ROLE_BODY), None)
            doc.letter_pdf = base64.b64encode(pdf.data) if pdf else False
            doc.letter_text = _body_html(body) if body and not pdf else False

    @api.depends("transport", "reference", "company_id.altinn_transport")
    def _compute_can_mark_read_in_altinn(self):
        for doc in self:
            # Altinn 3 keeps a read mark on Correspondence messages only (markasread).
            doc.can_mark_read_in_altinn = (
                doc.transport == "altinn3"
                and doc.company_id.altinn_transport == "altinn3"
                and (doc.reference or "").startswith(CORRESPONDENCE_PREFIX)
            )

    @api.depends("line_ids.duplicate_of_id.move_id")
    def _compute_duplicate_move_ids(self):
        for doc in self:
            doc.duplicate_move_ids = doc.line_ids.duplicate_of_id.move_id

    @api.ondelete(at_uninstall=False)
    def _unlink_except_booked(self):
        if any(doc.move_id or doc.move_ids for doc in self.sudo()):
            raise AltinnUserError(
                self.env._("Documents with journal entries cannot be deleted; ignore them instead."),
                title=title_of(self.env, NOT_ALLOWED),
            )

    # ------------------------------------------------------------------
    # Recording fetched items (also used by the upload wizard)
    # ------------------------------------------------------------------
    @api.model
    def _altinn_record_items(self, company, items):
        """Record ``items`` (AltinnItem | FetchFailure) for ``company``, idempotently.

        Known references are skipped; an incomplete row (its download failed
        earlier) is completed. ``items`` is read lazily, ``RECORD_CHUNK_SIZE``
        at a time; one bad item never aborts the others. Returns ``(new, known,
        failures)``: two ``altinn.document`` recordsets and a list of ``FetchFailure``.
        """
        company.ensure_one()
        docs = self.with_company(company)
        # Ids only: the records of a chunk leave the cache once it is written.
        new_ids, known_ids, failures = [], [], []
        for chunk in split_every(RECORD_CHUNK_SIZE, items):
            outcomes = docs._altinn_record_chunk(company, chunk, failures)
            new_ids += [doc_id for outcome, doc_id in outcomes if outcome == "new"]
            known_ids += [doc_id for outcome, doc_id in outcomes if outcome == "known"]
        return docs.browse(unique(new_ids)), docs.browse(unique(known_ids)), failures

    @api.model
    def _altinn_record_chunk(self, company, chunk, failures):
        """Record one chunk of items; returns ``("new" | "known", id)`` in the chunk's order.

        The first sighting of each unknown reference is created in one batch (one
        INSERT per table, one savepoint); if the batch fails, it is redone one
        savepoint per item so that only the culprit fails. Known references,
        incomplete rows and fetch failures take the per-item path after the batch,
        in their order, so a reference seen twice is recorded as before.
        """
        # The ledger row is the record of the import: no creation message, follower or tracking.
        recorder = self.with_context(tracking_disable=True)
        existing = recorder._altinn_existing_documents(
            company, {key for item in chunk for key in (*_item_keys(item), *_content_keys(item))}
        )
        # An item known under another reference (another transport, Altinn's cross-reference), or else by
        # the same document file recorded from another transport, is that row: it gets the item's
        # references too, so it is found directly next time.
        late_aliases, claimed = [], set()
        for item in chunk:
            if item.reference in existing:
                continue
            doc = _match(existing, item) or recorder._altinn_match_content(existing, item, claimed)
            if doc:
                existing[item.reference] = doc
                claimed.add((doc.id, item.transport))
                late_aliases += [(doc, key, item.transport, "reference") for key in _item_keys(item)]
        outcomes = [None] * len(chunk)
        batched, one_by_one, seen = [], [], set()
        for position, item in enumerate(chunk):
            keys = _item_keys(item)
            unknown = item.reference not in existing and not seen.intersection(keys)
            seen.update(keys)
            (batched if unknown and not isinstance(item, FetchFailure) else one_by_one).append(position)
        if batched:
            created = recorder._altinn_create_batch(company, [chunk[position] for position in batched])
            if created:
                for position, doc in zip(batched, created, strict=True):
                    outcomes[position] = ("new", doc.id)
                    for key in (*_item_keys(chunk[position]), *_content_keys(chunk[position])):
                        existing.setdefault(key, doc)
            else:
                one_by_one = sorted(batched + one_by_one)
        if late_aliases:
            self.env["altinn.document.alias"].sudo()._altinn_link(late_aliases)
        lang = self.env.lang or "en_US"
        for position in one_by_one:
            item = chunk[position]
            if item.reference not in existing and _match(existing, item):
                existing[item.reference] = _match(existing, item)  # an alias created earlier in the chunk
            outcomes[position] = recorder._altinn_record_one(company, item, existing, failures, lang)
        outcomes = [outcome for outcome in outcomes if outcome]
        # Written: the chunk leaves the cache, so memory does not grow with the number of items.
        self.env.flush_all()
        touched = self.browse({doc_id for _kind, doc_id in outcomes}).union(*existing.values())
        touched.invalidate_recordset()
        self.env["ir.attachment"].invalidate_model()
        return outcomes

    @api.model
    def _altinn_known_references(self, company):
        """References ``company`` already holds complete, its rows' other references included: a transport
        need not download them again."""
        # A draft not sent is read again: once sent, the same item is the return.
        self.flush_model(["company_id", "reference", "incomplete", "state"])
        self.env["altinn.document.alias"].flush_model()
        self.env.cr.execute(
            """SELECT reference FROM altinn_document
                WHERE company_id = %s AND incomplete IS NOT TRUE AND state != 'unsent'
               UNION
               SELECT alias.reference FROM altinn_document_alias alias
                 JOIN altinn_document doc ON doc.id = alias.document_id
                WHERE alias.company_id = %s AND doc.incomplete IS NOT TRUE AND doc.state != 'unsent'""",
            [company.id, company.id],
        )
        return frozenset(row[0] for row in self.env.cr.fetchall())

    @api.model
    def _altinn_existing_documents(self, company, references):
        """The company's rows for ``references``, by reference: their own or another one (two queries)."""
        references = list(references)
        self.env["altinn.document.alias"].flush_model()
        self.env.cr.execute(
            "SELECT reference, document_id FROM altinn_document_alias "
            "WHERE company_id = %s AND reference = ANY(%s)",
            [company.id, references],
        )
        aliases = dict(self.env.cr.fetchall())
        domain = [("company_id", "=", company.id), ("reference", "in", references)]
        if aliases:
            domain = ["|", ("id", "in", list(aliases.values())), *domain]
        docs = self.search_fetch(domain, ["reference", "incomplete", "has_missing_files", "unsent", "state"])
        found = {reference: docs.browse(doc_id) for reference, doc_id in aliases.items()}
        found.update((doc.reference, doc) for doc in docs)
        return found

    @api.model
    def _altinn_create_batch(self, company, items):
        """Create new ``items`` in one savepoint; an empty recordset if any of them fails."""
        try:
            with self.env.cr.savepoint():
                return self._altinn_create_from_items(company, items)
        except Exception as exc:  # the per-item path finds the culprit and records the others
            _logger.info(
                "Recording %s Altinn items of company %s in one batch failed (%s); recording them one by one",
                len(items),
                company.id,
                exc.__class__.__name__,
            )
            return self.browse()

    @api.model
    def _altinn_record_one(self, company, item, existing, failures, lang):
        """Record one item in its own savepoint; returns ``("new" | "known", id)`` or None if it failed."""
        doc = existing.get(item.reference)
        if doc and doc.unsent and isinstance(item, AltinnItem) and not item.unsent and doc.state == "unsent":
            # The draft was sent meanwhile (the same Altinn 3 dialog, now completed): it is the return now.
            with self.env.cr.savepoint():
                doc._altinn_complete_from_item(item)
            return ("new", doc.id)
        if doc and not doc.incomplete:
            if doc.has_missing_files and isinstance(item, AltinnItem):
                doc._altinn_add_late_files(item)  # listed again: what was missing may be readable now
            return ("known", doc.id)
        if isinstance(item, FetchFailure):
            failures.append(item)
            existing[item.reference] = self._altinn_record_failure(
                company,
                item.reference,
                item.title,
                error_message(item.error, lang),
                doc,
                raw=getattr(item.error, "raw", None),
            )
            return None
        try:
            with self.env.cr.savepoint():
                if doc:
                    doc._altinn_complete_from_item(item)
                else:
                    doc = self._altinn_create_from_item(company, item)
        except pg_errors.UniqueViolation:
            # A concurrent update recorded it between our search and insert.
            doc = self.search([("company_id", "=", company.id), ("reference", "=", item.reference)])
            existing[item.reference] = doc
            return ("known", doc.id) if doc else None
        except Exception as exc:  # one bad item must not stop the others
            _logger.warning(
                "Altinn item %s of company %s could not be recorded: %s",
                item.reference,
                company.id,
                exc,
                exc_info=True,
            )
            failures.append(FetchFailure(reference=item.reference, title=item.title or "", error=exc))
            existing[item.reference] = self._altinn_record_failure(
                company, item.reference, item.title, error_message(exc, lang), doc
            )
            return None
        existing[item.reference] = doc
        return ("new", doc.id)

    @api.model
    def _altinn_match_content(self, existing, item, claimed):
        """The row recorded from another transport that holds one of ``item``'s document files (XML/JSON,
        byte for byte), when no Altinn reference links them (an upload; a notice Altinn 2 sent as a message
        and Altinn 3 as the sender's own dialog). A row takes one item per transport: once an item of this
        transport is linked to it, another one with the same file is a document of its own."""
        if isinstance(item, FetchFailure):
            return None
        for key in _content_keys(item):
            doc = existing.get(key)
            if not doc or doc.transport == item.transport or (doc.id, item.transport) in claimed:
                continue
            linked = (
                self.env["altinn.document.alias"]
                .sudo()
                .search_count(
                    [
                        ("document_id", "=", doc.id),
                        ("source", "=", item.transport),
                        ("kind", "=", "reference"),
                    ],
                    limit=1,
                )
            )
            if not linked:
                return doc
        return None

    @api.model
    def _altinn_item_vals(self, item):
        return {
            **self._altinn_missing_vals(item),
            "reference": item.reference,
            "kind": item.kind if item.kind in ("form", "message") else "message",
            "transport": item.transport or "altinn2",
            "reportee": item.reportee,
            "service_code": item.service_code or False,
            "service_edition": item.service_edition or 0,
            "title": item.title or item.reference,
            "sender": item.sender or False,
            "date_created": to_utc_naive(item.created),
            "date_archived": to_utc_naive(item.archived),
            "due_date": item.due_date or False,
            "unsent": bool(getattr(item, "unsent", False)),
        }

    @api.model
    def _altinn_missing_vals(self, item):
        """What the row says about the files of ``item`` that could not be read (in the context language)."""
        missing = getattr(item, "missing_files", None) or []
        lang = self.env.lang or "en_US"
        lines = [
            self.env._(
                "%(file)s: %(reason)s",
                file=file.name,
                reason=error_text(file.error, lang) if file.error is not None else file.reason,
            )
            for file in missing
        ]
        return {"has_missing_files": bool(missing), "missing_files": "\n".join(lines) or False}

    @api.model
    def _altinn_create_from_items(self, company, items):
        """Create the rows of new ``items``, their files and other references: one INSERT per table."""
        docs = self.create(
            [{**self._altinn_item_vals(item), "company_id": company.id, "state": "new"} for item in items]
        )
        docs._altinn_attach_items(items)
        aliases = [
            (doc, key, item.transport, kind)
            for doc, item in zip(docs, items, strict=True)
            for kind, keys in (("reference", _item_keys(item)), ("content", _content_keys(item)))
            for key in keys
        ]
        self.env["altinn.document.alias"].sudo()._altinn_link(aliases)
        return docs

    @api.model
    def _altinn_create_from_item(self, company, item: AltinnItem):
        return self._altinn_create_from_items(company, [item])

    def _altinn_complete_from_item(self, item: AltinnItem):
        self.ensure_one()
        self.attachment_ids.unlink()
        vals = self._altinn_item_vals(item)
        if item.reference != self.reference:
            # Completed by the same item from another transport: the row keeps its reference.
            del vals["reference"], vals["transport"]
        self.write({**vals, "state": "new", "error": False, "incomplete": False})
        self._altinn_attach(item)
        self.env["altinn.document.alias"].sudo()._altinn_link(
            [(self, key, item.transport, "reference") for key in _item_keys(item)]
        )

    def _altinn_add_late_files(self, item: AltinnItem):
        """The item read again (``Transport.fetch_item`` or listed again): keep the files that were missing
        and are readable now, note what is still missing, and book again when the first booking had no
        entry to make. Returns the attachments added."""
        self.ensure_one()
        have = set(self.attachment_ids.mapped("checksum"))
        late = [
            file for file in item.files if self.env["ir.attachment"]._compute_checksum(file.data) not in have
        ]
        vals = {**self._altinn_missing_vals(item), "missing_checked_at": fields.Datetime.now()}
        if not vals["has_missing_files"]:
            vals["missing_retry_count"] = 0
        added = self.env["ir.attachment"]
        if late:
            partial = dataclasses.replace(item, files=late, raw=None)
            vals_list = self._altinn_attachment_vals(partial)
            added = self._altinn_insert_attachments(vals_list).sudo(False)
            rebook = not (self.move_id or self.move_ids) and (
                self.state in ("new", "failed")
                or (self.state == "ignored" and self.doc_type in (False, "other"))
            )
            if rebook:
                vals.update(state="new", error=False)
        self.write(vals)
        if late:
            post_note(
                self,
                self.env._(
                    "Files that could not be read before were fetched now: %(files)s",
                    files=", ".join(added.mapped("name")),
                ),
            )
        return added

    def _altinn_attach(self, item: AltinnItem):
        """Keep the item's files (role in the description) and its raw description."""
        self.ensure_one()
        return self._altinn_attach_items([item])

    def _altinn_attach_items(self, items):
        """Keep the files and raw descriptions of ``items`` (one per record of ``self``) with one create."""
        vals_list = [
            vals for doc, item in zip(self, items, strict=True) for vals in doc._altinn_attachment_vals(item)
        ]
        if not vals_list:
            return self.env["ir.attachment"]
        attachments = self._altinn_insert_attachments(vals_list)
        for vals, attachment in zip(vals_list, attachments, strict=True):
            if vals["description"] == RAW_DESCRIPTION:
                # Differing values of many rows are still flushed as one UPDATE.
                self.browse(vals["res_id"]).sudo().raw_attachment_id = attachment
        return attachments.sudo(False)

    def _altinn_insert_attachments(self, vals_list):
        """The ledger's files as ``ir.attachment.create`` makes them, with one INSERT.

        Each file goes through ir.attachment's own steps (``_check_contents``: mimetype and Odoo's rule on
        XML for users who may not edit views; ``_get_datas_related_values``: checksum, index, filestore or
        database storage); only the ORM's generic create per row is skipped (defaults, conversions, cache,
        an access check per document with two queries, done here once for ``self``), which cost more than
        the rest of recording a fetched document. The ledger's rows are its own: no other module's create
        override concerns them."""
        self.check_access("write")
        Attachment = self._altinn_ledger_attachments()
        rows = []
        for vals in vals_list:
            vals = Attachment._check_contents(dict(vals))
            raw = vals.pop("raw")
            if raw:  # as create: an empty file has no size, checksum or stored file
                vals.update(Attachment._get_datas_related_values(raw, vals["mimetype"]))
            rows.append(
                SQL(
                    "(%s, %s, %s, %s, 'binary', %s, %s, %s, %s, %s, %s, %s, "
                    "%s, now() at time zone 'UTC', %s, now() at time zone 'UTC')",
                    vals["name"],
                    vals["res_model"],
                    vals["res_id"],
                    vals["company_id"] or None,
                    vals.get("store_fname") or None,
                    vals.get("db_datas") or None,
                    vals.get("file_size"),
                    vals.get("checksum"),
                    vals["mimetype"],
                    vals.get("index_content") or None,
                    vals.get("description") or None,
                    self.env.uid,
                    self.env.uid,
                )
            )
        ids = []
        for batch in split_every(1000, rows):
            # VALUES ... RETURNING gives the ids in the order of the rows, as the ORM's own INSERT relies on.
            self.env.cr.execute(
                SQL(
                    """INSERT INTO ir_attachment (name, res_model, res_id, company_id, type, store_fname,
                                                  db_datas, file_size, checksum, mimetype, index_content,
                                                  description, create_uid, create_date, write_uid, write_date)
                       VALUES %s RETURNING id""",
                    SQL(", ").join(batch),
                )
            )
            ids += [row[0] for row in self.env.cr.fetchall()]
        self.browse({vals["res_id"] for vals in vals_list}).invalidate_recordset(["attachment_ids"])
        return Attachment.browse(ids)

    def _altinn_ledger_attachments(self):
        """``ir.attachment`` to keep Altinn's files with: as superuser (write access on the documents is
        checked by the caller), byte for byte (Odoo would shrink a large image; the ledger keeps what Altinn
        sent)."""
        return self.env["ir.attachment"].sudo().with_context(image_no_postprocess=True)

    def _altinn_attachment_vals(self, item: AltinnItem):
        """The ir.attachment values of the item's files, then of its raw description if any."""
        self.ensure_one()
        base = {"res_model": self._name, "res_id": self.id, "company_id": self.company_id.id}
        vals_list = []
        for file in item.files:
            mimetype = file.mimetype or "application/octet-stream"
            vals_list.append(
                {
                    **base,
                    "name": safe_file_name(file.name or "file"),
                    "raw": file.data,
                    "mimetype": mimetype,
                    # Odoo stores XML/HTML as text/plain for non-administrators (against stored XSS):
                    # the mimetype Altinn sent is kept beside the role for the parsers.
                    "description": f"{ROLE_PREFIX}{file.role or ROLE_ATTACHMENT} {MIMETYPE_PREFIX}{mimetype}",
                }
            )
        if item.raw:
            is_json = item.raw.lstrip()[:1] in (b"{", b"[")
            vals_list.append(
                {
                    **base,
                    "name": safe_file_name(f"altinn-{item.reference}.{'json' if is_json else 'xml'}"),
                    "raw": item.raw,
                    "mimetype": "application/json" if is_json else "application/xml",
                    "description": RAW_DESCRIPTION,
                }
            )
        return vals_list

    @api.model
    def _altinn_record_failure(self, company, reference, title, message, doc=None, raw=None):
        """Leave a visible, retryable 'failed' row; never let this raise. ``raw``: the answer Altinn sent
        for the item when it broke Altinn's contract, kept on the row for support."""
        vals = {"state": "failed", "error": message, "incomplete": True}
        try:
            with self.env.cr.savepoint():
                if doc:
                    doc.write(vals)
                else:
                    doc = self.create(
                        {
                            **vals,
                            "company_id": company.id,
                            "reference": reference,
                            "title": title or reference,
                            "reportee": company.altinn_org_number,
                        }
                    )
                if raw:
                    self._altinn_ledger_attachments().create(
                        {
                            "name": f"altinn-{reference}-answer.json",
                            "res_model": self._name,
                            "res_id": doc.id,
                            "company_id": company.id,
                            "raw": raw,
                            "mimetype": "application/json",
                        }
                    )
                return doc
        except Exception:
            _logger.warning("Could not record the failure of Altinn item %s", reference, exc_info=True)
            return doc or self.browse()

    def _altinn_backfill_references(self):
        """Give rows recorded before references were kept (18.0.1.2.0) what recording now keeps: the content
        keys of their document files and, for Altinn 2 rows, the ArchiveReference in their raw description."""
        rows = []
        for doc in self:
            item = SimpleNamespace(reference=doc.reference, files=doc._altinn_files())
            rows += [(doc, key, doc.transport, "content") for key in _content_keys(item)]
            raw = doc.raw_attachment_id.raw if doc.transport == "altinn2" and doc.raw_attachment_id else b""
            match = ARCHIVE_REFERENCE.search(raw or b"")
            if match:
                rows.append((doc, match.group(1).decode("ascii"), "altinn2", "reference"))
        self.env["altinn.document.alias"].sudo()._altinn_link(rows)

    def action_altinn_fetch_missing(self):
        """Read these documents again now for the files that were missing (the automatic tries may have
        stopped); says what came."""
        companies = self.filtered("has_missing_files").company_id
        if not companies:
            raise AltinnUserError(
                self.env._("No file is missing on these documents."), title=title_of(self.env, NOT_NOW)
            )
        fetched = self.browse()
        for company in companies:
            docs = self.filtered(lambda d, c=company: d.company_id == c and d.has_missing_files)
            docs.sudo().write({"missing_retry_count": 0})
            transport = company._altinn_transport()
            try:
                fetched |= self.browse(
                    retry_missing_files(docs.with_company(company), company, transport, only=docs)
                )
            finally:
                transport.close()
        still = self.filtered("has_missing_files")
        message = (
            self.env._("Every missing file was fetched.")
            if not still
            else self.env._("Still missing: %(files)s", files="; ".join(still.mapped("missing_files")))
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Missing files"),
                "message": message,
                "type": "success" if not still else "warning",
                "sticky": bool(still),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _altinn_files(self):
        """The item's files as the protocol layer's ``AltinnFile`` list, in their original order."""
        return [file for _attachment, file in self._altinn_stored_files()]

    def _altinn_stored_files(self):
        """The item's files as (ledger attachment, ``AltinnFile``) pairs, in their original order: the
        booking parses the files and gives the entry a copy of the attachment that holds its voucher."""
        self.ensure_one()
        files = []
        for att in self.attachment_ids.sorted("id"):
            tags = {
                prefix: token[len(prefix) :]
                for token in (att.description or "").split()
                for prefix in (ROLE_PREFIX, MIMETYPE_PREFIX)
                if token.startswith(prefix)
            }
            if att == self.raw_attachment_id or ROLE_PREFIX not in tags:
                continue
            files.append(
                (
                    att,
                    AltinnFile(
                        name=att.name,
                        mimetype=tags.get(MIMETYPE_PREFIX)
                        or att.mimetype
                        or mimetypes.guess_type(att.name)[0]
                        or "application/octet-stream",
                        data=att.raw or b"",
                        role=tags[ROLE_PREFIX],
                    ),
                )
            )
        return files

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_ignore(self):
        docs = self.filtered(lambda d: d.state in ("new", "failed"))
        docs.write({"state": "ignored"})
        failures.resolve(docs, failures.BOOKING, self.env._("Ignored."))
        return self._altinn_answer(
            self.env._("Ignored"),
            self.env._("%(count)s documents ignored: they will not be booked.", count=len(docs)),
            done=docs,
        )

    def action_reset(self):
        docs = self.filtered(lambda d: d.state == "ignored" and not d.incomplete)
        docs.write({"state": "new"})
        return self._altinn_answer(
            self.env._("Reset to new"),
            self.env._('%(count)s documents are new again: click "Book" to book them.', count=len(docs)),
            done=docs,
        )

    def action_mark_read(self):
        """The letter was read in Odoo; Altinn's read mark stays as it is."""
        letters = self.filtered(lambda d: d.state == "to_read")
        letters._altinn_mark_read()
        return self._altinn_answer(
            self.env._("Marked as read"),
            self.env._("%(count)s letters marked as read in Odoo.", count=len(letters)),
            done=letters,
        )

    def action_mark_read_in_altinn(self):
        """The letter was read: mark it read in Odoo and in the company's Altinn inbox (Altinn 3
        Correspondence ``markasread``), when the person chooses to."""
        letters = self.filtered(lambda d: d.state in ("to_read", "read") and d.can_mark_read_in_altinn)
        for company in letters.company_id:
            of_company = letters.filtered(lambda d, company=company: d.company_id == company)
            of_company._altinn_mark_seen_in_altinn(company)
        letters._altinn_mark_read(in_altinn=True)
        return self._altinn_answer(
            self.env._("Marked as read"),
            self.env._("%(count)s letters marked as read in Odoo and in Altinn.", count=len(letters)),
            done=letters,
        )

    def _altinn_mark_seen_in_altinn(self, company):
        """Mark these Correspondence messages of ``company`` as read in Altinn; an Altinn error stops it."""
        transport = company._altinn_transport()
        lang = company_lang(company)
        try:
            mark_seen = getattr(transport, "mark_seen", None)
            if mark_seen is None:
                raise AltinnUserError(
                    self.env._("The company's Altinn connection cannot mark letters as read in Altinn."),
                    title=title_of(self.env, SETUP),
                )
            for doc in self:
                mark_seen(
                    AltinnItem(
                        reference=doc.reference,
                        kind=doc.kind,
                        reportee=doc.reportee or company.altinn_org_number,
                        title=doc.title or "",
                        transport=doc.transport,
                    )
                )
        except AltinnError as exc:
            raise altinn_user_error(self.env, exc, error_message(exc, lang)) from None
        finally:
            try:
                transport.close()
            except Exception:
                _logger.warning("Closing the Altinn transport failed", exc_info=True)

    def _altinn_mark_read(self, in_altinn=False):
        """These letters were read: state Read, and their "read the letter" activities are done."""
        self.write({"state": "read"})
        for company in self.company_id:
            letters = self.filtered(lambda d, company=company: d.company_id == company)
            letters = letters.with_context(lang=company_lang(company))
            _ = letters.env._
            feedback = _("Read, also marked as read in Altinn.") if in_altinn else _("Read.")
            failures.resolve(letters, LETTER_ACTIVITY, feedback)

    def _altinn_ask_to_read(self):
        """Give each of these letters one "read the letter" activity for the company's Altinn responsible, in
        the company's language; a letter that needs attention says why."""
        kinds = dict(self._fields["notice_kind"]._description_selection(self.env))
        users = {}
        for doc in self:
            company = doc.company_id
            if company.id not in users:
                users[company.id] = failures.responsible_user(company, doc)
            lines = [
                self.env._(
                    'Read the letter "%(title)s" from %(sender)s.',
                    title=doc.title or doc.reference,
                    sender=doc.sender or "Altinn",
                )
            ]
            if doc.notice_kind:
                lines.append(
                    self.env._(
                        "Needs attention (%(kind)s): check what the letter asks for and by when.",
                        kind=kinds[doc.notice_kind],
                    )
                )
            failures.report(doc, LETTER_ACTIVITY, lines, users[company.id])

    def _altinn_answer(self, title, message, done=None, kind="success"):
        """What a button says when it is done: a notification, then the view shows the new state."""
        if done is not None and not done:
            message, kind = self.env._("Nothing to do: no document was in a state for it."), "info"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "type": kind,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _altinn_booking_answer(self):
        """What "Book" says: how the documents came out."""
        self.invalidate_recordset(["state"])
        counts = self._altinn_outcome()
        return self._altinn_answer(
            self.env._("Booking done"),
            self.env._("Booking done: %(outcome)s.", outcome=self._altinn_outcome_text()),
            kind="warning" if counts["failed"] else "success",
        )

    def _altinn_outcome(self):
        """How many of these documents are in each outcome of booking, by bucket (see OUTCOMES)."""
        return {
            bucket: len(self.filtered(lambda d, states=states: d.state in states))
            for bucket, states in OUTCOMES.items()
        }

    def _altinn_outcome_text(self):
        """The booking outcome of these documents in one line, in the context's language."""
        counts = self._altinn_outcome()
        text = self.env._(
            "imported: %(imported)s, duplicates: %(duplicate)s, letters to read: %(letter)s, failed: "
            "%(failed)s",
            **counts,
        )
        if counts["other"]:
            text += ", " + self.env._("other: %(other)s", other=counts["other"])
        return text

    def action_view_moves(self):
        """The document's journal entries as a list of entries (never the vendor bills' list, whose due date
        is "today" for an entry and whose columns are an invoice's): date, due date, KID, amount, state."""
        self.ensure_one()
        moves = self.move_ids | self.move_id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Journal entries"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "views": [(self.env.ref("prisolve_altinn.view_move_list_altinn").id, "list"), (False, "form")],
            "domain": [("id", "in", moves.ids)],
            "context": {"create": False, "default_move_type": "entry"},
        }

    # ------------------------------------------------------------------
    # Booking: thin entry points into booking/ (the pipeline, the vendor bill)
    # ------------------------------------------------------------------
    def _altinn_process(self):
        """Parse and book these documents; each document's failure stays on it (state 'failed' + error)."""
        pipeline.process(self)
        return self

    def _altinn_plan(self, batch):
        """Parse this document and plan its booking in ``batch``; a refusal is planned as its failure."""
        return pipeline.plan(self, batch)

    def _altinn_parsed(self, batch):
        """This document's files, parsed once per batch."""
        return pipeline.parsed_files(self, batch)

    def _altinn_book(self, batch, parsed):
        """Plan the booking of ``parsed``; return the values to write on the document."""
        return pipeline.book(self, batch, parsed)

    def action_altinn_process(self):
        """Parse and book again (after fixing the account mapping, for instance)."""
        docs = self.filtered(lambda d: d.state in ("new", "failed") and not d.incomplete)
        if not docs:
            raise AltinnUserError(
                self.env._("Only new or failed documents can be processed."),
                title=title_of(self.env, NOT_NOW),
            )
        for company in docs.company_id:
            docs.filtered(lambda d, c=company: d.company_id == c)._altinn_book_batch()
        return docs._altinn_booking_answer()

    def action_altinn_create_vendor_bill(self):
        """One click: a draft vendor bill with the document's files, for letters that are invoices."""
        self.ensure_one()
        bill = vendor_bill.vendor_bill(self)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Vendor bill"),
            "res_model": "account.move",
            "res_id": bill.id,
            "view_mode": "form",
            "context": {"default_move_type": "in_invoice"},
        }

    # ------------------------------------------------------------------
    # Booking in the background
    # ------------------------------------------------------------------
    @api.model
    def _cron_altinn_process(self, batch_size=None, time_budget=None):
        """Scheduled action: book the documents in state new, company by company, batch by batch.

        Reports its progress with ``_notify_progress``: while documents remain when the time budget is
        spent, the cron runner calls again instead of letting one long call be killed.
        """
        params = self.env["ir.config_parameter"].sudo()
        batch_size = batch_size or _positive_int(
            params.get_param("prisolve_altinn.cron_batch_size"), DEFAULT_BATCH_SIZE
        )
        configured = time_budget or _positive_int(params.get_param("prisolve_altinn.cron_time_budget"), 0)
        budget = runtime.call_budget(configured or None, DEFAULT_TIME_BUDGET)
        # Under a watchdog or a CPU limit, a batch starts only when one as long as the longest so far fits.
        bounded = budget.hard_at is not None or budget.cpu_stop_at is not None
        longest = longest_cpu = 0.0
        # One query: the pending ids of every company, oldest backlog first.
        groups = self.sudo()._read_group(PENDING_DOMAIN, ["company_id"], ["id:array_agg"])
        groups.sort(key=lambda group: min(group[1]))
        total = sum(len(ids) for _company, ids in groups)
        if total > batch_size:  # more than one batch: idle cron workers of every server join
            copies.wake_others(self.env, copies.PROCESS_CRON, count=-(-total // batch_size) - 1)
        done = skipped = 0
        stopped = False
        for company, ids in groups:
            documents = self.sudo().with_company(company)
            left = len(ids)  # of this company, not yet tried
            for batch_ids in split_every(batch_size, sorted(ids), list):
                if not budget.allows(longest, longest_cpu):
                    stopped = True
                    break
                started, started_cpu = time.monotonic(), runtime.cpu_seconds()
                try:
                    processed = documents._altinn_cron_batch(batch_ids)
                except TransactionRollbackError:
                    # Another server changed these rows meanwhile (serialization failure): not an error;
                    # what is left of them is booked by a later call.
                    if not can_commit():
                        raise
                    _logger.info("Altinn: a batch of company %s met another server's booking", company.id)
                    self.env.cr.rollback()
                    skipped += len(batch_ids)
                    left -= len(batch_ids)
                    continue
                except Exception:
                    # Documents' own failures are contained below: this is the database refusing the batch.
                    # Leave the company for the next run.
                    if not can_commit():
                        raise
                    _logger.exception("Altinn: booking a batch of company %s failed", company.id)
                    self.env.cr.rollback()
                    skipped += left
                    break
                if bounded:
                    longest = max(longest, time.monotonic() - started)
                    longest_cpu = max(longest_cpu, runtime.cpu_seconds() - started_cpu)
                left -= len(batch_ids)
                done += processed
                skipped += len(batch_ids) - processed  # booked meanwhile, or locked by another run
                self.env["ir.cron"]._notify_progress(done=done, remaining=max(total - done - skipped, 0))
            if stopped:
                break
        remaining = max(total - done - skipped, 0)
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        if stopped and remaining:
            runtime.continue_soon(self.env)
        _logger.info(
            "Altinn: %s documents processed, %s left for the next call, %s skipped (%s)",
            done,
            remaining,
            skipped,
            budget,
        )
        return done

    def _altinn_cron_batch(self, ids):
        """Lock, book and commit one batch; returns how many documents it processed."""
        locked = self._altinn_lock_pending(ids)
        if not locked:
            return 0
        documents = self.browse(locked)
        # Values read before the lock may be stale: another run may have booked them meanwhile.
        documents.invalidate_recordset()
        later = documents._altinn_book_batch()
        self._altinn_commit()
        return len(documents - later)

    def _altinn_book_batch(self):
        """Book these documents of one company as one batch, in the company's language; each document's
        failure stays on it and reaches the responsible person. Returns the documents left for a later run
        (another transaction held them)."""
        company = self.company_id
        company.ensure_one()
        documents = self.with_context(lang=company_lang(company))
        later = documents._altinn_process_isolated()
        (documents - later)._altinn_after_processing()
        return later

    def _altinn_lock_pending(self, ids):
        """Lock the rows of ``ids`` still pending; rows another run holds (or just changed) are skipped."""
        self.flush_model(["state", "incomplete"])
        query = SQL(
            "SELECT id FROM altinn_document WHERE id = ANY(%s) AND state = 'new' AND incomplete IS NOT TRUE "
            "ORDER BY id FOR UPDATE SKIP LOCKED",
            list(ids),
        )
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(query, log_exceptions=False)  # expected when runs overlap
                return [row[0] for row in self.env.cr.fetchall()]
        except (pg_errors.LockNotAvailable, TransactionRollbackError):
            # Changed by a run that committed after our snapshot began: no longer ours to book.
            _logger.info("Altinn: documents %s are being booked by another run; skipped", ids)
            return []

    def _altinn_commit(self):
        """Commit the batch (real cron run only) and drop the cache, so memory stays flat over a long run."""
        if can_commit():
            # One batch kept, see module docstring.
            self.env.cr.commit()  # pylint: disable=invalid-commit
        else:
            self.env.flush_all()
        self.env.invalidate_all()

    def _altinn_process_isolated(self):
        """Run the booking on the batch; when it raises, go document by document so only the culprit
        fails and the others are booked. Returns the documents left for a later run (concurrency)."""
        retried = self.filtered(lambda d: d.state == "failed")
        try:
            with self.env.cr.savepoint():
                self._altinn_process()
            later = self.browse()
        except Exception:
            _logger.warning(
                "Altinn: a batch of %s documents failed as a whole; booking them one by one",
                len(self),
                exc_info=True,
            )
            later = self._altinn_process_one_by_one()
        fixed = (retried - later).filtered(lambda d: d.state != "failed")
        failures.resolve(fixed, failures.BOOKING, self.env._("Booked after a new try."))
        return later

    def _altinn_process_one_by_one(self):
        later = self.browse()
        lang = self.env.lang or "en_US"
        for document in self:
            try:
                with self.env.cr.savepoint():
                    document._altinn_process()
            except TransactionRollbackError:
                # Serialization failure or deadlock with another transaction: nothing wrong with the
                # document, it stays new for the next run.
                _logger.info("Altinn document %s: concurrent update, left for the next run", document.id)
                later |= document
            except Exception as exc:
                _logger.warning("Altinn document %s could not be processed", document.id, exc_info=True)
                document.write(
                    {
                        "state": "failed",
                        "error": self.env._(
                            "The document could not be processed: %(error)s", error=error_message(exc, lang)
                        ),
                    }
                )
        return later

    def _altinn_after_processing(self):
        """A document still new was not handled by booking: fail it (visibly) instead of retrying it
        forever; then tell the responsible person about every failure and every letter to read."""
        self.filtered(lambda d: d.state == "to_read")._altinn_ask_to_read()
        untouched = self.filtered(lambda d: d.state == "new")
        if untouched:
            untouched.write(
                {
                    "state": "failed",
                    "error": self.env._(
                        "The document was not processed. Open it and click Book to try again."
                    ),
                }
            )
        users = {}
        for document in self.filtered(lambda d: d.state == "failed"):
            key = (document.company_id.id, document.create_uid.id)
            if key not in users:
                users[key] = failures.responsible_user(document.company_id, document)
            failures.report(
                document,
                failures.BOOKING,
                [document.error or self.env._("The document could not be booked.")],
                users[key],
            )


# Characters a file name cannot hold on Windows (and ":" also not on macOS): a downloaded voucher keeps its
# name.
UNSAFE_FILE_CHARS = re.compile(r'[<>:"/\\|?*]+')


def safe_file_name(name):
    """``name`` as any system can name a file: "altinn-dialog:7b3d.json" → "altinn-dialog-7b3d.json"."""
    return UNSAFE_FILE_CHARS.sub("-", name).strip(" .") or "file"


def notice_kind(*texts):
    """The kind of letter that needs attention (a key of NOTICE_WORDS) named in ``texts``, or False."""
    words = " ".join(text for text in texts if text).casefold()
    for kind, stems in NOTICE_WORDS:
        if any(stem in words for stem in stems):
            return kind
    return False


def _body_html(file):
    """A message body (text or HTML from Altinn) as safe HTML for the form."""
    text = file.data.decode("utf-8", errors="replace")
    return html_sanitize(text) if file.mimetype == "text/html" else plaintext2html(text)


def _positive_int(value, default):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if number > 0 else default


def _item_keys(item):
    """Every reference ``item`` may be known by: its own, then the other references Altinn gives it."""
    keys = [item.reference]
    for key in (*getattr(item, "aliases", ()), getattr(item, "archive_reference", None)):
        if key and key not in keys:
            keys.append(key)
    return keys


def _content_keys(item):
    """The item's document files (XML/JSON, not the message text) as content keys: the reference an upload
    of the same file gets (``upload_reference``), so uploads and items of any transport meet."""
    keys = []
    for file in getattr(item, "files", None) or []:
        if file.role == ROLE_BODY:
            continue
        mimetype = (file.mimetype or "").lower()
        if "xml" in mimetype or "json" in mimetype or (file.name or "").lower().endswith((".xml", ".json")):
            key = upload_reference(file)
            if key != item.reference and key not in keys:
                keys.append(key)
    return keys


def _match(existing, item):
    """The row ``existing`` (reference → row) holds for ``item``, by any of its references."""
    return next((existing[key] for key in _item_keys(item) if key in existing), None)
