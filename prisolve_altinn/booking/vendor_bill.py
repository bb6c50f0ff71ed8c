# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A letter that is an invoice: one draft vendor bill with the letter's files, made once."""

from markupsafe import Markup

from ..exceptions import SETUP, AltinnUserError, title_of
from ..services import failures


def vendor_bill(doc):
    """The vendor bill of ``doc`` (an Altinn letter), made the first time it is asked for."""
    doc.ensure_one()
    bill = doc.bill_ids[:1]
    if bill:
        return bill
    company = doc.company_id
    env = doc.env
    Journal = env["account.journal"]
    journal = Journal.search([*Journal._check_company_domain(company), ("type", "=", "purchase")], limit=1)
    if not journal:
        raise AltinnUserError(
            env._("%(company)s has no purchase journal.", company=company.display_name),
            title=title_of(env, SETUP),
        )
    partner = env["res.partner"]
    if doc.sender:
        partner = partner.search(
            [
                ("name", "=ilike", doc.sender),
                ("is_company", "=", True),
                "|",
                ("company_id", "=", False),
                ("company_id", "=", company.id),
            ],
            limit=1,
        )
    bill = (
        env["account.move"]
        .with_company(company)
        .create(
            {
                "move_type": "in_invoice",
                "company_id": company.id,
                "journal_id": journal.id,
                "partner_id": partner.id or False,
                "ref": doc.title or doc.reference,
                "altinn_document_id": doc.id,
                "narration": Markup("<p>%s</p>")
                % env._(
                    'Made from Altinn item %(reference)s "%(title)s".',
                    reference=doc.reference,
                    title=doc.title or "",
                ),
            }
        )
    )
    copies = copy_files(doc, bill)
    pdf = copies.filtered(lambda a: a.mimetype == "application/pdf")[:1]
    if pdf and "message_main_attachment_id" in bill._fields:
        bill.message_main_attachment_id = pdf
    vals = {"move_id": bill.id}
    if doc.state in ("ignored", "to_read", "read"):
        vals["state"] = "imported"
    doc.write(vals)
    failures.resolve(doc, failures.LETTER, env._("Made into a vendor bill."))
    return bill


def copy_files(doc, record):
    """Copy the document's files (not Altinn's own description) onto ``record``."""
    attachments = doc.attachment_ids.filtered(lambda a: a != doc.raw_attachment_id).sorted("id")
    copies = doc.env["ir.attachment"]
    for attachment in attachments:
        copies |= attachment.sudo().copy({"res_model": record._name, "res_id": record.id})
    return copies.sudo(False)
