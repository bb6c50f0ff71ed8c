# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""VAT payment information (betalingsinformasjon): the VAT of a term to pay, or to be refunded.

The term's debt: Dr 2740 / Cr 2400 Skatteetaten (KID, due date); til gode: Dr the refund receivable / Cr
2740. A kompensasjon return next to it makes it a compensation term (its own settlement account).
"""

from ..altinn.parsers import DOC_MVA_RETURN, DOC_VAT_PAYMENT
from ..altinn.parsers import accounts as acc
from ..altinn.parsers.base import CAT_MVA, CAT_MVA_COMPENSATION
from ..altinn.parsers.claim_types import EITHER
from .batch import slot_of
from .debts import Debt
from .keyed import book_debt
from .registry import Booker, register

COMPENSATION = "kompensasjon"  # meldingskategori of a VAT compensation return


def _return_of(parsed):
    """The MVA-melding filed with this payment information (same item), if any."""
    return next((d.data for d in parsed.related if d.doc_type == DOC_MVA_RETURN), None)


def _category(parsed):
    mva = _return_of(parsed)
    return CAT_MVA_COMPENSATION if mva and mva.category == COMPENSATION else CAT_MVA


@register
class VatPaymentBooker(Booker):
    doc_type = DOC_VAT_PAYMENT

    def lookups(self, parsed):
        data = parsed.data
        return {"slots": [slot_of(_category(parsed), data.due_date)], "kids": [data.kid]}

    def book(self, ctx):
        data = ctx.parsed.data
        label = f"{data.period_name} {data.period_year}"
        category = _category(ctx.parsed)
        mva = _return_of(ctx.parsed)
        notes = []
        if not data.kid_valid:
            notes.append(
                ctx._("The KID %(kid)s fails the MOD10/MOD11 check; verify it before paying.", kid=data.kid)
            )
        if mva is None:
            review = ctx._("The VAT return is not with this receipt: nothing to check its amount against.")
        elif mva.total != data.amount:
            review = ctx._(
                "The receipt says %(receipt)s, the VAT return %(return)s.",
                receipt=ctx.money(data.amount),
                **{"return": ctx.money(mva.total)},
            )
        else:
            review = None
        debt = Debt(
            category=category,
            due_date=data.due_date,
            amount=data.amount,
            role=acc.ROLE_VAT_COMPENSATION if category == CAT_MVA_COMPENSATION else acc.ROLE_VAT_SETTLEMENT,
            kind="vat_payment",
            name=ctx._("VAT %(period)s", period=label),
            ref=ctx._("VAT %(period)s", period=label),
            kid=data.kid,
            refund_kid=mva.refund_kid if mva else None,
            identifier=data.submission_reference or label,
            bank_account=data.account,
            period=label,
            notes=notes,
            review=review,
        )
        # A VAT term is owed or til gode: the sign says which.
        book_debt(ctx, debt, EITHER)
        ctx.outcome.notes += [*ctx.notices(), *notes]
