"""Altinn 2's SOAP faults and the client error each one becomes: the one fault table of the no-Odoo suite
(imported by module name: tests/ is on sys.path). The Odoo suite has its own in
prisolve_altinn/tests/common.py, which cannot import from here.

docs/DESIGN-NOTES.md "## Fault mapping" is the agreed mapping. Texts: "(real)" seen on the wire, "(help)" as
Altinn's help page "Computer systems - list of possible error messages" lists them, the rest the emulator's.
"""

from prisolve_altinn.altinn import errors

INCORRECT_USER = "Incorrect username/password/pin given for user"  # (real)
# A data call comes after the challenge accepted the same password: there 989 "Incorrect ..." is a wrong code.
DATA_CALL = "GetReporteeElementListBasicV2"
CHALLENGE = "GetAuthenticationChallenge"

# (ErrorID, AltinnErrorMessage, client error at a data call)
FAULTS = [
    (0, "Your request suffered from a non-functional error.", errors.AltinnError),  # (real)
    (0, "Invalid authentication method", errors.AltinnError),
    (5, "Incorrect username/password given for system", errors.InvalidSystemCredentials),  # (help)
    (5, "The EndUserSystem System with ID: 955044 is locked out", errors.SystemLockedOut),  # (help)
    (5, "The end user system is not authorized to act on behalf of the reportee", errors.NoRights),
    (14, "The user does not have the required rights for the reportee", errors.NoRights),
    (989, INCORRECT_USER, errors.WrongPinCode),
    (989, "Pin session time has time out for user. Request new.", errors.PinSessionExpired),  # (help)
    (
        989,
        "The user is temporarily locked because of too many failed attempts. Try again later",
        errors.UserLockedOut,
    ),
    (40007, "Reportee cannot be null", errors.AltinnError),
    (60016, "The element is unavailable", errors.ElementNotFound),
    (60019, "The element is archived", errors.ElementNotFound),
    (30001, "No access", errors.NoRights),
    (60005, "Not found", errors.ElementNotFound),
]

# Errors about the person, the datasystem or the session: the whole fetch stops, not one item.
STOPS_THE_FETCH = (
    errors.InvalidSystemCredentials,
    errors.InvalidUserCredentials,
    errors.PinSessionExpired,
    errors.UserLockedOut,
    errors.ConfigurationError,
)
