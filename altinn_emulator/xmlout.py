"""Fast string serialisation in WCF DataContract style: prefixed members, ``i:nil`` nulls."""

from __future__ import annotations

import base64
from datetime import date, datetime
from decimal import Decimal

from .clock import OSLO, to_oslo

XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#xD;"})


def esc(text: str) -> str:
    return text.translate(_ESCAPES)


def db_datetime(value: datetime | date) -> str:
    """Altinn's DB datetimes: local time, no offset, milliseconds without trailing zeros."""
    if not isinstance(value, datetime):
        return f"{value.isoformat()}T00:00:00"
    value = to_oslo(value)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += "." + f"{value.microsecond:06d}".rstrip("0")
    return text


def offset_datetime(value: datetime) -> str:
    """Computed times (challenge ValidFrom/ValidTo): 7 fractional digits and the offset."""
    value = value.astimezone(OSLO)
    offset = value.strftime("%z")
    return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond:06d}0{offset[:3]}:{offset[3:]}"


class Raw(str):
    """Already serialised XML, inserted as is."""


def el(prefix: str, name: str, value) -> str:
    """One member. None → ``i:nil``; bool/int/datetime/bytes/str formatted as WCF does."""
    if value is None:
        return f'<{prefix}:{name} i:nil="true"/>'
    if isinstance(value, Raw):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, Decimal)):
        text = str(value)
    elif isinstance(value, float):
        text = repr(value) if value != int(value) else str(int(value))
    elif isinstance(value, (datetime, date)):
        text = db_datetime(value)
    elif isinstance(value, (bytes, bytearray)):
        text = base64.b64encode(value).decode("ascii")
    else:
        text = esc(str(value))
    if text == "":
        return f"<{prefix}:{name}/>"
    return f"<{prefix}:{name}>{text}</{prefix}:{name}>"


def members(prefix: str, pairs) -> str:
    return "".join(el(prefix, name, value) for name, value in pairs)
