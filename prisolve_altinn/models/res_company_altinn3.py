# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Altinn 3 on the company: which transport, the system user, and the unattended fetch (cron).

Same settings at Selskap and Klient level, same ledger and processing; only the transport changes.
Selskap: the company's own (standard) system user, tokens for the company. Klient: the accounting
firm's client (agent) system user, tokens always for the firm, the company chosen per call.
"""

import logging
from datetime import timedelta

from markupsafe import Markup, escape

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, UserError
from odoo.modules import module as odoo_module

from ..altinn import errors as altinn_errors
from ..altinn.altinn3 import Altinn3Transport
from .altinn_document import error_text, guarded

_logger = logging.getLogger(__name__)

TRANSPORTS = [
    ("altinn3", "Altinn 3 – system user (unattended)"),
    ("altinn2", "Altinn 2 – SMS code (closed 19 June 2026; emulator/demo only)"),
    ("upload", "File upload only"),
]
A3_STATES = [
    ("missing", "Missing"),
    ("requested", "Requested, waiting for approval"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("expired", "Request expired"),
]
A3_LEVEL_COMPANY = "company"  # Selskap
A3_LEVEL_FIRM = "firm"  # Klient
# First unattended fetch of a company: this far back (the ledger skips what it already has).
FIRST_FETCH_DAYS = 365
# A company the cron tried less than this ago waits for the next round.
CRON_MIN_AGE_MINUTES = 10
CRON_BATCH_SIZE = 20
# Errors that go away by themselves: an activity only once they have lasted this long.
TRANSIENT_GRACE = timedelta(hours=24)
# The processing cron that parses and books new documents (booking side).
PROCESS_CRON = "prisolve_altinn.ir_cron_altinn_process"


def _can_commit():
    """Commit per company in a real cron run only; a test's transaction is rolled back."""
    return not tools.config["test_enable"] and not odoo_module.current_test


