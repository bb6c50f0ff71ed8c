"""The one interface the ORM uses to reach Altinn, whatever the transport.

``res.company._altinn_transport()`` builds one of these per company and batch
(the seam Odoo tests replace). Implementations: ``soap.transport.Altinn2Transport``
(SMS code), ``altinn3.transport.Altinn3Transport`` (system user, unattended).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from .types import AltinnItem, FetchFailure, UserCredentials


@dataclass
class PinChallenge:
    """Altinn's answer to "send me a code": status, text and the session window."""

    status: str  # "Ok", "NoPhoneNumber", …
    message: str
    valid_from: datetime | None = None
    valid_to: datetime | None = None


class Transport(ABC):
    #: True when a person must be present (SMS code); crons skip such transports.
    needs_person = False
    name = "abstract"

    def request_pin(self, credentials: UserCredentials) -> PinChallenge:
        raise NotImplementedError

    @abstractmethod
    def fetch(
        self,
        reportee: str,
        since: datetime,
        until: datetime,
        credentials: UserCredentials | None = None,
        known: Callable[[str], bool] | None = None,
    ) -> Iterator[AltinnItem | FetchFailure]:
        """Yield every item of ``reportee`` changed in [since, until].

        Authentication/authorisation errors for the whole reportee raise an
        ``errors.AltinnError``; a single item that cannot be downloaded is
        yielded as ``FetchFailure`` so the batch goes on. An item whose reference
        ``known`` accepts (the caller already has it complete) may be yielded as
        listed, without files: its content is not downloaded again.
        """

    def sync_marker(self, reportee: str) -> datetime | None:
        """Where the next ``fetch`` of ``reportee`` may start (naive UTC), or None when the transport
        keeps no marker (the caller then uses its own ``until``)."""
        return None

    def close(self) -> None:  # noqa: B027 - optional hook, most transports hold nothing
        """Release sessions; called at the end of a batch."""
