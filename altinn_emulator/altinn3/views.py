"""Dialogporten / Correspondence / Storage JSON for the shared items (shapes from the OpenAPI docs).

Which kind of dialog an item becomes (ALTINN3.md §4.1):
* messages → Altinn Correspondence dialogs (body and attachments behind the Correspondence API,
  ``altinn2CorrespondenceId`` = the item's Altinn 2 id, as for migrated messages);
* forms → Altinn 3 app-instance dialogs (data elements in Storage; PDF links wrapped for browsers);
* the tax settlement (``skatteoppgjoer``) → a Skatteetaten dialog whose documents sit on
  Skatteetaten's own API, behind the dialog token, in a transmission.
"""

from __future__ import annotations

import hashlib
from urllib.parse import quote

from ..model import KIND_FORM, MSG_CONFIRMED, MSG_CREATED, MSG_READ
from .store import DialogExtra, stable_uuid
from .web import ORG_URN, iso

KIND_CORRESPONDENCE = "correspondence"
KIND_APP = "app"
KIND_OWNER = "owner"
SKATTEETATEN_ORGNO = "974761076"
OWNER_DOCS = "/skatteetaten/api/skatt-dialog-dokumenter/v1/dokumenter"
FCE_MARKDOWN = "application/vnd.dialogporten.frontchannelembed-url;type=text/markdown"
UNAUTHORIZED_URL = "urn:dialogporten:unauthorized"


def shown_url(extra: DialogExtra, filename: str, url: str) -> str:
    """Dialogporten replaces the URL of an attachment the caller may not open (test control)."""
    return UNAUTHORIZED_URL if extra.attachment_mode(filename) == "unauthorized" else url


def kind_of(item) -> str:
    if item.kind == KIND_FORM:
        return KIND_APP
    if item.document_type == "skatteoppgjoer":
        return KIND_OWNER
    return KIND_CORRESPONDENCE


def resource_of(item) -> str:
    kind = kind_of(item)
    if kind == KIND_APP:
        return (
            "app_skd_mva-melding-innsending-v1"
            if item.document_type.startswith("mva")
            else f"app_skd_skjema-{item.service_code or 'ukjent'}"
        )
    if kind == KIND_OWNER:
        return "ske-skatteoppgjoer-upersonlig"
    if item.service_code:
        return f"skd-migratedcorrespondence-{item.service_code}-{item.service_edition}"
    return "skd-melding"


def correspondence_id(item) -> str:
    return stable_uuid("correspondence", item.uuid)


def loc(text: str | None) -> list[dict]:
    return [{"languageCode": "nb", "value": text}] if text else []


def cv(text: str | None, media: str = "text/plain") -> dict | None:
    return {"value": loc(text), "mediaType": media} if text else None


def initial_correspondence_status(item) -> str:
    if item.status == MSG_CONFIRMED or item.confirmed_at:
        return "Confirmed"
    if item.status == MSG_READ or (item.status != MSG_CREATED and item.archived):
        return "Read"
    return "Published"


def correspondence_status(extra: DialogExtra, item) -> str:
    return extra.correspondence_status or initial_correspondence_status(item)


def dialog_status(item, extra: DialogExtra) -> str:
    kind = kind_of(item)
    if kind == KIND_APP:
        return "Completed" if item.archived else "InProgress"
    if (
        kind == KIND_CORRESPONDENCE
        and item.confirmation_needed
        and correspondence_status(extra, item) != "Confirmed"
    ):
        return "RequiresAttention"
    return "NotApplicable"


def is_content_seen(item, extra: DialogExtra) -> bool:
    return any(entry["_at"] >= item.last_changed for entry in extra.seen)


def updated_at(item, extra: DialogExtra):
    return max(item.last_changed, extra.label_changed) if extra.label_changed else item.last_changed


def _seen_json(extra: DialogExtra, item, since=None) -> list[dict]:
    entries = [e for e in extra.seen if since is None or e["_at"] >= since]
    return [{k: v for k, v in e.items() if not k.startswith("_")} for e in entries[-10:]]


