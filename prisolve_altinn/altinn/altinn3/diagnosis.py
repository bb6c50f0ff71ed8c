"""Which part of the Altinn 3 set-up works, for the setup assistant: typed checks, never a stack trace.

Maskinporten answers every system-user mismatch with the same MP-303, so the checks ask the vendor
APIs which part is missing: the system, the client id on it, the system user, its kind or its
reference.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from .. import errors
from .config import Altinn3Settings, make_admin, make_register, make_tokens
from .httpclient import Http
from .systemusers import SystemUserAdmin
from .tokens import TokenCache

CHECK_VENDOR_TOKEN = "vendor_token"  # Maskinporten accepts the key and grants the vendor scopes
CHECK_SYSTEM = "system"  # the system is registered and lists the client id
CHECK_SYSTEM_USER = "system_user"  # the system user exists, of the right kind, under our reference
CHECK_SYSTEM_USER_TOKEN = "system_user_token"  # Maskinporten issues the system-user token

PROBLEM_KEY_REJECTED = "key_rejected"
PROBLEM_CLOCK = "clock_skew"
PROBLEM_SCOPE = "scope_not_granted"
PROBLEM_SYSTEM_NOT_REGISTERED = "system_not_registered"
PROBLEM_NOT_VENDOR = "not_system_vendor"
PROBLEM_CLIENT_ID = "client_id_not_on_system"
PROBLEM_SYSTEM_USER_MISSING = "system_user_missing"
PROBLEM_EXTERNAL_REF = "external_ref_mismatch"
PROBLEM_WRONG_KIND = "wrong_system_user_kind"
PROBLEM_UNAVAILABLE = "service_unavailable"
PROBLEM_OTHER = "other"

_PROBLEM_OF = (
    (errors.InvalidClientKey, PROBLEM_KEY_REJECTED),
    (errors.ClockSkew, PROBLEM_CLOCK),
    (errors.ScopeNotGranted, PROBLEM_SCOPE),
    (errors.SystemNotRegistered, PROBLEM_SYSTEM_NOT_REGISTERED),
    (errors.NotSystemVendor, PROBLEM_NOT_VENDOR),
    (errors.ClientIdNotOnSystem, PROBLEM_CLIENT_ID),
    (errors.ExternalRefMismatch, PROBLEM_EXTERNAL_REF),
    (errors.WrongSystemUserKind, PROBLEM_WRONG_KIND),
    (errors.SystemUserNotApproved, PROBLEM_SYSTEM_USER_MISSING),
    (errors.ServiceUnavailable, PROBLEM_UNAVAILABLE),
)


def problem_of(error: errors.AltinnError) -> str:
    for kind, problem in _PROBLEM_OF:
        if isinstance(error, kind):
            return problem
    return PROBLEM_OTHER


@dataclass
class GrantCheck:
    name: str  # CHECK_*
    ok: bool | None  # None: not checked (an earlier step failed, or a scope to check it is missing)
    problem: str | None = None  # PROBLEM_* when not ok
    error: errors.AltinnError | None = None  # the person-facing text (``error.text``)


@dataclass
class GrantDiagnosis:
    checks: list[GrantCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.ok is not False for check in self.checks)

    @property
    def failed(self) -> GrantCheck | None:
        """The first check that failed: what to fix first."""
        return next((check for check in self.checks if check.ok is False), None)

    def check(self, name: str) -> GrantCheck | None:
        return next((c for c in self.checks if c.name == name), None)


def _failed(name: str, error: errors.AltinnError) -> GrantCheck:
    return GrantCheck(name, False, problem_of(error), error)


def diagnose_grant(
    settings: Altinn3Settings,
    *,
    system_user: bool = True,
    http: Http | None = None,
    cache: TokenCache | None = None,
    clock=time.time,
) -> GrantDiagnosis:
    """Try the vendor token, the system register and (with ``system_user``) the system-user token of
    ``settings.owner_org`` at ``settings.level``, with fresh tokens (a private cache), and say which
    check failed. Only protocol errors are caught; they end up in the checks."""
    own_http = http is None
    http = http or Http(timeout=settings.timeout)
    kwargs = {"http": http, "cache": cache if cache is not None else TokenCache(), "clock": clock}
    diagnosis = GrantDiagnosis()
    try:
        try:
            admin = make_admin(settings, **kwargs)  # an unreadable key or no system id fails here
            admin.mp.token(admin.scopes)
        except errors.AltinnError as exc:
            diagnosis.checks.append(_failed(CHECK_VENDOR_TOKEN, exc))
            return diagnosis
        diagnosis.checks.append(GrantCheck(CHECK_VENDOR_TOKEN, True))
        diagnosis.checks.append(_check_system(settings, kwargs))
        if not system_user:
            return diagnosis
        user_check = _check_system_user(settings, admin)
        diagnosis.checks.append(user_check)
        if user_check.ok is False:
            diagnosis.checks.append(GrantCheck(CHECK_SYSTEM_USER_TOKEN, None))
        else:
            diagnosis.checks.append(_check_system_user_token(settings, kwargs))
        return diagnosis
    finally:
        if own_http:
            http.close()


def _check_system(settings: Altinn3Settings, kwargs: dict) -> GrantCheck:
    register = make_register(settings, **kwargs)
    try:
        system = register.get(settings.system_id or "")
    except errors.ScopeNotGranted:
        return GrantCheck(CHECK_SYSTEM, None)  # the runtime integration may lack systemregister.write
    except errors.AltinnError as exc:
        return _failed(CHECK_SYSTEM, exc)
    if system is None or system.deleted:
        return _failed(CHECK_SYSTEM, errors.SystemNotRegistered(f"System {settings.system_id}"))
    if settings.client_id not in system.client_ids:
        return _failed(
            CHECK_SYSTEM,
            errors.ClientIdNotOnSystem(f"Client id {settings.client_id} is not on system {system.id}"),
        )
    return GrantCheck(CHECK_SYSTEM, True)


def _check_system_user(settings: Altinn3Settings, admin: SystemUserAdmin) -> GrantCheck:
    org, agent, ref = settings.owner_org, settings.agent, settings.external_ref
    try:
        user = admin.get_system_user(org, agent=agent, external_ref=ref)
        if user is not None and user.agent == agent:
            return GrantCheck(CHECK_SYSTEM_USER, True)
        if user is not None:
            return _failed(
                CHECK_SYSTEM_USER,
                errors.WrongSystemUserKind(f"Organisation {org}, reference {ref}: a {user.kind} system user"),
            )
        try:
            others = [u for u in admin.iter_system_users() if u.org == org and u.agent == agent]
        except errors.ScopeNotGranted:
            others = []
        if others:
            return _failed(
                CHECK_SYSTEM_USER,
                errors.ExternalRefMismatch(
                    f"Organisation {org}: system user under reference {others[0].external_ref}, not {ref}"
                ),
            )
        return _failed(
            CHECK_SYSTEM_USER, errors.SystemUserNotApproved(f"Organisation {org}: no system user ({ref})")
        )
    except errors.AltinnError as exc:
        return _failed(CHECK_SYSTEM_USER, exc)


def _check_system_user_token(settings: Altinn3Settings, kwargs: dict) -> GrantCheck:
    try:
        make_tokens(settings, **kwargs).maskinporten_token()
    except errors.AltinnError as exc:
        return _failed(CHECK_SYSTEM_USER_TOKEN, exc)
    return GrantCheck(CHECK_SYSTEM_USER_TOKEN, True)
