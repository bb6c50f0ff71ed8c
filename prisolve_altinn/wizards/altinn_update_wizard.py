# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The "Update from Altinn" wizard: the fetch service on demand, for one company or several of one firm.

Altinn 3 needs nobody: "Update in Odoo" fetches through the system user. Altinn 2 needs the person: their
fødselsnummer/username and personal password, "Get SMS code", then the code. The new documents are booked
in the background (the booking cron is triggered at once) and the summary shows how far it has come.

Secrets (fødselsnummer/username, personal password, SMS code) are never
stored, not even in this transient table: they are non-stored fields whose
inverse does nothing, so a save drops them. Each button sends them in its
``context`` (evaluated in the browser from what was typed) and the action
takes them out of the context at once (``_altinn_take_credentials``).

How the password typed in step 1 is still there for step 2 (Odoo 18 web client,
``web/static/src/views/form/form_controller.js`` and ``model/relational_model/record.js``):
- a form button first saves the record and, by default, reads it back; the
  read-back would return the recomputed (empty) secrets and erase them from
  the form. The wizard's form uses a small controller
  (``static/src/js/altinn_update_wizard_form.js``) that saves without reading
  back, so the typed values stay in the browser;
- the button context is evaluated after that save, from the form's values;
- "Get SMS code" answers with a ``display_notification`` client action: the
  dialog stays open and is not reloaded;
- "Update in Odoo" re-opens the wizard with the summary: the form is read
  again and the secrets are gone from the browser too. The returned action
  overrides the secret context keys, which the web client would otherwise
  copy from the button context into the next action's context.
