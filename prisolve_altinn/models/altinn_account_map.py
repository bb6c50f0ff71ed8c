# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from ..altinn.parsers import accounts as default_accounts
from ..exceptions import AltinnBookingRefusal

# Without a code: the company's "Outstanding Payments" account (Odoo's own account for payments not yet
# matched with the bank statement), created with the chart.
OUTSTANDING_PAYMENTS_XMLID = "account.{company}_account_journal_payment_credit_account_id"


def role_selection():
    # English labels; translated through the field's selection in nb.po.
    return [
        (default_accounts.ROLE_PAYABLE, "Skatteetaten payable"),
        (default_accounts.ROLE_TAX_RECEIVABLE, "Refunds from Skatteetaten (til gode)"),
        (default_accounts.ROLE_VAT_SETTLEMENT, "VAT settlement"),
        (default_accounts.ROLE_TAX_ACCRUED, "Tax payable, accrued (not assessed)"),
        (default_accounts.ROLE_TAX_ASSESSED, "Tax payable, assessed (restskatt)"),
        (default_accounts.ROLE_ADVANCE_TAX, "Advance tax (forskuddsskatt)"),
        (default_accounts.ROLE_TAX_PRIOR_YEAR, "Tax over/under-accrued in previous years"),
        (default_accounts.ROLE_WITHHOLDING_TAX, "Tax withholding (forskuddstrekk)"),
        (default_accounts.ROLE_EMPLOYER_CONTRIBUTION, "Employer's contribution (arbeidsgiveravgift)"),
        (default_accounts.ROLE_TAX_INTEREST, "Late-payment interest (deductible)"),
        (default_accounts.ROLE_INTEREST_NON_DEDUCTIBLE, "Interest, not deductible"),
        (default_accounts.ROLE_INTEREST_INCOME, "Interest paid to the company"),
        (default_accounts.ROLE_VAT_COMPENSATION, "VAT compensation (kompensasjon)"),
        (default_accounts.ROLE_TAX_PAYMENTS, "Payments to Skatteetaten, to match with the bank"),
        (default_accounts.ROLE_TAX_EXPENSE, "Tax expense"),
        (default_accounts.ROLE_VAT_SMALL_REFUND, "Small VAT refund not paid out"),
        (default_accounts.ROLE_BANK, "Bank"),
        (default_accounts.ROLE_TAX_WITHHOLDING_BANK, "Bank account for tax withholdings"),
    ]


