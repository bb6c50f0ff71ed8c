"""What the ORM stores per company (Selskap) or accounting firm (Klient), and the objects built from it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from .clients import CLIENT_ADMIN_SCOPES, ClientDelegationApi
from .env import Altinn3Environment, environment
from .exchange import SystemUserTokens
from .httpclient import DEFAULT_TIMEOUT, Http
from .maskinporten import ADMIN_SCOPES, READ_SCOPES, MaskinportenClient, check_orgno, normalize_scopes
from .register import SystemRegisterClient
from .systemusers import REGISTER_SCOPES, SystemUserAdmin, external_ref
from .tokens import TokenCache

LEVEL_COMPANY = "company"  # Selskap: standard system user owned by the company
LEVEL_FIRM = "firm"  # Klient: agent system user owned by the accounting firm


@dataclass
class Altinn3Settings:
    """Everything needed to talk to Altinn 3 for one system-user owner.

    ``owner_org`` is the company's org number at Selskap level, the accounting firm's at Klient
    level (the client is then the ``reportee`` of each fetch).
    """

    client_id: str  # Maskinporten integration id
    private_key_pem: str | bytes = field(repr=False)
    owner_org: str
    level: str = LEVEL_COMPANY
    environment: str = "test"  # test (TT02) | production | local
    key_id: str | None = None  # kid registered in Maskinporten; default: RFC 7638 thumbprint
    certificate_pem: str | bytes | None = field(default=None, repr=False)  # business certificate → x5c
    key_password: str | None = field(default=None, repr=False)
    scopes: tuple[str, ...] = READ_SCOPES
    admin_scopes: tuple[str, ...] = ADMIN_SCOPES
    system_id: str | None = None  # system register id, e.g. "991825827_prisolve"
    external_ref: str | None = None  # default: ``systemusers.external_ref(owner_org, level == firm)``
    maskinporten_url: str | None = None  # override (emulator); issuer base URL
    platform_url: str | None = None  # override (emulator)
    timeout: tuple[float, float] = DEFAULT_TIMEOUT

    def __post_init__(self):
        self.owner_org = check_orgno(self.owner_org, "system-user owner's organisation number")
        if self.level not in (LEVEL_COMPANY, LEVEL_FIRM):
            raise ValueError("level must be 'company' or 'firm'")
        self.scopes = normalize_scopes(self.scopes)
        self.external_ref = (self.external_ref or "").strip() or external_ref(self.owner_org, self.agent)

    @property
    def agent(self) -> bool:
        return self.level == LEVEL_FIRM

    @property
    def env(self) -> Altinn3Environment:
        return environment(
            self.environment, maskinporten_url=self.maskinporten_url, platform_url=self.platform_url
        )


def make_maskinporten(
    settings: Altinn3Settings, *, http: Http | None = None, cache: TokenCache | None = None, clock=time.time
) -> MaskinportenClient:
    return MaskinportenClient(
        settings.env,
        settings.client_id,
        settings.private_key_pem,
        key_id=settings.key_id,
        certificate_pem=settings.certificate_pem,
        key_password=settings.key_password,
        http=http or Http(timeout=settings.timeout),
        cache=cache,
        clock=clock,
    )


def make_tokens(settings: Altinn3Settings, **kwargs) -> SystemUserTokens:
    return SystemUserTokens(
        make_maskinporten(settings, **kwargs),
        settings.owner_org,
        external_ref=settings.external_ref,
        scopes=settings.scopes,
    )


def make_admin(settings: Altinn3Settings, **kwargs) -> SystemUserAdmin:
    """System-user requests and status for ``settings.owner_org`` (needs ``system_id``)."""
    return SystemUserAdmin(
        make_maskinporten(settings, **kwargs), settings.system_id or "", scopes=settings.admin_scopes
    )


def make_register(settings: Altinn3Settings, **kwargs) -> SystemRegisterClient:
    """The vendor's system register (scope ``altinn:authentication/systemregister.write``)."""
    return SystemRegisterClient(make_maskinporten(settings, **kwargs), scopes=REGISTER_SCOPES)


def make_client_delegation(settings: Altinn3Settings, **kwargs) -> ClientDelegationApi:
    """Altinn's client-delegation API as the firm's client administrator: ``settings`` name the firm's
    own (standard, level company) system user, which must hold the ``klientadministrator`` package."""
    if settings.agent:
        raise ValueError("The client-delegation API is called with the firm's standard system user")
    scopes = tuple(sorted({*settings.scopes, *CLIENT_ADMIN_SCOPES}))
    return ClientDelegationApi(
        SystemUserTokens(
            make_maskinporten(settings, **kwargs),
            settings.owner_org,
            external_ref=settings.external_ref,
            scopes=scopes,
        )
    )
