"""Operation handlers of the four Basic services. Each returns the inner XML of ``<Op>Result`` (members
with prefix ``a``), plus the namespace bound to ``a``; the SOAP layer wraps it in the response envelope."""

from __future__ import annotations

from datetime import datetime, time

from . import auth
from . import faults as F
from .clock import OSLO, to_oslo
from .faults import SoapFault
from .model import KIND_FORM, KIND_MESSAGE, MSG_CREATED, MSG_READ, Attachment, Item
from .xmlout import Raw, el, members, offset_datetime

NS_AUTH = "http://schemas.altinn.no/services/Authentication/2009/10"
NS_REL10 = "http://www.altinn.no/services/ServiceEngine/ReporteeElementList/2010/10"
NS_REL18 = "http://www.altinn.no/services/ServiceEngine/ReporteeElementList/2018/02"
NS_SVC18 = "http://schemas.altinn.no/services/altinnservice/2018/02"
NS_RA09 = "http://schemas.altinn.no/services/Archive/ReporteeArchive/2009/10"
NS_RA10 = "http://schemas.altinn.no/services/Archive/ReporteeArchive/2010/10"
NS_RA19 = "http://schemas.altinn.no/services/Archive/ReporteeArchive/2019/07"
NS_KM = "http://schemas.altinn.no/services/Archive/KeyManagement/2010/10"
NS_COR09 = "http://schemas.altinn.no/services/ServiceEngine/Correspondence/2009/10"
NS_COR10 = "http://schemas.altinn.no/services/ServiceEngine/Correspondence/2010/10"
NS_NTF09 = "http://schemas.altinn.no/services/ServiceEngine/Notification/2009/10"
NS_ARR = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"

SERVICE_OWNER_ID = 34
ZERO_DATETIME = "0001-01-01T00:00:00"

MIME_TO_ATTACHMENT_TYPE = {
    "application/pdf": "application_pdf",
    "application/xml": "text_xml",
    "text/xml": "text_xml",
    "text/plain": "text_plain",
    "text/html": "text_html",
    "application/zip": "application_zip",
    "image/jpeg": "image_jpeg",
    "image/gif": "image_gif",
    "image/bmp": "image_bmp",
    "application/msword": "application_msword",
    "application/vnd.ms-excel": "application_vnd_ms_excel",
    "application/rtf": "application_rtf",
    "text/rtf": "text_rtf",
    "application/postscript": "application_postscript",
    "application/vnd.oasis.opendocument.text": "application_vnd_oasis_opendocument_text",
}


class Result:
    """Inner XML of ``<Op>Result``; ``ns`` is bound to prefix ``a``. ``empty``: no Result element at all."""

    def __init__(self, ns: str | None, body: str, empty: bool = False):
        self.ns = ns
        self.body = body
        self.empty = empty


def english(language_id: int | None) -> bool:
    return language_id == 1033


# ------------------------------------------------------------------ parameter helpers
class Params(dict):
    """Request parameters: local name → lxml element."""

    def text(self, name: str) -> str | None:
        element = self.get(name)
        if element is None or _is_nil(element):
            return None
        return element.text or ""

    def int(self, name: str) -> int | None:
        text = self.text(name)
        return int(text.strip()) if text not in (None, "") else None

    def auth(self) -> dict:
        return {
            name: self.text(name)
            for name in (
                "systemUserName",
                "systemPassword",
                "userSSN",
                "userPassword",
                "userPinCode",
                "authMethod",
            )
        }


def _is_nil(element) -> bool:
    return element.get("{http://www.w3.org/2001/XMLSchema-instance}nil") in ("true", "1")


def _child_text(element, name: str) -> str | None:
    for child in element:
        if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == name:
            return None if _is_nil(child) else (child.text or "")
    return None


def _parse_dt(text: str | None) -> datetime | None:
    if not text:
        return None
    text = text.strip()
    if len(text) == 10:
        return datetime.combine(datetime.fromisoformat(text).date(), time(0), OSLO)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    if "." in text:  # Python < 3.11 accepts only 3 or 6 fractional digits
        head, rest = text.split(".", 1)
        digits = "".join(c for c in rest if c.isdigit())
        text = head + "." + digits[:6].ljust(6, "0") + rest[len(digits) :]
    return to_oslo(datetime.fromisoformat(text))


