# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""MVA-melding: compared with the ledger when VAT is closed in Odoo, booked as the term's closing when VAT is
filed outside Odoo (each line from the account of the l10n_no tax with its VAT code to the settlement
account). A kompensasjon return uses the compensation settlement account (1654) instead of 2740.

The return's own KID is the company's KID for receiving a refund: it is kept as such (refund KID), never as
the payment reference of an entry.
"""

import re
from collections import defaultdict

from odoo.tools import html2plaintext

from ..altinn.parsers import DOC_MVA_RETURN
from ..altinn.parsers import accounts as acc
from ..exceptions import AltinnBookingRefusal
from .batch import PendingMove
from .context import ZERO, EntryLine, to_decimal
from .keyed import CORRECTION, duplicate, find_keyed, next_key, tell_earlier
from .registry import Booker, register
from .vat_payment import COMPENSATION

_TAX_CODE = re.compile(r"^\s*(\d{1,3})\b")
KIND = "vat_return"


def closing_key(data):
    return f"vat_closing:{data.period_start}:{data.period_end}:{data.category or ''}"


def settlement_role(data):
    return acc.ROLE_VAT_COMPENSATION if data.category == COMPENSATION else acc.ROLE_VAT_SETTLEMENT


@register
class MvaReturnBooker(Booker):
    doc_type = DOC_MVA_RETURN

    def lookups(self, parsed):
        return {"keys": [closing_key(parsed.data)]}

    def book(self, ctx):
        if ctx.company.altinn_vat_mode == "external":
            self._book_closing(ctx)
        else:
            self._compare(ctx)

    # ------------------------------------------------------------------
    # VAT closed in Odoo: compare
    # ------------------------------------------------------------------
    def _compare(self, ctx):
        data = ctx.parsed.data
        settlement = ctx.account(settlement_role(data))
        ledger = self._ledger_amount(ctx, settlement, data.period_start, data.period_end)
        difference = data.total - ledger
        label = f"{data.period_name} {data.period_year}"
        if difference:
            note = ctx._(
                "VAT %(period)s: the return says %(return)s, account %(code)s shows %(ledger)s for the "
                "period (posted entries, payments excluded): difference %(diff)s.",
                period=label,
                code=settlement.code,
                ledger=ctx.money(ledger),
                diff=ctx.money(difference),
                **{"return": ctx.money(data.total)},
            )
        else:
            note = ctx._(
                "VAT %(period)s: the return's %(return)s matches account %(code)s for the period.",
                period=label,
                code=settlement.code,
                **{"return": ctx.money(data.total)},
            )
        ctx.line(
            KIND,
            state="recorded",
            name=ctx._("VAT return %(period)s", period=label),
            identifier=label,
            amount=float(data.total),
            open_amount=float(difference),
            account_code=settlement.code,
            refund_kid=data.refund_kid or False,
            period=label,
            note=note,
        )
        ctx.outcome.informational = True
        ctx.note(note)
        ctx.outcome.document_vals.update(
            {
                "vat_return_amount": float(data.total),
                "vat_ledger_amount": float(ledger),
                "vat_difference": float(difference),
                "vat_checked": True,
            }
        )

    def _ledger_amount(self, ctx, account, start, end):
        """VAT closed in Odoo for the period: the credit balance on the settlement account.

        Payments (bank/cash journals) and the entries this module makes from payment information are left
        out, so only the closing of the period itself is compared.
        """
        lines = ctx.env["account.move.line"].search(
            [
                ("company_id", "=", ctx.company.id),
                ("account_id", "=", account.id),
                ("parent_state", "=", "posted"),
                ("date", ">=", start),
                ("date", "<=", end),
                ("journal_id.type", "not in", ("bank", "cash")),
                ("move_id.altinn_document_id", "=", False),
            ]
        )
        # A payment booked by hand in a miscellaneous journal still touches a bank account.
        lines = lines.filtered(
            lambda line: not any(
                other.account_id.account_type == "asset_cash" for other in line.move_id.line_ids
            )
        )
        return -to_decimal(sum(lines.mapped("balance")))

    # ------------------------------------------------------------------
    # VAT filed outside Odoo: the closing entry
    # ------------------------------------------------------------------
    def _book_closing(self, ctx):
        data = ctx.parsed.data
        label = f"{data.period_name} {data.period_year}"
        key = closing_key(data)
        line_vals = {
            "name": ctx._("VAT return %(period)s", period=label),
            "identifier": label,
            "amount": float(data.total),
            "refund_kid": data.refund_kid or False,
            "period": label,
            "debt_key": key,
        }
        settlement = ctx.account(settlement_role(data))
        amounts = self._closing_amounts(ctx, data, settlement)
        booked = find_keyed(ctx, key)
        if booked:
            self._book_changed_closing(ctx, key, booked, amounts, label, line_vals)
            return
        lines = [EntryLine(account, amount, name) for (account, name), amount in amounts.items()]
        extra = ctx.notices()
        # The closing belongs to the term: dated its last day, so the settlement account per term matches.
        move = ctx.entry(
            lines, date=data.period_end, ref=ctx._("VAT closing %(period)s", period=label), extra=extra
        )
        if not move:
            ctx.line(KIND, state="recorded", note=ctx._("No VAT in the return."), **line_vals)
            ctx.outcome.informational = True
            return
        ctx.booked(KIND, key, move, settlement, booked_amount=float(data.total), **line_vals)
        ctx.outcome.notes += extra

    def _closing_amounts(self, ctx, data, settlement):
        """{(account, label): amount} of the closing entry: each line's VAT off its tax account, the net to
        the settlement account."""
        label = f"{data.period_name} {data.period_year}"
        amounts = defaultdict(lambda: ZERO)
        code_accounts = {}
        for mva_line in data.lines:
            if not mva_line.vat:
                continue
            if mva_line.mva_code not in code_accounts:
                code_accounts[mva_line.mva_code] = self._code_accounts(ctx, mva_line.mva_code)
            output, input_ = code_accounts[mva_line.mva_code]
            account = (output or input_) if mva_line.vat > 0 else (input_ or output)
            if not account:
                raise AltinnBookingRefusal(
                    ctx._(
                        "The tax with VAT code %(code)s in %(company)s has "
                        "no tax account, but the VAT return "
                        "has %(amount)s on it.",
                        code=mva_line.mva_code,
                        company=ctx.company.display_name,
                        amount=ctx.money(mva_line.vat),
                    )
                )
            # The return's own words for the line (not translated), after the code.
            words = (mva_line.internal_code, mva_line.specification)
            details = "".join(f", {text}" for text in words if text)
            if mva_line.base is None:
                name = ctx._(
                    "%(period)s: VAT code %(code)s%(details)s",
                    period=label,
                    code=mva_line.mva_code,
                    details=details,
                )
            else:
                name = ctx._(
                    "%(period)s: VAT code %(code)s%(details)s, base %(base)s",
                    period=label,
                    code=mva_line.mva_code,
                    details=details,
                    base=ctx.money(mva_line.base),
                )
            # Closing moves each tax account's balance to the settlement account: output VAT (credit balance)
            # is debited, deductible VAT (debit balance, negative in the return) credited.
            amounts[(account, name)] += mva_line.vat
        amounts[(settlement, ctx._("VAT %(period)s, net", period=label))] -= data.total
        return amounts

    def _book_changed_closing(self, ctx, key, booked, amounts, label, line_vals):
        """The term's return again: the same return is a duplicate, a corrected one books the difference of
        each account against the closing booked before."""
        data = ctx.parsed.data
        lines = [
            line for line in ctx.batch.ledger(ctx.company).by_debt.get(key, []) if line.state == "booked"
        ]
        latest = sorted(lines, key=lambda line: line.document_date or ctx.document_date)[-1]
        if to_decimal(latest.amount) == data.total:
            duplicate(ctx, KIND, latest, ctx._("The VAT return %(period)s", period=label), **line_vals)
            return
        by_account = defaultdict(lambda: ZERO)
        for (account, _name), amount in amounts.items():
            by_account[account] += amount
        for line in lines:
            balances = _move_balances(ctx, line.move_id)
            if balances is None:
                note = ctx._(
                    "The VAT return %(period)s was changed, but the "
                    "closing entry booked before is gone: book "
                    "the difference by hand.",
                    period=label,
                )
                ctx.outcome.informational = True
                ctx.note(note)
                ctx.line(KIND, state="skipped", note=note, **line_vals)
                return
            for account, balance in balances:
                by_account[account] -= balance
        text = ctx._(
            "The VAT return %(period)s was corrected by Altinn document "
            "%(document)s (%(old)s to %(new)s): the "
            "difference of each account is booked as its own draft entry.",
            period=label,
            document=ctx.doc.display_name,
            old=ctx.money(latest.amount),
            new=ctx.money(data.total),
        )
        entry_lines = [
            EntryLine(account, amount, ctx._("Correction VAT %(period)s", period=label))
            for account, amount in by_account.items()
            if amount
        ]
        move = ctx.entry(
            entry_lines,
            date=data.period_end,
            ref=ctx._("Correction: VAT closing %(period)s", period=label),
            extra=[text],
        )
        ctx.booked(
            CORRECTION,
            next_key(ctx, key),
            move,
            ctx.account(settlement_role(data)),
            booked_amount=float(data.total - to_decimal(latest.amount)),
            duplicate_of_id=latest,
            note=text,
            **line_vals,
        )
        ctx.note(text)
        tell_earlier(ctx, lines, text)

    def _code_accounts(self, ctx, code):
        """(output account, input account) of the l10n_no tax(es) with this standard VAT code."""
        company = ctx.company
        Tax = ctx.env["account.tax"].with_company(company).with_context(active_test=False)
        taxes = ctx.batch.memo(
            ("taxes", company.id), lambda: Tax.search([*Tax._check_company_domain(company)])
        )
        taxes = taxes.filtered(lambda t: _tax_code_of(t) == str(code))
        if taxes.filtered("active"):
            taxes = taxes.filtered("active")
        if not taxes:
            raise AltinnBookingRefusal(
                ctx._(
                    "No tax with VAT code %(code)s exists in %(company)s, "
                    "so the line of the VAT return cannot "
                    "be placed on its tax account. Load the Norwegian taxes (l10n_no) or book the return by "
                    "hand.",
                    code=code,
                    company=company.display_name,
                )
            )
        outputs, inputs = set(), set()
        for tax in taxes:
            for rep in tax.invoice_repartition_line_ids.filtered(
                lambda r: r.repartition_type == "tax" and r.account_id
            ):
                if tax.type_tax_use == "sale" or rep.factor_percent < 0:
                    outputs.add(rep.account_id)
                else:
                    inputs.add(rep.account_id)
        if len(outputs) > 1 or len(inputs) > 1:
            raise AltinnBookingRefusal(
                ctx._(
                    "The taxes with VAT code %(code)s in %(company)s post "
                    "to different accounts (%(accounts)s); "
                    "the VAT return line cannot be placed without guessing.",
                    code=code,
                    company=company.display_name,
                    accounts=", ".join(sorted(a.display_name for a in outputs | inputs)),
                )
            )
        return (next(iter(outputs), None), next(iter(inputs), None))


def _move_balances(ctx, move):
    """[(account, debit − credit)] of a booked entry (planned in this batch or stored); None when gone."""
    if isinstance(move, PendingMove):
        Account = ctx.env["account.account"]
        return [
            (Account.browse(values["account_id"]), to_decimal(values["debit"] - values["credit"]))
            for _command, _id, values in move.vals["line_ids"]
        ]
    if not move:
        return None
    return [(line.account_id, to_decimal(line.balance)) for line in move.line_ids]


def _tax_code_of(tax):
    if "l10n_no_standard_code" in tax._fields and tax.l10n_no_standard_code:
        return str(tax.l10n_no_standard_code).strip()
    match = _TAX_CODE.match(html2plaintext(tax.description or "") if tax.description else "")
    return match.group(1) if match else None
