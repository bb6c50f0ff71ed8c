"""Schemas of Altinn Authentication's and Correspondence's answers, written from Altinn's DTOs.

Neither API publishes a verified OpenAPI document in its repository, so each schema here is the
DTO's JSON shape as ASP.NET writes it: camelCase names (the default naming policy) unless the DTO sets
``JsonPropertyName``; enums as strings where a ``JsonStringEnumConverter`` is registered; members that
are C# fields (not properties) are never written. Authentication registers ``WhenWritingNull``
(``src/Authentication/AuthenticationHost.cs``), so a null member is absent; Correspondence does not
(``src/Altinn.Correspondence.API/Program.cs``), so its nullable members are written as null.
``x-source`` names the file and the commit each schema is read from (listed in altinn_emulator/README.md).
"""

from __future__ import annotations

AUTH = "Altinn/altinn-authentication@ad4f6f3671c0ba40bf923003688f5949c6a89aa2"
CORR = "Altinn/altinn-correspondence@da785168cabf2fc9b3390a4399f589d2c0de7157"

_S = {"type": "string"}
_SN = {"type": "string", "nullable": True}
_B = {"type": "boolean"}
_GUID = {"type": "string", "format": "guid"}
_DT = {"type": "string", "format": "date-time"}
_DTN = {"type": "string", "format": "date-time", "nullable": True}
# .NET DateTime (not DateTimeOffset): ISO 8601, the zone only when its Kind is Utc/Local.
_NET_DT = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}"}


def _obj(properties: dict, required=(), source: str | None = None, extra=False) -> dict:
    schema = {"type": "object", "properties": properties, "additionalProperties": extra}
    if required:
        schema["required"] = list(required)
    if source:
        schema["x-source"] = source
    return schema


_ACCESS_PACKAGE = _obj({"urn": _S}, source=f"{AUTH} src/Core/Models/AccessPackages/AccessPackage.cs")
_RIGHT = _obj(
    {
        "action": _S,
        "resource": {
            "type": "array",
            "items": _obj({"id": _S, "value": _S}, source=f"{AUTH} src/Core/Models/AttributePair.cs"),
        },
    },
    source=f"{AUTH} src/Core/Models/Right.cs",
)
_LANG_MAP = {"type": "object", "additionalProperties": _S}

