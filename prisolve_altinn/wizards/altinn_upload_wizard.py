# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Upload Skatteetaten/Altinn files by hand: the always-available way in, without Altinn credentials."""

import base64
import binascii
import logging

from odoo import fields, models

from ..altinn.errors import UploadRefused
from ..altinn.parsers import ParseError, parse_files
from ..altinn.upload import upload_files
from ..exceptions import UPLOAD, AltinnUserError, altinn_user_error, title_of
from ..providers import PROVIDERS
from ..services.handover import hand_over
from ..services.texts import company_lang, error_message, render, translate

_logger = logging.getLogger(__name__)


class AltinnUploadWizard(models.TransientModel):
    _name = "altinn.upload.wizard"
    _description = "Upload Altinn files"

    # Only the companies of the company switcher: the wizard (and the documents) must be in one of them.
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        ondelete="cascade",
        domain="[('id', 'in', allowed_company_ids)]",
    )
    file = fields.Binary(required=True, attachment=False, help="XML, JSON or PDF, or a zip of such files.")
    filename = fields.Char()
    process_now = fields.Boolean(
        string="Book at once",
        default=True,
        help="Parse and book the files now; otherwise the processing job books them later.",
    )

    # ------------------------------------------------------------------
    # Files
    # ------------------------------------------------------------------
    def _altinn_upload_files(self):
        """The uploaded file, or the members of an uploaded zip, as ``AltinnFile`` objects."""
        self.ensure_one()
        try:
            data = base64.b64decode(self.file or b"", validate=False)
        except (binascii.Error, ValueError):
            raise AltinnUserError(
                self.env._("The uploaded file could not be decoded."), title=title_of(self.env, UPLOAD)
            ) from None
        try:
            return upload_files(self.filename, data)
        except UploadRefused as exc:
            _logger.info("Upload %s refused: %s", self.filename, exc)
            lang = self.env.lang or "en_US"
            message = (
                exc.text(lambda source: translate(source, lang)),
                exc.details_text(lambda s: translate(s, lang)),
            )
            raise AltinnUserError(
                "\n".join(part for part in message if part), title=title_of(self.env, UPLOAD)
            ) from None

    def _altinn_check_owner(self, files):
        """Refuse files addressed to another organisation than the chosen company.

        Returns the files the parsers refuse, as ``[(file, ParseError)]``: they are recorded anyway (the
        booking marks them failed with the reason) and the fetch log counts them as failed."""
        company = self.company_id
        own = company.altinn_org_number
        refused = []
        for file in files:
            try:
                parsed = parse_files([file])
            except ParseError as exc:
                refused.append((file, exc))
                continue
            orgs = {d.org_number for d in [parsed, *parsed.related] if d.org_number}
            for org in orgs:
                if org == own:
                    continue
                other = self.env["res.company"].sudo().search([("altinn_org_number", "=", org)], limit=1)
                if other:
                    raise AltinnUserError(
                        self.env._(
                            "%(file)s belongs to %(other)s (organisation %(org)s), not to %(company)s. "
                            "Upload it in that company.",
                            file=file.name,
                            other=other.name,
                            org=org,
                            company=company.name,
                        ),
                        title=title_of(self.env, UPLOAD),
                    )
                if not own:
                    raise AltinnUserError(
                        self.env._(
                            "%(file)s is for organisation %(org)s, but %(company)s has no organisation "
                            "number. Enter it on the company's Altinn tab first.",
                            file=file.name,
                            org=org,
                            company=company.name,
                        ),
                        title=title_of(self.env, UPLOAD),
                    )
                raise AltinnUserError(
                    self.env._(
                        "%(file)s is for organisation %(org)s, not for %(company)s (%(own)s).",
                        file=file.name,
                        org=org,
                        company=company.name,
                        own=own,
                    ),
                    title=title_of(self.env, UPLOAD),
                )
        return refused

    def _altinn_log_refused(self, result, files, refused):
        """Count the files the parsers refuse as failed in this upload's fetch log line, with the reason
        (and the parser's own words for support) in its message."""
        if not refused:
            return
        log = (
            self.env["altinn.fetch.log"]
            .sudo()
            .search(
                [
                    ("company_id", "=", result.company_id),
                    ("trigger", "=", "upload"),
                    ("started", "=", result.started),
                ],
                order="id desc",
                limit=1,
            )
        )
        if not log:
            return
        lang = company_lang(self.company_id)
        lines = [render(self.env, exc.message, lang) for _file, exc in refused]
        log.write(
            {
                "failed_count": log.failed_count + len(refused),
                "outcome": "error" if len(refused) == len(files) else "warning",
                "message": "\n".join(filter(None, [log.message or "", *lines])),
            }
        )

    # ------------------------------------------------------------------
    # Action
    # ------------------------------------------------------------------
    def action_import(self):
        self.ensure_one()
        company = self.company_id
        company._altinn_check_company_access()
        files = self._altinn_upload_files()
        refused = self._altinn_check_owner(files)
        transport = PROVIDERS["upload"].transport(company, files)
        result = company._altinn_fetch(transport=transport, trigger="upload")[0]
        if result.error is not None:
            raise altinn_user_error(
                self.env, result.error, error_message(result.error, self.env.lang or "en_US")
            )
        self._altinn_log_refused(result, files, refused)
        if result.failures:
            _logger.info("Upload %s: %s file(s) could not be recorded", self.filename, len(result.failures))
        Document = self.env["altinn.document"].with_company(company)
        new = Document.browse(result.new_ids)
        hand_over(new, inline=self.process_now)
        documents = new | Document.browse(result.known_ids)
        for failure in result.failures:
            documents |= Document.search(
                [("company_id", "=", company.id), ("reference", "=", failure.reference)], limit=1
            )
        action = {
            "type": "ir.actions.act_window",
            "name": self.env._("Uploaded Altinn documents"),
            "res_model": "altinn.document",
            "context": {"create": False},
        }
        if len(documents) == 1:
            action.update(view_mode="form", res_id=documents.id, views=[(False, "form")])
        else:
            action.update(
                view_mode="list,form",
                domain=[("id", "in", documents.ids)],
                views=[(False, "list"), (False, "form")],
            )
        return action
