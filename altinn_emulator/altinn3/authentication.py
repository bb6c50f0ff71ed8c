"""Altinn Authentication: token exchange, system register, the vendor's system-user requests and the
client-delegation API of agent system users (Altinn/altinn-authentication, see the README's sources)."""

from __future__ import annotations

import base64
import uuid
from urllib.parse import quote, urlsplit

from ..routes import Response
from . import jwt
from .store import (
    ADMIN_PACKAGES,
    CLIENT_PACKAGES,
    KLIENTADMINISTRATOR,
    SYSTEMUSER_PAGE,
    VENDOR_NAME,
    Request,
    System,
    SystemUser,
    stable_uuid,
)
from .web import (
    KIND_ALTINN,
    KIND_MASKINPORTEN,
    Deny,
    a3,
    altinn_issuer,
    altinn_problem,
    altinn_validation_problem,
    arg,
    authenticate,
    base_url,
    body_json,
    empty,
    now_ts,
    problem,
    route,
)

BASE = r"^/authentication/api/v1"
SCOPE_REQUEST_WRITE = "altinn:authentication/systemuser.request.write"
SCOPE_REQUEST_READ = "altinn:authentication/systemuser.request.read"
SCOPE_REGISTER = "altinn:authentication/systemregister.write"
SCOPE_CLIENTS_READ = "altinn:clientdelegations.read"
SCOPE_CLIENTS_WRITE = "altinn:clientdelegations.write"

# src/Core/Problems/Problem.cs (domain "AUTH"): number -> (HTTP status, title)
PROBLEMS = {
    0: (400, "Can't resolve the Organisation Number from the logged in Reportee PartyId."),
    1: (400, "One or more Right not found or not delegable."),
    4: (400, "Failed to create new SystemUser, existing SystemUser tied to the given System-Id."),
    6: (400, "The combination of External Ids refer to an already Accepted SystemUser."),
    7: (400, "The combination of External Ids refer to a Pending Request, please reuse or delete."),
    8: (
        400,
        "The combination of External Ids refer to a Denied Request, please delete and renew the Request.",
    ),
    9: (
        400,
        "The combination of External Ids refer to a Rejected Request, please delete and renew the Request.",
    ),
    10: (404, "The Id does not refer to a Request in our system."),
    11: (404, "The Id does not refer to a Registered System."),
    21: (400, "The RedirectUri was not found or not valid."),
    23: (401, "Can't resolve the Organisation Number for the Vendor from the Token."),
    26: (400, "No redirect uris are set for the system"),
    35: (
        400,
        "The system user has delegations from customer. Remove the delegations before deleting the system "
        "user",
    ),
    45: (400, "Failed to get clients"),
    58: (400, "No AccessPackages found, an Agent SystemUser must have at least one"),
    59: (400, "No AccessPackages or Single Rights found, a SystemUser must have at least one"),
    63: (400, "One or more accesspackage is not found in the referenced system in the System Register."),
    64: (
        400,
        "One or more access packages cannot be delegated. Either they are intended for clients or they "
        "cannot be delegated further.",
    ),
    65: (
        400,
        "One or more access packages cannot be delegated because they are not intended for client "
        "relationships",
    ),
}
# src/Core/Errors/ValidationErrors.cs (domain "AUTH", sub-domain "VLD") and ErrorPathConstant.cs
VLD_ORG_IDENTIFIER = ("AUTH.VLD-00000", "the org number identifier is not valid ISO6523 identifier")
VLD_SYSTEM_ID_FORMAT = ("AUTH.VLD-00001", "The system id does not match the format orgnumber_xxxx...")
VLD_SYSTEM_ID_EXISTS = ("AUTH.VLD-00002", "The system id already exists")
VLD_CLIENT_ID_EXISTS = ("AUTH.VLD-00004", "One of the client id is already tagged with an existing system")
VLD_REDIRECT_FORMAT = (
    "AUTH.VLD-00005",
    "One or more of the redirect urls format is not valid. The valid format is https://xxx.xx",
)
VLD_PACKAGE_DUPLICATES = ("AUTH.VLD-00007", "One or more duplicate access package(s) found")
VLD_PACKAGE_INVALID = (
    "AUTH.VLD-00008",
    "One or all the accesspackage(s) is not found in altinn's access packages or is not delegable",
)
VLD_CLIENT_ID_DUPLICATES = ("AUTH.VLD-00011", "Request contains duplicate client ids")
VLD_SYSTEM_ID_MISMATCH = (
    "AUTH.VLD-00012",
    "The system ID in the request body does not match the system ID in the URL",
)
VLD_SYSTEM_ID_SPACES = (
    "AUTH.VLD-00013",
    "System ID cannot have spaces in id (leading, trailing or in between the id)",
)
VLD_AGENT_MISSING = ("AUTH.VLD-00014", "The agent query parameter is missing or invalid")
VLD_NOT_AGENT = ("AUTH.VLD-00015", "SystemUser is not a valid system user of type agent")
VLD_CLIENT_MISSING = ("AUTH.VLD-00016", "The client query parameter is missing or invalid")
VLD_VISIBLE_CLIENT_PACKAGE = (
    "AUTH.VLD-00018",
    "Access packages meant for system user for client relations can't be used in combination with the flag "
    "isVisible: true",
)
PATH = "/registersystemrequest/"


