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
        "Altinn 3 reference (correspondence:…), or the content key of one of its document files.",
    )
    kind = fields.Selection(
        [("reference", "Altinn reference"), ("content", "Document file")],
        required=True,
        default="reference",
        help="Altinn reference: a reference Altinn gives the item. Document file: the item holds this "
        "XML/JSON file byte for byte (the reference an upload of the file gets).",
    )
    source = fields.Selection(
        [("altinn2", "Altinn 2"), ("altinn3", "Altinn 3"), ("upload", "Upload")],
        help="The transport whose item brought this reference.",
    )

    _sql_constraints = [
        (
            "reference_company_uniq",
            "unique(company_id, reference)",
            "This reference already belongs to an Altinn document of this company.",
        ),
    ]

    @api.model
    def _altinn_link(self, rows):
        """Give documents their other references: ``rows`` of (document, reference, source transport, kind).
        A reference that is the document's own, or that the company already gives to a document, is left
        alone (one INSERT, conflicts skipped: two items may share a file, two transports may record at once).
        """
        values = {}
        for doc, reference, source, kind in rows:
            if reference and reference != doc.reference:
                values.setdefault((doc.company_id.id, reference), (doc.id, source or None, kind))
        if not values:
            return
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "INSERT INTO altinn_document_alias (document_id, company_id, reference, source, kind, "
                "create_uid, create_date, write_uid, write_date) VALUES %s "
                "ON CONFLICT (company_id, reference) DO NOTHING",
                SQL(", ").join(
                    SQL(
                        "(%s, %s, %s, %s, %s, %s, now() at time zone 'UTC', %s, now() at time zone 'UTC')",
                        doc_id,
                        company_id,
                        reference,
                        source,
                        kind,
                        self.env.uid,
                        self.env.uid,
                    )
                    for (company_id, reference), (doc_id, source, kind) in values.items()
                ),
            )
        )
        self.invalidate_model()
        self.env["altinn.document"].invalidate_model(["alias_ids"])
