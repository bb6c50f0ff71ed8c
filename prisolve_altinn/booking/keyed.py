# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The keyed booking step every document type shares: find what is booked already, then book, record a
duplicate, book an amendment, or leave an older document alone.

Two kinds of keys:
- a DEBT (``book_debt``): found by claim reference, KID or slot (``debts``); its entries put the amount on
  the debt's account against Skatteetaten (2400, with KID and due date) or, til gode, against the refund
  receivable; an amendment books the difference as its own draft; payments Skatteetaten placed on it are
  booked once each against the account the bank statement is matched with.
- a LEDGER EVENT (``find_keyed``/``duplicate``): the VAT closing of a term, the tax settlement of an income
  year; found by its booking key; the booker decides what an amendment means for it.
"""

from markupsafe import Markup

from ..altinn.parsers import accounts as acc
from ..altinn.parsers.claim_types import CREDIT, DEBIT
from ..altinn.parsers.kid import is_valid_kid
from .batch import PendingLine, PendingMove, category_of
from .context import CERTAIN, ZERO, EntryLine, to_decimal, vouchers

PAYMENT = "payment"
CORRECTION = "correction"


# ----------------------------------------------------------------------
# Ledger events (one booking key)
# ----------------------------------------------------------------------
def find_keyed(ctx, key):
    """The line that booked ``key`` (planned in this batch or stored), or ``None``."""
    ctx.batch.prefetch(ctx.company, keys=[key])
    return ctx.batch.ledger(ctx.company).by_key.get(key)


def duplicate(ctx, kind, booked, what, **line_vals):
    """The one place a document that brings something booked already is recorded as its duplicate."""
    move = f" ({booked.move_id.display_name})" if booked.move_id else ""  # an f-string inside _() stops babel
    note = ctx._(
        "%(what)s is already booked from Altinn document %(document)s%(move)s; not booked again.",
        what=what,
        document=booked.document_id.display_name,
        move=move,
    )
    line = ctx.line(kind, state="duplicate", duplicate_of_id=booked, note=note, **line_vals)
    # The readable voucher of the debt follows it to the entry that booked it (booking order aside).
    ctx.batch.add_vouchers(booked.move_id, vouchers(ctx.batch.stored_files(ctx.doc)))
    ctx.outcome.duplicates += 1
    ctx.note(note)
    return line


def tell_earlier(ctx, earlier_lines, text):
    """Say on the documents booked earlier what this one changed (once per document)."""
    seen = set()
    for line in earlier_lines:
        document = line.document_id
        if document and document.id not in seen and document != ctx.doc:
            seen.add(document.id)
            ctx.batch.post(document, Markup("<p>%s</p>") % text)


# ----------------------------------------------------------------------
# Debts
# ----------------------------------------------------------------------
def find_debt(ctx, debt):
    """``(debt_key, None)`` of the debt ``debt`` is (``None`` when new), or ``(None, note)`` when several
    booked debts could be meant and a person must choose."""
    ctx.batch.prefetch(
        ctx.company,
        slots=[debt.slot],
        kids=[debt.kid] if debt.kid else [],
        refs=[debt.claim_ref] if debt.claim_ref else [],
    )
    ledger = ctx.batch.ledger(ctx.company)
    if debt.claim_ref and debt.claim_ref in ledger.by_ref:
        return ledger.by_ref[debt.claim_ref], None
    if debt.kid and (debt.category, debt.kid) in ledger.by_kid:
        return ledger.by_kid[(debt.category, debt.kid)], None
    candidates = [key for key in ledger.by_slot.get(debt.slot, ()) if _compatible(ledger.by_debt[key], debt)]
    if len(candidates) > 1:
        return None, ctx._(
            "%(what)s: %(count)s debts of this kind with due date "
            "%(due)s are booked already and this document "
            "does not say which one it is; nothing is booked. Book it by hand.",
            what=debt.name,
            count=len(candidates),
            due=ctx.day(debt.due_date),
        )
    return (candidates[0] if candidates else None), None


def _compatible(lines, debt):
    """Can the booked debt of ``lines`` be the one ``debt`` states? Another KID or another claim: no."""
    kids = {line.kid for line in lines if line.kid}
    refs = {line.claim_ref for line in lines if line.claim_ref}
    if debt.kid and kids and debt.kid not in kids:
        return False
    return not (debt.claim_ref and refs)


def debt_lines(ctx, debt_key):
    """The booked lines of a debt that carry its amount (its first booking, its amendments), oldest first."""
    lines = ctx.batch.ledger(ctx.company).by_debt.get(debt_key, [])
    booked = [line for line in lines if line.state == "booked" and line.kind != PAYMENT]
    return sorted(booked, key=lambda line: (line.document_date or ctx.document_date, _order(line)))


def _order(line):
    return (1, id(line)) if isinstance(line, PendingLine) else (0, line.id)


def book_debt(ctx, debt, direction=DEBIT):
    """Book ``debt`` as ``ctx``'s document states it: new, duplicate, amendment, or older and left alone.

    ``direction``: DEBIT (the company owes it), CREDIT (it is owed to the company) or EITHER; an amount
    against the direction is bad input, told and not booked. Returns the document line.
    """
    line_vals = {
        "name": debt.name,
        "identifier": debt.identifier or False,
        "category": debt.category,
        "amount": float(debt.amount),
        "due_date": debt.due_date,
        "kid": debt.kid or False,
        "refund_kid": debt.refund_kid or False,
        "claim_ref": debt.claim_ref or False,
        "bank_account": debt.bank_account or False,
        "period": debt.period or False,
        "debt_slot": debt.slot,
        **debt.line_vals,
    }
    against = (direction == DEBIT and debt.amount < 0) or (direction == CREDIT and debt.amount > 0)
    if against:
        # One whole sentence per direction (translated as a whole).
        if direction == DEBIT:
            note = ctx._(
                "%(what)s: %(amount)s is not what this kind of claim can be (owed by the company); nothing "
                "is booked. Check the claim with Skatteetaten and book it by hand.",
                what=debt.name,
                amount=ctx.money(debt.amount),
            )
        else:
            note = ctx._(
                "%(what)s: %(amount)s is not what this kind of claim can be (owed to the company); nothing "
                "is booked. Check the claim with Skatteetaten and book it by hand.",
                what=debt.name,
                amount=ctx.money(debt.amount),
            )
        return _skip(ctx, debt, note, line_vals)
    key, ambiguous = find_debt(ctx, debt)
    if ambiguous:
        return _skip(ctx, debt, ambiguous, line_vals)
    if key is None:
        if not debt.amount and not debt.payments and not debt.counterclaims:
            note = ctx._("%(what)s: nothing is owed.", what=debt.name)
            ctx.outcome.informational = True
            ctx.note(note)
            return ctx.line(debt.kind, state="recorded", note=note, **line_vals)
        key = debt.new_key()
        line = _book_amount(ctx, debt, key, ZERO, line_vals)
    else:
        line = _book_known(ctx, debt, key, line_vals)
    if line is not None and debt.amount > 0:
        _book_placements(ctx, debt, key)
    return line


def _skip(ctx, debt, note, line_vals):
    ctx.outcome.informational = True
    ctx.note(note)
    return ctx.line(debt.kind, state="skipped", note=note, **line_vals)


def _book_known(ctx, debt, key, line_vals):
    """The debt is booked already: the same amount is a duplicate, another one an amendment."""
    booked = debt_lines(ctx, key)
    if not booked:  # its entry was never made (nothing was owed when it was seen)
        return _book_amount(ctx, debt, key, ZERO, line_vals)
    latest = booked[-1]
    if to_decimal(latest.amount) == debt.amount:
        return duplicate(ctx, debt.kind, latest, debt.name, debt_key=key, **line_vals)
    if latest.document_date and ctx.document_date < latest.document_date:
        note = ctx._(
            "%(what)s: this document (%(date)s) says %(amount)s, but %(booked)s was booked from the newer "
            "document %(document)s (%(newer)s); not booked.",
            what=debt.name,
            date=ctx.day(ctx.document_date),
            amount=ctx.money(debt.amount),
            booked=ctx.money(latest.amount),
            document=latest.document_id.display_name,
            newer=ctx.day(latest.document_date),
        )
        ctx.outcome.duplicates += 1
        ctx.note(note)
        return ctx.line(debt.kind, state="skipped", debt_key=key, note=note, **line_vals)
    before = sum((to_decimal(line.booked_amount) for line in booked), ZERO)
    text = ctx._(
        "%(what)s: amended from %(old)s (Altinn document %(earlier)s) "
        "to %(new)s (Altinn document %(document)s); "
        "the difference %(diff)s is booked as its own draft entry.",
        what=debt.name,
        old=ctx.money(latest.amount),
        earlier=latest.document_id.display_name,
        new=ctx.money(debt.amount),
        document=ctx.doc.display_name,
        diff=ctx.money(debt.amount - before),
    )
    line = _book_amount(ctx, debt, key, before, line_vals, amended=latest, note=text)
    ctx.note(text)
    tell_earlier(ctx, booked, text)
    return line


def next_key(ctx, key):
    """``key`` when nothing booked it yet, else the key of its next amendment (``key~2``, ``key~3``…).

    In memory: the lookup that found the debt (or event) loaded all of its lines, amendments included."""
    booked = ctx.batch.ledger(ctx.company).by_key
    if key not in booked:
        return key
    number = 2
    while f"{key}~{number}" in booked:
        number += 1
    return f"{key}~{number}"


def _book_amount(ctx, debt, debt_key, before, line_vals, amended=None, note=None):
    """Plan the entry that takes the debt from ``before`` (booked already) to its amount.

    The debt's own account takes the change; the payable (with KID and due date) takes what is owed, the
    refund receivable what is til gode, so a debt that turns from owed to til gode is booked right too.
    """
    after = debt.amount
    own = ctx.account(debt.role)
    lines = [EntryLine(own, after - before, debt.name)]
    pay = max(after, ZERO) - max(before, ZERO)
    refund = min(after, ZERO) - min(before, ZERO)
    counterpart = own
    if pay:
        counterpart = ctx.account(acc.ROLE_PAYABLE)
        name = ctx.payable_name(debt.name, debt.kid, debt.bank_account)
        lines.append(EntryLine(counterpart, -pay, name, debt.due_date))
    if refund:
        counterpart = ctx.account(acc.ROLE_TAX_RECEIVABLE)
        label = ctx._("%(what)s to be refunded", what=debt.name)
        if debt.refund_kid:
            label = ctx._("%(what)s – refund KID %(kid)s", what=label, kid=debt.refund_kid)
        lines.append(EntryLine(counterpart, -refund, label, debt.due_date))
    move = ctx.entry(
        lines,
        review=_review_reason(ctx, debt, amended),
        date=debt.entry_date or ctx.document_date,
        ref=debt.ref if amended is None else ctx._("Correction: %(ref)s", ref=debt.ref),
        # The payment reference is this debt's own KID to pay with; til gode, the company's refund KID.
        kid=debt.kid if after > 0 else debt.refund_kid,
        bank_account=debt.bank_account if after > 0 else None,
        extra=[*([note] if note else []), *ctx.notices(), *debt.notes],
    )
    vals = {
        "open_amount": float(after),
        "note": " ".join([*([note] if note else []), *debt.notes]) or False,
        **line_vals,
        "debt_key": debt_key,
        "booked_amount": float(after - before),
        "duplicate_of_id": amended or False,
    }
    kind = CORRECTION if amended is not None else debt.kind
    return ctx.booked(kind, next_key(ctx, debt_key), move, counterpart, **vals)


def _review_reason(ctx, debt, amended):
    """Why a person must check the debt's entry before it is posted; ``CERTAIN`` when nothing is in doubt:
    a new debt with its KID (passing its check digit) and its due date, and nothing its booker doubts."""
    if amended is not None:
        return ctx._("It changes a debt booked earlier; check the difference with Skatteetaten's figures.")
    if debt.amount < 0:
        kid = debt.refund_kid
        if not kid:
            return ctx._("The refund has no KID of the company to be paid with.")
    else:
        kid = debt.kid
        if not kid:
            return ctx._("The debt has no KID to pay it with.")
    if not is_valid_kid(kid):
        return ctx._("The KID %(kid)s fails its check digit (MOD10/MOD11).", kid=kid)
    if not debt.due_date:
        return ctx._("The debt has no due date.")
    return debt.review or CERTAIN


def _book_placements(ctx, debt, debt_key):
    """Book, once each, the payments and set-offs Skatteetaten placed on the debt (Krav og betalinger).

    A payment the bank statement already settled the debt with (its line matched with the debt's) is
    confirmed, not booked again; any other is booked on the outstanding payments account, against the debt
    (reconciled with it once both are posted: ``account.move._altinn_settle_placements``), for the bank
    statement line to settle.
    """
    ledger = ctx.batch.ledger(ctx.company)
    booked = debt_lines(ctx, debt_key)
    kid = debt.kid or next((line.kid for line in booked if line.kid), None)
    settles = [line.move_id for line in booked if line.move_id]
    review = _placement_review(ctx, settles)
    by_bank = None  # what the bank statement paid on the debt and no placement confirmed yet
    for placed, counterclaim in [(p, False) for p in debt.payments] + [(p, True) for p in debt.counterclaims]:
        if not placed.amount:
            continue
        if not placed.payment_id:
            ctx.note(
                ctx._(
                    "%(what)s: a payment of %(amount)s placed on %(date)s "
                    "has no identifier and is not booked; "
                    "match it with the bank statement by hand.",
                    what=debt.name,
                    amount=ctx.money(placed.amount),
                    date=ctx.day(placed.date),
                )
            )
            continue
        key = f"{debt_key}:paid:{placed.payment_id}"
        if key in ledger.by_key:  # the lookup that found the debt loaded its payments too
            continue
        payable = ctx.account(acc.ROLE_PAYABLE)
        placement_vals = {
            "identifier": placed.payment_id,
            "amount": float(placed.amount),
            "booked_amount": float(placed.amount),
            "payment_date": placed.paid_on or placed.date or False,
            "due_date": debt.due_date,
            # The KID the payment came with (innbetaltFra.kidnummer), else the debt's: the bank line's KID.
            "kid": placed.kid or kid or False,
            "debt_key": debt_key,
            "debt_slot": debt.slot,
            "category": category_of(debt.slot),
        }
        if not counterclaim:
            if by_bank is None:
                by_bank = _paid_by_bank(ctx, debt_key, settles)
            if by_bank >= placed.amount:
                by_bank -= placed.amount
                note = ctx._(
                    "%(what)s: payment %(payment)s of %(amount)s is on the bank statement already, matched "
                    "with the debt; confirmed, not booked again.",
                    what=debt.name,
                    payment=placed.payment_id,
                    amount=ctx.money(placed.amount),
                )
                ctx.note(note)
                ctx.outcome.informational = True
                ctx.line(PAYMENT, state="booked", booking_key=key, name=note, note=note, **placement_vals)
                continue
        if counterclaim:
            other = ctx.account(acc.ROLE_TAX_RECEIVABLE)
            name = ctx._("%(what)s: set off against %(claim)s", what=debt.name, claim=placed.payment_id)
        else:
            other = ctx.account(acc.ROLE_TAX_PAYMENTS)
            name = ctx._("%(what)s: payment %(payment)s", what=debt.name, payment=placed.payment_id)
        move = ctx.entry(
            [EntryLine(payable, placed.amount, name, debt.due_date), EntryLine(other, -placed.amount, name)],
            date=placed.date or placed.paid_on or ctx.document_date,
            ref=name,
            kid=placed.kid or kid,
            review=review,
        )
        ctx.booked(PAYMENT, key, move, payable, name=name, **placement_vals)


def _placement_review(ctx, debt_moves):
    """A placement is as certain as the debt it settles: posted with it, reconciled with it."""
    for move in debt_moves:
        if isinstance(move, PendingMove):
            if move.vals.get("altinn_review_reason"):
                return ctx._("The debt's own entry waits for a person; post it first.")
        elif move.state != "posted":
            return ctx._("The debt's own entry is not posted; post it first.")
    return CERTAIN


def _paid_by_bank(ctx, debt_key, debt_moves):
    """What other entries than Altinn's (the bank statement) settled on the debt's posted lines, less the
    placements confirmed by it already."""
    stored = [move for move in debt_moves if not isinstance(move, PendingMove) and move.state == "posted"]
    paid = ZERO
    for move in stored:
        for line in move.line_ids.filtered(lambda line: line.account_id.account_type == "liability_payable"):
            partials = line.matched_debit_ids
            paid += sum(
                (to_decimal(p.amount) for p in partials if not p.debit_move_id.move_id.altinn_document_id),
                ZERO,
            )
    confirmed = sum(
        (
            to_decimal(line.booked_amount)
            for line in ctx.batch.ledger(ctx.company).by_debt.get(debt_key, [])
            if line.kind == PAYMENT and line.state == "booked" and not line.move_id
        ),
        ZERO,
    )
    return paid - confirmed
