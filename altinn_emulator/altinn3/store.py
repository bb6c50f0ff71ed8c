"""Altinn 3 state of the emulator (``state.extensions["altinn3"]``): Maskinporten clients and keys,
the system register, system-user requests and system users, per-dialog end-user state, faults.

Dialogs are not stored: they are views of the shared items (``state.items``), so the SOAP and the
Altinn 3 side serve the same Skatteetaten documents.
"""

from __future__ import annotations

import functools
import os
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from .. import defaults
from . import jwt

NS = uuid.UUID("5f1c1c55-3a0e-4c39-9d1e-6a2f3c8e0a31")

VENDOR_ORG = "314159268"
VENDOR_NAME = "PRISOLVE TESTLEVERANDØR AS"
SYSTEM_ID = f"{VENDOR_ORG}_prisolvealtinn"
CLIENT_ID = "6a3c1b7e-2f49-4b8e-9c51-0d7f3e2a9b14"  # the vendor's Maskinporten integration
VENDOR_KID = "prisolve-emulator-key-1"
VENDOR_SCOPES = (
    "digdir:dialogporten",
    "altinn:correspondence.read",
    "altinn:instances.read",
    "altinn:authentication/systemuser.request.write",
    "altinn:authentication/systemuser.request.read",
    "altinn:authentication/systemregister.write",
    "altinn:clientdelegations.read",
    "altinn:clientdelegations.write",
)
PKG = "urn:altinn:accesspackage:"
#: Packages that come from a client relationship in Enhetsregisteret (regnskapsfører, revisor,
#: forretningsfører): an agent system user may hold them, a standard one may not (AUTH-00064/65).
CLIENT_PACKAGES = frozenset(
    PKG + name
    for name in (
        "regnskapsforer-med-signeringsrettighet",
        "regnskapsforer-uten-signeringsrettighet",
        "regnskapsforer-lonn",
        "ansvarlig-revisor",
        "revisormedarbeider",
        "forretningsforer-eiendom",
    )
)
#: Administration packages: never delegated onwards to an agent system user (a guess: the real flag
#: is Access Management's ``isDelegable``).
ADMIN_PACKAGES = frozenset(
    PKG + name for name in ("klientadministrator", "tilgangsstyring", "hovedadministrator")
)
KLIENTADMINISTRATOR = PKG + "klientadministrator"
SYSTEM_PACKAGES = (
    PKG + "regnskapsforer-med-signeringsrettighet",
    PKG + "regnskapsforer-uten-signeringsrettighet",
    PKG + "regnskapsforer-lonn",
    PKG + "skattegrunnlag",
    PKG + "merverdiavgift",
    KLIENTADMINISTRATOR,
)
COMPANY = defaults.COMPANY
FIRM = defaults.FIRM
CLIENT_COMPANY = defaults.CLIENT_COMPANY
#: externalRef of the firm's agent system user: the product's rule (``altinn3.systemusers.external_ref``).
FIRM_AGENT_REF = f"{FIRM}-klient"
REQUEST_STATUSES = ("New", "Accepted", "Rejected", "Denied", "Timedout")
MAX_CLOCK_SKEW = 10
MAX_GRANT_LIFETIME = 120
MP_TOKEN_LIFETIME = 120
ALTINN_TOKEN_LIFETIME = 1800
DIALOG_TOKEN_LIFETIME = 600
SYSTEMUSER_PAGE = 50


@functools.lru_cache(maxsize=1 << 16)
def stable_uuid(*parts) -> str:
    # Pure, and asked for every item of a listing on every call: computed once per value.
    return str(uuid.uuid5(NS, ":".join(str(p) for p in parts)))


