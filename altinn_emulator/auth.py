"""Altinn 2 end-user-system authentication: datasystem, person, one-time code session, rights."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from . import defaults
from . import faults as F
from .faults import SoapFault
from .model import Datasystem, Person, PinSession, SmsMessage
from .payloads import MONTHS_NB, WEEKDAYS_NB

AUTH_METHODS = ("SMSPin", "AltinnPin")


@dataclass
class AuthContext:
    person: Person
    system: Datasystem | None  # None: the person's own username acts as the system ("system access")
    system_name: str

    def system_reportees(self) -> set[str]:
        return self.system.reportees() if self.system is not None else set(self.person.rights)


def _resolve_system(state, name: str | None, password: str | None) -> tuple[Datasystem | None, Person | None]:
    name = (name or "").strip()
    system = state.datasystems.get(name)
    if system is not None and password == system.password:
        return system, None
    person = state.find_person(name) if name and not name.isdigit() else None
    if person is not None and person.allow_system_access and person.username and password == person.password:
        return None, person
    raise SoapFault(5, F.INVALID_SYSTEM)


def _check_lock(state, person: Person) -> None:
    now = state.now()
    if person.locked_until is not None:
        if now < person.locked_until:
            raise SoapFault(989, F.USER_LOCKED, user_id=person.user_id)
        person.locked_until = None
        person.failed_attempts = 0


def _failure(state, person: Person) -> SoapFault:
    """Count a wrong password/code; the attempt that reaches the limit locks the person."""
    person.failed_attempts += 1
    if person.failed_attempts >= defaults.LOCK_AFTER_FAILURES:
        person.failed_attempts = 0
        person.locked_until = state.now() + timedelta(minutes=defaults.LOCK_MINUTES)
        state.sessions.pop(person.fnr, None)
        return SoapFault(989, F.USER_LOCKED, user_id=person.user_id)
    return F.incorrect_user(person.user_id)


def challenge(
    state, auth_method: str | None, system_user: str | None, password: str | None, user: str | None
) -> dict:
    """GetAuthenticationChallenge: returns {status, message, valid_from, valid_to} or raises SoapFault."""
    with state.lock:
        if auth_method not in AUTH_METHODS:
            raise SoapFault(0, F.INVALID_AUTH_METHOD)
        system_user = (system_user or "").strip()
        if system_user and system_user not in state.datasystems:
            holder = state.find_person(system_user) if not system_user.isdigit() else None
            if holder is None or not holder.allow_system_access:
                raise SoapFault(5, F.INVALID_SYSTEM)
        person = state.find_person(user)
        if person is None:
            raise F.incorrect_user()
        _check_lock(state, person)
        if password != person.password:
            raise _failure(state, person)
        now = state.now()
        if auth_method == "SMSPin":
            if not person.mobile:
                return {
                    "status": "NoPhoneNumber",
                    "valid_from": None,
                    "valid_to": None,
                    "message": "Mobilnummer er ikke registrert på bruker. Registrer mobilnummer i Min profil "
                    "på altinn.no",
                }
            code = f"{state.code_rng.randrange(100000):05d}"
            session = _new_session(person, auth_method, code, now, system_user or None)
            system = state.datasystems.get(system_user)
            sender = system.name if system and system.name else "sluttbrukersystem"
            text = (
                f"Engangskode for innlogging i Altinn fra {sender}: {code}. Koden er gyldig i "
                f"{defaults.SESSION_MINUTES} minutter."
            )
            state.outbox.append(
                SmsMessage(person.fnr, person.mobile, code, text, now, session.valid_to, system_user or None)
            )
            message = f"Engangskode er sendt på SMS til mobilnummer som slutter på {person.mobile[-4:]}"
        else:
            index = person.next_pin_index
            person.next_pin_index = index % len(person.pin_letter) + 1
            session = _new_session(person, auth_method, person.pin_letter[index], now, system_user or None)
            session.pin_index = index
            letter = person.pin_letter_date
            message = (
                f"Benytt engangskode {index} fra brev datert {WEEKDAYS_NB[letter.weekday()]}, "
                f"{letter.day}. {MONTHS_NB[letter.month - 1]} {letter.year}"
            )
        state.sessions[person.fnr] = session
        return {
            "status": "Ok",
            "message": message,
            "valid_from": session.valid_from,
            "valid_to": session.valid_to,
        }


def _new_session(person, auth_method, code, now, system) -> PinSession:
    return PinSession(
        person.fnr,
        auth_method,
        code,
        now,
        now + timedelta(minutes=defaults.SESSION_MINUTES),
        now + timedelta(hours=defaults.SESSION_CAP_HOURS),
        system,
    )


def authenticate(state, params: dict) -> AuthContext:
    """The six-field auth block of every data operation; renews the code session on success."""
    with state.lock:
        method = params.get("authMethod")
        if method not in AUTH_METHODS:
            raise SoapFault(0, F.INVALID_AUTH_METHOD)
        system, system_person = _resolve_system(
            state, params.get("systemUserName"), params.get("systemPassword")
        )
        person = state.find_person(params.get("userSSN"))
        if person is None:
            raise F.incorrect_user()
        _check_lock(state, person)
        if params.get("userPassword") != person.password:
            raise _failure(state, person)
        if system_person is not None and system_person.fnr != person.fnr:
            # A person's "system access" only works for that person's own login.
            raise SoapFault(5, F.INVALID_SYSTEM, user_id=person.user_id)
        session = state.sessions.get(person.fnr)
        pin = (params.get("userPinCode") or "").strip()
        if session is None or session.auth_method != method or pin != session.code:
            raise _failure(state, person)
        now = state.now()
        if now > session.valid_to or now > session.cap:
            raise SoapFault(989, F.SESSION_EXPIRED, user_id=person.user_id)
        person.failed_attempts = 0
        session.valid_to = min(now + timedelta(minutes=defaults.SESSION_MINUTES), session.cap)
        session.uses += 1
        name = system.system_id if system is not None else system_person.username
        return AuthContext(person, system, name)


def authorize(state, ctx: AuthContext, reportee: str) -> None:
    """The datasystem must serve ``reportee`` (owner or delegating client) and the person must have rights."""
    if reportee not in ctx.system_reportees():
        raise SoapFault(5, F.SYSTEM_NOT_AUTHORIZED, user_id=ctx.person.user_id)
    if reportee not in ctx.person.rights:
        raise SoapFault(14, F.USER_NO_RIGHTS, user_id=ctx.person.user_id)