class ResCompany(models.Model):
    _inherit = "res.company"

    altinn_transport = fields.Selection(
        TRANSPORTS,
        string="Altinn connection",
        compute="_compute_altinn_transport",
        store=True,
        readonly=False,
        precompute=True,
        help="Altinn 3: a system user approved once by the company (or its accounting firm) fetches "
        "unattended, also from the scheduled action. Altinn 2: a person's SMS code is needed for every "
        "update, so the scheduled action cannot fetch; Altinn 2 closed on 19 June 2026 and remains for "
        "the local emulator and demos. File upload only: documents are uploaded by hand.",
    )
    altinn_a3_state = fields.Selection(
        A3_STATES,
        string="System user",
        default="missing",
        required=True,
        copy=False,
        readonly=True,
        help="The company's own system user in Altinn 3 (Selskap level), as last seen in Altinn.",
    )
    altinn_a3_confirm_url = fields.Char(
        string="Approval link",
        copy=False,
        readonly=True,
        help="Send this link to the company's daglig leder (or another person with access management "
        "rights): they log in with BankID and approve the system user once.",
    )
    altinn_a3_request_id = fields.Char(string="Request ID", copy=False, readonly=True)
    altinn_a3_system_user_id = fields.Char(string="System user ID", copy=False, readonly=True)
    altinn_a3_requested_by = fields.Many2one("res.users", string="Requested by", copy=False, readonly=True)
    altinn_responsible_user_id = fields.Many2one(
        "res.users",
        string="Altinn responsible",
        copy=False,
        domain="[('share', '=', False)]",
        help="Gets an activity when the scheduled fetch fails. Empty: the person who requested the system "
        "user, else the administrator.",
    )
    altinn_last_sync = fields.Datetime(
        string="Synchronised until",
        copy=False,
        readonly=True,
        help="Everything Altinn changed before this moment is in the ledger; the next fetch starts here.",
    )
    altinn_a3_last_attempt = fields.Datetime(string="Last scheduled attempt", copy=False, readonly=True)
    altinn_a3_error = fields.Text(string="Last Altinn error", copy=False, readonly=True)
    altinn_a3_error_date = fields.Datetime(string="Failing since", copy=False, readonly=True)
    altinn_a3_level = fields.Selection(
        [
            (A3_LEVEL_COMPANY, "Company (own system user)"),
            (A3_LEVEL_FIRM, "Client (accounting firm's system user)"),
        ],
        string="System user level",
        compute="_compute_altinn_a3_resolution",
    )
    altinn_a3_effective_state = fields.Selection(
        A3_STATES, string="State of the system user used", compute="_compute_altinn_a3_resolution"
    )
    altinn_a3_info = fields.Char(string="Which system user applies", compute="_compute_altinn_a3_resolution")
    altinn_cron_info = fields.Char(string="Scheduled fetch", compute="_compute_altinn_a3_resolution")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("altinn_system_id", "altinn_client_id.altinn_system_id")
    def _compute_altinn_transport(self):
        # Altinn 3 unless an Altinn 2 datasystem is configured (the demo against the emulator,
        # databases set up before the shutdown): those keep working as they were until switched.
        for company in self:
            legacy = company.altinn_system_id or company.altinn_client_id.altinn_system_id
            company.altinn_transport = "altinn2" if legacy else "altinn3"

    def _altinn3_resolve(self):
        """(level, state, firm) of the system user this company uses."""
        self.ensure_one()
        company = self.sudo()
        firm = company.altinn_client_id
        own = company.altinn_a3_state or "missing"
        if own != "approved" and firm and (firm.altinn_a3_state == "approved" or own == "missing"):
            return A3_LEVEL_FIRM, firm.altinn_a3_state or "missing", firm
        return A3_LEVEL_COMPANY, own, firm

    @api.depends(
        "altinn_transport",
        "altinn_a3_state",
        "altinn_client_id",
        "altinn_client_id.altinn_a3_state",
        "altinn_client_id.name",
        "altinn_org_number",
    )
    def _compute_altinn_a3_resolution(self):
        for company in self:
            level, state, firm = company._altinn3_resolve()
            company.altinn_a3_level = level
            company.altinn_a3_effective_state = state
            company.altinn_a3_info = company._altinn3_info(level, state, firm)
            company.altinn_cron_info = company._altinn_cron_text(state)

    def _altinn3_info(self, level, state, firm):
        _ = self.env._
        if level == A3_LEVEL_FIRM:
            name = firm.display_name
            if state == "approved":
                return _(
                    "Client level (Klient): the client system user of the accounting firm %(firm)s "
                    "fetches for this company. The firm's klientadministrator must have added %(org)s as "
                    "a client in Altinn.",
                    firm=name,
                    org=self.altinn_org_number or _("the company"),
                )
            if state == "requested":
                return _(
                    "Client level (Klient): waiting for the accounting firm %(firm)s to approve its "
                    "client system user (approval link on the firm's contact, Altinn tab).",
                    firm=name,
                )
            return _(
                "Client level (Klient): the accounting firm %(firm)s has no approved client system user "
                "yet. Request one on the firm's contact (Altinn tab), or request the company's own system "
                "user here.",
                firm=name,
            )
        if state == "approved":
            return _("Company level (Selskap): the company's own system user fetches unattended.")
        if state == "requested":
            return _(
                "Waiting for the company's approval: send the approval link below to the company's daglig "
                'leder (or another person with access management rights), then click "Check status".'
            )
        if state == "rejected":
            return _(
                "The company rejected the system user. Send a new request if the company wants to use it."
            )
        if state == "expired":
            return _("The request expired before anyone approved it. Send a new request.")
        return _(
            'No system user yet: click "Request system user" and send the approval link to the company, or '
            "choose the accounting firm whose client system user serves this company (Klient level)."
        )

    def _altinn_cron_text(self, state):
        _ = self.env._
        if self.altinn_transport == "altinn2":
            return _(
                "The scheduled fetch cannot fetch for this company: Altinn 2 needs a person's SMS code "
                'for every update. Use "Update from Altinn", or switch to Altinn 3.'
            )
        if self.altinn_transport == "upload":
            return _("The scheduled fetch skips this company: documents are uploaded by hand.")
        if state == "approved":
            return _("The scheduled fetch fetches this company unattended; no SMS code is needed.")
        return _("The scheduled fetch starts once the system user is approved.")

    # ------------------------------------------------------------------
    # Settings and the seam
    # ------------------------------------------------------------------
    def _altinn3_environment(self):
        """(client environment name, Maskinporten URL, platform URL) from the company's environment."""
        self.ensure_one()
        if self.altinn_environment == "custom":
            # The emulator serves Maskinporten and the platform under one base URL.
            url = self._altinn_base_url()
            return "local", url, url
        return self.altinn_environment, None, None

    def _altinn3_vendor(self):
        self.ensure_one()
        vendor = self.env["altinn.maskinporten.client"]._altinn_for_environment(self.altinn_environment)
        if not vendor:
            env_label = dict(self._fields["altinn_environment"]._description_selection(self.env)).get(
                self.altinn_environment, self.altinn_environment
            )
            raise UserError(
                self.env._(
                    "%(company)s: there is no Maskinporten client for the environment %(env)s. A Settings "
                    "administrator must add the system vendor's client (Settings → Altinn 3 → "
                    "Maskinporten client).",
                    company=self.name,
                    env=env_label,
                )
            )
        return vendor

    def _altinn3_build_settings(self, owner_org, level):
        """``Altinn3Settings`` for the system user owned by ``owner_org`` (contains the key: never log it)."""
        self.ensure_one()
        from ..altinn.altinn3 import Altinn3Settings

        if self.altinn_environment == "custom" and not self._altinn_base_url():
            raise UserError(self.env._("Enter the Altinn base URL for the custom environment."))
        vendor = self._altinn3_vendor()
        name, maskinporten_url, platform_url = self._altinn3_environment()
        return Altinn3Settings(
            owner_org=owner_org,
            level=level,
            environment=name,
            maskinporten_url=maskinporten_url,
            platform_url=platform_url,
            timeout=self._altinn_timeout(),
            **vendor._altinn_settings_values(),
        )

    def _altinn3_settings(self):
        """Resolve the system user (Selskap or Klient) and say what is missing as a UserError."""
        self.ensure_one()
        company = self.sudo()
        level, state, firm = company._altinn3_resolve()
        _ = self.env._
        problems = []
        if not company.altinn_org_number:
            problems.append(_("Enter the company's organisation number on its Altinn tab."))
        owner = company.altinn_org_number
        if level == A3_LEVEL_FIRM:
            owner = firm.altinn_firm_org_number
            if not owner:
                problems.append(
                    _(
                        "Enter the organisation number of the accounting firm %(firm)s (contact form, "
                        "Altinn tab).",
                        firm=firm.display_name,
                    )
                )
        if state != "approved":
            if level == A3_LEVEL_FIRM:
                problems.append(
                    _(
                        "The accounting firm %(firm)s has no approved client system user: request it on "
                        "the firm's contact (Altinn tab), have the firm approve the link, then click "
                        '"Check status".',
                        firm=firm.display_name,
                    )
                )
            else:
                problems.append(
                    _(
                        'The company has no approved system user: click "Request system user" on the '
                        'company\'s Altinn tab, have the company approve the link, then click "Check status".'
                    )
                )
        if problems:
            raise UserError("\n".join([f"{self.name}:", *problems]))
        return company._altinn3_build_settings(owner, level)

    def _altinn3_ready(self):
        """True when the scheduled fetch may run for this company (Altinn 3, approved system user)."""
        self.ensure_one()
        return self.altinn_transport == "altinn3" and self._altinn3_resolve()[1] == "approved"

    def _altinn_transport(self):
        """THE SEAM (see res_company.py): an ``Altinn3Transport`` when the company is on Altinn 3."""
        self.ensure_one()
        if self.altinn_transport == "altinn3":
            # mark_seen stays off: the customer's inbox stays as the customer left it.
            return Altinn3Transport(self._altinn3_settings(), mark_seen=False)
        if self.altinn_transport == "upload":
            raise UserError(
                self.env._(
                    '%(company)s receives Altinn documents by file upload only (Altinn tab): use "Upload '
                    'files".',
                    company=self.name,
                )
            )
        return super()._altinn_transport()

    # ------------------------------------------------------------------
    # System-user requests (shared with the accounting firm's contact)
    # ------------------------------------------------------------------
    def _altinn3_check_manager(self):
        if not (self.env.su or self.env.user.has_group("prisolve_altinn.group_altinn_manager")):
            raise AccessError(self.env._("Only Altinn administrators can request or check system users."))

    def _altinn3_request(self, owner_org, agent, title):
        """Create (or get the open) system-user request for ``owner_org``: values to write on the owner."""
        self.ensure_one()
        from ..altinn.altinn3 import make_admin

        level = A3_LEVEL_FIRM if agent else A3_LEVEL_COMPANY
        lang = self.env.lang or "en_US"
        if not owner_org:
            raise UserError(self.env._("Enter the organisation number first."))
        vendor = self._altinn3_vendor()
        admin = None
        try:
            admin = make_admin(self._altinn3_build_settings(owner_org, level))
            try:
                request = admin.request_system_user(
                    owner_org,
                    agent=agent,
                    access_packages=vendor._altinn_packages(agent),
                    redirect_url=(vendor.sudo().redirect_url or "").strip() or None,
                    integration_title=title,
                )
            except altinn_errors.AltinnError as exc:
                if "already exist" not in (exc.detail or "").lower():
                    raise
                # Altinn refuses a request when the system user exists: read its state instead.
                return self._altinn3_status_values(admin.status(owner_org, agent=agent))
        except altinn_errors.AltinnError as exc:
            raise UserError(exc.text(lang)) from None
        finally:
            if admin is not None:
                admin.mp.http.close()
        return {
            "altinn_a3_state": request.state,
            "altinn_a3_confirm_url": request.confirm_url or False,
            "altinn_a3_request_id": request.id,
            "altinn_a3_requested_by": self.env.uid,
        }

    def _altinn3_status(self, owner_org, agent, request_id):
        self.ensure_one()
        from ..altinn.altinn3 import make_admin

        if not owner_org:
            raise UserError(self.env._("Enter the organisation number first."))
        level = A3_LEVEL_FIRM if agent else A3_LEVEL_COMPANY
        admin = None
        try:
            admin = make_admin(self._altinn3_build_settings(owner_org, level))
            status = admin.status(owner_org, agent=agent, request_id=request_id or None)
        except altinn_errors.AltinnError as exc:
            raise UserError(exc.text(self.env.lang or "en_US")) from None
        finally:
            if admin is not None:
                admin.mp.http.close()
        return self._altinn3_status_values(status)

    @api.model
    def _altinn3_status_values(self, status):
        return {
            "altinn_a3_state": status.state if status.state in dict(A3_STATES) else "missing",
            "altinn_a3_confirm_url": status.confirm_url or False,
            "altinn_a3_request_id": status.request_id or False,
            "altinn_a3_system_user_id": status.system_user_id or False,
        }

    def _altinn3_state_notification(self, state, who):
        label = dict(self._fields["altinn_a3_state"]._description_selection(self.env)).get(state, state)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Altinn 3 system user"),
                "message": self.env._("%(who)s: %(state)s", who=who, state=label),
                "type": "success" if state == "approved" else "info",
                "sticky": False,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_altinn3_request_system_user(self):
        """Ask Altinn for the company's own system user; the approval link goes to the company."""
        self.ensure_one()
        self._altinn3_check_manager()
        company = self.sudo()
        values = company._altinn3_request(
            company.altinn_org_number, agent=False, title=self.env._("Odoo – %(name)s", name=company.name)
        )
        company.write(values)
        if not company.altinn_responsible_user_id and not self.env.user.share:
            company.altinn_responsible_user_id = self.env.user
        return self._altinn3_state_notification(company.altinn_a3_state, company.name)

    def action_altinn3_check_status(self):
        self.ensure_one()
        self._altinn3_check_manager()
        company = self.sudo()
        company.write(
            company._altinn3_status(
                company.altinn_org_number, agent=False, request_id=company.altinn_a3_request_id
            )
        )
        return self._altinn3_state_notification(company.altinn_a3_state, company.name)

    # ------------------------------------------------------------------
    # The scheduled fetch
    # ------------------------------------------------------------------
    @api.model
    def _cron_altinn_fetch(self, batch_size=CRON_BATCH_SIZE, min_age_minutes=CRON_MIN_AGE_MINUTES):
        """Fetch every company whose transport needs no person (Altinn 3 with an approved system user).

        Company by company: a failure is recorded on that company (and an activity for its responsible
        user) and the next company goes on. Commits after each company outside tests; reports progress
        so Odoo re-runs the cron at once while companies remain.
        """
        companies = self.sudo().search(
            [("altinn_transport", "=", "altinn3")], order="altinn_a3_last_attempt asc nulls first, id"
        )
        threshold = fields.Datetime.now() - timedelta(minutes=min_age_minutes)
        due = companies.filtered(
            lambda c: (
                c._altinn3_ready() and (not c.altinn_a3_last_attempt or c.altinn_a3_last_attempt <= threshold)
            )
        )
        batch = due[:batch_size]
        new_docs = self.env["altinn.document"].sudo()
        for done, company in enumerate(batch, start=1):
            new_docs |= company._altinn_fetch_unattended()
            if _can_commit():
                # Each company's documents are kept even if a later one is killed.
                self.env.cr.commit()  # pylint: disable=invalid-commit
            self.env["ir.cron"]._notify_progress(done=done, remaining=len(due) - done)
        if not batch:
            self.env["ir.cron"]._notify_progress(done=0, remaining=0)
        if new_docs:
            self._altinn_hand_over(new_docs)
            if _can_commit():
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return new_docs

    def _altinn_fetch_unattended(self):
        """Fetch and record this company since its sync marker; never raises. Returns the new documents."""
        self.ensure_one()
        company = self.sudo().with_company(self)
        now = fields.Datetime.now()
        company.altinn_a3_last_attempt = now
        documents = company.env["altinn.document"].with_context(
            mail_create_nolog=True, mail_create_nosubscribe=True, mail_notrack=True
        )
        reportee = company.altinn_org_number
        since = company.altinn_last_sync or now - timedelta(days=FIRST_FETCH_DAYS)
        errors = []
        new = documents.browse()
        failures = []
        marker = None
        transport = None
        try:
            with self.env.cr.savepoint():
                transport = company._altinn_transport()
                if transport.needs_person:
                    raise UserError(company._altinn_cron_text(company.altinn_a3_effective_state))
                items = transport.fetch(reportee, since, now)
                new, _known, failures = documents._altinn_record_items(company, guarded(items, errors))
                if not errors:
                    marker = transport.sync_marker(reportee)
        except (altinn_errors.AltinnError, UserError) as exc:
            errors.append(exc)
        except Exception as exc:  # a bug for one company must not stop the others
            _logger.warning("Scheduled Altinn fetch of company %s failed", company.id, exc_info=True)
            errors.append(exc)
            new = documents.browse()  # rolled back with the savepoint; the marker did not move
        finally:
            if transport is not None:
                try:
                    transport.close()
                except Exception:
                    _logger.warning("Closing the Altinn transport failed", exc_info=True)
        vals = {}
        if marker:
            vals["altinn_last_sync"] = marker
        if errors:
            company._altinn_record_fetch_error(errors[0], failures)
        else:
            vals.update(altinn_last_fetch=now, altinn_a3_error=False, altinn_a3_error_date=False)
            company._altinn_close_fetch_activities()
        if vals:
            company.write(vals)
        outcome = getattr(errors[0], "code", errors[0].__class__.__name__) if errors else "ok"
        _logger.info(
            "Scheduled Altinn fetch of company %s: %s new, %s failed items, %s",
            company.id,
            len(new),
            len(failures),
            outcome,
        )
        return new

    @api.model
    def _altinn_hand_over(self, documents):
        """Booking: trigger the processing cron when there is one, else process here."""
        cron = self.env.ref(PROCESS_CRON, raise_if_not_found=False)
        if cron and cron.sudo().active:
            cron.sudo()._trigger()
            return
        for company in documents.company_id:
            docs = documents.filtered(lambda d, c=company: d.company_id == c).with_company(company)
            try:
                with self.env.cr.savepoint():
                    docs._altinn_process()
            except Exception as exc:
                _logger.warning("Processing Altinn documents %s failed", docs.ids, exc_info=True)
                docs.write({"state": "failed", "error": error_text(exc, self.env.lang or "en_US")})

    # ------------------------------------------------------------------
    # Failures of the scheduled fetch: on the company, and an activity
    # ------------------------------------------------------------------
    def _altinn_responsible_user(self):
        self.ensure_one()
        company = self.sudo()
        level, _state, firm = company._altinn3_resolve()
        admin = self.env.ref("base.user_admin", raise_if_not_found=False)
        candidates = [
            company.altinn_responsible_user_id,
            company.altinn_a3_requested_by,
            firm.altinn_a3_requested_by if level == A3_LEVEL_FIRM and firm else None,
            admin,
        ]
        for user in candidates:
            if user and user.active and not user.share and company in user.company_ids:
                return user
        return (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("share", "=", False),
                    ("company_ids", "in", company.id),
                    ("groups_id", "in", self.env.ref("prisolve_altinn.group_altinn_manager").id),
                ],
                limit=1,
            )
        )

    def _altinn_fetch_advice(self, error):
        """Who must do what, in one sentence (on top of the error's own text)."""
        self.ensure_one()
        _ = self.env._
        level, _state, firm = self._altinn3_resolve()
        firm_name = firm.display_name if firm else ""
        if isinstance(error, altinn_errors.SystemUserNotApproved):
            if level == A3_LEVEL_FIRM:
                return _(
                    "The accounting firm %(firm)s must approve its client system user again: on the "
                    "firm's contact (Altinn tab) click \"Request system user\" and have the firm's daglig "
                    "leder approve the link.",
                    firm=firm_name,
                )
            return _(
                "The company must approve the system user again: on the company's Altinn tab click \"Request "
                "system user\" and send the approval link to the company's daglig leder."
            )
        if isinstance(error, altinn_errors.ClientNotDelegated):
            return _(
                "The klientadministrator of %(firm)s must add %(company)s (%(org)s) as a client of the "
                "firm's system user in Altinn.",
                firm=firm_name,
                company=self.name,
                org=self.altinn_org_number,
            )
        if isinstance(error, altinn_errors.NoRights):
            return _(
                "The company must give the system the access packages it needs in Altinn (Tilgangsstyring "
                "→ Systemtilganger)."
            )
        if isinstance(
            error,
            (altinn_errors.InvalidClientKey, altinn_errors.ScopeNotGranted, altinn_errors.TokenRejected),
        ):
            return _(
                "A Settings administrator must fix the Maskinporten client (Settings → Altinn 3): key, "
                "key ID, scopes and environment."
            )
        if isinstance(error, altinn_errors.ClockSkew):
            return _("The server administrator must synchronise the server clock (NTP).")
        if isinstance(error, altinn_errors.ServiceUnavailable):
            return _("Nothing was lost and nobody needs to act: the next scheduled run continues.")
        if isinstance(error, UserError):
            return ""
        return _("Nothing was lost: the next scheduled run tries again. If this persists, contact support.")

    def _altinn_record_fetch_error(self, error, failures=()):
        self.ensure_one()
        company = self.sudo()
        user = company._altinn_responsible_user()
        lang = (user.lang if user else None) or self.env.lang or "en_US"
        company_l = company.with_context(lang=lang)
        text = error_text(error, lang)
        advice = company_l._altinn_fetch_advice(error)
        message = "\n".join(part for part in (text, advice) if part)
        now = fields.Datetime.now()
        since = company.altinn_a3_error_date or now
        company.write({"altinn_a3_error": message, "altinn_a3_error_date": since})
        retryable = isinstance(error, altinn_errors.AltinnError) and error.retryable
        if retryable and now - since < TRANSIENT_GRACE:
            return  # Altinn is busy or down: the next run goes on; nobody needs to act yet
        if user:
            company_l._altinn_schedule_activity(user, message, failures)

    def _altinn_schedule_activity(self, user, message, failures=()):
        """One open to-do per company and user (updated, not repeated, while the error lasts)."""
        self.ensure_one()
        _ = self.env._
        partner = self.partner_id.sudo()
        todo = self.env.ref("mail.mail_activity_data_todo")
        lines = [
            _(
                "The scheduled Altinn fetch for %(company)s (%(org)s) failed.",
                company=self.name,
                org=self.altinn_org_number or "-",
            ),
            *message.split("\n"),
        ]
        if failures:
            lines.append(
                _(
                    "%(count)s documents could not be downloaded; they stay in the ledger as failed and "
                    "are fetched again.",
                    count=len(failures),
                )
            )
        note = Markup("<br/>").join(escape(line) for line in lines)
        summary = self._altinn_activity_summary()
        existing = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "=", partner.id),
                    ("activity_type_id", "=", todo.id),
                    ("user_id", "=", user.id),
                    ("summary", "=", summary),
                ],
                limit=1,
            )
        )
        if existing:
            existing.note = note
            return existing
        return partner.activity_schedule(
            act_type_xmlid="mail.mail_activity_data_todo",
            summary=summary,
            note=note,
            user_id=user.id,
        )

    def _altinn_activity_summary(self):
        return self.env._("Altinn: fetch failed")

    def _altinn_close_fetch_activities(self):
        """The fetch works again: the open to-dos about it are done."""
        self.ensure_one()
        # The summary is in the language of whoever got the activity.
        summaries = {
            self.with_context(lang=code)._altinn_activity_summary()
            for code, _name in self.env["res.lang"].get_installed()
        }
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "=", self.partner_id.id),
                    ("activity_type_id", "=", self.env.ref("mail.mail_activity_data_todo").id),
                    ("summary", "in", list(summaries)),
                ]
            )
        )
        if activities:
            activities.action_feedback(feedback=self.env._("The scheduled Altinn fetch works again."))
