# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class AccountReconcileModel(models.Model):
    _inherit = "account.reconcile.model"

    match_altinn_kid = fields.Boolean(
        string="Skatteetaten's debts by KID",
        help="Match a bank statement line with the debt booked from Altinn whose KID it carries (a payment), "
        "or with the refund Skatteetaten owes (a refund), before any other model and never by amount alone: "
        "a line to or from Skatteetaten that no debt's KID matches is left for a person, with the reason on "
        "the line.",
    )

    @api.model
    def _altinn_kid_model_vals(self):
        """The company's KID rule: before the chart's "Perfect Match" (sequence 1), reconciled at once."""
        return {
            "name": self.env._("Skatteetaten: KID of a debt booked from Altinn"),
            "sequence": 0,
            "rule_type": "invoice_matching",
            "auto_reconcile": True,
            "match_nature": "both",
            "match_same_currency": True,
            "allow_payment_tolerance": False,
            "match_partner": False,
            "match_text_location_label": True,
            "match_text_location_note": True,
            "match_text_location_reference": True,
            "match_altinn_kid": True,
        }

    @api.model
    def _altinn_ensure_kid_model(self, companies):
        vals = self._altinn_kid_model_vals()
        for company in companies:
            if not self.with_context(active_test=False).search_count(
                [("company_id", "=", company.id), ("match_altinn_kid", "=", True)]
            ):
                self.create({**vals, "company_id": company.id})

    def _apply_rules(self, st_line, partner):
        """Skatteetaten's lines and lines with the KID of a debt booked from Altinn are decided by the KID
        rule alone: the debt of that KID, or nothing (left for a person). Other lines go to the other
        models as before."""
        kid_model = self.filtered(
            lambda m: m.match_altinn_kid and m.rule_type == "invoice_matching"
        ).sorted()[:1]
        if kid_model and kid_model._is_applicable_for(st_line, partner):
            lines, _reason = st_line._altinn_kid_match()
            if lines is not None:
                if not lines:
                    return {}
                result = kid_model._get_invoice_matching_amls_result(
                    st_line, partner, {"amls": lines, "allow_auto_reconcile": True}
                )
                return {**result, "model": kid_model} if result else {}
        return super()._apply_rules(st_line, partner)
