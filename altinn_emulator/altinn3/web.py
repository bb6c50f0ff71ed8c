"""Glue between the Altinn 3 handlers and the emulator's route registry: state access, problem
answers, bearer-token checks (which token each API accepts), injected faults and the call log."""

from __future__ import annotations

import email.utils
import functools
import json
import re
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from .. import routes
from ..routes import Response
from . import jwt
from .store import A3State, SystemUser

KIND_MASKINPORTEN = "maskinporten"
KIND_ALTINN = "altinn"
KIND_DIALOG = "dialog"
ORG_URN = "urn:altinn:organization:identifier-no:"


class Deny(Exception):
    """Raised by helpers to answer at once with ``response``."""

    def __init__(self, response: Response):
        super().__init__(response.status)
        self.response = response


def a3(state) -> A3State:
    ext = state.extensions.get("altinn3")
    if ext is None:
        with state.lock:
            ext = state.extensions.get("altinn3")
            if ext is None:
                ext = state.extensions["altinn3"] = A3State(state)
    return ext


def base_url(request) -> str:
    host = request.headers.get("host") or "127.0.0.1"
    return f"http://{host}"


def maskinporten_issuer(request) -> str:
    return base_url(request) + "/"


def altinn_issuer(request) -> str:
    return base_url(request) + "/authentication/api/v1/openid/"


def dialog_issuer(request) -> str:
    return base_url(request) + "/dialogporten/api/v1"


def now_ts(state) -> float:
    return state.now().timestamp()


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    value = text.strip().replace("Z", "+00:00").replace(" ", "+")
    if "." in value:
        head, _, rest = value.partition(".")
        digits = re.match(r"\d*", rest).group(0)
        value = f"{head}.{(digits + '000000')[:6]}{rest[len(digits):]}"
    result = datetime.fromisoformat(value)
    if result.tzinfo is None:
        raise ValueError("a time zone is required")
    return result


def problem(
    status: int, title: str, detail: str | None = None, *, headers: dict | None = None, **extensions
) -> Response:
    body = {
        "type": f"https://tools.ietf.org/html/rfc9110#section-15.{5 if status < 500 else 6}",
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    body.update(extensions)
    body.setdefault("traceId", f"00-emulator{status:03d}-01")
    response = Response.json(body, status, headers)
    response.content_type = "application/problem+json; charset=utf-8"
    return response


HTTP_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
}