# ------------------------------------------------------------------ SystemAuthentication
def get_authentication_challenge(state, params: Params, ctx) -> Result:
    request = params.get("challengeRequest")
    fields = {
        name: (_child_text(request, name) if request is not None else None)
        for name in ("AuthMethod", "SystemUserName", "UserPassword", "UserSSN")
    }
    answer = auth.challenge(
        state, fields["AuthMethod"], fields["SystemUserName"], fields["UserPassword"], fields["UserSSN"]
    )
    valid_from = offset_datetime(answer["valid_from"]) if answer["valid_from"] else ZERO_DATETIME
    valid_to = offset_datetime(answer["valid_to"]) if answer["valid_to"] else ZERO_DATETIME
    body = members(
        "a",
        [
            ("Message", answer["message"]),
            ("Status", answer["status"]),
            ("ValidFrom", Raw(valid_from)),
            ("ValidTo", Raw(valid_to)),
        ],
    )
    return Result(NS_AUTH, body)


# ------------------------------------------------------------------ ReporteeElementList
def _status(item: Item, en: bool) -> tuple[str, str]:
    """(ReporteeElementStatus, StatusName)."""
    if item.kind == KIND_FORM:
        if item.archived:
            return "Archive", "Sent and archived" if en else "Sendt og arkivert"
        return "FillIn", "Completion" if en else "Utfylling"
    if item.archived:
        return "Archive", "Archived" if en else "Arkivert"
    if item.status == "Confirmed":
        return "Confirmed", "Confirmed" if en else "Bekreftet"
    if item.status == MSG_CREATED:
        return (
            "NotOpenedConfirmationReq" if item.confirmation_needed else "NotOpenedNoConfirmationReq",
            "Unread" if en else "Ulest",
        )
    return (
        "OpenedNotConfirmed" if item.confirmation_needed else "OpenedNoConfirmedReq",
        "Read" if en else "Lest",
    )


def reportee_element_xml(state, item: Item, en: bool) -> str:
    key = (item.reportee_element_id, en)
    # the stamp also covers plug-ins that change an item without calling item.touch()
    stamp = (item.version, item.status, item.archive_id, item.last_changed, item.title, item.due_date)
    cached = state.xml_cache.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    status, status_name = _status(item, en)
    archived = item.archived
    is_form = item.kind == KIND_FORM
    text = (
        "<a:ReporteeElementBEV2>"
        + members(
            "a",
            [
                ("AllowDelete", True),
                ("AllowNewCopy", is_form),
                ("Altinn1ArchiveUnitId", None),
                ("Altinn1FormCode", None),
                ("Altinn1FormId", None),
                ("Altinn1FormInstanceID", None),
                ("Altinn1FormORNo", None),
                ("Altinn1ParticipantID", None),
                ("Altinn1ReferenceType", None),
                ("Altinn1WorkflowProcessId", None),
                ("ArchiveId", item.archive_id if archived else None),
                ("ArchiveReference", f"AR{item.archive_id}" if archived and is_form else None),
                ("CaseID", 0),
                ("CorrespondenceStatus", "Default" if is_form else item.status),
                ("DueDate", item.due_date),
                ("EndUserSystemID", 0),
                ("ExternalServiceCode", item.service_code or None),
                ("IsCaseArchived", False),
                ("IsMatched", False),
                ("LastChangeType", "Default"),
                ("LastChangedBy", item.sender_en if en else item.sender),
                ("LastChangedByID", 0),
                ("LastChangedDate", item.last_changed),
                ("Notice", None),
                ("ParentCaseName", None),
                ("ReporteeElementId", 0 if archived else item.reportee_element_id),
                ("ReporteeElementOwner", state.party_id(item.reportee)),
                ("ReporteeElementType", "FormTask" if is_form else "Correspondence"),
                ("ReporteeName", state.reportee_name(item.reportee)),
                ("RoleRequirement", "ReadAndPerformNextStep" if is_form and not archived else "Default"),
                ("RoleRequirementAltinn1Element", None),
                ("SEReporteeElementID", item.reportee_element_id if archived else 0),
                ("ServiceEditionVersion", item.service_edition),
                ("ServiceOwner", SERVICE_OWNER_ID),
                ("ServiceOwnerCode", item.service_owner_code),
                ("ServiceOwnerDescription", None),
                ("Status", status),
                ("StatusName", status_name),
                ("TaskStatus", "Default"),
                ("Title", item.title),
            ],
        )
        + "</a:ReporteeElementBEV2>"
    )
    state.xml_cache[key] = (stamp, text)
    return text


