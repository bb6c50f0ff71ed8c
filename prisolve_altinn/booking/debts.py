# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a debt to (or from) Skatteetaten is, whichever document brings it (docs/DESIGN-NOTES.md, "Debt
identity and booking").

A debt is one due date of one kind of tax: its SLOT is (normalised category, due date). A VAT term, an
advance-tax instalment, restskatt, arbeidsgiveravgift and forskuddstrekk of a term each have one statutory
due date, the same on the notice, in the return's receipt and in Krav og betalinger. Inside a slot the
debts are told apart by what the documents carry: the KID when both have one, a claim's own
kravforfallsidentifikator once it has been seen (a claim never matches another claim of the slot by the
slot alone). The amount is the check: the same debt with another amount is an amendment, not a duplicate.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ..altinn.parsers.base import PlacedPayment
from .batch import slot_of


@dataclass
class Debt:
    """One debt as one document states it."""

    category: str  # parsers.base CAT_* (normalised once, by the parser)
    due_date: date
    amount: Decimal  # what is owed in all (positive: the company pays; negative: til gode)
    role: str  # account role of the debt's own side (2740, 2540, …)
    kind: str  # altinn.document.line kind of the line that records it
    name: str  # label of the entry lines and of the document line
    ref: str  # entry reference
    kid: str | None = None  # KID to pay with
    refund_kid: str | None = None  # the company's KID for receiving a refund
    claim_ref: str | None = None  # kravforfallsidentifikator (or kravidentifikator/due date)
    identifier: str | None = None  # claim identifier, VAT term, instalment… as the document says it
    bank_account: str | None = None
    period: str | None = None
    payments: list[PlacedPayment] = field(default_factory=list)  # placed payments (Krav og betalinger)
    counterclaims: list[PlacedPayment] = field(default_factory=list)  # set-offs (plassertMotkrav)
    entry_date: date | None = None  # default: the document's date
    notes: list[str] = field(default_factory=list)  # extra remarks on the entry and the document line
    line_vals: dict = field(default_factory=dict)  # more values of the document line (sequence, category…)
    review: str | None = None  # why a person must check the debt's entry (None: the booker has no doubt)

    @property
    def slot(self):
        return slot_of(self.category, self.due_date)

    def new_key(self):
        """The booking key of a debt seen for the first time: unique per company for good."""
        return f"debt:{self.slot}:{self.kid or self.claim_ref or ''}"
