"""Maskinporten JWT-bearer grant (RFC 7523) for Altinn 3 system users.

The vendor's Maskinporten integration (``client_id``) signs a short grant with its RSA key
(header ``kid``) or its business certificate (header ``x5c``). With ``systemuser_org`` the grant
carries ``authorization_details`` of type ``urn:altinn:systemuser`` and the token identifies the
system user OWNED by that organisation: the company itself (standard system user) or the
accounting firm (agent system user; the client is chosen per API call, never here).
"""

from __future__ import annotations

import email.utils
import re
import time
import uuid
from collections.abc import Iterable
from datetime import timezone

from cryptography.hazmat.primitives import serialization

from .. import errors
from . import jws
from .env import Altinn3Environment
from .httpclient import Http, json_of, retry_after_seconds
from .tokens import DEFAULT_CACHE, AccessToken, TokenCache

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
SYSTEMUSER_TYPE = "urn:altinn:systemuser"
ORG_AUTHORITY = "iso6523-actorid-upis"
MAX_GRANT_LIFETIME = 120  # Maskinporten refuses exp - iat > 120 s
MAX_CLOCK_SKEW = 10  # Maskinporten's tolerance on iat

#: Scopes for reading a party's inbox with a system user.
READ_SCOPES = ("digdir:dialogporten", "altinn:correspondence.read", "altinn:instances.read")
#: Scopes for the vendor's system-user requests (plain token, no system user).
ADMIN_SCOPES = (
    "altinn:authentication/systemuser.request.write",
    "altinn:authentication/systemuser.request.read",
)

_ORGNO = re.compile(r"^\d{9}$")


def normalize_scopes(scopes: str | Iterable[str]) -> tuple[str, ...]:
    items = scopes.split() if isinstance(scopes, str) else [s for scope in scopes for s in str(scope).split()]
    result = tuple(sorted(set(items)))
    if not result:
        raise errors.ConfigurationError("No Maskinporten scope is configured")
    return result


def check_orgno(orgno: str, what: str = "organisation number") -> str:
    value = re.sub(r"\s", "", str(orgno or ""))
    if not _ORGNO.match(value):
        raise errors.ConfigurationError(f"The {what} must have 9 digits")
    return value


def systemuser_details(orgno: str, external_ref: str | None = None) -> list[dict]:
    """``authorization_details`` naming the system user owned by ``orgno``."""
    detail = {"type": SYSTEMUSER_TYPE, "systemuser_org": {"authority": ORG_AUTHORITY, "ID": f"0192:{orgno}"}}
    if external_ref:
        detail["externalRef"] = external_ref
    return [detail]


