# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


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
        groups="base.group_user",
    )

    def action_open_altinn_document(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Altinn document"),
            "res_model": "altinn.document",
            "res_id": self.altinn_document_id.id,
            "view_mode": "form",
        }
