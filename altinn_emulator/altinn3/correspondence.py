"""Correspondence recipient API, Storage data elements and Skatteetaten's own document API.

Token matrix (ALTINN3.md §3.3), enforced: list/overview/details/purge take Maskinporten, Altinn or
dialog tokens; markasread/confirm/download take only Altinn or dialog tokens (a raw Maskinporten
token gets 401); Storage takes the Altinn token; Skatteetaten's documents take the dialog token.
"""

from __future__ import annotations

from ..model import MSG_CONFIRMED, MSG_READ
from ..routes import Response
from . import views
from .dialogporten import ctx_of
from .web import (
    KIND_ALTINN,
    KIND_DIALOG,
    KIND_MASKINPORTEN,
    ORG_URN,
    Deny,
    a3,
    arg,
    authenticate,
    iso,
    parse_iso,
    problem,
    route,
)

BASE = r"^/correspondence/api/v1/correspondence"
SCOPE = "altinn:correspondence.read"
UUID = r"[0-9a-fA-F-]{36}"
ANY_TOKEN = (KIND_MASKINPORTEN, KIND_ALTINN, KIND_DIALOG)
RECIPIENT_TOKEN = (KIND_ALTINN, KIND_DIALOG)


def corr_problem(status: int, code: int, detail: str) -> Response:
    return problem(status, detail, detail, errorCode=code)


def refusal(state, item, filename: str) -> Response | None:
    """The answer of the file's host when a test made it unreadable (control ``…/attachments``)."""
    mode = a3(state).extra(item).attachment_mode(filename)
    if mode in ("unauthorized", "refused"):
        return problem(403, "Forbidden", "The caller may not read this document")
    if mode == "unavailable":
        return Response(503, b"Service Unavailable", "text/plain", {})
    return None


def _item_for(state, request, allow, correspondence_id: str):
    principal = authenticate(state, request, allow=allow, scope=None)
    if principal.kind != KIND_DIALOG and SCOPE not in principal.scopes:
        raise Deny(problem(403, "Forbidden", f"The token lacks the scope {SCOPE}"))
    ext = a3(state)
    ext.index_items(state)
    item = ext.item_by_cid.get(correspondence_id.lower())
    if item is None or item.deleted or views.kind_of(item) != views.KIND_CORRESPONDENCE:
        raise Deny(corr_problem(404, 1001, "The requested correspondence was not found"))
    if principal.kind == KIND_DIALOG:
        if principal.dialog_id != item.uuid or "read" not in str(principal.claims.get("a") or "").split(";"):
            raise Deny(corr_problem(401, 4001, "The dialog token is not valid for this correspondence"))
    elif principal.system_user is None or not principal.system_user.can_read(item.reportee):
        raise Deny(corr_problem(401, 4001, "You must be sender or recipient to access this correspondence"))
    return principal, item


def _set_status(state, item, status: str) -> None:
    ext = a3(state)
    extra = ext.extra(item)
    with ext.lock:
        extra.correspondence_status = status
        extra.status_history.append(
            {"status": status, "statusText": status, "statusChanged": iso(state.now())}
        )


@route("GET", BASE + r"/?$")
def list_ids(state, request):
    principal = authenticate(state, request, allow=ANY_TOKEN, scope=None)
    if principal.kind != KIND_DIALOG and SCOPE not in principal.scopes:
        return problem(403, "Forbidden", f"The token lacks the scope {SCOPE}")
    resource = arg(request, "resourceId")
    role = arg(request, "role")
    if not resource or role not in ("Recipient", "Sender", "RecipientAndSender"):
        return corr_problem(400, 1002, "resourceId and role are required")
    user = principal.system_user
    on_behalf = (arg(request, "onBehalfOf") or "").strip()
    org = on_behalf.rsplit(":", 1)[-1] if on_behalf else (user.owner_org if user else "")
    if user is None or not user.can_read(org):
        return corr_problem(401, 4001, "The caller may not act on behalf of this party")
    try:
        start, end = parse_iso(arg(request, "from")), parse_iso(arg(request, "to"))
    except ValueError:
        return corr_problem(400, 1027, "from/to must be date-times with a time zone")
    if start and end and start > end:
        return corr_problem(400, 1027, "From date cannot be after to date")
    a2 = arg(request, "altinn2CorrespondenceId")
    ids = []
    for item in state.items_by_reportee.get(org, []):
        if (
            item.deleted
            or views.kind_of(item) != views.KIND_CORRESPONDENCE
            or views.resource_of(item) != resource
        ):
            continue
        if (start and item.created < start) or (end and item.created > end):
            continue
        if a2 and str(item.reportee_element_id) != a2:
            continue
        ids.append(views.correspondence_id(item))
    return Response.json({"ids": ids[:1000]})


