"""Plain results of the Altinn 2 SOAP client (never zeep objects)."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from datetime import datetime

# Altinn's AttachmentType enum → MIME type.
ATTACHMENT_TYPE_MIME = {
    "application_pdf": "application/pdf",
    "application_msword": "application/msword",
    "application_vnd_ms_excel": "application/vnd.ms-excel",
    "application_vnd_oasis_opendocument_text": "application/vnd.oasis.opendocument.text",
    "application_vnd_oasis_opendocument_presentation": "application/vnd.oasis.opendocument.presentation",
    "application_vnd_oasis_opendocument_spreadsheet": "application/vnd.oasis.opendocument.spreadsheet",
    "application_rtf": "application/rtf",
    "application_vnd_ms_powerpoint": "application/vnd.ms-powerpoint",
    "application_postscript": "application/postscript",
    "application_zip": "application/zip",
    "text_plain": "text/plain",
    "text_html": "text/html",
    "text_xml": "text/xml",
    "text_rtf": "text/rtf",
    "text_richtext": "text/richtext",
    "image_jpeg": "image/jpeg",
    "image_gif": "image/gif",
    "image_bmp": "image/bmp",
}


def guess_mimetype(attachment_type: str | None, *names: str | None) -> str:
    """MIME type from Altinn's enum, else from a file name, else octet-stream."""
    mime = ATTACHMENT_TYPE_MIME.get(attachment_type or "")
    if mime:
        return mime
    for name in names:
        if name:
            guessed = mimetypes.guess_type(name)[0]
            if guessed:
                return guessed
    return "application/octet-stream"


@dataclass(frozen=True)
class ReporteeElement:
    """One row of GetReporteeElementListBasicV2 (ReporteeElementBEV2)."""

    reportee_element_id: int  # active id; 0 when archived
    archive_id: int | None  # set only when archived
    archive_reference: str | None
    se_reportee_element_id: int  # former active id of an archived element; 0 when active
    element_type: str  # FormTask, Correspondence, …
    title: str | None
    status: str
    status_name: str | None
    correspondence_status: str
    last_changed: datetime | None
    last_changed_by: str | None
    due_date: datetime | None
    service_code: str | None
    service_edition: int | None
    service_owner_code: str | None
    reportee_name: str | None
    reportee_element_owner: int | None
    case_id: int | None = None
    raw: bytes | None = field(default=None, repr=False, compare=False)  # the ReporteeElementBEV2 XML

    @property
    def is_archived(self) -> bool:
        return bool(self.archive_id)

    @property
    def stable_id(self) -> int:
        """The ServiceEngine id, the same before and after archiving (0 when unknown)."""
        return self.reportee_element_id or self.se_reportee_element_id


@dataclass(frozen=True)
class FormSetData:
    """One form of an active form set (GetFormSetDataBasic → FormSetDataBE)."""

    form_id: int
    data_format_id: str | None
    data_format_version: int | None
    form_data: str | None  # the form XML (un-escaped text)


@dataclass(frozen=True)
class ArchivedForm:
    form_id: int
    form_name: str | None
    data_format_id: str | None
    data_format_version: int | None
    form_data_xml: str | None
    parent_reference: int  # 0 = main form

    @property
    def is_main_form(self) -> bool:
        return not self.parent_reference


@dataclass(frozen=True)
class ArchivedAttachment:
    """Attachment metadata of an archived form task; bytes via GetAttachmentDataBasicV2."""

    attachment_id: int
    name: str | None
    mime_type_name: str | None  # Altinn's AttachmentType enum
    function_type: str | None
    created: datetime | None
    is_encrypted: bool
    is_added_after_form_fillin: bool

    @property
    def mimetype(self) -> str:
        return guess_mimetype(self.mime_type_name, self.name)


@dataclass(frozen=True)
class ArchivedFormTask:
    """GetArchivedFormTaskBasicV2 → ArchivedFormTaskV2."""

    reportee_element_id: int  # archive-side id
    reportee_id: int | None
    archived: datetime | None
    last_changed: datetime | None
    service_code: str | None
    service_edition: int | None
    service_owner: str | None
    ssn_org_number: str | None
    forms: list[ArchivedForm] = field(default_factory=list)
    attachments: list[ArchivedAttachment] = field(default_factory=list)


@dataclass(frozen=True)
class Attachment:
    """AttachmentBEV2: an attachment with its bytes (archive download or inline in a message)."""

    attachment_id: int
    name: str | None
    file_name: str | None
    attachment_type: str | None  # Altinn's AttachmentType enum
    function_type: str | None
    data: bytes | None
    created: datetime | None
    is_encrypted: bool
    reportee_element_id: int | None
    senders_reference: str | None = None

    @property
    def mimetype(self) -> str:
        return guess_mimetype(self.attachment_type, self.file_name, self.name)

    @property
    def display_name(self) -> str:
        return self.file_name or self.name or f"attachment-{self.attachment_id}"


@dataclass(frozen=True)
class CorrespondenceLink:
    text: str | None
    link_type: str | None
    url: str | None


@dataclass(frozen=True)
class Correspondence:
    """An Altinn message: active (CorrespondenceForEndUserSystemV2) or archived (ArchivedCorrespondence)."""

    correspondence_id: int  # CorrespondenceID (active) or ArchiveCorrespondenceID (archived)
    archived: bool
    archive_reference: str | None
    title: str | None
    subject: str | None
    summary: str | None
    body: str | None  # CorrespondenceTxt / CorrespondenceText
    custom_message_data: str | None
    sender: str | None  # SentBy (archived) / Description or SentBy (active)
    service_name: str | None
    status: str | None  # active only
    date_sent: datetime | None
    due_date: datetime | None
    confirmation_date: datetime | None
    external_system_reference: str | None
    attachments: list[Attachment] = field(default_factory=list)
    links: list[CorrespondenceLink] = field(default_factory=list)
