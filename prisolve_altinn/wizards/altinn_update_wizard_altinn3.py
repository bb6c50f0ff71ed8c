# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
""" "Update from Altinn" on Altinn 3: the same fetch as the scheduled action, on demand, with no
username, password or SMS code (the system user needs no person)."""

from datetime import timezone

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.res_company_altinn3 import A3_LEVEL_FIRM


class AltinnUpdateWizard(models.TransientModel):
    _inherit = "altinn.update.wizard"

    transport = fields.Selection(related="company_id.altinn_transport", string="Altinn connection")
    altinn_a3_level = fields.Selection(related="company_id.altinn_a3_level")
    altinn_a3_info = fields.Char(related="company_id.altinn_a3_info", string="System user")

    def _altinn3(self):
        return self.company_id.altinn_transport == "altinn3"

    @api.depends("company_id")
    def _compute_available_company_ids(self):
        altinn3 = self.filtered(lambda w: w.company_id.altinn_transport == "altinn3")
        super(AltinnUpdateWizard, self - altinn3)._compute_available_company_ids()
        for wizard in altinn3:
            company = wizard.company_id
            level, _state, firm = company._altinn3_resolve()
            if level != A3_LEVEL_FIRM:
                wizard.firm_id = False
                wizard.available_company_ids = False
                continue
            wizard.firm_id = firm
            # The same client system user serves them all: other active clients of the firm.
            wizard.available_company_ids = self.env.companies.filtered(
                lambda c, company=company, firm=firm: (
                    c != company
                    and c.altinn_transport == "altinn3"
                    and c._altinn3_resolve()[0] == A3_LEVEL_FIRM
                    and c.sudo().altinn_client_id == firm
                )
            )

    def _altinn_require(self, credentials, pin=False):
        if self._altinn3():
            return  # no person: nothing to type
        return super()._altinn_require(credentials, pin=pin)

    def _altinn_check_companies(self):
        self.ensure_one()
        if not self._altinn3():
            return super()._altinn_check_companies()
        if self.date_from > self.date_to:
            raise UserError(self.env._("The start date must be before the end date."))
        companies = self._altinn_companies()
        inactive = companies - self.env.companies
        if inactive:
            raise UserError(
                self.env._(
                    "Select %(companies)s in the company switcher (top right) before updating.",
                    companies=", ".join(inactive.mapped("name")),
                )
            )
        other = companies.filtered(lambda c: c.altinn_transport != "altinn3")
        if other:
            raise UserError(
                self.env._(
                    "%(companies)s do not use Altinn 3, so they cannot be updated together with %(main)s.",
                    companies=", ".join(other.mapped("name")),
                    main=self.company_id.name,
                )
            )
        for company in companies:
            company._altinn3_settings()  # says what is missing

    def _altinn_request_pin(self, credentials):
        if self._altinn3():
            raise UserError(self.env._('No SMS code is needed with Altinn 3: click "Update in Odoo".'))
        return super()._altinn_request_pin(credentials)

    def _altinn_update_company(self, company, credentials, since, until):
        result = super()._altinn_update_company(company, credentials, since, until)
        if company.altinn_transport == "altinn3" and result.get("status") == "ok":
            # Everything up to now is in the ledger: move the scheduled fetch's marker, unless this run
            # started after it (a gap the scheduled fetch must still read).
            marker = company.sudo().altinn_last_sync
            start = since.astimezone(timezone.utc).replace(tzinfo=None)
            end = min(until.astimezone(timezone.utc).replace(tzinfo=None), fields.Datetime.now())
            if not marker or start <= marker < end:
                company.sudo().altinn_last_sync = end
        return result
