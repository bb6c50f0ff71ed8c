# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Altinn 3 system users: one record per system user this database asked Altinn for.

A company's own (standard) system user fetches its inbox (Selskap level); an accounting firm's client
(agent) system user fetches for every client company that points to the firm (Klient level). Tokens are
always requested for the owner's organisation; the company whose inbox is read is chosen per call.
"""

import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..altinn import errors as altinn_errors
from ..altinn.altinn3 import (
    CHECK_SYSTEM_USER,
    CHECK_VENDOR_TOKEN,
    Altinn3Settings,
    Altinn3Transport,
    diagnose_grant,
    make_admin,
)
from ..altinn.altinn3.config import LEVEL_COMPANY, LEVEL_FIRM
from ..altinn.altinn3.diagnosis import PROBLEM_SYSTEM_USER_MISSING, PROBLEM_WRONG_KIND
from ..altinn.altinn3.systemusers import OUTCOME_APPROVED, OUTCOME_CONFLICT, OUTCOME_PENDING, OUTCOME_RENEWED
from ..altinn.altinn3.systemusers import external_ref as altinn_external_ref
from ..exceptions import MISSING, NOT_NOW, SETUP, AltinnUserError, altinn_user_error, title_of
from ..services.chatter import post_note
from ..services.texts import error_message

_logger = logging.getLogger(__name__)

STATES = [
    ("missing", "Missing"),
    ("requested", "Requested, waiting for approval"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("expired", "Request expired"),
    ("conflict", "Other kind in Altinn"),
]
KIND_STANDARD = "standard"
KIND_AGENT = "agent"


class AltinnSystemUser(models.Model):
    _name = "altinn.system.user"
    _inherit = ["mail.thread"]
    _description = "Altinn 3 system user"
    _order = "org_number, kind, id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    kind = fields.Selection(
        [(KIND_STANDARD, "Own (Selskap)"), (KIND_AGENT, "Clients (Klient)")],
        required=True,
        readonly=True,
        help="Own: the company's standard system user reads its own inbox. Clients: an accounting firm's "
        "agent "
        "system user reads the inboxes of the clients the firm's klientadministrator added in Altinn.",
    )
    company_id = fields.Many2one(
        "res.company",
        readonly=True,
        index=True,
        help="The company that owns a standard system user; empty for a firm's client system user, which "
        "serves several companies.",
    )
    partner_id = fields.Many2one(
        "res.partner", string="Owner", required=True, readonly=True, ondelete="cascade", index=True
    )
    org_number = fields.Char(string="Organisation number", required=True, readonly=True)
    external_ref = fields.Char(
        string="External reference",
        required=True,
        readonly=True,
        help="Tells Altinn which of the owner's system users of this system is meant (request, token, "
        "lookups).",
    )
    state = fields.Selection(STATES, default="missing", required=True, readonly=True, copy=False)
    request_id = fields.Char(string="Request ID", readonly=True, copy=False)
    altinn_id = fields.Char(string="System user ID", readonly=True, copy=False)
    confirm_url = fields.Char(
        string="Approval link",
        readonly=True,
        copy=False,
        help="The owner's daglig leder (or another person with access management rights) logs in with BankID "
        "and approves the system user once with this link.",
    )
    requested_by_id = fields.Many2one("res.users", string="Requested by", readonly=True, copy=False)
    requested_at = fields.Datetime(string="Requested on", readonly=True, copy=False)
    checked_at = fields.Datetime(string="Last checked", readonly=True, copy=False)
    company_ids = fields.Many2many(
        "res.company", string="Companies fetched", compute="_compute_company_ids", compute_sudo=True
    )
    next_step = fields.Text(string="What to do next", compute="_compute_next_step")

    _sql_constraints = [
        (
            "owner_kind_uniq",
            "unique(partner_id, kind)",
            "The owner already has a system user of this kind.",
        ),
    ]

    @api.depends("kind", "partner_id.name", "org_number")
    def _compute_name(self):
        labels = dict(self._fields["kind"]._description_selection(self.env))
        for record in self:
            record.name = (
                f"{labels.get(record.kind, '')}: {record.partner_id.name or ''} ({record.org_number})"
            )

    @api.depends("state", "kind", "confirm_url", "partner_id.name", "external_ref")
    def _compute_next_step(self):
        _ = self.env._
        for record in self:
            owner = record.partner_id.display_name or record.org_number
            if record.state == "approved":
                record.next_step = (
                    _(
                        "Nothing: the system user fetches unattended. The firm's klientadministrator adds "
                        "clients to it in Altinn (Tilgangsstyring → Systemtilganger → Klienter); then "
                        'create their companies with "Find clients in Altinn" on the firm\'s contact.'
                    )
                    if record.kind == KIND_AGENT
                    else _("Nothing: the system user fetches the company's inbox unattended.")
                )
            elif record.state == "requested":
                record.next_step = _(
                    "Send the approval link to the daglig leder of %(owner)s (or another person with access "
                    'management rights in Altinn), who approves it once with BankID; then click "Check '
                    'status".',
                    owner=owner,
                )
            elif record.state in ("rejected", "expired"):
                record.next_step = _(
                    'Click "Request system user": Altinn keeps the old request until it is deleted, so it is '
                    "deleted and a new request sent; then send the new approval link to %(owner)s.",
                    owner=owner,
                )
            elif record.state == "conflict":
                record.next_step = record._altinn_conflict_text()
            else:
                record.next_step = _(
                    'Click "Request system user" and send the approval link to %(owner)s.', owner=owner
                )

    def _altinn_conflict_text(self):
        self.ensure_one()
        _ = self.env._
        labels = dict(self._fields["kind"]._description_selection(self.env))
        other = labels[KIND_STANDARD if self.kind == KIND_AGENT else KIND_AGENT]
        return _(
            "Altinn holds a system user of the other kind (%(other)s) for %(owner)s (%(org)s) under the "
            "reference %(ref)s. A person with access management rights for %(owner)s must delete that system "
            'user in Altinn (Tilgangsstyring → Systemtilganger); then click "Request system user" again.',
            other=other,
            owner=self.partner_id.display_name,
            org=self.org_number,
            ref=self.external_ref,
        )

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_company_ids(self):
        # Computed as superuser, shown to the user: a firm's client system user serves companies of
        # several owners, and each user sees only those among the companies they work in.
        Company = self.env["res.company"]
        acting = Company._altinn_acting_companies()
        for record in self:
            if record.kind == KIND_STANDARD:
                companies = Company.search([("altinn_system_user_id", "=", record.id)])
            else:
                companies = record._altinn_served_companies()
            record.company_ids = companies & acting

    def _altinn_served_companies(self):
        """Every company this system user fetches for (or, for a firm, that the firm is), as superuser."""
        self.ensure_one()
        Company = self.env["res.company"].sudo().with_context(active_test=False)
        if self.sudo().kind == KIND_STANDARD:
            return Company.search([("altinn_system_user_id", "=", self.id)]) | self.sudo().company_id
        return self.sudo().partner_id._altinn_served_companies()

    def _altinn_concerning_user(self):
        """Those of these system users the user may act on (``_altinn_check_access`` without raising)."""
        if self.env.su:
            return self
        acting = self.env["res.company"]._altinn_acting_companies()

        def concerns(record):
            served = record._altinn_served_companies()
            if record.sudo().kind == KIND_STANDARD:
                return not served - acting
            return not served or bool(served & acting)

        return self.filtered(concerns)

    def _altinn_check_access(self, manager=True):
        """Refuse unless the user (with ``manager``, an Altinn administrator) works in a company this system
        user concerns: its owner company, or for a firm's client system user one of the firm's client
        companies (or the firm's own company). A firm serving no company yet concerns no company's data."""
        self.ensure_one()
        if manager:
            self.env["res.company"]._altinn_check_manager()
        if self.env.su:
            return
        if self.sudo().kind == KIND_STANDARD:
            self._altinn_served_companies().with_env(self.env)._altinn_check_company_access()
            return
        self.sudo().partner_id.with_env(self.env)._altinn_check_firm_access(manager=False)

    # ------------------------------------------------------------------
    # Creation for a company or a firm
    # ------------------------------------------------------------------
    @api.model
    def _altinn_for_company(self, company):
        """A new (not yet requested) standard system user for ``company``."""
        org = company.altinn_org_number
        if not org:
            raise AltinnUserError(
                self.env._("Enter the company's organisation number on its Altinn tab first."),
                title=title_of(self.env, MISSING),
            )
        return self.create(
            {
                "kind": KIND_STANDARD,
                "company_id": company.id,
                "partner_id": company.partner_id.id,
                "org_number": org,
                # Distinct per kind (the protocol layer decides): Altinn looks a system user up by
                # (system, organisation, externalRef) whatever its kind.
                "external_ref": altinn_external_ref(org, agent=False),
            }
        )

    @api.model
    def _altinn_for_firm(self, firm):
        """A new (not yet requested) client system user for the accounting firm ``firm``."""
        org = firm.altinn_org_number
        if not org:
            raise AltinnUserError(
                self.env._(
                    "Enter the organisation number of %(firm)s (contact form, Altinn tab) first.",
                    firm=firm.display_name,
                ),
                title=title_of(self.env, MISSING),
            )
        return self.create(
            {
                "kind": KIND_AGENT,
                "partner_id": firm.id,
                "org_number": org,
                "external_ref": altinn_external_ref(org, agent=True),
            }
        )

    # ------------------------------------------------------------------
    # Settings for the protocol layer
    # ------------------------------------------------------------------
    def _altinn_reference_company(self):
        """The company whose Altinn environment this system user lives in."""
        self.ensure_one()
        if self.kind == KIND_STANDARD:
            return self.company_id
        return self.partner_id._altinn_reference_company()

    def _altinn_settings(self, company=None):
        """``Altinn3Settings`` for this system user (contains the key: never log or show it).

        ``company`` gives the environment; by default the owner's (or, for a firm, its clients').
        """
        self.ensure_one()
        company = (company or self._altinn_reference_company()).sudo()
        if company.altinn_environment == "custom" and not company._altinn_base_url():
            raise AltinnUserError(
                self.env._("Enter the Altinn base URL for the custom environment."),
                title=title_of(self.env, MISSING),
            )
        client = self.env["altinn.maskinporten.client"]._altinn_for_environment(company.altinn_environment)
        if not client:
            label = dict(company._fields["altinn_environment"]._description_selection(self.env)).get(
                company.altinn_environment, company.altinn_environment
            )
            raise AltinnUserError(
                self.env._(
                    "%(company)s: there is no Maskinporten client for the environment %(env)s. A Settings "
                    "administrator must add the system vendor's client (Settings → Altinn 3 → Maskinporten "
                    "client).",
                    company=company.name,
                    env=label,
                ),
                title=title_of(self.env, SETUP),
            )
        if company.altinn_environment == "custom":
            # The emulator serves Maskinporten and the platform under one base URL.
            environment, url = "local", company._altinn_base_url()
        else:
            environment, url = company.altinn_environment, None
        return Altinn3Settings(
            owner_org=self.org_number,
            level=LEVEL_FIRM if self.kind == KIND_AGENT else LEVEL_COMPANY,
            environment=environment,
            maskinporten_url=url,
            platform_url=url,
            external_ref=self.external_ref,
            timeout=company._altinn_timeout(),
            **client._altinn_settings_values(),
        )

    # ------------------------------------------------------------------
    # Request and status
    # ------------------------------------------------------------------
    def action_request(self):
        """Bring this system user to "approved" or to a request waiting for approval; say what happened."""
        self.ensure_one()
        self._altinn_check_access()
        record = self.sudo()
        before = record.state
        setup = record._altinn_ensure()
        record.write(
            {
                **record._altinn_status_values(setup.status),
                "requested_by_id": self.env.uid,
                "requested_at": fields.Datetime.now(),
            }
        )
        message = record._altinn_setup_message(setup, before)
        record._altinn_log(message)
        return record._altinn_notification(*message)

    def action_check(self):
        """Read the system user's state in Altinn; say what changed."""
        self.ensure_one()
        self._altinn_check_access()
        record = self.sudo()
        before = record.state
        record.write(record._altinn_status())
        message = record._altinn_state_message(before)
        if before != record.state:
            record._altinn_log(message)
        return record._altinn_notification(*message)

    def _altinn_log(self, message):
        """Who did what, on the record's chatter (the audit trail of system-user actions)."""
        self.ensure_one()
        post_note(
            self,
            self.env._("%(user)s: %(message)s", user=self.env.user.name, message=message[0]),
            author_id=self.env.user.partner_id.id,
        )

    def _altinn_explain_token_failure(self, error):
        """Maskinporten gave no token for this system user (MP-303): ask Altinn which part is missing, keep
        the record's state true to it (a system user Altinn no longer has is not "approved"), and return the
        error that says who must do what (``error`` itself when nothing more is found)."""
        self.ensure_one()
        try:
            diagnosis = diagnose_grant(self._altinn_settings())
        except (altinn_errors.AltinnError, UserError, ValueError):
            return error
        failed = diagnosis.failed
        if failed is None or failed.name == CHECK_VENDOR_TOKEN or failed.error is None:
            return error
        if failed.name == CHECK_SYSTEM_USER and failed.problem in (
            PROBLEM_SYSTEM_USER_MISSING,
            PROBLEM_WRONG_KIND,
        ):
            state = "conflict" if failed.problem == PROBLEM_WRONG_KIND else "missing"
            if self.state != state:
                self.write(
                    {
                        "state": state,
                        "altinn_id": False,
                        "confirm_url": False,
                        "checked_at": fields.Datetime.now(),
                    }
                )
                post_note(
                    self,
                    self.env._(
                        "The scheduled fetch found that Altinn no longer has this system user (deleted or "
                        "replaced in Altinn): %(error)s",
                        error=error_message(failed.error, self.env.lang or "en_US"),
                    ),
                )
        return failed.error

    def _altinn_clients(self):
        """The organisations this client (agent) system user may act for now, other than its owner: the
        firm's clients as Altinn lists them (``ClientParty``)."""
        self.ensure_one()
        if self.kind != KIND_AGENT:
            raise AltinnUserError(
                self.env._("Only an accounting firm's client system user has clients."),
                title=title_of(self.env, NOT_NOW),
            )
        try:
            with Altinn3Transport(self._altinn_settings()) as transport:
                return transport.clients(refresh=True)
        except altinn_errors.AltinnError as exc:
            raise altinn_user_error(self.env, exc, error_message(exc, self.env.lang or "en_US")) from None

    def _altinn_admin(self):
        return make_admin(self._altinn_settings())

    def _altinn_ensure(self):
        """``SystemUserSetup`` of the protocol layer: request, redo an answered request, or link the
        existing system user (Altinn's rules, see altinn/altinn3/systemusers.py)."""
        self.ensure_one()
        client = self.env["altinn.maskinporten.client"]._altinn_for_environment(
            self._altinn_reference_company().altinn_environment
        )
        agent = self.kind == KIND_AGENT
        title = (
            self.env._("Odoo – %(name)s (clients)", name=self.partner_id.name)
            if agent
            else self.env._("Odoo – %(name)s", name=self.partner_id.name)
        )
        admin = None
        try:
            admin = self._altinn_admin()
            return admin.ensure_system_user(
                self.org_number,
                agent=agent,
                external_ref=self.external_ref,
                access_packages=client._altinn_packages(agent),
                redirect_url=(client.sudo().redirect_url or "").strip() or None,
                integration_title=title,
            )
        except altinn_errors.AltinnError as exc:
            raise altinn_user_error(self.env, exc, error_message(exc, self.env.lang or "en_US")) from None
        finally:
            if admin is not None:
                admin.mp.http.close()

    def _altinn_status(self):
        self.ensure_one()
        admin = None
        try:
            admin = self._altinn_admin()
            status = admin.status(
                self.org_number,
                agent=self.kind == KIND_AGENT,
                external_ref=self.external_ref,
                request_id=self.request_id or None,
            )
        except altinn_errors.AltinnError as exc:
            raise altinn_user_error(self.env, exc, error_message(exc, self.env.lang or "en_US")) from None
        finally:
            if admin is not None:
                admin.mp.http.close()
        return self._altinn_status_values(status)

    @api.model
    def _altinn_status_values(self, status):
        return {
            "state": status.state if status.state in dict(STATES) else "missing",
            "confirm_url": status.confirm_url or False,
            "request_id": status.request_id or False,
            "altinn_id": status.system_user_id or False,
            "checked_at": fields.Datetime.now(),
        }

    def _altinn_setup_message(self, setup, before):
        """(text, kind, sticky) that says what ``ensure_system_user`` did and what comes next."""
        self.ensure_one()
        _ = self.env._
        if setup.outcome == OUTCOME_APPROVED:
            return (
                _(
                    "%(who)s: Altinn already has this system user (approved), so it was linked: nothing to "
                    "approve.",
                    who=self.name,
                ),
                "success",
                False,
            )
        if setup.outcome == OUTCOME_CONFLICT:
            return (f"{self.name}: {self._altinn_conflict_text()}", "warning", True)
        if setup.outcome == OUTCOME_PENDING:
            message = _(
                "%(who)s: a request already waits for approval in Altinn. Send the approval link to the "
                "owner's "
                'daglig leder, then click "Check status".',
                who=self.name,
            )
        elif setup.outcome == OUTCOME_RENEWED:
            message = _(
                "%(who)s: Altinn still held the earlier, answered request; it was deleted and a new "
                "request sent. "
                'Send the new approval link to the owner\'s daglig leder, then click "Check status".',
                who=self.name,
            )
        elif before == "expired":
            message = _(
                "%(who)s: the earlier request had expired unanswered, so a new request was sent. Send the "
                'new approval link to the owner\'s daglig leder, then click "Check status".',
                who=self.name,
            )
        else:
            message = _(
                "%(who)s: request sent. Send the approval link to the owner's daglig leder, then click "
                '"Check '
                'status".',
                who=self.name,
            )
        return (message, "info", True)

    def _altinn_state_message(self, before):
        """(text, kind, sticky) that says what a status check found."""
        self.ensure_one()
        _ = self.env._
        label = dict(self._fields["state"]._description_selection(self.env)).get(self.state, self.state)
        if before == "approved" and self.state != "approved":
            message = _(
                "%(who)s: the system user was removed in Altinn (now: %(state)s). The scheduled fetch has "
                "stopped for the companies it served; request a new system user.",
                who=self.name,
                state=label,
            )
            return (message, "warning", True)
        if self.state == "conflict":
            return (f"{self.name}: {self._altinn_conflict_text()}", "warning", True)
        if before == self.state:
            message = _("%(who)s: no change in Altinn (%(state)s).", who=self.name, state=label)
        else:
            message = _("%(who)s: %(state)s", who=self.name, state=label)
        return (message, "success" if self.state == "approved" else "info", False)

    def _altinn_notification(self, message, kind, sticky=False):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Altinn 3 system user"),
                "message": message,
                "type": kind,
                "sticky": sticky,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
