# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Other references of one ledger row: the same Altinn item seen through another transport.

Altinn keeps the Altinn 2 id of what it migrated to Altinn 3 (Correspondence ``altinn2CorrespondenceId``,
Storage ``A2ArchRef``); the Altinn 3 transport hands them over as ``AltinnItem.aliases`` (``C<id>``,
``AR<id>``), the Altinn 2 transport an archived item's ``ArchiveReference``. Recording keeps them here, one
row per reference, unique per company, so a company switched from Altinn 2 to Altinn 3 (or back) finds each
item once, by one indexed lookup, whatever reference it arrives with.
"""

from odoo import api, fields, models
from odoo.tools import SQL


class AltinnDocumentAlias(models.Model):
    _name = "altinn.document.alias"
    _description = "Altinn document: other reference"
    _order = "id"
    _check_company_auto = True

    document_id = fields.Many2one(
        "altinn.document", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True, ondelete="cascade")
    reference = fields.Char(
        required=True,
        help="Another reference of the same Altinn item, e.g. its Altinn 2 reference (C…, AR…) or its "
        "Altinn 3 reference (correspondence:…).",
    )

    _sql_constraints = [
        (
            "reference_company_uniq",
            "unique(company_id, reference)",
            "This reference already belongs to an Altinn document of this company.",
        ),
    ]

    @api.model
    def _altinn_link(self, pairs):
        """Give documents their other references: ``pairs`` of (document, reference). A reference that
        is the document's own, or that the company already gives to a document, is left alone (one INSERT,
        conflicts skipped: two transports may record at the same time)."""
        rows = {
            (doc.company_id.id, reference): doc.id
            for doc, reference in pairs
            if reference and reference != doc.reference
        }
        if not rows:
            return
        self.env.flush_all()
        values = SQL(", ").join(
            SQL(
                "(%s, %s, %s, %s, now() at time zone 'UTC', %s, now() at time zone 'UTC')",
                doc_id,
                company_id,
                reference,
                self.env.uid,
                self.env.uid,
            )
            for (company_id, reference), doc_id in rows.items()
        )
        self.env.cr.execute(
            SQL(
                "INSERT INTO altinn_document_alias "
                "(document_id, company_id, reference, create_uid, create_date, write_uid, write_date) "
                "VALUES %s ON CONFLICT (company_id, reference) DO NOTHING",
                values,
            )
        )
        self.invalidate_model()
        self.env["altinn.document"].invalidate_model(["alias_ids"])
