"""Norwegian identifiers as Altinn checks them (Dialogporten's ``NorwegianOrganizationIdentifier``)."""

from __future__ import annotations

import re

ORG_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def org_number_valid(number: str | None) -> bool:
    """Nine digits whose last is the MOD11 check digit of the first eight (weights 3,2,7,6,5,4,3,2; a
    remainder that gives 10 is never a valid number). Dialogporten refuses any other ``party`` with 400
    (dialogporten ``src/Digdir.Domain.Dialogporten.Domain/Parties/NorwegianOrganizationIdentifier.cs``)."""
    if not number or not re.fullmatch(r"\d{9}", number):
        return False
    rest = sum(int(digit) * weight for digit, weight in zip(number[:8], ORG_WEIGHTS, strict=True)) % 11
    control = 0 if rest == 0 else 11 - rest
    return control != 10 and control == int(number[8])
