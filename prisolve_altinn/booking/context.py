# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One document being booked: its company, its texts in the company's language, and planning helpers.

Amounts stay ``Decimal`` (øre) until an entry is written; a line amount is signed: positive = debit. Every
account comes from the company's Altinn account mapping (or, for the VAT closing, from the l10n_no tax with
the return's VAT code): a missing or doubtful account refuses the whole document.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from markupsafe import Markup

from odoo import Command, fields

from ..altinn.types import ROLE_BODY
from ..exceptions import AltinnBookingRefusal
from ..services.texts import ValueFormatter, in_company_lang, local_date, render
from .company import booking_journal, partner_bank, tax_partner

ZERO = Decimal("0.00")
CERTAIN = ""  # the review reason of an entry the addon is sure of


def to_decimal(value):
    return Decimal(str(round(value or 0.0, 2))).quantize(Decimal("0.01"))


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


class Booking:
    """The document ``doc`` (with ``parsed``, one of its parsed documents) being planned into ``batch``.

    ``env`` has the company's language: every text written here (entry references, line labels, notes) is
    in the language of the company's accountants, whoever runs the booking.
    """

    def __init__(self, batch, doc, parsed, outcome=None):
        self.batch = batch
        self.company = company = doc.company_id
        # One environment per company and batch: documents of a batch share it (no new env per document).
        self.env = batch.memo(("env", company.id), lambda: in_company_lang(doc).env)
        self.lang = self.env.lang
        self.doc = doc.with_env(self.env)
        self.parsed = parsed
        self.outcome = outcome or Outcome()
        self._document_date = None

    def about(self, parsed):
        """The same document and outcome, for another of its parsed documents (a related file)."""
        return Booking(self.batch, self.doc, parsed, self.outcome)

    # texts ----------------------------------------------------------------
    def _(self, source, **values):
        return self.env._(source, **values)

    @property
    def formatter(self):
        return formatter_of(self.batch, self.env, self.lang, self.company.currency_id)

    def money(self, amount):
        return self.formatter.money(float(amount))

    def day(self, value):
        return self.formatter.day(value)

    def render(self, text):
        """A ``Text`` of the parsers (summary, notice, reason) in the company's language."""
        return render(self.env, text, self.lang, formatter=self.formatter)

    def summary(self):
        """What the parsed document says, in short: rendered once per batch (document and entry share it)."""
        return summary_of(self.batch, self.doc, self.parsed, self.env, self.lang)

    def notices(self):
        return [self.render(notice.message) for notice in self.parsed.notices]

    # data -----------------------------------------------------------------
    @property
    def document_date(self):
        """The date the document speaks for: its own, else when Altinn created it, else today."""
        if self._document_date is None:
            if self.parsed.document_date:
                self._document_date = self.parsed.document_date
            elif self.doc.date_created:
                self._document_date = local_date(self.env, self.doc.date_created)
            else:
                self._document_date = local_date(self.env, fields.Datetime.now())
        return self._document_date

    def account(self, role):
        company = self.company
        return self.batch.memo(
            ("account", company.id, role),
            lambda: self.env["altinn.account.map"]._altinn_account(company, role),
        )

    # planning ---------------------------------------------------------------
    def line(self, kind, **vals):
        """Plan a document line (what the document said), with this document's date."""
        vals.setdefault("document_date", self.document_date)
        return self.batch.add_line(self.doc, {"document_id": self.doc.id, "kind": kind, **vals})

    def booked(self, kind, key, move, account, **vals):
        """Record what the document said as the booked line of ``key`` and count its entry."""
        line = self.line(
            kind, state="booked", booking_key=key, move_id=move, account_code=account.code, **vals
        )
        self.outcome.moves.append(move)
        self.outcome.booked += 1
        return line

    def note(self, text):
        self.outcome.notes.append(text)

    def entry(self, lines, *, date, ref, kid=None, bank_account=None, extra=(), review=None):
        """Plan one balanced draft entry with the document's files attached (``None``: nothing to book).

        ``review``: why a person must check the entry before it is posted; ``CERTAIN`` when the addon is
        sure of it (then posted when the company posts what is certain, ``res.company.altinn_post_certain``).
        """
        company = self.company
        if review is None:
            review = self._("An entry of this kind is always checked by a person before it is posted.")
        lines = [line for line in lines if line.amount]
        if not lines:
            return None
        total = sum((line.amount for line in lines), ZERO)
        if total != ZERO:
            raise AltinnBookingRefusal(
                self._(
                    "The entry for %(ref)s does not balance (difference %(diff)s); nothing is booked.",
                    ref=ref,
                    diff=self.money(total),
                )
            )
        memo = self.batch.memo
        partner = memo(("tax_partner", company.id), lambda: tax_partner(company))
        journal = memo(("journal", company.id), lambda: booking_journal(company))
        vals = {
            "move_type": "entry",
            "company_id": company.id,
            "journal_id": journal.id,
            "date": date,
            "ref": ref,
            "partner_id": partner.id,
            "payment_reference": kid or False,
            "narration": self.narration(extra),
            "altinn_document_id": self.doc.id,
            "altinn_review_reason": review or False,
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
                for line in lines
            ],
        }
        if bank_account:
            bank = memo(
                ("bank", company.id, bank_account),
                lambda: partner_bank(company, partner, bank_account),
            )
            if bank:
                vals["partner_bank_id"] = bank.id
        if review and company.altinn_post_certain:
            # The document says which of its entries wait for a person, and why.
            self.note(self._("%(ref)s stays a draft: %(reason)s", ref=ref, reason=review))
        return self.batch.add_move(vals, vouchers(self.batch.stored_files(self.doc)))

    def narration(self, extra=()):
        doc = self.doc
        transport = self.batch.memo(
            ("transports", self.lang),
            lambda: dict(doc._fields["transport"]._description_selection(self.env)),
        ).get(doc.transport, "")
        # What a person reads first; Altinn's reference last, for finding the item in Altinn (no service
        # code: an identifier nobody reads).
        text = self._(
            'Made from the Altinn document "%(title)s" (%(transport)s, file %(file)s): %(summary)s '
            "(Altinn reference %(reference)s)",
            reference=doc.reference,
            title=doc.title or "",
            transport=transport,
            file=self.parsed.source_file or "-",
            summary=self.summary(),
        )
        body = Markup("<p>%s</p>") % text
        for line in extra:
            body += Markup("<p>%s</p>") % line
        return body

    def payable_name(self, title, kid=None, account=None):
        if kid:
            return self._("%(title)s – KID %(kid)s", title=title, kid=kid)
        if account:
            return self._("%(title)s – account %(account)s", title=title, account=account)
        return title


