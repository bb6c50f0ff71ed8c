# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The ledger: one row per Altinn item and company, its files kept as they came, and its booking.

This model holds the ledger's fields, computes and buttons. Rows are recorded by ``services/recording.py``
(what the fetch service does with a transport's items) and booked by ``booking/`` (``pipeline`` books,
``cron`` is the scheduled action that books in the background). A document's failure stays on the document
(state ``failed`` + error) and reaches the responsible person through the one failure path
(``services/failures.py``); it never stops the other documents or companies.
"""

import base64
import logging
import mimetypes

from odoo import api, fields, models
from odoo.tools import format_date, html_sanitize, plaintext2html

from ..altinn.errors import AltinnError
from ..altinn.types import ROLE_BODY, AltinnFile, AltinnItem
from ..booking import cron as booking_cron
from ..booking import pipeline, vendor_bill
from ..exceptions import NOT_ALLOWED, NOT_NOW, SETUP, AltinnUserError, altinn_user_error, title_of
from ..services import failures
from ..services.fetch import retry_missing_files
from ..services.recording import MIMETYPE_PREFIX, RAW_DESCRIPTION, ROLE_PREFIX
from ..services.texts import company_lang, error_message, in_company_lang, local_date

_logger = logging.getLogger(__name__)

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
    # The item's files (recorded by services/recording.py)
    # ------------------------------------------------------------------
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
        with company._altinn_transport() as transport:
            if not transport.can_mark_seen:
                raise AltinnUserError(
                    self.env._("The company's Altinn connection cannot mark letters as read in Altinn."),
                    title=title_of(self.env, SETUP),
                )
            try:
                for doc in self:
                    transport.mark_seen(
                        AltinnItem(
                            reference=doc.reference,
                            kind=doc.kind,
                            reportee=doc.reportee or company.altinn_org_number,
                            title=doc.title or "",
                            transport=doc.transport,
                        )
                    )
            except AltinnError as exc:
                raise altinn_user_error(self.env, exc, error_message(exc, company_lang(company))) from None

    def _altinn_mark_read(self, in_altinn=False):
        """These letters were read: state Read, and their "read the letter" activities are done."""
        self.write({"state": "read"})
        for company in self.company_id:
            of_company = self.filtered(lambda d, company=company: d.company_id == company)
            letters = in_company_lang(of_company, company)
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
            self._altinn_booking_done(),
            kind="warning" if counts["failed"] else "success",
        )

    def _altinn_outcome(self):
        """How many of these documents are in each outcome of booking, by bucket (see OUTCOMES)."""
        return {
            bucket: len(self.filtered(lambda d, states=states: d.state in states))
            for bucket, states in OUTCOMES.items()
        }

    def _altinn_booking_done(self):
        """ "Booking done: …" with how these documents came out: one sentence in the context's language."""
        counts = self._altinn_outcome()
        if counts["other"]:
            return self.env._(
                "Booking done: imported: %(imported)s, duplicates: %(duplicate)s, letters to read: "
                "%(letter)s, failed: %(failed)s, other: %(other)s.",
                **counts,
            )
        return self.env._(
            "Booking done: imported: %(imported)s, duplicates: %(duplicate)s, letters to read: "
            "%(letter)s, failed: %(failed)s.",
            **counts,
        )

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
            with company._altinn_transport() as transport:
                fetched |= self.browse(
                    retry_missing_files(docs.with_company(company), company, transport, only=docs)
                )
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

    def action_altinn_process(self):
        """Parse and book again (after fixing the account mapping, for instance)."""
        docs = self.filtered(lambda d: d.state in ("new", "failed") and not d.incomplete)
        if not docs:
            raise AltinnUserError(
                self.env._("Only new or failed documents can be processed."),
                title=title_of(self.env, NOT_NOW),
            )
        for company in docs.company_id:
            pipeline.book_documents(docs.filtered(lambda d, c=company: d.company_id == c))
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

    @api.model
    def _cron_altinn_process(self, batch_size=None, time_budget=None):
        """Scheduled action: book the documents in state new (``booking/cron.py``)."""
        return booking_cron.run_cron(self.env, batch_size=batch_size, time_budget=time_budget)


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