class MaskinportenClient:
    """Grants and cached tokens for one Maskinporten integration.

    :param private_key_pem: the integration's RSA private key (PEM; may also hold the certificate chain)
    :param key_id: ``kid`` registered in Maskinporten; defaults to the RFC 7638 thumbprint of the key
                   when no certificate is used
    :param certificate_pem: business certificate (virksomhetssertifikat) chain, leaf first → header ``x5c``
    """

    def __init__(
        self,
        env: Altinn3Environment,
        client_id: str,
        private_key_pem: str | bytes,
        *,
        key_id: str | None = None,
        certificate_pem: str | bytes | None = None,
        key_password: str | None = None,
        http: Http | None = None,
        cache: TokenCache | None = None,
        clock=time.time,
        grant_lifetime: int = 60,
    ):
        if not (client_id or "").strip():
            raise errors.ConfigurationError("The Maskinporten client_id (integration id) is missing")
        if not 0 < grant_lifetime <= MAX_GRANT_LIFETIME:
            raise ValueError("grant_lifetime must be 1..120 seconds")
        self.env = env
        self.client_id = client_id.strip()
        self.clock = clock
        self.grant_lifetime = int(grant_lifetime)
        self.http = http or Http()
        self.cache = cache if cache is not None else DEFAULT_CACHE
        try:
            self._key = jws.load_private_key(private_key_pem, key_password)
            certs = jws.load_certificates(certificate_pem) if certificate_pem else []
            if not certs and private_key_pem and b"CERTIFICATE" in jws.as_bytes(private_key_pem):
                certs = jws.load_certificates(private_key_pem)
        except jws.JwsError as exc:
            raise errors.InvalidClientKey(str(exc)) from exc
        self._x5c = None
        self._cert_not_after = None
        if certs:
            if _public_der(certs[0].public_key()) != _public_der(self._key.public_key()):
                raise errors.InvalidClientKey("The certificate does not belong to the private key")
            self._x5c = jws.x5c_chain(certs)
            self._cert_not_after = certs[0].not_valid_after.replace(tzinfo=timezone.utc)
        self.key_id = (key_id or "").strip() or (
            None if certs else jws.jwk_thumbprint(self._key.public_key())
        )

    # -- grants -------------------------------------------------------------------------------
    def public_jwk(self) -> dict:
        """The JWK to register in Maskinporten (self-service) for this key."""
        return jws.public_jwk(self._key.public_key(), self.key_id)

    def build_grant(
        self, scopes: str | Iterable[str], systemuser_org: str | None = None, external_ref: str | None = None
    ) -> str:
        now = int(self.clock())
        if self._cert_not_after is not None and self._cert_not_after.timestamp() < now:
            raise errors.InvalidClientKey(
                f"The business certificate expired on {self._cert_not_after.date().isoformat()}"
            )
        claims = {
            "aud": self.env.maskinporten_issuer,
            "iss": self.client_id,
            "scope": " ".join(normalize_scopes(scopes)),
            "iat": now,
            "exp": now + self.grant_lifetime,
            "jti": str(uuid.uuid4()),
        }
        if systemuser_org:
            claims["authorization_details"] = systemuser_details(check_orgno(systemuser_org), external_ref)
        return jws.sign(claims, self._key, kid=self.key_id, x5c=self._x5c)

    # -- tokens -------------------------------------------------------------------------------
    def cache_key(self, scopes, systemuser_org=None, external_ref=None) -> tuple:
        return (
            "maskinporten",
            self.env.maskinporten_token_url,
            self.client_id,
            normalize_scopes(scopes),
            systemuser_org or None,
            external_ref or None,
        )

    def token(
        self, scopes: str | Iterable[str], systemuser_org: str | None = None, external_ref: str | None = None
    ) -> AccessToken:
        """A Maskinporten access token, from the cache while it has more than ~30 s left."""
        key = self.cache_key(scopes, systemuser_org, external_ref)
        return self.cache.get(key, lambda: self._request_token(scopes, systemuser_org, external_ref))

    def invalidate(self, scopes, systemuser_org=None, external_ref=None) -> None:
        self.cache.invalidate(self.cache_key(scopes, systemuser_org, external_ref))

    def metadata(self) -> dict:
        """Maskinporten's ``/.well-known/oauth-authorization-server`` (a cheap connectivity check)."""
        response = self.http.send("GET", self.env.metadata_url, what="Maskinporten metadata")
        if response.status_code != 200:
            raise errors.ServiceUnavailable(f"Maskinporten metadata: HTTP {response.status_code}")
        return json_of(response, "Maskinporten metadata")

    def _request_token(self, scopes, systemuser_org, external_ref) -> AccessToken:
        grant = self.build_grant(scopes, systemuser_org, external_ref)
        sent_at = self.clock()
        # A grant is single-use (jti), so never let the HTTP layer resend it: retry with a new one.
        for attempt in range(1 + self.http.max_retries):
            response = self.http.send(
                "POST",
                self.env.maskinporten_token_url,
                what="Maskinporten token",
                data={"grant_type": GRANT_TYPE, "assertion": grant},
                retry=False,
                headers={"Accept": "application/json"},
            )
            if response.status_code in (429, 502, 503, 504) and attempt < self.http.max_retries:
                wait = retry_after_seconds(response)
                if wait is None or wait <= self.http.max_retry_wait:
                    self.http._wait(attempt + 1, wait)
                    grant = self.build_grant(scopes, systemuser_org, external_ref)
                    sent_at = self.clock()
                    continue
            break
        if response.status_code != 200:
            raise self._error(response, systemuser_org)
        body = json_of(response, "Maskinporten token")
        value = body.get("access_token") if isinstance(body, dict) else None
        if not value or not isinstance(value, str):
            raise errors.MalformedResponse("Maskinporten token: no access_token in the answer")
        try:
            expires_in = float(body.get("expires_in") or 0)
        except (TypeError, ValueError):
            expires_in = 0.0
        if expires_in <= 0:  # fall back on the token's own exp, relative to the issuer's iat
            try:
                claims = jws.unverified_claims(value)
                expires_in = float(claims["exp"]) - float(claims.get("iat", claims["exp"] - 60))
            except (jws.JwsError, KeyError, TypeError, ValueError):
                expires_in = 60.0
        return AccessToken(
            value=value,
            issued_at=sent_at,
            expires_at=sent_at + expires_in,
            scope=str(body.get("scope") or ""),
            kind="maskinporten",
        )

    def _error(self, response, systemuser_org) -> errors.AltinnError:
        status = response.status_code
        if status == 429:
            err = errors.RateLimited(f"Maskinporten token: HTTP {status}")
            err.retry_after = retry_after_seconds(response)
            return err
        if status >= 500:
            return errors.ServiceUnavailable(f"Maskinporten token: HTTP {status}")
        try:
            body = response.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        code = str(body.get("error") or "")
        description = str(body.get("error_description") or "")[:300] or None
        detail = f"Maskinporten: {code or 'HTTP ' + str(status)}"
        if code == "invalid_altinn_customer_configuration":
            who = f" for {systemuser_org}" if systemuser_org else ""
            return errors.SystemUserNotApproved(
                f"{detail}: no approved system user{who} for this system and integration (MP-303). The "
                f"organisation must approve the system-user request in Altinn, or it was deleted (send a new "
                f"request); also check that the system lists this client_id and the externalRef matches.",
                altinn_message=description,
            )
        if code == "invalid_scope":
            return errors.ScopeNotGranted(detail, altinn_message=description)
        skew = self._server_skew(response)
        if code == "invalid_grant" and skew is not None and abs(skew) > MAX_CLOCK_SKEW:
            # Maskinporten's texts are not a contract: the clock is judged by its Date header.
            extra = f" (this server is {skew:+.0f} s off Maskinporten's clock)"
            return errors.ClockSkew(detail + extra, altinn_message=description)
        if code in ("invalid_grant", "invalid_client", "unauthorized_client"):
            # MP-100 family ("Invalid assertion. Client authentication failed."): unknown client, key,
            # signature, audience, certificate or an expired key.
            return errors.InvalidClientKey(
                f"{detail}: Maskinporten did not accept the grant signed with key id "
                f"{self.key_id or '(x5c)'} for client {self.client_id}",
                altinn_message=description,
            )
        return errors.AltinnError(detail, altinn_message=description)

    def _server_skew(self, response) -> float | None:
        date = response.headers.get("Date")
        if not date:
            return None
        try:
            when = email.utils.parsedate_to_datetime(date)
        except (TypeError, ValueError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return self.clock() - when.timestamp()


def _public_der(public_key) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
