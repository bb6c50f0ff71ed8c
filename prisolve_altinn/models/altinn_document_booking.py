# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Parsing and booking of ledger documents: each known Skatteetaten document becomes draft entries."""

import logging

from markupsafe import Markup
from psycopg2 import errors as pg_errors
from psycopg2.extensions import TransactionRollbackError

from odoo import fields, models
from odoo.exceptions import UserError, ValidationError

from ..altinn.parsers import (
    DOC_ADVANCE_TAX,
    DOC_MVA_RETURN,
    DOC_OTHER,
    DOC_TAX_CLAIMS,
    DOC_TAX_SETTLEMENT,
    DOC_VAT_PAYMENT,
    ParseError,
    parse_files,
)
from ..services import failures
from .altinn_account_map import AltinnBookingRefusal
from .altinn_booking_batch import BookingBatch
from .altinn_document import LETTER_ACTIVITY

_logger = logging.getLogger(__name__)

_BUILDERS = {
    DOC_VAT_PAYMENT: "_book_vat_payment",
    DOC_MVA_RETURN: "_book_mva_return",
    DOC_TAX_CLAIMS: "_book_tax_claims",
    DOC_TAX_SETTLEMENT: "_book_tax_settlement",
    DOC_ADVANCE_TAX: "_book_advance_tax",
}


