"""``Altinn3Transport``: unattended import through a system user (no person, no SMS code).

Per reportee: check the system user may act for it (Dialogporten ``/parties``), search dialogs whose
content changed since the last sync (oldest first, continuation tokens), read each dialog, its
Correspondence message and attachments, and yield ``AltinnItem`` objects. Reportee-wide problems
raise typed errors; a single dialog that cannot be read is yielded as ``FetchFailure``; a dialog read
in part is an ``AltinnItem`` with ``missing_files`` (``fetch_item`` reads it again later).

One transport may serve a bounded pool of threads, each fetching a different reportee: the token
cache, the HTTP sessions (one per thread), the parties and the per-reportee markers are thread-safe.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone

from .. import errors
from ..transport import Transport
from ..types import AltinnItem, FetchFailure, UserCredentials
from .clients import ClientParty
from .config import Altinn3Settings, make_tokens
from .correspondence import CorrespondenceClient
from .dialogporten import MAX_PARTIES, DialogportenClient, parse_time, party_id_of
from .exchange import SystemUserTokens
from .items import DialogReader, localized, reference_for

_logger = logging.getLogger(__name__)

#: Errors that concern the whole reportee (or Altinn itself): stop, the next run starts over.
REPORTEE_WIDE = (
    errors.SystemUserNotApproved,
    errors.InvalidClientKey,
    errors.ClockSkew,
    errors.ScopeNotGranted,
    errors.TokenRejected,
    errors.ServiceUnavailable,
    errors.ConfigurationError,
)


class Altinn3Transport(Transport):
    name = "altinn3"
    needs_person = False
    can_fetch_item = True
    can_mark_seen = True

    def __init__(
        self,
        settings: Altinn3Settings | None = None,
        *,
        tokens: SystemUserTokens | None = None,
        agent: bool | None = None,
        mark_seen: bool = False,
        overlap: timedelta = timedelta(minutes=5),
        page_size: int = 200,
        **client_kwargs,
    ):
        """:param mark_seen: also mark Correspondence messages as read in Altinn, after the consumer
                             has taken each item (default off: the inbox stays as the customer left it)
        :param overlap: re-read this much before ``since`` (Dialogporten indexes changes with a lag)
        :param client_kwargs: ``http``, ``cache``, ``clock`` for ``make_tokens``
        """
        if tokens is None:
            if settings is None:
                raise ValueError("Altinn3Transport needs settings or tokens")
            tokens = make_tokens(settings, **client_kwargs)
        self.settings = settings
        self.tokens = tokens
        self.agent = settings.agent if (agent is None and settings is not None) else bool(agent)
        self.mark_seen_enabled = mark_seen
        self.overlap = overlap
        self.page_size = page_size
        self.dialogporten = DialogportenClient(tokens)
        self.correspondence = CorrespondenceClient(tokens)
        self.reader = DialogReader(self.dialogporten, self.correspondence)
        self._lock = threading.Lock()
        self._parties: dict[str, dict] | None = None
        self._parties_lock = threading.Lock()
        self._markers: dict[str, datetime] = {}
        self._correspondence_of: dict[str, str] = {}
        self._groups: dict[str, _PartyGroup] = {}  # reportee -> its group's one search (search_together)

    # -- parties ------------------------------------------------------------------------------
    def parties(self, refresh: bool = False) -> dict[str, dict]:
        """Authorized parties of the system user by org number / fødselsnummer.

        Asked once: the threads of a pool that need them at the same moment wait for the one call.
        """
        with self._parties_lock:
            if refresh or self._parties is None:
                self._parties = {
                    party_id_of(str(p.get("party") or "")): p
                    for p in self.dialogporten.parties()
                    if p.get("party") and not p.get("isDeleted")
                }
            return self._parties

    def clients(self, refresh: bool = False) -> list[ClientParty]:
        """The organisations this system user reads for other than its owner: an accounting firm's
        clients (agent system user), by org number. Empty for a company's own system user."""
        owner = self.tokens.owner_org
        return sorted(
            (
                ClientParty(org, str(party.get("name") or ""), str(party.get("partyUuid") or "") or None)
                for org, party in self.parties(refresh).items()
                if org != owner and len(org) == 9
            ),
            key=lambda c: c.org_number,
        )

    def _access_error(self, reportee: str) -> errors.AltinnError:
        owner = self.tokens.owner_org
        if self.agent:
            return errors.ClientNotDelegated(
                f"The system user of accounting firm {owner} has no access to client {reportee}: the firm's "
                f"klientadministrator must add {reportee} as a client in Altinn"
            )
        if reportee == owner:
            return errors.NoRights(
                f"The system user of {owner} has no rights to the company's inbox: the company must approve "
                f"access packages/rights for the system (change request) in Altinn"
            )
        return errors.NoRights(
            f"The system user is owned by {owner} and cannot act for {reportee}; use the system user of "
            f"{reportee} (Selskap level) or an accounting firm's client system user (Klient level)"
        )

    # -- fetching -----------------------------------------------------------------------------
    def fetch(
        self,
        reportee: str,
        since: datetime,
        until: datetime,
        credentials: UserCredentials | None = None,
        known: Callable[[str], bool] | None = None,
    ) -> Iterator[AltinnItem | FetchFailure]:
        # ``known`` is not used: a dialog's ledger reference (its correspondence id) is only in its
        # details, so every listed dialog is read; the ledger skips what it already has.
        reportee = str(reportee).strip()
        if self.agent and reportee == self.tokens.owner_org:
            raise errors.WrongSystemUserKind(
                f"The client system user of accounting firm {reportee} reads only its clients; the firm's "
                f"own inbox needs the firm's own (standard) system user"
            )
        start = None if since is None else _aware(since) - self.overlap
        end = None if until is None else _aware(until)
        authorized = reportee in self.parties()
        marker = start + self.overlap if start is not None else None
        failed = False
        count = 0
        for listed in self._listed(reportee, start, end):
            count += 1
            changed = parse_time(listed.get("contentUpdatedAt"))
            item_or_failure = self._read(listed, reportee)
            if isinstance(item_or_failure, FetchFailure):
                failed = True  # the marker stays before it: the next run retries this dialog
            # An item read in part moves the marker on: its missing files are fetched with fetch_item.
            elif not failed and changed is not None:
                marker = changed if marker is None else max(marker, changed)
            yield item_or_failure
            if self.mark_seen_enabled and isinstance(item_or_failure, AltinnItem):
                self.mark_seen(item_or_failure)
        if count == 0 and not authorized:
            # An empty inbox and no access look the same in Dialogporten: say which it is.
            raise self._access_error(reportee)
        if not failed and end is not None:
            marker = end if marker is None else max(marker, end)
        if marker is not None:
            with self._lock:
                self._markers[reportee] = marker

    def search_together(self, windows: dict) -> None:
        """Search the dialogs of these reportees ({reportee: (since, until)}, as ``fetch`` gets them) in
        groups of ``MAX_PARTIES``: one search (and its pages) per group instead of one per reportee. The
        first ``fetch`` of a group's reportee makes the search, the others of the group (in other threads)
        wait for it and take their own dialogs, within their own window."""
        reportees = [str(r).strip() for r in windows]
        for first in range(0, len(reportees), MAX_PARTIES):
            chunk = reportees[first : first + MAX_PARTIES]
            group = _PartyGroup({r: self._window(*windows[r]) for r in chunk})
            with self._lock:
                for reportee in chunk:
                    self._groups[reportee] = group

    def _window(self, since, until):
        start = None if since is None else _aware(since) - self.overlap
        return start, None if until is None else _aware(until)

    def _listed(self, reportee: str, start, end):
        """The dialogs of ``reportee`` changed in (start, end]: from its group's search when it has one."""
        with self._lock:
            group = self._groups.pop(reportee, None)
        if group is None or len(group.windows) < 2:
            return self.dialogporten.iter_dialogs(reportee, since=start, until=end, page_size=self.page_size)
        return group.dialogs_of(reportee, start, end, self)

    def fetch_item(self, reportee: str, reference: str) -> AltinnItem | FetchFailure:
        """Read one item again by its ledger reference (``correspondence:<id>`` or ``dialog:<id>``), e.g.
        to get the ``missing_files`` of an earlier fetch. Reportee-wide errors raise as in ``fetch``.

        :raises ValueError: ``reference`` is not an Altinn 3 reference
        """
        reportee = str(reportee).strip()
        kind, _, ident = str(reference).partition(":")
        if kind == "dialog" and ident:
            dialog_id = ident
        elif kind == "correspondence" and ident:
            try:
                dialog_id = self._dialog_of_correspondence(ident)
            except REPORTEE_WIDE:
                raise
            except errors.AltinnError as exc:
                return FetchFailure(reference, reference, exc)
        else:
            raise ValueError(f"Not an Altinn 3 reference: {reference!r}")
        return self._read({"id": dialog_id}, reportee, reference)

    def _dialog_of_correspondence(self, correspondence_id: str) -> str:
        """The Dialogporten dialog of a correspondence (its ``DialogportenDialogId`` reference)."""
        overview = self.correspondence.overview(correspondence_id)
        for ref in overview.get("externalReferences") or []:
            if (
                isinstance(ref, dict)
                and ref.get("referenceType") == "DialogportenDialogId"
                and ref.get("referenceValue")
            ):
                return str(ref["referenceValue"])
        raise errors.ElementNotFound(f"Correspondence {correspondence_id} has no dialog in Dialogporten")

    def _read(self, listed: dict, reportee: str, reference: str | None = None) -> AltinnItem | FetchFailure:
        dialog_id = str(listed["id"])
        title = localized((listed.get("content") or {}).get("title")) or dialog_id
        try:
            item, cid = self.reader.read(listed, reportee)
        except REPORTEE_WIDE:
            raise
        except errors.AltinnError as exc:
            _logger.info("Altinn 3 dialog %s of %s not imported: %s", dialog_id, reportee, exc.code)
            return FetchFailure(reference or reference_for(dialog_id, None), title, exc)
        except (KeyError, TypeError, AttributeError, IndexError) as exc:
            # An answer shape the contract check did not foresee: this dialog fails, the run goes on.
            _logger.warning(
                "Altinn 3 dialog %s of %s has an unexpected answer", dialog_id, reportee, exc_info=True
            )
            failure = errors.UnexpectedAnswer(f"Dialog {dialog_id}: {type(exc).__name__}: {exc}")
            return FetchFailure(reference or reference_for(dialog_id, None), title, failure)
        if cid:
            with self._lock:
                self._correspondence_of[item.reference] = cid
        return item

    def sync_marker(self, reportee: str) -> datetime | None:
        """Where the next fetch of ``reportee`` may start (naive UTC, as Odoo stores datetimes).

        After a complete run it is ``until``; after failed items it stays before the first failure,
        so the next run reads those dialogs again (the ledger skips what it already has).
        """
        with self._lock:
            marker = self._markers.get(str(reportee).strip())
        return marker.astimezone(timezone.utc).replace(tzinfo=None) if marker else None

    def mark_seen(self, item: AltinnItem) -> bool:
        """Mark a Correspondence message as read in Altinn (True when it was one).

        Dialogporten itself records a seen-log entry whenever a dialog is read; there is no
        separate call for that.
        """
        with self._lock:
            cid = self._correspondence_of.get(item.reference)
        if not cid and item.reference.startswith("correspondence:"):
            cid = item.reference.split(":", 1)[1]
        if not cid:
            return False
        self.correspondence.mark_as_read(cid)
        return True

    def set_deadline(self, hard_at: float | None) -> None:
        self.tokens.mp.http.deadline = hard_at  # one Http for every client of the transport

    def close(self) -> None:
        self.tokens.mp.http.close()