class Keys:
    """The emulator's own signing keys and the default vendor key, made once per process.

    The vendor key is an ephemeral test key (never a real one): $ALTINN_EMULATOR_A3_VENDOR_KEY may
    name a PEM file to use instead, e.g. to keep one key across restarts for an Odoo demo database.
    """

    _lock = threading.Lock()
    _instance: Keys | None = None

    def __init__(self):
        self.maskinporten = jwt.new_rsa_key()
        self.maskinporten_kid = "emulator-maskinporten-1"
        self.platform = jwt.new_rsa_key()
        self.platform_kid = "emulator-altinn-1"
        self.dialog = ed25519.Ed25519PrivateKey.generate()
        self.dialog_kid = "emulator-dialogporten-1"
        # Every request's token is verified with one of these: derived once, not per request.
        self.maskinporten_public = self.maskinporten.public_key()
        self.platform_public = self.platform.public_key()
        self.dialog_public = self.dialog.public_key()
        path = os.environ.get("ALTINN_EMULATOR_A3_VENDOR_KEY")
        if path:
            with open(path, "rb") as handle:
                self.vendor = serialization.load_pem_private_key(handle.read(), None)
        else:
            self.vendor = jwt.new_rsa_key()

    @classmethod
    def get(cls) -> Keys:
        with cls._lock:
            if cls._instance is None:
                cls._instance = Keys()
            return cls._instance


@dataclass
class Client:
    client_id: str
    consumer_org: str
    scopes: set[str]
    keys: dict[str, object] = field(default_factory=dict)  # kid -> RSA public key
    certificates: list[bytes] = field(default_factory=list)  # DER of public keys of trusted business certs
    name: str = ""
    key_expiry: dict[str, float] = field(default_factory=dict)  # kid -> epoch seconds (MP-121 after it)


@dataclass
class System:
    """A system in the system register (``RegisteredSystemResponse``)."""

    id: str
    vendor_org: str
    name: dict
    client_ids: list[str]
    access_packages: list[str]
    rights: list[dict] = field(default_factory=list)
    allowed_redirect_urls: list[str] = field(default_factory=list)
    guid: str = ""
    description: dict = field(default_factory=dict)
    is_visible: bool = False
    deleted: bool = False

    def as_json(self) -> dict:
        """``GET …/systemregister/vendor/{id}``: camelCase, the internal id is not shown."""
        return {
            "id": self.id,
            # VendorInfo.Authority is a C# field: System.Text.Json never writes it.
            "vendor": {"ID": f"0192:{self.vendor_org}"},
            "name": self.name,
            "description": self.description,
            "rights": self.rights,
            "accessPackages": [{"urn": u} for u in self.access_packages],
            "isDeleted": self.deleted,
            "clientId": self.client_ids,
            "isVisible": self.is_visible,
            "allowedRedirectUrls": self.allowed_redirect_urls,
        }

    def as_dto(self, vendor_name: str) -> dict:
        """``GET …/systemregister/vendor`` lists ``RegisteredSystemDTO`` (no client ids)."""
        return {
            "systemId": self.id,
            "systemVendorOrgNumber": self.vendor_org,
            "systemVendorOrgName": vendor_name,
            "name": self.name,
            "description": self.description,
            "rights": self.rights,
            "accessPackages": [{"urn": u} for u in self.access_packages],
            "isVisible": self.is_visible,
        }


@dataclass
class Request:
    id: str
    system_id: str
    party_org: str
    external_ref: str
    agent: bool
    access_packages: list[str]
    rights: list[dict]
    redirect_url: str | None
    integration_title: str | None
    created: datetime
    status: str = "New"  # New | Accepted | Rejected | Denied | Timedout
    system_user_id: str | None = None
    deleted: bool = False  # soft delete: DELETE by the vendor, or the archiver after 28 days

    def confirm_url(self, ui: str) -> str:
        page = "agentrequest" if self.agent else "request"
        return f"{ui}/accessmanagement/ui/systemuser/{page}?id={self.id}&DONTCHOOSEREPORTEE=true"

    def as_json(self, ui: str) -> dict:
        body = {
            "id": self.id,
            "integrationTitle": self.integration_title,
            "externalRef": self.external_ref,
            "systemId": self.system_id,
            "partyOrgNo": self.party_org,
            "accessPackages": [{"urn": u} for u in self.access_packages],
            "status": self.status,
            "redirectUrl": self.redirect_url,
            "confirmUrl": self.confirm_url(ui),
            "escalated": False,
            "created": self.created.isoformat(),
            "timedOut": False,
        }
        if not self.agent:
            body["rights"] = self.rights
        return body


