# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The company's Altinn settings, which credentials apply (Selskap or Klient), the entry points of the
fetch service (the wizard's ``_altinn_fetch`` and the scheduled ``_cron_altinn_fetch``), and the booking
settings (journal, VAT practice, the tax-settlement accounts of the account mapping)."""

import re

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..altinn.identifiers import org_number_valid
from ..altinn.parsers import accounts as default_accounts
from ..exceptions import NOT_NOW, AltinnUserError, title_of
from ..providers import provider_for
from ..providers.base import LEVEL_COMPANY, LEVEL_FIRM, AltinnAccess
from ..services import fetch as fetch_service
from ..services import fetch_cron

ALTINN_URLS = {
    "production": "https://www.altinn.no",
    "test": "https://tt02.altinn.no",
}
# Every call to Altinn is bounded: (connect, read) seconds; the read timeout can
# be changed with the system parameter prisolve_altinn.timeout.
CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 120.0
TRANSPORTS = [
    ("altinn3", "Altinn 3 – system user (unattended)"),
    ("altinn2", "Altinn 2 – SMS code (closed 19 June 2026; emulator/demo only)"),
    ("upload", "File upload only"),
]


def org_number_of(record):
    """First 9-digit number among the Brønnøysund number, the company ID and the VAT (NO999999999MVA)."""
    for source in (record.l10n_no_bronnoysund_number, record.company_registry, record.vat):
        digits = re.sub(r"\D", "", source or "")
        if len(digits) == 9:
            return digits
    return False


def org_number_problem(record, number):
    """Why ``number`` cannot be an organisation number in Altinn (a sentence), or None."""
    if not number:
        return None
    if not re.fullmatch(r"[0-9]{9}", number):
        return record.env._(
            "The organisation number must have exactly 9 digits (got %(number)s).", number=number
        )
    # Altinn refuses it anyway (Dialogporten: 400): say so here, where it can be corrected.
    if not org_number_valid(number):
        return record.env._(
            "%(number)s is not a valid organisation number: its last digit does not match the check "
            "digit of the first eight (MOD11). Check the number in Enhetsregisteret (brreg.no).",
            number=number,
        )
    return None


def check_org_number(record, number):
    # While modules load (an update), a number an earlier release stored is only recomputed, not typed:
    # refusing it would stop the whole update. The form refuses it when someone edits it; fetching says why.
    if not record.env.registry.ready:
        return
    problem = org_number_problem(record, number)
    if problem:
        raise ValidationError(problem)


def org_number_warning(record, number):
    """The form's warning while the number is typed (the constraint refuses it at save)."""
    problem = org_number_problem(record, number)
    if problem:
        return {"warning": {"title": record.env._("Invalid organisation number"), "message": problem}}
    return None


class ResCompany(models.Model):
    _inherit = "res.company"

    # ------------------------------------------------------------------
    # Where the items come from
    # ------------------------------------------------------------------
    altinn_transport = fields.Selection(
        TRANSPORTS,
        string="Altinn connection",
        default="altinn3",
        required=True,
        help="Altinn 3: a system user approved once by the company (or its accounting firm) fetches "
        "unattended, also from the scheduled action. Altinn 2: a person's SMS code is needed for every "
        "update, so the scheduled action cannot fetch; Altinn 2 closed on 19 June 2026 and remains for "
        "the local emulator and demos. File upload only: documents are uploaded by hand.",
        groups="base.group_user",
    )
    altinn_environment = fields.Selection(
        [("production", "Production (altinn.no)"), ("test", "Test (tt02)"), ("custom", "Custom URL")],
        string="Altinn environment",
        default="production",
        required=True,
        groups="base.group_user",
    )
    altinn_base_url = fields.Char(
        string="Altinn base URL",
        help="Used with the custom environment, e.g. a local Altinn emulator: http://127.0.0.1:8099",
        groups="base.group_user",
    )
    altinn_register_name = fields.Char(
        string="Name in the register",
        copy=False,
        help="The company's name as the Register of Business Enterprises and Altinn write it (often in "
        "capitals); the company's name is written the Norwegian way.",
    )
    altinn_org_number = fields.Char(
        string="Organisation number",
        compute="_compute_altinn_org_number",
        store=True,
        readonly=False,
        help="The organisation number Altinn knows this company by (the reportee). Taken from the "
        "Brønnøysund number, the company ID or the VAT number; can be edited.",
        groups="base.group_user",
    )
    altinn_firm_id = fields.Many2one(
        "res.partner",
        string="Accounting firm",
        domain="[('is_company', '=', True)]",
        copy=False,
        help="The accounting or audit firm whose credentials serve this company when the company has none "
        "of its own (Klient level): its Altinn 3 client system user, or its Altinn 2 datasystem.",
        groups="base.group_user",
    )
    # Altinn 2: the datasystem (Selskap level here, Klient level on the firm's contact).
    altinn_system_id = fields.Char(
        string="System ID",
        copy=False,
        help="ID of the datasystem registered in Altinn by this company (Selskap level). "
        "Leave empty to use the datasystem of the accounting firm (Klient level).",
        groups="base.group_user",
    )
    altinn_system_password = fields.Char(
        string="System password",
        copy=False,
        groups="base.group_system",
        exportable=False,
        help="Password of the datasystem, chosen when it was registered in Altinn.",
    )
    # Altinn 3: the company's own (standard) system user; the firm's client system user is on its contact.
    altinn_system_user_id = fields.Many2one(
        "altinn.system.user",
        string="Own system user",
        copy=False,
        readonly=True,
        help="The company's own Altinn 3 system user (Selskap level).",
        groups="base.group_user",
    )
    altinn_responsible_user_id = fields.Many2one(
        "res.users",
        string="Altinn responsible",
        copy=False,
        domain="[('share', '=', False)]",
        help="Gets an activity when a fetch or a booking fails. Empty: the person who requested the system "
        "user, else an Altinn administrator of the company.",
        groups="base.group_user",
    )

    # ------------------------------------------------------------------
    # The fetch: where it stands
    # ------------------------------------------------------------------
    altinn_synced_until = fields.Datetime(
        string="Synchronised until",
        copy=False,
        readonly=True,
        help="Everything Altinn changed before this moment is in the ledger; the next fetch starts here.",
        groups="base.group_user",
    )
    altinn_fetch_attempt_at = fields.Datetime(
        string="Last scheduled attempt", copy=False, readonly=True, index=True, groups="base.group_user"
    )
    altinn_fetch_claimed = fields.Boolean(
        string="Claimed by a scheduled fetch",
        copy=False,
        readonly=True,
        help="A scheduled fetch took this company and has not recorded it yet; while the worker that took it "
        "lives it holds the company, and when it dies the next run of any server fetches it.",
    )
    altinn_fetch_ready = fields.Boolean(
        string="Fetched unattended",
        compute="_compute_altinn_fetch_ready",
        store=True,
        index=True,
        help="The scheduled fetch fetches this company: Altinn 3 with an approved system user.",
        groups="base.group_user",
    )
    altinn_fetch_error = fields.Text(
        string="Last Altinn error", copy=False, readonly=True, groups="base.group_user"
    )
    altinn_fetch_error_since = fields.Datetime(
        string="Failing since", copy=False, readonly=True, groups="base.group_user"
    )

    # ------------------------------------------------------------------
    # Which credentials apply (computed)
    # ------------------------------------------------------------------
    altinn_level = fields.Selection(
        [(LEVEL_COMPANY, "Company (Selskap)"), (LEVEL_FIRM, "Client (Klient)")],
        string="Level",
        compute="_compute_altinn_access",
        groups="base.group_user",
    )
    altinn_access_ok = fields.Boolean(
        string="Can fetch", compute="_compute_altinn_access", groups="base.group_user"
    )
    altinn_access_info = fields.Char(
        string="Which credentials apply", compute="_compute_altinn_access", groups="base.group_user"
    )
    altinn_effective_system_user_id = fields.Many2one(
        "altinn.system.user",
        string="System user used",
        compute="_compute_altinn_access",
        groups="base.group_user",
    )
    altinn_cron_info = fields.Char(
        string="Scheduled fetch", compute="_compute_altinn_access", groups="base.group_user"
    )

    # ------------------------------------------------------------------
    # Booking: the journal, the VAT practice and the accounts
    # ------------------------------------------------------------------
    altinn_journal_id = fields.Many2one(
        "account.journal",
        string="Altinn journal",
        domain="[('type', '=', 'general'), ('company_id', '=', id)]",
        help="Miscellaneous journal of the draft entries made from Altinn documents. Left empty, a journal "
        "'Altinn' (code ALTN) is created the first time a document is booked.",
        groups="base.group_user",
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
        groups="base.group_user",
    )
    altinn_post_certain = fields.Boolean(
        string="Post what is certain",
        help="Post the entries the addon is sure of (a debt with a valid KID and a due date; a VAT term "
        "whose receipt agrees with its return). Everything that needs a person stays a draft, with the "
        "reason on the entry and on its Altinn document. Off: every entry is a draft.",
    )
    altinn_account_map_ids = fields.One2many(
        "altinn.account.map",
        "company_id",
        string="Altinn booking accounts",
        groups="base.group_user",
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
        groups="base.group_user",
    )
    altinn_advance_tax_account_id = fields.Many2one(
        "account.account",
        string="Advance tax booked on",
        compute="_compute_altinn_tax_practice",
        inverse="_inverse_altinn_advance_tax",
        help="Where the advance tax notices and claims are booked (NS 4102: 2540 Forskuddsskatt; choose the "
        "accrued-tax account if your practice books the advance tax against it). The tax settlement clears "
        "what was booked there in the year after the income year.",
        groups="base.group_user",
    )

    # ------------------------------------------------------------------
    # Computes and checks
    # ------------------------------------------------------------------
    @api.depends("l10n_no_bronnoysund_number", "company_registry", "vat")
    def _compute_altinn_org_number(self):
        for company in self:
            number = org_number_of(company)
            if number or not company.altinn_org_number:
                company.altinn_org_number = number

    @api.onchange("altinn_org_number")
    def _onchange_altinn_org_number(self):
        return org_number_warning(self, self.altinn_org_number)

    @api.constrains("altinn_org_number")
    def _check_altinn_org_number(self):
        for company in self:
            check_org_number(company, company.altinn_org_number)

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
        "altinn_transport",
        "altinn_system_user_id.state",
        "altinn_firm_id.altinn_agent_system_user_id.state",
    )
    def _compute_altinn_fetch_ready(self):
        for company in self:
            access = company._altinn_resolve()
            company.altinn_fetch_ready = company.altinn_transport == "altinn3" and access.state == "approved"

    @api.depends(
        "altinn_transport",
        "altinn_system_id",
        "altinn_firm_id",
        "altinn_firm_id.name",
        "altinn_firm_id.altinn_system_id",
        "altinn_system_user_id.state",
        "altinn_firm_id.altinn_agent_system_user_id.state",
        "altinn_org_number",
    )
    def _compute_altinn_access(self):
        for company in self:
            access = company._altinn_resolve()
            company.altinn_level = access.level
            company.altinn_effective_system_user_id = access.system_user
            company.altinn_access_ok = not provider_for(company).problems(company)
            company.altinn_access_info = company._altinn_access_text(access)
            company.altinn_cron_info = company._altinn_cron_text(access)

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

    # ------------------------------------------------------------------
    # Which credentials apply: the one place that decides Selskap or Klient
    # ------------------------------------------------------------------
    def _altinn_resolve(self):
        """Whose credentials reach Altinn for this company (``AltinnAccess``), for its transport.

        Selskap (company level) when the company has its own: an Altinn 2 datasystem, or an approved own
        Altinn 3 system user. Klient (firm level) otherwise, through the accounting firm: its datasystem, or
        its client system user when that is approved or the company has none of its own.
        """
        self.ensure_one()
        company = self.sudo()
        firm = company.altinn_firm_id
        if company.altinn_transport == "altinn2":
            if company.altinn_system_id:
                return AltinnAccess(
                    "altinn2",
                    LEVEL_COMPANY,
                    firm,
                    system_id=company.altinn_system_id.strip(),
                    system_password=company.altinn_system_password or "",
                )
            if firm.altinn_system_id:
                return AltinnAccess(
                    "altinn2",
                    LEVEL_FIRM,
                    firm,
                    system_id=firm.altinn_system_id.strip(),
                    system_password=firm.altinn_system_password or "",
                )
            return AltinnAccess("altinn2", None, firm)
        own = company.altinn_system_user_id
        agent = firm.altinn_agent_system_user_id
        if not self.env.su and not self.id:
            # A form being edited (onchange): its values come from the caller. A system user that is not
            # the company's stored one and concerns none of the user's companies says nothing here.
            origin = self._origin.sudo()
            if own and own != origin.altinn_system_user_id:
                own = own.with_env(self.env)._altinn_concerning_user().sudo()
            if agent and firm != origin.altinn_firm_id:
                agent = agent.with_env(self.env)._altinn_concerning_user().sudo()
        if own.state != "approved" and agent and (agent.state == "approved" or not own):
            return AltinnAccess(company.altinn_transport, LEVEL_FIRM, firm, system_user=agent)
        return AltinnAccess(company.altinn_transport, LEVEL_COMPANY, firm, system_user=own)

    def _altinn_provider(self):
        self.ensure_one()
        return provider_for(self)

    def _altinn_session_key(self):
        """Companies with the same key share credentials and one transport (the provider's ``session_key``);
        a company whose settings are too incomplete to say stands alone (and fails alone when fetched)."""
        self.ensure_one()
        try:
            return self._altinn_provider().session_key(self)
        except Exception:
            return ("alone", self.id)

    def _altinn_access_text(self, access):
        _ = self.env._
        if self.altinn_transport == "upload":
            return _(
                "Documents are uploaded by hand (Altinn → Upload files); nothing is fetched from Altinn."
            )
        if self.altinn_transport == "altinn2":
            if access.level == LEVEL_COMPANY:
                return _(
                    "Company level (Selskap): the company's own datasystem %(system)s is used.",
                    system=access.system_id,
                )
            if access.level == LEVEL_FIRM:
                return _(
                    "Client level (Klient): the company has no system ID of its own, so the datasystem "
                    "%(system)s of the accounting firm %(firm)s is used.",
                    system=access.system_id,
                    firm=access.firm.display_name,
                )
            if access.firm:
                return _(
                    "No datasystem: the accounting firm %(firm)s has no system ID. Enter it on the firm's "
                    "contact (Altinn tab), or give the company a system ID of its own.",
                    firm=access.firm.display_name,
                )
            return _(
                "No datasystem yet: enter the company's own system ID (Selskap level), or choose the "
                "accounting firm whose datasystem serves this company (Klient level)."
            )
        state = access.state
        if access.level == LEVEL_FIRM:
            name = access.firm.display_name
            if state == "approved":
                return _(
                    "Client level (Klient): the client system user of the accounting firm %(firm)s "
                    "fetches for "
                    "this company. The firm's klientadministrator must have added %(org)s as a client in "
                    "Altinn.",
                    firm=name,
                    org=self.altinn_org_number or _("the company"),
                )
            if state == "requested":
                return _(
                    "Client level (Klient): waiting for the accounting firm %(firm)s to approve its client "
                    "system user (approval link on the firm's contact, Altinn tab).",
                    firm=name,
                )
            return _(
                "Client level (Klient): the accounting firm %(firm)s has no approved client system user yet. "
                "Request one on the firm's contact (Altinn tab), or request the company's own system user "
                "here.",
                firm=name,
            )
        if state == "approved":
            return _("Company level (Selskap): the company's own system user fetches unattended.")
        if state == "requested":
            return _(
                "Waiting for the company's approval: send the approval link below to the company's daglig "
                'leder (or another person with access management rights), then click "Check status".'
            )
        if state in ("rejected", "expired"):
            return _(
                'The company rejected the request, or it expired unanswered. "Request system user" deletes '
                "it in Altinn and sends a new one; send the new approval link to the company."
            )
        if state == "conflict":
            return access.system_user._altinn_conflict_text()
        return _(
            'No system user yet: click "Request system user" and send the approval link to the company, or '
            "choose the accounting firm whose client system user serves this company (Klient level)."
        )

    def _altinn_cron_text(self, access):
        _ = self.env._
        if self.altinn_transport == "altinn2":
            return _(
                "The scheduled fetch cannot fetch for this company: Altinn 2 needs a person's SMS code for "
                'every update. Use "Update from Altinn", or switch to Altinn 3.'
            )
        if self.altinn_transport == "upload":
            return _("The scheduled fetch skips this company: documents are uploaded by hand.")
        if access.state == "approved":
            return _("The scheduled fetch fetches this company unattended; no SMS code is needed.")
        return _("The scheduled fetch starts once the system user is approved.")

    # ------------------------------------------------------------------
    # Connection settings
    # ------------------------------------------------------------------
    def _altinn_base_url(self):
        self.ensure_one()
        if self.altinn_environment == "custom":
            return (self.altinn_base_url or "").rstrip("/")
        return ALTINN_URLS[self.altinn_environment]

    def _altinn_timeout(self):
        """(connect, read) timeout in seconds for every call to Altinn."""
        value = self.env["ir.config_parameter"].sudo().get_param("prisolve_altinn.timeout")
        try:
            read = float(value) if value else DEFAULT_READ_TIMEOUT
        except ValueError:
            read = DEFAULT_READ_TIMEOUT
        return (CONNECT_TIMEOUT, read if read > 0 else DEFAULT_READ_TIMEOUT)

    def _altinn_check_settings(self):
        """Raise a ``UserError`` that says what to fill in when the company cannot be fetched."""
        self.ensure_one()
        self._altinn_provider().check(self)

    # ------------------------------------------------------------------
    # THE SEAM and the fetch service
    # ------------------------------------------------------------------
    def _altinn_transport(self):
        """THE SEAM: the one place the ORM reaches Altinn.

        A ``prisolve_altinn.altinn.transport.Transport`` from the company's provider, for this company and
        the others of its session key; the caller closes it. Odoo tests replace this method.
        """
        self.ensure_one()
        return self._altinn_provider().transport(self)

    def _altinn_fetch(self, *, since=None, until=None, credentials=None, trigger="wizard", transport=None):
        """Fetch and record these companies: the one fetch service of the wizard, the upload and the cron.

        Returns one ``services.fetch.FetchResult`` per company, in order; never raises for Altinn, for an
        item or for a company (each runs in its own savepoint).
        """
        return fetch_service.fetch_companies(
            self, since=since, until=until, credentials=credentials, trigger=trigger, transport=transport
        )

    @api.model
    def _cron_altinn_fetch(self, time_budget=None, pool_size=None):
        """Scheduled action: fetch every company that needs no person (Altinn 3, approved system user)."""
        return fetch_cron.run_cron(self.env, time_budget=time_budget, pool_size=pool_size)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def _altinn_check_manager(self):
        if not (self.env.su or self.env.user.has_group("prisolve_altinn.group_altinn_manager")):
            raise AccessError(
                self.env._("Only Altinn administrators can set up system users, keys and client companies.")
            )

    @api.model
    def _altinn_acting_companies(self):
        """The companies the user works in now (the company switcher: ``env.companies`` of the user, checked
        even inside a sudo compute, so a forged ``allowed_company_ids`` is refused); every company for the
        superuser (the scheduled actions)."""
        if self.env.uid == SUPERUSER_ID:
            return self.sudo().with_context(active_test=False).search([])
        return self.env(su=False).companies

    def _altinn_check_company_access(self, manager=False):
        """Refuse (``AccessError``) unless the user is an Altinn user (with ``manager``, an Altinn
        administrator) working in every company of ``self`` now: the addon's actions run as superuser after
        this check. Code that runs as superuser on purpose (``sudo()``) is not checked."""
        if manager:
            self._altinn_check_manager()
        if self.env.su:
            return
        if not self.env.user.has_group("prisolve_altinn.group_altinn_user"):
            raise AccessError(self.env._("Only Altinn users can work with Altinn."))
        if self.browse(self.ids) - self._altinn_acting_companies():
            raise AccessError(
                self.env._(
                    "You cannot work with Altinn for this company: choose it in the company switcher, or "
                    "ask an administrator for access to it."
                )
            )

    def action_altinn_update(self):
        """Open the "Update from Altinn" wizard for this company."""
        self.ensure_one()
        self._altinn_check_company_access()
        action = self.env["ir.actions.act_window"]._for_xml_id("prisolve_altinn.action_altinn_update_wizard")
        action["context"] = {"default_company_id": self.id}
        return action

    def action_altinn_documents(self):
        self.ensure_one()
        self._altinn_check_company_access()
        action = self.env["ir.actions.act_window"]._for_xml_id("prisolve_altinn.action_altinn_document")
        action["domain"] = [("company_id", "=", self.id)]
        action["context"] = {"default_company_id": self.id}
        return action

    def action_altinn_fetch_log(self):
        self.ensure_one()
        self._altinn_check_company_access()
        action = self.env["ir.actions.act_window"]._for_xml_id("prisolve_altinn.action_altinn_fetch_log")
        action["domain"] = [("company_id", "=", self.id)]
        return action

    def action_altinn_request_system_user(self):
        """Ask Altinn for the company's own system user; the approval link goes to the company."""
        self.ensure_one()
        self._altinn_check_company_access(manager=True)
        company = self.sudo()
        system_user = company.altinn_system_user_id or self.env[
            "altinn.system.user"
        ].sudo()._altinn_for_company(company)
        company.altinn_system_user_id = system_user
        if not company.altinn_responsible_user_id and not self.env.user.share:
            company.altinn_responsible_user_id = self.env.user
        return system_user.with_env(self.env).action_request()

    def action_altinn_check_system_user(self):
        self.ensure_one()
        self._altinn_check_company_access(manager=True)
        system_user = self.sudo().altinn_system_user_id
        if not system_user:
            raise AltinnUserError(
                self.env._('The company has no system user yet: click "Request system user" first.'),
                title=title_of(self.env, NOT_NOW),
            )
        return system_user.with_env(self.env).action_check()

    def action_altinn_account_map(self):
        """Open the booking accounts of this company (rows with the defaults are created first)."""
        self.ensure_one()
        self._altinn_check_company_access()
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