SCHEMAS: dict[str, dict] = {
    # ---------------------------------------------------------------- Authentication
    "RegisteredSystemResponse": _obj(
        {
            "id": _S,
            # VendorInfo.Authority is a C# field: System.Text.Json does not write it.
            "vendor": _obj({"ID": _S}, ["ID"], f"{AUTH} src/Core/Models/VendorInfo.cs"),
            "name": _LANG_MAP,
            "description": _LANG_MAP,
            "rights": {"type": "array", "items": _RIGHT},
            "accessPackages": {"type": "array", "items": _ACCESS_PACKAGE},
            "isDeleted": _B,
            "clientId": {"type": "array", "items": _S},
            "isVisible": _B,
            "allowedRedirectUrls": {"type": "array", "items": {"type": "string", "format": "uri"}},
        },
        ["id", "vendor", "name", "description"],
        f"{AUTH} src/Core/Models/SystemRegisters/RegisteredSystemResponse.cs",
    ),
    "RegisteredSystemDTO": _obj(
        {
            "systemId": _S,
            "systemVendorOrgNumber": _S,
            "systemVendorOrgName": _S,
            "name": _LANG_MAP,
            "description": _LANG_MAP,
            "rights": {"type": "array", "items": _RIGHT},
            "accessPackages": {"type": "array", "items": _ACCESS_PACKAGE},
            "isVisible": _B,
        },
        ["systemId", "systemVendorOrgNumber", "name", "description"],
        f"{AUTH} src/Core/Models/SystemRegisters/RegisteredSystemDTO.cs",
    ),
    "RequestSystemResponse": _obj(
        {
            "id": _GUID,
            "integrationTitle": _S,
            "externalRef": _S,
            "systemId": _S,
            "partyOrgNo": _S,
            "rights": {"type": "array", "items": _RIGHT},
            "accessPackages": {"type": "array", "items": _ACCESS_PACKAGE},
            "status": {"type": "string", "enum": ["New", "Accepted", "Rejected", "Denied", "Timedout"]},
            "redirectUrl": _S,
            "confirmUrl": _S,
            "escalated": _B,
            "created": _NET_DT,
            "timedOut": _B,
        },
        ["id", "systemId", "partyOrgNo", "rights", "accessPackages", "status"],
        f"{AUTH} src/Core/Models/SystemUsers/RequestSystemResponse.cs (status: RequestStatus.cs)",
    ),
    "AgentRequestSystemResponse": _obj(
        {
            "id": _GUID,
            "integrationTitle": _S,
            "externalRef": _S,
            "systemId": _S,
            "partyOrgNo": _S,
            "accessPackages": {"type": "array", "items": _ACCESS_PACKAGE},
            "status": {"type": "string", "enum": ["New", "Accepted", "Rejected", "Denied", "Timedout"]},
            "redirectUrl": _S,
            "confirmUrl": _S,
            "escalated": _B,
            "created": _NET_DT,
            "timedOut": _B,
        },
        ["id", "systemId", "partyOrgNo", "accessPackages", "status"],
        f"{AUTH} src/Core/Models/SystemUsers/AgentRequestSystemResponse.cs",
    ),
    "SystemUserExternalDTO": _obj(
        {
            "id": _S,
            "integrationTitle": _S,
            "systemId": _S,
            "productName": _S,
            "reporteeOrgNo": _S,
            "created": _NET_DT,
            "isDeleted": _B,
            "supplierName": _S,
            "supplierOrgno": _S,
            "externalRef": _S,
            "userType": {"type": "string", "enum": ["standard", "agent"]},
        },
        [
            "id",
            "integrationTitle",
            "systemId",
            "productName",
            "reporteeOrgNo",
            "created",
            "isDeleted",
            "supplierName",
            "supplierOrgno",
            "externalRef",
            "userType",
        ],
        f"{AUTH} src/Core/Models/SystemUserExternalDTO.cs, src/Core/Enums/SystemUserType.cs",
    ),
    "SystemUserInternalDTO": _obj(
        {
            "id": _S,
            "integrationTitle": _S,
            "systemId": _S,
            "productName": _S,
            "systemInternalId": _GUID,
            "partyId": _S,
            "partyUuId": _S,
            "reporteeOrgNo": _S,
            "created": _NET_DT,
            "isDeleted": _B,
            "supplierName": _S,
            "supplierOrgno": _S,
            "externalRef": _S,
            "userType": {"type": "string", "enum": ["standard", "agent"]},
            "accessPackages": {"type": "array", "items": _ACCESS_PACKAGE},
        },
        [
            "id",
            "integrationTitle",
            "systemId",
            "productName",
            "partyId",
            "partyUuId",
            "reporteeOrgNo",
            "created",
            "isDeleted",
            "supplierName",
            "supplierOrgno",
            "externalRef",
            "userType",
        ],
        f"{AUTH} src/Core/Models/SystemUserInternalDTO.cs",
    ),
    "PaginatedSystemUsers": _obj(
        {
            # WhenWritingNull: the last page's null "next" is not written.
            "links": _obj(
                {"next": {"type": "string"}}, source=f"{AUTH} src/Authentication/Model/Paginated.cs"
            ),
            "data": {"type": "array", "items": {"$ref": "#/SCHEMAS/SystemUserExternalDTO"}},
        },
        ["links", "data"],
        f"{AUTH} src/Authentication/Model/Paginated.cs, src/Core/Models/Pagination/ListObject.cs",
    ),
    "ClientInfoPaginated": _obj(
        {
            "links": _obj(
                {"next": {"type": "string"}}, source=f"{AUTH} src/Authentication/Model/Paginated.cs"
            ),
            "data": {
                "type": "array",
                "items": _obj(
                    {"clientId": _GUID, "clientOrganizationNumber": _S, "clientOrganizationName": _S},
                    ["clientId", "clientOrganizationNumber", "clientOrganizationName"],
                    f"{AUTH} src/Authentication/Model/ClientInfo.cs",
                ),
            },
            "systemUserInformation": _obj(
                {"systemUserId": _GUID, "systemUserOwnerOrg": _S},
                ["systemUserId", "systemUserOwnerOrg"],
                f"{AUTH} src/Authentication/Model/SystemUserInfo.cs",
            ),
        },
        ["links", "data", "systemUserInformation"],
        f"{AUTH} src/Authentication/Model/ClientInfoPaginated.cs",
    ),
    "ClientDelegationResponse": _obj(
        {"agent": _GUID, "client": _GUID},
        ["agent", "client"],
        f"{AUTH} src/Authentication/Model/ClientDelegationResponse.cs",
    ),
    "SystemRegisterUpdateResult": _obj(
        {"succeeded": _B}, ["succeeded"], f"{AUTH} src/Authentication/Controllers/SystemRegisterController.cs"
    ),
    "AltinnProblemDetails": _obj(
        {
            "type": _S,
            "title": _S,
            "status": {"type": "integer", "format": "int32"},
            "detail": _S,
            "instance": _S,
            "code": {"type": "string", "pattern": r"^[A-Z]+(\.[A-Z]+)?-\d{5}$"},
            "traceId": _S,
            "statusDescription": _S,
            "validationErrors": {
                "type": "array",
                "items": _obj(
                    {"code": _S, "title": _S, "paths": {"type": "array", "items": _S}, "detail": _S},
                    ["code", "title"],
                ),
            },
            "errors": {"type": "object", "additionalProperties": {"type": "array", "items": _S}},
        },
        ["type", "title", "status"],
        "Altinn/altinn-authorization-utils ProblemDetails 5.4.0 AltinnProblemDetails.cs, "
        "AltinnValidationProblemDetails.cs (extension data: further members)",
        extra=True,
    ),
    # ---------------------------------------------------------------- Correspondence
    "CorrespondencesExt": _obj(
        {"ids": {"type": "array", "items": _GUID}},
        ["ids"],
        f"{CORR} src/Altinn.Correspondence.API/Models/CorrespondencesExt.cs",
    ),
}

