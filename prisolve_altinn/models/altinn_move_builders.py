# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Journal entries from parsed Skatteetaten documents (one method per document type).

Amounts stay ``Decimal`` (øre) until the entry is written; a line amount is signed: positive = debit.
Every account comes from the company's Altinn account mapping or, for the VAT closing, from the l10n_no tax
with the return's VAT code: a missing or doubtful account refuses the whole document.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.tools import format_amount, html2plaintext

from ..altinn.parsers import DOC_ADVANCE_TAX, DOC_TAX_CLAIMS, DOC_VAT_PAYMENT
from ..altinn.parsers import accounts as acc
from ..altinn.parsers import base as p
from .altinn_account_map import AltinnBookingRefusal

ZERO = Decimal("0.00")
_TAX_CODE = re.compile(r"^\s*(\d{1,3})\b")


# Booking keys: what makes an entry unique per company for good (see altinn.document.line).
def _vat_payment_key(data):
    return f"vat_payment:{data.period_start}:{data.period_end}:{data.kid}"


def _claim_key(claim):
    return f"claim:{claim.claim_id}"


def _advance_tax_key(data, instalment):
    return f"advance_tax:{data.income_year}:{instalment.number}"


@dataclass
class EntryLine:
    account: object  # account.account record
    amount: Decimal  # positive = debit, negative = credit
    name: str
    date_maturity: date | None = None


@dataclass
class Outcome:
    """What booking one parsed document did."""

    moves: list = field(default_factory=list)  # PendingMove, in the order they were planned
    booked: int = 0
    duplicates: int = 0
    informational: bool = False  # something useful was recorded without an entry
    notes: list = field(default_factory=list)
    document_vals: dict = field(default_factory=dict)

    def merge(self, other):
        self.moves += other.moves
        self.booked += other.booked
        self.duplicates += other.duplicates
        self.informational = self.informational or other.informational
        self.notes += other.notes
        self.document_vals.update(other.document_vals)


