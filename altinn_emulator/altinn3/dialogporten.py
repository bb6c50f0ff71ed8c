"""Dialogporten end-user API: parties, dialog search (continuation tokens), dialog details with a
seen-log side effect and an EdDSA dialog token, transmissions, seen log, system labels, limits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from ..routes import Response
from . import jwt, views
from .store import DIALOG_TOKEN_LIFETIME, stable_uuid
from .web import (
    ORG_URN,
    Deny,
    a3,
    arg,
    args,
    authenticate,
    base_url,
    body_json,
    dialog_issuer,
    iso,
    now_ts,
    parse_iso,
    problem,
    route,
    validation_problem,
)

BASE = r"^/dialogporten/api/v1/enduser"
SCOPE = "digdir:dialogporten"
MAX_PARTIES = 20
ORDER_COLUMNS = {
    "contentupdatedat": "contentUpdatedAt",
    "createdat": "createdAt",
    "updatedat": "updatedAt",
    "dueat": "dueAt",
}


@dataclass
class Ctx:
    state: object
    a3: object
    base: str


def ctx_of(state, request) -> Ctx:
    ext = a3(state)
    ext.index_items(state)
    return Ctx(state, ext, base_url(request))


def principal_of(state, request):
    principal = authenticate(state, request, scope=SCOPE)
    if principal.system_user is None:
        raise Deny(problem(403, "Forbidden", "Dialogporten with Maskinporten needs a system user"))
    return principal


def visible_item(state, principal, dialog_id: str):
    item = state.by_uuid.get(dialog_id)
    if item is None or item.deleted:
        raise Deny(problem(404, "Not Found", f"Entity 'Dialog' with key '{dialog_id}' was not found."))
    if not principal.system_user.can_read(item.reportee):
        raise Deny(problem(403, "Forbidden", "Unauthorized to get the supplied dialog"))
    return item


# ---------------------------------------------------------------------------------------- parties
@route("GET", BASE + r"/parties/?$")
def parties(state, request):
    """Authorized parties of the system user: a standard one has its own organisation (its rights come
    from it); an agent one has the firm that owns it and every client delegated to it (ALTINN3.md §10
    point 2 expects this; Dialogporten takes it from Access Management's authorized parties)."""
    principal = principal_of(state, request)
    user = principal.system_user
    clients = a3(state).authorized_clients(user, now_ts(state))
    orgs = [user.owner_org, *sorted(clients - {user.owner_org})] if user.agent else [user.owner_org]
    out = []
    for org in orgs:
        organisation = state.organisation(org)
        out.append(
            {
                "party": ORG_URN + org,
                "partyUuid": stable_uuid("party", org),
                "partyId": organisation.party_id,
                "partyType": "Organization",
                "name": organisation.name,
                "isDeleted": False,
                "hasKeyRole": False,
                "isAccessManager": False,
                "isMainAdministrator": False,
                "isCurrentEndUser": False,
                "hasOnlyAccessToSubParties": False,
                "subParties": [],
                "dateOfBirth": None,
            }
        )
    return Response.json({"authorizedParties": out})


# ---------------------------------------------------------------------------------------- search
def _order(request):
    """``OrderSet.TryParse``: ``key`` or ``key_direction``; a key without a direction is descending
    (``PaginationConstants.DefaultOrderDirection``). The first key sorts (the emulator's id is the tie
    breaker, as Dialogporten appends ``id``)."""
    raw = (arg(request, "orderBy") or "contentupdatedat_desc").strip().lower()
    first = raw.split(",")[0].strip()
    column, _, direction = first.partition("_")
    direction = direction or "desc"
    if column not in ORDER_COLUMNS or direction not in ("asc", "desc"):
        raise Deny(validation_problem("orderBy", f"Invalid orderBy '{raw}'"))
    return column, direction


def _key(ctx, item, column):
    extra = ctx.a3.extra(item)
    value = {
        "contentupdatedat": item.last_changed,
        "createdat": item.created,
        "updatedat": views.updated_at(item, extra),
        "dueat": item.due_date,
    }[column]
    return (iso(value) or "", item.uuid)


def _encode(key, column) -> str:
    """``OrderSet.GetContinuationTokenFrom``: ``<key>_<value>,id_<guid>`` of the page's last dialog, the
    time as UTC ``"o"`` (``DateTimeOffset.UtcDateTime.ToString("o")``, 7 digits). It never expires."""
    value = key[0]
    if value.endswith("Z") and "." in value:
        value = value[:-1].ljust(len(value[:-1].split(".")[0]) + 8, "0") + "Z"
    return f"{column}_{value},id_{key[1]}"


def _decode(token: str, column):
    """``ContinuationTokenSet.TryParse`` + ``PaginationParameterValidator``: a token that does not parse
    is a 400; one that lacks a key of the current ``orderBy`` (it was made for another order) too."""
    parts = {}
    for piece in token.split(","):
        key, sep, value = piece.strip().partition("_")
        key = key.lower()
        if not sep or key not in (*ORDER_COLUMNS, "id") or key in parts:
            raise Deny(validation_problem("ContinuationToken", "Invalid continuation token")) from None
        parts[key] = value
    missing = [k for k in (column, "id") if k not in parts]
    if missing:
        raise Deny(
            validation_problem(
                "ContinuationToken",
                f"Continuation Token does not match OrderBy. Missing token keys: [{','.join(missing)}].",
            )
        )
    try:
        stamp = iso(parse_iso(parts[column])) if parts[column] else ""
        ident = str(uuid.UUID(parts["id"]))
    except ValueError:
        raise Deny(validation_problem("ContinuationToken", "Invalid continuation token")) from None
    return (stamp or "", ident)


def _time_filter(request, name):
    value = arg(request, name)
    if value is None:
        return None
    try:
        return parse_iso(value)
    except ValueError:
        raise Deny(validation_problem(name, f"'{name}' must be a date-time with a time zone")) from None


def valid_org_number(number: str) -> bool:
    """``NorwegianOrganizationIdentifier.IsValid``: nine digits, MOD11 weights 3,2,7,6,5,4,3,2."""
    if len(number) != 9 or not number.isdigit():
        return False
    rest = sum(int(d) * w for d, w in zip(number[:8], (3, 2, 7, 6, 5, 4, 3, 2), strict=True)) % 11
    control = 0 if rest == 0 else 11 - rest
    return control != 10 and control == int(number[8])


def valid_person_number(number: str) -> bool:
    """``NorwegianPersonIdentifier.IsValid``: eleven digits, both MOD11 control digits."""
    if len(number) != 11 or not number.isdigit():
        return False
    digits = [int(d) for d in number]
    for weights, position in (((3, 7, 6, 1, 8, 9, 4, 5, 2), 9), ((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), 10)):
        rest = sum(d * w for d, w in zip(digits, weights, strict=False)) % 11
        control = 0 if rest == 0 else 11 - rest
        if control == 10 or control != digits[position]:
            return False
    return True


PERSON_URN = "urn:altinn:person:identifier-no:"
PARTY_MESSAGE = (
    "'Party[{index}]' must be on format 'urn:altinn:organization:identifier-no:{{norwegian org-nr}}', "
    "'urn:altinn:person:identifier-no:{{norwegian f-nr/d-nr}}', "
    "'urn:altinn:person:legacy-selfidentified:{{username}}' or "
    "'urn:altinn:person:idporten-email:{{e-mail}}' with valid values, respectively."
)
TIME_PAIRS = (
    ("createdAfter", "createdBefore"),
    ("dueAfter", "dueBefore"),
    ("updatedAfter", "updatedBefore"),
    ("contentUpdatedAfter", "contentUpdatedBefore"),
)


def _party_errors(parties_: list[str]) -> Response | None:
    """``SearchDialogQueryValidator``: every ``party`` must be a valid party identifier
    (``FluentValidationPartyIdentifierExtensions.IsValidPartyIdentifier``)."""
    for index, party in enumerate(parties_):
        if party.startswith(ORG_URN):
            ok = valid_org_number(party[len(ORG_URN) :])
        elif party.startswith(PERSON_URN):
            ok = valid_person_number(party[len(PERSON_URN) :])
        else:
            ok = party.startswith(
                ("urn:altinn:person:legacy-selfidentified:", "urn:altinn:person:idporten-email:")
            )
        if not ok:
            return validation_problem(f"Party[{index}]", PARTY_MESSAGE.format(index=index))
    return None


@route("GET", BASE + r"/dialogs/?$")
def search(state, request):
    principal = principal_of(state, request)
    ctx = ctx_of(state, request)
    given_parties, given_resources = args(request, "party"), args(request, "serviceResource")
    parties_ = list(dict.fromkeys(given_parties))
    resources = list(dict.fromkeys(given_resources))
    if not parties_ and not resources:
        return validation_problem("party", "Either ServiceResource or Party must be specified")
    # EndUser SearchDialogQueryValidator: RuleFor(x => x.Party!.Count).LessThanOrEqualTo(
    # limits.MaxPartyFilterValues) (20): FluentValidation's key and default message; the values as sent.
    for name, given in (("Party", given_parties), ("ServiceResource", given_resources)):
        if len(given) > MAX_PARTIES:
            label = "Party Count" if name == "Party" else "Service Resource Count"
            return validation_problem(
                f"{name}.Count", f"'{label}' must be less than or equal to '{MAX_PARTIES}'."
            )
    try:
        limit = int(arg(request, "limit") or 100)
    except ValueError:
        limit = 0
    if not 1 <= limit <= 1000:
        return validation_problem("limit", "limit must be between 1 and 1000")
    refused = _party_errors(parties_)
    if refused is not None:
        return refused
    column, direction = _order(request)
    bounds = {
        name: _time_filter(request, name)
        for name in (
            "createdAfter",
            "createdBefore",
            "updatedAfter",
            "updatedBefore",
            "contentUpdatedAfter",
            "contentUpdatedBefore",
            "dueAfter",
            "dueBefore",
        )
    }
    for after, before in TIME_PAIRS:
        if bounds[after] is not None and bounds[before] is not None and bounds[after] > bounds[before]:
            # ValidationErrorStrings.PropertyNameMustBeLessThanOrEqualToComparisonProperty
            return validation_problem(
                after[0].upper() + after[1:],
                f"'{after[0].upper() + after[1:]}' must be less than or equal to "
                f"'{before[0].upper() + before[1:]}'.",
            )
    statuses = set(args(request, "status"))
    labels = set(args(request, "systemLabel"))
    orgs = {o.lower() for o in args(request, "org")}
    seen_filter = arg(request, "isContentSeen")
    text = (arg(request, "search") or "").lower()
    user = principal.system_user
    if parties_:
        reportees = [p[len(ORG_URN) :] for p in parties_ if p.startswith(ORG_URN)]
    else:
        reportees = list(state.items_by_reportee)
    candidates = []
    for org in reportees:
        if not ctx.a3.can_search(user, org, now_ts(state)):
            continue  # Dialogporten filters by authorization (its cached parties): no error, just nothing
        for item in state.items_by_reportee.get(org, []):
            if item.deleted:
                continue
            if resources and "urn:altinn:resource:" + views.resource_of(item) not in resources:
                continue
            extra = ctx.a3.extra(item)
            stamps = {
                "created": item.created,
                "updated": views.updated_at(item, extra),
                "contentUpdated": item.last_changed,
                "due": item.due_date,
            }
            ok = True
            for name, bound in bounds.items():
                if bound is None:
                    continue
                field = name[:-5] if name.endswith("After") else name[:-6]
                value = stamps[field]
                if (
                    value is None
                    or (name.endswith("After") and not value > bound)
                    or (name.endswith("Before") and not value < bound)
                ):
                    ok = False
                    break
            if not ok:
                continue
            if statuses and views.dialog_status(item, extra) not in statuses:
                continue
            if labels and not labels & set(extra.labels):
                continue
            if orgs and "skd" not in orgs:
                continue
            if seen_filter is not None and views.is_content_seen(item, extra) != (
                seen_filter.lower() == "true"
            ):
                continue
            if text and text not in (item.title or "").lower() and text not in (item.summary or "").lower():
                continue
            candidates.append((_key(ctx, item, column), item))
    candidates.sort(key=lambda pair: pair[0], reverse=direction == "desc")
    token = arg(request, "continuationToken")
    if token:
        after = _decode(token, column)
        if direction == "asc":
            candidates = [c for c in candidates if c[0] > after]
        else:
            candidates = [c for c in candidates if c[0] < after]
    page = candidates[:limit]
    has_next = len(candidates) > limit
    # PaginationExtensions: the token of the page's last dialog, on every page that has one (the last
    # page too: hasNextPage says whether to go on); an empty page repeats the token it was asked with.
    next_token = _encode(page[-1][0], column) if page else token
    return Response.json(
        {
            "items": [views.list_item(ctx, item) for _key_, item in page],
            "hasNextPage": has_next,
            "continuationToken": next_token,
            "orderBy": f"{column}_{direction},id_{direction}",
        }
    )


# ---------------------------------------------------------------------------------------- dialog
def dialog_token(state, request, principal, item) -> str:
    """``IDialogTokenGenerator``: for a system user, ``c`` is the consumer (the vendor's org), ``y`` the
    system user and ``o`` the organisation that owns it."""
    ext = a3(state)
    now = int(now_ts(state))
    user = principal.system_user
    claims = {
        "jti": str(uuid.uuid4()),
        "c": ORG_URN + (principal.consumer_org or ""),
        "y": f"urn:altinn:systemuser:uuid:{user.id}",
        "o": ORG_URN + user.owner_org,
        "l": 3,
        "p": ORG_URN + item.reportee,
        "i": item.uuid,
        "s": "urn:altinn:resource:" + views.resource_of(item),
        "a": "read",
        "iss": dialog_issuer(request),
        "iat": now,
        "nbf": now,
        "exp": now + DIALOG_TOKEN_LIFETIME,
    }
    return jwt.sign_eddsa(claims, ext.keys.dialog, ext.keys.dialog_kid)


@route("GET", BASE + r"/dialogs/(?P<id>[0-9a-fA-F-]{36})/?$")
def get_dialog(state, request):
    principal = principal_of(state, request)
    ctx = ctx_of(state, request)
    item = visible_item(state, principal, request.match["id"])
    extra = ctx.a3.extra(item)
    now = state.now()
    with ctx.a3.lock:  # reading the dialog is what marks it seen
        extra.seen.append(
            {
                "id": str(uuid.uuid4()),
                "seenAt": iso(now),
                "isViaServiceOwner": False,
                "isCurrentEndUser": True,
                "_at": now,
                "seenBy": {
                    "actorType": "PartyRepresentative",
                    "actorId": f"urn:altinn:systemuser:uuid:{principal.system_user.id}",
                    "actorName": principal.system_user.integration_title or "System user",
                },
            }
        )
    # GetDialogEndpoint.cs: ETag = the dialog's revision (Guid.ToString(): bare, no quotes).
    return Response.json(
        views.dialog(ctx, item, dialog_token(state, request, principal, item)), 200, {"ETag": extra.revision}
    )


@route("GET", BASE + r"/dialogs/(?P<id>[0-9a-fA-F-]{36})/transmissions/?$")
def get_transmissions(state, request):
    principal = principal_of(state, request)
    ctx = ctx_of(state, request)
    item = visible_item(state, principal, request.match["id"])
    return Response.json([views.standalone_transmission(tr) for tr in views.transmissions(ctx, item)])


@route("GET", BASE + r"/dialogs/(?P<id>[0-9a-fA-F-]{36})/transmissions/(?P<tid>[0-9a-fA-F-]{36})/?$")
def get_transmission(state, request):
    principal = principal_of(state, request)
    ctx = ctx_of(state, request)
    item = visible_item(state, principal, request.match["id"])
    for tr in views.transmissions(ctx, item):
        if tr["id"] == request.match["tid"]:
            return Response.json(views.standalone_transmission(tr))
    return problem(404, "Not Found", "Transmission not found")


@route("GET", BASE + r"/dialogs/(?P<id>[0-9a-fA-F-]{36})/seenlog/?$")
def get_seenlog(state, request):
    principal = principal_of(state, request)
    ctx = ctx_of(state, request)
    item = visible_item(state, principal, request.match["id"])
    extra = ctx.a3.extra(item)
    return Response.json([{k: v for k, v in e.items() if not k.startswith("_")} for e in extra.seen])


@route("PUT", BASE + r"/dialogs/(?P<id>[0-9a-fA-F-]{36})/context/systemlabels/?$")
def put_labels(state, request):
    principal = principal_of(state, request)
    ctx = ctx_of(state, request)
    item = visible_item(state, principal, request.match["id"])
    body = body_json(request)
    add, remove = list(body.get("addLabels") or []), list(body.get("removeLabels") or [])
    allowed = {"Default", "Bin", "Archive", "MarkedAsUnopened"}
    bad = [label for label in add + remove if label not in allowed]
    if bad:
        return validation_problem("addLabels", f"Unknown system label(s): {', '.join(bad)}")
    extra = ctx.a3.extra(item)
    if_match = (request.headers.get("if-match") or "").strip('"')
    with ctx.a3.lock:
        if if_match and if_match != extra.revision:
            return problem(412, "Precondition Failed", "The revision does not match (If-Match)")
        labels = [label for label in extra.labels if label not in remove]
        for label in add:
            if label in ("Bin", "Archive", "Default"):
                labels = [x for x in labels if x not in ("Bin", "Archive", "Default")]
            if label not in labels:
                labels.append(label)
        extra.labels = labels or ["Default"]
        extra.revision = str(uuid.uuid4())
        extra.label_changed = state.now()
    # SetDialogSystemLabelsEndpoint.cs: the new revision, Guid.ToString() (bare, no quotes).
    return Response(204, b"", "text/plain", {"ETag": extra.revision})


# ---------------------------------------------------------------------------------------- metadata
@route("GET", r"^/dialogporten/api/v1/metadata/limits/?$")
def limits(state, request):
    return Response.json(
        {
            "endUserSearch": {
                "maxPartyFilterValues": MAX_PARTIES,
                "maxServiceResourceFilterValues": 20,
                "maxOrgFilterValues": 20,
                "maxExtendedStatusFilterValues": 20,
            },
            "serviceOwnerSearch": {
                "maxPartyFilterValues": 20,
                "maxServiceResourceFilterValues": 20,
                "maxExtendedStatusFilterValues": 20,
            },
        }
    )


@route("GET", r"^/dialogporten/api/v1/\.well-known/jwks\.json$")
def dialog_jwks(state, request):
    keys = a3(state).keys
    return Response.json({"keys": [jwt.ed_jwk(keys.dialog.public_key(), keys.dialog_kid)]})
