# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The accounting or audit firm's contact (Klient level): its credentials serve all its client companies.

Altinn 3: the firm's client (agent) system user; tokens are always requested for the firm and the client
company is chosen per call. Altinn 2: the firm's datasystem.
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..exceptions import NOT_NOW, SETUP, AltinnUserError, title_of
from .res_company import check_org_number, org_number_of, org_number_warning


class ResPartner(models.Model):
    _inherit = "res.partner"

    altinn_org_number = fields.Char(
        string="Altinn organisation number",
        compute="_compute_altinn_org_number",
        store=True,
        readonly=False,
        help="The organisation number that owns the firm's system users in Altinn. Taken from the "
        "Brønnøysund "
        "number, the company ID or the VAT number; can be edited.",
        groups="base.group_user",
    )
    altinn_agent_system_user_id = fields.Many2one(
        "altinn.system.user",
        string="Client system user",
        copy=False,
        readonly=True,
        help="The firm's Altinn 3 client (agent) system user: it fetches for every client company whose "
        "accounting firm this is (Klient level).",
        groups="base.group_user",
    )
    # Altinn 2 (Klient level): one datasystem registered by the firm.
    altinn_system_id = fields.Char(
        string="System ID",
        copy=False,
        help="ID of the datasystem this firm registered in Altinn. Client companies without a system ID of "
        "their own use it (Klient level).",
        groups="base.group_user",
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
        "altinn_firm_id",
        string="Altinn client companies",
        help="Companies in this database whose Altinn access goes through this firm.",
        groups="base.group_user",
    )
    altinn_client_company_count = fields.Integer(
        compute="_compute_altinn_client_company_count", groups="base.group_user"
    )

    @api.depends("l10n_no_bronnoysund_number", "company_registry", "vat")
    def _compute_altinn_org_number(self):
        for partner in self:
            number = org_number_of(partner)
            if number or not partner.altinn_org_number:
                partner.altinn_org_number = number

    @api.onchange("altinn_org_number")
    def _onchange_altinn_org_number(self):
        return org_number_warning(self, self.altinn_org_number)

    @api.constrains("altinn_org_number")
    def _check_altinn_org_number(self):
        for partner in self:
            check_org_number(partner, partner.altinn_org_number)

    @api.depends("altinn_client_company_ids")
    def _compute_altinn_client_company_count(self):
        for partner in self:
            partner.altinn_client_company_count = len(partner.altinn_client_company_ids)

    def _altinn_reference_company(self):
        """The company whose Altinn environment the firm's requests use: that of its client companies."""
        self.ensure_one()
        companies = self.sudo().altinn_client_company_ids
        environments = {(c.altinn_environment, c._altinn_base_url()) for c in companies}
        if len(environments) > 1:
            raise AltinnUserError(
                self.env._(
                    "The client companies of %(firm)s use different Altinn environments; give them the "
                    "same one.",
                    firm=self.display_name,
                ),
                title=title_of(self.env, SETUP),
            )
        return companies[:1] or self.env.company

    def _altinn_served_companies(self):
        """The companies this firm concerns, as superuser: its client companies and its own company."""
        self.ensure_one()
        Company = self.env["res.company"].sudo().with_context(active_test=False)
        return Company.search(["|", ("altinn_firm_id", "=", self.id), ("partner_id", "=", self.id)])

    def _altinn_check_firm_access(self, manager=True):
        """Refuse (``AccessError``) unless the user (with ``manager``, an Altinn administrator) works in a
        company the firm concerns (one of its clients, or the firm itself): its client system user fetches
        for them. A firm with no company yet concerns no company's data."""
        self.ensure_one()
        Company = self.env["res.company"]
        if manager:
            Company._altinn_check_manager()
        served = self._altinn_served_companies()
        if self.env.su or not served or served & Company._altinn_acting_companies():
            return
        raise AccessError(
            self.env._(
                "You cannot work with Altinn for this accounting firm: choose one of its client companies in "
                "the company switcher, or ask an administrator for access to one."
            )
        )

    def action_altinn_request_agent_system_user(self):
        """Ask Altinn for the firm's client (agent) system user; the firm's daglig leder approves the link."""
        self.ensure_one()
        self._altinn_check_firm_access()
        firm = self.sudo()
        system_user = firm.altinn_agent_system_user_id or self.env[
            "altinn.system.user"
        ].sudo()._altinn_for_firm(firm)
        firm.altinn_agent_system_user_id = system_user
        return system_user.with_env(self.env).action_request()

    def action_altinn_check_agent_system_user(self):
        self.ensure_one()
        self._altinn_check_firm_access()
        system_user = self.sudo().altinn_agent_system_user_id
        if not system_user:
            raise AltinnUserError(
                self.env._('The firm has no client system user yet: click "Request system user" first.'),
                title=title_of(self.env, NOT_NOW),
            )
        return system_user.with_env(self.env).action_check()

    def action_altinn_discover_clients(self):
        """The firm's clients as Altinn lists them: create or link their companies."""
        self.ensure_one()
        self._altinn_check_firm_access()
        return self.env["altinn.client.wizard"]._altinn_open(self)