class AltinnMoveBuilder(models.AbstractModel):
    _name = "altinn.move.builder"
    _description = "Altinn journal entry builder"

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _lang(self):
        return self.env.lang or "en_US"

    def _is_nb(self):
        return self._lang().startswith(("nb", "no", "nn"))

    def _money(self, company, amount):
        return format_amount(self.env, float(amount), company.currency_id)

    def _account(self, batch, company, role):
        return batch.memo(
            ("account", company.id, role),
            lambda: self.env["altinn.account.map"]._altinn_account(company, role),
        )

    def _outcome(self):
        return Outcome()

    def _document_date(self, doc, parsed):
        if parsed.document_date:
            return parsed.document_date
        if doc.date_created:
            return fields.Datetime.context_timestamp(doc, doc.date_created).date()
        return fields.Date.context_today(doc)

    def _booking_lookups(self, parsed):
        """The booking keys and KIDs that booking ``parsed`` looks up, so a batch asks for all of its
        documents in one query. Only a cache: a lookup missing here is asked for on its own."""
        keys, kids = [], []
        for document in [parsed, *parsed.related]:
            data = document.data
            if document.doc_type == DOC_VAT_PAYMENT:
                keys.append(_vat_payment_key(data))
                kids.append(data.kid)
            elif document.doc_type == DOC_TAX_CLAIMS:
                for claim in data.claims:
                    keys.append(_claim_key(claim))
                    kids += [instalment.kid for instalment in claim.instalments]
                kids += [payment.kid for payment in data.payments]
            elif document.doc_type == DOC_ADVANCE_TAX:
                for instalment in data.instalments:
                    keys.append(_advance_tax_key(data, instalment))
                    kids.append(instalment.kid)
        return [key for key in keys if key], [kid for kid in kids if kid]

    def _already_booked(self, batch, doc, key=None, kids=()):
        """The booked line that makes this one a duplicate (same key, or the same KID from another source):
        planned earlier in this batch, or in the database. ``None`` when there is none."""
        company = doc.company_id
        kids = [kid for kid in kids if kid]
        planned = batch.booked(company, key=key)
        for kid in kids:
            planned = planned or batch.booked(company, kid=kid)
        if planned and (planned.vals.get("booking_key") == key or not key):
            return planned
        # A key booked earlier wins over a KID planned in this batch, as it would one by one.
        found = batch.prefetched_booked(company, key, kids)
        if found is None:
            found = self.env["altinn.document.line"]._altinn_booked(company, key=key, kids=kids)
        return found or planned

    def _duplicate_note(self, doc, booked, what, amount=None):
        move = booked.move_id
        move_text = f" ({move.display_name})" if move else ""
        note = self.env._(
            "%(what)s is already booked from Altinn document %(document)s%(move)s; not booked again.",
            what=what,
            document=booked.document_id.display_name,
            move=move_text,
        )
        if amount is not None and round(booked.amount - float(amount), 2):
            note += " " + self.env._(
                "It was booked with %(old)s, this document says %(new)s: adjust by hand.",
                old=self._money(doc.company_id, Decimal(str(booked.amount))),
                new=self._money(doc.company_id, amount),
            )
        return note

    def _narration(self, doc, parsed, extra=None):
        service = (", " + self.env._("service %(code)s", code=doc.service_code)) if doc.service_code else ""
        transport = dict(doc._fields["transport"]._description_selection(self.env)).get(doc.transport, "")
        text = self.env._(
            'Made from Altinn item %(reference)s "%(title)s" (%(transport)s%(service)s, file %(file)s): '
            "%(summary)s",
            reference=doc.reference,
            title=doc.title or "",
            transport=transport,
            service=service,
            file=parsed.source_file or "-",
            summary=(parsed.summary_nb if self._is_nb() and parsed.summary_nb else parsed.summary),
        )
        body = Markup("<p>%s</p>") % text
        for line in extra or []:
            body += Markup("<p>%s</p>") % line
        return body

    def _create_entry(
        self, batch, doc, parsed, entry_lines, *, date, ref, kid=None, bank_account=None, extra=None
    ):
        """Plan one balanced draft entry with the document's files attached (``None``: nothing to book)."""
        company = doc.company_id
        entry_lines = [line for line in entry_lines if line.amount]
        if not entry_lines:
            return None
        total = sum((line.amount for line in entry_lines), ZERO)
        if total != ZERO:
            raise AltinnBookingRefusal(
                self.env._(
                    "The entry for %(ref)s does not balance (difference %(diff)s); nothing is booked.",
                    ref=ref,
                    diff=self._money(company, total),
                )
            )
        partner = batch.memo(("tax_partner", company.id), company._altinn_tax_partner)
        journal = batch.memo(("journal", company.id), company._altinn_booking_journal)
        bank = None
        if bank_account:
            bank = batch.memo(
                ("bank", company.id, bank_account),
                lambda: company._altinn_partner_bank(partner, bank_account),
            )
        vals = {
            "move_type": "entry",
            "company_id": company.id,
            "journal_id": journal.id,
            "date": date,
            "ref": ref,
            "partner_id": partner.id,
            "payment_reference": kid or False,
            "narration": self._narration(doc, parsed, extra),
            "altinn_document_id": doc.id,
            "line_ids": [
                Command.create(
                    {
                        "account_id": line.account.id,
                        "partner_id": partner.id,
                        "name": line.name,
                        "debit": float(line.amount) if line.amount > 0 else 0.0,
                        "credit": float(-line.amount) if line.amount < 0 else 0.0,
                        "date_maturity": line.date_maturity or False,
                    }
                )
                for line in entry_lines
            ],
        }
        if bank:
            vals["partner_bank_id"] = bank.id
        return batch.add_move(vals, self._voucher_files(batch.files(doc)))

    def _voucher_files(self, files):
        """The files an entry carries as its voucher (bilag): the document's PDFs, the letter or receipt a
        person reads; its other files when it has none. The ledger document keeps all of them."""
        pdfs = [file for file in files if file.mimetype == "application/pdf"]
        return pdfs or files

    def _attach_files(self, doc, record):
        """Copy the document's files (not Altinn's own description) onto ``record``."""
        attachments = doc.attachment_ids.filtered(lambda a: a != doc.raw_attachment_id).sorted("id")
        copies = self.env["ir.attachment"]
        for attachment in attachments:
            copies |= attachment.sudo().copy({"res_model": record._name, "res_id": record.id})
        return copies.sudo(False)

    def _line(self, batch, doc, kind, **vals):
        return batch.add_line(doc, {"document_id": doc.id, "kind": kind, **vals})

    def _record_booked(self, batch, outcome, doc, kind, key, move, account, **vals):
        """Record what the document said as a booked line and count its entry."""
        self._line(
            batch,
            doc,
            kind,
            state="booked",
            booking_key=key,
            move_id=move,
            account_code=account.code,
            **vals,
        )
        outcome.moves.append(move)
        outcome.booked += 1

    # ------------------------------------------------------------------
    # 1. VAT payment information (betalingsinformasjon)
    # ------------------------------------------------------------------
    def _book_vat_payment(self, batch, doc, parsed):
        data: p.VatPayment = parsed.data
        company = doc.company_id
        outcome = self._outcome()
        label = f"{data.period_name} {data.period_year}"
        line_vals = {
            "name": self.env._("VAT %(period)s", period=label),
            "identifier": data.submission_reference or label,
            "amount": float(data.amount),
            "due_date": data.due_date,
            "kid": data.kid,
            "bank_account": data.account,
        }
        if not data.amount:
            self._line(
                batch,
                doc,
                "vat_payment",
                state="recorded",
                **line_vals,
                note=self.env._("Nothing to pay or refund."),
            )
            outcome.informational = True
            outcome.notes.append(self.env._("VAT %(period)s: nothing to pay or refund.", period=label))
            return outcome
        key = _vat_payment_key(data)
        booked = self._already_booked(batch, doc, key, kids=[data.kid])
        if booked:
            note = self._duplicate_note(doc, booked, self.env._("VAT %(period)s", period=label), data.amount)
            self._line(
                batch, doc, "vat_payment", state="duplicate", duplicate_of_id=booked, note=note, **line_vals
            )
            outcome.duplicates += 1
            outcome.notes.append(note)
            return outcome
        settlement = self._account(batch, company, acc.ROLE_VAT_SETTLEMENT)
        kid_text = self.env._(
            "KID %(kid)s, due %(date)s", kid=data.kid, date=data.due_date.strftime("%d.%m.%Y")
        )
        if data.amount > 0:
            counterpart = self._account(batch, company, acc.ROLE_PAYABLE)
            name = self.env._("VAT %(period)s to pay", period=label)
        else:
            counterpart = self._account(batch, company, acc.ROLE_TAX_RECEIVABLE)
            name = self.env._("VAT %(period)s to be refunded", period=label)
        lines = [
            EntryLine(settlement, data.amount, name),
            EntryLine(counterpart, -data.amount, f"{name} – {kid_text}", data.due_date),
        ]
        notes = [n.text(self._lang()) for n in parsed.notices]
        if not data.kid_valid:
            notes.append(
                self.env._(
                    "The KID %(kid)s fails the MOD10/MOD11 check; verify it before paying.", kid=data.kid
                )
            )
        move = self._create_entry(
            batch,
            doc,
            parsed,
            lines,
            date=self._document_date(doc, parsed),
            ref=self.env._("VAT %(period)s", period=label),
            kid=data.kid,
            bank_account=data.account,
            extra=notes,
        )
        self._record_booked(
            batch,
            outcome,
            doc,
            "vat_payment",
            key,
            move,
            counterpart,
            **line_vals,
        )
        outcome.notes += notes
        return outcome

    # ------------------------------------------------------------------
    # 2. MVA-melding
    # ------------------------------------------------------------------
    def _book_mva_return(self, batch, doc, parsed):
        if doc.company_id.altinn_vat_mode == "external":
            return self._book_mva_closing(batch, doc, parsed)
        return self._compare_mva_return(batch, doc, parsed)

    def _vat_ledger_amount(self, company, account, start, end):
        """VAT closed in Odoo for the period: the credit balance on the settlement account.

        Payments (bank/cash journals) and the entries this module makes from payment information are left out,
        so only the closing of the period itself is compared.
        """
        lines = self.env["account.move.line"].search(
            [
                ("company_id", "=", company.id),
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
            lambda line: (
                not any(other.account_id.account_type == "asset_cash" for other in line.move_id.line_ids)
            )
        )
        balance = sum(lines.mapped("balance"))
        return -Decimal(str(round(balance, 2))).quantize(Decimal("0.01"))

    def _compare_mva_return(self, batch, doc, parsed):
        data: p.MvaReturn = parsed.data
        company = doc.company_id
        outcome = self._outcome()
        settlement = self._account(batch, company, acc.ROLE_VAT_SETTLEMENT)
        ledger = self._vat_ledger_amount(company, settlement, data.period_start, data.period_end)
        difference = data.total - ledger
        label = f"{data.period_name} {data.period_year}"
        if difference:
            note = self.env._(
                "VAT %(period)s: the return says %(return)s, account %(code)s shows %(ledger)s for the "
                "period (posted entries, payments excluded): difference %(diff)s.",
                period=label,
                **{"return": self._money(company, data.total)},
                code=settlement.code,
                ledger=self._money(company, ledger),
                diff=self._money(company, difference),
            )
        else:
            note = self.env._(
                "VAT %(period)s: the return's %(return)s matches account %(code)s for the period.",
                period=label,
                **{"return": self._money(company, data.total)},
                code=settlement.code,
            )
        self._line(
            batch,
            doc,
            "vat_return",
            state="recorded",
            name=self.env._("VAT return %(period)s", period=label),
            identifier=label,
            amount=float(data.total),
            open_amount=float(difference),
            account_code=settlement.code,
            kid=data.kid or False,
            note=note,
        )
        outcome.informational = True
        outcome.notes.append(note)
        outcome.document_vals.update(
            {
                "vat_return_amount": float(data.total),
                "vat_ledger_amount": float(ledger),
                "vat_difference": float(difference),
                "vat_checked": True,
            }
        )
        return outcome

    def _tax_code_of(self, tax):
        if "l10n_no_standard_code" in tax._fields and tax.l10n_no_standard_code:
            return str(tax.l10n_no_standard_code).strip()
        match = _TAX_CODE.match(html2plaintext(tax.description or "") if tax.description else "")
        return match.group(1) if match else None

    @api.model
    def _vat_code_accounts(self, company, code):
        """(output account, input account) of the l10n_no tax(es) with this standard VAT code."""
        Tax = self.env["account.tax"].with_company(company).with_context(active_test=False)
        taxes = Tax.search([*Tax._check_company_domain(company)]).filtered(
            lambda t: self._tax_code_of(t) == str(code)
        )
        if taxes.filtered("active"):
            taxes = taxes.filtered("active")
        if not taxes:
            raise AltinnBookingRefusal(
                self.env._(
                    "No tax with VAT code %(code)s exists in %(company)s, so the line of the VAT return "
                    "cannot be placed on its tax account. Load the Norwegian taxes (l10n_no) or book the "
                    "return by hand.",
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
            names = ", ".join(sorted(a.display_name for a in outputs | inputs))
            raise AltinnBookingRefusal(
                self.env._(
                    "The taxes with VAT code %(code)s in %(company)s post to different accounts "
                    "(%(accounts)s); the VAT return line cannot be placed without guessing.",
                    code=code,
                    company=company.display_name,
                    accounts=names,
                )
            )
        return (next(iter(outputs), None), next(iter(inputs), None))

    def _book_mva_closing(self, batch, doc, parsed):
        data: p.MvaReturn = parsed.data
        company = doc.company_id
        outcome = self._outcome()
        label = f"{data.period_name} {data.period_year}"
        key = f"mva_return:{data.period_start}:{data.period_end}:{data.category or ''}"
        line_vals = {
            "name": self.env._("VAT return %(period)s", period=label),
            "identifier": label,
            "amount": float(data.total),
            "kid": data.kid or False,
        }
        booked = self._already_booked(batch, doc, key)
        if booked:
            note = self._duplicate_note(
                doc, booked, self.env._("The VAT return %(period)s", period=label), data.total
            )
            self._line(
                batch, doc, "vat_return", state="duplicate", duplicate_of_id=booked, note=note, **line_vals
            )
            outcome.duplicates += 1
            outcome.notes.append(note)
            return outcome
        settlement = self._account(batch, company, acc.ROLE_VAT_SETTLEMENT)
        lines = []
        code_accounts = {}
        for mva_line in data.lines:
            if not mva_line.vat:
                continue
            if mva_line.mva_code not in code_accounts:
                code_accounts[mva_line.mva_code] = self._vat_code_accounts(company, mva_line.mva_code)
            output, input_ = code_accounts[mva_line.mva_code]
            if mva_line.vat > 0:
                account = output or input_
            else:
                account = input_ or output
            if not account:
                raise AltinnBookingRefusal(
                    self.env._(
                        "The tax with VAT code %(code)s in %(company)s has no tax account, but the VAT "
                        "return has %(amount)s on it.",
                        code=mva_line.mva_code,
                        company=company.display_name,
                        amount=self._money(company, mva_line.vat),
                    )
                )
            parts = [self.env._("VAT code %(code)s", code=mva_line.mva_code)]
            if mva_line.internal_code:
                parts.append(mva_line.internal_code)
            if mva_line.specification:
                parts.append(mva_line.specification)
            if mva_line.base is not None:
                parts.append(self.env._("base %(base)s", base=self._money(company, mva_line.base)))
            # Closing moves each tax account's balance to the settlement account: output VAT (credit
            # balance) is debited, deductible VAT (debit balance, negative in the return) credited.
            lines.append(EntryLine(account, mva_line.vat, f"{label}: " + ", ".join(parts)))
        lines.append(EntryLine(settlement, -data.total, self.env._("VAT %(period)s, net", period=label)))
        extra = [n.text(self._lang()) for n in parsed.notices]
        # The closing belongs to the term: dated its last day, so the settlement account per term matches.
        move = self._create_entry(
            batch,
            doc,
            parsed,
            lines,
            date=data.period_end,
            ref=self.env._("VAT closing %(period)s", period=label),
            kid=data.kid,
            extra=extra,
        )
        if not move:
            self._line(
                batch,
                doc,
                "vat_return",
                state="recorded",
                note=self.env._("No VAT in the return."),
                **line_vals,
            )
            outcome.informational = True
            return outcome
        self._record_booked(
            batch,
            outcome,
            doc,
            "vat_return",
            key,
            move,
            settlement,
            **line_vals,
        )
        outcome.notes += extra
        return outcome

    # ------------------------------------------------------------------
    # 3. Krav og betalinger
    # ------------------------------------------------------------------
    def _book_tax_claims(self, batch, doc, parsed):
        data: p.TaxClaims = parsed.data
        company = doc.company_id
        outcome = self._outcome()
        payable = None
        unknown = []
        base_date = self._document_date(doc, parsed)
        # Resolve every account first: a missing one refuses the whole document, nothing half-booked.
        roles = {}
        for claim in data.claims:
            role = acc.CLAIM_CATEGORY_ROLES.get(claim.category)
            if role and claim.original_amount:
                roles[claim.category] = self._account(batch, company, role)
        if roles:
            payable = self._account(batch, company, acc.ROLE_PAYABLE)
        for sequence, claim in enumerate(data.claims, start=1):
            kids = [i.kid for i in claim.instalments if i.kid]
            line_vals = {
                "sequence": sequence,
                "name": claim.description or claim.claim_type,
                "identifier": claim.claim_id,
                "category": claim.category,
                "amount": float(claim.original_amount),
                "open_amount": float(claim.open_amount),
                "due_date": claim.due_date or False,
                "kid": claim.kid or False,
                "bank_account": claim.account or False,
            }
            if not claim.original_amount:
                self._line(batch, doc, "claim", state="skipped", note=self.env._("Zero amount."), **line_vals)
                continue
            account = roles.get(claim.category)
            if not account:
                note = self.env._(
                    "Claim %(id)s (%(type)s): no account is known for this claim type; book it by hand.",
                    id=claim.claim_id,
                    type=claim.claim_type,
                )
                self._line(batch, doc, "claim", state="skipped", note=note, **line_vals)
                unknown.append(note)
                continue
            key = _claim_key(claim)
            booked = self._already_booked(batch, doc, key, kids=kids)
            if booked:
                note = self._duplicate_note(
                    doc, booked, self.env._("Claim %(id)s", id=claim.claim_id), claim.original_amount
                )
                self._line(
                    batch, doc, "claim", state="duplicate", duplicate_of_id=booked, note=note, **line_vals
                )
                outcome.duplicates += 1
                outcome.notes.append(note)
                continue
            move = self._create_entry(
                batch,
                doc,
                parsed,
                self._claim_lines(claim, account, payable),
                date=claim.created or base_date,
                ref=self.env._(
                    "%(claim)s %(period)s (claim %(id)s)",
                    claim=claim.description or claim.claim_type,
                    period=claim.period or "",
                    id=claim.claim_id,
                ),
                kid=claim.kid,
                bank_account=claim.account,
            )
            self._record_booked(
                batch,
                outcome,
                doc,
                "claim",
                key,
                move,
                account,
                **line_vals,
            )
            for instalment in claim.instalments:
                for placed in instalment.placed_payments:
                    self._line(
                        batch,
                        doc,
                        "payment",
                        state="recorded",
                        identifier=placed.payment_id or False,
                        name=self.env._("Placed on claim %(id)s", id=claim.claim_id),
                        amount=float(-placed.amount),
                        payment_date=placed.date or False,
                        kid=instalment.kid or False,
                        due_date=instalment.due_date,
                    )
        for payment in data.payments:
            # For matching: the booked claim (entry) with the payment's KID, when there is one.
            claim_line = self._already_booked(batch, doc, kids=[payment.kid])
            note = False
            if claim_line and claim_line.move_id:
                note = self.env._("KID of %(entry)s", entry=claim_line.move_id.display_name)
            self._line(
                batch,
                doc,
                "payment",
                state="recorded",
                identifier=payment.payment_id,
                name=payment.payment_type or self.env._("Payment"),
                amount=float(payment.amount),
                open_amount=float(payment.unplaced_amount) if payment.unplaced_amount is not None else 0.0,
                payment_date=payment.date,
                kid=payment.kid or False,
                bank_account=payment.paid_to_account or False,
                note=note,
            )
            outcome.informational = True
        if unknown and not outcome.booked and not outcome.duplicates and not data.payments:
            raise AltinnBookingRefusal("\n".join(unknown))
        outcome.notes += unknown
        outcome.notes += [n.text(self._lang()) for n in parsed.notices]
        if unknown:
            outcome.informational = True
        return outcome

    def _claim_lines(self, claim, account, payable):
        amount = claim.original_amount
        title = claim.description or claim.claim_type
        lines = [EntryLine(account, amount, f"{title} {claim.period or ''}".strip())]
        instalments = [i for i in claim.instalments if i.original_amount]
        if instalments and sum((i.original_amount for i in instalments), ZERO) == amount:
            for instalment in instalments:
                lines.append(
                    EntryLine(
                        payable,
                        -instalment.original_amount,
                        self._payable_name(title, instalment.kid, instalment.account),
                        instalment.due_date,
                    )
                )
        else:
            lines.append(
                EntryLine(
                    payable, -amount, self._payable_name(title, claim.kid, claim.account), claim.due_date
                )
            )
        return lines

    def _payable_name(self, title, kid, account):
        if kid:
            return self.env._("%(title)s – KID %(kid)s", title=title, kid=kid)
        if account:
            return self.env._("%(title)s – account %(account)s", title=title, account=account)
        return title

    # ------------------------------------------------------------------
    # 4. Beregnet skatt (AS)
    # ------------------------------------------------------------------
    def _ledger_balance(self, company, account, date_to):
        groups = self.env["account.move.line"]._read_group(
            [
                ("company_id", "=", company.id),
                ("account_id", "=", account.id),
                ("parent_state", "=", "posted"),
                ("date", "<=", date_to),
            ],
            aggregates=["balance:sum"],
        )
        balance = groups[0][0] if groups else 0.0
        return Decimal(str(round(balance or 0.0, 2))).quantize(Decimal("0.01"))

    def _book_tax_settlement(self, batch, doc, parsed):
        data: p.TaxSettlement = parsed.data
        company = doc.company_id
        outcome = self._outcome()
        entry_date = self._document_date(doc, parsed)
        notes = [n.text(self._lang()) for n in parsed.notices]
        year = data.income_year or (parsed.period_start.year if parsed.period_start else None)
        if not year:
            year = entry_date.year - 1
            notes.append(
                self.env._("The document does not state the income year; %(year)s is assumed.", year=year)
            )
        key = f"tax_settlement:{year}:{data.variant}"
        line_vals = {
            "name": self.env._("Assessed tax %(year)s", year=year),
            "identifier": str(year),
            "amount": float(data.total_tax),
        }
        booked = self._already_booked(batch, doc, key)
        if booked:
            note = self._duplicate_note(
                doc, booked, self.env._("The tax settlement for %(year)s", year=year), data.total_tax
            )
            self._line(
                batch, doc, "settlement", state="duplicate", duplicate_of_id=booked, note=note, **line_vals
            )
            outcome.duplicates += 1
            outcome.notes.append(note)
            return outcome
        accrued_account = self._account(batch, company, acc.ROLE_TAX_ACCRUED)
        advance_account = self._account(batch, company, acc.ROLE_ADVANCE_TAX)
        assessed_account = self._account(batch, company, acc.ROLE_TAX_ASSESSED)
        difference_account = self._account(batch, company, acc.ROLE_TAX_PRIOR_YEAR)
        assessed = data.total_tax
        accrued = -self._ledger_balance(company, accrued_account, entry_date)  # credit balance
        advance = self._ledger_balance(company, advance_account, entry_date)  # debit balance
        remainder = assessed - advance  # > 0 restskatt, < 0 til gode
        difference = assessed - accrued  # > 0 too little accrued
        lines = [
            EntryLine(accrued_account, accrued, self.env._("Accrued tax %(year)s cleared", year=year)),
            EntryLine(advance_account, -advance, self.env._("Advance tax %(year)s cleared", year=year)),
            EntryLine(
                difference_account, difference, self.env._("Tax %(year)s: assessed less accrued", year=year)
            ),
        ]
        if remainder > 0:
            lines.append(EntryLine(assessed_account, -remainder, self.env._("Restskatt %(year)s", year=year)))
        elif remainder < 0:
            receivable = self._account(batch, company, acc.ROLE_TAX_RECEIVABLE)
            lines.append(
                EntryLine(receivable, -remainder, self.env._("Tax %(year)s to be refunded", year=year))
            )
        notes.insert(
            0,
            self.env._(
                "Assessed tax %(assessed)s; ledger on %(date)s: accrued %(accrued)s on %(accrued_code)s, "
                "advance tax %(advance)s on %(advance_code)s (posted entries).",
                assessed=self._money(company, assessed),
                date=entry_date.strftime("%d.%m.%Y"),
                accrued=self._money(company, accrued),
                accrued_code=accrued_account.code,
                advance=self._money(company, advance),
                advance_code=advance_account.code,
            ),
        )
        move = self._create_entry(
            batch,
            doc,
            parsed,
            lines,
            date=entry_date,
            ref=self.env._("Tax settlement %(year)s", year=year),
            extra=notes,
        )
        if not move:
            self._line(
                batch, doc, "settlement", state="recorded", note=self.env._("Nothing to book."), **line_vals
            )
            outcome.informational = True
            outcome.notes += notes
            return outcome
        self._record_booked(
            batch,
            outcome,
            doc,
            "settlement",
            key,
            move,
            assessed_account,
            open_amount=float(remainder),
            **line_vals,
        )
        outcome.notes += notes
        return outcome

    # ------------------------------------------------------------------
    # 5. Forskuddsskatt notice
    # ------------------------------------------------------------------
    def _book_advance_tax(self, batch, doc, parsed):
        data: p.AdvanceTax = parsed.data
        company = doc.company_id
        outcome = self._outcome()
        entry_date = self._document_date(doc, parsed)
        todo = [i for i in data.instalments if i.amount]
        advance_account = payable = None
        if todo:
            advance_account = self._account(batch, company, acc.ROLE_ADVANCE_TAX)
            payable = self._account(batch, company, acc.ROLE_PAYABLE)
        notes = [n.text(self._lang()) for n in parsed.notices]
        for instalment in sorted(data.instalments, key=lambda i: i.number):
            label = self.env._(
                "Advance tax %(year)s, instalment %(number)s", year=data.income_year, number=instalment.number
            )
            line_vals = {
                "sequence": instalment.number,
                "name": label,
                "identifier": f"{data.income_year}/{instalment.number}",
                "amount": float(instalment.amount),
                "due_date": instalment.due_date,
                "kid": instalment.kid,
                "bank_account": instalment.account or data.account or False,
            }
            if not instalment.amount:
                self._line(
                    batch, doc, "instalment", state="skipped", note=self.env._("Zero amount."), **line_vals
                )
                continue
            key = _advance_tax_key(data, instalment)
            booked = self._already_booked(batch, doc, key, kids=[instalment.kid])
            if booked:
                note = self._duplicate_note(doc, booked, label, instalment.amount)
                self._line(
                    batch,
                    doc,
                    "instalment",
                    state="duplicate",
                    duplicate_of_id=booked,
                    note=note,
                    **line_vals,
                )
                outcome.duplicates += 1
                outcome.notes.append(note)
                continue
            lines = [
                EntryLine(advance_account, instalment.amount, label),
                EntryLine(
                    payable,
                    -instalment.amount,
                    self._payable_name(label, instalment.kid, None),
                    instalment.due_date,
                ),
            ]
            move = self._create_entry(
                batch,
                doc,
                parsed,
                lines,
                date=entry_date,
                ref=label,
                kid=instalment.kid,
                bank_account=instalment.account or data.account,
                extra=notes,
            )
            self._record_booked(
                batch,
                outcome,
                doc,
                "instalment",
                key,
                move,
                payable,
                **line_vals,
            )
        outcome.notes += notes
        if not todo:
            outcome.informational = True
        return outcome
