# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.1.0 renames: one name for the accounting firm and for the fetch's state (data kept)."""

from odoo.tools import sql

RENAMES = {
    "res_company": [
        ("altinn_client_id", "altinn_firm_id"),
        ("altinn_last_sync", "altinn_synced_until"),
        ("altinn_a3_last_attempt", "altinn_fetch_attempt_at"),
        ("altinn_a3_error", "altinn_fetch_error"),
        ("altinn_a3_error_date", "altinn_fetch_error_since"),
    ],
    "res_partner": [("altinn_firm_org_number", "altinn_org_number")],
}
# Views that inherited the addon's own views; their content is in the one view per model now. They go before
# the new parent views are loaded (they would not fit them).
OBSOLETE_VIEWS = (
    "view_company_form_altinn3",
    "view_company_form_altinn_cron",
    "view_partner_form_altinn3",
    "view_altinn_update_wizard_form_altinn3",
    "view_altinn_update_wizard_form_cron",
)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """DELETE FROM ir_ui_view WHERE id IN (
               SELECT res_id FROM ir_model_data
                WHERE module = 'prisolve_altinn' AND model = 'ir.ui.view' AND name IN %s)""",
        [OBSOLETE_VIEWS],
    )
    cr.execute(
        "DELETE FROM ir_model_data WHERE module = 'prisolve_altinn' AND model = 'ir.ui.view' AND name IN %s",
        [OBSOLETE_VIEWS],
    )
    for table, pairs in RENAMES.items():
        for old, new in pairs:
            if sql.column_exists(cr, table, old) and not sql.column_exists(cr, table, new):
                sql.rename_column(cr, table, old, new)
    # altinn_transport was a stored computed field; it is a plain setting now: keep what each company had.
    if sql.column_exists(cr, "res_company", "altinn_transport"):
        cr.execute(
            """UPDATE res_company c
                  SET altinn_transport = CASE WHEN c.altinn_system_id IS NOT NULL
                                                OR p.altinn_system_id IS NOT NULL
                                              THEN 'altinn2' ELSE 'altinn3' END
                 FROM res_company c2 LEFT JOIN res_partner p ON p.id = c2.altinn_firm_id
                WHERE c.id = c2.id AND c.altinn_transport IS NULL"""
        )