@dataclass
class SystemUser:
    id: str
    system_id: str
    owner_org: str
    external_ref: str
    agent: bool
    access_packages: list[str]
    created: datetime
    integration_title: str = ""
    clients: set[str] = field(default_factory=set)  # agent: delegated client org numbers
    deleted: bool = False

    def can_read(self, org: str) -> bool:
        if self.deleted:
            return False
        return org in self.clients if self.agent else org == self.owner_org

    def as_json(self, system: System | None, vendor_name: str) -> dict:
        """``SystemUserExternalDTO`` (vendor byquery/bysystem): no packages, ``userType`` in lower case."""
        return {
            "id": self.id,
            "integrationTitle": self.integration_title,
            "systemId": self.system_id,
            "productName": (system.name.get("nb") if system else "") or "",
            "reporteeOrgNo": self.owner_org,
            "created": self.created.isoformat(),
            "isDeleted": self.deleted,
            "supplierName": vendor_name,
            "supplierOrgno": system.vendor_org if system else "",
            "externalRef": self.external_ref,
            "userType": "agent" if self.agent else "standard",
        }


@dataclass
class DialogExtra:
    """End-user state Altinn 3 keeps beside a dialog (seen log, labels, correspondence status)."""

    revision: str
    labels: list[str] = field(default_factory=list)
    label_changed: datetime | None = None
    seen: list[dict] = field(default_factory=list)
    correspondence_status: str | None = None
    status_history: list[dict] = field(default_factory=list)
    activities: list[dict] = field(default_factory=list)
    # attachment file name (or "*") -> "unauthorized" | "refused" | "unavailable" (test control)
    attachment_modes: dict[str, str] = field(default_factory=dict)

    def attachment_mode(self, filename: str) -> str | None:
        return self.attachment_modes.get(filename) or self.attachment_modes.get("*")


