"""The vendor's system in Altinn's system register (``authentication/api/v1/systemregister/vendor``).

Only the vendor may write its systems: the Maskinporten token's ``consumer`` must be the system's vendor
(else 403). A Maskinporten integration gets system-user tokens only for a system that lists its client
id, and a system-user request may ask only for access packages the system lists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import quote

from .. import errors
from .httpclient import error_for, json_of, problem_of, problem_text
from .maskinporten import MaskinportenClient, check_orgno
from .systemusers import PACKAGE_PREFIX, REGISTER_SCOPES

#: Packages that come from a client relationship in Enhetsregisteret: Altinn refuses them on a system
#: shown in its portal (``isVisible``, AUTH.VLD-00018).
CLIENT_PACKAGES = frozenset(
    PACKAGE_PREFIX + name
    for name in (
        "regnskapsforer-med-signeringsrettighet",
        "regnskapsforer-uten-signeringsrettighet",
        "regnskapsforer-lonn",
        "ansvarlig-revisor",
        "revisormedarbeider",
        "forretningsforer-eiendom",
    )
)
ENSURE_CREATED = "created"
ENSURE_UPDATED = "updated"
ENSURE_UNCHANGED = "unchanged"


def _package_urn(name: str) -> str:
    return name if name.startswith("urn:") else PACKAGE_PREFIX + name


def _union(current: Iterable[str], wanted: Iterable[str]) -> list[str]:
    result = list(current)
    for value in wanted:
        if value and value not in result:
            result.append(value)
    return result


@dataclass
class RegisteredSystem:
    """A system of the register (``RegisterSystemRequest`` / ``RegisteredSystemResponse``)."""

    id: str  # "<vendor orgno>_<name>"
    vendor_org: str
    name: dict[str, str]
    description: dict[str, str]
    client_ids: list[str] = field(default_factory=list)
    access_packages: list[str] = field(default_factory=list)  # URNs
    rights: list[str] = field(default_factory=list)  # resource ids (urn:altinn:resource)
    allowed_redirect_urls: list[str] = field(default_factory=list)
    is_visible: bool = False
    deleted: bool = False

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "vendor": {"authority": "iso6523-actorid-upis", "ID": f"0192:{self.vendor_org}"},
            "name": dict(self.name),
            "description": dict(self.description),
            "rights": [{"resource": [{"id": "urn:altinn:resource", "value": r}]} for r in self.rights],
            "accessPackages": [{"urn": p} for p in self.access_packages],
            "clientId": list(self.client_ids),
            "allowedRedirectUrls": list(self.allowed_redirect_urls),
            "isVisible": self.is_visible,
        }

    @classmethod
    def from_json(cls, body: dict) -> RegisteredSystem:
        if not isinstance(body, dict) or not body.get("id"):
            raise errors.MalformedResponse("System register: no id in the answer")
        rights = []
        for right in body.get("rights") or []:
            for attr in (right or {}).get("resource") or []:
                if isinstance(attr, dict) and attr.get("id") == "urn:altinn:resource" and attr.get("value"):
                    rights.append(str(attr["value"]))
        return cls(
            id=str(body["id"]),
            vendor_org=str((body.get("vendor") or {}).get("ID") or "").split(":")[-1],
            name=dict(body.get("name") or {}),
            description=dict(body.get("description") or {}),
            client_ids=[str(c) for c in body.get("clientId") or []],
            access_packages=[
                str(p.get("urn")) for p in body.get("accessPackages") or [] if isinstance(p, dict)
            ],
            rights=rights,
            allowed_redirect_urls=[str(u) for u in body.get("allowedRedirectUrls") or []],
            is_visible=bool(body.get("isVisible", False)),
            deleted=bool(body.get("isDeleted", False)),
        )


class SystemRegisterClient:
    """Read, create and update the vendor's systems (plain token, ``systemregister.write``)."""

    BASE = "authentication/api/v1/systemregister/vendor"

    def __init__(self, maskinporten: MaskinportenClient, *, scopes: Iterable[str] = REGISTER_SCOPES):
        self.mp = maskinporten
        self.scopes = tuple(scopes)

    def _send(self, method: str, path: str, *, what: str, **kwargs):
        url = self.mp.env.platform(f"{self.BASE}{path}")
        for attempt in (1, 2):
            token = self.mp.token(self.scopes).value
            response = self.mp.http.send(
                method, url, what=what, token=token, headers={"Accept": "application/json"}, **kwargs
            )
            if response.status_code == 401 and attempt == 1:
                self.mp.invalidate(self.scopes)
                continue
            return response
        return response  # pragma: no cover

    def _error(self, response, what: str, system_id: str) -> errors.AltinnError:
        problem = problem_of(response)
        kwargs = {"altinn_message": problem_text(problem) or response.text[:300] or None}
        kwargs["error_guid"] = problem.get("traceId")
        if response.status_code == 403:
            return errors.NotSystemVendor(f"{what} {system_id}: HTTP 403", **kwargs)
        if response.status_code in (400, 409):
            return errors.SystemRegisterRejected(f"{what} {system_id}: HTTP {response.status_code}", **kwargs)
        if response.status_code == 404:
            return errors.SystemNotRegistered(f"{what} {system_id}: HTTP 404", **kwargs)
        return error_for(response, what)

    def get(self, system_id: str) -> RegisteredSystem | None:
        """The system, or None when Altinn has none with this id.

        :raises errors.NotSystemVendor: the system belongs to another vendor
        """
        response = self._send("GET", f"/{quote(system_id, safe='')}", what="System register")
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise self._error(response, "System register", system_id)
        return RegisteredSystem.from_json(json_of(response, "System register"))

    def create(self, system: RegisteredSystem) -> str:  # pylint: disable=W8106
        """Register a new system; returns Altinn's internal id.

        :raises errors.SystemRegisterRejected: Altinn's validation (its texts in ``altinn_message``)
        :raises errors.NotSystemVendor: the token's organisation is not ``system.vendor_org``
        """
        response = self._send("POST", "", what="System registration", json=system.to_json())
        if response.status_code != 200:
            raise self._error(response, "System registration", system.id)
        return str(json_of(response, "System registration"))

    def update(self, system: RegisteredSystem) -> None:
        """Replace the whole system (``PUT …/vendor/{id}``)."""
        response = self._send(
            "PUT", f"/{quote(system.id, safe='')}", what="System update", json=system.to_json()
        )
        if response.status_code != 200:
            raise self._error(response, "System update", system.id)

    def ensure(
        self,
        system_id: str,
        *,
        client_id: str,
        access_packages: Iterable[str] = (),
        rights: Iterable[str] = (),
        redirect_urls: Iterable[str] = (),
        name: dict[str, str] | None = None,
        description: dict[str, str] | None = None,
    ) -> tuple[RegisteredSystem, str]:
        """Make the system exist and list ``client_id``, the packages, rights and redirect URLs (added to
        what it has; nothing is removed). Returns (system, ENSURE_CREATED | ENSURE_UPDATED |
        ENSURE_UNCHANGED)."""
        packages = [_package_urn(p) for p in access_packages]
        current = self.get(system_id)
        if current is None:
            vendor_org = check_orgno(system_id.split("_", 1)[0], "vendor's organisation number (system id)")
            names = name or {"nb": system_id, "nn": system_id, "en": system_id}
            system = RegisteredSystem(
                id=system_id,
                vendor_org=vendor_org,
                name=names,
                description=description or dict(names),
                client_ids=[client_id],
                access_packages=packages,
                rights=list(rights),
                allowed_redirect_urls=list(redirect_urls),
                is_visible=False,
            )
            self.create(system)
            return system, ENSURE_CREATED
        wanted = RegisteredSystem(
            id=current.id,
            vendor_org=current.vendor_org,
            name=name or current.name,
            description=description or current.description,
            client_ids=_union(current.client_ids, [client_id]),
            access_packages=_union(current.access_packages, packages),
            rights=_union(current.rights, rights),
            allowed_redirect_urls=_union(current.allowed_redirect_urls, redirect_urls),
            is_visible=current.is_visible and not (CLIENT_PACKAGES & set(packages)),
        )
        if wanted.to_json() == current.to_json():
            return current, ENSURE_UNCHANGED
        self.update(wanted)
        return wanted, ENSURE_UPDATED