def get_reportee_element_list(state, params: Params, ctx) -> Result:
    language = params.int("languageID")
    search = params.get("searchBE")
    reportee = _child_text(search, "Reportee") if search is not None else None
    if not reportee or not reportee.strip():
        ctx_auth = auth.authenticate(state, params.auth())
        raise SoapFault(40007, F.REPORTEE_NULL, user_id=ctx_auth.person.user_id)
    reportee = reportee.strip()
    ctx_auth = auth.authenticate(state, params.auth())
    auth.authorize(state, ctx_auth, reportee)
    from_date = _parse_dt(_child_text(search, "FromDate"))
    to_date = _parse_dt(_child_text(search, "ToDate"))
    sent_and_archived = _child_text(search, "SentAndArchived")
    only_active = sent_and_archived is not None and sent_and_archived.strip() in ("false", "0")
    archive_ref = (_child_text(search, "ArchiveReference") or "").strip()
    search_string = (_child_text(search, "SearchString") or "").strip().lower()
    owner_code = (_child_text(search, "ServiceOwnerCode") or "").strip()
    code_list = None
    for child in search:
        if isinstance(child.tag, str) and child.tag.endswith("}ServiceCodeList") and not _is_nil(child):
            code_list = {(c.text or "").strip() for c in child if isinstance(c.tag, str)}
    en = english(language)
    with state.lock:
        items = [i for i in state.reportee_items(reportee) if not i.deleted]
        selected = []
        for item in items:
            if from_date is not None and item.last_changed < from_date:
                continue
            if to_date is not None and item.last_changed > to_date:
                continue
            if only_active and item.archived:
                continue
            if archive_ref and not (item.archived and f"AR{item.archive_id}" == archive_ref):
                continue
            if search_string and search_string not in item.title.lower():
                continue
            if owner_code and item.service_owner_code != owner_code:
                continue
            if code_list is not None and item.service_code not in code_list:
                continue
            selected.append(item)
        selected.sort(key=lambda i: (i.last_changed, i.reportee_element_id), reverse=True)
        body = "".join(reportee_element_xml(state, item, en) for item in selected)
    return Result(NS_REL10, body)


def _element_for(state, ctx_auth, item: Item | None, *, kind: str) -> Item:
    if item is None or item.deleted or item.kind != kind:
        raise SoapFault(60016, F.ELEMENT_UNAVAILABLE, user_id=ctx_auth.person.user_id)
    auth.authorize(state, ctx_auth, item.reportee)
    return item


def get_form_set_data(state, params: Params, ctx) -> Result:
    ctx_auth = auth.authenticate(state, params.auth())
    element_id = params.int("reporteeElementID")
    item = _element_for(state, ctx_auth, state.by_element_id.get(element_id), kind=KIND_FORM)
    body = "".join(
        f'<a:FormSetDataBE xmlns:b="{NS_REL18}">'
        + members(
            "b",
            [
                ("DataFormatID", form.data_format_id),
                ("DataFormatVersion", form.data_format_version),
                ("FormData", form.xml),
                ("FormID", form.form_id),
            ],
        )
        + "</a:FormSetDataBE>"
        for form in item.forms
    )
    return Result(NS_SVC18, body)


# ------------------------------------------------------------------ ReporteeArchive
def attachment_type(att: Attachment) -> str:
    return MIME_TO_ATTACHMENT_TYPE.get(att.mimetype.split(";")[0].strip().lower(), "binary_octet_stream")


def attachment_xml(prefix: str, item: Item, att: Attachment, *, with_data: bool = True) -> str:
    element_id = item.archive_id if item.archived and item.kind == KIND_FORM else item.reportee_element_id
    return members(
        prefix,
        [
            ("AttachmentData", att.data if with_data else None),
            (
                "AttachmentFunctionTypeID",
                att.function_type if att.function_type in ("Unspecified", "Invoice") else "Unspecified",
            ),
            ("AttachmentID", att.attachment_id),
            ("AttachmentName", att.name),
            ("AttachmentTypeID", attachment_type(att)),
            ("CreatedByUserID", 0),
            ("CreatedDateTime", att.created),
            ("DestinationType", "Default"),
            ("FileName", att.filename),
            ("IsAddedAfterFormFillin", att.added_after_fillin),
            ("IsAssociatedToFormSet", item.kind == KIND_FORM),
            ("IsEncrypted", False),
            ("ReporteeElementID", element_id),
            ("SendersReference", att.senders_reference),
        ],
    )


