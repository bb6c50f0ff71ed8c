"""Plain data objects shared by every transport, the parsers and the ORM."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

KIND_FORM = "form"
KIND_MESSAGE = "message"

# Roles of a file inside an item: what the parsers look at first.
ROLE_FORM_DATA = "form_data"  # the main form XML (escaped FormData/FormDataXML)
ROLE_ATTACHMENT = "attachment"  # binary attachment (PDF, XML, JSON…)
ROLE_BODY = "body"  # message body text/HTML

# Why a file of an item could not be read (``MissingFile.reason``).
MISSING_UNAUTHORIZED = "unauthorized"  # Altinn says the system user may not open it
MISSING_REFUSED = "refused"  # the file's host refused it (4xx): retrying alone will not help
MISSING_UNAVAILABLE = "unavailable"  # the file's host did not answer (5xx, timeout): retry later


@dataclass(frozen=True)
class AltinnFile:
    name: str
    mimetype: str
    data: bytes
    role: str = ROLE_ATTACHMENT

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class MissingFile:
    """A file an item points to that could not be read (the rest of the item was)."""

    name: str
    reason: str  # MISSING_*
    error: Exception | None = None  # an ``errors.AltinnError`` with the person-facing text


# Service owners by their Altinn code (Altinn 2's ServiceOwnerCode "SKD", Altinn 3's org "skd"): an item's
# sender is the name a person knows, whichever transport brought it.
SERVICE_OWNERS = {
    "skd": "Skatteetaten",
    "brg": "Brønnøysundregistrene",
    "nav": "NAV",
    "ssb": "Statistisk sentralbyrå",
    "digdir": "Digitaliseringsdirektoratet",
}


def service_owner_name(code: str | None) -> str | None:
    """The service owner's name for its Altinn code; an unknown code (or a name already) as it is."""
    if not code:
        return None
    return SERVICE_OWNERS.get(str(code).strip().lower(), code)


@dataclass
class AltinnItem:
    """One Altinn item (form set or message) as any transport delivers it.

    ``reference`` is stable across fetches and unique per reportee; it is
    the ledger's key together with the company. Times are timezone-aware
    (a naive time is read as Europe/Oslo, Altinn 2's database time).
    """

    reference: str
    kind: str
    reportee: str
    title: str
    transport: str  # "altinn2" | "altinn3" | "upload"
    service_code: str | None = None
    service_edition: int | None = None
    sender: str | None = None
    created: datetime | None = None
    archived: datetime | None = None
    due_date: date | None = None
    files: list[AltinnFile] = field(default_factory=list)
    raw: bytes | None = None  # the remote description of the item (XML/JSON), kept for support
    # Altinn's archive reference ("AR5276128") of an archived item: what Altinn's UI and support show.
    archive_reference: str | None = None
    # Files the item points to that could not be read now; ``Transport.fetch_item`` reads it again.
    missing_files: list[MissingFile] = field(default_factory=list)
    # Other ledger references of the same item (the Altinn 2 reference of a migrated Altinn 3 item).
    aliases: tuple[str, ...] = ()
    # A form the reportee has not submitted: Altinn 2's active form set (FillIn, SignIn, ...; a sent form is
    # archived), an Altinn 3 app dialog InProgress or Draft (Dialogporten's DialogStatus: "form filling is
    # ongoing" / "not yet sent"). Its figures are a draft, never a return.
    unsent: bool = False


@dataclass
class FetchFailure:
    """An item that was listed but could not be downloaded: the batch goes on."""

    reference: str
    title: str
    error: Exception


@dataclass
class UserCredentials:
    """The person's secrets, alive only for one wizard action; never stored."""

    username: str  # fødselsnummer or Altinn username
    password: str
    pin_code: str = ""
    auth_method: str = "SMSPin"

    def __repr__(self) -> str:  # keep secrets out of tracebacks and logs
        return "UserCredentials(<hidden>)"

    __str__ = __repr__
