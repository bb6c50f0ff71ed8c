# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Upload Skatteetaten/Altinn files by hand: the always-available way in, without Altinn credentials."""

import base64
import binascii
import io
import logging
import mimetypes
import zipfile

from odoo import fields, models
from odoo.exceptions import UserError

from ..altinn.parsers import ParseError, parse_files
from ..altinn.types import ROLE_ATTACHMENT, AltinnFile
from ..providers import PROVIDERS
from ..services.handover import hand_over
from ..services.texts import error_message

_logger = logging.getLogger(__name__)

MAX_FILES = 200
MAX_TOTAL_BYTES = 50 * 1024 * 1024  # unpacked: a zip bomb stops here
_TYPES = {".xml": "application/xml", ".json": "application/json", ".pdf": "application/pdf"}


def _sniff(name, data):
    """The mimetype of an accepted file (XML, JSON, PDF), else None."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:5]
    if head.startswith(b"%PDF"):
        return "application/pdf"
    if head.startswith(b"<"):
        return "application/xml"
    if head[:1] in (b"{", b"["):
        return "application/json"
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix in _TYPES:  # declared type with odd content: the parsers say what is wrong with it
        return _TYPES[suffix]
    if data[:2] == b"\xff\xfe" or data[:2] == b"\xfe\xff":  # UTF-16 XML/JSON
        return mimetypes.guess_type(name)[0] or "application/xml"
    return None


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
            raise UserError(self.env._("The uploaded file could not be decoded.")) from None
        name = self.filename or "upload"
        if not data:
            raise UserError(self.env._("The file %(name)s is empty.", name=name))
        if data[:4] == b"PK\x03\x04" or name.lower().endswith(".zip"):
            return self._altinn_unzip(name, data)
        mimetype = _sniff(name, data)
        if not mimetype:
            raise UserError(self.env._("%(name)s is not an XML, JSON, PDF or zip file.", name=name))
        return [AltinnFile(name=name, mimetype=mimetype, data=data, role=ROLE_ATTACHMENT)]

    def _altinn_unzip(self, name, data):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            raise UserError(self.env._("%(name)s is not a valid zip file.", name=name)) from None
        members = [
            info
            for info in archive.infolist()
            if not info.is_dir()
            and not info.filename.startswith("__MACOSX/")
            and not info.filename.split("/")[-1].startswith(".")
        ]
        if len(members) > MAX_FILES:
            raise UserError(self.env._("%(name)s holds more than %(max)s files.", name=name, max=MAX_FILES))
        if sum(info.file_size for info in members) > MAX_TOTAL_BYTES:
            raise UserError(self.env._("%(name)s is too large when unpacked.", name=name))
        files, skipped = [], []
        total = 0
        for info in members:
            member_name = info.filename.split("/")[-1]
            try:
                content = archive.read(info)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError):
                raise UserError(
                    self.env._(
                        "%(member)s in %(name)s cannot be unpacked (damaged or encrypted).",
                        member=info.filename,
                        name=name,
                    )
                ) from None
            total += len(content)
            if total > MAX_TOTAL_BYTES:
                raise UserError(self.env._("%(name)s is too large when unpacked.", name=name))
            mimetype = _sniff(member_name, content) if content.strip() else None
            if not mimetype:
                skipped.append(info.filename)
                continue
            files.append(AltinnFile(name=member_name, mimetype=mimetype, data=content, role=ROLE_ATTACHMENT))
        if not files:
            raise UserError(self.env._("%(name)s holds no XML, JSON or PDF file.", name=name))
        if skipped:
            _logger.info("Upload %s: skipped %s", name, ", ".join(skipped))
        return files

    def _altinn_check_owner(self, files):
        """Refuse files addressed to another organisation than the chosen company."""
        company = self.company_id
        own = company.altinn_org_number
        for file in files:
            try:
                parsed = parse_files([file])
            except ParseError:
                continue  # recorded anyway: the pipeline marks it failed with the reason
            orgs = {d.org_number for d in [parsed, *parsed.related] if d.org_number}
            for org in orgs:
                if org == own:
                    continue
                other = self.env["res.company"].sudo().search([("altinn_org_number", "=", org)], limit=1)
                if other:
                    raise UserError(
                        self.env._(
                            "%(file)s belongs to %(other)s (organisation %(org)s), not to %(company)s. "
                            "Upload it in that company.",
                            file=file.name,
                            other=other.name,
                            org=org,
                            company=company.name,
                        )
                    )
                if not own:
                    raise UserError(
                        self.env._(
                            "%(file)s is for organisation %(org)s, but %(company)s has no organisation "
                            "number. Enter it on the company's Altinn tab first.",
                            file=file.name,
                            org=org,
                            company=company.name,
                        )
                    )
                raise UserError(
                    self.env._(
                        "%(file)s is for organisation %(org)s, not for %(company)s (%(own)s).",
                        file=file.name,
                        org=org,
                        company=company.name,
                        own=own,
                    )
                )

    # ------------------------------------------------------------------
    # Action
    # ------------------------------------------------------------------
    def action_import(self):
        self.ensure_one()
        company = self.company_id
        company._altinn_check_company_access()
        files = self._altinn_upload_files()
        self._altinn_check_owner(files)
        transport = PROVIDERS["upload"].transport(company, files)
        result = company._altinn_fetch(transport=transport, trigger="upload")[0]
        if result.error is not None:
            raise UserError(error_message(result.error, self.env.lang or "en_US"))
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