class _PartyGroup:
    """Reportees whose dialogs one Dialogporten search lists (its ``party`` filter names them all)."""

    def __init__(self, windows: dict):
        self.windows = windows  # reportee -> (start, end) of its own fetch
        self.lock = threading.Lock()
        self.done = False
        self.error: Exception | None = None
        self.listed: dict[str, list[dict]] = {reportee: [] for reportee in windows}

    def dialogs_of(self, reportee: str, start, end, transport: Altinn3Transport) -> list[dict]:
        with self.lock:
            if not self.done:
                self._search(transport)
                self.done = True
        if self.error is not None:
            raise self.error
        return [listed for listed in self.listed.get(reportee, []) if _within(listed, start, end)]

    def _search(self, transport: Altinn3Transport) -> None:
        starts = [start for start, _end in self.windows.values()]
        ends = [end for _start, end in self.windows.values()]
        since = None if None in starts else min(starts)
        until = None if None in ends else max(ends)
        try:
            for listed in transport.dialogporten.iter_dialogs(
                list(self.windows), since=since, until=until, page_size=transport.page_size
            ):
                owner = party_id_of(str(listed.get("party") or ""))
                if owner in self.listed:
                    self.listed[owner].append(listed)
        except errors.AltinnError as exc:
            self.error = exc  # each reportee of the group fails with it, as its own search would


def _within(listed: dict, start, end) -> bool:
    """Whether a listed dialog of a group's search is in one reportee's own window (the group's search
    spans all of theirs); one without a time is kept (the ledger skips what it has)."""
    changed = parse_time(listed.get("contentUpdatedAt"))
    if changed is None:
        return True
    return (start is None or changed >= start) and (end is None or changed <= end)


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
