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

import json
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
from ..exceptions import MISSING, NOT_ALLOWED, SETUP, AltinnUserError, altinn_user_error, title_of
from ..models.altinn_maskinporten_client import (
    DEFAULT_AGENT_PACKAGES,
    DEFAULT_STANDARD_PACKAGES,
    ENVIRONMENTS,
)
from ..models.altinn_system_user import STATES as SYSTEM_USER_STATES
from ..models.res_company import TRANSPORTS
from ..services.chatter import post_note
from ..services.texts import error_message, translate

_logger = logging.getLogger(__name__)

# Digdir's self-service for Maskinporten clients (docs.altinn.studio, correspondence "Maskinporten Client";
# reference/altinn3/openapi/correspondence-bruno/.bruno/collection.bru for test).
SELF_SERVICE = {
    "production": "https://sjolvbetjening.samarbeid.digdir.no",
    "test": "https://sjolvbetjening.test.samarbeid.digdir.no",
}
SYSTEM_NAME = "Odoo Altinn (Prisolve)"
# Where the assistant was used last (it reopens there).
PARAM_ENVIRONMENT = "prisolve_altinn.setup_environment"
PARAM_BASE_URL = "prisolve_altinn.setup_base_url"
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
        string="Your organisation number",
        help="The organisation number of the organisation that made the Maskinporten integration in the "
        "self-service (the one the client ID belongs to). When the system ID starts with this number, your "
        "organisation is the system's vendor, and step 3 registers the system from here.",
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
    maskinporten_steps = fields.Text(string="In Maskinporten", compute="_compute_self_service")
    # Step 2: the grant test.
    grant_result = fields.Text(string="Grant test", readonly=True)
    grant_ok = fields.Boolean(string="Grant works", readonly=True)
    # Step 3: the system register.
    own_vendor = fields.Boolean(string="Own vendor", compute="_compute_own_vendor")
    vendor_instructions = fields.Text(string="For the system vendor", compute="_compute_own_vendor")
    vendor_role = fields.Text(string="Who is the system's vendor", compute="_compute_own_vendor")
    # Steps 4 and 5: the system users.
    request_company_ids = fields.Many2many(
        "res.company",
        string="Companies chosen (own system user)",
        help="Each company asks Altinn for its own (standard) system user; its daglig leder approves it. A "
        "company still on Altinn 2 is switched to Altinn 3 (this environment) when its request is sent.",
    )
    # Every company the user manages, whichever are active in the company switcher (the record rules on
    # res.company would hide the others from a company field).
    company_line_ids = fields.One2many(
        "altinn.setup.wizard.company",
        "wizard_id",
        string="Companies (own system user)",
        default=lambda self: self._default_company_lines(),
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
    check_result = fields.Text(string="Checked in Altinn", readonly=True)
    message = fields.Text(string="Result", readonly=True)
    # The system users' states when the results above were written: once one changes (e.g. "Check status" on
    # its row, or its company's tab), the results no longer tell the truth and are hidden.
    result_states = fields.Char(readonly=True)
    result_current = fields.Boolean(compute="_compute_result_current")

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
        """Where the assistant was used last (installation-wide, like the Maskinporten client); else the
        environment of a company on Altinn 3 that the user works in; else the latest Maskinporten client's."""
        last = self.env["ir.config_parameter"].sudo().get_param(PARAM_ENVIRONMENT)
        if last in dict(ENVIRONMENTS):
            return last
        company = self._altinn_own_companies([("altinn_transport", "=", "altinn3")])
        if company:
            return company.altinn_environment
        client = self.env["altinn.maskinporten.client"].sudo().search([], order="write_date desc", limit=1)
        return client.environment if client else "production"

    @api.model
    def _default_base_url(self):
        last = self.env["ir.config_parameter"].sudo().get_param(PARAM_BASE_URL)
        if last:
            return last
        company = self._altinn_own_companies([("altinn_environment", "=", "custom")])
        return company.altinn_base_url or False

    def _altinn_remember(self):
        """The environment (and emulator URL) the assistant works in: it reopens there."""
        params = self.env["ir.config_parameter"].sudo()
        params.set_param(PARAM_ENVIRONMENT, self.environment)
        if self.environment == "custom" and (self.base_url or "").strip():
            params.set_param(PARAM_BASE_URL, self.base_url.strip())

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
        if self.environment == "custom" and not self.base_url:
            self.base_url = self._default_base_url()
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

    @api.depends("environment", "base_url", "vendor_org_number")
    def _compute_self_service(self):
        _ = self.env._
        for wizard in self:
            url = SELF_SERVICE.get(wizard.environment, False)
            wizard.self_service_url = url
            wizard.scopes_needed = " ".join((*READ_SCOPES, *ADMIN_SCOPES, *REGISTER_SCOPES))
            if not url:
                wizard.maskinporten_steps = _(
                    "The local emulator has no self-service: it takes the public key (JWK) through its "
                    "control endpoint %(url)s/_emulator/altinn3/clients, which gives the client id.",
                    url=(wizard.base_url or "").strip().rstrip("/") or "http://127.0.0.1:8099",
                )
                continue
            label = dict(self._fields["environment"]._description_selection(self.env))[wizard.environment]
            wizard.maskinporten_steps = _(
                "Outside Odoo, in Maskinporten's self-service for %(environment)s (%(url)s):\n"
                "1. Log in on behalf of %(org)s and open its Maskinporten integration, or create one "
                "(Maskinporten).\n"
                "2. Scopes: add every scope listed below. The Altinn scopes appear once Digdir/Altinn has "
                "granted them to your organisation (servicedesk@altinn.no).\n"
                "3. Keys: add a key, paste the public key (JWK) copied with the button below, and save.\n"
                '4. Copy the integration\'s client ID into "Maskinporten client ID" above and click '
                '"Test the grant".',
                environment=label,
                url=url,
                org=(wizard.vendor_org_number or "").strip() or _("your organisation"),
            )

    @api.depends("vendor_org_number", "system_id", "client_id", "client_record_id")
    def _compute_own_vendor(self):
        _ = self.env._
        for wizard in self:
            vendor = (wizard.vendor_org_number or "").strip()
            system = (wizard.system_id or "").strip()
            owner = system.split("_")[0] if "_" in system else ""
            wizard.own_vendor = bool(vendor) and system.startswith(vendor + "_")
            if not system:
                wizard.vendor_role = wizard.vendor_instructions = _(
                    "Enter the system ID in step 1: the system's id in Altinn's system register, which "
                    "starts with its vendor's organisation number (e.g. 123456789_odooaltinn)."
                )
                continue
            if wizard.own_vendor:
                wizard.vendor_role = _(
                    "Your organisation (%(vendor)s) is the vendor of the system %(system)s: step 3 registers "
                    "the system in Altinn's system register from here.",
                    vendor=vendor,
                    system=system,
                )
            elif vendor:
                wizard.vendor_role = _(
                    "The system %(system)s belongs to the organisation %(owner)s, not to yours (%(vendor)s): "
                    "that vendor changes the system, step 3 says what to ask for.",
                    system=system,
                    owner=owner or system,
                    vendor=vendor,
                )
            else:
                wizard.vendor_role = _(
                    "The system %(system)s belongs to the organisation %(owner)s: that vendor changes the "
                    "system, step 3 says what to ask for. If %(owner)s is your own organisation, enter it as "
                    "your organisation number: step 3 then registers the system from here.",
                    system=system,
                    owner=owner or system,
                )
            client_id = (wizard.client_id or "").strip()
            client = wizard.client_record_id.sudo()
            packages = client._altinn_all_packages() if client else []
            if not packages:
                packages = list(
                    dict.fromkeys((*DEFAULT_STANDARD_PACKAGES.split(), *DEFAULT_AGENT_PACKAGES.split()))
                )
            wizard.vendor_instructions = (
                _(
                    "Ask the vendor of the system %(system)s (organisation %(owner)s) to add, in Altinn's "
                    "system register: the client id %(client)s, and the access packages %(packages)s.",
                    system=system,
                    owner=owner or system,
                    client=client_id,
                    packages=", ".join(packages),
                )
                if client_id
                else _(
                    "First enter in step 1 the client ID Maskinporten's self-service gave your integration. "
                    "Then ask the vendor of the system %(system)s (organisation %(owner)s) to add, in "
                    "Altinn's system register, that client id and the access packages %(packages)s.",
                    system=system,
                    owner=owner or system,
                    packages=", ".join(packages),
                )
            )

    @api.model
    def _default_company_lines(self):
        return [
            fields.Command.create(
                {
                    "company_ref": company.id,
                    "name": company.name,
                    "org_number": company.altinn_org_number,
                    "transport": company.altinn_transport,
                    "system_user_state": company.altinn_system_user_id.state,
                }
            )
            for company in self.env.user.sudo().company_ids.sorted("name")
        ]

    def _altinn_states(self):
        return {str(user.id): user.state for user in self.env["altinn.system.user"].sudo().search([])}

    def _compute_result_current(self):
        states = self._altinn_states()
        for wizard in self:
            then = json.loads(wizard.result_states or "{}")
            wizard.result_current = all(states.get(key) == state for key, state in then.items())

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        # create() leaves this field empty in the cache: the form would show no system user (step 5).
        wizards.invalidate_recordset(["system_user_ids"])
        return wizards

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
    def _altinn_typed(self):
        """Step 1 as the screen shows it."""
        return {
            "vendor_org_number": (self.vendor_org_number or "").strip() or False,
            "system_id": (self.system_id or "").strip() or False,
            "client_id": (self.client_id or "").strip() or False,
        }

    def _altinn_client(self, create=True):
        """The active Maskinporten client of the environment, with what the wizard holds written on it."""
        self.ensure_one()
        self._check_settings_admin()
        self._altinn_remember()
        values = self._altinn_typed()
        client = self.client_record_id
        if not values["system_id"]:
            example = (values["vendor_org_number"] or "123456789") + "_odooaltinn"
            raise AltinnUserError(
                self.env._("Enter the system ID (system register), e.g. %(example)s.", example=example),
                title=title_of(self.env, MISSING),
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
        self.invalidate_recordset(["client_record_id"])  # a client made just now
        return client

    def _altinn_save_typed(self):
        """Save what a Settings administrator typed in step 1 (the tests use the saved client): the labels of
        the fields saved, none when nothing changed or the user cannot change step 1."""
        if not (self.env.su or self.env.user.has_group("base.group_system")):
            return []
        client = self.client_record_id
        changed = [name for name, value in self._altinn_typed().items() if value and client[name] != value]
        if changed:
            self._altinn_client()
        return [self._fields[name]._description_string(self.env) for name in changed]

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
            raise AltinnUserError(
                self.env._(
                    "There is no Maskinporten client for this environment yet: a Settings administrator "
                    "makes the key in step 1."
                ),
                title=title_of(self.env, SETUP),
            )
        if self.environment == "custom" and not (self.base_url or "").strip():
            raise AltinnUserError(
                self.env._("Enter the Altinn base URL for the custom environment."),
                title=title_of(self.env, MISSING),
            )
        company = self.env.company
        return client._altinn_vendor_settings(
            base_url=(self.base_url or "").strip().rstrip("/") or None, timeout=company._altinn_timeout()
        )

    def action_test_grant(self):
        """Ask Maskinporten for the vendor token and Altinn for the system: say what is wrong, and who fixes
        it."""
        self.ensure_one()
        self._check_manager()
        self._altinn_remember()
        saved = self._altinn_save_typed()  # test what the screen shows, not what was saved before
        settings = self._altinn_settings()
        diagnosis = diagnose_grant(settings, system_user=False)
        lines = [self._altinn_check_line(check, settings) for check in diagnosis.checks]
        result = "\n".join(lines)
        self.write({"grant_result": result, "grant_ok": diagnosis.ok})
        self.client_record_id.sudo().write(
            {"last_test_result": result, "last_test_date": fields.Datetime.now()}
        )
        message = (
            self.env._("The grant works.") if diagnosis.ok else self.env._("The grant test found a problem.")
        )
        if saved:
            message = self.env._(
                "Saved first (%(fields)s), then tested: %(result)s", fields=", ".join(saved), result=message
            )
        return self._altinn_done(message)

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
            raise AltinnUserError(self.vendor_instructions, title=title_of(self.env, SETUP))
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
            raise altinn_user_error(self.env, exc, error_message(exc, self._lang())) from None
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
                    packages=client._altinn_package_names(system.access_packages),
                )
                if outcome == ENSURE_CREATED
                else self.env._(
                    "The system %(system)s was updated in Altinn's system register: it now lists the client "
                    "id %(client)s and the access packages %(packages)s.",
                    system=system.id,
                    client=settings.client_id,
                    packages=client._altinn_package_names(system.access_packages),
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
        self._altinn_remember()
        companies = self.request_company_ids | self.env["res.company"].browse(
            self.company_line_ids.filtered("selected").mapped("company_ref")
        )
        if not (companies or self.request_firm_ids):
            raise AltinnUserError(
                self.env._("Choose the companies or accounting firms to request system users for."),
                title=title_of(self.env, MISSING),
            )
        # Refused before any request: a company or firm the user does not work for.
        self.request_company_ids._altinn_check_company_access()
        for firm in self.request_firm_ids:
            firm._altinn_check_firm_access()
        lines = []
        for company in companies.sudo():
            lines.append(
                self._altinn_try(
                    company.name, lambda company=company: self._altinn_request_for_company(company)
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
            {
                "request_company_ids": [fields.Command.clear()],
                "request_firm_ids": [fields.Command.clear()],
                "company_line_ids": [fields.Command.clear(), *self._default_company_lines()],
            }
        )
        return self._altinn_done("\n".join(lines))

    def _altinn_request_for_company(self, company):
        """Switch ``company`` to Altinn 3 in the assistant's environment when it is not there yet, then
        request its own system user (a failed request undoes the switch: ``_altinn_try``'s savepoint)."""
        if not self.env.su and company not in self.env.user.company_ids:
            raise AltinnUserError(
                self.env._("You do not manage this company in Odoo."), title=title_of(self.env, NOT_ALLOWED)
            )
        switched = company.altinn_transport != "altinn3"
        if switched:
            values = {"altinn_transport": "altinn3", "altinn_environment": self.environment}
            if self.environment == "custom":
                values["altinn_base_url"] = (self.base_url or "").strip() or company.altinn_base_url
            company.write(values)
            company.partner_id.message_post(
                body=self.env._(
                    "%(user)s switched %(company)s to Altinn 3 in the setup assistant.",
                    user=self.env.user.name,
                    company=company.name,
                )
            )
        result = company.with_env(self.env).action_altinn_request_system_user()
        if switched:
            params = (result or {}).get("params") or {}
            params["message"] = self.env._(
                "%(message)s %(company)s is now on Altinn 3: it fetches once the system user is approved.",
                message=params.get("message") or "",
                company=company.name,
            ).strip()
        return result

    def action_check_system_users(self):
        """Read every system user's state in Altinn, then test the token of each approved one."""
        self.ensure_one()
        self._check_manager()
        self._altinn_remember()
        self.check_result = self._altinn_check_all()
        return self._altinn_done(self.env._("Checked in Altinn: the results are in step 5."))

    def _altinn_check_all(self):
        """Every system user's state in Altinn and, for an approved one, its token test: one text."""
        lines = []
        for system_user in self.system_user_ids:
            line = self._altinn_try(system_user.name, system_user.action_check)
            if system_user.state == "approved":
                line = "\n".join([line, *self._altinn_token_lines(system_user)])
            lines.append(line)
        return "\n".join(lines) or self.env._("No system user yet.")

    @api.model
    def action_open(self):
        """Open the assistant (menus): step 5 shows what Altinn says now, checked as it opens."""
        wizard = self.create({})
        if self.env.user.has_group("prisolve_altinn.group_altinn_manager") and wizard.system_user_ids:
            wizard.check_result = wizard._altinn_check_all()
            wizard._altinn_done(False)
        action = self.env["ir.actions.act_window"]._for_xml_id("prisolve_altinn.action_altinn_setup_wizard")
        action["res_id"] = wizard.id
        return action

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
        self.write({"message": message, "result_states": json.dumps(self._altinn_states())})
        return True


class AltinnSetupWizardCompany(models.TransientModel):
    """A company the user manages, offered in step 4 of the setup assistant."""

    _name = "altinn.setup.wizard.company"
    _description = "Altinn 3 setup assistant: a company"
    _order = "name, id"

    wizard_id = fields.Many2one("altinn.setup.wizard", required=True, ondelete="cascade")
    # The company's id, not a company field: shown by name even when it is not active in the switcher.
    company_ref = fields.Integer(string="Company ID", required=True, readonly=True)
    name = fields.Char(string="Company", readonly=True)
    org_number = fields.Char(string="Organisation number", readonly=True)
    transport = fields.Selection(TRANSPORTS, string="Fetches with", readonly=True)
    system_user_state = fields.Selection(SYSTEM_USER_STATES, string="Own system user", readonly=True)
    selected = fields.Boolean(string="Request")
