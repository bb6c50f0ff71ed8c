# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Klient level: the accounting/audit firm registers one datasystem that
    # serves all the client companies pointing to it.
    altinn_system_id = fields.Char(
        string="System ID",
        copy=False,
        help="ID of the datasystem this firm registered in Altinn. Client companies without a "
        "system ID of their own use it (Klient level).",
    )
    altinn_system_password = fields.Char(
        string="System password",
        copy=False,
        groups="base.group_system",
        exportable=False,
        help="Password of the firm's datasystem, chosen when it was registered in Altinn.",
    )
    altinn_client_company_ids = fields.One2many(
        "res.company",
        "altinn_client_id",
        string="Altinn client companies",
        help="Companies in this database whose Altinn access goes through this firm.",
    )
    altinn_client_company_count = fields.Integer(compute="_compute_altinn_client_company_count")

    @api.depends("altinn_client_company_ids")
    def _compute_altinn_client_company_count(self):
        for partner in self:
            partner.altinn_client_company_count = len(partner.altinn_client_company_ids)