@route("GET", BASE + rf"/(?P<id>{UUID})/?$")
def overview(state, request):
    principal, item = _item_for(state, request, ANY_TOKEN, request.match["id"])
    extra = a3(state).extra(item)
    if views.correspondence_status(extra, item) == "Published":
        _set_status(state, item, "Fetched")  # the recipient has fetched it: required before confirm
    return Response.json(views.correspondence(ctx_of(state, request), item))


@route("GET", BASE + rf"/(?P<id>{UUID})/details/?$")
def details(state, request):
    principal, item = _item_for(state, request, ANY_TOKEN, request.match["id"])
    return Response.json(views.correspondence(ctx_of(state, request), item, details=True))


@route("GET", BASE + rf"/(?P<id>{UUID})/content/?$")
def content(state, request):
    principal, item = _item_for(state, request, ANY_TOKEN, request.match["id"])
    return Response.text(item.body or item.summary or item.title, content_type="text/markdown; charset=utf-8")


@route("POST", BASE + rf"/(?P<id>{UUID})/markasread/?$")
def mark_as_read(state, request):
    principal, item = _item_for(state, request, RECIPIENT_TOKEN, request.match["id"])
    extra = a3(state).extra(item)
    if views.correspondence_status(extra, item) in ("Published", "Fetched"):
        _set_status(state, item, "Read")
        with state.lock:  # the Altinn 2 view of the same message follows
            if item.status not in (MSG_CONFIRMED,):
                item.status = MSG_READ
            item.touch()
    return Response.json(views.correspondence_id(item))


@route("POST", BASE + rf"/(?P<id>{UUID})/confirm/?$")
def confirm(state, request):
    principal, item = _item_for(state, request, RECIPIENT_TOKEN, request.match["id"])
    extra = a3(state).extra(item)
    status = views.correspondence_status(extra, item)
    if status == "Published":
        return corr_problem(400, 1013, "The correspondence must be fetched before it can be confirmed")
    if status != "Confirmed":
        _set_status(state, item, "Confirmed")
        with state.lock:
            item.status = MSG_CONFIRMED
            item.confirmed_at = state.now()
            item.touch()
    return Response.json(views.correspondence_id(item))


@route("DELETE", BASE + rf"/(?P<id>{UUID})/purge/?$")
def purge(state, request):
    principal, item = _item_for(state, request, ANY_TOKEN, request.match["id"])
    extra = a3(state).extra(item)
    if item.confirmation_needed and views.correspondence_status(extra, item) != "Confirmed":
        return corr_problem(
            400, 1026, "Cannot purge a correspondence that requires confirmation before it " "is confirmed"
        )
    _set_status(state, item, "PurgedByRecipient")
    with state.lock:
        item.deleted = True
        item.touch()
    return Response.json(views.correspondence_id(item))


@route("GET", BASE + rf"/(?P<id>{UUID})/attachment/(?P<att>{UUID})/download/?$")
def download(state, request):
    principal, item = _item_for(state, request, RECIPIENT_TOKEN, request.match["id"])
    ext = a3(state)
    found = ext.attachment_by_id.get(request.match["att"].lower())
    if not found or found[0] is not item or not hasattr(found[1], "data"):
        return corr_problem(404, 2001, "The requested attachment was not found")
    att = found[1]
    refused = refusal(state, item, att.filename)
    if refused is not None:
        return refused
    disposition = "inline" if att.mimetype in ("application/pdf", "text/plain") else "attachment"
    return Response(
        200,
        att.data,
        att.mimetype or "application/octet-stream",
        {"Content-Disposition": f'{disposition}; filename="{att.filename}"'},
    )


