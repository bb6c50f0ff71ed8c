"""Grant building and JWS without a server: signature, claims, x5c, key checks, environments, cache."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from a3_testlib import new_key, pem_of
from cryptography import x509
from cryptography.hazmat.backends import default_backend
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from prisolve_altinn.altinn import errors
from prisolve_altinn.altinn.altinn3 import env as envmod
from prisolve_altinn.altinn.altinn3 import jws
from prisolve_altinn.altinn.altinn3.maskinporten import MaskinportenClient, normalize_scopes
from prisolve_altinn.altinn.altinn3.tokens import AccessToken, TokenCache

CLIENT_ID = "11111111-2222-3333-4444-555555555555"


def make_cert(key, *, days_valid=365, not_before=None):
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "TESTLEVERANDØR AS"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, "314159268"),
        ]
    )
    start = not_before or datetime.now(timezone.utc) - timedelta(days=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days_valid))
        .sign(key, hashes.SHA256(), default_backend())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def client(key, clock=time.time, **kw):
    return MaskinportenClient(envmod.TEST, CLIENT_ID, pem_of(key), clock=clock, cache=TokenCache(), **kw)


def test_grant_claims_and_signature(rsa_key):
    now = 1_800_000_000
    mp = client(rsa_key, clock=lambda: now, key_id="kid-1")
    grant = mp.build_grant(["digdir:dialogporten", "altinn:correspondence.read"], "911158612")
    header, claims = jws.verify(grant, rsa_key.public_key())
    assert header == {"alg": "RS256", "typ": "JWT", "kid": "kid-1"}
    assert claims["aud"] == "https://test.maskinporten.no/"
    assert claims["iss"] == CLIENT_ID
    assert claims["scope"] == "altinn:correspondence.read digdir:dialogporten"
    assert claims["iat"] == now and claims["exp"] == now + 60
    assert claims["exp"] - claims["iat"] <= 120
    assert claims["authorization_details"] == [
        {
            "type": "urn:altinn:systemuser",
            "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": "0192:911158612"},
        }
    ]
    second = jws.unverified_claims(mp.build_grant("digdir:dialogporten", "911158612"))
    assert second["jti"] != claims["jti"]


def test_grant_external_ref_and_plain_grant(rsa_key):
    mp = client(rsa_key)
    claims = jws.unverified_claims(mp.build_grant("x:y", "911158612", external_ref="odoo-db-7"))
    assert claims["authorization_details"][0]["externalRef"] == "odoo-db-7"
    plain = jws.unverified_claims(mp.build_grant(("altinn:authentication/systemuser.request.write",)))
    assert "authorization_details" not in plain


def test_tampered_grant_does_not_verify(rsa_key):
    grant = client(rsa_key).build_grant("digdir:dialogporten", "911158612")
    head, body, sig = grant.split(".")
    forged_body = jws.b64url_encode(jws.b64url_decode(body).replace(b"911158612", b"313367002"))
    with pytest.raises(jws.JwsError):
        jws.verify(f"{head}.{forged_body}.{sig}", rsa_key.public_key())
    with pytest.raises(jws.JwsError):
        jws.verify(grant, new_key().public_key())


def test_default_kid_is_the_jwk_thumbprint(rsa_key):
    mp = client(rsa_key)
    assert mp.key_id == jws.jwk_thumbprint(rsa_key.public_key())
    assert mp.public_jwk()["kid"] == mp.key_id
    header = jws.split(mp.build_grant("a:b"))[0]
    assert header["kid"] == mp.key_id and "x5c" not in header


def test_business_certificate_goes_in_x5c(rsa_key):
    cert_pem = make_cert(rsa_key)
    mp = client(rsa_key, certificate_pem=cert_pem)
    header, _claims = jws.verify(mp.build_grant("a:b", "911158612"), rsa_key.public_key())
    assert "kid" not in header
    der = x509.load_pem_x509_certificate(cert_pem.encode(), default_backend()).public_bytes(
        serialization.Encoding.DER
    )
    assert jws.b64url_decode(header["x5c"][0].replace("+", "-").replace("/", "_")) == der
    # key and certificate in one PEM file work the same way
    combined = MaskinportenClient(envmod.TEST, CLIENT_ID, pem_of(rsa_key) + cert_pem, cache=TokenCache())
    assert combined._x5c == mp._x5c


def test_certificate_of_another_key_is_refused(rsa_key):
    with pytest.raises(errors.InvalidClientKey, match="does not belong"):
        client(rsa_key, certificate_pem=make_cert(new_key()))


def test_expired_certificate_is_refused_before_any_call(rsa_key):
    old = make_cert(rsa_key, days_valid=30, not_before=datetime.now(timezone.utc) - timedelta(days=400))
    mp = client(rsa_key, certificate_pem=old)
    with pytest.raises(errors.InvalidClientKey, match="expired"):
        mp.build_grant("a:b", "911158612")


@pytest.mark.parametrize(
    "pem", ["", "not a key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"]
)
def test_unreadable_key_is_an_invalid_client_key(pem):
    with pytest.raises(errors.InvalidClientKey) as info:
        MaskinportenClient(envmod.TEST, CLIENT_ID, pem, cache=TokenCache())
    assert "AAAA" not in str(info.value)


def test_short_rsa_key_is_refused():
    with pytest.raises(errors.InvalidClientKey, match="2048"):
        client(new_key(1024))


def test_configuration_checks(rsa_key):
    with pytest.raises(errors.ConfigurationError):
        MaskinportenClient(envmod.TEST, " ", pem_of(rsa_key))
    with pytest.raises(ValueError):
        client(rsa_key, grant_lifetime=121)
    with pytest.raises(errors.ConfigurationError):
        client(rsa_key).build_grant("a:b", "91115861")
    with pytest.raises(errors.ConfigurationError):
        normalize_scopes([])
    assert normalize_scopes("b a  a") == ("a", "b")


def test_environments():
    test = envmod.environment("tt02")
    assert (test.maskinporten_issuer, test.maskinporten_token_url, test.platform_url) == (
        "https://test.maskinporten.no/",
        "https://test.maskinporten.no/token",
        "https://platform.tt02.altinn.no",
    )
    prod = envmod.environment("production")
    assert (prod.maskinporten_issuer, prod.maskinporten_token_url, prod.platform_url) == (
        "https://maskinporten.no/",
        "https://maskinporten.no/token",
        "https://platform.altinn.no",
    )
    local = envmod.environment("local", maskinporten_url="http://127.0.0.1:9/")
    assert local.maskinporten_issuer == "http://127.0.0.1:9/" and local.platform_url == "http://127.0.0.1:9"
    assert local.platform("/dialogporten/api/v1/x") == "http://127.0.0.1:9/dialogporten/api/v1/x"
    override = envmod.environment("test", platform_url="http://127.0.0.1:8/")
    assert (
        override.platform_url == "http://127.0.0.1:8"
        and override.maskinporten_issuer == test.maskinporten_issuer
    )
    with pytest.raises(ValueError):
        envmod.environment("staging")
    with pytest.raises(ValueError):
        envmod.environment("local")


def test_cache_renews_shortly_before_expiry():
    now = [1000.0]
    cache = TokenCache(margin=30, clock=lambda: now[0])
    fetched = []

    def fetch():
        fetched.append(now[0])
        return AccessToken(f"t{len(fetched)}", issued_at=now[0], expires_at=now[0] + 120)

    assert cache.get("k", fetch).value == "t1"
    now[0] += 85  # 35 s left: still good
    assert cache.get("k", fetch).value == "t1"
    now[0] += 10  # 25 s left: renew
    assert cache.get("k", fetch).value == "t2"
    assert cache.get("other", fetch).value == "t3"
    cache.invalidate("k")
    assert cache.get("k", fetch).value == "t4"
    assert "t4" not in str(cache.peek("k")) and "t4" not in repr(cache.peek("k"))


def test_cache_is_thread_safe_one_fetch_per_key():
    cache = TokenCache()
    calls = []
    gate = threading.Event()

    def fetch():
        calls.append(1)
        gate.wait(1)
        return AccessToken("v", issued_at=time.time(), expires_at=time.time() + 120)

    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.get("k", fetch).value)) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(0.1)
    gate.set()
    for t in threads:
        t.join(5)
    assert results == ["v"] * 8
    assert len(calls) == 1
