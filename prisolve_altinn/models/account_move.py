# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..altinn.parsers import accounts as acc
from ..exceptions import AltinnBookingRefusal


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
    # An entry's invoice_date_due is today (it has no payment terms): the debt's due date is on its lines.
    altinn_due_date = fields.Date(
        string="Due date",
        compute="_compute_altinn_due_date",
        help="The earliest due date on the entry's lines (the debt's due date).",
    )
    altinn_review_reason = fields.Text(
        string="To check before posting",
        readonly=True,
        copy=False,
        help="Why this entry made from an Altinn document needs a person before it is posted. Empty: the "
        "addon is sure of it (posted at once when the company posts what is certain).",
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

    def _post(self, soft=True):
        posted = super()._post(soft)
        posted.filtered("altinn_document_id")._altinn_settle_placements()
        return posted

    def _altinn_settle_placements(self):
        """A payment Skatteetaten placed on a debt settles the debt: once both entries are posted, whichever
        is posted last, their lines on the payable to Skatteetaten are reconciled."""
        if not self:
            return
        Line = self.env["altinn.document.line"].sudo()
        mine = Line.search([("move_id", "in", self.ids), ("debt_key", "!=", False)])
        for company in mine.company_id:
            try:
                payable = self.env["altinn.account.map"]._altinn_account(company, acc.ROLE_PAYABLE)
            except AltinnBookingRefusal:
                continue
            keys = set(
                mine.filtered(lambda line, company=company: line.company_id == company).mapped("debt_key")
            )
            lines = Line.search(
                [("company_id", "=", company.id), ("debt_key", "in", list(keys)), ("move_id", "!=", False)]
            )
            for key in keys:
                debt = lines.filtered(lambda line, key=key: line.debt_key == key)
                placed = debt.filtered(lambda line: line.kind == "payment").move_id
                owed = (debt.move_id - placed).filtered(lambda move: move.state == "posted")
                placed = placed.filtered(lambda move: move.state == "posted")
                open_payable = (placed | owed).line_ids.filtered(
                    lambda line, payable=payable: line.account_id == payable and not line.reconciled
                )
                debit = open_payable.filtered(
                    lambda line, placed=placed: line.move_id in placed and line.debit
                )
                credit = open_payable.filtered(lambda line, owed=owed: line.move_id in owed and line.credit)
                if debit and credit:
                    (debit | credit).reconcile()