def auth_problem(number: int, **extensions) -> Response:
    status, title = PROBLEMS[number]
    return altinn_problem(f"AUTH-{number:05d}", status, title, **extensions)


def approval_ui(request) -> str:
    """Where the customer approves (Altinn: ``https://am.ui.<host>``; the emulator serves a tiny page)."""
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
    """The vendor's plain Maskinporten token; its org is the ``consumer`` claim."""
    principal = authenticate(state, request, allow=(KIND_MASKINPORTEN,), scope=scope, system_user=False)
    if principal.system_user is not None:
        raise Deny(
            problem(403, "Forbidden", "Vendor APIs take a plain Maskinporten token, not a system user")
        )
    if not principal.consumer_org:
        raise Deny(auth_problem(23))
    return principal


def vendor_system(state, principal, system_id: str) -> System:
    """The vendor's own system; another vendor's system is "not found" (``ValidateVendorOrgNo``)."""
    system = a3(state).systems.get(system_id)
    if system is None or system.deleted or system.vendor_org != principal.consumer_org:
        raise Deny(auth_problem(11))
    return system


# ---------------------------------------------------------------------------------------- system register
def _register_system(state, principal, system_id: str) -> System:
    """``SystemRegisterController``: unknown → 404, another vendor's → 403 (``Forbid()``, no body)."""
    system = a3(state).systems.get(system_id)
    if system is None:
        raise Deny(empty(404))
    if system.vendor_org != principal.consumer_org:
        raise Deny(empty(403))
    return system


@route("GET", BASE + r"/systemregister/vendor/?$")
def systems_list(state, request):
    principal = vendor(state, request, SCOPE_REGISTER)
    return Response.json(
        [
            s.as_dto(VENDOR_NAME)
            for s in a3(state).systems.values()
            if s.vendor_org == principal.consumer_org and not s.deleted
        ]
    )


def _packages(body: dict) -> list[str]:
    return [str(p.get("urn") or "") for p in body.get("accessPackages") or [] if isinstance(p, dict)]


def _system_from(body: dict, vendor_org: str) -> System:
    return System(
        str(body.get("id") or ""),
        vendor_org,
        dict(body.get("name") or {}),
        [str(c) for c in body.get("clientId") or []],
        _packages(body),
        list(body.get("rights") or []),
        [str(u) for u in body.get("allowedRedirectUrls") or body.get("allowedredirecturls") or []],
        stable_uuid("system", body.get("id") or ""),
        dict(body.get("description") or {}),
        bool(body.get("isVisible", True)),
    )


