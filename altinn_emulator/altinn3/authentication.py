"""Altinn Authentication: token exchange, system register and the vendor's system-user requests."""

from __future__ import annotations

import base64
import uuid
from urllib.parse import quote

from ..routes import Response
from . import jwt
from .store import SYSTEMUSER_PAGE, Request, System, stable_uuid
from .web import (
    KIND_MASKINPORTEN,
    Deny,
    a3,
    altinn_issuer,
    arg,
    authenticate,
    base_url,
    body_json,
    now_ts,
    problem,
    route,
)

BASE = r"^/authentication/api/v1"
SCOPE_REQUEST_WRITE = "altinn:authentication/systemuser.request.write"
SCOPE_REQUEST_READ = "altinn:authentication/systemuser.request.read"
SCOPE_REGISTER = "altinn:authentication/systemregister.write"


def approval_ui(request) -> str:
    """Where the customer approves (the emulator shows a tiny page; tests use the control endpoint)."""
    return base_url(request)


# ---------------------------------------------------------------------------------------- exchange
@route("GET", BASE + r"/exchange/maskinporten/?$")
def exchange(state, request):
    if "x-altinn-enterpriseuser-authentication" in request.headers:
        return problem(
            410, "Gone", "Virksomhetsbruker has been replaced by Systembruker (system user) or ID-porten"
        )
    principal = authenticate(state, request, allow=(KIND_MASKINPORTEN,), system_user=False)
    ext = a3(state)
    claims = dict(principal.claims)
    now = int(now_ts(state))
    claims.update(
        {
            "iss": altinn_issuer(request),
            "iat": now,
            "nbf": now,
            "exp": now + ext.altinn_token_lifetime,
            "urn:altinn:orgNumber": principal.consumer_org,
            "urn:altinn:authenticatemethod": "maskinporten",
            "urn:altinn:authlevel": 3,
            "sid": str(uuid.uuid4()),
            "jti": str(uuid.uuid4()),
        }
    )
    token = jwt.sign_rs256(claims, ext.keys.platform, ext.keys.platform_kid)
    return Response.text(f'"{token}"' if arg(request, "quoted") else token)


@route("GET", BASE + r"/openid/\.well-known/openid-configuration/jwks$")
def altinn_jwks(state, request):
    keys = a3(state).keys
    return Response.json({"keys": [jwt.rsa_jwk(keys.platform.public_key(), keys.platform_kid)]})


# ---------------------------------------------------------------------------------------- vendor auth
def vendor(state, request, scope: str):
    principal = authenticate(state, request, allow=(KIND_MASKINPORTEN,), scope=scope, system_user=False)
    if principal.system_user is not None:
        raise Deny(
            problem(403, "Forbidden", "Vendor APIs take a plain Maskinporten token, not a system user")
        )
    return principal


def own_system(state, principal, system_id: str) -> System:
    system = a3(state).systems.get(system_id)
    if system is None:
        raise Deny(problem(404, "Not Found", f"System {system_id} not found", code="AUTH-00011"))
    if system.vendor_org != principal.consumer_org:
        raise Deny(problem(403, "Forbidden", "The system belongs to another vendor"))
    return system


# ---------------------------------------------------------------------------------------- system register
@route("GET", BASE + r"/systemregister/vendor/?$")
def systems_list(state, request):
    principal = vendor(state, request, SCOPE_REGISTER)
    return Response.json(
        [s.as_json() for s in a3(state).systems.values() if s.vendor_org == principal.consumer_org]
    )


def _system_from(body: dict, principal) -> System:
    vendor_id = str((body.get("vendor") or {}).get("ID") or "")
    if vendor_id != f"0192:{principal.consumer_org}":
        raise Deny(problem(403, "Forbidden", "vendor.ID must be the organisation of the token's consumer"))
    if not body.get("id") or not body.get("name"):
        raise Deny(problem(400, "Bad Request", "id and name are required"))
    return System(
        str(body["id"]),
        principal.consumer_org,
        dict(body.get("name") or {}),
        list(body.get("clientId") or []),
        [p.get("urn") for p in body.get("accessPackages") or [] if isinstance(p, dict)],
        list(body.get("rights") or []),
        list(body.get("allowedRedirectUrls") or []),
        stable_uuid("system", body["id"]),
        dict(body.get("description") or {}),
        bool(body.get("isVisible", True)),
    )


