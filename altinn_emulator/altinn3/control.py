"""Test-only control endpoints for the Altinn 3 side, under ``/_emulator/altinn3/``."""

from __future__ import annotations

from html import escape as html_escape

from ..routes import Response
from . import jwt, views
from .store import (
    CLIENT_ID,
    SYSTEM_ID,
    VENDOR_KID,
    VENDOR_ORG,
    Client,
    SystemUser,
    stable_uuid,
)
from .web import a3, args, base_url, body_json, iso, problem, route

BASE = r"^/_emulator/altinn3"


@route("GET", BASE + r"/?$", control=True)
def summary(state, request):
    ext = a3(state)
    return Response.json(
        {
            "vendor": _vendor(state, request, with_key=False),
            "clients": {
                c.client_id: {
                    "consumer_org": c.consumer_org,
                    "scopes": sorted(c.scopes),
                    "kids": sorted(c.keys),
                    "certificates": len(c.certificates),
                }
                for c in ext.clients.values()
            },
            "systems": [s.as_json() for s in ext.systems.values()],
            "system_users": [_user_json(u) for u in ext.system_users.values()],
            "requests": [r.as_json(base_url(request)) for r in ext.requests.values()],
            "faults": ext.faults,
            "max_clock_skew": ext.max_clock_skew,
        }
    )


def _vendor(state, request, with_key: bool) -> dict:
    keys = a3(state).keys
    public = keys.vendor.public_key()
    out = {
        "vendor_org": VENDOR_ORG,
        "system_id": SYSTEM_ID,
        "client_id": CLIENT_ID,
        "kid": VENDOR_KID,
        "public_jwk": jwt.rsa_jwk(public, VENDOR_KID),
        "public_key_pem": jwt.public_pem(public),
        "maskinporten_url": base_url(request) + "/",
        "platform_url": base_url(request),
    }
    if with_key:
        # An ephemeral key made at emulator start (or $ALTINN_EMULATOR_A3_VENDOR_KEY): test use only.
        out["private_key_pem"] = jwt.private_pem(keys.vendor)
    return out


@route("GET", BASE + r"/vendor/?$", control=True)
def vendor(state, request):
    return Response.json(_vendor(state, request, with_key=True))


def _user_json(user: SystemUser) -> dict:
    return {
        "id": user.id,
        "system_id": user.system_id,
        "owner_org": user.owner_org,
        "external_ref": user.external_ref,
        "agent": user.agent,
        "clients": sorted(user.clients),
        "deleted": user.deleted,
        "access_packages": user.access_packages,
    }


@route("POST", BASE + r"/clients/?$", control=True)
def register_client(state, request):
    """Register a Maskinporten integration or add a key/certificate to one.

    Body: ``client_id``, one of ``public_key_pem`` / ``jwk`` / ``certificate_pem``, optional ``kid``
    (default: RFC 7638 thumbprint), ``scopes`` (list; default: the vendor's), ``consumer_org``
    (default: the emulator vendor), ``system_id`` (add the client to that system; default the vendor's;
    ``null`` adds it to none), ``expires_at`` (epoch seconds: the key expires then, MP-121).
    """
    body = body_json(request)
    ext = a3(state)
    client_id = str(body.get("client_id") or "")
    if not client_id:
        return problem(400, "Bad Request", "client_id is required")
    try:
        kid, public, cert = None, None, None
        if body.get("certificate_pem"):
            cert = jwt.load_public(body["certificate_pem"])
        elif body.get("jwk"):
            public = jwt.jwk_public(body["jwk"])
            kid = body["jwk"].get("kid")
        elif body.get("public_key_pem"):
            public = jwt.load_public(body["public_key_pem"])
    except (ValueError, KeyError, TypeError, jwt.TokenError) as exc:
        return problem(400, "Bad Request", f"Unreadable key: {exc}")
    with ext.lock:
        client = ext.clients.get(client_id)
        if client is None:
            client = ext.clients[client_id] = Client(
                client_id,
                str(body.get("consumer_org") or VENDOR_ORG),
                set(body.get("scopes") or ext.clients[CLIENT_ID].scopes),
            )
        elif body.get("scopes") is not None:
            client.scopes = set(body["scopes"])
        if public is not None:
            kid = body.get("kid") or kid or jwt.thumbprint(public)
            client.keys[kid] = public
            if body.get("expires_at") is not None:
                client.key_expiry[kid] = float(body["expires_at"])
        if cert is not None:
            client.certificates.append(jwt.public_der(cert))
        system = (
            ext.systems.get(str(body.get("system_id") or SYSTEM_ID)) if body.get("system_id", 1) else None
        )
        if system is not None and client_id not in system.client_ids:
            system.client_ids.append(client_id)
    return Response.json(
        {"client_id": client_id, "kid": kid, "kids": sorted(client.keys), "scopes": sorted(client.scopes)}
    )


@route("DELETE", BASE + r"/clients/(?P<client>[^/]+)/keys/(?P<kid>[^/]+)/?$", control=True)
def remove_key(state, request):
    ext = a3(state)
    with ext.lock:
        client = ext.clients.get(request.match["client"])
        if client is None or client.keys.pop(request.match["kid"], None) is None:
            return problem(404, "Not Found", "No such client/key")
    return Response.json({"removed": request.match["kid"]})


