# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re
from dataclasses import dataclass, field

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..altinn.errors import ConfigurationError

ALTINN_URLS = {
    "production": "https://www.altinn.no",
    "test": "https://tt02.altinn.no",
}
# Every call to Altinn is bounded: (connect, read) seconds; the read timeout can
# be changed with the system parameter prisolve_altinn.timeout.
CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 120.0

LEVEL_COMPANY = "company"
LEVEL_CLIENT = "client"


@dataclass(frozen=True)
class AltinnSettings:
    """The datasystem a company uses after resolution (Selskap or Klient level)."""

    level: str | None  # LEVEL_COMPANY, LEVEL_CLIENT or None
    system_id: str = ""
    system_password: str = field(default="", repr=False)
    base_url: str = ""
    environment: str = ""
    firm_id: int | None = None  # the res.partner whose datasystem is used (Klient level)

    @property
    def key(self):
        """Companies with the same key can share one SMS session."""
        return (self.system_id, self.base_url)


class ResCompany(models.Model):
    _inherit = "res.company"

    altinn_system_id = fields.Char(
        string="System ID",
        copy=False,
        help="ID of the datasystem registered in Altinn by this company (Selskap level). "
        "Leave empty to use the datasystem of the accounting firm below (Klient level).",
    )
    altinn_system_password = fields.Char(
        string="System password",
        copy=False,
        groups="base.group_system",
        exportable=False,
        help="Password of the datasystem, chosen when it was registered in Altinn.",
    )
    altinn_client_id = fields.Many2one(
        "res.partner",
        string="Accounting firm",
        domain="[('is_company', '=', True)]",
        copy=False,
        help="The accounting or audit firm whose datasystem serves this company when the company "
        "has no system ID of its own (Klient level).",
    )
    altinn_environment = fields.Selection(
        [("production", "Production (altinn.no)"), ("test", "Test (tt02)"), ("custom", "Custom URL")],
        string="Altinn environment",
        default="production",
        required=True,
    )
    altinn_base_url = fields.Char(
        string="Altinn base URL",
        help="Used with the custom environment, e.g. a local Altinn emulator: http://127.0.0.1:8099",
    )
    altinn_org_number = fields.Char(
        string="Organisation number",
        compute="_compute_altinn_org_number",
        store=True,
        readonly=False,
        help="The organisation number Altinn knows this company by (the reportee). Taken from the "
        "Brønnøysund number, the company ID or the VAT number; can be edited.",
    )
    altinn_level = fields.Selection(
        [(LEVEL_COMPANY, "Company"), (LEVEL_CLIENT, "Client")],
        string="Datasystem level",
        compute="_compute_altinn_resolution",
    )
    altinn_effective_system_id = fields.Char(
        string="Datasystem used",
        compute="_compute_altinn_resolution",
    )
    altinn_resolution_info = fields.Char(
        string="Which datasystem applies",
        compute="_compute_altinn_resolution",
    )
    altinn_last_fetch = fields.Datetime(
        string="Last fetched from Altinn",
        copy=False,
        readonly=True,
    )

    @api.depends("l10n_no_bronnoysund_number", "company_registry", "vat")
    def _compute_altinn_org_number(self):
        for company in self:
            number = company._altinn_derive_org_number()
            if number:
                company.altinn_org_number = number
            elif not company.altinn_org_number:
                company.altinn_org_number = False

    def _altinn_derive_org_number(self):
        """First 9-digit number among the Brønnøysund number, company ID and VAT (NO999999999MVA)."""
        self.ensure_one()
        for source in (self.l10n_no_bronnoysund_number, self.company_registry, self.vat):
            digits = re.sub(r"\D", "", source or "")
            if len(digits) == 9:
                return digits
        return False

    @api.constrains("altinn_org_number")
    def _check_altinn_org_number(self):
        for company in self:
            number = company.altinn_org_number
            if number and not re.fullmatch(r"\d{9}", number):
                raise ValidationError(
                    self.env._(
                        "The organisation number must have exactly 9 digits (got %(number)s).", number=number
                    )
                )

    @api.constrains("altinn_environment", "altinn_base_url")
    def _check_altinn_base_url(self):
        for company in self:
            url = company.altinn_base_url
            if company.altinn_environment == "custom" and not url:
                raise ValidationError(self.env._("Enter the Altinn base URL for the custom environment."))
            if url and not re.match(r"^https?://[^\s/]+", url):
                raise ValidationError(
                    self.env._(
                        "The Altinn base URL must start with http:// or https:// (got %(url)s).", url=url
                    )
                )

    @api.depends(
        "altinn_system_id",
        "altinn_client_id",
        "altinn_client_id.altinn_system_id",
        "altinn_client_id.name",
    )
    def _compute_altinn_resolution(self):
        for company in self:
            firm = company.altinn_client_id
            if company.altinn_system_id:
                company.altinn_level = LEVEL_COMPANY
                company.altinn_effective_system_id = company.altinn_system_id
                company.altinn_resolution_info = self.env._(
                    "Company level (Selskap): the company's own datasystem %(system)s is used.",
                    system=company.altinn_system_id,
                )
            elif firm and firm.altinn_system_id:
                company.altinn_level = LEVEL_CLIENT
                company.altinn_effective_system_id = firm.altinn_system_id
                company.altinn_resolution_info = self.env._(
                    "Client level (Klient): the company has no system ID of its own, so the datasystem "
                    "%(system)s of the accounting firm %(firm)s is used.",
                    system=firm.altinn_system_id,
                    firm=firm.display_name,
                )
            else:
                company.altinn_level = False
                company.altinn_effective_system_id = False
                if firm:
                    company.altinn_resolution_info = self.env._(
                        "No datasystem: the accounting firm %(firm)s has no system ID. Enter it on the "
                        "firm's contact (Altinn tab), or give the company a system ID of its own.",
                        firm=firm.display_name,
                    )
                else:
                    company.altinn_resolution_info = self.env._(
                        "No datasystem yet: enter the company's own system ID (Selskap level), or choose the "
                        "accounting firm whose datasystem serves this company (Klient level)."
                    )

    # ------------------------------------------------------------------
    # Resolution and the seam
    # ------------------------------------------------------------------
    def _altinn_base_url(self):
        self.ensure_one()
        if self.altinn_environment == "custom":
            return (self.altinn_base_url or "").rstrip("/")
        return ALTINN_URLS[self.altinn_environment]

    def _altinn_settings(self):
        """Resolve the datasystem: the company's own (Selskap) or its firm's (Klient).

        Reads the system password with sudo: the person running the update
        needs it to reach Altinn but must never see it.
        """
        self.ensure_one()
        company = self.sudo()
        common = {"base_url": company._altinn_base_url(), "environment": company.altinn_environment}
        if company.altinn_system_id:
            return AltinnSettings(
                level=LEVEL_COMPANY,
                system_id=company.altinn_system_id.strip(),
                system_password=company.altinn_system_password or "",
                **common,
            )
        firm = company.altinn_client_id
        if firm and firm.altinn_system_id:
            return AltinnSettings(
                level=LEVEL_CLIENT,
                system_id=firm.altinn_system_id.strip(),
                system_password=firm.altinn_system_password or "",
                firm_id=firm.id,
                **common,
            )
        return AltinnSettings(level=None, **common)

    def _altinn_check_settings(self, settings=None):
        """Raise a UserError that says what to fill in when the company cannot reach Altinn."""
        self.ensure_one()
        settings = settings or self._altinn_settings()
        problems = []
        if not settings.level:
            problems.append(
                self.env._(
                    "Enter a system ID on the company's Altinn tab, "
                    "or choose an accounting firm that has one."
                )
            )
        elif not settings.system_password:
            if settings.level == LEVEL_CLIENT:
                firm = self.env["res.partner"].browse(settings.firm_id)
                problems.append(
                    self.env._(
                        "Enter the system password on the accounting firm %(firm)s "
                        "(contact form, Altinn tab).",
                        firm=firm.display_name,
                    )
                )
            else:
                problems.append(self.env._("Enter the system password on the company's Altinn tab."))
        if not settings.base_url:
            problems.append(self.env._("Enter the Altinn base URL for the custom environment."))
        if not self.altinn_org_number:
            problems.append(self.env._("Enter the company's organisation number on its Altinn tab."))
        if problems:
            intro = ConfigurationError().text(self.env.lang or "en_US").split("\n")[0]
            raise UserError("\n".join([f"{self.name}: {intro}", *problems]))
        return settings

    def _altinn_timeout(self):
        """(connect, read) timeout in seconds for every call to Altinn."""
        value = self.env["ir.config_parameter"].sudo().get_param("prisolve_altinn.timeout")
        try:
            read = float(value) if value else DEFAULT_READ_TIMEOUT
        except ValueError:
            read = DEFAULT_READ_TIMEOUT
        return (CONNECT_TIMEOUT, read if read > 0 else DEFAULT_READ_TIMEOUT)

    def _altinn_transport(self):
        """THE SEAM: the one place the ORM reaches Altinn.

        Returns a ``prisolve_altinn.altinn.transport.Transport`` built from
        the resolved settings, for one company and one batch; the caller
        closes it. Odoo tests replace this method.
        """
        self.ensure_one()
        settings = self._altinn_check_settings()
        # Imported here: zeep and the WSDL files are only needed for a real call.
        from ..altinn.soap.transport import Altinn2Transport

        return Altinn2Transport(
            base_url=settings.base_url,
            system_id=settings.system_id,
            system_password=settings.system_password,
            timeout=self._altinn_timeout(),
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_altinn_update(self):
        """Open the "Update from Altinn" wizard for this company."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("prisolve_altinn.action_altinn_update_wizard")
        action["context"] = {"default_company_id": self.id}
        return action

    def action_altinn_documents(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("prisolve_altinn.action_altinn_document")
        action["domain"] = [("company_id", "=", self.id)]
        action["context"] = {"default_company_id": self.id}
        return action