@route("POST", BASE + r"/systemregister/vendor/?$")
def systems_post(state, request):
    principal = vendor(state, request, SCOPE_REGISTER)
    system = _system_from(body_json(request), principal)
    ext = a3(state)
    with ext.lock:
        if system.id in ext.systems:
            return problem(400, "Bad Request", f"The system id {system.id} already exists", code="AUTH-00001")
        ext.systems[system.id] = system
    return Response.json(system.guid)


@route("GET", BASE + r"/systemregister/vendor/(?P<system>[^/]+)/?$")
def system_get(state, request):
    principal = vendor(state, request, SCOPE_REGISTER)
    return Response.json(own_system(state, principal, request.match["system"]).as_json())


@route("PUT", BASE + r"/systemregister/vendor/(?P<system>[^/]+)/?$")
def system_put(state, request):
    principal = vendor(state, request, SCOPE_REGISTER)
    own_system(state, principal, request.match["system"])
    system = _system_from(body_json(request), principal)
    if system.id != request.match["system"]:
        return problem(400, "Bad Request", "The id in the body differs from the path")
    ext = a3(state)
    with ext.lock:
        ext.systems[system.id] = system
    return Response.json(True)


# ---------------------------------------------------------------------------------------- requests
def _create_request(state, request, agent: bool):
    principal = vendor(state, request, SCOPE_REQUEST_WRITE)
    body = body_json(request)
    ext = a3(state)
    system = own_system(state, principal, str(body.get("systemId") or ""))
    org = str(body.get("partyOrgNo") or "")
    if len(org) != 9 or not org.isdigit():
        return problem(400, "Bad Request", "partyOrgNo must be an organisation number", code="AUTH-00006")
    packages = [p.get("urn") for p in body.get("accessPackages") or [] if isinstance(p, dict)]
    rights = list(body.get("rights") or [])
    if agent and (rights or not packages):
        return problem(400, "Bad Request", "An agent request takes access packages only, at least one")
    if not packages and not rights:
        return problem(400, "Bad Request", "Rights or access packages are required")
    unknown = [p for p in packages if p not in system.access_packages]
    if unknown:
        return problem(
            400,
            "Bad Request",
            f"Access packages not registered on the system: {', '.join(unknown)}",
            code="AUTH-00013",
        )
    redirect = body.get("redirectUrl")
    if redirect and system.allowed_redirect_urls and redirect not in system.allowed_redirect_urls:
        return problem(400, "Bad Request", "redirectUrl is not among the system's allowedRedirectUrls")
    external_ref = str(body.get("externalRef") or org)
    ui = approval_ui(request)
    with ext.lock:
        if ext.find_system_user(system.id, org, external_ref, agent):
            return problem(
                400,
                "Bad Request",
                "A system user already exists for this system, organisation and " "externalRef",
                code="AUTH-00004",
            )
        for old in ext.requests.values():
            if (
                old.system_id == system.id
                and old.party_org == org
                and old.external_ref == external_ref
                and old.agent == agent
                and old.status == "New"
            ):
                return Response.json(old.as_json(ui), 200)
        new = Request(
            str(uuid.uuid4()),
            system.id,
            org,
            external_ref,
            agent,
            packages,
            rights,
            redirect,
            body.get("integrationTitle"),
            state.now(),
        )
        ext.requests[new.id] = new
    path = f"/authentication/api/v1/systemuser/request/vendor/{'agent/' if agent else ''}{new.id}"
    return Response.json(new.as_json(ui), 201, {"Location": base_url(request) + path})


