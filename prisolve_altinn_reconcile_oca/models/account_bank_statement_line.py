# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re

from odoo import fields, models
from odoo.tools import format_amount, html2plaintext

from odoo.addons.prisolve_altinn.altinn.parsers import accounts as acc
from odoo.addons.prisolve_altinn.altinn.parsers.kid import is_valid_kid
from odoo.addons.prisolve_altinn.booking.company import SKATTEETATEN_ORG_NUMBER
from odoo.addons.prisolve_altinn.exceptions import AltinnBookingRefusal

DIGITS = re.compile(r"\d{2,25}")


class AccountBankStatementLine(models.Model):
    _inherit = "account.bank.statement.line"

    altinn_match_note = fields.Char(
        string="Skatteetaten",
        compute="_compute_altinn_match_note",
        help="Why this line to or from Skatteetaten was not matched with a debt booked from Altinn.",
    )

    def _compute_altinn_match_note(self):
        for line in self:
            reason = False
            if not line.is_reconciled:
                _lines, reason = line._altinn_kid_match()
            line.altinn_match_note = reason or False

    # ------------------------------------------------------------------
    def _altinn_tokens(self):
        """The numbers the line carries where a bank puts a KID: the structured creditor reference (CAMT
        ``CdtrRefInf/Ref``, the line's ``ref``) first, then its label and notes."""
        texts = [self.ref or "", self.payment_ref or "", html2plaintext(self.narration or "")]
        tokens = []
        for text in texts:
            for token in DIGITS.findall(text):
                if token not in tokens:
                    tokens.append(token)
        return tokens

    def _altinn_structured_kid(self):
        """The line's reference when it is only a number (a KID as the bank gave it), else ``None``."""
        ref = re.sub(r"\s", "", self.ref or "")
        return ref if ref.isdigit() else None

    def _altinn_is_skatteetaten(self):
        partner = self.partner_id or self._retrieve_partner()
        partner = partner.commercial_partner_id
        return SKATTEETATEN_ORG_NUMBER in (partner.l10n_no_bronnoysund_number, partner.company_registry)

    def _altinn_open_lines(self, domain):
        sign = "<" if self.amount < 0 else ">"
        return self.env["account.move.line"].search(
            [
                *self._get_default_amls_matching_domain(),
                ("move_id.altinn_document_id", "!=", False),
                ("balance", sign, 0.0),
                *domain,
            ],
            order="date_maturity, date, id",
        )

    def _altinn_kid_match(self):
        """``(lines, reason)``: the open journal items of the debt this line pays (or the refund it brings),
        to reconcile it with; an empty recordset and the reason when it is Skatteetaten's line (or carries
        the KID of a debt booked from Altinn) but cannot be matched safely; ``(None, False)`` when it is
        none of Skatteetaten's business."""
        self.ensure_one()
        env = self.env
        no_lines = env["account.move.line"]
        tokens = self._altinn_tokens()
        lines = self._altinn_open_lines([("move_id.payment_reference", "in", tokens)]) if tokens else no_lines
        if not lines:
            if not self._altinn_is_skatteetaten():
                return None, False
            if self.amount > 0:
                refund = self._altinn_refund_lines()
                if refund:
                    return refund, False
            kid = self._altinn_structured_kid()
            if kid and not is_valid_kid(kid):
                reason = env._("KID %(kid)s fails its check digit (MOD10/MOD11); match it by hand.", kid=kid)
            elif kid:
                reason = env._(
                    "No open debt booked from Altinn has the KID %(kid)s; match it by hand.",
                    kid=kid,
                )
            else:
                reason = env._("The line has no KID of a debt booked from Altinn; match it by hand.")
            return no_lines, reason
        kids = set(lines.move_id.mapped("payment_reference"))
        if len(kids) > 1:
            return no_lines, env._(
                "The line carries the KIDs of several debts (%(kids)s); match it by hand.",
                kids=", ".join(sorted(kids)),
            )
        kid = kids.pop()
        currency = self.company_id.currency_id
        amount = abs(self.amount)
        # A payment Skatteetaten placed on the debt is booked on the outstanding payments account: the bank
        # line settles that entry, never the debt a second time.
        outstanding = self._altinn_account(acc.ROLE_TAX_PAYMENTS)
        placed = lines.filtered(lambda line: line.account_id == outstanding)
        exact = placed.filtered(lambda line: currency.compare_amounts(abs(line.amount_residual), amount) == 0)
        if exact:
            return exact[:1], False
        debt = lines - placed
        open_amount = sum(abs(line.amount_residual) for line in debt)
        if not debt or currency.compare_amounts(amount, open_amount) > 0:
            return no_lines, env._(
                "%(amount)s is more than the %(open)s still open on the debt with KID %(kid)s; "
                "match it by hand.",
                amount=self._altinn_money(amount),
                open=self._altinn_money(open_amount),
                kid=kid,
            )
        return debt, False

    def _altinn_refund_lines(self):
        """Skatteetaten pays a refund without the company's KID: the one open refund of that amount."""
        receivable = self._altinn_account(acc.ROLE_TAX_RECEIVABLE)
        if not receivable:
            return self.env["account.move.line"]
        currency = self.company_id.currency_id
        lines = self._altinn_open_lines([("account_id", "=", receivable.id)]).filtered(
            lambda line: currency.compare_amounts(line.amount_residual, self.amount) == 0
        )
        return lines if len(lines) == 1 else self.env["account.move.line"]

    def _altinn_account(self, role):
        """The company's account of ``role`` in its Altinn account mapping (none when it has none)."""
        try:
            return self.env["altinn.account.map"]._altinn_account(self.company_id, role)
        except AltinnBookingRefusal:
            return self.env["account.account"]

    def _altinn_money(self, amount):
        return format_amount(self.env, amount, self.company_id.currency_id)
