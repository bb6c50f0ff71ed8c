"""Safe, fast reading of Altinn 2 SOAP responses into ``models`` dataclasses.

zeep builds and sends the requests from our WSDL; responses are read here with lxml directly. Why: zeep's
object graph for a 10,000-row element list costs several times the HTTP transfer, and the results must leave
the client as plain dataclasses anyway. Members are looked up by local name (the contract fixes names and
order, while the namespaces of inferred services are configuration).

Parsing is safe: no network, no DTD loading, no entity substitution, and any document carrying a DOCTYPE is
rejected before its content is used.
"""

from __future__ import annotations

import base64
import binascii
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

from lxml import etree

from .. import errors
from ..transport import PinChallenge
from .faults import AltinnFault, to_error
from .models import (
    ArchivedAttachment,
    ArchivedForm,
    ArchivedFormTask,
    Attachment,
    Correspondence,
    CorrespondenceLink,
    FormSetData,
    ReporteeElement,
)

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
_ENVELOPE = f"{{{SOAP_ENV}}}Envelope"
_BODY = f"{{{SOAP_ENV}}}Body"
_FAULT = f"{{{SOAP_ENV}}}Fault"
_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
# Altinn stores DB times as Norwegian local time without offset.
ALTINN_TZ = ZoneInfo("Europe/Oslo")

_local = threading.local()


def _parser() -> etree.XMLParser:
    # lxml parsers must not be shared between threads.
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=True,
            remove_comments=True,
            remove_pis=True,
        )
        _local.parser = parser
    return parser


