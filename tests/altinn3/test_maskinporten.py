"""Maskinporten against the emulator: issuing, verification rules, caching, and each failure class."""

from __future__ import annotations

import time
import uuid

import pytest
import requests
from a3_testlib import COMPANY, FIRM, UNDELEGATED, new_key, pem_of
from cryptography.hazmat.primitives import serialization
from test_grant import make_cert

from prisolve_altinn.altinn import errors
from prisolve_altinn.altinn.altinn3 import env as envmod
from prisolve_altinn.altinn.altinn3 import jws
from prisolve_altinn.altinn.altinn3.maskinporten import READ_SCOPES, MaskinportenClient
from prisolve_altinn.altinn.altinn3.tokens import TokenCache


def mp_client(emu, http, key=None, *, kid=None, clock=time.time, cache=None, client_id=None, **kw):
    vendor = emu.vendor()
    pem = pem_of(key) if key is not None else vendor["private_key_pem"]
    return MaskinportenClient(
        envmod.local(emu.url),
        client_id or vendor["client_id"],
        pem,
        key_id=kid if kid is not None else (None if key is not None else vendor["kid"]),
        http=http,
        cache=cache if cache is not None else TokenCache(),
        clock=clock,
        **kw,
    )


def post_grant(emu, claims, key, headers=None):
    grant = jws.sign(claims, key, kid=(headers or {}).get("kid"), x5c=(headers or {}).get("x5c"))
    return requests.post(
        emu.url + "/token",
        timeout=5,
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": grant},
    )


def base_claims(emu, **over):
    now = int(time.time())
    claims = {
        "aud": emu.url + "/",
        "iss": emu.vendor()["client_id"],
        "scope": "digdir:dialogporten",
        "iat": now,
        "exp": now + 60,
        "jti": str(uuid.uuid4()),
        "authorization_details": [
            {
                "type": "urn:altinn:systemuser",
                "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": f"0192:{COMPANY}"},
            }
        ],
    }
    claims.update(over)
    return claims


def test_metadata_and_jwks(emu, http):
    meta = mp_client(emu, http).metadata()
    assert meta["issuer"] == emu.url + "/"
    assert meta["token_endpoint"] == emu.url + "/token"
    assert "urn:altinn:systemuser" in meta["authorization_details_types_supported"]
    keys = requests.get(meta["jwks_uri"], timeout=5).json()["keys"]
    assert keys[0]["kty"] == "RSA"


def test_system_user_token_claims_and_signature(emu, http):
    token = mp_client(emu, http).token(READ_SCOPES, COMPANY)
    claims = jws.unverified_claims(token.value)
    detail = claims["authorization_details"][0]
    assert detail["systemuser_org"] == {"authority": "iso6523-actorid-upis", "ID": f"0192:{COMPANY}"}
    assert detail["systemuser_id"] == [emu.system_user(COMPANY)["id"]]
    assert detail["system_id"] == emu.vendor()["system_id"]
    assert claims["consumer"]["ID"] == "0192:" + emu.vendor()["vendor_org"]
    assert claims["iss"] == emu.url + "/"
    assert set(claims["scope"].split()) == set(READ_SCOPES)
    assert token.expires_at - token.issued_at == pytest.approx(120, abs=1)
    # the signature verifies against Maskinporten's published key
    from cryptography.hazmat.primitives.asymmetric import rsa as rsa_mod

    jwk = requests.get(emu.url + "/jwk", timeout=5).json()["keys"][0]
    public = rsa_mod.RSAPublicNumbers(
        int.from_bytes(jws.b64url_decode(jwk["e"]), "big"), int.from_bytes(jws.b64url_decode(jwk["n"]), "big")
    ).public_key()
    jws.verify(token.value, public)


def test_tokens_are_cached_per_client_scope_and_org(emu, http):
    offset = [0.0]
    cache = TokenCache(clock=lambda: time.time() + offset[0])  # the grant keeps the true time
    mp = mp_client(emu, http, cache=cache)
    first = mp.token(READ_SCOPES, COMPANY)
    assert mp.token(list(reversed(READ_SCOPES)), COMPANY) is first  # scope order does not matter
    assert len(emu.calls("/token")) == 1
    other = mp.token(READ_SCOPES, FIRM, external_ref=f"{FIRM}-klient")
    assert other.value != first.value and len(emu.calls("/token")) == 2
    offset[0] += 60  # still more than 30 s left
    assert mp.token(READ_SCOPES, COMPANY) is first
    offset[0] += 45  # shortly before expiry: renewed
    assert mp.token(READ_SCOPES, COMPANY).value != first.value
    assert len(emu.calls("/token")) == 3