class AltinnDocument(models.Model):
    _inherit = "altinn.document"

    state = fields.Selection(
        selection_add=[("duplicate", "Duplicate")],
        ondelete={"duplicate": lambda records: records.write({"state": "failed"})},
    )
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

    # ------------------------------------------------------------------
    # Pipeline
    # ------------------------------------------------------------------
    def _altinn_process(self):
        result = super()._altinn_process()
        todo = self.filtered(lambda d: d.state in ("new", "failed") and not d.incomplete)
        if len(todo) > 1:
            try:
                with self.env.cr.savepoint():
                    todo._altinn_book_together()
                return result
            except TransactionRollbackError:
                raise  # a concurrent transaction: the caller leaves these documents for a later run
            except Exception:
                _logger.warning(
                    "Altinn: a batch of %s documents failed as a whole; booking them one by one",
                    len(todo),
                    exc_info=True,
                )
        for doc in todo:
            doc._altinn_process_one()
        return result

    def _altinn_book_together(self):
        """Plan every document, then write all their entries, lines and values at once (BookingBatch).

        A document's own failure (unreadable, refused) is planned as its failure; anything else raises and
        the caller books the documents one by one.
        """
        batch = BookingBatch(self.env)
        self._altinn_prefetch_booked(batch)
        for doc in self:
            doc._altinn_plan(batch)
        batch.flush()

    def _altinn_prefetch_booked(self, batch):
        """Parse the documents and ask the database once for what they would find already booked."""
        builder = self.env["altinn.move.builder"]
        lookups = {}
        for doc in self:
            try:
                parsed = doc._altinn_parsed(batch)
            except Exception:  # planning the document reports it
                continue
            keys, kids = lookups.setdefault(doc.company_id, (set(), set()))
            doc_keys, doc_kids = builder._booking_lookups(parsed)
            keys.update(doc_keys)
            kids.update(doc_kids)
        for company, (keys, kids) in lookups.items():
            batch.prefetch_booked(company, keys, kids)

    def _altinn_lang(self):
        return self.env.lang or "en_US"

    def _altinn_process_one(self):
        """Parse and book one document; whatever goes wrong stays on this document."""
        self.ensure_one()
        batch = BookingBatch(self.env)
        try:
            with self.env.cr.savepoint():
                self._altinn_plan(batch)
                batch.flush()
        except pg_errors.UniqueViolation:
            # Another run booked the same claim at the same moment; booking again shows it as a duplicate.
            self._altinn_set_failed(
                self.env._(
                    "The same claim was being booked by another process at the same time. Book this "
                    "document again."
                ),
                **self._altinn_planned_type(batch),
            )
        except TransactionRollbackError:
            raise  # a concurrent transaction, nothing wrong with the document: the caller retries later
        except Exception as exc:
            _logger.warning("Altinn document %s could not be booked", self.id, exc_info=True)
            self._altinn_set_failed(
                self.env._("The document could not be booked: %(error)s", error=exc),
                **self._altinn_planned_type(batch),
            )

    def _altinn_planned_type(self, batch):
        planned = batch.documents.get(self, {})
        return {"doc_type": planned.get("doc_type"), "summary": planned.get("summary")}

    def _altinn_plan(self, batch):
        """Parse this document and plan its booking in ``batch``; a refusal is planned as its failure."""
        self.ensure_one()
        lang = self._altinn_lang()
        try:
            parsed = self._altinn_parsed(batch)
        except ParseError as exc:
            batch.set_values(self, self._altinn_failed_vals(exc.text(lang)))
            return
        except Exception as exc:  # a parser bug must not stop the batch
            _logger.warning("Altinn document %s could not be parsed", self.id, exc_info=True)
            batch.set_values(
                self,
                self._altinn_failed_vals(self.env._("The document could not be read: %(error)s", error=exc)),
            )
            return
        summary = (
            parsed.summary_nb if lang.startswith(("nb", "no", "nn")) and parsed.summary_nb else parsed.summary
        )
        batch.set_values(self, {"summary": summary, "doc_type": parsed.doc_type})
        mark = batch.mark()
        try:
            vals = self._altinn_book(batch, parsed)
        except (AltinnBookingRefusal, UserError, ValidationError) as exc:
            batch.discard(mark)
            batch.set_values(self, self._altinn_failed_vals(exc.args[0], parsed.doc_type, summary))
            return
        batch.set_values(self, {"error": False, **vals})

    def _altinn_parsed(self, batch):
        """This document's files, parsed once per batch."""
        return batch.memo(
            ("parsed", self.id),
            lambda: parse_files(
                batch.files(self), service_code=self.service_code or None, title=self.title or None
            ),
        )

    def _altinn_failed_vals(self, message, doc_type=None, summary=None):
        vals = {"state": "failed", "error": message, "booking_note": False}
        if doc_type:
            vals["doc_type"] = doc_type
        if summary:
            vals["summary"] = summary
        return vals

    def _altinn_set_failed(self, message, doc_type=None, summary=None):
        self.write(self._altinn_failed_vals(message, doc_type, summary))

    def _altinn_check_organisation(self, parsed):
        own = self.company_id.altinn_org_number
        for document in [parsed, *parsed.related]:
            other = document.org_number
            if not other or other == own:
                continue
            if not own:
                raise AltinnBookingRefusal(
                    self.env._(
                        "The document is for organisation %(org)s, but %(company)s has no organisation "
                        "number; enter it on the company's Altinn tab.",
                        org=other,
                        company=self.company_id.display_name,
                    )
                )
            raise AltinnBookingRefusal(
                self.env._(
                    "The document is for organisation %(org)s, not for %(company)s (%(own)s); nothing is "
                    "booked.",
                    org=other,
                    company=self.company_id.display_name,
                    own=own,
                )
            )

    def _altinn_book(self, batch, parsed):
        """Plan the booking of ``parsed`` and its related documents in ``batch``; return the values to write
        on the document."""
        self.ensure_one()
        if parsed.doc_type == DOC_OTHER:
            return {"state": "to_read", "booking_note": False}  # a letter: someone reads it
        self._altinn_check_organisation(parsed)
        builder = self.env["altinn.move.builder"].with_company(self.company_id)
        outcome = builder._outcome()
        for document in [parsed, *parsed.related]:
            method = _BUILDERS.get(document.doc_type)
            if method:
                outcome.merge(getattr(builder, method)(batch, self, document))
        moves = outcome.moves
        if moves:
            state = "imported"
        elif outcome.duplicates and not outcome.informational:
            state = "duplicate"
        else:
            state = "imported"
        notes = list(dict.fromkeys(n for n in outcome.notes if n))
        vals = {
            "state": state,
            "booking_note": "\n".join(notes) or False,
            **outcome.document_vals,
        }
        if moves:
            vals["move_id"] = moves[0]  # the first planned is the first created
        if notes:
            batch.post(self, Markup("<br/>").join(notes))
        return vals

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_altinn_process(self):
        """Parse and book again (after fixing the account mapping, for instance)."""
        docs = self.filtered(lambda d: d.state in ("new", "failed") and not d.incomplete)
        if not docs:
            raise UserError(self.env._("Only new or failed documents can be processed."))
        for company in docs.company_id:
            docs.filtered(lambda d, c=company: d.company_id == c)._altinn_book_batch()
        return docs._altinn_booking_answer()

    def action_altinn_create_vendor_bill(self):
        """One click: a draft vendor bill with the document's files, for letters that are invoices."""
        self.ensure_one()
        bill = self.bill_ids[:1]
        if not bill:
            company = self.company_id
            Journal = self.env["account.journal"]
            journal = Journal.search(
                [*Journal._check_company_domain(company), ("type", "=", "purchase")], limit=1
            )
            if not journal:
                raise UserError(
                    self.env._("%(company)s has no purchase journal.", company=company.display_name)
                )
            partner = self.env["res.partner"]
            if self.sender:
                partner = partner.search(
                    [
                        ("name", "=ilike", self.sender),
                        ("is_company", "=", True),
                        "|",
                        ("company_id", "=", False),
                        ("company_id", "=", company.id),
                    ],
                    limit=1,
                )
            bill = (
                self.env["account.move"]
                .with_company(company)
                .create(
                    {
                        "move_type": "in_invoice",
                        "company_id": company.id,
                        "journal_id": journal.id,
                        "partner_id": partner.id or False,
                        "ref": self.title or self.reference,
                        "altinn_document_id": self.id,
                        "narration": Markup("<p>%s</p>")
                        % self.env._(
                            'Made from Altinn item %(reference)s "%(title)s".',
                            reference=self.reference,
                            title=self.title or "",
                        ),
                    }
                )
            )
            copies = self.env["altinn.move.builder"]._attach_files(self, bill)
            pdf = copies.filtered(lambda a: a.mimetype == "application/pdf")[:1]
            if pdf and "message_main_attachment_id" in bill._fields:
                bill.message_main_attachment_id = pdf
            vals = {"move_id": bill.id}
            if self.state in ("ignored", "to_read", "read"):
                vals["state"] = "imported"
            self.write(vals)
            failures.resolve(self, LETTER_ACTIVITY, self.env._("Made into a vendor bill."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Vendor bill"),
            "res_model": "account.move",
            "res_id": bill.id,
            "view_mode": "form",
            "context": {"default_move_type": "in_invoice"},
        }
