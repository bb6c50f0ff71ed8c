"""System-user tokens for one owner organisation: the Maskinporten token and the Altinn token.

Which token goes where (ALTINN3.md §3.3): Dialogporten and the Correspondence list/overview take the
raw Maskinporten system-user token; Correspondence markasread/confirm/attachment download and
Storage take only the Altinn token from ``GET {platform}/authentication/api/v1/exchange/maskinporten``.
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import errors
from . import jws
from .httpclient import error_for
from .maskinporten import READ_SCOPES, MaskinportenClient, check_orgno, normalize_scopes
from .tokens import AccessToken

EXCHANGE_PATH = "authentication/api/v1/exchange/maskinporten"
ALTINN_TOKEN_LIFETIME = 30 * 60  # JwtValidityMinutes in Altinn's authentication service


class SystemUserTokens:
    """Tokens of the system user owned by ``owner_org`` (company: itself; Klient level: the firm)."""

    def __init__(
        self,
        maskinporten: MaskinportenClient,
        owner_org: str,
        *,
        external_ref: str | None = None,
        scopes: str | Iterable[str] = READ_SCOPES,
    ):
        self.mp = maskinporten
        self.owner_org = check_orgno(owner_org, "system-user owner's organisation number")
        self.external_ref = external_ref or None
        self.scopes = normalize_scopes(scopes)

    @property
    def _mp_key(self) -> tuple:
        return self.mp.cache_key(self.scopes, self.owner_org, self.external_ref)

    @property
    def _altinn_key(self) -> tuple:
        return ("altinn", self.mp.env.platform_url, *self._mp_key)

    def maskinporten_token(self) -> str:
        return self.mp.token(self.scopes, self.owner_org, self.external_ref).value

    def altinn_token(self) -> str:
        return self.mp.cache.get(self._altinn_key, self._exchange).value

    def invalidate(self) -> None:
        """Forget both tokens (after a 401/403: the next call asks Maskinporten again)."""
        self.mp.cache.invalidate(self._altinn_key)
        self.mp.cache.invalidate(self._mp_key)

    def _exchange(self) -> AccessToken:
        url = self.mp.env.platform(EXCHANGE_PATH)
        for attempt in (1, 2):
            mp_token = self.maskinporten_token()
            sent_at = self.mp.clock()
            response = self.mp.http.send(
                "GET",
                url,
                what="Altinn token exchange",
                token=mp_token,
                headers={"Accept": "text/plain, application/json"},
            )
            if response.status_code == 401 and attempt == 1:
                self.mp.cache.invalidate(self._mp_key)  # a cached token Altinn no longer likes: get a new one
                continue
            break
        if response.status_code != 200:
            raise error_for(response, "Altinn token exchange")
        value = response.text.strip().strip('"').strip()
        try:
            claims = jws.unverified_claims(value)
        except jws.JwsError as exc:
            raise errors.MalformedResponse("Altinn token exchange: the answer is not a token") from exc
        try:
            lifetime = float(claims["exp"]) - float(claims["iat"])
        except (KeyError, TypeError, ValueError):
            lifetime = ALTINN_TOKEN_LIFETIME
        if lifetime <= 0:
            lifetime = ALTINN_TOKEN_LIFETIME
        return AccessToken(
            value=value,
            issued_at=sent_at,
            expires_at=sent_at + lifetime,
            scope=str(claims.get("scope") or ""),
            kind="altinn",
        )
