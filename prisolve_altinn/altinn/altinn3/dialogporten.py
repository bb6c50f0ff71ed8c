"""Dialogporten end-user API (the Altinn 3 inbox) as seen by a system user."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from .. import errors
from .httpclient import error_for, json_of, problem_of, problem_text
from .platform import TOKEN_DIALOG, TOKEN_MASKINPORTEN, PlatformApi

_logger = logging.getLogger(__name__)

BASE = "dialogporten/api/v1/enduser"
ORG_URN = "urn:altinn:organization:identifier-no:"
PERSON_URN = "urn:altinn:person:identifier-no:"
MAX_PAGE = 1000
# Parties one search may name (``/api/v1/metadata/limits`` endUserSearch.maxPartyFilterValues; Dialogporten's
# EndUser SearchDialogQueryValidator refuses more: 400 "'Party Count' must be less than or equal to '20'.").
MAX_PARTIES = 20


def party_urn(identifier: str) -> str:
    """Org number (9 digits) or fødselsnummer (11 digits) → Dialogporten party URN."""
    ident = str(identifier).strip()
    if ident.startswith("urn:"):
        return ident
    return (PERSON_URN if len(ident) == 11 else ORG_URN) + ident


def party_id_of(urn: str) -> str:
    return urn.rsplit(":", 1)[-1]


def iso(value: datetime) -> str:
    """UTC ISO-8601 with an explicit zone (Dialogporten requires one); naive = UTC, as Odoo stores it."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_time(value) -> datetime | None:
    """Aware UTC datetime from Dialogporten's ISO text (any fraction length, ``Z`` or offset)."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    if "." in text:
        head, _, rest = text.partition(".")
        digits = re.match(r"\d*", rest).group(0)
        tail = rest[len(digits) :]
        text = f"{head}.{(digits + '000000')[:6]}{tail}"
    try:
        result = datetime.fromisoformat(text)
    except ValueError:
        return None
    if result.tzinfo is None:
        result = result.replace(tzinfo=timezone.utc)
    return result.astimezone(timezone.utc)


def _about_continuation(problem: dict) -> bool:
    """The validation problem names the ``continuationToken`` field (its key, not its wording)."""
    fields = list(problem.get("errors") or {}) if isinstance(problem.get("errors"), dict) else []
    for err in problem.get("validationErrors") or []:
        if isinstance(err, dict):
            fields += [str(p) for p in err.get("paths") or []]
    return any("continuationtoken" in str(f).lower().replace("_", "") for f in fields)


def _party_named(params: dict, field: str) -> str:
    """The organisation number of ``Party[i]`` in the search that was refused."""
    parties = params.get("party") or []
    parties = [parties] if isinstance(parties, str) else list(parties)
    index = re.search(r"\[(\d+)\]", field or "")
    chosen = parties[int(index.group(1))] if index and int(index.group(1)) < len(parties) else ""
    chosen = chosen or (parties[0] if len(parties) == 1 else "")
    return party_id_of(chosen) if chosen else ""


class ContinuationRejected(Exception):
    """Dialogporten refused a continuation token (expired, or from an older deployment)."""


class DialogportenClient(PlatformApi):
    def parties(self) -> list[dict]:
        """Authorized parties of the system user, sub-parties flattened."""
        response = self.call("GET", self.url(f"{BASE}/parties"), what="Dialogporten parties")
        body = json_of(response, "Dialogporten parties")
        if not isinstance(body, dict):
            raise errors.MalformedResponse("Dialogporten parties: unexpected answer")
        result = []
        stack = list(body.get("authorizedParties") or [])
        while stack:
            party = stack.pop(0)
            if not isinstance(party, dict):
                continue
            result.append(party)
            stack.extend(party.get("subParties") or [])
        return result

    def search_page(self, params: dict) -> dict:
        """One page of ``GET /dialogs``; ``ContinuationRejected`` when the token no longer works."""
        response = self.call(
            "GET",
            self.url(f"{BASE}/dialogs"),
            what="Dialogporten search",
            params=params,
            ok=(200, 400, 410, 422),
        )
        if response.status_code != 200:
            problem = problem_of(response)
            if params.get("continuationToken") and _about_continuation(problem):
                raise ContinuationRejected(problem_text(problem))
            err = error_for(response, "Dialogporten search")
            if isinstance(err, errors.InvalidOrganisationNumber):
                err.org = _party_named(params, err.field)
            raise err
        page = json_of(response, "Dialogporten search")
        if not isinstance(page, dict) or not isinstance(page.get("items") or [], list):
            raise errors.MalformedResponse("Dialogporten search: unexpected answer")
        return page

    def iter_dialogs(
        self,
        party: str | list[str],
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        page_size: int = 200,
        max_restarts: int = 3,
        **filters,
    ) -> Iterator[dict]:
        """Every dialog of ``party`` (one, or a list of up to ``MAX_PARTIES``: each dialog's ``party`` says
        whose it is) whose content changed in (since, until], oldest change first.

        Follows continuation tokens, re-sending all filters (Dialogporten requires ``party`` on
        every page). When a token stops working, the search restarts after the last dialog already
        yielded (``contentUpdatedAfter``) and skips ids it has seen, so nothing is lost or repeated.
        """
        base: dict = {
            "party": [party_urn(p) for p in ([party] if isinstance(party, str) else party)],
            "orderBy": "contentupdatedat_asc",
            "limit": max(1, min(int(page_size), MAX_PAGE)),
        }
        if since is not None:
            base["contentUpdatedAfter"] = iso(since)
        if until is not None:
            base["contentUpdatedBefore"] = iso(until)
        for key, value in filters.items():
            if value is not None:
                base[key] = value
        params = dict(base)
        yielded: set[str] = set()
        last_change: datetime | None = None
        restarts = 0
        yielded_at_restart = -1
        while True:
            try:
                page = self.search_page(params)
            except ContinuationRejected as exc:
                # Give up only when restarts stop making progress (no new dialog since the last one).
                restarts = restarts + 1 if len(yielded) == yielded_at_restart else 1
                yielded_at_restart = len(yielded)
                if restarts > max_restarts:
                    raise errors.ContinuationTokenExpired(
                        "Dialogporten search", altinn_message=str(exc)
                    ) from None
                _logger.info("Dialogporten refused the continuation token; restarting after the last dialog")
                params = dict(base)
                if last_change is not None:
                    # "after" the previous change minus a little: ids already yielded are skipped below.
                    params["contentUpdatedAfter"] = iso(last_change - timedelta(seconds=1))
                continue
            for item in page.get("items") or []:
                if not isinstance(item, dict) or not item.get("id"):
                    raise errors.MalformedResponse("Dialogporten search: a dialog without id")
                changed = parse_time(item.get("contentUpdatedAt"))
                if changed is not None and (last_change is None or changed > last_change):
                    last_change = changed
                if item["id"] in yielded:
                    continue
                yielded.add(item["id"])
                yield item
            token = page.get("continuationToken")
            if not page.get("hasNextPage") or not token:
                return
            params = dict(base, continuationToken=token)

    def dialog(self, dialog_id: str) -> dict:
        """The dialog aggregate (Dialogporten records a seen-log entry for the system user)."""
        response = self.call(
            "GET", self.url(f"{BASE}/dialogs/{quote(dialog_id)}"), what="Dialogporten dialog"
        )
        body = json_of(response, "Dialogporten dialog")
        if not isinstance(body, dict) or not body.get("id"):
            raise errors.MalformedResponse("Dialogporten dialog: unexpected answer")
        return body

    def instance(self, url: str) -> dict:
        """An app instance in Storage (e.g. its ``dataValues``) behind a dialog's ``getInstance`` action;
        {} for a URL outside the platform (no platform token leaves it)."""
        kind = self.token_kind_for(url)
        if kind == TOKEN_DIALOG:
            return {}
        response = self.call("GET", url, what="Storage instance", token_kind=kind)
        body = json_of(response, "Storage instance")
        return body if isinstance(body, dict) else {}

    def transmissions(self, dialog_id: str) -> list[dict]:
        response = self.call(
            "GET",
            self.url(f"{BASE}/dialogs/{quote(dialog_id)}/transmissions"),
            what="Dialogporten transmissions",
        )
        body = json_of(response, "Dialogporten transmissions")
        if not isinstance(body, list):
            raise errors.MalformedResponse("Dialogporten transmissions: unexpected answer")
        return body

    def set_system_labels(self, dialog_id: str, add=(), remove=(), if_match: str | None = None) -> str | None:
        """Add/remove system labels (e.g. ``Archive``); returns the new revision (ETag)."""
        headers = {"If-Match": if_match} if if_match else None
        response = self.call(
            "PUT",
            self.url(f"{BASE}/dialogs/{quote(dialog_id)}/context/systemlabels"),
            what="Dialogporten labels",
            token_kind=TOKEN_MASKINPORTEN,
            ok=(200, 204),
            json={"addLabels": list(add), "removeLabels": list(remove)},
            headers=headers,
        )
        return (response.headers.get("ETag") or "").strip('"') or None
