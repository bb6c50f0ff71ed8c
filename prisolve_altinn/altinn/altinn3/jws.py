"""Compact JWS (RS256/384/512) with ``cryptography`` only: PyJWT is not an Odoo dependency.

Only what a Maskinporten client needs: sign a grant with an RSA key (header ``kid`` or ``x5c``),
read a token's claims without verifying them (to learn ``exp`` of tokens we were just given over
TLS), and verify an RS256 signature (used by tests and handy for support).
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.backends import default_backend
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

_HASHES = {"RS256": hashes.SHA256, "RS384": hashes.SHA384, "RS512": hashes.SHA512}


class JwsError(ValueError):
    """A key, certificate or token that cannot be used; the text never contains key material."""


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if isinstance(text, str):
        text = text.encode("ascii")
    return base64.urlsafe_b64decode(text + b"=" * (-len(text) % 4))


def _json_b64(obj: dict) -> str:
    return b64url_encode(json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def as_bytes(pem: str | bytes) -> bytes:
    return pem.encode("utf-8") if isinstance(pem, str) else bytes(pem)


def load_private_key(pem: str | bytes, password: str | bytes | None = None) -> rsa.RSAPrivateKey:
    """The RSA private key in ``pem`` (PKCS#1 or PKCS#8, optionally encrypted).

    ``pem`` may also hold certificates (a combined key + certificate file): only the key is read.
    """
    data = as_bytes(pem)
    if isinstance(password, str):
        password = password.encode("utf-8")
    try:
        key = serialization.load_pem_private_key(data, password=password or None, backend=default_backend())
    except (ValueError, TypeError) as exc:
        # The library's text may quote the PEM structure, never the key; keep our own wording anyway.
        raise JwsError("The private key is not a readable PEM RSA key (or the password is wrong).") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise JwsError("The private key must be an RSA key (Maskinporten grants are signed with RS256).")
    if key.key_size < 2048:
        raise JwsError("The RSA key is shorter than 2048 bits; Maskinporten requires at least 2048.")
    return key


def load_certificates(pem: str | bytes) -> list[x509.Certificate]:
    """Every certificate in ``pem`` in file order (leaf first, as x5c wants)."""
    data = as_bytes(pem)
    marker = b"-----BEGIN CERTIFICATE-----"
    certs = []
    for chunk in data.split(marker)[1:]:
        end = chunk.find(b"-----END CERTIFICATE-----")
        if end < 0:
            raise JwsError("A certificate in the PEM file is not terminated.")
        block = marker + chunk[: end + len(b"-----END CERTIFICATE-----")]
        try:
            certs.append(x509.load_pem_x509_certificate(block, default_backend()))
        except ValueError as exc:
            raise JwsError("A certificate in the PEM file cannot be read.") from exc
    return certs


def x5c_chain(certificates: list[x509.Certificate]) -> list[str]:
    """The ``x5c`` header value: standard (not url-safe) base64 DER, leaf first (RFC 7515 §4.1.6)."""
    return [
        base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode("ascii") for c in certificates
    ]


def public_jwk(public_key: rsa.RSAPublicKey, kid: str | None = None) -> dict:
    """The RSA public key as a JWK (what is registered in Maskinporten's self-service)."""
    numbers = public_key.public_numbers()

    def _int(value: int) -> str:
        return b64url_encode(value.to_bytes((value.bit_length() + 7) // 8, "big"))

    jwk = {"kty": "RSA", "e": _int(numbers.e), "n": _int(numbers.n), "alg": "RS256", "use": "sig"}
    jwk["kid"] = kid or jwk_thumbprint(public_key)
    return jwk


def jwk_thumbprint(public_key: rsa.RSAPublicKey) -> str:
    """RFC 7638 SHA-256 thumbprint: our default ``kid`` when none was configured."""
    numbers = public_key.public_numbers()

    def _int(value: int) -> str:
        return b64url_encode(value.to_bytes((value.bit_length() + 7) // 8, "big"))

    canonical = json.dumps(
        {"e": _int(numbers.e), "kty": "RSA", "n": _int(numbers.n)}, separators=(",", ":"), sort_keys=True
    )
    return b64url_encode(hashlib.sha256(canonical.encode("ascii")).digest())


def sign(
    claims: dict,
    private_key: rsa.RSAPrivateKey,
    *,
    alg: str = "RS256",
    kid: str | None = None,
    x5c: list[str] | None = None,
    typ: str | None = "JWT",
) -> str:
    """Compact JWS of ``claims``; header carries ``kid`` and/or ``x5c`` when given."""
    if alg not in _HASHES:
        raise JwsError(f"Unsupported signing algorithm {alg}")
    header: dict[str, Any] = {"alg": alg}
    if typ:
        header["typ"] = typ
    if kid:
        header["kid"] = kid
    if x5c:
        header["x5c"] = list(x5c)
    signing_input = f"{_json_b64(header)}.{_json_b64(claims)}"
    signature = private_key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), _HASHES[alg]())
    return f"{signing_input}.{b64url_encode(signature)}"


def split(token: str) -> tuple[dict, dict, bytes, bytes]:
    """(header, claims, signing input, signature) without any verification."""
    if not isinstance(token, str) or token.count(".") != 2:
        raise JwsError("Not a compact JWS")
    head, body, sig = token.split(".")
    try:
        header = json.loads(b64url_decode(head))
        claims = json.loads(b64url_decode(body))
        signature = b64url_decode(sig)
    except (ValueError, TypeError) as exc:
        raise JwsError("Not a compact JWS") from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise JwsError("Not a compact JWS")
    return header, claims, f"{head}.{body}".encode("ascii"), signature


def unverified_claims(token: str) -> dict:
    """Claims of a token we received over TLS from its issuer (used for ``exp`` only)."""
    return split(token)[1]


def verify(token: str, public_key: rsa.RSAPublicKey) -> tuple[dict, dict]:
    """(header, claims) when the RS* signature is valid, else ``JwsError``."""
    header, claims, signing_input, signature = split(token)
    alg = header.get("alg")
    if alg not in _HASHES:
        raise JwsError(f"Unsupported algorithm {alg!r}")
    try:
        public_key.verify(signature, signing_input, padding.PKCS1v15(), _HASHES[alg]())
    except InvalidSignature as exc:
        raise JwsError("Invalid signature") from exc
    return header, claims