def test_registered_key_and_certificate(emu, http, rsa_key):
    emu.register_key(rsa_key, kid="k-2026")
    assert mp_client(emu, http, rsa_key, kid="k-2026").token(READ_SCOPES, COMPANY).value
    # default kid = thumbprint on both sides
    other = new_key()
    emu.register_key(other)
    assert mp_client(emu, http, other).token(READ_SCOPES, COMPANY).value
    cert_key = new_key()
    cert = make_cert(cert_key)
    emu.post("/_emulator/altinn3/clients", {"client_id": emu.vendor()["client_id"], "certificate_pem": cert})
    assert mp_client(emu, http, cert_key, certificate_pem=cert).token(READ_SCOPES, COMPANY).value


MP_100 = "Invalid assertion. Client authentication failed."


def test_unregistered_certificate_is_rejected(emu, http):
    key = new_key()
    with pytest.raises(errors.InvalidClientKey) as info:
        mp_client(emu, http, key, certificate_pem=make_cert(key)).token(READ_SCOPES, COMPANY)
    assert info.value.altinn_message == MP_100 + " The JWT is signed with an invalid certificate."  # MP-120


def test_unknown_kid_is_an_invalid_client_key(emu, http, rsa_key):
    with pytest.raises(errors.InvalidClientKey) as info:
        mp_client(emu, http, rsa_key, kid="never-registered").token(READ_SCOPES, COMPANY)
    assert info.value.altinn_message == MP_100
    assert "never-registered" in info.value.detail and "Maskinporten" in info.value.text()


def test_wrong_key_for_a_registered_kid(emu, http, rsa_key):
    emu.register_key(rsa_key, kid="k-1")
    with pytest.raises(errors.InvalidClientKey, match="k-1") as info:
        mp_client(emu, http, new_key(), kid="k-1").token(READ_SCOPES, COMPANY)
    assert info.value.altinn_message == MP_100


def test_expired_key_is_mp_121(emu, http, rsa_key):
    vendor = emu.vendor()
    emu.post(
        "/_emulator/altinn3/clients",
        {
            "client_id": vendor["client_id"],
            "public_key_pem": rsa_key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode(),
            "kid": "expired",
            "expires_at": time.time() - 60,
        },
    )
    with pytest.raises(errors.InvalidClientKey) as info:
        mp_client(emu, http, rsa_key, kid="expired").token(READ_SCOPES, COMPANY)
    assert info.value.altinn_message == MP_100 + " Expired key"


def test_client_authentication_failures_are_invalid_grant_on_the_wire(emu):
    """Maskinporten answers every failed client authentication with invalid_grant (MP-100 family), never
    invalid_client: unknown client, unknown kid, bad signature, wrong audience."""
    key = new_key()
    emu.register_key(key, kid="wire")
    cases = {
        "unknown client": (base_claims(emu, iss="00000000-0000-0000-0000-000000000000"), key, MP_100),
        "unknown kid": (base_claims(emu), new_key(), MP_100),
        "bad signature": (base_claims(emu), new_key(), MP_100),
        "audience": (
            base_claims(emu, aud="https://maskinporten.no/"),
            key,
            MP_100 + " Invalid JWT claim aud",
        ),
    }
    kids = {"unknown kid": "nobody"}
    for name, (claims, signer, text) in cases.items():
        answer = post_grant(emu, claims, signer, {"kid": kids.get(name, "wire")})
        assert answer.status_code == 400, name
        assert answer.json() == {"error": "invalid_grant", "error_description": text}, name


def test_removed_key_stops_working(emu, http, rsa_key):
    emu.register_key(rsa_key, kid="old")
    emu.delete(f"/_emulator/altinn3/clients/{emu.vendor()['client_id']}/keys/old")
    with pytest.raises(errors.InvalidClientKey):
        mp_client(emu, http, rsa_key, kid="old").token(READ_SCOPES, COMPANY)


def test_unknown_client_id(emu, http):
    with pytest.raises(errors.InvalidClientKey) as info:
        mp_client(emu, http, client_id="00000000-0000-0000-0000-000000000000").token(READ_SCOPES, COMPANY)
    assert info.value.altinn_message == MP_100


@pytest.mark.parametrize("offset", [60, -60])
def test_clock_skew_is_named(emu, http, offset, nb):
    mp = mp_client(emu, http, clock=lambda: time.time() + offset)
    with pytest.raises(errors.ClockSkew) as info:
        mp.token(READ_SCOPES, COMPANY)
    assert "NTP" in info.value.text() and "klokken" in info.value.text(nb)