def formatter_of(batch, env, lang, currency):
    """The batch's ``ValueFormatter`` for ``lang`` and ``currency``."""
    return batch.memo(("formatter", lang, currency.id), lambda: ValueFormatter(env, lang, currency))


def summary_of(batch, doc, parsed, env, lang):
    """The summary of ``parsed`` (a document of ``doc``) in ``lang``, rendered once per batch."""
    currency = doc.company_id.currency_id
    return batch.memo(
        ("summary", doc.id, id(parsed)),
        lambda: render(env, parsed.summary, lang, formatter=formatter_of(batch, env, lang, currency)),
    )


def vouchers(stored_files):
    """The ledger attachments an entry carries a copy of as its voucher (bilag), of the document's
    (attachment, ``AltinnFile``) pairs: its PDFs (the receipt or letter a person reads) and its data files
    (XML/JSON, what was booked); all its files when it has no PDF. The ledger document keeps all of them."""
    pdfs = [attachment for attachment, file in stored_files if file.mimetype == "application/pdf"]
    if not pdfs:
        return [attachment for attachment, _file in stored_files]
    data = [attachment for attachment, file in stored_files if file.role != ROLE_BODY and is_data(file)]
    return pdfs + data


def is_data(file):
    """An XML or JSON file (a form, a receipt's data, a claims list)."""
    mimetype = (file.mimetype or "").lower()
    return "xml" in mimetype or "json" in mimetype or (file.name or "").lower().endswith((".xml", ".json"))
