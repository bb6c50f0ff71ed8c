"""AltinnFault → typed ``errors.AltinnError`` (see "## Fault mapping" in docs/DESIGN-NOTES.md).

Altinn reuses ErrorIDs for different causes (989: any user-authentication failure, 5: system credentials or
missing authorisation), so the ErrorID decides first and the message text only where one ID covers several
client errors. Texts that real captures or Altinn's help pages show are matched as Altinn writes them; the
others are the ones agreed with the emulator (no public source exists).

Altinn's "Incorrect username/password/pin given for user" does not say which part was wrong; the operation
does: GetAuthenticationChallenge sends no code, so there the person or the personal password is wrong,
while a data call follows a challenge that accepted the same password, so there the code is wrong or old.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import errors

FAULT_NS = "http://www.altinn.no/services/common/fault/2009/10"

ELEMENT_GONE_IDS = frozenset({60005, 60016, 60018, 60019})  # InvalidReporteeElement, Invalid/Deleted/Archived
NO_RIGHTS_IDS = frozenset({14, 30001, 30002})  # MissingRight, NotAuthorizedForReportee/-Signature
USER_AUTH_ID = 989
SYSTEM_AUTH_ID = 5
GENERAL_ID = 0
CHALLENGE_OPERATION = "GetAuthenticationChallenge"


@dataclass(frozen=True)
class AltinnFault:
    """The parsed ``<detail>/<AltinnFault>`` of a SOAP fault (or only faultcode/faultstring)."""

    faultcode: str | None
    faultstring: str | None
    error_id: int | None = None
    error_message: str | None = None
    extended_message: str | None = None
    localized_message: str | None = None
    error_guid: str | None = None
    user_guid: str | None = None
    user_id: str | None = None

    @property
    def text(self) -> str:
        return self.error_message or self.localized_message or self.faultstring or ""


def _has(text: str, *needles: str) -> bool:
    return any(n in text for n in needles)


def _wrong_user_credentials(operation: str | None) -> type[errors.InvalidUserCredentials]:
    if operation == CHALLENGE_OPERATION:
        return errors.WrongPersonalPassword
    if operation:
        return errors.WrongPinCode
    return errors.InvalidUserCredentials


def error_class_for(fault: AltinnFault, operation: str | None = None) -> type[errors.AltinnError]:
    """The ``AltinnError`` subclass for a fault answered to ``operation`` (None: not known)."""
    eid = fault.error_id
    text = " ".join(filter(None, (fault.error_message, fault.localized_message))).lower()
    if eid in ELEMENT_GONE_IDS:
        return errors.ElementNotFound
    if eid in NO_RIGHTS_IDS:
        return errors.NoRights
    about_system = _has(text, "endusersystem", "end user system", "given for system")
    if eid in (USER_AUTH_ID, GENERAL_ID):
        # DOC-TI lists the same user-authentication causes under 0 and 989.
        if _has(text, "locked", "sperret"):
            return errors.SystemLockedOut if about_system else errors.UserLockedOut
        # "Pin session time has time out for user. Request new." (Altinn's help page); ours says "expired".
        if _has(text, "expired", "utløpt", "new pin", "ny pinkode", "time out", "timed out"):
            return errors.PinSessionExpired
        if about_system:
            return errors.InvalidSystemCredentials
        if _has(text, "username/password/pin", "brukernavn/passord/pin") or eid == USER_AUTH_ID:
            return _wrong_user_credentials(operation)
        return errors.AltinnError
    if eid == SYSTEM_AUTH_ID:
        if _has(text, "not authorized", "not authorised", "ikke autorisert", "ikke rettighet"):
            return errors.NoRights
        if _has(text, "locked", "sperret"):
            return errors.SystemLockedOut
        return errors.InvalidSystemCredentials
    if eid is None and (fault.faultcode or "").lower().endswith("server"):
        return errors.ServiceUnavailable
    return errors.AltinnError


def to_error(fault: AltinnFault, operation: str) -> errors.AltinnError:
    """The typed error of a fault; Altinn's ErrorID, ErrorGuid and text go to the support details."""
    cls = error_class_for(fault, operation)
    return cls(
        operation, error_id=fault.error_id, error_guid=fault.error_guid, altinn_message=fault.text or None
    )
