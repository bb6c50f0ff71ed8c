# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Parsing and booking of ledger documents: the fields, and thin entry points into ``booking/``."""

from odoo import fields, models
from odoo.exceptions import UserError

from ..booking import pipeline, vendor_bill

_logger = pipeline._logger


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
    # Pipeline (booking/pipeline.py)
    # ------------------------------------------------------------------
    def _altinn_process(self):
        result = super()._altinn_process()
        pipeline.process(self)
        return result

    def _altinn_plan(self, batch):
        """Parse this document and plan its booking in ``batch``; a refusal is planned as its failure."""
        return pipeline.plan(self, batch)

    def _altinn_parsed(self, batch):
        """This document's files, parsed once per batch."""
        return pipeline.parsed_files(self, batch)

    def _altinn_book(self, batch, parsed):
        """Plan the booking of ``parsed``; return the values to write on the document."""
        return pipeline.book(self, batch, parsed)

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
        bill = vendor_bill.vendor_bill(self)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Vendor bill"),
            "res_model": "account.move",
            "res_id": bill.id,
            "view_mode": "form",
            "context": {"default_move_type": "in_invoice"},
        }
