# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        """A bank line paid with a KID Odoo did not know yet (the claim came later) is matched once the
        entry with that KID is posted."""
        posted = super()._post(soft)
        kids = [kid for kid in posted.filtered("altinn_document_id").mapped("payment_reference") if kid]
        if kids:
            waiting = self.env["account.bank.statement.line"].search(
                [
                    ("company_id", "in", posted.company_id.ids),
                    ("is_reconciled", "=", False),
                    ("ref", "in", kids),
                ]
            )
            waiting._auto_reconcile()
        return posted
