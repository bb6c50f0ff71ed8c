"""JWS for the emulator, written apart from the client's on purpose: the token endpoint verifies
client grants with an independent implementation (RS256/384/512) and signs its own tokens
(RS256 for Maskinporten/Altinn, EdDSA/Ed25519 for Dialogporten dialog tokens)."""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.backends import default_backend
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

RS_HASHES = {"RS256": hashes.SHA256, "RS384": hashes.SHA384, "RS512": hashes.SHA512}


class TokenError(ValueError):
    pass


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64d(text: str) -> bytes:
    raw = text.encode("ascii") if isinstance(text, str) else text
    return base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4))


def _seg(obj: dict) -> str:
    return b64e(json.dumps(obj, separators=(",", ":")).encode("utf-8"))


def new_rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits, backend=default_backend())


def private_pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def public_pem(public_key) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def public_der(public_key) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_public(pem: str | bytes):
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    if b"CERTIFICATE" in data:
        return x509.load_pem_x509_certificate(data, default_backend()).public_key()
    if b"PRIVATE KEY" in data:
        return serialization.load_pem_private_key(data, None, default_backend()).public_key()
    return serialization.load_pem_public_key(data, default_backend())


def _int_b64(value: int) -> str:
    return b64e(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def rsa_jwk(public_key, kid: str | None = None) -> dict:
    numbers = public_key.public_numbers()
    jwk = {"kty": "RSA", "e": _int_b64(numbers.e), "n": _int_b64(numbers.n), "use": "sig", "alg": "RS256"}
    jwk["kid"] = kid or thumbprint(public_key)
    return jwk


def thumbprint(public_key) -> str:
    """RFC 7638 thumbprint (the default kid when none is registered)."""
    numbers = public_key.public_numbers()
    canonical = json.dumps(
        {"e": _int_b64(numbers.e), "kty": "RSA", "n": _int_b64(numbers.n)},
        separators=(",", ":"),
        sort_keys=True,
    )
    return b64e(hashlib.sha256(canonical.encode("ascii")).digest())


def jwk_public(jwk: dict):
    if jwk.get("kty") != "RSA":
        raise TokenError("only RSA JWKs are accepted")
    e = int.from_bytes(b64d(jwk["e"]), "big")
    n = int.from_bytes(b64d(jwk["n"]), "big")
    return rsa.RSAPublicNumbers(e, n).public_key(default_backend())


def ed_jwk(public_key: ed25519.Ed25519PublicKey, kid: str) -> dict:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": b64e(raw), "use": "sig", "alg": "EdDSA", "kid": kid}


def sign_rs256(claims: dict, key: rsa.RSAPrivateKey, kid: str) -> str:
    head = _seg({"alg": "RS256", "typ": "JWT", "kid": kid})
    body = _seg(claims)
    sig = key.sign(f"{head}.{body}".encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return f"{head}.{body}.{b64e(sig)}"


def sign_eddsa(claims: dict, key: ed25519.Ed25519PrivateKey, kid: str) -> str:
    head = _seg({"alg": "EdDSA", "typ": "JWT", "kid": kid})
    body = _seg(claims)
    return f"{head}.{body}.{b64e(key.sign(f'{head}.{body}'.encode('ascii')))}"


def parse(token: str) -> tuple[dict, dict, bytes, bytes]:
    parts = (token or "").split(".")
    if len(parts) != 3:
        raise TokenError("not a compact JWS")
    try:
        header = json.loads(b64d(parts[0]))
        claims = json.loads(b64d(parts[1]))
        sig = b64d(parts[2])
    except ValueError as exc:
        raise TokenError("not a compact JWS") from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise TokenError("not a compact JWS")
    return header, claims, f"{parts[0]}.{parts[1]}".encode("ascii"), sig


def verify_rs(signing_input: bytes, sig: bytes, alg: str, public_key) -> None:
    if alg not in RS_HASHES:
        raise TokenError(f"unsupported alg {alg}")
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise TokenError("not an RSA key")
    try:
        public_key.verify(sig, signing_input, padding.PKCS1v15(), RS_HASHES[alg]())
    except InvalidSignature as exc:
        raise TokenError("Invalid signature") from exc


def verify_eddsa(signing_input: bytes, sig: bytes, public_key: ed25519.Ed25519PublicKey) -> None:
    try:
        public_key.verify(sig, signing_input)
    except InvalidSignature as exc:
        raise TokenError("Invalid signature") from exc


def load_x5c(x5c: list) -> list:
    try:
        return [x509.load_der_x509_certificate(base64.b64decode(c), default_backend()) for c in x5c]
    except (ValueError, TypeError) as exc:
        raise TokenError("x5c cannot be read") from exc