def _package_errors(system: System) -> list[tuple[str, str, str]]:
    errors = []
    known = [p for p in system.access_packages if p.startswith("urn:altinn:accesspackage:")]
    if len(known) != len(system.access_packages):
        errors.append((*VLD_PACKAGE_INVALID, PATH + "accesspackages"))
    if len(set(system.access_packages)) != len(system.access_packages):
        errors.append((*VLD_PACKAGE_DUPLICATES, PATH + "accesspackages"))
    if system.is_visible and CLIENT_PACKAGES & set(system.access_packages):
        errors.append((*VLD_VISIBLE_CLIENT_PACKAGE, PATH + "accesspackages"))
    return errors


def _client_id_errors(state, system: System) -> list[tuple[str, str, str]]:
    errors = []
    if len({c.lower() for c in system.client_ids}) != len(system.client_ids):
        errors.append((*VLD_CLIENT_ID_DUPLICATES, PATH + "clientid"))
    wanted = {c.lower() for c in system.client_ids}
    for other in a3(state).systems.values():
        if other.id != system.id and not other.deleted and wanted & {c.lower() for c in other.client_ids}:
            errors.append((*VLD_CLIENT_ID_EXISTS, PATH + "clientid"))
            break
    return errors


def _redirects_valid(urls: list[str]) -> bool:
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return False
    return True


@route("POST", BASE + r"/systemregister/vendor/?$")
def systems_post(state, request):
    """``CreateRegisteredSystem``: 200 with the internal id (a JSON string)."""
    principal = vendor(state, request, SCOPE_REGISTER)
    body = body_json(request)
    vendor_id = str((body.get("vendor") or {}).get("ID") or "")
    if not (vendor_id.startswith("0192:") and vendor_id[5:].isdigit() and len(vendor_id) == 14):
        return altinn_validation_problem([(*VLD_ORG_IDENTIFIER, PATH + "vendor/id")])
    system = _system_from(body, vendor_id[5:])
    errors = []
    if " " in system.id:
        errors.append((*VLD_SYSTEM_ID_SPACES, PATH + "systemid"))
    if not system.id.startswith(system.vendor_org + "_"):
        errors.append((*VLD_SYSTEM_ID_FORMAT, PATH + "systemid"))
    ext = a3(state)
    if system.id in ext.systems:
        errors.append((*VLD_SYSTEM_ID_EXISTS, PATH + "systemid"))
    if not _redirects_valid(system.allowed_redirect_urls):
        errors.append((*VLD_REDIRECT_FORMAT, PATH + "allowedredirecturls"))
    errors += _client_id_errors(state, system)
    errors += _package_errors(system)
    if system.vendor_org != principal.consumer_org:
        return empty(403)  # HasWriteAccess is checked before the validation errors are returned
    if errors:
        return altinn_validation_problem(errors)
    with ext.lock:
        ext.systems[system.id] = system
    return Response.json(system.guid)


@route("GET", BASE + r"/systemregister/vendor/(?P<system>[^/]+)/?$")
def system_get(state, request):
    principal = vendor(state, request, SCOPE_REGISTER)
    return Response.json(_register_system(state, principal, request.match["system"]).as_json())


@route("PUT", BASE + r"/systemregister/vendor/(?P<system>[^/]+)/?$")
def system_put(state, request):
    """``UpdateWholeRegisteredSystem``: 200 ``{"succeeded": true}``."""
    principal = vendor(state, request, SCOPE_REGISTER)
    current = _register_system(state, principal, request.match["system"])
    body = body_json(request)
    if str((body.get("vendor") or {}).get("ID") or "") != f"0192:{current.vendor_org}":
        return Response.text(f"System with ID '{current.id}' not found.", 404)
    system = _system_from(body, current.vendor_org)
    if system.id != current.id:
        return altinn_validation_problem([(*VLD_SYSTEM_ID_MISMATCH, PATH + "systemid")])
    if current.deleted:
        return Response.text("Cannot update a system marked as deleted.", 400)
    errors = _package_errors(system) + _client_id_errors(state, system)
    if errors:
        return altinn_validation_problem(errors)
    system.guid = current.guid
    ext = a3(state)
    with ext.lock:
        ext.systems[system.id] = system
    return Response.json({"succeeded": True})


