"""The emulator checked against Altinn's published contracts.

With the check on (``running_emulator(check_contract=True)``, ``--check-contract`` or the environment
variable ``ALTINN_EMULATOR_CHECK_CONTRACT=1``), every answer of an Altinn 3 route is checked before it
leaves:

* Dialogporten: against its verified end-user OpenAPI (``dialogporten-openapi.v1.enduser.verified.json``
  of Altinn/dialogporten, in ``../shared/reference/altinn3/openapi/`` or ``$ALTINN_DIALOGPORTEN_OPENAPI``):
  the operation exists, the status is one the operation lists (or 400, which every endpoint writes for
  a validation error: ``SearchDialogEndpoint.HandleAsync`` → ``BadRequestAsync``, not listed in the
  document), the JSON body validates against the response's schema (``$ref`` resolved,
  ``additionalProperties``, enums, formats); no member is null (``Program.cs``: ``WhenWritingNull``);
  GET dialog and PUT system labels carry an ``ETag`` that is a bare GUID (``GetDialogEndpoint.cs``,
  ``SetDialogSystemLabelsEndpoint.cs``: ``Revision.ToString()``).
* Authentication and Correspondence: against the schemas of ``contract_schemas.py``, written from their
  DTOs; Authentication writes no null member (``AuthenticationHost.cs``: ``WhenWritingNull``).

Answers the tests inject (control ``faults``) stand for infrastructure failures and are not checked;
Maskinporten (Digdir), Storage and Skatteetaten's own API are outside these contracts.

A violation is recorded in ``state.contract_violations`` and the answer is replaced by a 500 problem
that names it, so the test that caused it fails (the fixtures also fail on any recorded violation).
"""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path

from .contract_schemas import ROUTES, SCHEMAS
from .schemacheck import GUID, Validator, format_error

ENV_SWITCH = "ALTINN_EMULATOR_CHECK_CONTRACT"
ENV_OPENAPI = "ALTINN_DIALOGPORTEN_OPENAPI"
OPENAPI_NAME = "dialogporten-openapi.v1.enduser.verified.json"
DIALOGPORTEN_PREFIX = "/dialogporten"
ROOT = Path(__file__).resolve().parents[2]

_lock = threading.Lock()
_spec: Spec | None = None


def switched_on_by_env() -> bool:
    return os.environ.get(ENV_SWITCH, "").strip().lower() in ("1", "true", "yes", "on")


def openapi_file() -> Path:
    """Dialogporten's end-user OpenAPI: ``$ALTINN_DIALOGPORTEN_OPENAPI`` or the shared reference beside
    the clone (``../shared/reference/altinn3/openapi/``, or ``$PRISOLVE_SHARED``)."""
    env = os.environ.get(ENV_OPENAPI)
    if env:
        return Path(env)
    bases = [Path(os.environ["PRISOLVE_SHARED"])] if os.environ.get("PRISOLVE_SHARED") else []
    bases += [parent / "shared" for parent in ROOT.parents]
    for base in bases:
        for ref in (base / "reference", base):
            candidate = ref / "altinn3" / "openapi" / OPENAPI_NAME
            if candidate.is_file():
                return candidate
    raise FileNotFoundError(
        f"{OPENAPI_NAME} was not found (../shared/reference/altinn3/openapi/, $PRISOLVE_SHARED or "
        f"${ENV_OPENAPI}): the emulator's contract check needs it"
    )


class Spec:
    """Dialogporten's operations: (method, path regex) → operation, with the document's validator."""

    def __init__(self, document: dict):
        self.document = document
        self.validator = Validator(document)
        self.operations: list[tuple[str, re.Pattern, str, dict]] = []
        for template, item in document["paths"].items():
            pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "/?$")
            for method, operation in item.items():
                self.operations.append((method.upper(), pattern, template, operation))

    def operation(self, method: str, path: str) -> tuple[str, dict] | None:
        """The (template, operation) of a Dialogporten path (without the ``/dialogporten`` prefix)."""
        for op_method, pattern, template, operation in self.operations:
            if op_method == method and pattern.match(path):
                return template, operation
        return None

    def parameters(self, operation: dict) -> dict[str, dict]:
        result = {}
        for parameter in operation.get("parameters") or []:
            if "$ref" in parameter:
                parameter = self.validator.resolve(parameter["$ref"])
            result[(parameter["in"], parameter["name"].lower())] = parameter
        return result


def spec() -> Spec:
    global _spec
    with _lock:
        if _spec is None:
            _spec = Spec(json.loads(openapi_file().read_text(encoding="utf-8-sig")))
        return _spec


_hand = Validator({"SCHEMAS": SCHEMAS})
_hand_routes = [(m, re.compile(p), statuses) for m, p, statuses in ROUTES]


