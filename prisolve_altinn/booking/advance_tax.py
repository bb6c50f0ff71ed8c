# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Forskuddsskatt notice: each instalment is a debt of its own (Dr 2540 / Cr 2400, its KID, its due date).

An instalment booked after the settlement of its income year corrects that settlement (tax_settlement).
"""

from ..altinn.parsers import DOC_ADVANCE_TAX
from ..altinn.parsers import accounts as acc
from ..altinn.parsers.base import CAT_FORSKUDDSSKATT
from ..altinn.parsers.claim_types import DEBIT
from .batch import slot_of
from .debts import Debt
from .keyed import book_debt
from .registry import Booker, register
from .tax_settlement import settle_late_advance_tax, settlement_keys


@register
class AdvanceTaxBooker(Booker):
    doc_type = DOC_ADVANCE_TAX

    def lookups(self, parsed):
        data = parsed.data
        return {
            "slots": [slot_of(CAT_FORSKUDDSSKATT, i.due_date) for i in data.instalments],
            "kids": [i.kid for i in data.instalments],
            "keys": settlement_keys(data.income_year),
        }

    def book(self, ctx):
        data = ctx.parsed.data
        for instalment in sorted(data.instalments, key=lambda i: i.number):
            label = ctx._(
                "Advance tax %(year)s, instalment %(number)s", year=data.income_year, number=instalment.number
            )
            debt = Debt(
                category=CAT_FORSKUDDSSKATT,
                due_date=instalment.due_date,
                amount=instalment.amount,
                role=acc.ROLE_ADVANCE_TAX,
                kind="instalment",
                name=label,
                ref=label,
                kid=instalment.kid,
                identifier=f"{data.income_year}/{instalment.number}",
                bank_account=instalment.account or data.account,
                period=str(data.income_year),
                line_vals={"sequence": instalment.number},
            )
            line = book_debt(ctx, debt, DEBIT)
            settle_late_advance_tax(ctx, data.income_year, line, label)
        ctx.outcome.notes += ctx.notices()