_ATTACHMENT = _obj(
    {
        # BaseAttachmentExt
        "fileName": {"type": "string", "maxLength": 255},
        "displayName": {"type": "string", "maxLength": 255, "nullable": True},
        "isEncrypted": _B,
        "checksum": _SN,
        "sendersReference": {"type": "string", "minLength": 1, "maxLength": 4096},
        "expirationInDays": {"type": "integer", "nullable": True},
        # InitializeCorrespondenceAttachmentExt
        "id": _GUID,
        # CorrespondenceAttachmentExt
        "created": _DT,
        "dataLocationType": {"type": "string", "enum": ["AltinnCorrespondenceAttachment", "ExternalStorage"]},
        "status": {
            "type": "string",
            "enum": ["Initialized", "UploadProcessing", "Published", "Purged", "Failed", "Expired"],
        },
        "statusText": _S,
        "statusChanged": _DT,
        "dataType": _S,
        "expirationTime": _DTN,
    },
    ["fileName", "sendersReference", "id"],
    f"{CORR} src/Altinn.Correspondence.API/Models/CorrespondenceAttachmentExt.cs, "
    "InitializeCorrespondenceAttachmentExt.cs, BaseAttachmentExt.cs, Enums/AttachmentStatus.cs, "
    "Enums/AttachmentDataLocationTypeExt.cs",
)
_STATUS = {
    "type": "string",
    "enum": [
        "Initialized",
        "ReadyForPublish",
        "Published",
        "Fetched",
        "Read",
        "Replied",
        "Confirmed",
        "PurgedByRecipient",
        "PurgedByAltinn",
        "Archived",
        "Reserved",
        "Failed",
        "AttachmentsDownloaded",
        "Forwarded",
    ],
    "x-source": f"{CORR} src/Altinn.Correspondence.API/Models/Enums/CorrespondenceStatusExt.cs",
}
_NOTIFICATION_REQUEST = {
    "type": "object",
    "nullable": True,
    "x-source": f"{CORR} src/Altinn.Correspondence.API/Models/InitializeCorrespondenceNotificationExt.cs",
    "additionalProperties": False,
    "properties": {
        name: {"nullable": True}
        for name in (
            "notificationTemplate",
            "emailSubject",
            "emailBody",
            "emailContentType",
            "smsBody",
            "sendReminder",
            "reminderEmailSubject",
            "reminderEmailBody",
            "reminderEmailContentType",
            "reminderSmsBody",
            "notificationChannel",
            "reminderNotificationChannel",
            "sendersReference",
            "customRecipients",
            "customRecipient",
            "customNotificationRecipients",
            "overrideRegisteredContactInformation",
        )
    },
}
_BASE_CORRESPONDENCE = {
    "resourceId": {"type": "string", "minLength": 1, "maxLength": 255},
    "sender": _SN,
    "sendersReference": {"type": "string", "minLength": 1, "maxLength": 4096},
    "messageSender": {"type": "string", "maxLength": 255, "nullable": True},
    "content": _obj(
        {
            "language": _SN,
            "messageTitle": {"type": "string", "minLength": 1, "maxLength": 255},
            "messageSummary": {"type": "string", "maxLength": 255, "nullable": True},
            "messageBody": {"type": "string", "minLength": 1, "maxLength": 30000},
            "attachments": {"type": "array", "items": _ATTACHMENT},
        },
        ["messageTitle", "messageBody", "attachments"],
        f"{CORR} src/Altinn.Correspondence.API/Models/CorrespondenceContentExt.cs, "
        "InitializeCorrespondenceContentExt.cs",
    ),
    "requestedPublishTime": _DTN,
    "dueDateTime": _DTN,
    "externalReferences": {
        "type": "array",
        "nullable": True,
        "items": _obj(
            {
                "referenceValue": _S,
                "referenceType": {
                    "type": "string",
                    "enum": [
                        "Generic",
                        "AltinnAppInstance",
                        "AltinnBrokerFileTransfer",
                        "DialogportenDialogId",
                        "DialogportenProcessId",
                        "DialogportenTransmissionId",
                        "DialogportenTransmissionType",
                    ],
                },
            },
            ["referenceValue", "referenceType"],
            f"{CORR} src/Altinn.Correspondence.API/Models/ExternalReferenceExt.cs, Enums/ReferenceTypeExt.cs",
        ),
    },
    "propertyList": {"type": "object", "additionalProperties": _S},
    "replyOptions": {
        "type": "array",
        "nullable": True,
        "items": _obj(
            {"linkURL": _S, "linkText": _SN},
            ["linkURL"],
            f"{CORR} src/Altinn.Correspondence.API/Models/CorrespondenceReplyOptionExt.cs",
        ),
    },
    "notification": _NOTIFICATION_REQUEST,
    "ignoreReservation": {"type": "boolean", "nullable": True},
    "isConfirmationNeeded": _B,
    "isConfidential": _B,
    "allowForwarding": _B,
}
_OVERVIEW = {
    **_BASE_CORRESPONDENCE,
    "recipient": _S,
    "correspondenceId": _GUID,
    "created": _DT,
    "status": _STATUS,
    "statusText": _S,
    "statusChanged": _DT,
    "notifications": {
        "type": "array",
        "items": _obj(
            {"notificationOrderId": {**_GUID, "nullable": True}, "isReminder": _B},
            source=f"{CORR} src/Altinn.Correspondence.API/Models/CorrespondenceNotificationOverviewExt.cs",
        ),
    },
    "altinn2CorrespondenceId": {"type": "integer", "format": "int32", "nullable": True},
    "published": _DTN,
    "read": _DTN,
}
# Every member a non-nullable C# property is always written (Correspondence writes nulls too).
_OVERVIEW_REQUIRED = [
    "resourceId",
    "sender",
    "sendersReference",
    "messageSender",
    "content",
    "requestedPublishTime",
    "dueDateTime",
    "externalReferences",
    "propertyList",
    "replyOptions",
    "notification",
    "ignoreReservation",
    "isConfirmationNeeded",
    "isConfidential",
    "allowForwarding",
    "recipient",
    "correspondenceId",
    "created",
    "status",
    "statusText",
    "statusChanged",
    "notifications",
    "altinn2CorrespondenceId",
    "published",
    "read",
]
SCHEMAS["CorrespondenceOverviewExt"] = _obj(
    _OVERVIEW,
    _OVERVIEW_REQUIRED,
    f"{CORR} src/Altinn.Correspondence.API/Models/CorrespondenceOverviewExt.cs, BaseCorrespondenceExt.cs",
)
SCHEMAS["CorrespondenceDetailsExt"] = _obj(
    {
        **_OVERVIEW,
        "statusHistory": {
            "type": "array",
            "items": _obj(
                {"status": _STATUS, "statusText": _S, "statusChanged": _DT},
                ["status", "statusText", "statusChanged"],
                f"{CORR} src/Altinn.Correspondence.API/Models/CorrespondenceStatusEventExt.cs",
            ),
        },
        "notifications": {
            "type": "array",
            "nullable": True,
            "items": _obj(
                {
                    "id": _S,
                    "sendersReference": _SN,
                    "creator": _S,
                    "created": _DT,
                    "isReminder": _B,
                    "notificationChannel": _S,
                    "ignoreReservation": {"type": "boolean", "nullable": True},
                    "resourceId": _SN,
                    "processingStatus": {"nullable": True},
                    "notificationStatusDetails": {"nullable": True},
                },
                source=f"{CORR} src/Altinn.Correspondence.API/Models/NotificationExt.cs",
            ),
        },
        "systemLabel": {
            "type": "string",
            "nullable": True,
            "enum": ["Default", "Bin", "Archive", "MarkedAsUnopened", "Sent"],
            "x-source": f"{CORR} src/Altinn.Correspondence.Core/Models/Enums/DialogPortenSystemLabel.cs",
        },
    },
    [*_OVERVIEW_REQUIRED, "statusHistory", "systemLabel"],
    f"{CORR} src/Altinn.Correspondence.API/Models/CorrespondenceDetailsExt.cs",
)
SCHEMAS["ProblemDetails"] = _obj(
    {
        "type": _SN,
        "title": _SN,
        "status": {"type": "integer", "nullable": True},
        "detail": _SN,
        "instance": _SN,
        "errorCode": {"type": "integer", "nullable": True},
        "traceId": _SN,
        "errors": {"type": "object"},
        "validationErrors": {"type": "array"},
    },
    source="RFC 7807 ProblemDetails (Microsoft.AspNetCore.Mvc), Correspondence's errorCode extension "
    f"({CORR} src/Altinn.Correspondence.API/Helpers/ProblemDetailsHelper.cs)",
    extra=True,
)

