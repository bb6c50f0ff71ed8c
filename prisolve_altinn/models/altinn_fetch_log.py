# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Who fetched what, and how it went: one row per company and fetch (wizard, upload or scheduled)."""

from odoo import api, fields, models

from ..services.fetch import TRIGGERS


class AltinnFetchLog(models.Model):
    _name = "altinn.fetch.log"
    _description = "Altinn fetch log"
    _order = "started desc, id desc"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True, ondelete="cascade")
    user_id = fields.Many2one(
        "res.users",
        string="Person",
        readonly=True,
        help="The person who fetched; empty for the scheduled fetch.",
    )
    trigger = fields.Selection(
        list(zip(TRIGGERS, ["Update from Altinn", "Scheduled fetch", "Upload"], strict=True)),
        required=True,
        readonly=True,
    )
    transport = fields.Selection(
        [("altinn3", "Altinn 3"), ("altinn2", "Altinn 2"), ("upload", "Upload")], readonly=True
    )
    started_by = fields.Char(
        string="Started by",
        compute="_compute_started_by",
        help="The person who fetched or uploaded, or the scheduled fetch (nobody).",
    )
    system_user_id = fields.Many2one("altinn.system.user", string="System user", readonly=True)
    started = fields.Datetime(required=True, readonly=True, index=True)
    finished = fields.Datetime(readonly=True)
    new_count = fields.Integer(string="New", readonly=True)
    known_count = fields.Integer(string="Already known", readonly=True)
    failed_count = fields.Integer(string="Failed", readonly=True)
    outcome = fields.Selection(
        [("ok", "OK"), ("warning", "Some items failed"), ("error", "Failed"), ("skipped", "Not tried")],
        required=True,
        readonly=True,
    )
    message = fields.Text(readonly=True)
    synced_until = fields.Datetime(string="Synchronised until", readonly=True)

    @api.depends("user_id", "trigger")
    def _compute_started_by(self):
        for log in self:
            if log.user_id:
                log.started_by = log.user_id.name
            elif log.trigger == "cron":
                log.started_by = self.env._("Scheduled (nobody)")
            else:
                log.started_by = self.env._("System")

    @api.model
    def _altinn_log(self, company, result, message):
        """Record ``result`` (a ``services.fetch.FetchResult``) of ``company``."""
        system_user_id = result.system_user_id
        if system_user_id is None and company.altinn_transport == "altinn3":
            system_user_id = company._altinn_resolve().system_user.id
        user = self.env.user
        return self.sudo().create(
            {
                "company_id": company.id,
                "user_id": False if result.trigger == "cron" or user._is_superuser() else user.id,
                "trigger": result.trigger,
                "transport": "upload" if result.trigger == "upload" else company.altinn_transport,
                "system_user_id": system_user_id or False,
                "started": result.started,
                "finished": result.finished,
                "new_count": len(result.new_ids),
                "known_count": len(result.known_ids),
                "failed_count": len(result.failures),
                "outcome": "skipped" if result.skipped else result.status,
                "message": message or False,
                "synced_until": result.synced_until or False,
            }
        )
