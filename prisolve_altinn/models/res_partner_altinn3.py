# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Altinn 3 on the accounting firm's contact: its client (agent) system user (Klient level).

Tokens are always requested for the firm; each client company is chosen per call.
"""

import re

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .res_company_altinn3 import A3_STATES


class ResPartner(models.Model):
    _inherit = "res.partner"

    altinn_firm_org_number = fields.Char(
        string="Firm organisation number",
        compute="_compute_altinn_firm_org_number",
        store=True,
        readonly=False,
        help="The organisation number that owns the firm's client system user in Altinn 3. Taken from the "
        "Brønnøysund number, the company ID or the VAT number; can be edited.",
    )
    altinn_a3_state = fields.Selection(
        A3_STATES,
        string="Client system user",
        default="missing",
        required=True,
        copy=False,
        readonly=True,
        help="The firm's client (agent) system user in Altinn 3, as last seen in Altinn.",
    )
    altinn_a3_confirm_url = fields.Char(
        string="Approval link",
        copy=False,
        readonly=True,
        help="The firm's daglig leder (or another person with access management rights) approves the client "
        "system user once with this link. Then the firm's klientadministrator adds the clients in Altinn.",
    )
    altinn_a3_request_id = fields.Char(string="Request ID", copy=False, readonly=True)
    altinn_a3_system_user_id = fields.Char(string="System user ID", copy=False, readonly=True)
    altinn_a3_requested_by = fields.Many2one("res.users", string="Requested by", copy=False, readonly=True)

    @api.depends("l10n_no_bronnoysund_number", "company_registry", "vat")
    def _compute_altinn_firm_org_number(self):
        for partner in self:
            number = False
            for source in (partner.l10n_no_bronnoysund_number, partner.company_registry, partner.vat):
                digits = re.sub(r"\D", "", source or "")
                if len(digits) == 9:
                    number = digits
                    break
            if number or not partner.altinn_firm_org_number:
                partner.altinn_firm_org_number = number

    @api.constrains("altinn_firm_org_number")
    def _check_altinn_firm_org_number(self):
        for partner in self:
            number = partner.altinn_firm_org_number
            if number and not re.fullmatch(r"\d{9}", number):
                raise ValidationError(
                    self.env._(
                        "The organisation number must have exactly 9 digits (got %(number)s).", number=number
                    )
                )

    def _altinn3_reference_company(self):
        """The company whose Altinn environment the firm's requests use: that of its client companies."""
        self.ensure_one()
        companies = self.sudo().altinn_client_company_ids
        environments = {(c.altinn_environment, c._altinn_base_url()) for c in companies}
        if len(environments) > 1:
            raise UserError(
                self.env._(
                    "The client companies of %(firm)s use different Altinn environments; give them the "
                    "same one.",
                    firm=self.display_name,
                )
            )
        return companies[:1] or self.env.company

    def action_altinn3_request_system_user(self):
        """Ask Altinn for the firm's client (agent) system user; the firm approves the link."""
        self.ensure_one()
        self.env["res.company"]._altinn3_check_manager()  # in the caller's environment, before any sudo
        company = self._altinn3_reference_company()
        firm = self.sudo()
        values = company.sudo()._altinn3_request(
            firm.altinn_firm_org_number,
            agent=True,
            title=self.env._("Odoo – %(name)s (clients)", name=firm.name),
        )
        firm.write(values)
        return company._altinn3_state_notification(firm.altinn_a3_state, firm.display_name)

    def action_altinn3_check_status(self):
        self.ensure_one()
        self.env["res.company"]._altinn3_check_manager()  # in the caller's environment, before any sudo
        company = self._altinn3_reference_company()
        firm = self.sudo()
        firm.write(
            company.sudo()._altinn3_status(
                firm.altinn_firm_org_number, agent=True, request_id=firm.altinn_a3_request_id
            )
        )
        return company._altinn3_state_notification(firm.altinn_a3_state, firm.display_name)
