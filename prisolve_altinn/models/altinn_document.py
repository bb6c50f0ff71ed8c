# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import mimetypes
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import split_every, unique

from ..altinn.errors import AltinnError
from ..altinn.types import ROLE_ATTACHMENT, AltinnFile, AltinnItem, FetchFailure

_logger = logging.getLogger(__name__)

ROLE_PREFIX = "altinn_role:"
MIMETYPE_PREFIX = "mimetype:"
RAW_DESCRIPTION = "altinn_raw"
# Items recorded per batch: bounded memory, and one INSERT per table for up to this many.
RECORD_CHUNK_SIZE = 100
# Altinn writes database times without an offset, in Norwegian local time.
ALTINN_TZ = ZoneInfo("Europe/Oslo")


def to_utc_naive(value):
    """A datetime from a transport as Odoo stores it (naive UTC); naive input is Altinn local time."""
    if not value:
        return False
    if not isinstance(value, datetime):  # a date
        return datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=ALTINN_TZ)
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def error_text(error, lang):
    """The person-facing text of an error from the protocol layer or the ORM."""
    if isinstance(error, AltinnError):
        return error.text(lang)
    if isinstance(error, UserError):
        return error.args[0]
    return str(error) or error.__class__.__name__


def guarded(items, errors):
    """Yield from a transport's iterator; a failure ends it and lands in ``errors``.

    The items already yielded stay recorded: a fetch that breaks halfway loses nothing.
    """
    try:
        yield from items
    except AltinnError as exc:
        errors.append(exc)
    except Exception as exc:  # an untranslated transport failure must not lose the items already recorded
        _logger.warning("Altinn fetch stopped by %s", exc.__class__.__name__, exc_info=True)
        errors.append(exc)


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
        [("new", "New"), ("imported", "Imported"), ("ignored", "Ignored"), ("failed", "Failed")],
        required=True,
        default="new",
        index=True,
        tracking=True,
        copy=False,
    )
    error = fields.Text(readonly=True, copy=False)
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
    raw_attachment_id = fields.Many2one(
        "ir.attachment",
        string="Altinn description",
        readonly=True,
        copy=False,
        help="The item as Altinn described it (XML/JSON), kept for support.",
    )

    _sql_constraints = [
        (
            "reference_company_uniq",
            "unique(company_id, reference)",
            "This Altinn item is already in the ledger for this company.",
        ),
    ]

    @api.depends("reference", "title")
    def _compute_display_name(self):
        for doc in self:
            doc.display_name = f"{doc.title} ({doc.reference})" if doc.title else doc.reference

    @api.depends("move_id", "move_ids")
    def _compute_move_count(self):
        for doc in self:
            doc.move_count = len(doc.move_ids | doc.move_id)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_booked(self):
        if any(doc.move_id or doc.move_ids for doc in self.sudo()):
            raise UserError(
                self.env._("Documents with journal entries cannot be deleted; ignore them instead.")
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
        existing = recorder._altinn_existing_documents(company, {item.reference for item in chunk})
        outcomes = [None] * len(chunk)
        batched, one_by_one, seen = [], [], set()
        for position, item in enumerate(chunk):
            unknown = item.reference not in existing and item.reference not in seen
            seen.add(item.reference)
            (batched if unknown and not isinstance(item, FetchFailure) else one_by_one).append(position)
        if batched:
            created = recorder._altinn_create_batch(company, [chunk[position] for position in batched])
            if created:
                for position, doc in zip(batched, created, strict=True):
                    outcomes[position] = ("new", doc.id)
                    existing[doc.reference] = doc
            else:
                one_by_one = sorted(batched + one_by_one)
        lang = self.env.lang or "en_US"
        for position in one_by_one:
            item = chunk[position]
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
        """References ``company`` already holds complete: a transport need not download them again."""
        self.flush_model(["company_id", "reference", "incomplete"])
        self.env.cr.execute(
            "SELECT reference FROM altinn_document WHERE company_id = %s AND incomplete IS NOT TRUE",
            [company.id],
        )
        return frozenset(row[0] for row in self.env.cr.fetchall())

    @api.model
    def _altinn_existing_documents(self, company, references):
        """The company's rows for ``references``, by reference (one query)."""
        return {
            doc.reference: doc
            for doc in self.search_fetch(
                [("company_id", "=", company.id), ("reference", "in", list(references))],
                ["reference", "incomplete"],
            )
        }

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
        if doc and not doc.incomplete:
            return ("known", doc.id)
        if isinstance(item, FetchFailure):
            failures.append(item)
            existing[item.reference] = self._altinn_record_failure(
                company, item.reference, item.title, error_text(item.error, lang), doc
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
                company, item.reference, item.title, error_text(exc, lang), doc
            )
            return None
        existing[item.reference] = doc
        return ("new", doc.id)

    @api.model
    def _altinn_item_vals(self, item):
        return {
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
        }

    @api.model
    def _altinn_create_from_items(self, company, items):
        """Create the rows of new ``items`` and their files: one INSERT per table for all."""
        docs = self.create(
            [{**self._altinn_item_vals(item), "company_id": company.id, "state": "new"} for item in items]
        )
        docs._altinn_attach_items(items)
        return docs

    @api.model
    def _altinn_create_from_item(self, company, item: AltinnItem):
        return self._altinn_create_from_items(company, [item])

    def _altinn_complete_from_item(self, item: AltinnItem):
        self.ensure_one()
        self.attachment_ids.unlink()
        self.write({**self._altinn_item_vals(item), "state": "new", "error": False, "incomplete": False})
        self._altinn_attach(item)

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
        # ir.attachment.create checks write access on each document with two queries: once here for all.
        self.check_access("write")
        attachments = self.env["ir.attachment"].sudo().create(vals_list)
        for vals, attachment in zip(vals_list, attachments, strict=True):
            if vals["description"] == RAW_DESCRIPTION:
                # Differing values of many rows are still flushed as one UPDATE.
                self.browse(vals["res_id"]).sudo().raw_attachment_id = attachment
        return attachments.sudo(False)

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
                    "name": file.name or "file",
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
                    "name": f"altinn-{item.reference}.{'json' if is_json else 'xml'}",
                    "raw": item.raw,
                    "mimetype": "application/json" if is_json else "application/xml",
                    "description": RAW_DESCRIPTION,
                }
            )
        return vals_list

    @api.model
    def _altinn_record_failure(self, company, reference, title, message, doc=None):
        """Leave a visible, retryable 'failed' row; never let this raise."""
        vals = {"state": "failed", "error": message, "incomplete": True}
        try:
            with self.env.cr.savepoint():
                if doc:
                    doc.write(vals)
                    return doc
                return self.create(
                    {
                        **vals,
                        "company_id": company.id,
                        "reference": reference,
                        "title": title or reference,
                        "reportee": company.altinn_org_number,
                    }
                )
        except Exception:
            _logger.warning("Could not record the failure of Altinn item %s", reference, exc_info=True)
            return doc or self.browse()

    def _altinn_files(self):
        """The item's files as the protocol layer's ``AltinnFile`` list, in their original order."""
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
                AltinnFile(
                    name=att.name,
                    mimetype=tags.get(MIMETYPE_PREFIX)
                    or att.mimetype
                    or mimetypes.guess_type(att.name)[0]
                    or "application/octet-stream",
                    data=att.raw or b"",
                    role=tags[ROLE_PREFIX],
                )
            )
        return files

    def _altinn_process(self):
        """Hook called on newly recorded documents: parsing and booking override it.

        Must handle its own per-document failures (state 'failed' + error).
        """
        return self

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_ignore(self):
        self.filtered(lambda d: d.state in ("new", "failed")).write({"state": "ignored"})

    def action_reset(self):
        self.filtered(lambda d: d.state == "ignored" and not d.incomplete).write({"state": "new"})

    def action_view_moves(self):
        self.ensure_one()
        moves = self.move_ids | self.move_id
        action = {
            "type": "ir.actions.act_window",
            "name": self.env._("Journal entries"),
            "res_model": "account.move",
            "context": {"create": False},
        }
        if len(moves) == 1:
            action.update(view_mode="form", res_id=moves.id)
        else:
            action.update(view_mode="list,form", domain=[("id", "in", moves.ids)])
        return action