class A3State:
    def __init__(self, state):
        self.keys = Keys.get()
        self.lock = state.lock
        self.clients: dict[str, Client] = {}
        self.systems: dict[str, System] = {}
        self.requests: dict[str, Request] = {}
        self.system_users: dict[str, SystemUser] = {}
        self.jtis: dict[str, float] = {}
        self.faults: list[dict] = []
        self.calls: list[dict] = []
        self.calls_total = 0  # Altinn 3 calls answered since start (the log keeps the last 5,000)
        self.extras: dict[str, DialogExtra] = {}
        self.max_clock_skew = MAX_CLOCK_SKEW
        self.mp_token_lifetime = MP_TOKEN_LIFETIME
        self.altinn_token_lifetime = ALTINN_TOKEN_LIFETIME
        self.latency = 0.0  # seconds added to every Altinn 3 answer (benchmarks)
        # Dialogporten's authorized-parties cache (control ``config``): 0 = none; Altinn: 900 s.
        self.parties_cache_seconds = 0
        self._parties_cache: dict[str, tuple[float, frozenset]] = {}
        # Enhetsregisteret: firm -> organisations that have it as regnskapsfører
        self.firm_clients: dict[str, set[str]] = {FIRM: set(defaults.FIRM_REGISTERED_CLIENTS)}
        # correspondence / attachment id indexes over state.items (append-only list)
        self._indexed = 0
        self.item_by_cid: dict[str, object] = {}
        self.attachment_by_id: dict[str, tuple] = {}
        self.populate(state)

    # ------------------------------------------------------------------ parties cache
    def authorized_clients(self, user: SystemUser, now: float) -> frozenset:
        """The clients of an agent system user as Dialogporten sees them: Dialogporten keeps the authorized
        parties Access Management gave it for ``Duration`` = 15 minutes (FusionCache
        ``AuthorizedPartiesResult``, dialogporten ``src/Digdir.Domain.Dialogporten.Infrastructure/
        InfrastructureExtensions.cs``), and both ``/parties`` and the dialog search authorize from it: a
        client added or removed in Altinn shows only when the entry expires. The emulator's cache lasts
        ``parties_cache_seconds`` (0 by default: tests set it with the ``config`` control)."""
        live = frozenset(user.clients)
        if self.parties_cache_seconds <= 0:
            return live
        with self.lock:
            cached = self._parties_cache.get(user.id)
            if cached is None or now - cached[0] >= self.parties_cache_seconds:
                cached = self._parties_cache[user.id] = (now, live)
            return cached[1]

    def can_search(self, user: SystemUser, org: str, now: float) -> bool:
        """Whether the dialog search shows ``org``'s dialogs to ``user`` (authorized parties, cached)."""
        if user.deleted:
            return False
        return org in self.authorized_clients(user, now) if user.agent else org == user.owner_org

    # ------------------------------------------------------------------ defaults
    def populate(self, state) -> None:
        now = state.now()
        vendor = self.keys.vendor.public_key()
        self.clients[CLIENT_ID] = Client(
            CLIENT_ID, VENDOR_ORG, set(VENDOR_SCOPES), {VENDOR_KID: vendor}, name="Prisolve Altinn (emulator)"
        )
        self.systems[SYSTEM_ID] = System(
            SYSTEM_ID,
            VENDOR_ORG,
            {"nb": "Prisolve Altinn", "nn": "Prisolve Altinn", "en": "Prisolve Altinn"},
            [CLIENT_ID],
            list(SYSTEM_PACKAGES),
            allowed_redirect_urls=["http://localhost/altinn/receipt"],
            guid=stable_uuid("system", SYSTEM_ID),
            description={
                "nb": "Henter Altinn-post til regnskapet",
                "en": "Imports Altinn mail into accounting",
            },
        )
        company = SystemUser(
            stable_uuid("systemuser", COMPANY),
            SYSTEM_ID,
            COMPANY,
            COMPANY,
            False,
            [PKG + "skattegrunnlag", PKG + "merverdiavgift"],
            now,
            "Prisolve – Solbakken",
        )
        firm = SystemUser(
            stable_uuid("systemuser", FIRM, "agent"),
            SYSTEM_ID,
            FIRM,
            FIRM_AGENT_REF,
            True,
            [PKG + "regnskapsforer-med-signeringsrettighet"],
            now,
            "Prisolve – Tallknuserne",
            clients={COMPANY, CLIENT_COMPANY},
        )
        for user in (company, firm):
            self.system_users[user.id] = user
            request = Request(
                stable_uuid("request", user.owner_org, user.agent),
                SYSTEM_ID,
                user.owner_org,
                user.external_ref,
                user.agent,
                list(user.access_packages),
                [],
                None,
                user.integration_title,
                now,
                "Accepted",
                user.id,
            )
            self.requests[request.id] = request

    # ------------------------------------------------------------------ lookups
    def find_system_user(
        self, system_id: str, org: str, external_ref: str | None = None
    ) -> SystemUser | None:
        """The live system user for (system, org, externalRef) of EITHER kind, as Altinn looks it up
        (``SystemUserRepository.GetSystemUserByExternalRequestId`` has no kind filter)."""
        ref = external_ref or org
        for user in self.system_users.values():
            if (
                user.system_id == system_id
                and user.owner_org == org
                and user.external_ref == ref
                and not user.deleted
            ):
                return user
        return None

    def find_request(self, system_id: str, org: str, external_ref: str, agent: bool) -> Request | None:
        """The live request of one kind for the key
        (``RequestRepository.Get[Agent]RequestByExternalReferences``)."""
        found = None
        for req in self.requests.values():
            if (
                req.system_id == system_id
                and req.party_org == org
                and req.external_ref == external_ref
                and req.agent == agent
                and not req.deleted
                and (found is None or req.created >= found.created)
            ):
                found = req
        return found

    def index_items(self, state) -> None:
        """Extend the correspondence/attachment indexes with items added since the last call."""
        with self.lock:
            items = state.items
            for item in items[self._indexed :]:
                cid = stable_uuid("correspondence", item.uuid)
                self.item_by_cid[cid] = item
                for att in item.attachments:
                    self.attachment_by_id[stable_uuid("attachment", item.uuid, att.attachment_id)] = (
                        item,
                        att,
                    )
                for form in item.forms:
                    self.attachment_by_id[stable_uuid("form", item.uuid, form.form_id)] = (item, form)
            self._indexed = len(items)

    def extra(self, item) -> DialogExtra:
        with self.lock:
            extra = self.extras.get(item.uuid)
            if extra is None:
                labels = ["Archive"] if item.archived else ["Default"]
                extra = DialogExtra(revision=stable_uuid("revision", item.uuid, 0), labels=labels)
                self.extras[item.uuid] = extra
            return extra
