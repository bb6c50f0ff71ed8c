"""The agreed fault mapping (docs/DESIGN-NOTES.md "## Fault mapping")."""

import pytest

from prisolve_altinn.altinn import errors
from prisolve_altinn.altinn.soap.faults import AltinnFault, error_class_for, to_error


@pytest.mark.parametrize(
    ("error_id", "message", "expected"),
    [
        (989, "Incorrect username/password/pin given for user", errors.InvalidUserCredentials),
        (989, "The pin code session has expired. Request a new pin code", errors.PinSessionExpired),
        (
            989,
            "The user is temporarily locked because of too many failed attempts. Try again later",
            errors.UserLockedOut,
        ),
        (989, "Something else about authentication", errors.InvalidUserCredentials),
        (
            5,
            "Authentication failed for end user system. Check system user name and password",
            errors.InvalidSystemCredentials,
        ),
        (5, "The end user system is not authorized to act on behalf of the reportee", errors.NoRights),
        (14, "The user does not have the required rights for the reportee", errors.NoRights),
        (30001, "whatever", errors.NoRights),
        (60016, "The element is unavailable", errors.ElementNotFound),
        (60019, "The element is archived", errors.ElementNotFound),
        (60018, "", errors.ElementNotFound),
        (0, "Your request suffered from a non-functional error.", errors.AltinnError),
        (0, "Invalid authentication method", errors.AltinnError),
        (40007, "Reportee cannot be null", errors.AltinnError),
    ],
)
def test_mapping(error_id, message, expected):
    fault = AltinnFault(
        "s:Client", "An error occurred", error_id=error_id, error_message=message, error_guid="g-1"
    )
    assert error_class_for(fault) is expected
    err = to_error(fault, "Op")
    assert type(err) is expected
    assert err.error_guid == "g-1" and err.error_id == error_id


def test_every_error_has_both_languages():
    for cls in (
        errors.InvalidSystemCredentials,
        errors.InvalidUserCredentials,
        errors.PinSessionExpired,
        errors.UserLockedOut,
        errors.NoPhoneNumber,
        errors.NoRights,
        errors.ElementNotFound,
        errors.ServiceUnavailable,
        errors.AltinnTimeout,
        errors.MalformedResponse,
        errors.ConfigurationError,
    ):
        err = cls("detail", error_guid="abc")
        assert cls.message_nb in err.text("nb") and cls.message_en in err.text("en")
        assert "abc" in err.text("nb")