# ---------------------------------------------------------------------------------------- requests
def _validate_packages(system: System, packages: list[str], agent: bool) -> Response | None:
    """``SystemUserService.ValidateAccessPackages``: on the system, then assignable (standard) or
    delegable (agent)."""
    missing = [p for p in packages if p not in system.access_packages]
    if len(packages) > len(system.access_packages) or missing:
        return auth_problem(63, NotFoundPackages=", ".join(missing))
    if agent:
        refused = [p for p in packages if p in ADMIN_PACKAGES]
        number, key = 65, "NotDelegablePackages"
    else:
        refused = [p for p in packages if p in CLIENT_PACKAGES]
        number, key = 64, "NotDelegablePackages"
    if refused:
        return auth_problem(number, **{key: ", ".join(refused)})
    return None


def _left_part(url: str) -> tuple:
    """``Uri.GetLeftPart(UriPartial.Path)``: scheme, host and path, without query and fragment."""
    parts = urlsplit(url)
    return parts.scheme, parts.netloc.lower(), parts.path


def _validate_redirect(system: System, redirect: str | None) -> Response | None:
    """``AuthenticationHelper.ValidateRedirectUrl``: the URL up to its path must be an allowed one."""
    if not redirect:
        return None
    if not system.allowed_redirect_urls:
        return auth_problem(26)
    chosen = urlsplit(redirect)
    for allowed in system.allowed_redirect_urls:
        parts = urlsplit(allowed)
        if (parts.scheme, parts.netloc.lower(), parts.path) == (
            chosen.scheme,
            chosen.netloc.lower(),
            chosen.path,
        ):
            return None
    return auth_problem(21)


_EXISTING_REQUEST_PROBLEM = {"Accepted": 6, "New": 7, "Denied": 8, "Rejected": 9}


def _create_request(state, request, agent: bool):
    """``RequestSystemUserController.CreateRequest`` / ``CreateAgentRequest`` and the service behind."""
    principal = vendor(state, request, SCOPE_REQUEST_WRITE)
    body = body_json(request)
    ext = a3(state)
    system_id = str(body.get("systemId") or "").strip()
    org = str(body.get("partyOrgNo") or "").strip()
    external_ref = str(body.get("externalRef") or "").strip() or org
    ui = approval_ui(request)
    with ext.lock:
        # 1. a system user of either kind for the key: AUTH-00004
        if ext.find_system_user(system_id, org, external_ref):
            return auth_problem(4)
        # 2. a request of the same kind that has not timed out comes back to every new POST
        old = ext.find_request(system_id, org, external_ref, agent)
        if old is not None and old.status != "Timedout":
            return Response.json(old.as_json(ui), 200)
        # 3. a new request: the system, then ValidateExternalRequestId (looks at STANDARD requests only)
        system = ext.systems.get(system_id)
        if system is None or system.deleted or system.vendor_org != principal.consumer_org:
            return auth_problem(11)
        standard = ext.find_request(system_id, org, external_ref, False)
        if standard is not None and standard.status in _EXISTING_REQUEST_PROBLEM:
            return auth_problem(_EXISTING_REQUEST_PROBLEM[standard.status])
        if len(org) != 9 or not org.isdigit():
            return auth_problem(0)
        redirect = str(body.get("redirectUrl") or "").strip() or None
        refused = _validate_redirect(system, redirect)
        if refused is not None:
            return refused
        raw_packages = body.get("accessPackages")
        packages = [p for p in _packages(body) if p]
        rights = [] if agent else list(body.get("rights") or [])
        if agent:
            if not packages:
                return auth_problem(58)
        else:
            if body.get("rights") is None and raw_packages is None:
                return auth_problem(1)
            if not rights and not packages:
                return auth_problem(59)
        if packages:
            refused = _validate_packages(system, packages, agent)
            if refused is not None:
                return refused
        new = Request(
            str(uuid.uuid4()),
            system.id,
            org,
            external_ref,
            agent,
            packages,
            rights,
            redirect,
            (body.get("integrationTitle") or "").strip() or system.name.get("nb"),
            state.now(),
        )
        ext.requests[new.id] = new
    location = f"{base_url(request)}/authentication/api/v1/systemuser/request/{new.id}"
    return Response.json(new.as_json(ui), 201, {"Location": location})


