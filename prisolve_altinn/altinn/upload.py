"""Files uploaded by hand as a ``Transport``: the same recording and booking as items from Altinn."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import datetime, timezone

from .transport import Transport
from .types import KIND_MESSAGE, AltinnFile, AltinnItem, FetchFailure, UserCredentials

REFERENCE_PREFIX = "upload:"


def upload_reference(file: AltinnFile) -> str:
    """The content is the identity: the same file uploaded again is the same item."""
    return REFERENCE_PREFIX + hashlib.sha256(file.data).hexdigest()[:40]


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