def list_item(ctx, item) -> dict:
    extra = ctx.a3.extra(item)
    kind = kind_of(item)
    unopened = kind == KIND_CORRESPONDENCE and correspondence_status(extra, item) in ("Published", "Fetched")
    return {
        "id": item.uuid,
        "org": "skd",
        "serviceResource": "urn:altinn:resource:" + resource_of(item),
        # IResourceRegistry.ServiceResourceInformation lower-cases the resource type.
        "serviceResourceType": {KIND_APP: "altinnapp", KIND_OWNER: "genericaccessresource"}.get(
            kind, "correspondenceservice"
        ),
        "party": ORG_URN + item.reportee,
        "progress": 100 if kind == KIND_APP and item.archived else None,
        "process": None,
        "precedingProcess": None,
        "guiAttachmentCount": len(item.attachments),
        "extendedStatus": None,
        "externalReference": item.external_reference,
        "createdAt": iso(item.created),
        "updatedAt": iso(updated_at(item, extra)),
        "contentUpdatedAt": iso(item.last_changed),
        "dueAt": iso(item.due_date),
        "status": dialog_status(item, extra),
        "systemLabel": extra.labels[0] if extra.labels else "Default",
        "isApiOnly": False,
        "hasUnopenedContent": unopened,
        "isContentSeen": is_content_seen(item, extra),
        "fromServiceOwnerTransmissionsCount": 1 if kind == KIND_OWNER else 0,
        "fromPartyTransmissionsCount": 0,
        "latestActivity": None,
        "content": {
            "title": cv(item.title),
            "summary": cv(item.summary),
            "senderName": cv(item.sender),
            "extendedStatus": None,
        },
        "endUserContext": {"revision": extra.revision, "systemLabels": list(extra.labels)},
        "seenSinceLastUpdate": _seen_json(extra, item, updated_at(item, extra)),
        "seenSinceLastContentUpdate": _seen_json(extra, item, item.last_changed),
    }


def _download_url(ctx, item, att_id: str) -> str:
    cid = correspondence_id(item)
    return f"{ctx.base}/correspondence/api/v1/correspondence/{cid}/attachment/{att_id}/download"


def _storage(ctx, item) -> tuple[int, str]:
    return ctx.state.party_id(item.reportee), stable_uuid("instance", item.uuid)


def storage_instance_url(ctx, item) -> str:
    party_id, guid = _storage(ctx, item)
    return f"{ctx.base}/storage/api/v1/instances/{party_id}/{guid}"


def data_elements(item) -> list[tuple[str, str, str, bytes, str]]:
    """(id, filename, mimetype, bytes, dataType) of an app instance's data elements."""
    result = []
    for form in item.forms:
        name = form.name if form.name.lower().endswith(".xml") else f"{form.name or 'skjema'}.xml"
        result.append(
            (
                stable_uuid("form", item.uuid, form.form_id),
                name,
                "application/xml",
                form.xml.encode("utf-8"),
                "skjemadata",
            )
        )
    for att in item.attachments:
        result.append(
            (
                stable_uuid("attachment", item.uuid, att.attachment_id),
                att.filename,
                att.mimetype,
                att.data,
                "vedlegg",
            )
        )
    return result


def _owner_attachments(ctx, item) -> list[dict]:
    extra = ctx.a3.extra(item)
    out = []
    for att in item.attachments:
        att_id = stable_uuid("attachment", item.uuid, att.attachment_id)
        out.append(
            {
                "id": att_id,
                "name": att.filename,
                "displayName": loc(att.name or att.filename),
                "expiresAt": None,
                "urls": [
                    {
                        "id": stable_uuid("url", att_id),
                        "url": shown_url(extra, att.filename, f"{ctx.base}{OWNER_DOCS}/{item.uuid}/{att_id}"),
                        "mediaType": att.mimetype,
                        "consumerType": "Api",
                    }
                ],
            }
        )
    return out


