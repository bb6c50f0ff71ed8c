# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Krav og betalinger: every due date of a claim is a debt (its own entry, KID and due date), booked with
what it amounts to today (still open + what payments and set-offs covered) and the payments Skatteetaten
placed on it, so the payable shows what is still owed: a fully paid claim leaves nothing open.

Claim types come from Skatteetaten's code list (parsers.claim_types); a type not listed there, a claim for
another party, amounts that cannot be right (against the claim's direction, more covered than was ever
claimed) are left for a person with a note on the document. Skatteetaten's estimated interest
(stipulerteRenter) is an estimate, not a claim: it is told, not booked.
"""

from ..altinn.parsers import DOC_TAX_CLAIMS
from ..altinn.parsers import accounts as acc
from ..altinn.parsers.base import CAT_FORSKUDDSSKATT, CAT_OTHER
from ..exceptions import AltinnBookingRefusal
from .batch import slot_of
from .debts import Debt
from .keyed import book_debt
from .registry import Booker, register
from .tax_settlement import settle_late_advance_tax, settlement_keys

KIND = "claim"


def claim_ref(claim, instalment):
    """What identifies one due date of a claim at Skatteetaten for good."""
    return instalment.instalment_id or f"{claim.claim_id}/{instalment.due_date.isoformat()}"


@register
class TaxClaimsBooker(Booker):
    doc_type = DOC_TAX_CLAIMS

    def lookups(self, parsed):
        data = parsed.data
        slots, kids, refs, keys = [], [], [], []
        for claim in data.claims:
            if claim.category == CAT_OTHER:
                continue
            for instalment in claim.instalments:
                slots.append(slot_of(claim.category, instalment.due_date))
                kids.append(instalment.kid)
                refs.append(claim_ref(claim, instalment))
                if claim.category == CAT_FORSKUDDSSKATT:
                    keys += settlement_keys(instalment.due_date.year - 1)
        kids += [payment.kid for payment in data.payments]
        return {"slots": slots, "kids": kids, "refs": refs, "keys": keys}

    def book(self, ctx):
        data = ctx.parsed.data
        newer = self._newer_list(ctx)
        if newer:
            # Nothing to undo: a debt the newer list states is left as it says (keyed: the older document
            # loses), so only what the newer list does not show (e.g. claims paid before it) is booked.
            ctx.note(
                ctx._(
                    "This claims list (%(date)s) is older than the one already read (%(newer)s, "
                    "%(document)s): where they differ, the newer one stands; only what it does not show "
                    "is booked.",
                    date=ctx.day(ctx.document_date),
                    newer=ctx.day(newer.document_date),
                    document=newer.document_id.display_name,
                )
            )
        left = []  # claims left for a person: notes
        for sequence, claim in enumerate(data.claims, start=1):
            left += self._book_claim(ctx, sequence, claim)
        for payment in data.payments:
            self._record_payment(ctx, payment)
        if left and not ctx.outcome.booked and not ctx.outcome.duplicates and not data.payments:
            raise AltinnBookingRefusal("\n".join(left))
        ctx.outcome.notes += left + ctx.notices()

    def _newer_list(self, ctx):
        """A line of a claims list of the company read before this one and dated after it, if any."""
        return ctx.env["altinn.document.line"].search(
            [
                ("company_id", "=", ctx.company.id),
                ("document_id.doc_type", "=", DOC_TAX_CLAIMS),
                ("document_id", "!=", ctx.doc.id),
                ("document_date", ">", ctx.document_date),
            ],
            order="document_date desc",
            limit=1,
        )

    def _book_claim(self, ctx, sequence, claim):
        title = claim.description or claim.claim_type
        own = ctx.company.altinn_org_number
        base = {
            "sequence": sequence,
            "name": f"{title} {claim.period or ''}".strip(),
            "identifier": claim.claim_id,
            "category": claim.category,
            "amount": float(claim.original_amount),
            "open_amount": float(claim.open_amount),
            "due_date": claim.due_date or False,
            "kid": claim.kid or False,
            "bank_account": claim.account or False,
            "period": claim.period or False,
        }
        problem = None
        if claim.org_number and own and claim.org_number != own:
            problem = ctx._(
                "Claim %(id)s is for %(party)s, not for %(company)s; it is not booked.",
                id=claim_number(claim.claim_id),
                party=claim.org_number,
                company=own,
            )
        elif claim.category == CAT_OTHER:
            problem = ctx._(
                "Claim %(id)s (%(type)s): this kind of claim is not "
                "booked automatically (Skatteetaten's claim "
                "type code list gives it no single way to book); book it by hand.",
                id=claim_number(claim.claim_id),
                type=claim.claim_type or title,
            )
        elif not claim.instalments:
            problem = ctx._("Claim %(id)s has no due date; book it by hand.", id=claim.claim_id)
        if problem:
            ctx.line(KIND, state="skipped", note=problem, **base)
            return [problem]
        left = []
        role = acc.CLAIM_CATEGORY_ROLES[claim.category]
        several = len(claim.instalments) > 1
        for instalment in claim.instalments:
            name = base["name"]
            if several:
                name = ctx._("%(claim)s, due %(date)s", claim=name, date=ctx.day(instalment.due_date))
            amount = instalment.current_amount
            line_vals = dict(
                base,
                name=name,
                amount=float(amount),
                open_amount=float(instalment.open_amount),
                due_date=instalment.due_date,
                kid=instalment.kid or False,
                bank_account=instalment.account or False,
            )
            if amount > instalment.original_amount:
                problem = ctx._(
                    "%(claim)s: still open %(open)s and covered %(covered)s make more than the %(original)s "
                    "Skatteetaten claimed; the claim is not booked. Check it with Skatteetaten.",
                    claim=name,
                    open=ctx.money(instalment.open_amount),
                    covered=ctx.money(instalment.placed_total),
                    original=ctx.money(instalment.original_amount),
                )
                ctx.line(KIND, state="skipped", note=problem, **line_vals)
                left.append(problem)
                continue
            notes = []
            if amount < instalment.original_amount:
                notes.append(
                    ctx._(
                        "%(claim)s was reduced from %(original)s to %(amount)s.",
                        claim=name,
                        original=ctx.money(instalment.original_amount),
                        amount=ctx.money(amount),
                    )
                )
            if claim.interest:
                notes.append(
                    ctx._(
                        "Skatteetaten estimates %(interest)s interest on %(claim)s; an estimate, not booked.",
                        interest=ctx.money(claim.interest),
                        claim=title,
                    )
                )
            debt = Debt(
                category=claim.category,
                due_date=instalment.due_date,
                amount=amount,
                role=role,
                kind=KIND,
                name=name,
                ref=ctx._(
                    "%(claim)s %(period)s (claim %(id)s)",
                    claim=title,
                    period=claim.period or "",
                    id=claim_number(claim.claim_id),
                ),
                kid=instalment.kid,
                claim_ref=claim_ref(claim, instalment),
                identifier=claim.claim_id,
                bank_account=instalment.account,
                period=claim.period,
                payments=instalment.placed_payments,
                counterclaims=instalment.placed_counterclaims,
                entry_date=claim.created,
                notes=notes,
                line_vals=line_vals,
            )
            line = book_debt(ctx, debt, claim.direction)
            if claim.category == CAT_FORSKUDDSSKATT:
                settle_late_advance_tax(ctx, instalment.due_date.year - 1, line, name)
            ctx.outcome.notes += notes
        return left

    def _record_payment(self, ctx, payment):
        """A payment (not yet or only partly placed): recorded for matching, with the entry of its KID."""
        note = False
        if payment.kid:
            ledger = ctx.batch.ledger(ctx.company)
            debt_key = next((key for (_cat, kid), key in ledger.by_kid.items() if kid == payment.kid), None)
            moves = [line.move_id for line in ledger.by_debt.get(debt_key, []) if line.move_id]
            if moves:
                note = ctx._("KID of %(entry)s", entry=moves[0].display_name)
        ctx.line(
            "payment",
            state="recorded",
            identifier=payment.payment_id,
            name=payment.payment_type or ctx._("Payment"),
            amount=float(payment.amount),
            open_amount=float(payment.unplaced_amount) if payment.unplaced_amount is not None else 0.0,
            payment_date=payment.date,
            kid=payment.kid or False,
            bank_account=payment.paid_to_account or False,
            note=note,
        )
        ctx.outcome.informational = True


def claim_number(claim_id):
    """Skatteetaten's claim identifier as a person reads it: "krav-199217576" inside "(krav …)" says krav
    twice; the number alone."""
    text = str(claim_id or "")
    if text.lower().startswith("krav-"):
        return text[len("krav-") :]
    return text
