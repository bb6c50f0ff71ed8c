# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.2.0, before the update: one view per model and concern (issue 11)."""

# Views that inherited the addon's own views; their content is in the view they inherited now. They go before
# the new parent views are loaded (they would add their content a second time).
OBSOLETE_VIEWS = (
    "view_altinn_document_form_booking",
    "view_altinn_document_list_booking",
    "view_altinn_document_search_booking",
    "view_altinn_document_form_recording",
    "view_altinn_document_search_recording",
    "view_company_form_altinn_booking",
)


def migrate(cr, version):
    if not version:
        return
    _delete_views(cr, OBSOLETE_VIEWS)


def _delete_views(cr, names):
    """Delete the addon's views ``names`` (xmlids without the module) and their xmlids."""
    cr.execute(
        """DELETE FROM ir_ui_view WHERE id IN (
               SELECT res_id FROM ir_model_data
                WHERE module = 'prisolve_altinn' AND model = 'ir.ui.view' AND name IN %s)""",
        [names],
    )
    cr.execute(
        "DELETE FROM ir_model_data WHERE module = 'prisolve_altinn' AND model = 'ir.ui.view' AND name IN %s",
        [names],
    )
