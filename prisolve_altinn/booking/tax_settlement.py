# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Beregnet skatt (AS): the settlement of an income year, by the company's practice.

Where the accrued tax and the advance tax are booked is the company's choice (its Altinn account mapping:
"Tax payable, accrued" 2500 and "Advance tax" 2540, or the advance tax on 2500 as well). The balances are
those of the income year Y:
- accrued: the credit balance of the accrued-tax account at 31 December of Y (the year-end accrual; the
  settlement of Y-1, dated in Y, has cleared the year before);
- advance tax: the debit balance of the advance-tax account from 1 January of Y+1 (an AS pays the advance
  tax of Y on 15 February and 15 April of Y+1) up to the settlement's date;
posted entries and this module's own draft entries (counted and named in the computation), and the entries
planned in the same batch. The entry: Dr accrued / Cr advance tax / Cr restskatt (2510) or Dr the refund
receivable / the difference between assessed and accrued on 8309. The computation is written on the
document, line by line. Advance tax booked after the settlement corrects it (``settle_late_advance_tax``).
"""

from datetime import date

from ..altinn.parsers import DOC_TAX_SETTLEMENT
from ..altinn.parsers import accounts as acc
from ..exceptions import AltinnBookingRefusal
from .context import ZERO, EntryLine, to_decimal
from .keyed import CORRECTION, duplicate, find_keyed, next_key, tell_earlier
from .registry import Booker, register

VARIANTS = ("fastland", "svalbard", "petroleum")
SETTLEMENT = "settlement"


def settlement_key(year, variant="fastland"):
    return f"tax_settlement:{year}:{variant}"


def settlement_keys(year):
    return [settlement_key(year, variant) for variant in VARIANTS]


def _booked_lines(ctx, key):
    lines = ctx.batch.ledger(ctx.company).by_debt.get(key, [])
    return [line for line in lines if line.state == "booked"]


def _remainder(lines):
    return sum((to_decimal(line.booked_amount) for line in lines), ZERO)


def _split(ctx, before, after, name):
    """Entry lines taking the settlement's remainder from ``before`` to ``after``: restskatt on the assessed
    account (credit), til gode on the refund receivable (debit)."""
    lines = []
    owed = max(after, ZERO) - max(before, ZERO)
    refund = min(after, ZERO) - min(before, ZERO)
    if owed:
        lines.append(
            EntryLine(ctx.account(acc.ROLE_TAX_ASSESSED), -owed, ctx._("Restskatt %(what)s", what=name))
        )
    if refund:
        lines.append(
            EntryLine(
                ctx.account(acc.ROLE_TAX_RECEIVABLE), -refund, ctx._("Tax %(what)s to be refunded", what=name)
            )
        )
    return lines


def ledger_balance(ctx, account, date_from=None, date_to=None):
    """Debit minus credit on ``account`` between the dates: posted entries, this module's draft entries
    and the entries planned in this batch. Returns (balance, number of drafts, their balance)."""
    domain = [
        ("company_id", "=", ctx.company.id),
        ("account_id", "=", account.id),
        "|",
        ("parent_state", "=", "posted"),
        "&",
        ("parent_state", "=", "draft"),
        ("move_id.altinn_document_id", "!=", False),
    ]
    if date_from:
        domain.append(("date", ">=", date_from))
    if date_to:
        domain.append(("date", "<=", date_to))
    total = drafts = ZERO
    count = 0
    for state, balance, moves in ctx.env["account.move.line"]._read_group(
        domain, ["parent_state"], ["balance:sum", "move_id:count_distinct"]
    ):
        total += to_decimal(balance)
        if state == "draft":
            drafts += to_decimal(balance)
            count += moves
    planned = to_decimal(ctx.batch.planned_balance(ctx.company, account, date_from, date_to))
    if planned:
        total += planned
        drafts += planned
        count += 1
    return total, count, drafts


@register
class TaxSettlementBooker(Booker):
    doc_type = DOC_TAX_SETTLEMENT
    priority = 90  # after the advance tax of the same batch

    def lookups(self, parsed):
        year = parsed.data.income_year
        return {"keys": [settlement_key(year, parsed.data.variant)]} if year else {}

    def book(self, ctx):
        data = ctx.parsed.data
        notes = ctx.notices()
        year = data.income_year
        if not year:
            year = ctx.document_date.year - 1
            notes.append(
                ctx._("The document does not state the income year; %(year)s is assumed.", year=year)
            )
        key = settlement_key(year, data.variant)
        name = ctx._("Tax settlement %(year)s", year=year)
        line_vals = {
            "name": ctx._("Assessed tax %(year)s", year=year),
            "identifier": str(year),
            "amount": float(data.total_tax),
            "period": str(year),
            "debt_key": key,
        }
        booked = find_keyed(ctx, key)
        if booked:
            self._book_again(ctx, key, data.total_tax, name, line_vals)
        else:
            self._book_first(ctx, key, year, data.total_tax, name, line_vals, notes)
        ctx.outcome.notes += notes

    def _book_first(self, ctx, key, year, assessed, name, line_vals, notes):
        accrued_account = ctx.account(acc.ROLE_TAX_ACCRUED)
        advance_account = ctx.account(acc.ROLE_ADVANCE_TAX)
        difference_account = ctx.account(acc.ROLE_TAX_PRIOR_YEAR)
        year_end, next_year = date(year, 12, 31), date(year + 1, 1, 1)
        entry_date = max(ctx.document_date, next_year)
        balance, accrued_drafts, _amount = ledger_balance(ctx, accrued_account, date_to=year_end)
        accrued = -balance  # a credit balance
        advance, advance_drafts, _amount = ledger_balance(ctx, advance_account, next_year, entry_date)
        if not accrued and not advance:
            raise AltinnBookingRefusal(
                ctx._(
                    "Tax settlement %(year)s: no accrued tax is found on %(accrued)s at %(year_end)s and no "
                    "advance tax on %(advance)s from %(from)s to %(to)s, so the balances of the income year "
                    "cannot be settled. Post the year-end accrual (or map "
                    "the accounts your practice uses in the "
                    "Altinn account mapping), then process the document again; nothing is booked.",
                    year=year,
                    accrued=accrued_account.display_name,
                    year_end=ctx.day(year_end),
                    advance=advance_account.display_name,
                    **{"from": ctx.day(next_year)},
                    to=ctx.day(entry_date),
                )
            )
        remainder = assessed - advance  # > 0 restskatt, < 0 til gode
        difference = assessed - accrued  # > 0 too little accrued
        lines = [
            EntryLine(accrued_account, accrued, ctx._("Accrued tax %(year)s cleared", year=year)),
            EntryLine(advance_account, -advance, ctx._("Advance tax %(year)s cleared", year=year)),
            EntryLine(
                difference_account, difference, ctx._("Tax %(year)s: assessed less accrued", year=year)
            ),
            *_split(ctx, ZERO, remainder, str(year)),
        ]
        computation = [
            ctx._("Assessed tax %(year)s: %(amount)s.", year=year, amount=ctx.money(assessed)),
            ctx._(
                "Accrued tax on %(account)s at %(date)s: %(amount)s.",
                account=accrued_account.code,
                date=ctx.day(year_end),
                amount=ctx.money(accrued),
            ),
            ctx._(
                "Advance tax on %(account)s from %(from)s to %(to)s: %(amount)s.",
                account=advance_account.code,
                to=ctx.day(entry_date),
                amount=ctx.money(advance),
                **{"from": ctx.day(next_year)},
            ),
            ctx._(
                "Assessed less accrued, on %(account)s: %(amount)s.",
                account=difference_account.code,
                amount=ctx.money(difference),
            ),
            ctx._(
                "Restskatt to pay, on %(account)s: %(amount)s.",
                account=ctx.account(acc.ROLE_TAX_ASSESSED).code,
                amount=ctx.money(remainder),
            )
            if remainder >= 0
            else ctx._(
                "Tax to be refunded, on %(account)s: %(amount)s.",
                account=ctx.account(acc.ROLE_TAX_RECEIVABLE).code,
                amount=ctx.money(-remainder),
            ),
        ]
        if accrued_drafts or advance_drafts:
            computation.append(
                ctx._(
                    "Unposted entries made from Altinn are included: %(count)s on the accrued-tax and "
                    "advance-tax accounts.",
                    count=accrued_drafts + advance_drafts,
                )
            )
        move = ctx.entry(lines, date=entry_date, ref=name, extra=computation + notes)
        if move is None:
            ctx.line(SETTLEMENT, state="recorded", note=ctx._("Nothing to book."), **line_vals)
            ctx.outcome.informational = True
        else:
            ctx.booked(
                SETTLEMENT,
                key,
                move,
                ctx.account(acc.ROLE_TAX_ASSESSED),
                booked_amount=float(remainder),
                open_amount=float(remainder),
                **line_vals,
            )
        # The computation, line by line, on the document.
        figures = [
            (accrued_account.code, accrued, computation[1]),
            (advance_account.code, advance, computation[2]),
            (difference_account.code, difference, computation[3]),
            (
                ctx.account(acc.ROLE_TAX_ASSESSED if remainder >= 0 else acc.ROLE_TAX_RECEIVABLE).code,
                remainder,
                computation[4],
            ),
        ]
        for sequence, (code, amount, text) in enumerate(figures, start=2):
            ctx.line(
                SETTLEMENT,
                state="recorded",
                sequence=sequence,
                name=text,
                identifier=str(year),
                amount=float(amount),
                account_code=code,
                period=str(year),
            )
        ctx.outcome.notes += computation

    def _book_again(self, ctx, key, assessed, name, line_vals):
        """A settlement of the same income year again: the same tax is a duplicate, another one a change."""
        lines = sorted(_booked_lines(ctx, key), key=lambda line: line.document_date or ctx.document_date)
        latest = lines[-1]
        if to_decimal(latest.amount) == assessed:
            duplicate(ctx, SETTLEMENT, latest, name, **line_vals)
            return
        if latest.document_date and ctx.document_date < latest.document_date:
            note = ctx._(
                "%(what)s: this document says %(amount)s, but %(booked)s was booked from the newer document "
                "%(document)s; not booked.",
                what=name,
                amount=ctx.money(assessed),
                booked=ctx.money(latest.amount),
                document=latest.document_id.display_name,
            )
            ctx.outcome.duplicates += 1
            ctx.note(note)
            ctx.line(SETTLEMENT, state="skipped", note=note, **line_vals)
            return
        change = assessed - to_decimal(latest.amount)
        before = _remainder(lines)
        text = ctx._(
            "%(what)s changed from %(old)s to %(new)s by Altinn "
            "document %(document)s: the difference %(diff)s "
            "is booked as its own draft entry.",
            what=name,
            old=ctx.money(latest.amount),
            new=ctx.money(assessed),
            document=ctx.doc.display_name,
            diff=ctx.money(change),
        )
        entry_lines = [
            EntryLine(ctx.account(acc.ROLE_TAX_PRIOR_YEAR), change, name),
            *_split(ctx, before, before + change, line_vals["identifier"]),
        ]
        move = ctx.entry(
            entry_lines, date=ctx.document_date, ref=ctx._("Correction: %(ref)s", ref=name), extra=[text]
        )
        ctx.booked(
            CORRECTION,
            next_key(ctx, key),
            move,
            ctx.account(acc.ROLE_TAX_ASSESSED),
            booked_amount=float(change),
            duplicate_of_id=latest,
            note=text,
            **line_vals,
        )
        ctx.note(text)
        tell_earlier(ctx, lines, text)


def settle_late_advance_tax(ctx, income_year, line, what):
    """Advance tax of ``income_year`` booked after its settlement: clear it against the settlement."""
    if line is None or line.state != "booked" or not line.booked_amount:
        return
    for key in settlement_keys(income_year):
        settled = find_keyed(ctx, key)
        if settled:
            break
    else:
        return
    change = to_decimal(line.booked_amount)
    lines = _booked_lines(ctx, key)
    before = _remainder(lines)
    name = ctx._("Tax settlement %(year)s", year=income_year)
    text = ctx._(
        "%(what)s (Altinn document %(document)s) was booked after the "
        "tax settlement %(year)s (%(settlement)s): "
        "%(amount)s is cleared from the advance tax against the settlement's remainder.",
        what=what,
        document=ctx.doc.display_name,
        year=income_year,
        settlement=settled.document_id.display_name,
        amount=ctx.money(change),
    )
    move = ctx.entry(
        [
            EntryLine(
                ctx.account(acc.ROLE_ADVANCE_TAX),
                -change,
                ctx._("Advance tax %(year)s cleared", year=income_year),
            ),
            *_split(ctx, before, before - change, str(income_year)),
        ],
        date=max(ctx.document_date, settled.document_date or ctx.document_date),
        ref=ctx._("Correction: %(ref)s", ref=name),
        extra=[text],
    )
    ctx.booked(
        CORRECTION,
        next_key(ctx, key),
        move,
        ctx.account(acc.ROLE_ADVANCE_TAX),
        name=name,
        identifier=str(income_year),
        amount=float(to_decimal(settled.amount)),
        booked_amount=float(-change),
        debt_key=key,
        duplicate_of_id=settled,
        period=str(income_year),
        note=text,
    )
    ctx.note(text)
    tell_earlier(ctx, [settled], text)