class AltinnAccountMap(models.Model):
    """Per company: which account serves each booking role.

    Defaults come from ``altinn/parsers/accounts.py`` (NS 4102 / SAF-T codes of Odoo 18 l10n_no). An account
    found by a default code is used only when its name means what the role needs; an account chosen here
    explicitly (or another code typed here) is the accountant's decision and is used as is.
    """

    _name = "altinn.account.map"
    _description = "Altinn booking account"
    _order = "company_id, sequence, id"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True, default=lambda self: self.env.company
    )
    sequence = fields.Integer(default=10)
    role = fields.Selection(role_selection(), required=True, readonly=True)
    code = fields.Char(
        string="Account code",
        help="NS 4102 / SAF-T code looked up in the company's chart when no account is chosen. With the "
        "default code the account's name must match the role (charts from Odoo 17 and older use some codes "
        "for other things).",
    )
    account_id = fields.Many2one(
        "account.account",
        check_company=True,
        domain="[('deprecated', '=', False)]",
        help="Choose the account explicitly to override the code lookup.",
    )
    default_code = fields.Char(compute="_compute_default", string="Default code")
    expected_name = fields.Char(compute="_compute_default", string="Expected account")
    resolved_account_id = fields.Many2one("account.account", compute="_compute_status", string="Account used")
    status = fields.Char(compute="_compute_status")
    status_ok = fields.Boolean(string="Status OK", compute="_compute_status")

    _sql_constraints = [
        ("role_company_uniq", "unique(company_id, role)", "Each role has one account per company."),
    ]

    @api.depends("role")
    def _compute_default(self):
        for row in self:
            default = default_accounts.ACCOUNTS.get(row.role)
            row.default_code = default.code if default else False
            if default:
                row.expected_name = f"{default.code} {default.name_nb}"
            elif row.role == default_accounts.ROLE_TAX_PAYMENTS:
                row.expected_name = self.env._("Outstanding Payments")
            else:
                row.expected_name = False

    @api.depends("role", "code", "account_id", "company_id")
    def _compute_status(self):
        for row in self:
            try:
                account = row._altinn_resolve_account()
            except UserError as exc:
                row.resolved_account_id = False
                row.status = exc.args[0]
                row.status_ok = False
            else:
                row.resolved_account_id = account
                row.status = self.env._("OK")
                row.status_ok = True

    # ------------------------------------------------------------------
    # Defaults
    # ------------------------------------------------------------------
    @api.model
    def _altinn_ensure_defaults(self, company):
        """Create the missing rows of ``company`` with the default codes; return all its rows."""
        company.ensure_one()
        rows = self.sudo().search([("company_id", "=", company.id)])
        have = set(rows.mapped("role"))
        vals_list = []
        for sequence, (role, _label) in enumerate(role_selection(), start=1):
            if role not in have:
                default = default_accounts.ACCOUNTS.get(role)
                vals_list.append(
                    {
                        "company_id": company.id,
                        "role": role,
                        "sequence": sequence,
                        "code": default.code if default else False,
                    }
                )
        if vals_list:
            rows |= self.sudo().create(vals_list)
        return rows.sudo(False)

    @api.model
    def _altinn_account(self, company, role):
        """The account of ``role`` for ``company``, or an ``AltinnBookingRefusal`` naming the code.

        A role whose lines are matched later (payable, refunds) needs a reconcilable account: the default
        account is made reconcilable the first time it is used; an account chosen here must be one.
        """
        rows = self._altinn_ensure_defaults(company)
        row = rows.filtered(lambda r: r.role == role)[:1]
        if not row:
            raise AltinnBookingRefusal(self.env._("No account role %(role)s is known.", role=role))
        account = row._altinn_resolve_account()
        default = default_accounts.ACCOUNTS.get(role)
        if default and default.reconcile and not account.reconcile:
            if row.account_id or (row.code or "").strip() != default.code:
                raise AltinnBookingRefusal(
                    self.env._(
                        "The account %(account)s chosen for %(role)s in the "
                        "Altinn account mapping of %(company)s "
                        "does not allow reconciliation, but its lines are matched with payments. Allow "
                        "reconciliation on it, or choose another account.",
                        account=account.display_name,
                        role=row._altinn_role_label(),
                        company=company.display_name,
                    )
                )
            account.sudo().reconcile = True
        return account

    # ------------------------------------------------------------------
    # Resolution
    # ------------------------------------------------------------------
    def _altinn_role_label(self):
        self.ensure_one()
        return dict(self._fields["role"]._description_selection(self.env)).get(self.role, self.role)

    def _altinn_resolve_account(self):
        self.ensure_one()
        company = self.company_id
        label = self._altinn_role_label()
        if self.account_id:
            account = self.account_id
            if account.deprecated:
                raise AltinnBookingRefusal(
                    self.env._(
                        "The account %(account)s chosen for %(role)s in the Altinn account mapping of "
                        "%(company)s is deprecated. Choose another account.",
                        account=account.display_name,
                        role=label,
                        company=company.display_name,
                    )
                )
            return account
        default = default_accounts.ACCOUNTS.get(self.role)
        code = (self.code or (default.code if default else "")).strip()
        if not code and self.role == default_accounts.ROLE_TAX_PAYMENTS:
            account = self.env.ref(
                OUTSTANDING_PAYMENTS_XMLID.format(company=company.id), raise_if_not_found=False
            )
            if account:
                return account
        if not code:
            raise AltinnBookingRefusal(
                self.env._(
                    "No account code is set for %(role)s in the Altinn account mapping of %(company)s.",
                    role=label,
                    company=company.display_name,
                )
            )
        Account = self.env["account.account"].with_company(company)
        account = Account.search(
            [
                *Account._check_company_domain(company),
                ("code", "=", code),
                ("deprecated", "=", False),
            ],
            limit=1,
            # The default order (code, placeholder code) costs about a second per search on a full chart.
            order="id",
        )
        if not account:
            raise AltinnBookingRefusal(
                self.env._(
                    "Account %(code)s (%(role)s) does not exist in the chart of accounts of %(company)s. "
                    "Create it, or choose the account for this role in the Altinn account mapping; nothing "
                    "is booked to a guessed account.",
                    code=code,
                    role=label,
                    company=company.display_name,
                )
            )
        if default and code == default.code:
            names = self._altinn_account_names(account)
            if not default_accounts.account_matches(self.role, code, *names):
                raise AltinnBookingRefusal(
                    self.env._(
                        'Account %(code)s in %(company)s is named "%(name)s", which does not mean '
                        '"%(expected)s" (%(role)s); the chart may come from an older Odoo version. Choose '
                        "the right account for this role in the Altinn account mapping.",
                        code=code,
                        company=company.display_name,
                        name=account.name,
                        expected=default.name_nb,
                        role=label,
                    )
                )
        return account

    def _altinn_account_names(self, account):
        """Every translation of the account's name (the meaning check reads them all)."""
        account.flush_recordset(["name"])
        self.env.cr.execute("SELECT name FROM account_account WHERE id = %s", [account.id])
        row = self.env.cr.fetchone()
        value = row[0] if row else None
        if isinstance(value, dict):
            return [name for name in value.values() if name]
        return [value] if value else []

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    @api.model
    def _altinn_action_open(self):
        for company in self.env.companies:
            self._altinn_ensure_defaults(company)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "prisolve_altinn.action_altinn_account_map_window"
        )
        action["domain"] = [("company_id", "in", self.env.companies.ids)]
        return action

    def action_reset_default(self):
        for row in self:
            default = default_accounts.ACCOUNTS.get(row.role)
            row.write({"account_id": False, "code": default.code if default else False})