def test_small_skew_is_tolerated(emu, http):
    assert mp_client(emu, http, clock=lambda: time.time() - 5).token(READ_SCOPES, COMPANY).value


def test_scope_not_granted(emu, http, rsa_key):
    emu.register_key(rsa_key, kid="limited", scopes=["digdir:dialogporten"])
    with pytest.raises(errors.ScopeNotGranted) as info:
        mp_client(emu, http, rsa_key, kid="limited").token(READ_SCOPES, COMPANY)
    assert "altinn:correspondence.read" in info.value.altinn_message


def test_org_without_system_user_gets_mp303(emu, http):
    with pytest.raises(errors.SystemUserNotApproved) as info:
        mp_client(emu, http).token(READ_SCOPES, UNDELEGATED)
    assert UNDELEGATED in str(info.value.detail) and "MP-303" in info.value.detail


def test_external_ref_must_match(emu, http):
    with pytest.raises(errors.SystemUserNotApproved):
        mp_client(emu, http).token(READ_SCOPES, COMPANY, external_ref="another-ref")


def test_revoked_system_user_cannot_get_tokens(emu, http):
    emu.post(f"/_emulator/altinn3/systemusers/{emu.system_user(COMPANY)['id']}/revoke")
    with pytest.raises(errors.SystemUserNotApproved):
        mp_client(emu, http).token(READ_SCOPES, COMPANY)


def test_server_side_grant_rules(emu):
    key = new_key()
    emu.register_key(key, kid="rules")
    head = {"kid": "rules"}
    assert post_grant(emu, base_claims(emu), key, head).status_code == 200
    legacy = post_grant(emu, base_claims(emu, aud=emu.url + "/token"), key, head)
    assert legacy.status_code == 200  # the token-URL audience is still accepted
    cases = {
        "audience": base_claims(emu, aud="https://maskinporten.no/"),
        "lifetime": base_claims(emu, exp=int(time.time()) + 300),
        "expired": base_claims(emu, iat=int(time.time()) - 5, exp=int(time.time()) - 30),
        "skew": base_claims(emu, iat=int(time.time()) + 30, exp=int(time.time()) + 60),
    }
    for name, claims in cases.items():
        answer = post_grant(emu, claims, key, head)
        assert answer.status_code == 400, name
        assert answer.json()["error"] == "invalid_grant", name
    replay = base_claims(emu)
    assert post_grant(emu, replay, key, head).status_code == 200
    again = post_grant(emu, replay, key, head)
    assert again.json()["error"] == "invalid_grant" and "replay" in again.json()["error_description"]
    assert post_grant(emu, base_claims(emu), key, {}).json()["error"] == "invalid_grant"  # no kid, no x5c
    no_jti = base_claims(emu)
    del no_jti["jti"]
    assert post_grant(emu, no_jti, key, head).json()["error"] == "invalid_grant"
    bad_type = requests.post(emu.url + "/token", data={"grant_type": "client_credentials"}, timeout=5)
    assert bad_type.json()["error"] == "unsupported_grant_type"


def test_rate_limit_and_outage_on_the_token_endpoint(emu, http, sleeps):
    emu.fault(path="^/token$", status=429, retry_after=1, count=5)
    with pytest.raises(errors.RateLimited) as info:
        mp_client(emu, http).token(READ_SCOPES, COMPANY)
    assert info.value.retry_after == 1 and info.value.retryable
    assert sleeps == [1.0, 1.0]  # two retries, each after Retry-After
    emu.post("/_emulator/altinn3/faults", {"path": "^/token$", "status": 503, "count": 5})
    with pytest.raises(errors.ServiceUnavailable):
        mp_client(emu, http).token(READ_SCOPES, COMPANY)


def test_one_outage_is_retried_with_a_fresh_grant(emu, http):
    emu.handle.state.extensions["altinn3"].faults.clear()
    emu.fault(path="^/token$", status=503, count=1)
    assert mp_client(emu, http).token(READ_SCOPES, COMPANY).value
    assert [c["status"] for c in emu.calls("/token")] == [503, 200]


def test_timeout_on_the_token_endpoint(emu):
    from prisolve_altinn.altinn.altinn3.httpclient import Http

    slow = Http(timeout=(1.0, 0.3), max_retries=0)
    emu.fault(path="^/token$", status=200, json={"access_token": "late"}, delay_seconds=1.0)
    with pytest.raises(errors.AltinnTimeout) as info:
        mp_client(emu, slow).token(READ_SCOPES, COMPANY)
    assert info.value.retryable