@route("POST", BASE + r"/systemuser/request/vendor/?$")
def request_post(state, request):
    return _create_request(state, request, False)


@route("POST", BASE + r"/systemuser/request/vendor/agent/?$")
def agent_request_post(state, request):
    return _create_request(state, request, True)


def _request_view(state, request, req: Request | None, principal):
    if req is None:
        return auth_problem(10)
    vendor_system(state, principal, req.system_id)
    return Response.json(req.as_json(approval_ui(request)))


@route("GET", BASE + r"/systemuser/request/vendor/(?:(?P<agent>agent)/)?(?P<id>[0-9a-fA-F-]{36})/?$")
def request_get(state, request):
    """By id; the standard route finds standard requests only, the agent route agent requests only."""
    principal = vendor(state, request, SCOPE_REQUEST_READ)
    req = a3(state).requests.get(request.match["id"].lower())
    if req is not None and (req.deleted or req.agent != bool(request.match["agent"])):
        req = None
    return _request_view(state, request, req, principal)


@route("DELETE", BASE + r"/systemuser/request/vendor/(?P<id>[0-9a-fA-F-]{36})/?$")
def request_delete(state, request):
    """``DeleteRequestByRequestId``: soft-deletes a request of either kind; 202 without a body, 404
    AUTH-00010 when there is no live request. (Altinn does not check the vendor here.)"""
    vendor(state, request, SCOPE_REQUEST_WRITE)
    ext = a3(state)
    with ext.lock:
        req = ext.requests.get(request.match["id"].lower())
        if req is None or req.deleted:
            return auth_problem(10)
        req.deleted = True
    return empty(202)


@route(
    "GET",
    BASE + r"/systemuser/request/vendor/(?:(?P<agent>agent)/)?byexternalref/(?P<system>[^/]+)/"
    r"(?P<org>\d{9})/(?P<ref>[^/]+)/?$",
)
def request_by_ref(state, request):
    principal = vendor(state, request, SCOPE_REQUEST_READ)
    found = a3(state).find_request(
        request.match["system"], request.match["org"], request.match["ref"], bool(request.match["agent"])
    )
    return _request_view(state, request, found, principal)


# ---------------------------------------------------------------------------------------- system users
@route("GET", BASE + r"/systemuser/vendor/byquery/?$")
def by_query(state, request):
    """The live system user of either kind for (system, org, externalRef default org); 404 without a
    body when none, or when it belongs to another vendor's system."""
    principal = vendor(state, request, SCOPE_REQUEST_WRITE)
    ext = a3(state)
    org = arg(request, "orgno") or ""
    user = ext.find_system_user(arg(request, "system-id") or "", org, arg(request, "external-ref") or org)
    system = ext.systems.get(user.system_id) if user else None
    if user is None or system is None or system.vendor_org != principal.consumer_org:
        return empty(404)
    return Response.json(user.as_json(system, VENDOR_NAME))


@route("GET", BASE + r"/systemuser/vendor/bysystem/(?P<system>[^/]+)/?$")
def by_system(state, request):
    principal = vendor(state, request, SCOPE_REGISTER)
    system = vendor_system(state, principal, request.match["system"])
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
    return Response.json({"links": {"next": nxt}, "data": [u.as_json(system, VENDOR_NAME) for u in page]})


# ---------------------------------------------------------------------------------------- client delegation
def client_admin(state, request, scope: str, owner_org: str):
    """``SystemUserClientDelegationController``: an Altinn token with the clientdelegations scope whose
    caller may administer clients of ``owner_org`` (PDP on ``altinn_client_administration``). Here the
    caller is a standard system user of that organisation holding ``klientadministrator`` (a person
    logged in through ID-porten is not emulated)."""
    principal = authenticate(state, request, allow=(KIND_ALTINN,), scope=scope)
    user = principal.system_user
    if user.agent or user.owner_org != owner_org or KLIENTADMINISTRATOR not in user.access_packages:
        raise Deny(empty(403))
    return principal