# ---------------------------------------------------------------------------------------- storage
@route(
    "GET",
    r"^/storage/api/v1/instances/(?P<party>\d+)/(?P<guid>"
    + UUID
    + r")(?P<rest>/data/(?P<data>"
    + UUID
    + r"))?/?$",
)
def storage(state, request):
    principal = authenticate(state, request, allow=(KIND_ALTINN,), scope="altinn:instances.read")
    ctx = ctx_of(state, request)
    # The instance is the party's: only its items are candidates (an id of another party's instance is
    # "not found" for this party, as before, without computing every instance id of every party).
    party = request.match["party"]
    org = state.reportee_of_party(int(party))
    item = next(
        (
            it
            for it in state.items_by_reportee.get(org, [])
            if views.kind_of(it) == views.KIND_APP and views._storage(ctx, it)[1] == request.match["guid"]
        ),
        None,
    )
    if item is None or item.deleted:
        return problem(404, "Not Found", "Instance not found")
    if principal.system_user is None or not principal.system_user.can_read(item.reportee):
        return problem(403, "Forbidden", "Not authorized for the instance owner")
    elements = views.data_elements(item)
    if request.match["data"]:
        for data_id, name, mimetype, data, _type in elements:
            if data_id == request.match["data"].lower():
                refused = refusal(state, item, name)
                if refused is not None:
                    return refused
                return Response(
                    200, data, mimetype, {"Content-Disposition": f'attachment; filename="{name}"'}
                )
        return problem(404, "Not Found", "Data element not found")
    instance_url = views.storage_instance_url(ctx, item)
    return Response.json(
        {
            "id": f"{request.match['party']}/{request.match['guid']}",
            "instanceOwner": {"partyId": request.match["party"], "organisationNumber": item.reportee},
            "appId": "skd/mva-melding-innsending-v1",
            "org": "skd",
            "created": iso(item.created),
            "lastChanged": iso(item.last_changed),
            "status": {"isArchived": item.archived},
            # Altinn 2 archived forms migrated to Storage keep their archive reference
            # (altinn-storage MigrationController: dataValues "A2ArchRef", "A2ArchRefTs").
            "dataValues": {
                "A2ArchRef": str(item.archive_id),
                "A2ArchRefTs": item.archived_at.strftime("%d-%m-%Y %H:%M:%S"),
            }
            if item.archived and item.archive_id
            else None,
            "data": [
                {
                    "id": d,
                    "instanceGuid": request.match["guid"],
                    "dataType": t,
                    "filename": n,
                    "contentType": m,
                    "size": len(b),
                    "selfLinks": {"platform": f"{instance_url}/data/{d}"},
                }
                for d, n, m, b, t in elements
            ],
        }
    )


# ---------------------------------------------------------------------------------------- Skatteetaten
@route("GET", r"^" + views.OWNER_DOCS + rf"/(?P<dialog>{UUID})/(?P<att>{UUID})/?$")
def owner_document(state, request):
    principal = authenticate(state, request, allow=(KIND_DIALOG,))
    if principal.dialog_id != request.match["dialog"] or "read" not in str(principal.claims.get("a") or ""):
        return problem(403, "Forbidden", "The dialog token is for another dialog")
    item = state.by_uuid.get(request.match["dialog"])
    if item is None or item.deleted or principal.claims.get("p") != ORG_URN + item.reportee:
        return problem(404, "Not Found", "Document not found")
    ext = a3(state)
    ext.index_items(state)
    found = ext.attachment_by_id.get(request.match["att"].lower())
    if not found or found[0] is not item or not hasattr(found[1], "data"):
        return problem(404, "Not Found", "Document not found")
    att = found[1]
    refused = refusal(state, item, att.filename)
    if refused is not None:
        return refused
    return Response(
        200, att.data, att.mimetype, {"Content-Disposition": f'attachment; filename="{att.filename}"'}
    )
