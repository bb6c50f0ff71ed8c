"""PIN session against the emulator: expiry, sliding renewal, 8-hour cap, lockout."""

from datetime import timedelta

import pytest
from soap_testlib import sms_login, window

from altinn_emulator import defaults as D
from prisolve_altinn.altinn import errors
from prisolve_altinn.altinn.types import UserCredentials


def list_once(client, credentials):
    return client.get_reportee_element_list(credentials, D.COMPANY, *window())


def test_session_expires_after_30_idle_minutes(client, emu):
    credentials = sms_login(client, emu)
    list_once(client, credentials)
    emu.advance_clock(minutes=31)
    with pytest.raises(errors.PinSessionExpired) as info:
        list_once(client, credentials)
    assert info.value.error_id == 989 and info.value.error_guid
    # Altinn said so: the local session is over too, so the next call is refused without a request.
    assert client.pin_session.expired()
    calls = len(emu.calls())
    with pytest.raises(errors.PinSessionExpired):
        list_once(client, credentials)
    assert len(emu.calls()) == calls
    # A new challenge gives a new code and a new session.
    credentials = sms_login(client, emu)
    assert list_once(client, credentials)


def test_each_use_slides_the_window(client, emu):
    credentials = sms_login(client, emu)
    for _ in range(4):  # 4 × 25 min = 100 min, far beyond the first 30 min
        emu.advance_clock(minutes=25)
        list_once(client, credentials)
    assert client.pin_session.uses == 4
    remaining = client.pin_session.remaining()
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)


def test_eight_hour_cap(client, emu):
    credentials = sms_login(client, emu)
    for _ in range(19):  # 19 × 25 min = 7 h 55 min
        emu.advance_clock(minutes=25)
        list_once(client, credentials)
    emu.advance_clock(minutes=6)  # 8 h 1 min after the challenge, 6 min after the last use
    with pytest.raises(errors.PinSessionExpired):
        list_once(client, credentials)


def test_local_countdown_stops_before_altinn_does(client, emu):
    credentials = sms_login(client, emu)
    session = client.pin_session
    session.valid_to = session.now() + timedelta(seconds=20)  # as if 29 min 40 s had passed
    assert session.expired(margin=timedelta(seconds=30))
    session.valid_to = session.now() - timedelta(seconds=1)
    calls = len(emu.calls())
    with pytest.raises(errors.PinSessionExpired):
        list_once(client, credentials)
    assert len(emu.calls()) == calls


def test_lockout_after_repeated_wrong_codes(client, emu):
    credentials = sms_login(client, emu)
    good = credentials.pin_code
    bad = UserCredentials(D.PERSON_FNR, D.PERSON_PASSWORD, pin_code="00000" if good != "00000" else "11111")
    raised = []
    for _ in range(D.LOCK_AFTER_FAILURES):
        with pytest.raises((errors.InvalidUserCredentials, errors.UserLockedOut)) as info:
            list_once(client, bad)
        raised.append(type(info.value))
    assert raised[:-1] == [errors.InvalidUserCredentials] * (D.LOCK_AFTER_FAILURES - 1)
    assert raised[-1] is errors.UserLockedOut
    # Locked: even the right password is refused, also for a new challenge.
    with pytest.raises(errors.UserLockedOut):
        client.get_authentication_challenge(UserCredentials(D.PERSON_FNR, D.PERSON_PASSWORD))
    emu.advance_clock(minutes=D.LOCK_MINUTES + 1)
    credentials = sms_login(client, emu)
    assert list_once(client, credentials)


def test_lockout_by_wrong_password_on_challenge(client, emu):
    for _ in range(D.LOCK_AFTER_FAILURES - 1):
        with pytest.raises(errors.InvalidUserCredentials):
            client.get_authentication_challenge(UserCredentials(D.PERSON_FNR, "wrong"))
    with pytest.raises(errors.UserLockedOut) as info:
        client.get_authentication_challenge(UserCredentials(D.PERSON_FNR, "wrong"))
    assert info.value.error_id == 989
    assert "sperret" in info.value.text("nb")
