# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.1.0 renames: one name for the accounting firm and for the fetch's state (data kept); the connection
and the sync point of 18.0.1.0.0 carried over."""

import logging

from odoo.tools import sql

_logger = logging.getLogger(__name__)

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
    _transport_from_datasystem(cr)
    _sync_point_from_last_fetch(cr)


def _transport_from_datasystem(cr):
    """Each company keeps the connection it had: Altinn 2 when it or its firm has a datasystem.

    altinn_transport was a stored computed field in later 18.0.1.0.0 builds; the first ones had no column at
    all, and Odoo would fill a new column with the default (Altinn 3) for every company. The column is made
    here, so only the companies that had no value get one.
    """
    if not sql.column_exists(cr, "res_company", "altinn_transport"):
        sql.create_column(cr, "res_company", "altinn_transport", "varchar")
    # Every earlier release has the firm column (altinn_client_id, renamed above).
    cr.execute(
        """UPDATE res_company c
              SET altinn_transport = CASE WHEN c.altinn_system_id <> '' OR EXISTS (
                                              SELECT 1 FROM res_partner p
                                               WHERE p.id = c.altinn_firm_id AND p.altinn_system_id <> '')
                                          THEN 'altinn2' ELSE 'altinn3' END
            WHERE c.altinn_transport IS NULL"""
    )
    _logger.info("prisolve_altinn: connection set for %s companies from their datasystems", cr.rowcount)


def _sync_point_from_last_fetch(cr):
    """18.0.1.0.0's last fetch time (Altinn 2 wizard) becomes the sync point, unless the company has one.

    The old wizard started its next fetch the day before the last fetch; the wizard does the same from the
    sync point, so the next update reads the same days, not a whole year.
    """
    if not sql.column_exists(cr, "res_company", "altinn_last_fetch"):
        return
    if not sql.column_exists(cr, "res_company", "altinn_synced_until"):
        sql.create_column(cr, "res_company", "altinn_synced_until", "timestamp")
    cr.execute(
        """UPDATE res_company SET altinn_synced_until = altinn_last_fetch
            WHERE altinn_synced_until IS NULL AND altinn_last_fetch IS NOT NULL"""
    )
    _logger.info("prisolve_altinn: sync point kept for %s companies", cr.rowcount)