def nulls(value, where: str = "$") -> list[str]:
    """Paths of null members (WhenWritingNull APIs never write one)."""
    found = []
    if isinstance(value, dict):
        for key, member in value.items():
            if member is None:
                found.append(f"{where}.{key}")
            else:
                found += nulls(member, f"{where}.{key}")
    elif isinstance(value, list):
        for index, member in enumerate(value):
            found += nulls(member, f"{where}[{index}]")
    return found


def _json_body(response) -> tuple[object, str | None]:
    try:
        return json.loads(response.body.decode("utf-8")), None
    except (ValueError, UnicodeDecodeError):
        return None, "the body is not JSON"


def check_response(method: str, path: str, response) -> list[str]:
    """What in ``response`` breaks the contract of (method, path); [] when it holds or when no contract
    covers the path."""
    if path.startswith(DIALOGPORTEN_PREFIX + "/api/v1/"):
        return _check_dialogporten(method, path[len(DIALOGPORTEN_PREFIX) :], response)
    if path.startswith(("/authentication/api/v1/", "/correspondence/api/v1/")):
        return _check_hand(method, path, response)
    return []


def _check_dialogporten(method: str, path: str, response) -> list[str]:
    if path.startswith("/api/v1/.well-known/"):
        return []  # the JWKS is not part of the end-user document
    dp = spec()
    found = dp.operation(method, path)
    if found is None:
        return [f"{method} {path} is not an operation of Dialogporten's end-user API"]
    template, operation = found
    status = str(response.status)
    responses = operation.get("responses") or {}
    problems: list[str] = []
    declared = responses.get(status)
    if declared is None and status != "400":
        return [f"{method} {template}: status {status} is not listed (listed: {', '.join(responses)})"]
    ctype = (response.content_type or "").split(";")[0].strip()
    content = (declared or {}).get("content") or {}
    if status == "400" and declared is None:
        content = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}
    if response.status in (204, 304):
        if response.body:
            problems.append(f"{method} {template}: a {status} answer has a body")
    elif content:
        media = content.get(ctype) or (content.get("application/json") if ctype.endswith("+json") else None)
        if media is None:
            problems.append(f"{method} {template}: Content-Type {ctype!r} is not one of {sorted(content)}")
        elif "json" in ctype:
            body, error = _json_body(response)
            if error:
                problems.append(f"{method} {template}: {error}")
            else:
                problems += [f"{method} {template}: {e}" for e in dp.validator.errors(media["schema"], body)]
                problems += [
                    f"{method} {template}: {p} is null (Dialogporten omits nulls)" for p in nulls(body)
                ]
    etag_ops = {
        ("GET", "/api/v1/enduser/dialogs/{dialogId}", "200"),
        ("PUT", "/api/v1/enduser/dialogs/{dialogId}/context/systemlabels", "204"),
    }
    if (method, template, status) in etag_ops:
        etag = _header(response, "ETag")
        if not etag or not GUID.match(etag):
            problems.append(f"{method} {template}: ETag {etag!r} is not a bare GUID")
    return problems


def _header(response, name: str) -> str | None:
    for key, value in (response.headers or {}).items():
        if key.lower() == name.lower():
            return value
    return None


def _check_hand(method: str, path: str, response) -> list[str]:
    found = [(p, st) for m, p, st in _hand_routes if m == method and p.match(path)]
    if not found:
        return [f"{method} {path}: no contract schema covers this route"]
    pattern, statuses = found[0]
    authentication = path.startswith("/authentication/")
    status = response.status
    ctype = (response.content_type or "").split(";")[0].strip()
    where = f"{method} {pattern.pattern}"
    if status not in statuses:
        if status < 400:
            return [f"{where}: status {status} is not one this route answers"]
        if not response.body:
            return []  # Forbid()/NotFound()/Unauthorized() without a body
        if "json" not in ctype:
            return [f"{where}: a {status} answer with Content-Type {ctype!r} instead of a problem"]
        body, error = _json_body(response)
        if error:
            return [f"{where}: {error}"]
        schema = SCHEMAS["AltinnProblemDetails" if authentication and "code" in body else "ProblemDetails"]
        problems = [f"{where}: {e}" for e in _hand.errors(schema, body)]
        if authentication:
            problems += [f"{where}: {p} is null (Authentication omits nulls)" for p in nulls(body)]
        return problems
    expected = statuses[status]
    if expected is None:
        return [f"{where}: a {status} answer here has no body"] if response.body else []
    if expected in ("text", "binary", "token"):
        return []
    body, error = _json_body(response)
    if error:
        return [f"{where}: {error}"]
    if expected == "jwks":
        return (
            [] if isinstance(body, dict) and isinstance(body.get("keys"), list) else [f"{where}: not a JWKS"]
        )
    if expected == "guid-string":
        return (
            [] if isinstance(body, str) and GUID.match(body) else [f"{where}: {body!r} is not a GUID string"]
        )
    schema = (
        {"type": "array", "items": {"$ref": f"#/SCHEMAS/{expected[1]}"}}
        if isinstance(expected, tuple)
        else {"$ref": f"#/SCHEMAS/{expected}"}
    )
    problems = [f"{where}: {e}" for e in _hand.errors(schema, body)]
    if authentication:
        problems += [f"{where}: {p} is null (Authentication omits nulls)" for p in nulls(body)]
    return problems


