# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Notes on the addon's records (documents, system users, the Maskinporten client, the firm's contact).

``message_post`` refuses a user without an email address ("configure the sender's email address"): a
booking, an upload or a system-user request by such a user would fail for a note. The note keeps the user
as its author and takes the sender address the way Odoo's own notifications do when the author has none:
the company's, else OdooBot's.
"""


def post_note(record, body, **kwargs):
    """``record.message_post(body=…)`` that works for a user without an email address."""
    env = record.env
    author = kwargs.get("author_id")
    author = env["res.partner"].browse(author) if author else env.user.partner_id
    if not author.sudo().email and "email_from" not in kwargs:
        company = record.company_id if "company_id" in record._fields and record.company_id else env.company
        email_from = company.sudo().email_formatted or env.ref("base.partner_root").sudo().email_formatted
        if email_from:
            kwargs.update(author_id=author.id, email_from=email_from)
        else:
            kwargs.update(author_id=env.ref("base.partner_root").id)
    return record.message_post(body=body, **kwargs)
