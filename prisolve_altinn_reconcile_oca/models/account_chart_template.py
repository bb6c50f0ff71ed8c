# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models

from odoo.addons.account.models.chart_template import template


class AccountChartTemplate(models.AbstractModel):
    _inherit = "account.chart.template"

    @template(model="account.reconcile.model")
    def _get_account_reconcile_model(self, template_code):
        data = super()._get_account_reconcile_model(template_code)
        data["reconcile_altinn_kid"] = self.env["account.reconcile.model"]._altinn_kid_model_vals()
        return data
