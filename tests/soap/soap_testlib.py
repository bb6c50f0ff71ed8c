"""Helpers shared by the SOAP client tests (imported by module name: tests/soap is on sys.path)."""

import re
from datetime import datetime, timedelta, timezone

from altinn_emulator import defaults as D
from prisolve_altinn.altinn.soap import Altinn2Transport
from prisolve_altinn.altinn.types import UserCredentials

TIMEOUT = (2.0, 10.0)


def sms_login(client_or_transport, emu, user=D.PERSON_FNR, password=D.PERSON_PASSWORD) -> UserCredentials:
    """Challenge (SMSPin) and read the code from the emulator's SMS outbox, as the person would."""
    credentials = UserCredentials(user, password)
    if isinstance(client_or_transport, Altinn2Transport):
        client_or_transport.request_pin(credentials)
    else:
        assert client_or_transport.get_authentication_challenge(credentials).status == "Ok"
    credentials.pin_code = emu.last_sms_code(user)
    return credentials


def letter_login(client, emu, user, password) -> UserCredentials:
    """AltinnPin: Altinn names which code of the PIN letter to use."""
    credentials = UserCredentials(user, password, auth_method="AltinnPin")
    challenge = client.get_authentication_challenge(credentials)
    assert challenge.status == "Ok"
    index = int(re.search(r"engangskode (\d+)", challenge.message).group(1))
    credentials.pin_code = emu.pin_letter_code(user, index)
    return credentials


def window(days_back=400):
    now = datetime.now(timezone.utc)
    return now - timedelta(days=days_back), now + timedelta(days=2)
