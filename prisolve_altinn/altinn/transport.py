"""The one interface the ORM uses to reach Altinn, whatever the transport.

``res.company._altinn_transport()`` builds one of these per company and batch
(the seam Odoo tests replace). Implementations: ``soap.transport.Altinn2Transport``
(SMS code), ``altinn3.transport.Altinn3Transport`` (system user, unattended),
``upload.UploadTransport`` (files uploaded by hand).
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from .types import AltinnItem, FetchFailure, UserCredentials

_logger = logging.getLogger(__name__)


class NotSupported(NotImplementedError):
    """The transport cannot do this (its ``can_*`` flag is False): ask the flag before calling."""


@dataclass
class PinChallenge:
    """Altinn's answer to "send me a code": status, text and the session window."""

    status: str  # "Ok", "NoPhoneNumber", …
    message: str
    valid_from: datetime | None = None
    valid_to: datetime | None = None


class Transport(ABC):
    """What every transport does (``fetch``, ``close``) and, with a documented default, what only some can
    (``can_*`` flags, ``search_together``, ``set_deadline``): callers never probe with ``getattr``.

    Usable as a context manager: ``with company._altinn_transport() as transport:`` closes it at the end
    (``close_quietly``: a failing close is logged, it never hides the block's own error).
    """

    #: True when a person must be present (SMS code); crons skip such transports.
    needs_person = False
    name = "abstract"
    #: ``fetch_item`` reads one item again by its ledger reference (Altinn 3).
    can_fetch_item = False
    #: ``mark_seen`` marks an item read in Altinn (Altinn 3 Correspondence).
    can_mark_seen = False

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
        """Where the next fetch of ``reportee`` may start (naive UTC), when the transport knows better than
        the period it was asked for (Altinn 3 stays before a dialog it could not read); None otherwise."""
        return None

    def fetch_item(self, reportee: str, reference: str) -> AltinnItem | FetchFailure:
        """Read one item of ``reportee`` again by its ledger reference (its ``missing_files`` of an earlier
        fetch); reportee-wide errors raise as in ``fetch``. Only when ``can_fetch_item``.

        :raises NotSupported: the transport cannot (the default)
        """
        raise NotSupported(f"The {self.name} transport cannot read an item again")

    def mark_seen(self, item: AltinnItem) -> bool:
        """Mark ``item`` read in Altinn; True when there was something to mark (False: nothing to do for
        this item, e.g. a dialog that is no Correspondence message). Only when ``can_mark_seen``.

        :raises NotSupported: the transport cannot (the default)
        """
        raise NotSupported(f"The {self.name} transport cannot mark items read in Altinn")

    def search_together(self, windows: dict) -> None:  # noqa: B027 - optional hook
        """The reportees about to be fetched ({reportee: (since, until)}, as ``fetch`` gets them), so a
        transport that can list several reportees at once does it once for them. Default: nothing (each
        ``fetch`` lists its own)."""

    def set_deadline(self, hard_at: float | None) -> None:  # noqa: B027 - optional hook
        """No network call of this transport may run past ``hard_at`` (``time.monotonic()``; None: no
        limit): no request starts after it, no retry waits past it. Default: nothing (the transport's own
        timeouts bound each call)."""

    def close(self) -> None:  # noqa: B027 - optional hook, most transports hold nothing
        """Release sessions; called at the end of a batch."""

    def close_quietly(self) -> None:
        """``close``, for the end of a batch or a ``finally``: a failure is logged, never raised (it must
        not hide the error being handled nor undo the work done)."""
        try:
            self.close()
        except Exception:
            _logger.warning("Closing the Altinn transport %s failed", self.name, exc_info=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close_quietly()
