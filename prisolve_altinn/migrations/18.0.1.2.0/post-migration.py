# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.2.0: letters and other documents with nothing to book were "ignored"; they are letters to read.

Only the documents booking set aside as DOC_OTHER change; those a person ignored by hand stay ignored. No
activities are made for them: the list's "To read" filter shows them.
"""

import logging

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    cr.execute("UPDATE altinn_document SET state = 'to_read' WHERE state = 'ignored' AND doc_type = 'other'")
    _logger.info("prisolve_altinn: %s letters are now to read", cr.rowcount)