@route(
    "POST",
    BASE + r"/requests/(?P<id>[0-9a-fA-F-]{36})/(?P<action>approve|reject|deny|timeout|archive)/?$",
    control=True,
)
def request_action(state, request):
    """Simulates the customer's BankID approval (or rejection) of a system-user request; ``timeout``
    sets the status ``Timedout``; ``archive`` soft-deletes the request as Altinn's archiver does with
    requests older than 28 days (``Archiver.cs``)."""
    ext = a3(state)
    with ext.lock:
        req = ext.requests.get(request.match["id"])
        if req is None or req.deleted:
            return problem(404, "Not Found", "No such request")
        if request.match["action"] == "archive":
            req.deleted = True
            return Response.json({"request": req.as_json(base_url(request)), "system_user": None})
        if req.status != "New":
            return problem(409, "Conflict", f"The request is already {req.status}")
        action = request.match["action"]
        req.status = {"approve": "Accepted", "reject": "Rejected", "deny": "Denied", "timeout": "Timedout"}[
            action
        ]
        user = None
        if action == "approve":
            user = SystemUser(
                stable_uuid("systemuser", req.id),
                req.system_id,
                req.party_org,
                req.external_ref,
                req.agent,
                list(req.access_packages),
                state.now(),
                req.integration_title or "",
            )
            ext.system_users[user.id] = user
            req.system_user_id = user.id
    return Response.json(
        {"request": req.as_json(base_url(request)), "system_user": _user_json(user) if user else None}
    )


@route("GET", BASE + r"/systemusers/?$", control=True)
def system_users(state, request):
    return Response.json([_user_json(u) for u in a3(state).system_users.values()])


def _user(state, user_id: str) -> SystemUser | None:
    return a3(state).system_users.get(user_id)


@route("POST", BASE + r"/systemusers/(?P<id>[0-9a-fA-F-]{36})/revoke/?$", control=True)
@route("DELETE", BASE + r"/systemusers/(?P<id>[0-9a-fA-F-]{36})/?$", control=True)
def delete_system_user(state, request):
    """The customer deletes the system user in Altinn (Tilgangsstyring → Systemtilgang): Altinn also
    deletes the request it came from (``SystemUserController.SetDeleteFlagOnSystemUser`` /
    ``DeleteAgentSystemUser`` → ``DeleteRequestForSystemUser``), so the next request is a new one. An agent
    system user goes with its clients."""
    ext = a3(state)
    with ext.lock:
        user = _user(state, request.match["id"])
        if user is None or user.deleted:
            return problem(404, "Not Found", "No such system user")
        user.deleted = True
        user.clients.clear()
        origin = ext.find_request(user.system_id, user.owner_org, user.external_ref, user.agent)
        if origin is not None:
            origin.deleted = True
    return Response.json(_user_json(user))


@route("POST", BASE + r"/systemusers/(?P<id>[0-9a-fA-F-]{36})/clients/?$", control=True)
def add_client(state, request):
    body = body_json(request)
    ext = a3(state)
    with ext.lock:
        user = _user(state, request.match["id"])
        if user is None or not user.agent:
            return problem(404, "Not Found", "No such agent system user")
        user.clients.add(str(body.get("org") or ""))
    return Response.json(_user_json(user))


@route("DELETE", BASE + r"/systemusers/(?P<id>[0-9a-fA-F-]{36})/clients/(?P<org>\d{9})/?$", control=True)
def remove_client(state, request):
    ext = a3(state)
    with ext.lock:
        user = _user(state, request.match["id"])
        if user is None or not user.agent:
            return problem(404, "Not Found", "No such agent system user")
        user.clients.discard(request.match["org"])
    return Response.json(_user_json(user))


@route("GET", BASE + r"/faults/?$", control=True)
def faults_get(state, request):
    return Response.json(a3(state).faults)


@route("POST", BASE + r"/faults/?$", control=True)
def faults_post(state, request):
    """Queue faults for Altinn 3 paths: ``{"path": regex, "method": "GET", "count": 1, "skip": 0,
    "query": regex, "status": 429, "retry_after": 1, "json"|"text": body, "delay_seconds": 2,
    "oauth_error": "invalid_grant", "error_description": "..."}`` (a list is accepted too)."""
    try:
        body = request.json()
    except ValueError:
        return problem(400, "Bad Request", "The body is not valid JSON")
    faults = body if isinstance(body, list) else [body]
    ext = a3(state)
    with ext.lock:
        for fault in faults:
            fault = dict(fault)
            fault.setdefault("count", 1)
            fault.setdefault("skip", 0)
            ext.faults.append(fault)
    return Response.json({"queued": len(faults), "pending": len(ext.faults)})


@route("DELETE", BASE + r"/faults/?$", control=True)
def faults_delete(state, request):
    ext = a3(state)
    with ext.lock:
        ext.faults.clear()
    return Response.json({"pending": 0})


CONFIG_KEYS = ("max_clock_skew", "mp_token_lifetime", "altinn_token_lifetime", "parties_cache_seconds")


