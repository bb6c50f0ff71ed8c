# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Altinn for Odoo: match Skatteetaten's bank lines by KID (OCA reconciliation)",
    "summary": "Reconcile bank statement lines paid to or from Skatteetaten with the debts booked from "
    "Altinn, by their KID",
    "version": "18.0.1.0.0",
    "category": "Accounting/Localizations/EDI",
    "website": "https://prisolve.com",
    "author": "Prisolve",
    "maintainers": [],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "application": False,
    "installable": True,
    "auto_install": True,
    "depends": [
        "prisolve_altinn",
        "account_reconcile_oca",
        "account_reconcile_model_oca",
        "account_statement_import_camt",
    ],
    "data": ["views/account_reconcile_model_views.xml"],
    "post_init_hook": "post_init_hook",
}
