# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    altinn_document_id = fields.Many2one(
        "altinn.document",
        string="Altinn document",
        readonly=True,
        copy=False,
        index="btree_not_null",
        check_company=True,
        ondelete="restrict",
        help="The Altinn document this entry was made from.",
    )
    # An entry's invoice_date_due is today (it has no payment terms): the debt's due date is on its lines.
    altinn_due_date = fields.Date(
        string="Due date",
        compute="_compute_altinn_due_date",
        help="The earliest due date on the entry's lines (the debt's due date).",
    )

    @api.depends("line_ids.date_maturity")
    def _compute_altinn_due_date(self):
        for move in self:
            dates = [date for date in move.line_ids.mapped("date_maturity") if date]
            move.altinn_due_date = min(dates) if dates else False

    def action_open_altinn_document(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Altinn document"),
            "res_model": "altinn.document",
            "res_id": self.altinn_document_id.id,
            "view_mode": "form",
        }
