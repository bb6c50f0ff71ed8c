# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models, tools
from odoo.tools import SQL, format_amount

from ..altinn.parsers import DOC_TAX_CLAIMS


class AltinnTaxAccount(models.Model):
    """Skattekonto: one row per debt to (or from) Skatteetaten booked from Altinn, with what Odoo has open
    next to what Skatteetaten's latest claims list showing it had remaining (gjenstaaendeBeloep)."""

    _name = "altinn.tax.account"
    _description = "Skattekonto: debts to Skatteetaten"
    _auto = False
    _order = "due_date desc, id desc"

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    debt_key = fields.Char(string="Debt", readonly=True)
    line_id = fields.Many2one("altinn.document.line", string="Latest statement", readonly=True)
    claim_line_id = fields.Many2one("altinn.document.line", string="In claims list", readonly=True)
    name = fields.Char(related="line_id.name")
    kid = fields.Char(string="KID", readonly=True)
    due_date = fields.Date(readonly=True)
    odoo_open = fields.Monetary(string="Open in Odoo", related="line_id.debt_open_amount")
    status = fields.Selection(related="line_id.debt_status")
    skatteetaten_open = fields.Monetary(
        string="Remaining at Skatteetaten",
        related="claim_line_id.open_amount",
        help="gjenstaaendeBeloep in the latest claims list (Krav og betalinger) that shows the debt.",
    )
    claims_date = fields.Date(string="Claims list of", related="claim_line_id.document_date")
    difference = fields.Monetary(compute="_compute_check")
    flagged = fields.Boolean(compute="_compute_check")
    check = fields.Char(compute="_compute_check")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """CREATE OR REPLACE VIEW altinn_tax_account AS (
                   SELECT MIN(l.id) AS id, l.company_id, l.debt_key,
                          (ARRAY_AGG(l.id ORDER BY l.document_date DESC NULLS LAST, l.id DESC))[1] AS line_id,
                          (ARRAY_AGG(l.id ORDER BY l.document_date DESC NULLS LAST, l.id DESC)
                              FILTER (WHERE d.doc_type = %s))[1] AS claim_line_id,
                          MAX(l.kid) AS kid,
                          MAX(l.due_date) AS due_date
                     FROM altinn_document_line l
                     JOIN altinn_document d ON d.id = l.document_id
                    WHERE l.debt_key IS NOT NULL
                      AND l.kind IN ('vat_payment', 'claim', 'instalment', 'correction')
                      AND l.state != 'skipped'
                 GROUP BY l.company_id, l.debt_key)""",
                DOC_TAX_CLAIMS,
            )
        )

    @api.depends("line_id", "claim_line_id")
    def _compute_check(self):
        latest = {}
        for row in self:
            company = row.company_id
            if company.id not in latest:
                latest[company.id] = self._latest_claims_date(company)
            money = lambda amount, company=company: format_amount(self.env, amount, company.currency_id)  # noqa: E731
            odoo_open = row.odoo_open
            row.difference = False
            row.flagged = False
            if not row.claim_line_id:
                row.check = self.env._("Not in a claims list read so far.")
                continue
            remaining = row.skatteetaten_open
            row.difference = odoo_open - remaining
            if not company.currency_id.is_zero(odoo_open - remaining):
                row.flagged = True
                row.check = self.env._(
                    "Odoo has %(odoo)s open, Skatteetaten %(skatteetaten)s: a payment or an entry is missing "
                    "on one side.",
                    odoo=money(odoo_open),
                    skatteetaten=money(remaining),
                )
            elif latest[company.id] and row.claims_date and row.claims_date < latest[company.id]:
                row.flagged = not company.currency_id.is_zero(remaining)
                row.check = self.env._(
                    "Not in the latest claims list (%(latest)s); the figure is from %(date)s.",
                    latest=latest[company.id],
                    date=row.claims_date,
                )
            else:
                row.check = self.env._("Agrees with Skatteetaten.")

    @api.model
    def _latest_claims_date(self, company):
        line = self.env["altinn.document.line"].search(
            [("company_id", "=", company.id), ("document_id.doc_type", "=", DOC_TAX_CLAIMS)],
            order="document_date desc",
            limit=1,
        )
        return line.document_date