@route("POST", BASE + r"/systemuser/request/vendor/?$")
def request_post(state, request):
    return _create_request(state, request, False)


@route("POST", BASE + r"/systemuser/request/vendor/agent/?$")
def agent_request_post(state, request):
    return _create_request(state, request, True)


def _request_view(state, request, req: Request | None, principal):
    if req is None:
        return problem(404, "Not Found", "The request was not found", code="AUTH-00010")
    own_system(state, principal, req.system_id)
    return Response.json(req.as_json(approval_ui(request)))


@route("GET", BASE + r"/systemuser/request/vendor/(?:(?P<agent>agent)/)?(?P<id>[0-9a-fA-F-]{36})/?$")
def request_get(state, request):
    principal = vendor(state, request, SCOPE_REQUEST_READ)
    req = a3(state).requests.get(request.match["id"])
    if req is not None and req.agent != bool(request.match["agent"]):
        req = None
    return _request_view(state, request, req, principal)


@route("DELETE", BASE + r"/systemuser/request/vendor/(?P<id>[0-9a-fA-F-]{36})/?$")
def request_delete(state, request):
    principal = vendor(state, request, SCOPE_REQUEST_WRITE)
    ext = a3(state)
    req = ext.requests.get(request.match["id"])
    if req is None:
        return problem(404, "Not Found", "The request was not found")
    own_system(state, principal, req.system_id)
    with ext.lock:
        ext.requests.pop(req.id, None)
    return Response.json(True)


@route(
    "GET",
    BASE + r"/systemuser/request/vendor/(?:(?P<agent>agent)/)?byexternalref/(?P<system>[^/]+)/"
    r"(?P<org>\d{9})/(?P<ref>[^/]+)/?$",
)
def request_by_ref(state, request):
    principal = vendor(state, request, SCOPE_REQUEST_READ)
    agent = bool(request.match["agent"])
    found = None
    for req in a3(state).requests.values():
        if (
            req.system_id == request.match["system"]
            and req.party_org == request.match["org"]
            and req.external_ref == request.match["ref"]
            and req.agent == agent
        ):
            if found is None or req.created >= found.created:
                found = req
    return _request_view(state, request, found, principal)


# ---------------------------------------------------------------------------------------- system users
@route("GET", BASE + r"/systemuser/vendor/byquery/?$")
def by_query(state, request):
    principal = vendor(state, request, SCOPE_REQUEST_WRITE)
    system = own_system(state, principal, arg(request, "system-id") or "")
    org = arg(request, "orgno") or ""
    user = a3(state).find_system_user(system.id, org, arg(request, "external-ref") or org)
    if user is None:
        return problem(404, "Not Found", "No system user found", code="AUTH-00008")
    return Response.json(user.as_json(system, "PRISOLVE TESTLEVERANDØR AS"))


@route("GET", BASE + r"/systemuser/vendor/bysystem/(?P<system>[^/]+)/?$")
def by_system(state, request):
    principal = vendor(state, request, SCOPE_REGISTER)
    system = own_system(state, principal, request.match["system"])
    users = sorted(
        (u for u in a3(state).system_users.values() if u.system_id == system.id and not u.deleted),
        key=lambda u: (u.created, u.id),
    )
    token = arg(request, "token")
    try:
        start = int(base64.urlsafe_b64decode(token.encode()).decode()) if token else 0
    except ValueError:
        return problem(400, "Bad Request", "Invalid continuation token")
    page = users[start : start + SYSTEMUSER_PAGE]
    nxt = None
    if start + SYSTEMUSER_PAGE < len(users):
        code = base64.urlsafe_b64encode(str(start + SYSTEMUSER_PAGE).encode()).decode()
        path = f"/authentication/api/v1/systemuser/vendor/bysystem/{quote(system.id)}"
        nxt = f"{base_url(request)}{path}?token={code}"
    return Response.json(
        {"links": {"next": nxt}, "data": [u.as_json(system, "PRISOLVE TESTLEVERANDØR AS") for u in page]}
    )
