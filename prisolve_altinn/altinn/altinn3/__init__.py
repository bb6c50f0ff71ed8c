"""Altinn 3 for an end-user system: Maskinporten system-user tokens, system-user onboarding,
Dialogporten/Correspondence reading. Plain Python (requests + cryptography), no Odoo import.

The ORM needs only these names::

    settings = Altinn3Settings(client_id=..., private_key_pem=..., owner_org=..., level="company"|"firm",
                               environment="test"|"production", system_id=..., key_id=None, ...)
    transport = Altinn3Transport(settings)               # Transport: fetch(reportee, since, until)
    admin = make_admin(settings)                         # request_system_user(...), status(...)
"""

from .config import LEVEL_COMPANY, LEVEL_FIRM, Altinn3Settings, make_admin, make_maskinporten, make_tokens
from .env import PRODUCTION, TEST, Altinn3Environment, environment, local
from .maskinporten import ADMIN_SCOPES, READ_SCOPES, MaskinportenClient
from .systemusers import (
    STATE_APPROVED,
    STATE_EXPIRED,
    STATE_MISSING,
    STATE_REJECTED,
    STATE_REQUESTED,
    SystemUserAdmin,
    SystemUserRequest,
    SystemUserStatus,
)
from .transport import Altinn3Transport

__all__ = [
    "ADMIN_SCOPES",
    "LEVEL_COMPANY",
    "LEVEL_FIRM",
    "PRODUCTION",
    "READ_SCOPES",
    "STATE_APPROVED",
    "STATE_EXPIRED",
    "STATE_MISSING",
    "STATE_REJECTED",
    "STATE_REQUESTED",
    "TEST",
    "Altinn3Environment",
    "Altinn3Settings",
    "Altinn3Transport",
    "MaskinportenClient",
    "SystemUserAdmin",
    "SystemUserRequest",
    "SystemUserStatus",
    "environment",
    "local",
    "make_admin",
    "make_maskinporten",
    "make_tokens",
]
