"""Maskinporten: ``POST /token`` (JWT-bearer grant, RFC 7523) and its metadata/JWKS.

Checks like Maskinporten: signature against the integration's registered key (``kid``, with its expiry)
or a trusted business certificate (``x5c``), ``aud`` (issuer; the legacy token-URL form too), ``iat``
within ±10 s, ``exp - iat`` ≤ 120 s, ``jti`` not reused, scopes granted, and for
``authorization_details`` an approved, not deleted system user of a system listing the client_id.

Every failure to authenticate the client (unknown client, unknown kid, bad signature, wrong ``aud``,
invalid certificate, expired key) is ``invalid_grant`` with Maskinporten's "Invalid assertion. Client
authentication failed." family (MP-100/110/120/121 of docs.digdir.no "Feilsøking i Maskinporten"), never
``invalid_client``.
"""

from __future__ import annotations

import uuid
from datetime import timezone
from urllib.parse import parse_qs

from ..routes import Response
from . import jwt
from .store import MAX_GRANT_LIFETIME
from .web import a3, maskinporten_issuer, now_ts, oauth_error, route

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
SYSTEMUSER_TYPE = "urn:altinn:systemuser"


@route("GET", r"^/\.well-known/oauth-authorization-server/?$")
def metadata(state, request):
    issuer = maskinporten_issuer(request)
    return Response.json(
        {
            "issuer": issuer,
            "token_endpoint": issuer + "token",
            "jwks_uri": issuer + "jwk",
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "grant_types_supported": [GRANT_TYPE],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256", "RS384", "RS512"],
            "authorization_details_types_supported": [SYSTEMUSER_TYPE],
        }
    )


@route("GET", r"^/jwk$")
def jwks(state, request):
    keys = a3(state).keys
    return Response.json({"keys": [jwt.rsa_jwk(keys.maskinporten.public_key(), keys.maskinporten_kid)]})


CLIENT_AUTH_FAILED = "Invalid assertion. Client authentication failed."  # MP-100
MP_110_AUDIENCE = CLIENT_AUTH_FAILED + " Invalid JWT claim aud"
MP_120_CERTIFICATE = CLIENT_AUTH_FAILED + " The JWT is signed with an invalid certificate."
MP_121_EXPIRED_KEY = CLIENT_AUTH_FAILED + " Expired key"


def _client_auth_failed(description: str = CLIENT_AUTH_FAILED) -> Response:
    return oauth_error("invalid_grant", description)


def _invalid_grant(text: str) -> Response:
    """A grant that authenticated its client but breaks a rule (times, jti): the texts are ours."""
    return oauth_error("invalid_grant", text)


