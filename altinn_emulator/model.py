"""Emulator state objects. Items are transport-neutral: Altinn 2 SOAP serves them as reportee
elements; an Altinn 3 plug-in can serve the very same objects as Dialogporten dialogs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

KIND_FORM = "form"
KIND_MESSAGE = "message"

# Correspondence states (CorrespondenceStatusTypeV2 names).
MSG_CREATED = "Created"
MSG_READ = "Read"
MSG_CONFIRMED = "Confirmed"
MSG_ARCHIVED = "Archived"


@dataclass
class Organisation:
    orgnr: str
    name: str
    party_id: int


@dataclass
class Datasystem:
    """An Altinn 2 "datasystem" (system ID + password) registered by ``owner``.

    It may act for its owner and for every company in ``clients`` (companies that delegated rights to
    the owner, e.g. an accounting firm's client companies)."""

    system_id: str
    password: str
    owner: str
    clients: set[str] = field(default_factory=set)
    name: str = ""

    def reportees(self) -> set[str]:
        return {self.owner} | set(self.clients)


@dataclass
class Person:
    fnr: str
    username: str | None
    password: str
    name: str
    user_id: int
    party_id: int
    mobile: str | None = None
    rights: set[str] = field(default_factory=set)  # reportees (org numbers / fnr) the person may read
    allow_system_access: bool = False  # username + personal password work as a datasystem
    pin_letter_date: date | None = None
    pin_letter: dict[int, str] = field(default_factory=dict)  # AltinnPin: code number -> code
    next_pin_index: int = 1
    failed_attempts: int = 0
    locked_until: datetime | None = None


@dataclass
class PinSession:
    """One authentication challenge and the session it opens once the code is used."""

    person_fnr: str
    auth_method: str  # SMSPin | AltinnPin
    code: str
    valid_from: datetime
    valid_to: datetime
    cap: datetime  # ValidFrom + 8 h
    system: str | None = None
    pin_index: int | None = None
    uses: int = 0


@dataclass
class SmsMessage:
    person_fnr: str
    to: str
    code: str
    text: str
    sent_at: datetime
    valid_to: datetime
    system: str | None = None


@dataclass
class Attachment:
    attachment_id: int
    name: str
    filename: str
    mimetype: str
    data: bytes
    created: datetime
    function_type: str = "Unspecified"  # Unspecified | Invoice
    added_after_fillin: bool = False
    senders_reference: str | None = None


@dataclass
class Form:
    form_id: int
    name: str
    data_format_id: str
    data_format_version: int
    xml: str
    parent_reference: int = 0  # 0 = main form


@dataclass
class Item:
    """A form set or a message in a reportee's inbox/archive."""

    uuid: str
    kind: str  # KIND_FORM | KIND_MESSAGE
    reportee: str
    title: str
    created: datetime
    last_changed: datetime
    sender: str = "Skatteetaten"
    sender_en: str = "Norwegian Tax Administration"
    service_owner_code: str = "SKD"
    service_code: str = ""
    service_edition: int = 1
    summary: str | None = None
    body: str | None = None
    due_date: datetime | None = None
    archived_at: datetime | None = None
    status: str = MSG_CREATED  # messages: correspondence status; forms: FillIn | Archive
    confirmation_needed: bool = False
    confirmed_at: datetime | None = None
    deleted: bool = False
    custom_message_data: str | None = None
    external_reference: str | None = None
    document_type: str = "custom"
    forms: list[Form] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    meta: dict = field(default_factory=dict)  # facts used to generate the payloads (amounts, KIDs…)
    # Altinn 2 ids, assigned by State.add_item.
    reportee_element_id: int = 0  # ServiceEngine id (kept after archiving: SEReporteeElementID)
    archive_id: int | None = None
    version: int = 0  # bumped on every change; invalidates cached serialisations

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    @property
    def reference(self) -> str:
        """Stable per-reportee reference (what the product stores in its ledger)."""
        return f"AR{self.archive_id}" if self.archived else f"RE{self.reportee_element_id}"

    def touch(self) -> None:
        self.version += 1

    def summary_dict(self) -> dict:
        return {
            "uuid": self.uuid,
            "kind": self.kind,
            "reportee": self.reportee,
            "title": self.title,
            "document_type": self.document_type,
            "service_code": self.service_code,
            "service_edition": self.service_edition,
            "sender": self.sender,
            "created": self.created.isoformat(),
            "last_changed": self.last_changed.isoformat(),
            "archived_at": self.archived_at.isoformat() if self.archived_at else None,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "status": self.status,
            "deleted": self.deleted,
            "reportee_element_id": self.reportee_element_id,
            "archive_id": self.archive_id,
            "forms": [
                {
                    "form_id": f.form_id,
                    "name": f.name,
                    "data_format_id": f.data_format_id,
                    "data_format_version": f.data_format_version,
                }
                for f in self.forms
            ],
            "attachments": [
                {
                    "attachment_id": a.attachment_id,
                    "name": a.name,
                    "filename": a.filename,
                    "mimetype": a.mimetype,
                    "size": len(a.data),
                }
                for a in self.attachments
            ],
            "meta": self.meta,
        }