def get_archived_form_task(state, params: Params, ctx) -> Result:
    ctx_auth = auth.authenticate(state, params.auth())
    archive_id = params.int("reporteeElementId")
    item = state.by_archive_id.get(archive_id)
    item = _element_for(state, ctx_auth, item, kind=KIND_FORM)
    tasks = (
        "<a:ArchiveTaskV2>"
        + members(
            "a",
            [
                ("EndUserSystemID", 0),
                ("LastChanged", item.archived_at),
                ("NumberOfSignaturesAdded", 1),
                ("ProcessStepID_FK", 0),
                ("SentComplete", True),
                ("TaskID", item.archive_id + 1_000_000),
                ("UserDefinedNumberOfSignaturesRequired", 0),
                ("WorkflowReference", item.uuid),
            ],
        )
        + "</a:ArchiveTaskV2>"
    )
    attachments = "".join(
        "<a:ArchivedAttachmentBEV2>"
        + members(
            "a",
            [
                (
                    "AttachmentFunctionType",
                    att.function_type if att.function_type in ("Unspecified", "Invoice") else "Default",
                ),
                ("AttachmentID", att.attachment_id),
                ("AttachmentName", att.name),
                ("CreatedByUserID", 0),
                ("CreatedDateTime", att.created),
                ("IsAddedAfterFormFillin", att.added_after_fillin),
                ("IsEncrypted", False),
                ("MimeTypeName", attachment_type(att)),
            ],
        )
        + "</a:ArchivedAttachmentBEV2>"
        for att in item.attachments
    )
    forms = "".join(
        "<b:ArchivedFormBE>"
        + members(
            "b",
            [
                ("DataFormatId", form.data_format_id),
                ("DataFormatVersion", form.data_format_version),
                ("FormDataXML", form.xml),
                ("FormID", form.form_id),
                ("FormName", form.name),
                ("FormPaymentInfo", None),
                ("FormPresentationFieldValue", None),
                ("FormSummary", None),
                ("ParentReference", form.parent_reference),
                ("PaymentInformationE2B", None),
                ("PaymentInformationHTML", None),
            ],
        )
        + "</b:ArchivedFormBE>"
        for form in item.forms
    )
    body = (
        f"<a:ArchiveTaskList>{tasks}</a:ArchiveTaskList>"
        + (
            f"<a:ArchivedAttachmentList>{attachments}</a:ArchivedAttachmentList>"
            if attachments
            else "<a:ArchivedAttachmentList/>"
        )
        + el("a", "ArchivedDateTime", item.archived_at)
        + f'<a:ArchivedFormList xmlns:b="{NS_RA09}">{forms}</a:ArchivedFormList>'
        + "<a:ArchivedFormTaskSigningStepList/>"
        + members(
            "a",
            [
                ("ExternalServiceCode", item.service_code or None),
                ("ExternalServiceEditionCode", item.service_edition),
                ("InvoiceInformation", 0),
                ("LastChanged", item.last_changed),
            ],
        )
        + f'<a:PasswordEncryptedSymmetricKey i:nil="true" xmlns:b="{NS_KM}"/>'
        + members(
            "a", [("ReporteeElementID", item.archive_id), ("ReporteeID", state.party_id(item.reportee))]
        )
        + f'<a:SOEncryptedSymmetricdKey i:nil="true" xmlns:b="{NS_KM}"/>'
        + members("a", [("ServiceOwner", item.service_owner_code), ("ssnOrgNumber", item.reportee)])
    )
    return Result(NS_RA10, body)


def get_attachment_data(state, params: Params, ctx) -> Result:
    ctx_auth = auth.authenticate(state, params.auth())
    found = state.attachments.get(params.int("attachmentId"))
    if found is None or found[0].deleted:
        raise SoapFault(60016, F.ELEMENT_UNAVAILABLE, user_id=ctx_auth.person.user_id)
    item, att = found
    auth.authorize(state, ctx_auth, item.reportee)
    return Result(NS_REL10, attachment_xml("a", item, att))


