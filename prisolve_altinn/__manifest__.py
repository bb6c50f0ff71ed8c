# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Altinn for Odoo (Prisolve)",
    "summary": "Fetch a Norwegian company's Altinn forms and messages into an Odoo ledger",
    "version": "18.0.1.3.0",
    "category": "Accounting/Localizations/EDI",
    "website": "https://prisolve.com",
    "author": "Prisolve",
    "maintainers": [],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "application": False,
    "installable": True,
    "depends": ["account", "mail", "l10n_no"],
    "external_dependencies": {"python": ["zeep"]},
    "data": [
        # security first
        "security/prisolve_altinn_security.xml",
        "security/ir.model.access.csv",
        "security/altinn_booking_security.xml",
        "data/ir_cron_fetch.xml",
        "data/ir_cron_process.xml",
        "data/mail_activity_type_letter.xml",
        # views
        "views/res_company_views.xml",
        "views/res_partner_views.xml",
        "views/altinn_system_user_views.xml",
        "views/altinn_maskinporten_client_views.xml",
        "views/altinn_document_views.xml",
        "views/altinn_fetch_log_views.xml",
        "views/account_move_views.xml",
        "views/altinn_account_map_views.xml",
        "views/altinn_tax_account_views.xml",
        # wizards
        "wizards/altinn_update_wizard_views.xml",
        "wizards/altinn_upload_wizard_views.xml",
        "wizards/altinn_setup_wizard_views.xml",
        "wizards/altinn_client_wizard_views.xml",
        # menus last: they reference the actions above
        "views/menus.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "prisolve_altinn/static/src/js/*.js",
            "prisolve_altinn/static/src/scss/*.scss",
        ],
        "web.assets_tests": ["prisolve_altinn/static/tests/tours/*.js"],
    },
}
