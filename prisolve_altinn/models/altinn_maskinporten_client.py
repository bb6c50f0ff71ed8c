# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The system vendor's Maskinporten integration (Altinn 3): one record per database and environment.

The private key is the one secret here: readable only by Settings administrators (field groups and
access rules); the ORM reads it with sudo when it builds a transport, and never logs it.
"""

import json
import logging
import re

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..altinn import errors as altinn_errors
from ..altinn.altinn3 import ADMIN_SCOPES, READ_SCOPES
from ..altinn.altinn3.systemusers import PACKAGE_PREFIX
from ..exceptions import MISSING, NOT_NOW, SETUP, AltinnUserError, title_of
from ..services.chatter import post_note
from ..services.texts import error_message

_logger = logging.getLogger(__name__)

ENVIRONMENTS = [("production", "Production (altinn.no)"), ("test", "Test (tt02)"), ("custom", "Custom URL")]
# Access packages asked for in a system-user request (the system register must list them).
DEFAULT_STANDARD_PACKAGES = "skattegrunnlag merverdiavgift"
DEFAULT_AGENT_PACKAGES = "regnskapsforer-med-signeringsrettighet"
# Maskinporten needs RSA of at least 2048 bits.
KEY_SIZE = 2048


class AltinnMaskinportenClient(models.Model):
    _name = "altinn.maskinporten.client"
    _inherit = ["mail.thread"]
    _description = "Altinn 3: Maskinporten client of the system vendor"
    _order = "environment, id"

    name = fields.Char(required=True, default="Maskinporten")
    active = fields.Boolean(default=True)
    environment = fields.Selection(
        ENVIRONMENTS,
        required=True,
        default="production",
        help="Used by the companies whose Altinn environment is the same. Maskinporten test and production "
        "need separate integrations; a custom URL (the local Altinn emulator) takes the company's base URL.",
    )
    client_id = fields.Char(
        string="Maskinporten client ID",
        help="The integration id from Samarbeidsportalen (Maskinporten self-service). May follow the key: "
        "the setup assistant makes the key first, then takes the client id back.",
    )
    key_id = fields.Char(
        string="Key ID (kid)",
        help="The kid Maskinporten gave the registered public key. Leave empty when signing with a business "
        "certificate, or to use the key's RFC 7638 thumbprint.",
    )
    private_key_pem = fields.Text(
        string="Private key (PEM)",
        groups="base.group_system",
        copy=False,
        exportable=False,
        help="The RSA private key of the integration (or of the business certificate), PEM.",
    )
    certificate_pem = fields.Text(
        string="Business certificate (PEM)",
        groups="base.group_system",
        copy=False,
        exportable=False,
        help="Optional: the virksomhetssertifikat chain, leaf first. The grant then carries x5c instead "
        "of kid.",
    )
    key_password = fields.Char(
        string="Key password",
        groups="base.group_system",
        copy=False,
        exportable=False,
        help="Only when the private key PEM is encrypted.",
    )
    key_info = fields.Char(string="Key", compute="_compute_key_info", groups="base.group_system")
    public_jwk = fields.Text(
        string="Public key (JWK)",
        compute="_compute_key_info",
        groups="base.group_system",
        help="Register this public key for the integration in Maskinporten.",
    )
    public_pem = fields.Text(
        string="Public key (PEM)",
        compute="_compute_key_info",
        groups="base.group_system",
        help="The same public key as PEM, for self-service forms that ask for it.",
    )
    scopes = fields.Char(
        required=True,
        default=" ".join(READ_SCOPES),
        help="Scopes for reading inboxes with a system user, separated by spaces. The integration also needs "
        f"{' '.join(ADMIN_SCOPES)} for the system-user requests.",
    )
    system_id = fields.Char(
        string="System ID (system register)",
        required=True,
        help="The id of the system in Altinn's system register, e.g. 991825827_prisolve.",
    )
    vendor_org_number = fields.Char(
        string="Vendor organisation number",
        help="The organisation that owns the Maskinporten integration and the system.",
    )
    redirect_url = fields.Char(
        string="Redirect URL after approval",
        help="Optional: where Altinn sends the customer after approving; must be listed on the system.",
    )
    standard_access_packages = fields.Char(
        string="Access packages (own company)",
        default=DEFAULT_STANDARD_PACKAGES,
        help="Access packages asked for in a company's own system-user request, separated by spaces.",
    )
    agent_access_packages = fields.Char(
        string="Access packages (accounting firm)",
        default=DEFAULT_AGENT_PACKAGES,
        help="Access packages asked for in an accounting firm's client (agent) system-user request.",
    )
    access_packages_text = fields.Text(
        string="Access packages asked for",
        compute="_compute_access_packages_text",
        help="What the system-user requests ask the companies for, by Altinn's names of the access packages; "
        "the identifiers are on the Technical details tab.",
    )
    last_test_result = fields.Text(string="Last connection test", readonly=True, copy=False)
    last_test_date = fields.Datetime(string="Tested on", readonly=True, copy=False)

    # ------------------------------------------------------------------
    # Computes and checks
    # ------------------------------------------------------------------
    @api.depends("standard_access_packages", "agent_access_packages")
    def _compute_access_packages_text(self):
        for client in self:
            lines = []
            if packages := client._altinn_packages(False):
                lines.append(
                    self.env._("Own company: %(packages)s", packages=client._altinn_package_names(packages))
                )
            if packages := client._altinn_packages(True):
                lines.append(
                    self.env._(
                        "Accounting firm, for its clients: %(packages)s",
                        packages=client._altinn_package_names(packages),
                    )
                )
            client.access_packages_text = "\n".join(lines)

    def _altinn_package_names(self, packages):
        """Altinn's names of the access packages ``packages`` (identifiers or URNs), for a person to read;
        a package this list does not know: its identifier made readable ("some-package" → "Some package")."""
        names = {
            "skattegrunnlag": self.env._("Tax base"),
            "merverdiavgift": self.env._("Value added tax"),
            "regnskapsforer-med-signeringsrettighet": self.env._("Accountant with signing rights"),
            "regnskapsforer-uten-signeringsrettighet": self.env._("Accountant without signing rights"),
            "regnskapsforer-lonn": self.env._("Accountant, payroll"),
            "klientadministrator": self.env._("Client administrator"),
        }
        readable = []
        for package in packages:
            key = package.removeprefix(PACKAGE_PREFIX)
            readable.append(names.get(key) or key.replace("-", " ").capitalize())
        return ", ".join(readable)

    @api.depends("private_key_pem", "key_password", "key_id", "certificate_pem")
    def _compute_key_info(self):
        from ..altinn.altinn3 import jws

        for record in self:
            record.key_info = record.public_jwk = record.public_pem = False
            if not record.private_key_pem:
                record.key_info = self.env._("No private key")
                continue
            try:
                key = jws.load_private_key(record.private_key_pem, record.key_password or None)
                certificates = jws.load_certificates(record.certificate_pem) if record.certificate_pem else []
            except jws.JwsError as exc:
                record.key_info = self.env._("The key cannot be read: %(error)s", error=exc)
                continue
            public = key.public_key()
            kid = (record.key_id or "").strip() or (None if certificates else jws.jwk_thumbprint(public))
            if certificates:
                record.key_info = self.env._(
                    "RSA %(bits)s-bit key with a business certificate valid until %(date)s",
                    bits=key.key_size,
                    date=certificates[0].not_valid_after.date().isoformat(),
                )
            else:
                record.key_info = self.env._(
                    "RSA %(bits)s-bit key, key ID %(kid)s", bits=key.key_size, kid=kid
                )
            record.public_jwk = json.dumps(jws.public_jwk(public, kid), indent=2)
            record.public_pem = public.public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            ).decode("ascii")

    @api.constrains("environment", "active")
    def _check_one_per_environment(self):
        for record in self.filtered("active"):
            if self.search_count([("environment", "=", record.environment), ("id", "!=", record.id)]):
                raise ValidationError(
                    self.env._(
                        "There is already an active Maskinporten client for this environment; archive it "
                        "first."
                    )
                )

    @api.constrains("vendor_org_number")
    def _check_vendor_org_number(self):
        for record in self:
            if record.vendor_org_number and not re.fullmatch(r"\d{9}", record.vendor_org_number.strip()):
                raise ValidationError(
                    self.env._("The vendor organisation number must have exactly 9 digits.")
                )

    # ------------------------------------------------------------------
    # Use
    # ------------------------------------------------------------------
    @api.model
    def _altinn_for_environment(self, environment):
        """The active client of ``environment`` (sudo: the key is needed by whoever runs an update)."""
        return self.sudo().search([("environment", "=", environment)], limit=1)

    def _altinn_settings_values(self):
        """The client's part of ``Altinn3Settings`` (contains the key: never log or show it)."""
        self.ensure_one()
        record = self.sudo()
        if not record.private_key_pem:
            raise AltinnUserError(
                self.env._(
                    "The Maskinporten client %(name)s has no private key: a Settings administrator must "
                    "add it (Settings → Altinn 3 → Maskinporten client).",
                    name=record.name,
                ),
                title=title_of(self.env, SETUP),
            )
        if not (record.client_id or "").strip():
            raise AltinnUserError(
                self.env._(
                    "The Maskinporten client %(name)s has no client ID yet: a Settings administrator must "
                    "enter the one Maskinporten's self-service gave (Settings → Altinn 3 → Setup assistant).",
                    name=record.name,
                ),
                title=title_of(self.env, SETUP),
            )
        return {
            "client_id": record.client_id.strip(),
            "private_key_pem": record.private_key_pem,
            "certificate_pem": record.certificate_pem or None,
            "key_password": record.key_password or None,
            "key_id": (record.key_id or "").strip() or None,
            "scopes": tuple((record.scopes or "").split()) or READ_SCOPES,
            "system_id": (record.system_id or "").strip() or None,
        }

    def action_generate_key(self):
        """Make the installation's own RSA key here (Settings administrators only): the private key never
        leaves the database; its public key (JWK/PEM) is what the administrator registers in Maskinporten.
        A key made before is replaced: the integration works again once the new public key is registered."""
        self.ensure_one()
        if not self.env.user.has_group("base.group_system"):
            raise AccessError(
                self.env._("Only Settings administrators can make or change the Maskinporten key.")
            )
        key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode("ascii")
        replaced = bool(self.private_key_pem)
        # The JWK's kid is the key's thumbprint: Maskinporten registers the key under it.
        self.write({"private_key_pem": pem, "key_id": False, "certificate_pem": False, "key_password": False})
        values = {"user": self.env.user.name, "info": self.key_info, "client": self.client_id or "-"}
        if replaced:
            note = self.env._(
                "%(user)s made a new key (%(info)s). Register its public key for client %(client)s in "
                "Maskinporten's self-service: until then, the earlier key is no longer used.",
                **values,
            )
        else:
            note = self.env._(
                "%(user)s made a new key (%(info)s). Register its public key for client %(client)s in "
                "Maskinporten's self-service.",
                **values,
            )
        post_note(self, note)
        return True

    def _altinn_vendor_settings(self, base_url=None, timeout=None):
        """``Altinn3Settings`` for the vendor's own calls (system register, grant test): the owner is the
        vendor. Contains the key: never log or show it."""
        self.ensure_one()
        from ..altinn.altinn3 import Altinn3Settings

        values = self._altinn_settings_values()
        vendor = (self.sudo().vendor_org_number or "").strip() or (values["system_id"] or "").split("_")[0]
        if not re.fullmatch(r"\d{9}", vendor or ""):
            raise AltinnUserError(
                self.env._("Enter the vendor organisation number (9 digits) first."),
                title=title_of(self.env, MISSING),
            )
        if not values["system_id"]:
            raise AltinnUserError(
                self.env._("Enter the system ID (system register) first."), title=title_of(self.env, MISSING)
            )
        if self.environment == "custom" and not base_url:
            raise AltinnUserError(
                self.env._("Enter the Altinn base URL for the custom environment."),
                title=title_of(self.env, MISSING),
            )
        return Altinn3Settings(
            owner_org=vendor,
            environment="local" if self.environment == "custom" else self.environment,
            maskinporten_url=base_url if self.environment == "custom" else None,
            platform_url=base_url if self.environment == "custom" else None,
            timeout=timeout or (10.0, 60.0),
            **values,
        )

    def _altinn_all_packages(self):
        """Every access package a system-user request of this installation asks for (both kinds)."""
        self.ensure_one()
        packages = [*(self._altinn_packages(False) or ()), *(self._altinn_packages(True) or ())]
        return list(dict.fromkeys(packages))

    def _altinn_packages(self, agent):
        self.ensure_one()
        text = self.sudo().agent_access_packages if agent else self.sudo().standard_access_packages
        return tuple((text or "").split()) or None

    def action_test_connection(self):
        """Ask Maskinporten for a token (vendor scopes, no system user): proves client id, key and scopes."""
        self.ensure_one()
        from ..altinn.altinn3 import MaskinportenClient, environment
        from ..altinn.altinn3.httpclient import Http
        from ..altinn.altinn3.tokens import TokenCache

        lang = self.env.lang or "en_US"
        company = self.env.company
        if self.environment == "custom" and company.altinn_environment != "custom":
            company = self.env["res.company"].sudo().search([("altinn_environment", "=", "custom")], limit=1)
        base_url = company._altinn_base_url() if company and self.environment == "custom" else None
        if self.environment == "custom" and not base_url:
            raise AltinnUserError(
                self.env._(
                    "No company uses the custom environment, so there is no base URL to test against."
                ),
                title=title_of(self.env, NOT_NOW),
            )
        values = self._altinn_settings_values()
        try:
            env = environment(
                "local" if self.environment == "custom" else self.environment,
                maskinporten_url=base_url,
                platform_url=base_url,
            )
            # A fresh cache: the test must really ask Maskinporten.
            client = MaskinportenClient(
                env,
                values["client_id"],
                values["private_key_pem"],
                key_id=values["key_id"],
                certificate_pem=values["certificate_pem"],
                key_password=values["key_password"],
                http=Http(timeout=company._altinn_timeout() if company else (10.0, 60.0)),
                cache=TokenCache(),
            )
            try:
                token = client.token(ADMIN_SCOPES)
            finally:
                client.http.close()
        except altinn_errors.AltinnError as exc:
            message = self.env._(
                "Maskinporten did not give a token. %(error)s", error=error_message(exc, lang)
            )
            ok = False
        else:
            message = self.env._(
                "Maskinporten accepted the key: a token for %(scopes)s, valid %(seconds)s seconds.",
                scopes=token.scope or " ".join(ADMIN_SCOPES),
                seconds=int(token.lifetime),
            )
            ok = True
        self.sudo().write({"last_test_result": message, "last_test_date": fields.Datetime.now()})
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Connection works") if ok else self.env._("Connection failed"),
                "message": message,
                "type": "success" if ok else "danger",
                "sticky": not ok,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
