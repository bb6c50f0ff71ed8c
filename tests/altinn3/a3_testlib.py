"""Helpers of the Altinn 3 tests (imported by conftest and the test modules)."""

from __future__ import annotations

import requests
from cryptography.hazmat.backends import default_backend
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

COMPANY = "911158612"
FIRM = "310478717"
CLIENT_COMPANY = "313367002"
UNDELEGATED = "315840228"


class Emu:
    """The running emulator plus HTTP helpers for its Altinn 3 control endpoints."""

    def __init__(self, handle):
        self.handle = handle
        self.url = handle.url
        self.state = handle.state

    def get(self, path, **kw):
        response = requests.get(self.url + path, timeout=10, **kw)
        response.raise_for_status()
        return response.json()

    def post(self, path, body=None):
        response = requests.post(self.url + path, json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def delete(self, path):
        response = requests.delete(self.url + path, timeout=10)
        response.raise_for_status()
        return response.json()

    def vendor(self):
        return self.get("/_emulator/altinn3/vendor")

    def fault(self, **spec):
        return self.post("/_emulator/altinn3/faults", spec)

    def calls(self, path_part=""):
        return [c for c in self.get("/_emulator/altinn3/calls") if path_part in c["path"]]

    def system_user(self, owner, agent=False):
        for user in self.get("/_emulator/altinn3/systemusers"):
            if user["owner_org"] == owner and user["agent"] == agent and not user["deleted"]:
                return user
        raise LookupError(owner)

    def dialogs(self, party):
        return self.get("/_emulator/altinn3/dialogs", params={"party": party})

    def register_key(self, key, *, client_id=None, kid=None, scopes=None):
        pem = (
            key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )
        body = {"client_id": client_id or self.vendor()["client_id"], "public_key_pem": pem}
        if kid:
            body["kid"] = kid
        if scopes is not None:
            body["scopes"] = scopes
        return self.post("/_emulator/altinn3/clients", body)


def new_key(bits: int = 2048):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits, backend=default_backend())


def pem_of(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
