# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.1.0: the system users that lived as fields on companies and firms become records."""

from odoo import SUPERUSER_ID, api
from odoo.tools import sql

OLD_COLUMNS = (
    "altinn_a3_state",
    "altinn_a3_confirm_url",
    "altinn_a3_request_id",
    "altinn_a3_system_user_id",
    "altinn_a3_requested_by",
)


def _old_rows(cr, table, org_column):
    if not sql.column_exists(cr, table, "altinn_a3_state"):
        return []
    cr.execute(
        f"""SELECT id, {org_column}, altinn_a3_state, altinn_a3_confirm_url, altinn_a3_request_id,
                   altinn_a3_system_user_id, altinn_a3_requested_by
              FROM {table}
             WHERE altinn_a3_state IS DISTINCT FROM 'missing' OR altinn_a3_request_id IS NOT NULL"""
    )
    return cr.fetchall()


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    SystemUser = env["altinn.system.user"]
    for company_id, org, state, url, request_id, altinn_id, user_id in _old_rows(
        cr, "res_company", "altinn_org_number"
    ):
        company = env["res.company"].browse(company_id)
        if not org or company.altinn_system_user_id:
            continue
        company.altinn_system_user_id = SystemUser.create(
            {
                "kind": "standard",
                "company_id": company.id,
                "partner_id": company.partner_id.id,
                "org_number": org,
                # Requested before 18.0.1.1.0 with Altinn's default externalRef, the org number.
                "external_ref": org,
                "state": state or "missing",
                "confirm_url": url,
                "request_id": request_id,
                "altinn_id": altinn_id,
                "requested_by_id": user_id,
            }
        )
    for partner_id, org, state, url, request_id, altinn_id, user_id in _old_rows(
        cr, "res_partner", "altinn_org_number"
    ):
        partner = env["res.partner"].browse(partner_id)
        if not org or partner.altinn_agent_system_user_id:
            continue
        partner.altinn_agent_system_user_id = SystemUser.create(
            {
                "kind": "agent",
                "partner_id": partner.id,
                "org_number": org,
                "external_ref": org,
                "state": state or "missing",
                "confirm_url": url,
                "request_id": request_id,
                "altinn_id": altinn_id,
                "requested_by_id": user_id,
            }
        )
    env.flush_all()  # the companies' altinn_fetch_ready follows their new system users
    for table in ("res_company", "res_partner"):
        for column in OLD_COLUMNS:
            if sql.column_exists(cr, table, column):
                cr.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
