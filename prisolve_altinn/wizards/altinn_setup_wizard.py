# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The Altinn 3 setup assistant (Settings → Altinn 3 → Setup assistant), in five steps:

1. the installation's own RSA key, made here (the private key stays in the database, readable by Settings
   administrators only); its public key (JWK/PEM) is registered in Maskinporten's self-service, and the
   client id Maskinporten gives comes back here;
2. the grant test (``diagnose_grant``): one sentence per problem, saying who must do what;
3. the system in Altinn's system register: written here when this installation's organisation is the
   system's vendor (``make_register(...).ensure``), else the exact client id and access packages the vendor
   must add;
4. the system users: a company's own, an accounting firm's client system user (``ensure_system_user``);
5. each system user's state, approval link and next step, and its token test.

Steps 1 and 3 change the installation's key and system: Settings administrators. Steps 2, 4 and 5: Altinn
administrators. Every change is written to the chatter of the Maskinporten client or of the system user
(who, when, what).
"""

import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..altinn import errors as altinn_errors
from ..altinn.altinn3 import (
    ADMIN_SCOPES,
    CHECK_SYSTEM,
    CHECK_SYSTEM_USER,
    CHECK_SYSTEM_USER_TOKEN,
    CHECK_VENDOR_TOKEN,
    READ_SCOPES,
    diagnose_grant,
    make_register,
)
from ..altinn.altinn3 import diagnosis as grant_diagnosis
from ..altinn.altinn3.register import ENSURE_CREATED, ENSURE_UNCHANGED
from ..altinn.altinn3.systemusers import REGISTER_SCOPES
from ..altinn.i18n import _lt
from ..models.altinn_maskinporten_client import ENVIRONMENTS
from ..services.chatter import post_note
from ..services.texts import error_message, translate

_logger = logging.getLogger(__name__)

SELF_SERVICE = {
    "production": "https://sjolvbetjening.samarbeid.digdir.no",
    "test": "https://sjolvbetjening.test.samarbeid.digdir.no",
}
SYSTEM_NAME = "Odoo Altinn (Prisolve)"
SYSTEM_DESCRIPTION = _lt("Fetches Altinn documents (VAT, tax, letters) into Odoo as draft journal entries.")


class AltinnSetupWizard(models.TransientModel):
    _name = "altinn.setup.wizard"
    _description = "Altinn 3 setup assistant"

    environment = fields.Selection(
        ENVIRONMENTS,
        required=True,
        default=lambda self: self._default_environment(),
        help="Maskinporten test and production need separate integrations and keys.",
    )
    base_url = fields.Char(
        string="Altinn base URL",
        default=lambda self: self._default_base_url(),
        help="For the custom environment (the local Altinn emulator), e.g. http://127.0.0.1:8099",
    )
    client_record_id = fields.Many2one(
        "altinn.maskinporten.client",
        string="Maskinporten client",
        compute="_compute_client_record_id",
        compute_sudo=True,
    )
    # Step 1 (Settings administrators): the integration and its key.
    vendor_org_number = fields.Char(
        string="Vendor organisation number",
        help="The organisation that owns the Maskinporten integration and the system: this installation's "
        "own, when it is its own vendor.",
    )
    system_id = fields.Char(
        string="System ID (system register)", help="The system's id in Altinn's system register."
    )
    client_id = fields.Char(
        string="Maskinporten client ID", help="The id Maskinporten's self-service gave the integration."
    )
    key_info = fields.Char(string="Key", compute="_compute_key", groups="base.group_system")
    public_jwk = fields.Text(string="Public key (JWK)", compute="_compute_key", groups="base.group_system")
    public_pem = fields.Text(string="Public key (PEM)", compute="_compute_key", groups="base.group_system")
    self_service_url = fields.Char(string="Maskinporten self-service", compute="_compute_self_service")
    scopes_needed = fields.Char(string="Scopes the integration needs", compute="_compute_self_service")
    # Step 2: the grant test.
    grant_result = fields.Text(string="Grant test", readonly=True)
    grant_ok = fields.Boolean(string="Grant works", readonly=True)
    # Step 3: the system register.
    own_vendor = fields.Boolean(string="Own vendor", compute="_compute_own_vendor")
    vendor_instructions = fields.Text(string="For the system vendor", compute="_compute_own_vendor")
    # Steps 4 and 5: the system users.
    request_company_ids = fields.Many2many(
        "res.company",
        string="Companies (own system user)",
        domain="[('altinn_transport', '=', 'altinn3')]",
        help="Each company asks Altinn for its own (standard) system user; its daglig leder approves it.",
    )
    request_firm_ids = fields.Many2many(
        "res.partner",
        string="Accounting firms (client system user)",
        domain="[('is_company', '=', True)]",
        help="Each firm asks Altinn for its client (agent) system user; the firm's daglig leder approves it "
        "and its klientadministrator adds the clients.",
    )
    system_user_ids = fields.Many2many(
        "altinn.system.user", string="System users", compute="_compute_system_user_ids"
    )
    message = fields.Text(string="Result", readonly=True)

    # ------------------------------------------------------------------
    # Defaults and computes
    # ------------------------------------------------------------------
    def _compute_display_name(self):
        for wizard in self:
            wizard.display_name = self.env._("Altinn 3 setup assistant")

    @api.model
    def _altinn_own_companies(self, domain):
        """The first company the user works in matching ``domain`` (read as superuser: the settings of
        another company are none of the user's business)."""
        acting = self.env["res.company"]._altinn_acting_companies()
        return self.env["res.company"].sudo().search([*domain, ("id", "in", acting.ids)], limit=1)

    @api.model
    def _default_environment(self):
        company = self._altinn_own_companies([("altinn_transport", "=", "altinn3")])
        return company.altinn_environment if company else "production"

    @api.model
    def _default_base_url(self):
        company = self._altinn_own_companies([("altinn_environment", "=", "custom")])
        return company.altinn_base_url or False

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        client = self.env["altinn.maskinporten.client"]._altinn_for_environment(
            values.get("environment") or self._default_environment()
        )
        for name in ("vendor_org_number", "system_id", "client_id"):
            if name in fields_list and not values.get(name):
                values[name] = client[name] or False
        return values

    @api.onchange("environment")
    def _onchange_environment(self):
        client = self.client_record_id
        self.vendor_org_number = client.vendor_org_number or self.vendor_org_number
        self.system_id = client.system_id or self.system_id
        self.client_id = client.client_id or False
        self.grant_result = self.grant_ok = False

    @api.depends("environment")
    def _compute_client_record_id(self):
        for wizard in self:
            wizard.client_record_id = self.env["altinn.maskinporten.client"]._altinn_for_environment(
                wizard.environment
            )

    @api.depends("client_record_id")
    def _compute_key(self):
        for wizard in self:
            client = wizard.client_record_id.sudo()
            wizard.key_info = client.key_info or self.env._("No key yet")
            wizard.public_jwk = client.public_jwk
            wizard.public_pem = client.public_pem

    @api.depends("environment")
    def _compute_self_service(self):
        for wizard in self:
            wizard.self_service_url = SELF_SERVICE.get(wizard.environment, False)
            wizard.scopes_needed = " ".join((*READ_SCOPES, *ADMIN_SCOPES, *REGISTER_SCOPES))

    @api.depends("vendor_org_number", "system_id", "client_id", "client_record_id")
    def _compute_own_vendor(self):
        for wizard in self:
            vendor = (wizard.vendor_org_number or "").strip()
            system = (wizard.system_id or "").strip()
            wizard.own_vendor = bool(vendor) and system.startswith(vendor + "_")
            packages = (
                wizard.client_record_id.sudo()._altinn_all_packages() if wizard.client_record_id else []
            )
            wizard.vendor_instructions = self.env._(
                "Ask the vendor of the system %(system)s (organisation %(vendor)s) to add, in Altinn's "
                "system register: the client id %(client)s, and the access packages %(packages)s.",
                system=system or "-",
                vendor=system.split("_")[0] if system else "-",
                client=(wizard.client_id or "").strip() or "-",
                packages=", ".join(packages) or "-",
            )

    def _compute_system_user_ids(self):
        # A firm's client system user has no company (the record rule shows it to all): only those that
        # concern the companies the user works in.
        users = self.env["altinn.system.user"].search([])._altinn_concerning_user()
        for wizard in self:
            wizard.system_user_ids = users

    # ------------------------------------------------------------------
    # Rights
    # ------------------------------------------------------------------
    def _check_settings_admin(self):
        # The assistant itself first: each user works in their own (its computed fields read no record).
        self.check_access("write")
        if not (self.env.su or self.env.user.has_group("base.group_system")):
            raise AccessError(
                self.env._("Only Settings administrators can change the Maskinporten key and the system.")
            )

    def _check_manager(self):
        self.check_access("write")
        self.env["res.company"]._altinn_check_manager()

    def _lang(self):
        return self.env.lang or "en_US"

    # ------------------------------------------------------------------
    # Step 1: the integration and its key
    # ------------------------------------------------------------------
    def _altinn_client(self, create=True):
        """The active Maskinporten client of the environment, with what the wizard holds written on it."""
        self.ensure_one()
        self._check_settings_admin()
        values = {
            "vendor_org_number": (self.vendor_org_number or "").strip() or False,
            "system_id": (self.system_id or "").strip() or False,
            "client_id": (self.client_id or "").strip() or False,
        }
        client = self.client_record_id
        if not values["system_id"]:
            example = (values["vendor_org_number"] or "123456789") + "_odooaltinn"
            raise UserError(
                self.env._("Enter the system ID (system register), e.g. %(example)s.", example=example)
            )
        changed = {name: value for name, value in values.items() if value and client[name] != value}
        if client:
            if changed:
                client.write(changed)
        elif create:
            label = dict(self._fields["environment"]._description_selection(self.env))[self.environment]
            client = client.create(
                {**values, "environment": self.environment, "name": f"Maskinporten ({label})"}
            )
        if changed and client:
            post_note(
                client,
                self.env._(
                    "%(user)s set %(fields)s in the setup assistant.",
                    user=self.env.user.name,
                    fields=", ".join(client._fields[name]._description_string(self.env) for name in changed),
                ),
            )
        return client

    def action_save(self):
        """Keep the vendor, system and client id on the Maskinporten client of the environment."""
        self.ensure_one()
        self._altinn_client()
        return self._altinn_done(self.env._("Saved."))

    def action_generate_key(self):
        """Make the installation's RSA key (the private key never leaves the database)."""
        self.ensure_one()
        client = self._altinn_client()
        client.action_generate_key()
        return self._altinn_done(
            self.env._(
                "A new key was made. Register the public key below (JWK, or PEM) for the integration in "
                "Maskinporten's self-service, then enter the client id here and test the grant."
            )
        )

    # ------------------------------------------------------------------
    # Step 2: the grant test
    # ------------------------------------------------------------------
    def _altinn_settings(self):
        self.ensure_one()
        client = self.client_record_id.sudo()
        if not client:
            raise UserError(
                self.env._(
                    "There is no Maskinporten client for this environment yet: a Settings administrator "
                    "makes the key in step 1."
                )
            )
        if self.environment == "custom" and not (self.base_url or "").strip():
            raise UserError(self.env._("Enter the Altinn base URL for the custom environment."))
        company = self.env.company
        return client._altinn_vendor_settings(
            base_url=(self.base_url or "").strip().rstrip("/") or None, timeout=company._altinn_timeout()
        )

    def action_test_grant(self):
        """Ask Maskinporten for the vendor token and Altinn for the system: say what is wrong, and who fixes
        it."""
        self.ensure_one()
        self._check_manager()
        settings = self._altinn_settings()
        diagnosis = diagnose_grant(settings, system_user=False)
        lines = [self._altinn_check_line(check, settings) for check in diagnosis.checks]
        self.write({"grant_result": "\n".join(lines), "grant_ok": diagnosis.ok})
        return self._altinn_done(
            self.env._("The grant works.") if diagnosis.ok else self.env._("The grant test found a problem.")
        )

    def _altinn_check_line(self, check, settings):
        """One line per check: what was checked, how it went, and for a failure who must do what."""
        _ = self.env._
        names = {
            CHECK_VENDOR_TOKEN: _("Maskinporten token (client id, key, scopes)"),
            CHECK_SYSTEM: _("The system in Altinn's system register"),
            CHECK_SYSTEM_USER: _("The system user in Altinn"),
            CHECK_SYSTEM_USER_TOKEN: _("System-user token"),
        }
        name = names.get(check.name, check.name)
        if check.ok:
            return _("✔ %(check)s: works.", check=name)
        if check.ok is None:
            if check.name == CHECK_SYSTEM:
                return _(
                    "– %(check)s: not checked (the integration has no scope %(scope)s). The system vendor "
                    "must confirm that the system %(system)s lists the client id %(client)s.",
                    check=name,
                    scope=" ".join(REGISTER_SCOPES),
                    system=settings.system_id,
                    client=settings.client_id,
                )
            return _("– %(check)s: not checked (an earlier check failed).", check=name)
        text = error_message(check.error, self._lang()) if check.error is not None else ""
        hint = self._altinn_hint(check.problem, settings)
        return _("✘ %(check)s: %(error)s", check=name, error=" ".join(p for p in (text, hint) if p))

    def _altinn_hint(self, problem, settings):
        """What to do here about a problem of ``diagnose_grant`` (on top of the error's own text)."""
        _ = self.env._
        portal = SELF_SERVICE.get(self.environment) or _("the emulator's control endpoint")
        if problem == grant_diagnosis.PROBLEM_KEY_REJECTED:
            return _(
                "A Settings administrator registers the public key of step 1 for the client id %(client)s in "
                "Maskinporten's self-service (%(portal)s), and checks that the client id belongs to this "
                "environment.",
                client=settings.client_id,
                portal=portal,
            )
        if problem == grant_diagnosis.PROBLEM_SCOPE:
            return _(
                "In Maskinporten's self-service (%(portal)s), the integration %(client)s must have the "
                "scopes: %(scopes)s.",
                portal=portal,
                client=settings.client_id,
                scopes=" ".join((*READ_SCOPES, *ADMIN_SCOPES)),
            )
        if problem in (
            grant_diagnosis.PROBLEM_SYSTEM_NOT_REGISTERED,
            grant_diagnosis.PROBLEM_CLIENT_ID,
        ):
            if self.own_vendor:
                return _('A Settings administrator clicks "Register or update the system" (step 3).')
            return self.vendor_instructions
        if problem == grant_diagnosis.PROBLEM_NOT_VENDOR:
            return _(
                "The integration %(client)s belongs to another organisation than the vendor of %(system)s: "
                "check the vendor organisation number and the system ID in step 1.",
                client=settings.client_id,
                system=settings.system_id,
            )
        return ""

    # ------------------------------------------------------------------
    # Step 3: the system register
    # ------------------------------------------------------------------
    def action_register_system(self):
        """Create or update the system so it lists this installation's client id, packages and redirect URL
        (only when this installation's organisation is the system's vendor)."""
        self.ensure_one()
        self._check_settings_admin()
        if not self.own_vendor:
            raise UserError(self.vendor_instructions)
        client = self._altinn_client(create=False)
        settings = self._altinn_settings()
        register = make_register(settings)
        try:
            system, outcome = register.ensure(
                settings.system_id,
                client_id=settings.client_id,
                access_packages=client._altinn_all_packages(),
                redirect_urls=[url for url in [(client.redirect_url or "").strip()] if url],
                name={"nb": SYSTEM_NAME, "nn": SYSTEM_NAME, "en": SYSTEM_NAME},
                description={
                    "nb": self._altinn_system_description("nb_NO"),
                    "nn": self._altinn_system_description("nb_NO"),
                    "en": self._altinn_system_description("en_US"),
                },
            )
        except altinn_errors.AltinnError as exc:
            raise UserError(error_message(exc, self._lang())) from None
        finally:
            register.mp.http.close()
        if outcome == ENSURE_UNCHANGED:
            message = self.env._(
                "The system %(system)s already lists the client id %(client)s and the access packages: "
                "nothing to change.",
                system=system.id,
                client=settings.client_id,
            )
        else:
            message = (
                self.env._(
                    "The system %(system)s was registered in Altinn's system register with the client id "
                    "%(client)s and the access packages %(packages)s.",
                    system=system.id,
                    client=settings.client_id,
                    packages=", ".join(system.access_packages),
                )
                if outcome == ENSURE_CREATED
                else self.env._(
                    "The system %(system)s was updated in Altinn's system register: it now lists the client "
                    "id %(client)s and the access packages %(packages)s.",
                    system=system.id,
                    client=settings.client_id,
                    packages=", ".join(system.access_packages),
                )
            )
            post_note(client, self.env._("%(user)s: %(message)s", user=self.env.user.name, message=message))
        return self._altinn_done(message)

    @staticmethod
    def _altinn_system_description(lang):
        """The system's description in Altinn's system register, in ``lang`` (from nb.po)."""
        return translate(SYSTEM_DESCRIPTION, lang)

    # ------------------------------------------------------------------
    # Steps 4 and 5: the system users
    # ------------------------------------------------------------------
    def action_request_system_users(self):
        """Request the chosen companies' own system users and the chosen firms' client system users; one
        that fails does not stop the others."""
        self.ensure_one()
        self._check_manager()
        if not (self.request_company_ids or self.request_firm_ids):
            raise UserError(
                self.env._("Choose the companies or accounting firms to request system users for.")
            )
        # Refused before any request: a company or firm the user does not work for.
        self.request_company_ids._altinn_check_company_access()
        for firm in self.request_firm_ids:
            firm._altinn_check_firm_access()
        lines = []
        for company in self.request_company_ids.sudo():
            lines.append(
                self._altinn_try(
                    company.name,
                    lambda company=company: company.with_env(self.env).action_altinn_request_system_user(),
                )
            )
        for firm in self.request_firm_ids.sudo():
            lines.append(
                self._altinn_try(
                    firm.name,
                    lambda firm=firm: firm.with_env(self.env).action_altinn_request_agent_system_user(),
                )
            )
        self.write(
            {"request_company_ids": [fields.Command.clear()], "request_firm_ids": [fields.Command.clear()]}
        )
        return self._altinn_done("\n".join(lines))

    def action_check_system_users(self):
        """Read every system user's state in Altinn, then test the token of each approved one."""
        self.ensure_one()
        self._check_manager()
        lines = []
        for system_user in self.system_user_ids:
            line = self._altinn_try(system_user.name, system_user.action_check)
            if system_user.state == "approved":
                line = "\n".join([line, *self._altinn_token_lines(system_user)])
            lines.append(line)
        return self._altinn_done("\n".join(lines) or self.env._("No system user yet."))

    def _altinn_token_lines(self, system_user):
        try:
            settings = system_user.sudo()._altinn_settings()
        except UserError as exc:
            return [exc.args[0]]
        diagnosis = diagnose_grant(settings)
        failed = diagnosis.failed
        if failed is None:
            return [self._altinn_check_line(diagnosis.check(CHECK_SYSTEM_USER_TOKEN), settings)]
        return [self._altinn_check_line(failed, settings)]

    def _altinn_try(self, label, action):
        """Run ``action`` (a system-user request or check) and say in one line how it went."""
        try:
            with self.env.cr.savepoint():
                result = action()
        except UserError as exc:
            return f"{label}: {exc.args[0]}"
        params = (result or {}).get("params") or {}
        return params.get("message") or label

    def _altinn_done(self, message):
        """Show ``message`` on the assistant; the form (opened full page) reads itself again."""
        self.invalidate_recordset()  # the key, the client and the system users may have changed
        self.message = message
        return True
