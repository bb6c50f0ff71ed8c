"""Altinn 3 for an end-user system: Maskinporten system-user tokens, system-user onboarding, the system
register, Dialogporten/Correspondence reading. Plain Python (http.client, urllib3 for proxies,
cryptography), no Odoo import.

The ORM needs only these names::

    settings = Altinn3Settings(client_id=..., private_key_pem=..., owner_org=..., level="company"|"firm",
                               environment="test"|"production", system_id=..., key_id=None, ...)
    transport = Altinn3Transport(settings)       # fetch(reportee, since, until), fetch_item, clients()
    admin = make_admin(settings)                 # ensure_system_user(...), status(...), delete_request(...)
    register = make_register(settings)           # get/create/update/ensure the vendor's system
    diagnosis = diagnose_grant(settings)         # which part of the set-up fails, typed
"""

from .clients import CLIENT_ADMIN_SCOPES, ClientDelegationApi, ClientParty
from .config import (
    LEVEL_COMPANY,
    LEVEL_FIRM,
    Altinn3Settings,
    make_admin,
    make_client_delegation,
    make_maskinporten,
    make_register,
    make_tokens,
)
from .diagnosis import (
    CHECK_SYSTEM,
    CHECK_SYSTEM_USER,
    CHECK_SYSTEM_USER_TOKEN,
    CHECK_VENDOR_TOKEN,
    GrantCheck,
    GrantDiagnosis,
    diagnose_grant,
)
from .env import PRODUCTION, TEST, Altinn3Environment, environment, local
from .maskinporten import ADMIN_SCOPES, READ_SCOPES, MaskinportenClient
from .register import RegisteredSystem, SystemRegisterClient
from .systemusers import (
    KIND_AGENT,
    KIND_STANDARD,
    OUTCOME_APPROVED,
    OUTCOME_CONFLICT,
    OUTCOME_PENDING,
    OUTCOME_RENEWED,
    OUTCOME_REQUESTED,
    STATE_APPROVED,
    STATE_CONFLICT,
    STATE_EXPIRED,
    STATE_MISSING,
    STATE_REJECTED,
    STATE_REQUESTED,
    SystemUserAdmin,
    SystemUserInfo,
    SystemUserRequest,
    SystemUserSetup,
    SystemUserStatus,
    external_ref,
)
from .transport import Altinn3Transport

__all__ = [
    "ADMIN_SCOPES",
    "CHECK_SYSTEM",
    "CHECK_SYSTEM_USER",
    "CHECK_SYSTEM_USER_TOKEN",
    "CHECK_VENDOR_TOKEN",
    "CLIENT_ADMIN_SCOPES",
    "KIND_AGENT",
    "KIND_STANDARD",
    "LEVEL_COMPANY",
    "LEVEL_FIRM",
    "OUTCOME_APPROVED",
    "OUTCOME_CONFLICT",
    "OUTCOME_PENDING",
    "OUTCOME_RENEWED",
    "OUTCOME_REQUESTED",
    "PRODUCTION",
    "READ_SCOPES",
    "STATE_APPROVED",
    "STATE_CONFLICT",
    "STATE_EXPIRED",
    "STATE_MISSING",
    "STATE_REJECTED",
    "STATE_REQUESTED",
    "TEST",
    "Altinn3Environment",
    "Altinn3Settings",
    "Altinn3Transport",
    "ClientDelegationApi",
    "ClientParty",
    "GrantCheck",
    "GrantDiagnosis",
    "MaskinportenClient",
    "RegisteredSystem",
    "SystemRegisterClient",
    "SystemUserAdmin",
    "SystemUserInfo",
    "SystemUserRequest",
    "SystemUserSetup",
    "SystemUserStatus",
    "diagnose_grant",
    "environment",
    "external_ref",
    "local",
    "make_admin",
    "make_client_delegation",
    "make_maskinporten",
    "make_register",
    "make_tokens",
]
