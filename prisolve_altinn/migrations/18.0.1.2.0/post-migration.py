# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.2.0, after the update:

- rows recorded before get the references recording keeps now (altinn.document.alias), so a company switched
  from Altinn 2 to Altinn 3 finds the items it already has;
- letters and other documents with nothing to book were "ignored"; they are letters to read. Only the
  documents booking set aside as DOC_OTHER change; those a person ignored by hand stay ignored. No activities
  are made for them: the list's "To read" filter shows them.
"""

import logging

from odoo import SUPERUSER_ID, api

from odoo.addons.prisolve_altinn.services import recording

_logger = logging.getLogger(__name__)

BATCH = 500


def migrate(cr, version):
    if not version:
        return
    _backfill_references(cr)
    cr.execute("UPDATE altinn_document SET state = 'to_read' WHERE state = 'ignored' AND doc_type = 'other'")
    _logger.info("prisolve_altinn: %s letters are now to read", cr.rowcount)


def _backfill_references(cr):
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
        recording.backfill_references(Document.browse(ids[start : start + BATCH]))
        env.invalidate_all()
