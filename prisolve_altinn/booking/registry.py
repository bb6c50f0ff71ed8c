# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Which booker books which document type: a new type is one module with one ``@register``ed class."""


class Booker:
    """Books one parsed document type (``doc_type``, a parsers ``DOC_*``)."""

    doc_type = None
    # Planning order inside a batch: what others compute from (a settlement reads the advance tax) last.
    priority = 50

    def lookups(self, parsed):
        """What booking ``parsed`` will look up, so a batch asks the database once for all its documents:
        ``{"keys": [...], "slots": [...], "kids": [...], "refs": [...]}``. Only a cache."""
        return {}

    def book(self, ctx):
        """Plan the booking of ``ctx.parsed`` into ``ctx.batch``; results go to ``ctx.outcome``."""
        raise NotImplementedError


BOOKERS = {}


def register(cls):
    BOOKERS[cls.doc_type] = cls()
    return cls


def booker(doc_type):
    return BOOKERS.get(doc_type)
