# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.2.0: rows recorded before get the references recording keeps now (altinn.document.alias), so a
company switched from Altinn 2 to Altinn 3 finds the items it already has."""

from odoo import SUPERUSER_ID, api

BATCH = 500


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    cr.execute(
        """SELECT id FROM altinn_document doc
            WHERE transport IN ('altinn2', 'altinn3')
              AND NOT EXISTS (SELECT 1 FROM altinn_document_alias alias WHERE alias.document_id = doc.id)
            ORDER BY id"""
    )
    ids = [row[0] for row in cr.fetchall()]
    Document = env["altinn.document"].with_context(active_test=False)
    for start in range(0, len(ids), BATCH):
        Document.browse(ids[start : start + BATCH])._altinn_backfill_references()
        env.invalidate_all()