def transmissions(ctx, item) -> list[dict]:
    if kind_of(item) != KIND_OWNER:
        return []
    extra = ctx.a3.extra(item)
    return [
        {
            "id": stable_uuid("transmission", item.uuid),
            "createdAt": iso(item.created),
            "authorizationAttribute": None,
            "isAuthorized": True,
            "extendedType": None,
            "externalReference": item.external_reference,
            "relatedTransmissionId": None,
            "type": "Decision",
            "sender": {"actorType": "ServiceOwner", "actorId": None, "actorName": None},
            "isOpened": is_content_seen(item, extra),
            "content": {"title": cv(item.title), "summary": cv(item.summary), "contentReference": None},
            "attachments": _owner_attachments(ctx, item),
            "navigationalActions": [],
        }
    ]


def standalone_transmission(transmission: dict) -> dict:
    """A transmission as ``…/transmissions[/{id}]`` return it (``DialogTransmissionSearchItem``,
    ``DialogTransmissionDetails``): only the dialog details' copy has ``isOpened``."""
    return {k: v for k, v in transmission.items() if k != "isOpened"}


def dialog(ctx, item, dialog_token: str | None) -> dict:
    body = list_item(ctx, item)
    extra = ctx.a3.extra(item)
    kind = kind_of(item)
    # Search items only (DialogListItem): the dialog details (Dialog) have neither.
    for key in ("latestActivity", "guiAttachmentCount"):
        body.pop(key, None)
    body["revision"] = extra.revision
    body["expiresAt"] = None
    body["dialogToken"] = dialog_token
    content = body["content"]
    content["additionalInfo"] = cv(item.body) if kind != KIND_CORRESPONDENCE else None
    content["mainContentReference"] = None
    attachments, api_actions = [], []
    if kind == KIND_CORRESPONDENCE:
        cid = correspondence_id(item)
        overview = f"{ctx.base}/correspondence/api/v1/correspondence/{cid}"
        content["mainContentReference"] = {"value": loc(f"{overview}/content"), "mediaType": FCE_MARKDOWN}
        api_actions.append(_action("read", "getCorrespondence", overview, "GET"))
        if item.confirmation_needed:
            api_actions.append(_action("write", "confirmCorrespondence", f"{overview}/confirm", "POST"))
        for att in item.attachments:
            att_id = stable_uuid("attachment", item.uuid, att.attachment_id)
            url = _download_url(ctx, item, att_id)
            api_actions.append(_action("read", "downloadCorrespondenceAttachment", url, "GET"))
            attachments.append(
                {
                    "id": att_id,
                    "name": att.filename,
                    "displayName": loc(att.name or att.filename),
                    "expiresAt": None,
                    "urls": [
                        {
                            "id": stable_uuid("url", att_id),
                            "url": shown_url(extra, att.filename, url),
                            "mediaType": att.mimetype,
                            "consumerType": "Gui",
                        }
                    ],
                }
            )
    elif kind == KIND_APP:
        instance = storage_instance_url(ctx, item)
        api_actions.append(_action("read", "getInstance", instance, "GET"))
        for data_id, name, mimetype, _data, _type in data_elements(item):
            url = f"{instance}/data/{data_id}"
            if mimetype == "application/pdf":
                wrapped = f"{ctx.base}/authentication/api/v1/authentication?goto=" + quote(
                    url + "?dontChooseReportee=true", safe=""
                )
                urls = [
                    {
                        "id": stable_uuid("url", data_id),
                        "url": shown_url(extra, name, wrapped),
                        "mediaType": mimetype,
                        "consumerType": "Gui",
                    }
                ]
            else:
                urls = [
                    {
                        "id": stable_uuid("url", data_id),
                        "url": shown_url(extra, name, url),
                        "mediaType": mimetype,
                        "consumerType": "Api",
                    }
                ]
            attachments.append(
                {"id": data_id, "name": name, "displayName": loc(name), "expiresAt": None, "urls": urls}
            )
    else:
        api_actions.append(
            _action("read", "hentSkatteoppgjoer", f"{ctx.base}{OWNER_DOCS}/{item.uuid}", "GET")
        )
    body["attachments"] = attachments
    body["transmissions"] = transmissions(ctx, item)
    body["activities"] = list(extra.activities) or [
        {
            "id": stable_uuid("activity", item.uuid),
            "createdAt": iso(item.created),
            "extendedType": None,
            "type": "DialogCreated",
            "transmissionId": None,
            "description": [],
            "performedBy": {"actorType": "ServiceOwner", "actorId": None, "actorName": None},
        }
    ]
    body["guiActions"] = []
    body["apiActions"] = api_actions
    body["seenSinceLastUpdate"] = _seen_json(extra, item, updated_at(item, extra))
    body["seenSinceLastContentUpdate"] = _seen_json(extra, item, item.last_changed)
    return body