# ---------------------------------------------------------------------------------------- requests
def check_request(
    method: str, url_path: str, query: dict[str, list[str]], headers: dict | None = None, body=None
) -> list[str]:
    """What in a request to Dialogporten breaks its contract: the path and method are an operation,
    every query parameter is one the operation declares, each value has the declared type and format,
    and the bounds Dialogporten's validators set (``limit`` 1–1000: ``PaginationConstants.cs``; at most
    20 values per list filter: ``SearchDialogQueryValidator.cs`` with the limits of
    ``/api/v1/metadata/limits``; ``orderBy`` keys of ``SearchDialogQueryOrderDefinition``; the ``party``
    URNs: ``NorwegianOrganizationIdentifier``/``NorwegianPersonIdentifier``)."""
    path = url_path[len(DIALOGPORTEN_PREFIX) :] if url_path.startswith(DIALOGPORTEN_PREFIX) else url_path
    dp = spec()
    found = dp.operation(method.upper(), path)
    if found is None:
        return [f"{method} {path} is not an operation of Dialogporten's end-user API"]
    template, operation = found
    declared = dp.parameters(operation)
    problems = []
    for name, values in query.items():
        parameter = declared.get(("query", name.lower()))
        if parameter is None:
            problems.append(f"{template}: the query parameter {name!r} is not declared")
            continue
        schema = parameter.get("schema") or {}
        if "$ref" in schema:
            schema = dp.validator.resolve(schema["$ref"])
        is_array = schema.get("type") == "array"
        if len(values) > 1 and not is_array:
            problems.append(f"{template}: {name} is given {len(values)} times but is not a list")
        item_schema = schema.get("items", {}) if is_array else schema
        if "$ref" in item_schema:
            item_schema = dp.validator.resolve(item_schema["$ref"])
        for value in values:
            problems += [f"{template}: {name}={value!r} {p}" for p in _query_value_errors(item_schema, value)]
        if is_array and len(values) > 20:
            problems.append(f"{template}: {name} has {len(values)} values (at most 20)")
    if template == "/api/v1/enduser/dialogs" and method.upper() == "GET":
        problems += _search_rules(query)
    if body is not None and "requestBody" in operation:
        media = (operation["requestBody"].get("content") or {}).get("application/json")
        if media:
            problems += [f"{template} body: {e}" for e in dp.validator.errors(media["schema"], body)]
    return problems


def _query_value_errors(schema: dict, value: str) -> list[str]:
    kind = schema.get("type")
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", value):
            return ["is not an integer"]
        problem = format_error(schema.get("format", "int64"), int(value))
        return [problem] if problem else []
    if kind == "boolean":
        return [] if value.lower() in ("true", "false") else ["is not a boolean"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"is not one of {schema['enum']}"]
    if "format" in schema:
        problem = format_error(schema["format"], value)
        return [problem] if problem else []
    return []


ORDER_KEYS = {"id", "createdat", "updatedat", "contentupdatedat", "dueat"}


def mod11_org_ok(number: str) -> bool:
    if not re.fullmatch(r"\d{9}", number):
        return False
    total = sum(int(d) * w for d, w in zip(number[:8], (3, 2, 7, 6, 5, 4, 3, 2), strict=True))
    control = 11 - total % 11
    control = 0 if control == 11 else control
    return control != 10 and control == int(number[8])


def _search_rules(query: dict[str, list[str]]) -> list[str]:
    problems = []
    lower = {k.lower(): v for k, v in query.items()}
    if not lower.get("party") and not lower.get("serviceresource"):
        problems.append("search: party or serviceResource is required")
    for party in lower.get("party") or []:
        if party.startswith("urn:altinn:organization:identifier-no:"):
            if not mod11_org_ok(party.rsplit(":", 1)[-1]):
                problems.append(f"search: party {party!r} fails the MOD11 check")
        elif not party.startswith(("urn:altinn:person:identifier-no:", "urn:altinn:party:uuid:")):
            problems.append(f"search: party {party!r} is not a party URN")
    for limit in lower.get("limit") or []:
        if limit.isdigit() and not 1 <= int(limit) <= 1000:
            problems.append(f"search: limit {limit} is outside 1-1000")
    for order in lower.get("orderby") or []:
        for part in order.split(","):
            key, _, direction = part.strip().lower().partition("_")
            if key not in ORDER_KEYS or direction not in ("", "asc", "desc"):
                problems.append(f"search: orderBy {order!r} is not Dialogporten's")
    return problems