def _correspondence_attachments(item: Item) -> str:
    if not item.attachments:
        return f'<a:CorrespondenceAttachments xmlns:b="{NS_REL10}"/>'
    inner = "".join(
        f"<b:AttachmentBEV2>{attachment_xml('b', item, att)}</b:AttachmentBEV2>" for att in item.attachments
    )
    return f'<a:CorrespondenceAttachments xmlns:b="{NS_REL10}">{inner}</a:CorrespondenceAttachments>'


def get_archived_correspondence(state, params: Params, ctx) -> Result:
    ctx_auth = auth.authenticate(state, params.auth())
    item = state.by_archive_id.get(params.int("archiveId"))
    item = _element_for(state, ctx_auth, item, kind=KIND_MESSAGE)
    body = (
        members(
            "a",
            [
                ("AllowForwarding", True),
                ("ArchiveCorrespondenceID", item.archive_id),
                ("ArchiveReference", None),
                ("CaseId", None),
                ("ConfirmationDate", item.confirmed_at),
                ("CorrespondenceSubject", item.title),
                ("CorrespondenceSummary", item.summary),
                ("CorrespondenceText", item.body),
                ("CorrespondenceTitle", item.title),
                ("CustomMessageData", item.custom_message_data),
                ("DateSent", item.archived_at),
                ("DueDate", item.due_date),
                ("ExternalSystemReference", item.external_reference),
                ("SentBy", item.sender),
                ("ServiceName", f"Melding fra {item.sender}"),
            ],
        )
        + _correspondence_attachments(item)
        + f'<a:CorrespondenceLinks xmlns:b="{NS_COR09}"/>'
    )
    return Result(NS_RA19, body)


# ------------------------------------------------------------------ Correspondence
def get_correspondence(state, params: Params, ctx) -> Result:
    ctx_auth = auth.authenticate(state, params.auth())
    item = state.by_element_id.get(params.int("reporteeElementID"))
    item = _element_for(state, ctx_auth, item, kind=KIND_MESSAGE)
    with state.lock:
        if item.archived:
            raise SoapFault(60019, F.ELEMENT_ARCHIVED, user_id=ctx_auth.person.user_id)
        if (
            item.status == MSG_CREATED
        ):  # reading through the API marks the message Read (cannot be suppressed)
            item.status = MSG_READ
            item.touch()
    party = state.party_id(item.reportee)
    correspondence = (
        "<a:Correspondence>"
        + members(
            "a",
            [
                ("AllowForwarding", True),
                ("ArchiveReference", None),
                ("AuthenticatedUser", None),
                ("CaseID", None),
                ("ConfirmationDate", item.confirmed_at),
                ("CorrespondenceID", item.reportee_element_id),
                ("CorrespondenceName", f"Melding fra {item.sender}"),
                ("CorrespondenceStatus", item.status),
                ("CorrespondenceSubject", item.title),
                ("CorrespondenceSummary", item.summary),
                ("CorrespondenceTitle", item.title),
                ("CorrespondenceTxt", item.body),
                ("CustomMessageData", item.custom_message_data),
                ("DateSent", item.created),
                ("Description", item.sender),
                ("DueDate", item.due_date),
                ("ExternalSystemReference", item.external_reference),
                ("Header", None),
                ("IsConfirmationNeeded", item.confirmation_needed),
                ("LanguageID", "NorwegianNO"),
                ("Reportee", party),
                ("SentBy", item.sender),
                ("SentTo", party),
                ("UserID", None),
            ],
        )
        + "</a:Correspondence>"
    )
    body = (
        correspondence
        + _correspondence_attachments(item)
        + f'<a:CorrespondenceLinks xmlns:b="{NS_COR09}"/>'
        + f'<a:CorrespondenceNotifications xmlns:b="{NS_NTF09}"/>'
    )
    return Result(NS_COR10, body)


# operation name -> handler; the schema decides which of them a service offers.
HANDLERS = {
    "GetAuthenticationChallenge": get_authentication_challenge,
    "GetReporteeElementListBasicV2": get_reportee_element_list,
    "GetFormSetDataBasic": get_form_set_data,
    "GetArchivedFormTaskBasicV2": get_archived_form_task,
    "GetAttachmentDataBasicV2": get_attachment_data,
    "GetArchivedCorrespondenceBasic": get_archived_correspondence,
    "GetCorrespondenceForEndUserSystemsBasicV2": get_correspondence,
}