@route("POST", r"^/token$")
def token(state, request):
    ext = a3(state)
    if "application/x-www-form-urlencoded" not in (request.headers.get("content-type") or ""):
        return oauth_error("invalid_request", "Content-Type must be application/x-www-form-urlencoded")
    form = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
    if form.get("grant_type") != GRANT_TYPE:
        return oauth_error("unsupported_grant_type", "grant_type must be " + GRANT_TYPE)
    assertion = form.get("assertion") or ""
    try:
        header, claims, signing_input, sig = jwt.parse(assertion)
    except jwt.TokenError:
        return oauth_error("invalid_request", "The assertion is not a JWT")
    client = ext.clients.get(str(claims.get("iss") or ""))
    if client is None:
        return _client_auth_failed()
    alg = header.get("alg")
    if alg not in jwt.RS_HASHES:
        return _client_auth_failed()
    now = now_ts(state)
    try:
        if header.get("x5c"):
            certs = jwt.load_x5c(header["x5c"])
            leaf = certs[0]
            if jwt.public_der(leaf.public_key()) not in client.certificates:
                return _client_auth_failed(MP_120_CERTIFICATE)
            valid_from = leaf.not_valid_before.replace(tzinfo=timezone.utc).timestamp()
            valid_to = leaf.not_valid_after.replace(tzinfo=timezone.utc).timestamp()
            if not valid_from <= now <= valid_to:
                return _client_auth_failed(MP_120_CERTIFICATE)
            jwt.verify_rs(signing_input, sig, alg, leaf.public_key())
        elif header.get("kid"):
            key = client.keys.get(header["kid"])
            if key is None:
                return _client_auth_failed()
            expires = client.key_expiry.get(header["kid"])
            if expires is not None and expires <= now:
                return _client_auth_failed(MP_121_EXPIRED_KEY)
            jwt.verify_rs(signing_input, sig, alg, key)
        else:
            return _client_auth_failed()
    except jwt.TokenError:
        return _client_auth_failed()
    issuer = maskinporten_issuer(request)
    if claims.get("aud") not in (issuer, issuer + "token"):
        return _client_auth_failed(MP_110_AUDIENCE)
    try:
        iat, exp = float(claims["iat"]), float(claims["exp"])
    except (KeyError, TypeError, ValueError):
        return _invalid_grant("iat and exp are required")
    skew = ext.max_clock_skew
    if abs(iat - now) > skew:
        return _invalid_grant(
            f"The jwt iat is more than {skew} seconds skewed from the server time "
            f"(iat {iat:.0f}, server {now:.0f}). Has the clock been synchronized?"
        )
    if exp - iat > MAX_GRANT_LIFETIME:
        return _invalid_grant(f"The jwt lifetime (exp - iat) is more than {MAX_GRANT_LIFETIME} seconds")
    if exp <= now - skew:
        return _invalid_grant("The jwt is expired (exp)")
    jti = str(claims.get("jti") or "")
    if not jti:
        return _invalid_grant("jti is required")
    with ext.lock:
        for old in [j for j, until in ext.jtis.items() if until < now - 600]:
            del ext.jtis[old]
        if jti in ext.jtis:
            return _invalid_grant("The jti has been used before (replay)")
        ext.jtis[jti] = exp
    scopes = str(claims.get("scope") or "").split()
    if not scopes:
        return oauth_error("invalid_scope", "No scope requested")
    missing = [s for s in scopes if s not in client.scopes]
    if missing:
        return oauth_error("invalid_scope", f"Scope(s) not granted to the client: {' '.join(missing)}")
    details_out = None
    details = claims.get("authorization_details")
    if details:
        if (
            not isinstance(details, list)
            or len(details) != 1
            or not isinstance(details[0], dict)
            or details[0].get("type") != SYSTEMUSER_TYPE
        ):
            return oauth_error(
                "invalid_authorization_details", "Exactly one urn:altinn:systemuser detail is allowed"
            )
        detail = details[0]
        org_id = str(
            (detail.get("systemuser_org") or {}).get("ID")
            or (detail.get("systemuser_org") or {}).get("id")
            or ""
        )
        if not org_id.startswith("0192:") or len(org_id) != 14:
            return oauth_error("invalid_authorization_details", "systemuser_org.ID must be 0192:<orgno>")
        org = org_id[5:]
        external_ref = detail.get("externalRef") or org
        user = None
        with ext.lock:
            for system in ext.systems.values():
                if system.deleted or client.client_id not in system.client_ids:
                    continue
                user = ext.find_system_user(system.id, org, external_ref)
                if user:
                    break
        if user is None:
            return oauth_error(
                "invalid_altinn_customer_configuration",
                f"MP-303: No system user found for organization {org} with externalRef "
                f"{external_ref} on a system that lists this client_id",
            )
        details_out = [
            {
                "type": SYSTEMUSER_TYPE,
                "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": org_id},
                "systemuser_id": [user.id],
                "system_id": user.system_id,
            }
        ]
    lifetime = ext.mp_token_lifetime
    out = {
        "scope": " ".join(scopes),
        "iss": issuer,
        "client_amr": "private_key_jwt",
        "token_type": "Bearer",
        "exp": int(now) + lifetime,
        "iat": int(now),
        "jti": str(uuid.uuid4()),
        "client_id": client.client_id,
        "consumer": {"authority": "iso6523-actorid-upis", "ID": f"0192:{client.consumer_org}"},
    }
    if details_out:
        out["authorization_details"] = details_out
    access = jwt.sign_rs256(out, ext.keys.maskinporten, ext.keys.maskinporten_kid)
    return Response.json(
        {"access_token": access, "token_type": "Bearer", "expires_in": lifetime, "scope": out["scope"]}
    )