AUTH_BASE = r"^/authentication/api/v1"
CORR_BASE = r"^/correspondence/api/v1/correspondence"
UUID = r"[0-9a-fA-F-]{36}"

#: (method, path regex, {status: schema name | None (no body) | "text" | "token"}) of every route the
#: emulator serves for these two APIs. A status not listed fails the check; 4xx/5xx problems are
#: checked against the API's problem shape.
ROUTES: list[tuple[str, str, dict]] = [
    ("GET", AUTH_BASE + r"/exchange/maskinporten/?$", {200: "token"}),
    ("GET", AUTH_BASE + r"/openid/\.well-known/openid-configuration/jwks$", {200: "jwks"}),
    ("GET", AUTH_BASE + r"/systemregister/vendor/?$", {200: ("array", "RegisteredSystemDTO")}),
    ("POST", AUTH_BASE + r"/systemregister/vendor/?$", {200: "guid-string", 403: None}),
    (
        "GET",
        AUTH_BASE + r"/systemregister/vendor/[^/]+/?$",
        {200: "RegisteredSystemResponse", 403: None, 404: None},
    ),
    (
        "PUT",
        AUTH_BASE + r"/systemregister/vendor/[^/]+/?$",
        {200: "SystemRegisterUpdateResult", 403: None, 404: "text", 400: "text"},
    ),
    (
        "POST",
        AUTH_BASE + r"/systemuser/request/vendor/?$",
        {200: "RequestSystemResponse", 201: "RequestSystemResponse"},
    ),
    (
        "POST",
        AUTH_BASE + r"/systemuser/request/vendor/agent/?$",
        {200: "AgentRequestSystemResponse", 201: "AgentRequestSystemResponse"},
    ),
    ("GET", AUTH_BASE + rf"/systemuser/request/vendor/{UUID}/?$", {200: "RequestSystemResponse"}),
    ("GET", AUTH_BASE + rf"/systemuser/request/vendor/agent/{UUID}/?$", {200: "AgentRequestSystemResponse"}),
    ("DELETE", AUTH_BASE + rf"/systemuser/request/vendor/{UUID}/?$", {202: None}),
    (
        "GET",
        AUTH_BASE + r"/systemuser/request/vendor/byexternalref/[^/]+/\d{9}/[^/]+/?$",
        {200: "RequestSystemResponse"},
    ),
    (
        "GET",
        AUTH_BASE + r"/systemuser/request/vendor/agent/byexternalref/[^/]+/\d{9}/[^/]+/?$",
        {200: "AgentRequestSystemResponse"},
    ),
    ("GET", AUTH_BASE + r"/systemuser/vendor/byquery/?$", {200: "SystemUserExternalDTO", 404: None}),
    ("GET", AUTH_BASE + r"/systemuser/vendor/bysystem/[^/]+/?$", {200: "PaginatedSystemUsers"}),
    (
        "GET",
        AUTH_BASE + r"/enduser/systemuser/agents/?$",
        {200: ("array", "SystemUserInternalDTO"), 403: None},
    ),
    (
        "GET",
        AUTH_BASE + r"/enduser/systemuser/clients(/available)?/?$",
        {200: "ClientInfoPaginated", 403: None},
    ),
    ("POST", AUTH_BASE + r"/enduser/systemuser/clients/?$", {200: "ClientDelegationResponse", 403: None}),
    ("DELETE", AUTH_BASE + r"/enduser/systemuser/clients/?$", {200: "ClientDelegationResponse", 403: None}),
    ("GET", CORR_BASE + r"/?$", {200: "CorrespondencesExt"}),
    ("GET", CORR_BASE + rf"/{UUID}/?$", {200: "CorrespondenceOverviewExt"}),
    ("GET", CORR_BASE + rf"/{UUID}/details/?$", {200: "CorrespondenceDetailsExt"}),
    ("GET", CORR_BASE + rf"/{UUID}/content/?$", {200: "text"}),
    ("POST", CORR_BASE + rf"/{UUID}/markasread/?$", {200: "guid-string"}),
    ("POST", CORR_BASE + rf"/{UUID}/confirm/?$", {200: "guid-string"}),
    ("DELETE", CORR_BASE + rf"/{UUID}/purge/?$", {200: "guid-string"}),
    ("GET", CORR_BASE + rf"/{UUID}/attachment/{UUID}/download/?$", {200: "binary"}),
]
