"""The clients of an accounting firm's agent (klient) system user.

Two sources: Dialogporten's ``/parties`` seen by the agent system user itself (what it may read now; see
``Altinn3Transport.clients``), and Altinn's client-delegation API
(``authentication/api/v1/enduser/systemuser/clients…``), which lists, adds and removes the clients of an
agent system user. That API takes an Altinn token of the firm's klientadministrator: with a system user,
the firm's own (standard) system user holding the access package ``klientadministrator``, and the scopes
``altinn:clientdelegations.read`` / ``.write``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from .. import errors
from .httpclient import json_of
from .platform import TOKEN_ALTINN, PlatformApi
from .systemusers import SystemUserInfo

CLIENT_ADMIN_SCOPES = ("altinn:clientdelegations.read", "altinn:clientdelegations.write")
BASE = "authentication/api/v1/enduser/systemuser"


@dataclass(frozen=True)
class ClientParty:
    """A client of an accounting firm: an organisation its agent system user may act for."""

    org_number: str
    name: str
    party_uuid: str | None = None


class ClientDelegationApi(PlatformApi):
    """Altinn's client-delegation API with the tokens of the firm's client-administrator system user."""

    def _get(self, path: str, what: str, params: dict):
        response = self.call(
            "GET", self.url(f"{BASE}/{path}"), what=what, token_kind=TOKEN_ALTINN, params=params
        )
        return json_of(response, what)

    @staticmethod
    def _clients(body, what: str) -> list[ClientParty]:
        if not isinstance(body, dict) or not isinstance(body.get("data") or [], list):
            raise errors.MalformedResponse(f"{what}: unexpected answer")
        return [
            ClientParty(
                org_number=str(c.get("clientOrganizationNumber") or ""),
                name=str(c.get("clientOrganizationName") or ""),
                party_uuid=str(c.get("clientId") or "") or None,
            )
            for c in body.get("data") or []
            if isinstance(c, dict)
        ]

    def agents(self, firm_org: str) -> list[SystemUserInfo]:
        """The firm's agent system users (of every system)."""
        body = self._get("agents", "Agent system users", {"party": firm_org})
        if not isinstance(body, list):
            raise errors.MalformedResponse("Agent system users: unexpected answer")
        return [SystemUserInfo.from_json({**u, "userType": "agent"}) for u in body if isinstance(u, dict)]

    def clients(self, agent_id: str) -> list[ClientParty]:
        """The clients delegated to the agent system user ``agent_id``."""
        return self._clients(self._get("clients", "Clients", {"agent": agent_id}), "Clients")

    def available_clients(self, agent_id: str) -> list[ClientParty]:
        """The firm's clients (from its roles in Enhetsregisteret and delegations) it may delegate."""
        return self._clients(
            self._get("clients/available", "Available clients", {"agent": agent_id}), "Available clients"
        )

    def _change(self, method: str, agent_id: str, client: ClientParty | str, what: str) -> None:
        party = client.party_uuid if isinstance(client, ClientParty) else client
        if not party:
            raise errors.ConfigurationError(f"{what}: the client's party id (UUID) is unknown")
        self.call(
            method,
            self.url(f"{BASE}/clients"),
            what=what,
            token_kind=TOKEN_ALTINN,
            params={"agent": agent_id, "client": quote(str(party), safe="-")},
        )

    def add_client(self, agent_id: str, client: ClientParty | str) -> None:
        """Delegate ``client`` (a ``ClientParty`` from ``available_clients`` or its party UUID)."""
        self._change("POST", agent_id, client, "Add client")

    def remove_client(self, agent_id: str, client: ClientParty | str) -> None:
        self._change("DELETE", agent_id, client, "Remove client")
