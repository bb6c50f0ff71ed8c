"""Translatable texts of the protocol layer, without Odoo.

The protocol layer writes every person-facing text once, in English, and marks it with ``_lt`` so
that Odoo's translation export (which extracts ``_`` and ``_lt`` calls from every Python file of the
addon) puts it in ``i18n/prisolve_altinn.pot``; the Norwegian text lives in ``i18n/nb.po`` like every
other string of the addon. ``_lt`` returns its argument unchanged: the ORM translates at the moment
it shows or stores the text, in the language it chooses (the company's, for generated texts).

A text with values is a ``Text``: the English source with ``%(name)s`` placeholders plus its values.
Values keep their type until rendering, so the ORM can write them the Norwegian way
(``Money`` → ``kr 143 995,00``, ``date`` → ``10.10.2026``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any


def _lt(source: str) -> str:
    """Mark ``source`` (a literal English string) for translation; returns it unchanged."""
    return source


class Money(Decimal):
    """An amount in NOK inside a ``Text``: rendered with the currency by the ORM."""

    __slots__ = ()


@dataclass(frozen=True)
class Text:
    """An English source string (marked with ``_lt`` where it is written) and its values."""

    source: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(
        self,
        translate: Callable[[str], str] | None = None,
        value: Callable[[Any], str] | None = None,
    ) -> str:
        """The text in one language: ``translate`` maps the source, ``value`` formats each value.

        Without them: English, ISO dates and plain amounts (logs, tests without Odoo).
        """
        template = translate(self.source) if translate else self.source
        fmt = value or plain_value
        values = {
            key: (v.render(translate, value) if isinstance(v, Text) else fmt(v))
            for key, v in self.params.items()
        }
        try:
            return template % values if values else template
        except (KeyError, TypeError, ValueError):
            # A broken translation must not hide the message: fall back to the English source.
            return self.source % values if values else self.source

    def __str__(self) -> str:
        return self.render()


def plain_value(value: Any) -> str:
    if isinstance(value, Money):
        return f"NOK {value:,.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)