def _action(action: str, name: str, url: str, method: str) -> dict:
    return {
        "id": stable_uuid("action", name, url),
        "action": action,
        "authorizationAttribute": None,
        "isAuthorized": True,
        "name": name,
        "endpoints": [
            {
                "id": stable_uuid("endpoint", url),
                "url": url,
                "httpMethod": method,
                "version": "v1",
                "documentationUrl": None,
                "requestSchema": None,
                "responseSchema": None,
                "deprecated": False,
                "sunsetAt": None,
            }
        ],
    }


def correspondence(ctx, item, *, details: bool = False) -> dict:
    extra = ctx.a3.extra(item)
    status = correspondence_status(extra, item)
    changed = extra.status_history[-1]["statusChanged"] if extra.status_history else iso(item.created)
    atts = []
    for att in item.attachments:
        atts.append(
            {
                "id": stable_uuid("attachment", item.uuid, att.attachment_id),
                "fileName": att.filename,
                "displayName": att.name or att.filename,
                "isEncrypted": False,
                "checksum": hashlib.md5(att.data).hexdigest(),
                "sendersReference": att.senders_reference or str(att.attachment_id),
                "dataType": att.mimetype,
                "dataLocationType": "AltinnCorrespondenceAttachment",
                "created": iso(att.created),
                "status": "Published",
                "statusText": "Published",
                "statusChanged": iso(att.created),
                "expirationTime": None,
            }
        )
    body = {
        "correspondenceId": correspondence_id(item),
        "resourceId": resource_of(item),
        "sender": f"0192:{SKATTEETATEN_ORGNO}",
        "sendersReference": item.external_reference or item.uuid,
        "messageSender": item.sender,
        "recipient": ORG_URN + item.reportee,
        "content": {
            "language": "nb",
            "messageTitle": item.title,
            "messageSummary": item.summary or "",
            "messageBody": item.body or item.summary or item.title,
            "attachments": atts,
        },
        "created": iso(item.created),
        "published": iso(item.created),
        "read": next((h["statusChanged"] for h in extra.status_history if h["status"] == "Read"), None),
        "requestedPublishTime": iso(item.created),
        "dueDateTime": iso(item.due_date),
        "status": status,
        "statusText": status,
        "statusChanged": changed,
        "externalReferences": [{"referenceType": "DialogportenDialogId", "referenceValue": item.uuid}],
        "propertyList": {},
        "replyOptions": [],
        "isConfirmationNeeded": bool(item.confirmation_needed),
        "isConfidential": False,
        "allowForwarding": True,
        "altinn2CorrespondenceId": item.reportee_element_id or None,
        "notifications": [],
        # BaseCorrespondenceExt: written as null when the sender set none (Correspondence writes nulls).
        "notification": None,
        "ignoreReservation": None,
    }
    if details:
        body["statusHistory"] = [
            {"status": "Published", "statusText": "Published", "statusChanged": iso(item.created)},
            *extra.status_history,
        ]
        body["systemLabel"] = extra.labels[0] if extra.labels else "Default"
    return body
