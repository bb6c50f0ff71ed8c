"""System-user onboarding for the vendor: ask an organisation to approve a system user, read its state.

Selskap level: a STANDARD system user owned by the company itself (``agent=False``).
Klient level: an AGENT system user owned by the accounting firm (``agent=True``, access packages
only); the firm's klientadministrator then adds clients to it in Altinn.

Calls use a plain Maskinporten token (no system user) with the vendor scopes
``altinn:authentication/systemuser.request.write`` / ``.read``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

from .. import errors
from .httpclient import error_for, json_of, problem_of, problem_text
from .maskinporten import ADMIN_SCOPES, MaskinportenClient, check_orgno

STATE_REQUESTED = "requested"  # a request waits for the organisation's approval (confirmUrl)
STATE_APPROVED = "approved"  # the system user exists: tokens can be issued
STATE_REJECTED = "rejected"  # the organisation rejected/denied the request
STATE_EXPIRED = "expired"  # the request timed out unanswered: send a new one
STATE_MISSING = "missing"  # no system user and no open request (never asked, or deleted/revoked)

PACKAGE_PREFIX = "urn:altinn:accesspackage:"
#: Agent (klient) system users take access packages only; these map to the CCR role regnskapsfører.
AGENT_ACCESS_PACKAGES = (PACKAGE_PREFIX + "regnskapsforer-med-signeringsrettighet",)
STANDARD_ACCESS_PACKAGES = (PACKAGE_PREFIX + "skattegrunnlag",)

#: Listing all system users of a system is a system-register operation.
REGISTER_SCOPES = ("altinn:authentication/systemregister.write",)

_REQUEST_STATES = {
    "New": STATE_REQUESTED,
    "Accepted": STATE_APPROVED,
    "Rejected": STATE_REJECTED,
    "Denied": STATE_REJECTED,
    "Timedout": STATE_EXPIRED,
}


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
    raw: dict = field(default_factory=dict, repr=False)

    @property
    def state(self) -> str:
        return _REQUEST_STATES.get(self.status, STATE_REQUESTED)

    @classmethod
    def from_json(cls, body: dict, agent: bool) -> SystemUserRequest:
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

    @property
    def approved(self) -> bool:
        return self.state == STATE_APPROVED


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
        """Create (or get the open) request; show ``result.confirm_url`` to the organisation.

        ``org`` is the company (standard) or the accounting firm (agent). ``rights`` are resource ids
        (standard only); ``access_packages`` are package URNs or short names.
        """
        org = check_orgno(org)
        packages = tuple(
            access_packages
            if access_packages is not None
            else (AGENT_ACCESS_PACKAGES if agent else STANDARD_ACCESS_PACKAGES)
        )
        body: dict = {"systemId": self.system_id, "partyOrgNo": org, "accessPackages": _packages(packages)}
        if agent:
            if rights:
                raise errors.ConfigurationError("An agent (klient) system user takes access packages only")
            if not packages:
                raise errors.ConfigurationError(
                    "An agent (klient) system user needs at least one access package"
                )
        elif rights:
            body["rights"] = _rights(rights)
        if external_ref:
            body["externalRef"] = external_ref
        if redirect_url:
            body["redirectUrl"] = redirect_url
        if integration_title:
            body["integrationTitle"] = integration_title
        path = "request/vendor/agent" if agent else "request/vendor"
        response = self._send("POST", path, what="System-user request", json=body)
        if response.status_code in (200, 201):
            return SystemUserRequest.from_json(json_of(response, "System-user request"), agent)
        problem = problem_of(response)
        text = problem_text(problem).lower()
        if response.status_code in (400, 409) and "already exist" in text and "system user" in text:
            raise errors.AltinnError(
                "A system user for this system already exists for the organisation: no approval is needed",
                altinn_message=problem_text(problem),
            )
        if response.status_code == 400:
            raise errors.ConfigurationError(
                "Altinn refused the system-user request (check system id, access packages/rights and the "
                "redirect URL against the system register)",
                altinn_message=problem_text(problem) or None,
                error_guid=problem.get("traceId"),
            )
        if response.status_code == 403:
            raise errors.ScopeNotGranted(
                "System-user request: HTTP 403 (the integration needs the scope "
                "altinn:authentication/systemuser.request.write and must belong to the system's vendor)",
                altinn_message=problem_text(problem) or None,
            )
        raise error_for(response, "System-user request")

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
        org = check_orgno(org)
        ref = external_ref or org
        kind = "request/vendor/agent/byexternalref" if agent else "request/vendor/byexternalref"
        path = f"{kind}/{quote(self.system_id)}/{org}/{quote(ref, safe='')}"
        response = self._send("GET", path, what="System-user request lookup")
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise error_for(response, "System-user request lookup")
        return SystemUserRequest.from_json(json_of(response, "System-user request lookup"), agent)

    # -- system users -------------------------------------------------------------------------
    def get_system_user(self, org: str, external_ref: str | None = None) -> dict | None:
        """The approved system user owned by ``org`` (``SystemUserExternal``), or None."""
        org = check_orgno(org)
        params = {"system-id": self.system_id, "orgno": org}
        if external_ref:
            params["external-ref"] = external_ref
        response = self._send("GET", "vendor/byquery", what="System-user lookup", params=params)
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise error_for(response, "System-user lookup")
        body = json_of(response, "System-user lookup")
        if not isinstance(body, dict) or body.get("isDeleted"):
            return None
        return body

    def iter_system_users(self) -> Iterator[dict]:
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
            yield from page.get("data") or []
            url = (page.get("links") or {}).get("next")

    def status(
        self, org: str, *, agent: bool = False, external_ref: str | None = None, request_id: str | None = None
    ) -> SystemUserStatus:
        """Where the organisation stands: requested, approved, rejected, expired or missing."""
        org = check_orgno(org)
        user = self.get_system_user(org, external_ref)
        if user is not None:
            return SystemUserStatus(
                STATE_APPROVED,
                org,
                agent,
                system_user_id=str(user.get("id") or "") or None,
                request_id=request_id,
            )
        request = self.get_request(request_id, agent=agent) if request_id else None
        if request is None:
            request = self.find_request(org, agent=agent, external_ref=external_ref)
        if request is None:
            return SystemUserStatus(STATE_MISSING, org, agent)
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
        )