def altinn_problem(code: str, status: int, title: str, detail: str | None = None, **extensions) -> Response:
    """An ``AltinnProblemDetails`` as Altinn.Authorization.ProblemDetails 5.4 writes it (authentication,
    access management): ``type`` = ``urn:altinn:error:<code>``, the descriptor's text in ``title``, the
    code in ``code``; a ``ProblemInstance``'s extension data become top-level members."""
    body = {"type": f"urn:altinn:error:{code}", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body["code"] = code
    body["traceId"] = f"00-emulator{status:03d}-01"
    body["statusDescription"] = HTTP_REASONS.get(status, "Error")
    body.update(extensions)
    response = Response.json(body, status)
    response.content_type = "application/problem+json; charset=utf-8"
    return response


def altinn_validation_problem(errors: list[tuple[str, str, str]]) -> Response:
    """``AltinnValidationProblemDetails``: STD-00000 with ``validationErrors`` [(code, title, path)]."""
    return altinn_problem(
        "STD-00000",
        400,
        "One or more validation errors occurred.",
        validationErrors=[{"code": code, "title": title, "paths": [path]} for code, title, path in errors],
    )


def empty(status: int) -> Response:
    """An ASP.NET ``Forbid()``/``NotFound()``/``Accepted()`` answer: a status without a body."""
    return Response(status, b"", "text/plain", {})


def validation_problem(path: str, message: str) -> Response:
    return problem(
        400,
        "One or more validation errors occurred.",
        message,
        validationErrors=[{"paths": [path], "title": message}],
        errors={path: [message]},
    )


def oauth_error(error: str, description: str, status: int = 400) -> Response:
    return Response.json({"error": error, "error_description": description}, status)


# ---------------------------------------------------------------------------------------- auth
@dataclass
class Principal:
    kind: str
    claims: dict
    scopes: set
    system_user: SystemUser | None
    consumer_org: str | None
    dialog_id: str | None = None


def _bearer(request) -> str:
    value = request.headers.get("authorization") or ""
    if not value.lower().startswith("bearer "):
        raise Deny(
            problem(401, "Unauthorized", "A bearer token is required", headers={"WWW-Authenticate": "Bearer"})
        )
    return value[7:].strip()


def _unauthorized(detail: str) -> Deny:
    return Deny(
        problem(
            401,
            "Unauthorized",
            detail,
            headers={"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{detail}"'},
        )
    )


_UNKNOWN_ISSUER = {
    KIND_DIALOG: "Unknown dialog token issuer",
    KIND_MASKINPORTEN: "Unknown Maskinporten issuer",
    KIND_ALTINN: "Unknown Altinn token issuer",
}


@functools.lru_cache(maxsize=4096)
def _verified_token(token, keys):
    """(header, claims, kind) of ``token`` when one of the emulator's ``keys`` signed it; else ``Deny`` (401).

    A client sends the same token on every call for its lifetime: its signature is checked once (the keys
    live as long as the process); expiry, issuer and scope are checked on every call."""
    try:
        header, claims, signing_input, sig = jwt.parse(token)
    except jwt.TokenError:
        raise _unauthorized("The token is not a JWT") from None
    alg, kid = header.get("alg"), header.get("kid")
    try:
        if alg == "EdDSA" and kid == keys.dialog_kid:
            jwt.verify_eddsa(signing_input, sig, keys.dialog_public)
            kind = KIND_DIALOG
        elif alg == "RS256" and kid == keys.maskinporten_kid:
            jwt.verify_rs(signing_input, sig, alg, keys.maskinporten_public)
            kind = KIND_MASKINPORTEN
        elif alg == "RS256" and kid == keys.platform_kid:
            jwt.verify_rs(signing_input, sig, alg, keys.platform_public)
            kind = KIND_ALTINN
        else:
            raise _unauthorized("The token was not issued by a trusted issuer")
    except jwt.TokenError:
        raise _unauthorized("The token signature is invalid") from None
    return header, claims, kind


def authenticate(
    state,
    request,
    *,
    allow=(KIND_MASKINPORTEN, KIND_ALTINN),
    scope: str | None = None,
    system_user: bool = True,
) -> Principal:
    """The caller's verified token, or ``Deny`` (401 invalid/expired/wrong kind, 403 scope/system user)."""
    ext = a3(state)
    _header, claims, kind = _verified_token(_bearer(request), ext.keys)
    issuer = {KIND_DIALOG: dialog_issuer, KIND_MASKINPORTEN: maskinporten_issuer, KIND_ALTINN: altinn_issuer}
    if claims.get("iss") != issuer[kind](request):
        raise _unauthorized(_UNKNOWN_ISSUER[kind])
    request.token_kind = kind
    if float(claims.get("exp") or 0) <= now_ts(state):
        raise _unauthorized("The token is expired")
    if kind not in allow:
        # e.g. Correspondence download with a raw Maskinporten token: the cascade handler refuses it.
        raise _unauthorized(f"This endpoint does not accept {kind} tokens")
    scopes = set(str(claims.get("scope") or "").split())
    consumer = str((claims.get("consumer") or {}).get("ID") or "").split(":")[-1] or None
    principal = Principal(kind, claims, scopes, None, consumer)
    if kind == KIND_DIALOG:
        # IDialogTokenGenerator: "c" is the consumer (vendor) org, the system user is in "y".
        principal.dialog_id = claims.get("i")
        su_id = str(claims.get("y") or "").rsplit(":", 1)[-1]
        principal.system_user = ext.system_users.get(su_id)
        return principal
    if scope and scope not in scopes:
        raise Deny(problem(403, "Forbidden", f"The token lacks the scope {scope}"))
    details = claims.get("authorization_details") or []
    su_ids = [d.get("systemuser_id") for d in details if isinstance(d, dict)]
    su_id = (su_ids[0] or [None])[0] if su_ids else None
    if su_id:
        user = ext.system_users.get(su_id)
        if user is None or user.deleted:
            raise Deny(problem(403, "Forbidden", "The system user no longer exists"))
        principal.system_user = user
    elif system_user:
        raise Deny(problem(403, "Forbidden", "This API needs a system-user token (authorization_details)"))
    return principal


# ---------------------------------------------------------------------------------------- faults
def take_fault(state, request) -> dict | None:
    ext = a3(state)
    with ext.lock:
        for fault in ext.faults:
            if fault.get("method", "*") not in ("*", request.method):
                continue
            if not re.search(fault.get("path") or ".", request.path):
                continue
            if fault.get("query") and not re.search(fault["query"], request.raw_query):
                continue
            if fault.get("skip", 0) > 0:
                fault["skip"] -= 1
                continue
            fault["count"] = fault.get("count", 1) - 1
            if fault["count"] <= 0:
                ext.faults.remove(fault)
            return dict(fault)
    return None


def retry_after_value(seconds: float, form: str, now: datetime) -> str:
    """``Retry-After`` as delta-seconds, or as an HTTP date (RFC 1123, GMT) that many seconds after ``now``
    (Dialogporten's maintenance mode: ``RetryAt.ToUniversalTime().ToString("R")``,
    ``Digdir.Library.Utils.AspNet/MaintenanceModeMiddleware.cs``)."""
    if form == "date":
        return email.utils.format_datetime(
            (now + timedelta(seconds=float(seconds))).astimezone(timezone.utc), usegmt=True
        )
    return str(int(seconds)) if float(seconds).is_integer() else str(seconds)


def fault_response(fault: dict, now: datetime | None = None) -> Response | None:
    headers = {}
    if fault.get("retry_after") is not None:
        # 503 is Dialogporten's maintenance answer, whose Retry-After is an HTTP date; 429 uses seconds.
        form = fault.get("retry_after_form") or ("date" if fault.get("status") == 503 else "seconds")
        headers["Retry-After"] = retry_after_value(
            fault["retry_after"], form, now or datetime.now(timezone.utc)
        )
    if fault.get("oauth_error"):
        return oauth_error(
            fault["oauth_error"],
            fault.get("error_description") or "Injected error",
            fault.get("status") or 400,
        )
    status = fault.get("status")
    if not status:
        return None
    if fault.get("json") is not None:
        return Response.json(fault["json"], status, headers)
    if fault.get("text") is not None:
        return Response(
            status, fault["text"].encode("utf-8"), fault.get("content_type") or "text/plain", headers
        )
    if status == 503:
        return Response(503, b"Service Unavailable", "text/plain", headers)
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    titles = {
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not Found",
        429: "Too Many Requests",
        500: "Internal Server Error",
        502: "Bad Gateway",
        504: "Gateway Timeout",
    }
    return problem(status, titles.get(status, "Error"), "Injected by the emulator", headers=headers)


# ---------------------------------------------------------------------------------------- routing
def route(method: str, pattern: str, *, control: bool = False):
    """Register ``handler(state, request)`` with fault injection, ``Deny`` handling and a call log."""

    def decorate(handler):
        @functools.wraps(handler)
        def wrapped(state, request):
            request.token_kind = None
            delay = 0.0
            fault = None if control else take_fault(state, request)
            try:
                response = fault_response(fault, state.now()) if fault else None
                if fault and fault.get("delay_seconds"):
                    delay = float(fault["delay_seconds"])
                if response is None:
                    response = handler(state, request)
            except Deny as deny:
                response = deny.response
            except Exception:  # a bug in a handler: answer 500 like a broken backend, and say why on stderr
                traceback.print_exc()
                response = problem(500, "Internal Server Error", "emulator handler failed")
            if not control and fault is None:
                response = checked(state, request, without_nulls(request.path, response))
            if not control:
                delay = max(delay, a3(state).latency)
            if delay:
                response.delay = max(response.delay, delay)
            if not control:
                ext = a3(state)
                with ext.lock:
                    ext.calls_total += 1
                    ext.calls.append(
                        {
                            "method": request.method,
                            "path": request.path,
                            "status": response.status,
                            "token": request.token_kind,
                            "at": iso(state.now()),
                            # what the client sent (its own contract test checks them): query, JSON body
                            "query": {k: list(v) for k, v in request.query.items()},
                            "json": _json_or_none(request),
                        }
                    )
                    del ext.calls[:-5000]
            return response

        routes.register(method, pattern, wrapped)
        return handler

    return decorate


# APIs whose serializer is set to ``JsonIgnoreCondition.WhenWritingNull``: a null member is not written.
# dialogporten src/Digdir.Domain.Dialogporten.WebApi/Program.cs; altinn-authentication
# src/Authentication/AuthenticationHost.cs. (Correspondence writes nulls: no such option in its Program.cs.)
OMIT_NULLS = ("/dialogporten/", "/authentication/")


def _drop_nulls(value):
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def without_nulls(path: str, response: Response) -> Response:
    """The JSON answer of a WhenWritingNull API without its null members, as Altinn writes it."""
    if not path.startswith(OMIT_NULLS) or "json" not in (response.content_type or "") or not response.body:
        return response
    try:
        data = json.loads(response.body)
    except ValueError:
        return response
    response.body = json.dumps(_drop_nulls(data), ensure_ascii=False, default=str).encode("utf-8")
    return response


def checked(state, request, response: Response) -> Response:
    """The answer, after the contract check when it is on (``contract.py``): an answer that breaks
    Altinn's contract is recorded and replaced by a 500 problem naming what is wrong."""
    if not getattr(state, "contract_check", False):
        return response
    from . import contract  # the OpenAPI document is loaded only when the check is on

    try:
        problems = contract.check_response(request.method, request.path, response)
    except Exception as exc:  # a missing document or a broken schema must fail as loudly as a violation
        problems = [f"the contract check failed: {exc!r}"]
    if not problems:
        return response
    violation = {
        "method": request.method,
        "path": request.path,
        "status": response.status,
        "problems": problems,
    }
    with state.lock:
        state.contract_violations.append(violation)
    return problem(500, "Emulator contract violation", "; ".join(problems)[:2000])


def _json_or_none(request):
    if not request.body or "json" not in (request.headers.get("content-type") or ""):
        return None
    try:
        return request.json()
    except ValueError:
        return None


def body_json(request) -> dict:
    try:
        data = request.json()
    except ValueError:
        raise Deny(problem(400, "Bad Request", "The body is not valid JSON")) from None
    if not isinstance(data, dict):
        raise Deny(problem(400, "Bad Request", "A JSON object is required"))
    return data


def arg(request, name: str, default=None):
    values = request.query.get(name)
    return values[0] if values else default


def args(request, name: str) -> list[str]:
    return [v for v in request.query.get(name) or [] if v != ""]
