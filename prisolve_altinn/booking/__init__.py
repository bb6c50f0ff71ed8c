# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Booking: parsed Skatteetaten documents to draft journal entries (plain Python modules on the records
passed in; no models). ``pipeline.book_documents`` is the entry point, ``cron`` the scheduled action that
books in the background; ``keyed`` the booking step every document type shares; one module per document
type, each registered with ``registry.register``."""

from . import (  # noqa: F401 - registration
    advance_tax,
    cron,
    mva_return,
    pipeline,
    tax_claims,
    tax_settlement,
    vat_payment,
)
