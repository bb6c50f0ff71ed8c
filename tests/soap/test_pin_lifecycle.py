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


def wrong_code(credentials):
    bad = "00000" if credentials.pin_code != "00000" else "11111"
    return UserCredentials(credentials.username, credentials.password, pin_code=bad)


# -- which credential was wrong: Altinn answers the same 989 text; the operation tells --------


def test_wrong_password_at_the_challenge_is_named(client, emu, nb):
    with pytest.raises(errors.WrongPersonalPassword) as info:
        client.get_authentication_challenge(UserCredentials(D.PERSON_FNR, "wrong"))
    err = info.value
    assert err.error_id == 989 and err.altinn_message == "Incorrect username/password/pin given for user"
    assert "personal password" in err.text() and "SMS code" not in err.text()
    assert "personlige passordet" in err.text(nb) and "SMS" not in err.text(nb)
    assert "Incorrect" not in err.text(nb) and "989" not in err.text(nb)
    assert "ErrorID 989" in err.details_text(nb) and err.error_guid in err.details_text(nb)
    assert not emu.sms(D.PERSON_FNR)


def test_wrong_code_at_a_data_call_is_named(client, emu, nb):
    credentials = sms_login(client, emu)
    with pytest.raises(errors.WrongPinCode) as info:
        list_once(client, wrong_code(credentials))
    assert not info.value.earlier_code_void
    assert "siste SMS" in info.value.text(nb) and "passord" not in info.value.text(nb)
    assert list_once(client, credentials)  # the right code still works


def test_old_code_after_a_new_challenge(client, emu, nb):
    first = sms_login(client, emu)
    second = sms_login(client, emu)
    assert first.pin_code != second.pin_code
    with pytest.raises(errors.WrongPinCode) as info:
        list_once(client, first)
    assert info.value.earlier_code_void
    assert "ny kode" in info.value.text(nb) and "siste SMS" in info.value.text(nb)
    assert list_once(client, second)


def test_old_code_through_the_transport(transport, emu):
    first = sms_login(transport, emu)
    second = sms_login(transport, emu)
    assert first.pin_code != second.pin_code
    with pytest.raises(errors.WrongPinCode) as info:
        list(transport.fetch(D.COMPANY, *window(), first))
    assert info.value.earlier_code_void


# -- lockout --------


def test_lockout_after_repeated_wrong_codes(client, emu, nb):
    credentials = sms_login(client, emu)
    raised = []
    for _ in range(D.LOCK_AFTER_FAILURES):
        with pytest.raises((errors.WrongPinCode, errors.UserLockedOut)) as info:
            list_once(client, wrong_code(credentials))
        raised.append(info.value)
    assert [type(e) for e in raised[:-1]] == [errors.WrongPinCode] * (D.LOCK_AFTER_FAILURES - 1)
    locked = raised[-1]
    assert type(locked) is errors.UserLockedOut
    assert "in an hour" in locked.text() and "om en time" in locked.text(nb)
    assert "locked" in locked.details_text()  # Altinn's own text, for support
    # Locked: even the right password is refused, also for a new challenge.
    with pytest.raises(errors.UserLockedOut):
        client.get_authentication_challenge(UserCredentials(D.PERSON_FNR, D.PERSON_PASSWORD))
    emu.advance_clock(minutes=D.LOCK_MINUTES - 5)  # "try again in an hour" is not too early advice
    with pytest.raises(errors.UserLockedOut):
        client.get_authentication_challenge(UserCredentials(D.PERSON_FNR, D.PERSON_PASSWORD))
    emu.advance_clock(minutes=6)
    credentials = sms_login(client, emu)
    assert list_once(client, credentials)


def test_lockout_by_wrong_password_on_challenge(client, emu, nb):
    for _ in range(D.LOCK_AFTER_FAILURES - 1):
        with pytest.raises(errors.WrongPersonalPassword):
            client.get_authentication_challenge(UserCredentials(D.PERSON_FNR, "wrong"))
    with pytest.raises(errors.UserLockedOut) as info:
        client.get_authentication_challenge(UserCredentials(D.PERSON_FNR, "wrong"))
    assert info.value.error_id == 989
    assert "sperret" in info.value.text(nb)


def test_altinn_never_tells_the_attempts_left(client, emu):
    """No fault carries a count, so no message may show one (docs/DESIGN-NOTES.md "## Fault mapping")."""
    credentials = sms_login(client, emu)
    for _ in range(D.LOCK_AFTER_FAILURES):
        with pytest.raises((errors.WrongPinCode, errors.UserLockedOut)) as info:
            list_once(client, wrong_code(credentials))
        assert not any(ch.isdigit() for ch in info.value.altinn_message)