@route("POST", BASE + r"/config/?$", control=True)
def config(state, request):
    """``{"max_clock_skew", "mp_token_lifetime", "altinn_token_lifetime", "parties_cache_seconds"}``
    (seconds; ``parties_cache_seconds``: how long Dialogporten keeps a system user's parties, Altinn: 900) and
    ``"latency_ms"``: a delay added to every Altinn 3 answer (benchmarks; control routes excluded)."""
    body = body_json(request)
    ext = a3(state)
    with ext.lock:
        for key in CONFIG_KEYS:
            if key in body:
                setattr(ext, key, int(body[key]))
        if "latency_ms" in body:
            ext.latency = max(0.0, float(body["latency_ms"]) / 1000.0)
    return Response.json({**{k: getattr(ext, k) for k in CONFIG_KEYS}, "latency_ms": ext.latency * 1000.0})


ATTACHMENT_MODES = ("unauthorized", "refused", "unavailable", "ok")


@route("POST", BASE + r"/dialogs/(?P<id>[0-9a-fA-F-]{36})/attachments/?$", control=True)
def attachment_mode(state, request):
    """Make one file of a dialog (``name`` = its file name, ``"*"`` = all) unreadable: ``unauthorized``
    (Dialogporten shows ``urn:dialogporten:unauthorized`` and the host refuses it), ``refused`` (the URL
    is listed but its host answers 403), ``unavailable`` (the host answers 503); ``ok`` undoes it."""
    body = body_json(request)
    item = state.by_uuid.get(request.match["id"])
    mode = str(body.get("mode") or "")
    if item is None:
        return problem(404, "Not Found", "No such dialog")
    if mode not in ATTACHMENT_MODES:
        return problem(400, "Bad Request", f"mode must be one of {', '.join(ATTACHMENT_MODES)}")
    ext = a3(state)
    extra = ext.extra(item)
    name = str(body.get("name") or "*")
    with ext.lock:
        if mode == "ok":
            extra.attachment_modes.pop(name, None)
        else:
            extra.attachment_modes[name] = mode
    return Response.json({"dialog_id": item.uuid, "attachment_modes": dict(extra.attachment_modes)})


@route("GET", BASE + r"/calls/?$", control=True)
def calls(state, request):
    return Response.json(a3(state).calls)


@route("GET", BASE + r"/calls/total/?$", control=True)
def calls_total(state, request):
    """How many Altinn 3 calls were answered since the emulator started (benchmarks across processes)."""
    return Response.json({"total": a3(state).calls_total})


@route("DELETE", BASE + r"/calls/?$", control=True)
def calls_clear(state, request):
    ext = a3(state)
    with ext.lock:
        ext.calls.clear()
    return Response.json({"calls": 0})


@route("GET", BASE + r"/dialogs/?$", control=True)
def dialogs(state, request):
    """What the Altinn 3 side shows for ``?party=<orgno>``: ids, kinds, statuses (for tests)."""
    ext = a3(state)
    ext.index_items(state)
    out = []
    for org in args(request, "party") or list(state.items_by_reportee):
        for item in state.items_by_reportee.get(org, []):
            extra = ext.extra(item)
            kind = views.kind_of(item)
            out.append(
                {
                    "dialog_id": item.uuid,
                    "party": org,
                    "kind": kind,
                    "title": item.title,
                    "deleted": item.deleted,
                    "document_type": item.document_type,
                    "correspondence_id": views.correspondence_id(item)
                    if kind == views.KIND_CORRESPONDENCE
                    else None,
                    "correspondence_status": views.correspondence_status(extra, item)
                    if kind == views.KIND_CORRESPONDENCE
                    else None,
                    "seen": len(extra.seen),
                    "labels": extra.labels,
                    "content_updated_at": iso(item.last_changed),
                    "attachments": [a.filename for a in item.attachments],
                    "altinn2_id": item.reportee_element_id,
                    "archive_id": item.archive_id,
                }
            )
    return Response.json(out)


@route("GET", r"^/accessmanagement/ui/systemuser/(?:agent)?request/?$", control=True)
def approval_page(state, request):
    """What the customer sees at the confirmUrl (Altinn asks for BankID; here two buttons do)."""
    req = a3(state).requests.get(args(request, "id")[0] if args(request, "id") else "")
    if req is None:
        return Response.text(
            "<html><body><h1>Ukjent forespørsel</h1></body></html>", 404, "text/html; charset=utf-8"
        )
    action = f"/_emulator/altinn3/requests/{req.id}"
    kind = "klientsystembruker" if req.agent else "systembruker"
    html = (
        f"<html><body><h1>Godkjenn {kind}</h1><p>{html_escape(req.system_id)} ber om tilgang for "
        f"{req.party_org}: {html_escape(', '.join(req.access_packages))}</p><p>Status: {req.status}</p>"
        f"<form method='post' action='{action}/approve'><button>Godkjenn</button></form>"
        f"<form method='post' action='{action}/reject'><button>Avvis</button></form></body></html>"
    )
    return Response.text(html, content_type="text/html; charset=utf-8")
