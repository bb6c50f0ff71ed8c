"""A small validator for the OpenAPI 3.0 schema subset Altinn's published contracts use.

Dialogporten's OpenAPI (NSwag) uses ``type``, ``nullable``, ``$ref``, ``oneOf``, ``enum``, ``format``
(``guid``, ``date-time``, ``uri``, ``int32``), ``properties``, ``additionalProperties`` and ``items``; the
schemas written from Altinn's DTOs add ``required``, ``minLength``/``maxLength``, ``minimum``/``maximum``,
``pattern``, ``allOf`` and ``anyOf``. Every keyword of that list is checked; any other keyword in a schema
is an error (so the validator cannot silently skip a rule a newer spec adds). Plain Python: the product's
runtime pins stay Odoo's own.
"""

from __future__ import annotations

import re
from datetime import datetime

# Annotations: they never restrict a value.
_IGNORED = {
    "description",
    "example",
    "examples",
    "title",
    "x-enumNames",
    "x-source",
    "deprecated",
    "x-deprecatedMessage",
    "default",
    "readOnly",
    "writeOnly",
}
_KNOWN = _IGNORED | {
    "type",
    "nullable",
    "$ref",
    "oneOf",
    "anyOf",
    "allOf",
    "enum",
    "format",
    "properties",
    "additionalProperties",
    "items",
    "required",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "pattern",
    "minItems",
    "maxItems",
}
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# RFC 3339 date-time: a zone (Z or ±hh:mm) is part of the format.
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$", re.IGNORECASE)
URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)


def valid_date_time(text: str) -> bool:
    if not DATE_TIME.match(text):
        return False
    head = text[:19]
    try:
        datetime.strptime(head, "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return False
    return True


def format_error(fmt: str, value) -> str | None:
    """Why ``value`` does not have the format ``fmt`` (None: it has it, or the format is not checked)."""
    if fmt in ("guid", "uuid"):
        return None if isinstance(value, str) and GUID.match(value) else "is not a GUID"
    if fmt == "date-time":
        return None if isinstance(value, str) and valid_date_time(value) else "is not a date-time with a zone"
    if fmt == "uri":
        return None if isinstance(value, str) and URI.match(value) else "is not an absolute URI"
    if fmt in ("int32", "int64"):
        low, high = INT32 if fmt == "int32" else INT64
        return None if isinstance(value, int) and low <= value <= high else f"is out of the {fmt} range"
    if fmt in ("date", "byte", "binary", "double", "float", "password", "email", "hostname"):
        return None  # not used by the contracts we check
    return f"has the unknown format {fmt!r}"


class Validator:
    """Validate JSON values against schemas of one document (``$ref`` resolved within ``root``)."""

    def __init__(self, root: dict):
        self.root = root

    def resolve(self, ref: str) -> dict:
        if not ref.startswith("#/"):
            raise ValueError(f"only local $ref are supported: {ref}")
        node = self.root
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def errors(self, schema: dict, value, where: str = "$") -> list[str]:
        out: list[str] = []
        self._check(schema, value, where, out)
        return out

    def _check(self, schema: dict, value, where: str, out: list[str]) -> None:
        unknown = set(schema) - _KNOWN
        if unknown:
            out.append(f"{where}: the schema uses unsupported keywords {sorted(unknown)}")
            return
        if "$ref" in schema:
            target = self.resolve(schema["$ref"])
            if value is None and schema.get("nullable"):
                return
            self._check(target, value, where, out)
            return
        if value is None:
            if schema.get("nullable") or not _restricts(schema):
                return
            # A nullable wrapper around oneOf/allOf: NSwag writes {"nullable": true, "oneOf": [{"$ref"}]}.
            out.append(f"{where}: null is not allowed")
            return
        for sub in schema.get("allOf") or []:
            self._check(sub, value, where, out)
        if "oneOf" in schema:
            matches = [sub for sub in schema["oneOf"] if not self.errors(sub, value, where)]
            if len(matches) != 1:
                if len(schema["oneOf"]) == 1:
                    self._check(schema["oneOf"][0], value, where, out)
                else:
                    out.append(f"{where}: matches {len(matches)} of the oneOf schemas (must be exactly 1)")
        if "anyOf" in schema and not any(not self.errors(sub, value, where) for sub in schema["anyOf"]):
            out.append(f"{where}: matches none of the anyOf schemas")
        kind = schema.get("type")
        if kind and not _is_type(kind, value):
            out.append(f"{where}: {type(value).__name__} {_short(value)} is not of type {kind}")
            return
        if "enum" in schema and value not in schema["enum"]:
            out.append(f"{where}: {_short(value)} is not one of {schema['enum']}")
        if "format" in schema:
            problem = format_error(schema["format"], value)
            if problem:
                out.append(f"{where}: {_short(value)} {problem}")
        if isinstance(value, str):
            if "minLength" in schema and len(value) < schema["minLength"]:
                out.append(f"{where}: shorter than {schema['minLength']}")
            if "maxLength" in schema and len(value) > schema["maxLength"]:
                out.append(f"{where}: longer than {schema['maxLength']}")
            if "pattern" in schema and not re.search(schema["pattern"], value):
                out.append(f"{where}: {_short(value)} does not match {schema['pattern']}")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if "minimum" in schema and value < schema["minimum"]:
                out.append(f"{where}: {value} is below {schema['minimum']}")
            if "maximum" in schema and value > schema["maximum"]:
                out.append(f"{where}: {value} is above {schema['maximum']}")
        if isinstance(value, list):
            if "minItems" in schema and len(value) < schema["minItems"]:
                out.append(f"{where}: fewer than {schema['minItems']} items")
            if "maxItems" in schema and len(value) > schema["maxItems"]:
                out.append(f"{where}: more than {schema['maxItems']} items")
            if "items" in schema:
                for index, element in enumerate(value):
                    self._check(schema["items"], element, f"{where}[{index}]", out)
        if isinstance(value, dict):
            properties = schema.get("properties") or {}
            for name in schema.get("required") or []:
                if name not in value:
                    out.append(f"{where}: the required member {name!r} is missing")
            extra = schema.get("additionalProperties", True)
            for name, member in value.items():
                if name in properties:
                    self._check(properties[name], member, f"{where}.{name}", out)
                elif extra is False:
                    out.append(f"{where}: the member {name!r} is not in the schema")
                elif isinstance(extra, dict):
                    self._check(extra, member, f"{where}.{name}", out)


def _restricts(schema: dict) -> bool:
    return any(key in schema for key in ("type", "enum", "format", "properties", "items", "oneOf", "allOf"))


def _is_type(kind: str, value) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    return False


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
