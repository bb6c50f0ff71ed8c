# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).


def post_init_hook(env):
    """Companies whose chart was loaded before this module get the KID rule too (new charts get it from the
    chart template, ``account.chart.template._get_account_reconcile_model``)."""
    companies = env["res.company"].search([("chart_template", "!=", False)])
    env["account.reconcile.model"]._altinn_ensure_kid_model(companies)
