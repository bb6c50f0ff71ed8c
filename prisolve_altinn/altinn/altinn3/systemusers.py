"""System-user onboarding for the vendor: ask an organisation to approve a system user, read its state.

Selskap level: a STANDARD system user owned by the company itself (``agent=False``).
Klient level: an AGENT system user owned by the accounting firm (``agent=True``, access packages
only); the firm's klientadministrator then adds clients to it in Altinn.

Altinn keys requests and system users by (system, organisation, ``externalRef``) and a system user of
EITHER kind blocks that key (AUTH-00004), so a firm that keeps its own books here and also serves clients
needs two references: ``external_ref(org, agent)`` is the one rule, used by the requests, the lookups and
the Maskinporten grant (``Altinn3Settings.external_ref``).

Calls use a plain Maskinporten token (no system user) with the vendor scopes
``altinn:authentication/systemuser.request.write`` / ``.read``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

from .. import errors
from .httpclient import error_for, json_of, problem_code, problem_of, problem_text
from .maskinporten import ADMIN_SCOPES, MaskinportenClient, check_orgno

STATE_REQUESTED = "requested"  # a request waits for the organisation's approval (confirmUrl)
STATE_APPROVED = "approved"  # the system user exists: tokens can be issued
STATE_REJECTED = "rejected"  # the organisation rejected/denied the request
STATE_EXPIRED = "expired"  # the request timed out unanswered: send a new one
STATE_MISSING = "missing"  # no system user and no open request (never asked, or deleted/revoked)
STATE_CONFLICT = "conflict"  # the reference is held by a system user of the other kind

KIND_STANDARD = "standard"
KIND_AGENT = "agent"

#: What ``SystemUserAdmin.ensure_system_user`` did (the ORM says it to the person).
OUTCOME_APPROVED = "approved"  # the system user already existed: nothing to approve
OUTCOME_REQUESTED = "requested"  # a new request was sent: show its confirm URL
OUTCOME_PENDING = "pending"  # a request was already waiting for approval: the same confirm URL
OUTCOME_RENEWED = "renewed"  # an answered (rejected/denied/used) request was deleted and sent again
OUTCOME_CONFLICT = "conflict"  # a system user of the other kind holds the reference

PACKAGE_PREFIX = "urn:altinn:accesspackage:"
#: Agent (klient) system users take access packages only; these map to the CCR role regnskapsfører.
AGENT_ACCESS_PACKAGES = (PACKAGE_PREFIX + "regnskapsforer-med-signeringsrettighet",)
STANDARD_ACCESS_PACKAGES = (PACKAGE_PREFIX + "skattegrunnlag",)
#: The package a firm's standard system user needs to call the client-delegation API.
CLIENT_ADMIN_PACKAGE = PACKAGE_PREFIX + "klientadministrator"

#: Listing all system users of a system is a system-register operation.
REGISTER_SCOPES = ("altinn:authentication/systemregister.write",)
AGENT_REF_SUFFIX = "-klient"

_REQUEST_STATES = {
    "New": STATE_REQUESTED,
    "Accepted": STATE_APPROVED,
    "Rejected": STATE_REJECTED,
    "Denied": STATE_REJECTED,
    "Timedout": STATE_EXPIRED,
}
# Problem codes of src/Core/Problems/Problem.cs (Altinn/altinn-authentication)
AUTH_SYSTEM_USER_EXISTS = "AUTH-00004"
AUTH_KEY_HELD_BY_REQUEST = frozenset({"AUTH-00006", "AUTH-00007", "AUTH-00008", "AUTH-00009"})
AUTH_SYSTEM_NOT_FOUND = "AUTH-00011"
AUTH_PACKAGES_REFUSED = frozenset({"AUTH-00063", "AUTH-00064", "AUTH-00065"})


def external_ref(org: str, agent: bool) -> str:
    """The ``externalRef`` of the system user this product asks ``org`` for.

    Standard (a company's own): the org number, Altinn's own default, so a system user the company made
    in Altinn without a reference matches too. Agent (an accounting firm's client system user):
    ``<org>-klient``, so it never collides with the firm's own standard system user (Altinn allows any
    text up to 255 characters; this one is safe in the ``byexternalref`` URL path).
    """
    org = check_orgno(org)
    return org + AGENT_REF_SUFFIX if agent else org


@dataclass
class SystemUserRequest:
    id: str
    status: str  # Altinn's RequestStatus: New | Accepted | Rejected | Denied | Timedout
    confirm_url: str | None
    party_org: str
    agent: bool
    external_ref: str | None = None
    system_id: str | None = None
    redirect_url: str | None = None
    created: str | None = None
    is_new: bool = False  # True when Altinn created it now (201), False for an earlier one (200)
    raw: dict = field(default_factory=dict, repr=False)

    @property
    def state(self) -> str:
        return _REQUEST_STATES.get(self.status, STATE_REQUESTED)

    @classmethod
    def from_json(cls, body: dict, agent: bool, is_new: bool = False) -> SystemUserRequest:
        if not isinstance(body, dict) or not body.get("id"):
            raise errors.MalformedResponse("System-user request: no id in the answer")
        return cls(
            id=str(body["id"]),
            status=str(body.get("status") or "New"),
            confirm_url=body.get("confirmUrl"),
            party_org=str(body.get("partyOrgNo") or ""),
            agent=agent,
            external_ref=body.get("externalRef"),
            system_id=body.get("systemId"),
            redirect_url=body.get("redirectUrl"),
            created=body.get("created"),
            is_new=is_new,
            raw=body,
        )


@dataclass
class SystemUserInfo:
    """A system user as the vendor sees it (``SystemUserExternalDTO``)."""

    id: str
    org: str  # the owner: the company (standard) or the accounting firm (agent)
    external_ref: str
    agent: bool
    system_id: str = ""
    integration_title: str = ""
    created: str | None = None
    raw: dict = field(default_factory=dict, repr=False)

    @property
    def kind(self) -> str:
        return KIND_AGENT if self.agent else KIND_STANDARD

    @classmethod
    def from_json(cls, body: dict) -> SystemUserInfo:
        if not isinstance(body, dict) or not body.get("id"):
            raise errors.MalformedResponse("System user: no id in the answer")
        return cls(
            id=str(body["id"]),
            org=str(body.get("reporteeOrgNo") or ""),
            external_ref=str(body.get("externalRef") or body.get("reporteeOrgNo") or ""),
            agent=str(body.get("userType") or "").lower() == KIND_AGENT,
            system_id=str(body.get("systemId") or ""),
            integration_title=str(body.get("integrationTitle") or ""),
            created=body.get("created"),
            raw=body,
        )


@dataclass
class SystemUserStatus:
    state: str  # STATE_*
    org: str
    agent: bool
    system_user_id: str | None = None
    request_id: str | None = None
    request_status: str | None = None
    confirm_url: str | None = None  # only while the state is "requested"
    external_ref: str | None = None
    system_user: SystemUserInfo | None = None  # approved (or, for "conflict", the one in the way)

    @property
    def approved(self) -> bool:
        return self.state == STATE_APPROVED


@dataclass
class SystemUserSetup:
    """What ``ensure_system_user`` did (``outcome``: OUTCOME_*) and where the organisation stands now."""

    outcome: str
    status: SystemUserStatus
    request: SystemUserRequest | None = None
    deleted_request_id: str | None = None  # the answered request that was deleted before the new one

    @property
    def confirm_url(self) -> str | None:
        return self.status.confirm_url


def _packages(urns: Iterable[str]) -> list[dict]:
    return [{"urn": u if u.startswith("urn:") else PACKAGE_PREFIX + u} for u in urns]


def _rights(resources: Iterable[str]) -> list[dict]:
    return [{"resource": [{"id": "urn:altinn:resource", "value": r}]} for r in resources]


class SystemUserAdmin:
    """The vendor's system-user request API for one registered system (``system_id``)."""

    BASE = "authentication/api/v1/systemuser"

    def __init__(
        self,
        maskinporten: MaskinportenClient,
        system_id: str,
        *,
        scopes: Iterable[str] = ADMIN_SCOPES,
        register_scopes: Iterable[str] = REGISTER_SCOPES,
    ):
        if not (system_id or "").strip():
            raise errors.ConfigurationError("The Altinn system id (system register) is missing")
        self.mp = maskinporten
        self.system_id = system_id.strip()
        self.scopes = tuple(scopes)
        self.register_scopes = tuple(register_scopes)

    # -- plumbing -----------------------------------------------------------------------------
    def _send(self, method: str, path: str, *, what: str, **kwargs):
        url = self.mp.env.platform(f"{self.BASE}/{path}")
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

    @staticmethod
    def _ref(org: str, agent: bool, ref: str | None) -> str:
        return (ref or "").strip() or external_ref(org, agent)

    # -- requests -----------------------------------------------------------------------------
    def request_system_user(
        self,
        org: str,
        *,
        agent: bool = False,
        external_ref: str | None = None,
        access_packages: Iterable[str] | None = None,
        rights: Iterable[str] = (),
        redirect_url: str | None = None,
        integration_title: str | None = None,
    ) -> SystemUserRequest:
        """Create a request, or get the one Altinn keeps for the key; show ``.confirm_url`` to the
        organisation. Altinn returns an earlier request (``is_new`` False) in ANY state but timed out,
        including a rejected one, until the vendor deletes it (``delete_request``).

        ``org`` is the company (standard) or the accounting firm (agent); ``external_ref`` defaults to
        ``external_ref(org, agent)``. ``rights`` are resource ids (standard only); ``access_packages``
        are package URNs or short names.

        :raises errors.SystemUserExists: a system user of either kind holds the key (AUTH-00004)
        :raises errors.SystemUserRequestBlocked: a standard request holds the key of an agent one
        :raises errors.AccessPackageNotOnSystem: a package is not on the system, or not for this kind
        :raises errors.SystemNotRegistered: Altinn knows no such system of this vendor
        """
        org = check_orgno(org)
        ref = self._ref(org, agent, external_ref)
        packages = tuple(
            access_packages
            if access_packages is not None
            else (AGENT_ACCESS_PACKAGES if agent else STANDARD_ACCESS_PACKAGES)
        )
        body: dict = {
            "systemId": self.system_id,
            "partyOrgNo": org,
            "externalRef": ref,
            "accessPackages": _packages(packages),
        }
        if agent:
            if rights:
                raise errors.ConfigurationError("An agent (klient) system user takes access packages only")
            if not packages:
                raise errors.ConfigurationError(
                    "An agent (klient) system user needs at least one access package"
                )
        elif rights:
            body["rights"] = _rights(rights)
        if redirect_url:
            body["redirectUrl"] = redirect_url
        if integration_title:
            body["integrationTitle"] = integration_title
        path = "request/vendor/agent" if agent else "request/vendor"
        response = self._send("POST", path, what="System-user request", json=body)
        if response.status_code in (200, 201):
            return SystemUserRequest.from_json(
                json_of(response, "System-user request"), agent, is_new=response.status_code == 201
            )
        problem = problem_of(response)
        code = problem_code(problem)
        kwargs = {"altinn_message": problem_text(problem) or None, "error_guid": problem.get("traceId")}
        if code == AUTH_SYSTEM_USER_EXISTS:
            raise errors.SystemUserExists(
                f"A system user for system {self.system_id}, organisation {org} and reference {ref} "
                f"already exists",
                **kwargs,
            )
        if code in AUTH_KEY_HELD_BY_REQUEST:
            raise errors.SystemUserRequestBlocked(
                f"Organisation {org}, reference {ref}: another request holds the key", **kwargs
            )
        if code in AUTH_PACKAGES_REFUSED:
            refused = problem.get("NotFoundPackages") or problem.get("NotDelegablePackages") or ""
            raise errors.AccessPackageNotOnSystem(
                f"System {self.system_id}: access package(s) refused {refused}".strip(), **kwargs
            )
        if code == AUTH_SYSTEM_NOT_FOUND:
            raise errors.SystemNotRegistered(f"System {self.system_id}", **kwargs)
        if response.status_code == 400:
            raise errors.ConfigurationError(
                "Altinn refused the system-user request (check system id, access packages/rights and the "
                "redirect URL against the system register)",
                **kwargs,
            )
        if response.status_code == 403:
            raise errors.ScopeNotGranted(
                "System-user request: HTTP 403 (the integration needs the scope "
                "altinn:authentication/systemuser.request.write and must belong to the system's vendor)",
                **kwargs,
            )
        raise error_for(response, "System-user request")

    def delete_request(self, request_id: str) -> bool:
        """Delete a request of either kind (``DELETE …/request/vendor/{id}``); False when Altinn has no
        such live request. The next ``request_system_user`` then makes a new one."""
        response = self._send(
            "DELETE", f"request/vendor/{quote(request_id)}", what="System-user request delete"
        )
        if response.status_code in (200, 202, 204):
            return True
        if response.status_code == 404:
            return False
        raise error_for(response, "System-user request delete")

    def get_request(self, request_id: str, *, agent: bool = False) -> SystemUserRequest | None:
        path = f"request/vendor/agent/{quote(request_id)}" if agent else f"request/vendor/{quote(request_id)}"
        response = self._send("GET", path, what="System-user request status")
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise error_for(response, "System-user request status")
        return SystemUserRequest.from_json(json_of(response, "System-user request status"), agent)

    def find_request(
        self, org: str, *, agent: bool = False, external_ref: str | None = None
    ) -> SystemUserRequest | None:
        """The live request of this kind for the key (``…/byexternalref/{system}/{org}/{ref}``)."""
        org = check_orgno(org)
        ref = self._ref(org, agent, external_ref)
        kind = "request/vendor/agent/byexternalref" if agent else "request/vendor/byexternalref"
        path = f"{kind}/{quote(self.system_id)}/{org}/{quote(ref, safe='')}"
        response = self._send("GET", path, what="System-user request lookup")
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise error_for(response, "System-user request lookup")
        return SystemUserRequest.from_json(json_of(response, "System-user request lookup"), agent)

    # -- system users -------------------------------------------------------------------------
    def get_system_user(
        self, org: str, *, agent: bool = False, external_ref: str | None = None
    ) -> SystemUserInfo | None:
        """The live system user Altinn holds for the key, of EITHER kind (check ``.agent``), or None.

        ``agent`` only chooses the default reference (``external_ref(org, agent)``).
        """
        org = check_orgno(org)
        params = {
            "system-id": self.system_id,
            "orgno": org,
            "external-ref": self._ref(org, agent, external_ref),
        }
        response = self._send("GET", "vendor/byquery", what="System-user lookup", params=params)
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise error_for(response, "System-user lookup")
        body = json_of(response, "System-user lookup")
        if not isinstance(body, dict) or body.get("isDeleted"):
            return None
        return SystemUserInfo.from_json(body)

    def iter_system_users(self) -> Iterator[SystemUserInfo]:
        """Every system user of the system (follows ``links.next``; pages of 50 in Altinn)."""
        url = self.mp.env.platform(f"{self.BASE}/vendor/bysystem/{quote(self.system_id)}")
        seen = set()
        while url and url not in seen:
            seen.add(url)
            token = self.mp.token(self.register_scopes).value
            response = self.mp.http.send(
                "GET", url, what="System users", token=token, headers={"Accept": "application/json"}
            )
            if response.status_code != 200:
                raise error_for(response, "System users")
            page = json_of(response, "System users")
            if not isinstance(page, dict):
                raise errors.MalformedResponse("System users: unexpected answer")
            for body in page.get("data") or []:
                yield SystemUserInfo.from_json(body)
            url = (page.get("links") or {}).get("next")

    def status(
        self, org: str, *, agent: bool = False, external_ref: str | None = None, request_id: str | None = None
    ) -> SystemUserStatus:
        """Where the organisation stands for this kind: requested, approved, rejected, expired, missing,
        or conflict (the reference is held by a system user of the other kind: never taken for this one).
        """
        org = check_orgno(org)
        ref = self._ref(org, agent, external_ref)
        user = self.get_system_user(org, agent=agent, external_ref=ref)
        if user is not None:
            state = STATE_APPROVED if user.agent == agent else STATE_CONFLICT
            return SystemUserStatus(
                state,
                org,
                agent,
                system_user_id=user.id if state == STATE_APPROVED else None,
                request_id=request_id,
                external_ref=ref,
                system_user=user,
            )
        request = self.get_request(request_id, agent=agent) if request_id else None
        if request is None:
            request = self.find_request(org, agent=agent, external_ref=ref)
        if request is None:
            return SystemUserStatus(STATE_MISSING, org, agent, external_ref=ref)
        state = request.state
        if state == STATE_APPROVED:
            state = STATE_MISSING  # accepted once, but the system user is gone: deleted/revoked in Altinn
        return SystemUserStatus(
            state,
            org,
            agent,
            request_id=request.id,
            request_status=request.status,
            confirm_url=request.confirm_url if state == STATE_REQUESTED else None,
            external_ref=ref,
        )

    def ensure_system_user(
        self,
        org: str,
        *,
        agent: bool = False,
        external_ref: str | None = None,
        access_packages: Iterable[str] | None = None,
        rights: Iterable[str] = (),
        redirect_url: str | None = None,
        integration_title: str | None = None,
    ) -> SystemUserSetup:
        """Bring the organisation to "approved" or to a request waiting for its approval.

        Request; an earlier answered request (rejected, denied, or accepted for a system user that was
        deleted since) is deleted and the request sent again; when the system user exists (AUTH-00004) it
        is looked up and linked, or reported as a conflict when it is of the other kind.
        """
        org = check_orgno(org)
        ref = self._ref(org, agent, external_ref)
        values = {
            "agent": agent,
            "external_ref": ref,
            "access_packages": access_packages,
            "rights": rights,
            "redirect_url": redirect_url,
            "integration_title": integration_title,
        }
        try:
            request = self.request_system_user(org, **values)
            deleted = None
            if not request.is_new and request.status != "New":
                # Altinn hands back an answered request until it is deleted: delete it, ask again.
                self.delete_request(request.id)
                deleted = request.id
                request = self.request_system_user(org, **values)
        except errors.SystemUserExists:
            status = self.status(org, agent=agent, external_ref=ref)
            if status.state == STATE_CONFLICT:
                return SystemUserSetup(OUTCOME_CONFLICT, status)
            if status.state != STATE_APPROVED:
                raise  # deleted in between: let the caller try again
            return SystemUserSetup(OUTCOME_APPROVED, status)
        status = SystemUserStatus(
            request.state,
            org,
            agent,
            request_id=request.id,
            request_status=request.status,
            confirm_url=request.confirm_url if request.state == STATE_REQUESTED else None,
            external_ref=ref,
        )
        if deleted:
            outcome = OUTCOME_RENEWED
        else:
            outcome = OUTCOME_REQUESTED if request.is_new else OUTCOME_PENDING
        return SystemUserSetup(outcome, status, request, deleted)