def safe_fromstring(content: bytes) -> etree._Element:
    """Parse XML bytes without network, DTD or entity expansion; raise ``MalformedResponse`` otherwise."""
    try:
        root = etree.fromstring(content, _parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise errors.MalformedResponse(f"not well-formed XML: {str(exc)[:200]}") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise errors.MalformedResponse("XML with a DOCTYPE is refused (entities/DTD are not allowed)")
    return root


def _local_name(tag) -> str:
    if not isinstance(tag, str):
        return ""
    return tag[tag.rfind("}") + 1 :]


def read_envelope(content: bytes, operation: str, status_code: int = 200) -> etree._Element | None:
    """The ``<OperationResult>`` element of a SOAP 1.1 response (None when nil/absent).

    Raises the typed error of a SOAP fault (any HTTP status), ``ServiceUnavailable`` for an HTTP error that is
    not SOAP (HTML error page), ``MalformedResponse`` for a 2xx answer that is not a usable SOAP envelope.
    """
    http_error = status_code >= 400 or status_code < 200
    if not content or not content.strip():
        if http_error:
            raise errors.ServiceUnavailable(f"{operation}: HTTP {status_code} without body")
        raise errors.MalformedResponse(f"{operation}: empty response")
    try:
        root = safe_fromstring(content)
    except errors.MalformedResponse:
        if http_error:
            raise errors.ServiceUnavailable(f"{operation}: HTTP {status_code}, not a SOAP response") from None
        raise
    if root.tag != _ENVELOPE:
        if http_error:
            raise errors.ServiceUnavailable(f"{operation}: HTTP {status_code}, not a SOAP response")
        raise errors.MalformedResponse(f"{operation}: not a SOAP 1.1 envelope ({_local_name(root.tag)})")
    body = root.find(_BODY)
    payload = (
        next((child for child in body if isinstance(child.tag, str)), None) if body is not None else None
    )
    if payload is None:
        if http_error:
            raise errors.ServiceUnavailable(f"{operation}: HTTP {status_code}, empty SOAP body")
        raise errors.MalformedResponse(f"{operation}: empty SOAP body")
    if payload.tag == _FAULT:
        fault = parse_fault(payload)
        err = to_error(fault, operation)
        err.fault = fault
        raise err
    if http_error:
        raise errors.ServiceUnavailable(f"{operation}: HTTP {status_code}")
    if _local_name(payload.tag) != operation + "Response":
        raise errors.MalformedResponse(f"{operation}: unexpected SOAP body {_local_name(payload.tag)}")
    result_name = operation + "Result"
    for child in payload:
        if _local_name(child.tag) == result_name:
            return None if child.get(_NIL) == "true" else child
    return None


def parse_fault(fault_el: etree._Element) -> AltinnFault:
    values: dict[str, str | None] = {}
    for child in fault_el:
        name = _local_name(child.tag)
        if name in ("faultcode", "faultstring"):
            values[name] = (child.text or "").strip() or None
        elif name == "detail":
            detail = next((c for c in child if _local_name(c.tag) == "AltinnFault"), None)
            if detail is not None:
                for member in detail:
                    values[_local_name(member.tag)] = (
                        None if member.get(_NIL) == "true" else (member.text or "")
                    )
    error_id = values.get("ErrorID")
    try:
        error_id = int(error_id) if error_id not in (None, "") else None
    except ValueError:
        error_id = None
    return AltinnFault(
        faultcode=values.get("faultcode"),
        faultstring=values.get("faultstring"),
        error_id=error_id,
        error_message=values.get("AltinnErrorMessage") or None,
        extended_message=values.get("AltinnExtendedErrorMessage") or None,
        localized_message=values.get("AltinnLocalizedErrorMessage") or None,
        error_guid=values.get("ErrorGuid") or None,
        user_guid=values.get("UserGuid") or None,
        user_id=values.get("UserId") or None,
    )


# -- value conversion --------


def _members(el: etree._Element) -> dict[str, etree._Element]:
    return {tag[tag.rfind("}") + 1 :]: child for child in el if isinstance(tag := child.tag, str)}


def _text(members: dict, name: str) -> str | None:
    el = members.get(name)
    if el is None or el.get(_NIL) == "true":
        return None
    return el.text or ""


def _int(members: dict, name: str) -> int | None:
    value = _text(members, name)
    return int(value) if value not in (None, "") else None


def _bool(members: dict, name: str) -> bool:
    return (_text(members, name) or "").strip() in ("true", "1")


def parse_datetime(value: str | None) -> datetime | None:
    """xs:dateTime → aware datetime (naive Altinn times are Europe/Oslo); WCF's MinValue → None."""
    if not value:
        return None
    value = value.strip()
    if value.startswith("0001-01-01"):
        return None
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    if "." in value:
        # .NET writes up to 7 fractional digits; Python reads at most 6.
        head, _, tail = value.partition(".")
        digits = len(tail) - len(tail.lstrip("0123456789"))
        value = f"{head}.{tail[:min(digits, 6)]:0<6}{tail[digits:]}"
    dt = datetime.fromisoformat(value)
    return dt if dt.tzinfo else dt.replace(tzinfo=ALTINN_TZ)


def _dt(members: dict, name: str) -> datetime | None:
    return parse_datetime(_text(members, name))


def _b64(members: dict, name: str) -> bytes | None:
    value = _text(members, name)
    if value is None:
        return None
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        raise errors.MalformedResponse(f"{name} is not valid base64") from None


def _items(container: etree._Element | None) -> list[etree._Element]:
    if container is None or container.get(_NIL) == "true":
        return []
    return [child for child in container if isinstance(child.tag, str) and child.get(_NIL) != "true"]


def _guard(operation: str, func, *args):
    try:
        return func(*args)
    except errors.AltinnError:
        raise
    except (ValueError, TypeError, AttributeError) as exc:
        raise errors.MalformedResponse(f"{operation}: unreadable value ({exc})") from None


# -- results --------


def parse_challenge(result: etree._Element | None) -> PinChallenge:
    if result is None:
        raise errors.MalformedResponse("GetAuthenticationChallenge: empty result")
    m = _members(result)
    return _guard(
        "GetAuthenticationChallenge",
        lambda: PinChallenge(
            status=_text(m, "Status") or "",
            message=_text(m, "Message") or "",
            valid_from=_dt(m, "ValidFrom"),
            valid_to=_dt(m, "ValidTo"),
        ),
    )


def _reportee_element(el: etree._Element, keep_raw: bool = False) -> ReporteeElement:
    m = _members(el)
    return ReporteeElement(
        reportee_element_id=_int(m, "ReporteeElementId") or 0,
        archive_id=_int(m, "ArchiveId") or None,
        archive_reference=_text(m, "ArchiveReference") or None,
        se_reportee_element_id=_int(m, "SEReporteeElementID") or 0,
        element_type=_text(m, "ReporteeElementType") or "",
        title=_text(m, "Title"),
        status=_text(m, "Status") or "",
        status_name=_text(m, "StatusName"),
        correspondence_status=_text(m, "CorrespondenceStatus") or "",
        last_changed=_dt(m, "LastChangedDate"),
        last_changed_by=_text(m, "LastChangedBy"),
        due_date=_dt(m, "DueDate"),
        service_code=_text(m, "ExternalServiceCode"),
        service_edition=_int(m, "ServiceEditionVersion"),
        service_owner_code=_text(m, "ServiceOwnerCode"),
        reportee_name=_text(m, "ReporteeName"),
        reportee_element_owner=_int(m, "ReporteeElementOwner"),
        case_id=_int(m, "CaseID"),
        raw=etree.tostring(el) if keep_raw else None,
    )


def parse_element_list(result: etree._Element | None, keep_raw: bool = False) -> list[ReporteeElement]:
    return _guard(
        "GetReporteeElementListBasicV2", lambda: [_reportee_element(el, keep_raw) for el in _items(result)]
    )


def parse_form_set_data(result: etree._Element | None) -> list[FormSetData]:
    def run():
        out = []
        for el in _items(result):
            m = _members(el)
            out.append(
                FormSetData(
                    form_id=_int(m, "FormID") or 0,
                    data_format_id=_text(m, "DataFormatID"),
                    data_format_version=_int(m, "DataFormatVersion"),
                    form_data=_text(m, "FormData"),
                )
            )
        return out

    return _guard("GetFormSetDataBasic", run)


def parse_archived_form_task(result: etree._Element | None) -> ArchivedFormTask:
    if result is None:
        raise errors.ElementNotFound("GetArchivedFormTaskBasicV2: Altinn returned no form task")

    def run():
        m = _members(result)
        forms = []
        for el in _items(m.get("ArchivedFormList")):
            f = _members(el)
            forms.append(
                ArchivedForm(
                    form_id=_int(f, "FormID") or 0,
                    form_name=_text(f, "FormName"),
                    data_format_id=_text(f, "DataFormatId"),
                    data_format_version=_int(f, "DataFormatVersion"),
                    form_data_xml=_text(f, "FormDataXML"),
                    parent_reference=_int(f, "ParentReference") or 0,
                )
            )
        attachments = []
        for el in _items(m.get("ArchivedAttachmentList")):
            a = _members(el)
            attachments.append(
                ArchivedAttachment(
                    attachment_id=_int(a, "AttachmentID") or 0,
                    name=_text(a, "AttachmentName"),
                    mime_type_name=_text(a, "MimeTypeName"),
                    function_type=_text(a, "AttachmentFunctionType"),
                    created=_dt(a, "CreatedDateTime"),
                    is_encrypted=_bool(a, "IsEncrypted"),
                    is_added_after_form_fillin=_bool(a, "IsAddedAfterFormFillin"),
                )
            )
        return ArchivedFormTask(
            reportee_element_id=_int(m, "ReporteeElementID") or 0,
            reportee_id=_int(m, "ReporteeID"),
            archived=_dt(m, "ArchivedDateTime"),
            last_changed=_dt(m, "LastChanged"),
            service_code=_text(m, "ExternalServiceCode"),
            service_edition=_int(m, "ExternalServiceEditionCode"),
            service_owner=_text(m, "ServiceOwner"),
            ssn_org_number=_text(m, "ssnOrgNumber"),
            forms=forms,
            attachments=attachments,
        )

    return _guard("GetArchivedFormTaskBasicV2", run)


def _attachment(el: etree._Element) -> Attachment:
    m = _members(el)
    return Attachment(
        attachment_id=_int(m, "AttachmentID") or 0,
        name=_text(m, "AttachmentName"),
        file_name=_text(m, "FileName"),
        attachment_type=_text(m, "AttachmentTypeID"),
        function_type=_text(m, "AttachmentFunctionTypeID"),
        data=_b64(m, "AttachmentData"),
        created=_dt(m, "CreatedDateTime"),
        is_encrypted=_bool(m, "IsEncrypted"),
        reportee_element_id=_int(m, "ReporteeElementID"),
        senders_reference=_text(m, "SendersReference"),
    )


def parse_attachment(result: etree._Element | None) -> Attachment:
    if result is None:
        raise errors.ElementNotFound("GetAttachmentDataBasicV2: Altinn returned no attachment")
    return _guard("GetAttachmentDataBasicV2", _attachment, result)


def _links(container) -> list[CorrespondenceLink]:
    out = []
    for el in _items(container):
        m = _members(el)
        out.append(
            CorrespondenceLink(
                text=_text(m, "LinkText"), link_type=_text(m, "LinkType"), url=_text(m, "LinkURL")
            )
        )
    return out


def parse_correspondence(result: etree._Element | None) -> Correspondence:
    """GetCorrespondenceForEndUserSystemsBasicV2 → CorrespondenceForEndUserSystemV2."""
    operation = "GetCorrespondenceForEndUserSystemsBasicV2"
    if result is None:
        raise errors.ElementNotFound(f"{operation}: Altinn returned no message")

    def run():
        outer = _members(result)
        corr = outer.get("Correspondence")
        if corr is None or corr.get(_NIL) == "true":
            raise errors.ElementNotFound(f"{operation}: Altinn returned no message")
        m = _members(corr)
        return Correspondence(
            correspondence_id=_int(m, "CorrespondenceID") or 0,
            archived=False,
            archive_reference=_text(m, "ArchiveReference") or None,
            title=_text(m, "CorrespondenceTitle"),
            subject=_text(m, "CorrespondenceSubject"),
            summary=_text(m, "CorrespondenceSummary"),
            body=_text(m, "CorrespondenceTxt"),
            custom_message_data=_text(m, "CustomMessageData"),
            sender=_text(m, "Description") or _text(m, "SentBy"),
            service_name=_text(m, "CorrespondenceName"),
            status=_text(m, "CorrespondenceStatus"),
            date_sent=_dt(m, "DateSent"),
            due_date=_dt(m, "DueDate"),
            confirmation_date=_dt(m, "ConfirmationDate"),
            external_system_reference=_text(m, "ExternalSystemReference"),
            attachments=[_attachment(a) for a in _items(outer.get("CorrespondenceAttachments"))],
            links=_links(outer.get("CorrespondenceLinks")),
        )

    return _guard(operation, run)


def parse_archived_correspondence(result: etree._Element | None) -> Correspondence:
    operation = "GetArchivedCorrespondenceBasic"
    if result is None:
        raise errors.ElementNotFound(f"{operation}: Altinn returned no message")

    def run():
        m = _members(result)
        return Correspondence(
            correspondence_id=_int(m, "ArchiveCorrespondenceID") or 0,
            archived=True,
            archive_reference=_text(m, "ArchiveReference") or None,
            title=_text(m, "CorrespondenceTitle"),
            subject=_text(m, "CorrespondenceSubject"),
            summary=_text(m, "CorrespondenceSummary"),
            body=_text(m, "CorrespondenceText"),
            custom_message_data=_text(m, "CustomMessageData"),
            sender=_text(m, "SentBy"),
            service_name=_text(m, "ServiceName"),
            status=None,
            date_sent=_dt(m, "DateSent"),
            due_date=_dt(m, "DueDate"),
            confirmation_date=_dt(m, "ConfirmationDate"),
            external_system_reference=_text(m, "ExternalSystemReference"),
            attachments=[_attachment(a) for a in _items(m.get("CorrespondenceAttachments"))],
            links=_links(m.get("CorrespondenceLinks")),
        )

    return _guard(operation, run)
