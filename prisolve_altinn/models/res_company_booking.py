# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..altinn.parsers import accounts as default_accounts


class ResCompany(models.Model):
    _inherit = "res.company"

    altinn_journal_id = fields.Many2one(
        "account.journal",
        string="Altinn journal",
        domain="[('type', '=', 'general'), ('company_id', '=', id)]",
        help="Miscellaneous journal of the draft entries made from Altinn documents. Left empty, a journal "
        "'Altinn' (code ALTN) is created the first time a document is booked.",
    )
    altinn_vat_mode = fields.Selection(
        [
            ("odoo", "VAT is closed in Odoo: compare the VAT return with the ledger"),
            ("external", "VAT is filed outside Odoo: book the closing entry from the VAT return"),
        ],
        string="VAT returns",
        default="odoo",
        required=True,
        help="Closed in Odoo: the VAT return's fastsatt merverdiavgift is compared with the balance of the "
        "VAT settlement account for the period and the difference is shown on the document; nothing is "
        "booked.\n"
        "Filed outside Odoo: each line of the VAT return is moved from the account of the l10n_no tax with "
        "that VAT code to the VAT settlement account.",
    )
    altinn_account_map_ids = fields.One2many(
        "altinn.account.map", "company_id", string="Altinn booking accounts"
    )
    # The company's practice for the tax settlement: where the year-end accrual and the advance tax are booked
    # (the two rows of its Altinn account mapping, shown here).
    altinn_tax_accrued_account_id = fields.Many2one(
        "account.account",
        string="Accrued tax booked on",
        compute="_compute_altinn_tax_practice",
        inverse="_inverse_altinn_tax_accrued",
        help="Where the year-end accrual of the company's tax is (NS "
        "4102: 2500 Betalbar skatt, ikke fastsatt). "
        "The tax settlement clears its balance at 31 December of the income year.",
    )
    altinn_advance_tax_account_id = fields.Many2one(
        "account.account",
        string="Advance tax booked on",
        compute="_compute_altinn_tax_practice",
        inverse="_inverse_altinn_advance_tax",
        help="Where the advance tax notices and claims are booked (NS 4102: 2540 Forskuddsskatt; choose the "
        "accrued-tax account if your practice books the advance tax against it). The tax settlement clears "
        "what was booked there in the year after the income year.",
    )

    @api.depends("altinn_account_map_ids.account_id", "altinn_account_map_ids.code")
    def _compute_altinn_tax_practice(self):
        for company in self:
            rows = {row.role: row for row in company.sudo().altinn_account_map_ids}
            accrued = rows.get(default_accounts.ROLE_TAX_ACCRUED)
            advance = rows.get(default_accounts.ROLE_ADVANCE_TAX)
            company.altinn_tax_accrued_account_id = accrued.resolved_account_id if accrued else False
            company.altinn_advance_tax_account_id = advance.resolved_account_id if advance else False

    def _inverse_altinn_tax_accrued(self):
        self._altinn_set_role_account(default_accounts.ROLE_TAX_ACCRUED, "altinn_tax_accrued_account_id")

    def _inverse_altinn_advance_tax(self):
        self._altinn_set_role_account(default_accounts.ROLE_ADVANCE_TAX, "altinn_advance_tax_account_id")

    def _altinn_set_role_account(self, role, field_name):
        for company in self:
            rows = self.env["altinn.account.map"]._altinn_ensure_defaults(company)
            rows.filtered(lambda row, role=role: row.role == role).sudo().account_id = company[field_name]

    def action_altinn_account_map(self):
        """Open the booking accounts of this company (rows with the defaults are created first)."""
        self.ensure_one()
        self.env["altinn.account.map"]._altinn_ensure_defaults(self)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Altinn booking accounts"),
            "res_model": "altinn.account.map",
            "view_mode": "list",
            "views": [(False, "list")],
            "domain": [("company_id", "=", self.id)],
            "context": {"default_company_id": self.id},
        }
