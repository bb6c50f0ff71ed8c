# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The wizard hands the booking to the cron: it only fetches and records inside the SMS session."""

from odoo import api, fields, models


class AltinnUpdateWizard(models.TransientModel):
    _inherit = "altinn.update.wizard"

    progress_document_ids = fields.Many2many(
        "altinn.document",
        string="Documents",
        compute="_compute_progress_document_ids",
        help="The new documents and how far their booking has come.",
    )

    @api.depends("document_ids")
    def _compute_progress_document_ids(self):
        for wizard in self:
            wizard.progress_document_ids = wizard.document_ids

    def _altinn_process(self, documents):
        """Book in the background (the cron is triggered now), unless the caller asks for it inline with
        ``altinn_process_now`` or no active cron is there to do it."""
        if self.env.context.get("altinn_process_now") or not documents._altinn_schedule_processing():
            return super()._altinn_process(documents)
        return None

    @api.depends("line_ids", "document_ids.state")
    def _compute_summary(self):
        result = super()._compute_summary()
        for wizard in self:
            documents = wizard.document_ids
            if wizard.state != "done" or not documents:
                continue
            waiting = documents.filtered(lambda d: d.state == "new")
            if waiting:
                progress = self.env._(
                    "Booking runs in the background: %(waiting)s of %(total)s documents still waiting.",
                    waiting=len(waiting),
                    total=len(documents),
                )
            else:
                progress = self.env._(
                    "Booking done: %(imported)s imported, %(failed)s failed, %(other)s other.",
                    imported=len(documents.filtered(lambda d: d.state == "imported")),
                    failed=len(documents.filtered(lambda d: d.state == "failed")),
                    other=len(documents.filtered(lambda d: d.state not in ("imported", "failed"))),
                )
            wizard.summary = f"{wizard.summary} {progress}"
        return result

    def action_altinn_refresh(self):
        """Show how far the background booking has come."""
        self.ensure_one()
        return self._altinn_reopen()
