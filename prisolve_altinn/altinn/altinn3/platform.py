"""Calls to the Altinn 3 platform with the right token, one refresh on 401/403, typed errors.

Token rule (ALTINN3.md §3.3): Dialogporten takes the Maskinporten system-user token; Correspondence
and Storage take the exchanged Altinn token (required for downloads and mark-as-read); URLs of
other service owners (e.g. Skatteetaten's own APIs) get the dialog's ``dialogToken`` and nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .. import errors
from .exchange import SystemUserTokens
from .httpclient import Response, error_for

TOKEN_MASKINPORTEN = "maskinporten"
TOKEN_ALTINN = "altinn"
TOKEN_DIALOG = "dialog"

UNAUTHORIZED_URL = "urn:dialogporten:unauthorized"
_PORTAL_WRAPPER = "/authentication/api/v1/authentication"
_ALTINN_TOKEN_PREFIXES = ("/correspondence/", "/storage/", "/authentication/", "/accessmanagement/")


@dataclass
class Download:
    data: bytes
    filename: str | None
    content_type: str | None


def unwrap_portal_url(url: str) -> str:
    """``{platform}/authentication/api/v1/authentication?goto=<url>`` → the target URL.

    Dialogporten wraps GUI links of app instances this way for browsers; ``dontChooseReportee`` goes.
    """
    parts = urlsplit(url)
    if not parts.path.rstrip("/").endswith(_PORTAL_WRAPPER):
        return url
    goto = dict(parse_qsl(parts.query)).get("goto")
    if not goto:
        return url
    target = urlsplit(goto)
    query = [
        (k, v)
        for k, v in parse_qsl(target.query, keep_blank_values=True)
        if k.lower() != "dontchoosereportee"
    ]
    return urlunsplit((target.scheme, target.netloc, target.path, urlencode(query), target.fragment))


def filename_from_disposition(value: str | None) -> str | None:
    if not value:
        return None
    msg = Message()
    msg["content-disposition"] = value
    name = msg.get_filename()
    if not name:
        return None
    return re.sub(r"[\\/\x00-\x1f]", "_", name).strip() or None


class PlatformApi:
    """Shared plumbing for Dialogporten, Correspondence, Storage and attachment URLs."""

    def __init__(self, tokens: SystemUserTokens):
        self.tokens = tokens
        self.env = tokens.mp.env
        self.http = tokens.mp.http
        platform = urlsplit(self.env.platform_url)
        self._platform_origin = (platform.scheme, platform.netloc.lower())
        self._platform_path = platform.path.rstrip("/")

    def url(self, path: str) -> str:
        return self.env.platform(path)

    def token_kind_for(self, url: str) -> str:
        """Which token may be sent to ``url``: never a platform token to a foreign host."""
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc.lower()) != self._platform_origin:
            return TOKEN_DIALOG
        path = (
            parts.path[len(self._platform_path) :]
            if parts.path.startswith(self._platform_path)
            else parts.path
        )
        if path.startswith("/dialogporten/"):
            return TOKEN_MASKINPORTEN
        if path.startswith(_ALTINN_TOKEN_PREFIXES):
            return TOKEN_ALTINN
        return TOKEN_DIALOG

    def _token(self, kind: str) -> str:
        if kind == TOKEN_ALTINN:
            return self.tokens.altinn_token()
        return self.tokens.maskinporten_token()

    def call(
        self,
        method: str,
        url: str,
        *,
        what: str,
        token_kind: str = TOKEN_MASKINPORTEN,
        ok: tuple[int, ...] = (200,),
        params=None,
        json=None,
        headers=None,
    ) -> Response:
        """Send with a system-user token; a 401/403 gets one retry with fresh tokens.

        The refresh matters for 403: a revoked system user makes Maskinporten refuse the new token
        (MP-303 → ``SystemUserNotApproved``), which names the fix, instead of a bare "forbidden".
        """
        hdrs = {"Accept": "application/json"}
        hdrs.update(headers or {})
        for attempt in (1, 2):
            response = self.http.send(
                method, url, what=what, token=self._token(token_kind), params=params, json=json, headers=hdrs
            )
            if response.status_code in ok:
                return response
            if response.status_code in (401, 403) and attempt == 1:
                response.close()
                self.tokens.invalidate()
                continue
            break
        err = error_for(response, what)
        if isinstance(err, errors.NoRights) and response.status_code == 403:
            err.detail += (
                " — the system user is not allowed this call (missing scope, access package or "
                "resource right)"
            )
        raise err

    def download(self, url: str, *, what: str, dialog_token: str | None = None) -> Download:
        """Bytes behind an attachment URL, with the token the URL's owner accepts.

        A service owner's own server failing concerns this file only: it raises
        ``ServiceOwnerRefused`` (4xx) or ``ServiceOwnerUnavailable`` (5xx, timeout), never an error that
        stops the batch.
        """
        if not url or url == UNAUTHORIZED_URL:
            raise errors.AttachmentUnauthorized(f"{what}: Altinn says the system user may not open it")
        url = unwrap_portal_url(url)
        if urlsplit(url).scheme not in ("http", "https"):
            raise errors.MalformedResponse(f"{what}: unsupported URL scheme")
        kind = self.token_kind_for(url)
        hdrs = {"Accept": "*/*"}
        if kind == TOKEN_DIALOG:
            if not dialog_token:
                raise errors.AttachmentUnauthorized(
                    f"{what}: the service owner's URL needs a dialog token and none was issued"
                )
            try:
                response = self.http.send("GET", url, what=what, token=dialog_token, headers=hdrs)
            except errors.ServiceUnavailable as exc:
                raise errors.ServiceOwnerUnavailable(
                    f"{what}: the service owner's server did not answer"
                ) from exc
            if response.status_code != 200:
                err = error_for(response, what + " (service owner's API)")
                retry_later = response.status_code >= 500 or response.status_code == 429
                owner_error = errors.ServiceOwnerUnavailable if retry_later else errors.ServiceOwnerRefused
                raise owner_error(err.detail, altinn_message=err.altinn_message, error_guid=err.error_guid)
        else:
            response = self.call("GET", url, what=what, token_kind=kind, headers=hdrs)
        ctype = (response.headers.get("Content-Type") or "").split(";")[0].strip() or None
        return Download(
            data=response.content,
            content_type=ctype,
            filename=filename_from_disposition(response.headers.get("Content-Disposition")),
        )
