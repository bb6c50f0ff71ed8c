"""Altinn's SOAP faults: ErrorIDs and texts as agreed in docs/DESIGN-NOTES.md "## Fault mapping"."""

from __future__ import annotations

import uuid

from .xmlout import esc

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
FAULT_NS = "http://www.altinn.no/services/common/fault/2009/10"

FAULTSTRING = "An error occurred"
FAULTSTRING_AUTH = "An errror occurred"  # sic, 3×r: what Altinn sends with ErrorID 989

NON_FUNCTIONAL = (
    "Your request suffered from a non-functional error. If this persist, please report it to the "
    "system administrator. Please include the id concerning this speciffic error [{guid}]."
)
INCORRECT_USER = "Incorrect username/password/pin given for user"  # real capture
# As Altinn's help page "Computer systems - list of possible error messages" (info.altinn.no) lists them:
SESSION_EXPIRED = "Pin session time has time out for user. Request new."
INVALID_SYSTEM = "Incorrect username/password given for system"
# Guess (no public source shows the text for a locked person):
USER_LOCKED = "The user is temporarily locked because of too many failed attempts. Try again later"
SYSTEM_NOT_AUTHORIZED = "The end user system is not authorized to act on behalf of the reportee"
USER_NO_RIGHTS = "The user does not have the required rights for the reportee"
INVALID_AUTH_METHOD = "Invalid authentication method"
REPORTEE_NULL = "Reportee cannot be null"
ELEMENT_UNAVAILABLE = "The element is unavailable"
ELEMENT_ARCHIVED = "The element is archived"


class SoapFault(Exception):
    """An AltinnFault answer (HTTP 500, s:Fault with AltinnFault detail)."""

    def __init__(
        self,
        error_id: int,
        message: str,
        *,
        localized: str | None = None,
        faultstring: str | None = None,
        user_id: int | str | None = None,
    ):
        super().__init__(f"{error_id}: {message}")
        self.error_id = error_id
        self.message = message
        self.localized = localized
        self.faultstring = faultstring or (FAULTSTRING_AUTH if error_id == 989 else FAULTSTRING)
        self.user_id = user_id

    def render(self) -> bytes:
        guid = str(uuid.uuid4())
        message = self.message.replace("{guid}", guid)
        localized = (self.localized if self.localized is not None else self.message).replace("{guid}", guid)
        user_id = "<UserId/>" if self.user_id in (None, "") else f"<UserId>{esc(str(self.user_id))}</UserId>"
        return (
            f'<s:Envelope xmlns:s="{SOAP_NS}"><s:Body><s:Fault><faultcode>s:Client</faultcode>'
            f'<faultstring xml:lang="nb-NO">{esc(self.faultstring)}</faultstring><detail>'
            f'<AltinnFault xmlns="{FAULT_NS}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">'
            f"<AltinnErrorMessage>{esc(message)}</AltinnErrorMessage>"
            "<AltinnExtendedErrorMessage>No information available</AltinnExtendedErrorMessage>"
            f"<AltinnLocalizedErrorMessage>{esc(localized)}</AltinnLocalizedErrorMessage>"
            f"<ErrorGuid>{guid}</ErrorGuid><ErrorID>{self.error_id}</ErrorID>"
            f"<UserGuid>-no value-</UserGuid>{user_id}</AltinnFault></detail></s:Fault></s:Body></s:Envelope>"
        ).encode()


def deserialization_fault(detail: str, user_id=None) -> SoapFault:
    """ErrorID 0 exactly as Altinn wraps a WCF formatter exception."""
    localized = (
        "An error occured: The formatter threw an exception while trying to deserialize the message: "
        f"{detail}"
    )
    return SoapFault(0, NON_FUNCTIONAL, localized=localized, user_id=user_id)


def incorrect_user(user_id=None) -> SoapFault:
    return SoapFault(989, INCORRECT_USER, user_id=user_id)


def action_not_supported(action: str) -> bytes:
    """WCF's ContractFilter mismatch fault (no AltinnFault detail): unknown SOAPAction/operation."""
    text = (
        f"The message with Action '{action}' cannot be processed at the receiver, due to a ContractFilter "
        "mismatch at the EndpointDispatcher. This may be because of either a contract mismatch (mismatched "
        "Actions between sender and receiver) or a binding/security mismatch between the sender and the "
        "receiver.  Check that sender and receiver have the same contract and the same binding (including "
        "security requirements, e.g. Message, Transport, None)."
    )
    return (
        f'<s:Envelope xmlns:s="{SOAP_NS}"><s:Body><s:Fault>'
        '<faultcode xmlns:a="http://schemas.microsoft.com/ws/2005/05/addressing/none">a:ActionNotSupported</faultcode>'
        f'<faultstring xml:lang="en-US">{esc(text)}</faultstring></s:Fault></s:Body></s:Envelope>'
    ).encode()


def server_error_html(status: int = 500) -> bytes:
    """What a crashed IIS/WCF front answers: an HTML page, not SOAP."""
    return (
        "<!DOCTYPE html>\n<html><head><title>Runtime Error</title></head><body>"
        f"<h1>Server Error in '/' Application.</h1><h2><i>Runtime Error</i></h2><p>HTTP {status}. "
        "An application error occurred on the server.</p></body></html>"
    ).encode()