def _agent(state, request) -> SystemUser:
    agent_id = (arg(request, "agent") or "").strip().lower()
    try:
        agent_id = str(uuid.UUID(agent_id))
    except ValueError:
        raise Deny(altinn_validation_problem([(*VLD_AGENT_MISSING, "?agent")])) from None
    user = a3(state).system_users.get(agent_id)
    if user is None or user.deleted:
        raise Deny(altinn_validation_problem([("AUTH.VLD-00014", "System user not found", "?agent")]))
    if not user.agent:
        raise Deny(altinn_validation_problem([(*VLD_NOT_AGENT, "?agent")]))
    return user


def _client_info(state, org: str) -> dict:
    return {
        "clientId": stable_uuid("party", org),
        "clientOrganizationNumber": org,
        "clientOrganizationName": state.organisation(org).name,
    }


def _client_list(state, user: SystemUser, orgs) -> Response:
    return Response.json(
        {
            "links": {"next": None},
            "data": [_client_info(state, org) for org in sorted(orgs)],
            "systemUserInformation": {"systemUserId": user.id, "systemUserOwnerOrg": user.owner_org},
        }
    )


@route("GET", BASE + r"/enduser/systemuser/agents/?$")
def agents(state, request):
    org = arg(request, "party") or ""
    client_admin(state, request, SCOPE_CLIENTS_READ, org)
    ext = a3(state)
    users = [u for u in ext.system_users.values() if u.agent and u.owner_org == org and not u.deleted]
    return Response.json(
        [
            {
                "id": u.id,
                "integrationTitle": u.integration_title,
                "systemId": u.system_id,
                "productName": (system.name.get("nb") if system else "") or "",
                "systemInternalId": system.guid if system else None,
                "partyId": str(state.party_id(u.owner_org)),
                "partyUuId": stable_uuid("party", u.owner_org),
                "reporteeOrgNo": u.owner_org,
                "created": u.created.isoformat(),
                "isDeleted": False,
                "supplierName": VENDOR_NAME,
                "supplierOrgno": system.vendor_org if system else "",
                "externalRef": u.external_ref,
                "userType": "agent",
                "accessPackages": [{"urn": p} for p in u.access_packages],
            }
            for u in sorted(users, key=lambda u: (u.created, u.id))
            for system in [ext.systems.get(u.system_id)]
        ]
    )


@route("GET", BASE + r"/enduser/systemuser/clients/?$")
def clients_delegated(state, request):
    user = _agent(state, request)
    client_admin(state, request, SCOPE_CLIENTS_READ, user.owner_org)
    return _client_list(state, user, user.clients)


@route("GET", BASE + r"/enduser/systemuser/clients/available/?$")
def clients_available(state, request):
    user = _agent(state, request)
    client_admin(state, request, SCOPE_CLIENTS_READ, user.owner_org)
    return _client_list(state, user, a3(state).firm_clients.get(user.owner_org, set()))


def _client_org(state, request, user: SystemUser) -> str:
    wanted = (arg(request, "client") or "").strip().lower()
    try:
        wanted = str(uuid.UUID(wanted))
    except ValueError:
        raise Deny(altinn_validation_problem([(*VLD_CLIENT_MISSING, "?client")])) from None
    for org in a3(state).firm_clients.get(user.owner_org, set()) | user.clients:
        if stable_uuid("party", org) == wanted:
            return org
    raise Deny(auth_problem(45))


@route("POST", BASE + r"/enduser/systemuser/clients/?$")
def clients_add(state, request):
    user = _agent(state, request)
    client_admin(state, request, SCOPE_CLIENTS_WRITE, user.owner_org)
    org = _client_org(state, request, user)
    ext = a3(state)
    with ext.lock:
        user.clients.add(org)
    return Response.json({"agent": user.id, "client": stable_uuid("party", org)})


@route("DELETE", BASE + r"/enduser/systemuser/clients/?$")
def clients_remove(state, request):
    user = _agent(state, request)
    client_admin(state, request, SCOPE_CLIENTS_WRITE, user.owner_org)
    org = _client_org(state, request, user)
    ext = a3(state)
    with ext.lock:
        user.clients.discard(org)
    return Response.json({"agent": user.id, "client": stable_uuid("party", org)})
