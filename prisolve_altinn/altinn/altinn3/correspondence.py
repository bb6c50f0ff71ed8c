"""Altinn 3 Correspondence (Melding), recipient side. Every call uses the exchanged Altinn token:
markasread/confirm/download refuse a raw Maskinporten token, and one token for all keeps it simple."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote

from .. import errors
from .dialogporten import iso
from .httpclient import json_of
from .platform import TOKEN_ALTINN, Download, PlatformApi

BASE = "correspondence/api/v1/correspondence"
CORRESPONDENCE_URL = re.compile(r"/correspondence/api/v1/correspondence/([0-9a-fA-F-]{36})(?:/|$|\?)")


def correspondence_id_in(url: str | None) -> str | None:
    match = CORRESPONDENCE_URL.search(url or "")
    return match.group(1).lower() if match else None


class CorrespondenceClient(PlatformApi):
    def overview(self, correspondence_id: str) -> dict:
        """Body, attachment metadata, status (Altinn records status ``Fetched`` for the recipient)."""
        response = self.call(
            "GET",
            self.url(f"{BASE}/{quote(correspondence_id)}"),
            what="Correspondence",
            token_kind=TOKEN_ALTINN,
        )
        body = json_of(response, "Correspondence")
        if not isinstance(body, dict) or not body.get("correspondenceId"):
            raise errors.MalformedResponse("Correspondence: unexpected answer")
        return body

    def details(self, correspondence_id: str) -> dict:
        response = self.call(
            "GET",
            self.url(f"{BASE}/{quote(correspondence_id)}/details"),
            what="Correspondence details",
            token_kind=TOKEN_ALTINN,
        )
        return json_of(response, "Correspondence details")

    def download_attachment(self, correspondence_id: str, attachment_id: str) -> Download:
        url = self.url(f"{BASE}/{quote(correspondence_id)}/attachment/{quote(attachment_id)}/download")
        return self.download(url, what="Correspondence attachment")

    def mark_as_read(self, correspondence_id: str) -> None:
        self.call(
            "POST",
            self.url(f"{BASE}/{quote(correspondence_id)}/markasread"),
            what="Correspondence mark as read",
            token_kind=TOKEN_ALTINN,
        )

    def confirm(self, correspondence_id: str) -> None:
        self.call(
            "POST",
            self.url(f"{BASE}/{quote(correspondence_id)}/confirm"),
            what="Correspondence confirm",
            token_kind=TOKEN_ALTINN,
        )

    def list_ids(
        self,
        resource_id: str,
        *,
        on_behalf_of: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        altinn2_id: int | None = None,
    ) -> list[str]:
        """Ids for one resource (max 1000, no paging: narrow with since/until). Agent tokens must
        name the client in ``on_behalf_of`` (it defaults to the system user's owner)."""
        params: dict = {"resourceId": resource_id, "role": "Recipient"}
        if on_behalf_of:
            params["onBehalfOf"] = on_behalf_of if ":" in on_behalf_of else f"0192:{on_behalf_of}"
        if since is not None:
            params["from"] = iso(since)
        if until is not None:
            params["to"] = iso(until)
        if altinn2_id is not None:
            params["altinn2CorrespondenceId"] = int(altinn2_id)
        response = self.call(
            "GET", self.url(BASE), what="Correspondence list", token_kind=TOKEN_ALTINN, params=params
        )
        body = json_of(response, "Correspondence list")
        return [str(i) for i in (body.get("ids") or [])] if isinstance(body, dict) else []
