"""Check digits for generated payment data: KID (MOD10/MOD11), bank accounts, org numbers."""

from __future__ import annotations


def mod10(payload: str) -> str:
    """Luhn check digit (the rightmost payload digit is doubled)."""
    total = 0
    for index, char in enumerate(reversed(payload)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def mod11(payload: str) -> str | None:
    """KID MOD11 (weights 2..7 from the right); None when the check value would be 10."""
    total = sum(int(char) * (2 + index % 6) for index, char in enumerate(reversed(payload)))
    check = (11 - total % 11) % 11
    return None if check == 10 else str(check)


def kid_mod10(payload: str) -> str:
    return payload + mod10(payload)


def kid_mod11(payload: str) -> str:
    """Valid MOD11 KID; bumps the last payload digit until the check value is not 10."""
    while True:
        check = mod11(payload)
        if check is not None:
            return payload + check
        payload = payload[:-1] + str((int(payload[-1]) + 1) % 10)


def account_check(payload10: str) -> str | None:
    weights = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    check = (11 - sum(int(c) * w for c, w in zip(payload10, weights, strict=True)) % 11) % 11
    return None if check == 10 else str(check)


def account_number(payload10: str) -> str:
    """11-digit Norwegian account number with a valid MOD11 check digit."""
    while True:
        check = account_check(payload10)
        if check is not None:
            return payload10 + check
        payload10 = payload10[:-1] + str((int(payload10[-1]) + 1) % 10)


def is_valid_account(number: str) -> bool:
    return len(number) == 11 and number.isdigit() and account_check(number[:10]) == number[10]


def is_valid_orgnr(orgnr: str) -> bool:
    if len(orgnr) != 9 or not orgnr.isdigit():
        return False
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    check = (11 - sum(int(c) * w for c, w in zip(orgnr[:8], weights, strict=True)) % 11) % 11
    return check != 10 and str(check) == orgnr[8]


def is_valid_kid(kid: str) -> bool:
    if not (2 <= len(kid) <= 25 and kid.isdigit()):
        return False
    return mod10(kid[:-1]) == kid[-1] or mod11(kid[:-1]) == kid[-1]
