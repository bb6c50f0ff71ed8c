"""Files uploaded by hand: what an upload holds (``upload_files``) and a ``Transport`` that records them.

``upload_files`` is the one way from the uploaded bytes to ``AltinnFile`` objects (the wizard calls it; the
no-Odoo suite fuzzes it): a zip is unpacked within bounds, every member sniffed, and anything damaged or
too large ends in a typed ``errors.UploadRefused``, never in zipfile's, zlib's or lzma's own exception.
"""

from __future__ import annotations

import hashlib
import io
import logging
import mimetypes
import re
import struct
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime, timezone

from . import errors
from .transport import Transport
from .types import KIND_MESSAGE, ROLE_ATTACHMENT, AltinnFile, AltinnItem, FetchFailure, UserCredentials

_logger = logging.getLogger(__name__)

REFERENCE_PREFIX = "upload:"
MAX_FILES = 200
MAX_TOTAL_BYTES = 50 * 1024 * 1024  # unpacked: a zip bomb stops here
MAX_NAME_CHARS = 200
_TYPES = {".xml": "application/xml", ".json": "application/json", ".pdf": "application/pdf"}
# NUL, other control characters and lone surrogates: PostgreSQL refuses some, a file name needs none.
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_EOCD = b"PK\x05\x06"


def upload_reference(file: AltinnFile) -> str:
    """The content is the identity: the same file uploaded again is the same item."""
    return REFERENCE_PREFIX + hashlib.sha256(file.data).hexdigest()[:40]


def clean_name(name: str | None) -> str:
    """A file name as it may be stored: no control characters, at most MAX_NAME_CHARS characters."""
    name = _BAD_NAME.sub("_", name or "").strip()
    return name[-MAX_NAME_CHARS:] or "upload"


def sniff(name: str, data: bytes) -> str | None:
    """The mimetype of an accepted file (XML, JSON, PDF), else None."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:5]
    if head.startswith(b"%PDF"):
        return "application/pdf"
    if head.startswith(b"<"):
        return "application/xml"
    if head[:1] in (b"{", b"["):
        return "application/json"
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix in _TYPES:  # declared type with odd content: the parsers say what is wrong with it
        return _TYPES[suffix]
    if data[:2] == b"\xff\xfe" or data[:2] == b"\xfe\xff":  # UTF-16 XML/JSON
        return mimetypes.guess_type(name)[0] or "application/xml"
    return None


def upload_files(name: str | None, data: bytes) -> list[AltinnFile]:
    """The uploaded file, or the members of an uploaded zip, as ``AltinnFile`` objects.

    Raises ``errors.UploadRefused`` (a subclass) for an empty, unknown, damaged or too large upload."""
    name = clean_name(name)
    if not data:
        raise errors.UploadEmpty(name)
    if data[:4] == b"PK\x03\x04" or name.lower().endswith(".zip"):
        return unzip(name, data)
    mimetype = sniff(name, data)
    if not mimetype:
        raise errors.UploadRefused(name)
    return [AltinnFile(name=name, mimetype=mimetype, data=data, role=ROLE_ATTACHMENT)]


def _declared_entries(data: bytes) -> int | None:
    """The number of entries the zip's end record declares (read before zipfile builds one object per
    entry), or None when there is no plain end record (zipfile then decides)."""
    tail = data[-(65535 + 22) :]
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) < at + 22:
        return None
    count = struct.unpack("<H", tail[at + 10 : at + 12])[0]
    return None if count == 0xFFFF else count  # 0xFFFF: a zip64 record holds the real count


def unzip(name: str, data: bytes) -> list[AltinnFile]:
    """The XML, JSON and PDF members of a zip, within MAX_FILES and MAX_TOTAL_BYTES unpacked."""
    declared = _declared_entries(data)
    if declared is not None and declared > MAX_FILES * 5:  # directories and __MACOSX entries count too
        raise errors.ZipTooManyFiles(name, f"{declared} entries", max=MAX_FILES)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except Exception as exc:  # a damaged zip raises what its damage makes zipfile raise
        raise errors.ZipDamaged(name, f"{type(exc).__name__}: {exc}"[:300]) from None
    members = [
        info
        for info in infos
        if not info.is_dir()
        and not info.filename.startswith("__MACOSX/")
        and not info.filename.split("/")[-1].startswith(".")
    ]
    if len(members) > MAX_FILES:
        raise errors.ZipTooManyFiles(name, f"{len(members)} files", max=MAX_FILES)
    if sum(info.file_size for info in members) > MAX_TOTAL_BYTES:
        raise errors.ZipTooLarge(name, "declared sizes", max=MAX_TOTAL_BYTES // 2**20)
    files, skipped = [], []
    total = 0
    for info in members:
        member_name = clean_name(info.filename.split("/")[-1])
        try:
            with archive.open(info) as member:
                # never more than what is left of the budget, whatever the member's header says
                content = member.read(MAX_TOTAL_BYTES - total + 1)
        except Exception as exc:  # zlib.error, LZMAError, EOFError, BadZipFile, CRC errors…
            raise errors.ZipMemberDamaged(
                name, f"{type(exc).__name__}: {exc}"[:300], member=clean_name(info.filename)
            ) from None
        total += len(content)
        if total > MAX_TOTAL_BYTES:
            raise errors.ZipTooLarge(name, "unpacked", max=MAX_TOTAL_BYTES // 2**20)
        mimetype = sniff(member_name, content) if content.strip() else None
        if not mimetype:
            skipped.append(clean_name(info.filename))
            continue
        files.append(AltinnFile(name=member_name, mimetype=mimetype, data=content, role=ROLE_ATTACHMENT))
    if not files:
        raise errors.ZipWithoutDocuments(name)
    if skipped:
        _logger.info("Upload %s: skipped %s", name, ", ".join(skipped))
    return files


class UploadTransport(Transport):
    """One item per uploaded file; nothing is fetched over the network."""

    name = "upload"

    def __init__(self, files: list[AltinnFile], reportee: str = "", now: datetime | None = None):
        self.files = list(files)
        self.reportee = reportee
        self.now = now or datetime.now(timezone.utc)

    def fetch(
        self,
        reportee: str,
        since: datetime | None = None,
        until: datetime | None = None,
        credentials: UserCredentials | None = None,
        known: Callable[[str], bool] | None = None,
    ) -> Iterator[AltinnItem | FetchFailure]:
        for file in self.files:
            yield AltinnItem(
                reference=upload_reference(file),
                kind=KIND_MESSAGE,
                reportee=reportee or self.reportee,
                title=file.name,
                transport="upload",
                created=self.now,
                files=[file],
            )