"""

import logging
from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.osv import expression

from ..altinn import errors as altinn_errors
from ..altinn.types import UserCredentials
from ..exceptions import MISSING, NOT_NOW, AltinnUserError, altinn_user_error, title_of
from ..models.altinn_document import OUTCOMES
from ..providers import provider_for
from ..providers.base import LEVEL_FIRM
from ..services.handover import hand_over
from ..services.texts import ALTINN_TZ, error_message, in_company_lang, local_time, to_utc_naive, translate

_logger = logging.getLogger(__name__)

SECRET_KEYS = ("altinn_username", "altinn_password", "altinn_pin_code")
DEFAULT_DAYS_BACK = 365


class AltinnUpdateWizard(models.TransientModel):
    _name = "altinn.update.wizard"
    _description = "Update from Altinn"

    state = fields.Selection([("login", "Log in"), ("done", "Done")], default="login", required=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        ondelete="cascade",
        domain="[('id', 'in', allowed_company_ids)]",
    )
    # Read as the user (not as superuser): a company outside the user's companies stays unreadable.
    transport = fields.Selection(
        related="company_id.altinn_transport", string="Altinn connection", compute_sudo=False
    )
    needs_person = fields.Boolean(compute="_compute_needs_person")
    altinn_level = fields.Selection(related="company_id.altinn_level", string="Level", compute_sudo=False)
    access_info = fields.Char(
        related="company_id.altinn_access_info", string="Credentials", compute_sudo=False
    )
    access_ok = fields.Boolean(related="company_id.altinn_access_ok", compute_sudo=False)
    firm_id = fields.Many2one(
        "res.partner", string="Accounting firm", compute="_compute_available_company_ids"
    )
    available_company_ids = fields.Many2many("res.company", compute="_compute_available_company_ids")
    other_company_ids = fields.Many2many(
        "res.company",
        "altinn_update_wizard_other_company_rel",
        "wizard_id",
        "company_id",
        string="Other client companies",
        domain="[('id', 'in', available_company_ids)]",
        help="Client companies of the same accounting firm to update at the same time (with Altinn 2, in "
        "the same SMS session).",
    )
    date_from = fields.Date(
        string="From",
        compute="_compute_date_from",
        store=True,
        precompute=True,
        readonly=False,
        required=True,
    )
    date_to = fields.Date(string="To", default=fields.Date.context_today, required=True)

    # The secrets: never stored (see the module docstring).
    username = fields.Char(
        string="National ID number / username",
        compute="_compute_secrets",
        inverse="_inverse_secrets",
        help="Your fødselsnummer (11 digits) or your Altinn username.",
    )
    password = fields.Char(
        string="Personal password",
        compute="_compute_secrets",
        inverse="_inverse_secrets",
        help="Your personal Altinn password (Min profil → Avanserte innstillinger).",
    )
    pin_code = fields.Char(
        string="SMS code",
        compute="_compute_secrets",
        inverse="_inverse_secrets",
        help="The one-time code Altinn sent to your mobile phone.",
    )

    pin_message = fields.Char(string="Altinn's answer", readonly=True)
    pin_valid_to = fields.Datetime(string="SMS code valid until", readonly=True)
    # Not a secret: how many SMS codes this dialog asked for (Altinn voids the earlier ones).
    pin_request_count = fields.Integer(string="SMS codes requested", readonly=True)
    line_ids = fields.One2many("altinn.update.wizard.line", "wizard_id", string="Result", readonly=True)
    document_ids = fields.Many2many(
        "altinn.document",
        "altinn_update_wizard_document_rel",
        "wizard_id",
        "document_id",
        string="New documents",
        readonly=True,
    )
    failed_document_ids = fields.Many2many(
        "altinn.document",
        "altinn_update_wizard_failed_document_rel",
        "wizard_id",
        "document_id",
        string="Not downloaded",
        readonly=True,
        help="Items Altinn listed but that could not be downloaded; the next update tries again.",
    )
    summary = fields.Text(compute="_compute_summary")
    # The outcome of the new documents, each a clickable count (action_open_documents).
    imported_count = fields.Integer(string="Imported", compute="_compute_summary")
    duplicate_count = fields.Integer(string="Duplicates", compute="_compute_summary")
    letter_count = fields.Integer(string="Letters to read", compute="_compute_summary")
    failed_count = fields.Integer(string="Failed", compute="_compute_summary")
    waiting_count = fields.Integer(string="Waiting", compute="_compute_summary")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    def _compute_secrets(self):
        for wizard in self:
            wizard.username = wizard.password = wizard.pin_code = False

    def _inverse_secrets(self):
        """Deliberately nothing: the values reach the actions through the button context only."""

    @api.depends("company_id", "company_id.altinn_transport")
    def _compute_needs_person(self):
        for wizard in self:
            wizard.needs_person = bool(wizard.company_id) and provider_for(wizard.company_id).needs_person

    @api.depends("company_id")
    def _compute_available_company_ids(self):
        acting = self.env["res.company"]._altinn_acting_companies()
        for wizard in self:
            company = wizard.company_id
            # _altinn_resolve reads as superuser: only for a company the user works in.
            access = company._altinn_resolve() if company and company in acting else None
            if not access or access.level != LEVEL_FIRM:
                wizard.firm_id = False
                wizard.available_company_ids = False
                continue
            wizard.firm_id = access.firm
            key = company._altinn_session_key()
            # Active companies only: the record rules work on them. The same credentials serve them all.
            wizard.available_company_ids = self.env.companies.filtered(
                lambda c, company=company, key=key: c != company and c._altinn_session_key() == key
            )

    @api.depends("company_id")
    def _compute_date_from(self):
        today = fields.Date.context_today(self)
        acting = self.env["res.company"]._altinn_acting_companies()
        for wizard in self:
            company = wizard.company_id
            synced = company.sudo().altinn_synced_until if company and company in acting else False
            # One day of overlap: fetching a known item again adds nothing.
            wizard.date_from = (
                (synced.date() - timedelta(days=1)) if synced else today - timedelta(days=DEFAULT_DAYS_BACK)
            )

    @api.onchange("company_id")
    def _onchange_company_id(self):
        self.other_company_ids = False

    @api.depends("state", "line_ids", "document_ids.state", "failed_document_ids.state")
    def _compute_summary(self):
        for wizard in self:
            # Written for the company's accountants, whoever runs the wizard.
            wizard_l = in_company_lang(wizard) if wizard.company_id else wizard
            documents = wizard_l.document_ids
            counts = documents._altinn_outcome()
            failed_fetch = wizard.failed_document_ids.filtered(lambda d: d.state == "failed")
            wizard.imported_count = counts["imported"]
            wizard.duplicate_count = counts["duplicate"]
            wizard.letter_count = counts["letter"]
            wizard.failed_count = counts["failed"] + len(failed_fetch - documents)
            wizard.waiting_count = counts["waiting"]
            wizard.summary = wizard_l._altinn_summary_text(counts) if wizard.state == "done" else False

    def _altinn_summary_text(self, counts):
        """What the update did, in the context's language: what came from Altinn, then how far booking is."""
        _ = self.env._
        lines = self.line_ids
        new, known = sum(lines.mapped("new_count")), sum(lines.mapped("known_count"))
        not_downloaded = sum(lines.mapped("failed_count"))
        if new or not_downloaded:
            fetched = _(
                "From Altinn: new %(new)s, already in Odoo %(known)s, not downloaded %(failed)s.",
                new=new,
                known=known,
                failed=not_downloaded,
            )
        elif known:
            fetched = _(
                "Nothing new in Altinn: the %(known)s documents of the period are already in Odoo.",
                known=known,
            )
        else:
            fetched = _("Nothing new in Altinn for the period.")
        documents = self.document_ids
        if not documents:
            return fetched
        if counts["waiting"]:
            progress = _(
                "Booking runs in the background: %(waiting)s of %(total)s documents still waiting.",
                waiting=counts["waiting"],
                total=len(documents),
            )
        else:
            progress = documents._altinn_booking_done()
        return f"{fetched}\n{progress}"

    # ------------------------------------------------------------------
    # Secrets
    # ------------------------------------------------------------------
    def _altinn_take_credentials(self):
        """Take the secrets out of the context: returns (wizard without them, UserCredentials)."""
        ctx = self.env.context
        credentials = UserCredentials(
            username=(ctx.get("altinn_username") or "").strip(),
            password=ctx.get("altinn_password") or "",
            pin_code=(ctx.get("altinn_pin_code") or "").strip(),
        )
        # Replace the whole context (a keyword merge would keep the secrets).
        clean = self.with_context(  # pylint: disable=context-overridden
            {key: value for key, value in ctx.items() if key not in SECRET_KEYS}
        )
        return clean, credentials

    def _altinn_require(self, credentials, pin=False):
        if not self.needs_person:
            return  # Altinn 3: nobody types anything
        missing = []
        if not credentials.username:
            missing.append(self.env._("National ID number / username"))
        if not credentials.password:
            missing.append(self.env._("Personal password"))
        if pin and not credentials.pin_code:
            missing.append(self.env._("SMS code"))
        if missing:
            hint = ""
            if pin and credentials.username and credentials.password:
                hint = (
                    self.env._('Type the code from the SMS Altinn sent you, then click "Update in Odoo".')
                    if self.pin_request_count
                    else self.env._('Click "Get SMS code" first, then type the code you receive.')
                )
            raise AltinnUserError(
                self.env._("Please fill in: %(fields)s.", fields=", ".join(missing))
                + (f"\n{hint}" if hint else ""),
                title=title_of(self.env, MISSING),
            )

    def _lang(self):
        return self.env.lang or "en_US"

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------
    def _altinn_companies(self):
        self.ensure_one()
        # sudo to read them at all: the check below refuses those outside the company switcher.
        return (self.company_id | self.sudo().other_company_ids).with_env(self.env)

    def _altinn_check_companies(self):
        self.ensure_one()
        if self.date_from > self.date_to:
            raise AltinnUserError(
                self.env._("The start date must be before the end date."), title=title_of(self.env, MISSING)
            )
        companies = self._altinn_companies()
        # A company the user has no access to at all is refused without naming it.
        (companies - self.env.user.company_ids)._altinn_check_company_access()
        inactive = companies - self.env.companies
        if inactive:
            raise AltinnUserError(
                self.env._(
                    "Select %(companies)s in the company switcher (top right) before updating.",
                    companies=", ".join(inactive.mapped("name")),
                ),
                title=title_of(self.env, NOT_NOW),
            )
        key = self.company_id._altinn_session_key()
        for company in companies:
            company._altinn_check_settings()  # says what is missing
            if company._altinn_session_key() != key:
                raise AltinnUserError(
                    self.env._(
                        "%(company)s does not use the same Altinn credentials as %(main)s, so it cannot be "
                        "updated together with it.",
                        company=company.name,
                        main=self.company_id.name,
                    ),
                    title=title_of(self.env, NOT_NOW),
                )

    # ------------------------------------------------------------------
    # Step 1 (Altinn 2 only): the SMS code
    # ------------------------------------------------------------------
    def action_request_pin(self):
        self.ensure_one()
        wizard, credentials = self._altinn_take_credentials()
        return in_company_lang(wizard)._altinn_request_pin(credentials)

    def _altinn_request_pin(self, credentials):
        # Imported here: zeep and the WSDL files are only needed for Altinn 2.
        from ..altinn.soap.transport import EARLIER_CODE_VOID

        if not self.needs_person:
            raise AltinnUserError(
                self.env._('No SMS code is needed with Altinn 3: click "Update in Odoo".'),
                title=title_of(self.env, NOT_NOW),
            )
        self._altinn_require(credentials)
        self._altinn_check_companies()
        with self.company_id._altinn_transport() as transport:
            try:
                challenge = transport.request_pin(credentials)
            except altinn_errors.AltinnError as exc:
                raise altinn_user_error(self.env, exc, error_message(exc, self._lang())) from None
        if challenge.status != "Ok":
            error = (
                altinn_errors.NoPhoneNumber(altinn_message=challenge.message)
                if challenge.status == "NoPhoneNumber"
                else altinn_errors.AltinnError(altinn_message=challenge.message or challenge.status)
            )
            raise altinn_user_error(self.env, error, error_message(error, self._lang()))
        self.write(
            {
                "pin_message": challenge.message,
                "pin_valid_to": to_utc_naive(challenge.valid_to),
                "pin_request_count": self.pin_request_count + 1,
            }
        )
        if self.pin_valid_to:
            until = local_time(self.env, self.pin_valid_to, self._lang())
            validity = self.env._("The SMS code session is valid until %(time)s.", time=until)
        else:
            validity = ""
        message = " ".join(
            part
            for part in (
                # Altinn's text may lack a full stop; the sentences that follow need one.
                self.env._("Altinn: %(message)s", message=challenge.message.rstrip(" .") + ".")
                if challenge.message
                else "",
                # Asking again starts a new session: only the newest code works.
                translate(EARLIER_CODE_VOID, self._lang()) if self.pin_request_count > 1 else "",
                validity,
                self.env._('Type the code you receive and click "Update in Odoo".'),
            )
            if part
        )
        # A client action (not a window action): the dialog stays open and keeps what was typed.
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("SMS code requested"),
                "message": message,
                "type": "success",
                "sticky": True,
            },
        }

    # ------------------------------------------------------------------
    # Step 2: fetch and record (the fetch service), then booking in the background
    # ------------------------------------------------------------------
    def action_update(self):
        self.ensure_one()
        wizard, credentials = self._altinn_take_credentials()
        return in_company_lang(wizard)._altinn_update(credentials)

    def _altinn_update(self, credentials):
        self._altinn_require(credentials, pin=True)
        self._altinn_check_companies()
        since = datetime.combine(self.date_from, time.min, tzinfo=ALTINN_TZ)
        until = datetime.combine(self.date_to, time.max, tzinfo=ALTINN_TZ)
        results = self._altinn_companies()._altinn_fetch(
            since=since,
            until=until,
            credentials=credentials if self.needs_person else None,
            trigger="wizard",
        )
        if self.pin_request_count > 1:
            # The transport of this call asked for no code; this dialog asked for several, so Altinn voided
            # all but the newest.
            for result in results:
                if isinstance(result.error, altinn_errors.WrongPinCode):
                    result.error.earlier_code_void = True
        if all(r.error is not None and not (r.new_ids or r.known_ids or r.failures) for r in results):
            # Nothing happened: keep the form (and what was typed) open with the reasons.
            raise altinn_user_error(
                self.env,
                results[0].error,
                "\n\n".join(
                    f"{self.env['res.company'].browse(r.company_id).name}: {self._altinn_reasons(r)}"
                    for r in results
                ),
            )
        new_docs = self.env["altinn.document"].browse([doc_id for r in results for doc_id in r.new_ids])
        hand_over(new_docs, inline=bool(self.env.context.get("altinn_process_now")))
        self.write(
            {
                "state": "done",
                "line_ids": [fields.Command.clear()]
                + [fields.Command.create(self._altinn_line_vals(r)) for r in results],
                "document_ids": [fields.Command.set(new_docs.ids)],
                "failed_document_ids": [fields.Command.set(self._altinn_failed_documents(results).ids)],
            }
        )
        if new_docs:
            title = self.env._("Fetched from Altinn")
            message = self.env._("%(count)s new documents fetched.", count=len(new_docs))
        else:
            title = self.env._("Nothing new")
            message = self.env._("Altinn has nothing new for the period.")
        return self._altinn_notify(title, message, self._altinn_reopen(), "success" if new_docs else "info")

    def _altinn_failed_documents(self, results):
        """The ledger rows of the items that could not be downloaded (state failed, retried next time)."""
        domains = [
            [("company_id", "=", r.company_id), ("reference", "in", [f.reference for f in r.failures])]
            for r in results
            if r.failures
        ]
        if not domains:
            return self.env["altinn.document"]
        return self.env["altinn.document"].search(expression.OR(domains))

    def _altinn_notify(self, title, message, next_action, kind="success"):
        """A notification, then ``next_action`` (the dialog again, with the summary)."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"title": title, "message": message, "type": kind, "next": next_action},
        }

    def _altinn_reasons(self, result):
        lang = self._lang()
        reasons = [
            self.env._(
                "%(title)s (%(reference)s): %(reason)s",
                title=f.title or f.reference,
                reference=f.reference,
                reason=error_message(f.error, lang),
            )
            for f in result.failures
        ]
        if result.error is not None:
            reason = error_message(result.error, lang)
            if result.skipped:
                reason = self.env._("Not updated: %(reason)s", reason=reason)
            reasons.insert(0, reason)
        return "\n".join(reasons)

    def _altinn_line_vals(self, result):
        return {
            "company_id": result.company_id,
            "new_count": len(result.new_ids),
            "known_count": len(result.known_ids),
            "failed_count": len(result.failures),
            "status": result.status,
            "message": self._altinn_reasons(result) or False,
        }

    # ------------------------------------------------------------------
    # Navigation
    # ------------------------------------------------------------------
    def _altinn_reopen(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Update from Altinn"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            # The web client copies the button context (with the secrets) into
            # the next action's context unless the action overrides the keys.
            "context": dict.fromkeys(SECRET_KEYS, False),
        }

    def action_open_documents(self):
        """The new documents; with ``altinn_outcome`` in the context (a clickable count of the summary),
        those of that outcome only (see ``altinn.document`` OUTCOMES)."""
        self.ensure_one()
        documents = self.document_ids
        outcome = self.env.context.get("altinn_outcome")
        if outcome == "failed":
            documents = (documents | self.failed_document_ids).filtered(lambda d: d.state == "failed")
        elif outcome in OUTCOMES:
            documents = documents.filtered(lambda d: d.state in OUTCOMES[outcome])
        action = self.env["ir.actions.act_window"]._for_xml_id("prisolve_altinn.action_altinn_document")
        action["domain"] = [("id", "in", documents.ids)]
        action["context"] = {"create": False, **dict.fromkeys(SECRET_KEYS, False)}
        if outcome == "duplicate":
            # Duplicates say which entries already hold them.
            duplicates = self.env.ref("prisolve_altinn.view_altinn_document_list_duplicates")
            action["views"] = [(duplicates.id, "list"), (False, "form")]
        return action

    def action_altinn_refresh(self):
        """Show how far the background booking has come."""
        self.ensure_one()
        wizard = in_company_lang(self)
        _ = wizard.env._
        waiting = wizard.waiting_count
        if waiting:
            message = _("%(waiting)s documents are still waiting for the booking.", waiting=waiting)
        else:
            message = wizard.document_ids._altinn_booking_done()
        return wizard._altinn_notify(_("Booking status"), message, wizard._altinn_reopen(), "info")


class AltinnUpdateWizardLine(models.TransientModel):
    _name = "altinn.update.wizard.line"
    _description = "Update from Altinn: result per company"
    _order = "id"

    wizard_id = fields.Many2one("altinn.update.wizard", required=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    new_count = fields.Integer(string="New")
    known_count = fields.Integer(string="Already in Odoo")
    failed_count = fields.Integer(string="Not downloaded")
    status = fields.Selection([("ok", "OK"), ("warning", "Warning"), ("error", "Error")], default="ok")
    message = fields.Text(string="Reasons")
