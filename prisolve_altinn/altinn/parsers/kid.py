"""KID (kundeidentifikasjonsnummer) and Norwegian bank account check digits.

KID: 2–25 digits, the last one a MOD10 (Luhn) or MOD11 check digit; MOD11 may end in '-'
(check value 10), as defined by Nets/Mastercard Payment Services for OCR giro.
Bank account: 11 digits, MOD11 with weights 5,4,3,2,7,6,5,4,3,2.
"""

from __future__ import annotations

import re

_NON_DIGIT = re.compile(r"[\s.]")


def normalize(value: str | None) -> str:
    """Strip spaces and dots (as printed on letters: '1234 56 78903', '1234.56.78903')."""
    return _NON_DIGIT.sub("", value or "")


def mod10_check_digit(payload: str) -> str:
    total = 0
    for index, char in enumerate(reversed(payload)):
        digit = int(char)
        if index % 2 == 0:  # rightmost payload digit is doubled
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def mod11_check_digit(payload: str) -> str:
    total = sum(int(char) * (2 + index % 6) for index, char in enumerate(reversed(payload)))
    check = 11 - total % 11
    if check == 11:
        return "0"
    if check == 10:
        return "-"
    return str(check)


def is_valid_mod10(kid: str) -> bool:
    kid = normalize(kid)
    return len(kid) >= 2 and kid.isdigit() and mod10_check_digit(kid[:-1]) == kid[-1]


def is_valid_mod11(kid: str) -> bool:
    kid = normalize(kid)
    payload, check = kid[:-1], kid[-1:]
    return len(kid) >= 2 and payload.isdigit() and mod11_check_digit(payload) == check


def is_valid_kid(kid: str | None) -> bool:
    """True when ``kid`` is 2–25 digits and passes MOD10 or MOD11."""
    kid = normalize(kid)
    if not 2 <= len(kid) <= 25:
        return False
    return is_valid_mod10(kid) or is_valid_mod11(kid)


def make_kid_mod10(payload: str) -> str:
    payload = normalize(payload)
    if not payload.isdigit():
        raise ValueError("KID payload must be digits")
    return payload + mod10_check_digit(payload)


def make_kid_mod11(payload: str) -> str:
    payload = normalize(payload)
    if not payload.isdigit():
        raise ValueError("KID payload must be digits")
    return payload + mod11_check_digit(payload)


_ACCOUNT_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def is_valid_account_number(account: str | None) -> bool:
    """Norwegian 11-digit bank account with its MOD11 check digit."""
    account = normalize(account)
    if len(account) != 11 or not account.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(account[:10], _ACCOUNT_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(account[10])
