"""One-time code lifecycle: SMS outbox, 30 min idle expiry, sliding renewal, 8 h cap, lockout, AltinnPin."""

import re
from datetime import datetime

import requests
from soaphelp import Creds, challenge, challenge_fields, element_list, elements, login

from altinn_emulator import defaults as D


def _ok(answer):
    assert answer.status == 200, answer.text
    return answer


def _fault(answer, error_id, text_part=None):
    assert answer.status == 500, answer.text
    assert answer.error_id == error_id, answer.text
    if text_part:
        assert text_part in answer.fault("AltinnErrorMessage")
    return answer


def test_smspin_code_lands_in_the_outbox_and_opens_a_session(altinn_emulator):
    emu = altinn_emulator
    answer = _ok(challenge(emu.url, "SMSPin", D.SYSTEM_ID, D.PERSON_USERNAME))
    fields = challenge_fields(answer)
    assert fields["Status"] == "Ok"
    valid_from = datetime.fromisoformat(fields["ValidFrom"][:26] + fields["ValidFrom"][27:])
    valid_to = datetime.fromisoformat(fields["ValidTo"][:26] + fields["ValidTo"][27:])
    assert (valid_to - valid_from).total_seconds() == 30 * 60
    sms = requests.get(emu.url + "/_emulator/sms", params={"user": D.PERSON_FNR}, timeout=10).json()
    assert len(sms) == 1 and re.fullmatch(r"\d{5}", sms[0]["code"])
    assert sms[0]["to"] == D.PERSON_MOBILE and sms[0]["code"] in sms[0]["text"]
    assert requests.get(emu.url + "/_emulator/sms", params={"user": "demo"}, timeout=10).json() == sms
    creds = Creds(pin=sms[0]["code"])
    assert len(elements(_ok(element_list(emu.url, creds)))) == 7
    # the code is reusable inside the session
    _ok(element_list(emu.url, creds))


def test_new_challenge_replaces_the_code_and_outbox_is_newest_first(altinn_emulator):
    emu = altinn_emulator
    first = login(emu)
    second = login(emu)
    codes = [m["code"] for m in emu.sms(D.PERSON_FNR)]
    assert codes[0] == second.pin and codes[1] == first.pin
    if first.pin != second.pin:
        _fault(element_list(emu.url, first), 989, "Incorrect username/password/pin")
    _ok(element_list(emu.url, second))


def test_session_expires_after_30_idle_minutes(altinn_emulator):
    emu = altinn_emulator
    creds = login(emu)
    emu.advance_clock(minutes=29)
    _ok(element_list(emu.url, creds))  # renewed to now + 30 min
    emu.advance_clock(minutes=29)
    _ok(element_list(emu.url, creds))
    emu.advance_clock(minutes=31)
    _fault(element_list(emu.url, creds), 989, "Pin session time has time out")
    _fault(
        element_list(emu.url, creds), 989, "Pin session time has time out"
    )  # stays expired; does not count as a wrong code
    assert emu.state.find_person(D.PERSON_FNR).failed_attempts == 0
    _ok(element_list(emu.url, login(emu)))  # a new challenge opens a new session


def test_expiry_via_the_clock_control_endpoint(altinn_emulator):
    emu = altinn_emulator
    creds = login(emu)
    now = requests.post(emu.url + "/_emulator/clock", json={"advance_minutes": 31}, timeout=10).json()["now"]
    assert datetime.fromisoformat(now) > datetime.now().astimezone()
    _fault(element_list(emu.url, creds), 989, "Pin session time has time out")


def test_session_is_capped_at_8_hours(altinn_emulator):
    emu = altinn_emulator
    creds = login(emu)
    for _ in range(19):  # 19 × 25 min = 7 h 55 min, always renewed
        emu.advance_clock(minutes=25)
        _ok(element_list(emu.url, creds))
    session = emu.state.sessions[D.PERSON_FNR]
    assert session.valid_to == session.cap  # renewal no longer reaches now + 30 min
    emu.advance_clock(minutes=6)  # 8 h 1 min after the challenge
    _fault(element_list(emu.url, creds), 989, "Pin session time has time out")


def test_wrong_codes_lock_the_person(altinn_emulator):
    emu = altinn_emulator
    creds = login(emu)
    wrong = creds.with_(pin="00000" if creds.pin != "00000" else "11111")
    for _ in range(D.LOCK_AFTER_FAILURES - 1):
        _fault(element_list(emu.url, wrong), 989, "Incorrect username/password/pin given for user")
    _fault(element_list(emu.url, wrong), 989, "locked")
    _fault(element_list(emu.url, creds), 989, "locked")  # even the right code
    _fault(challenge(emu.url), 989, "locked")  # and no new code while locked
    assert len(emu.sms(D.PERSON_FNR)) == 1
    emu.advance_clock(minutes=D.LOCK_MINUTES + 1)
    _fault(element_list(emu.url, creds), 989, "Incorrect")  # the lock dropped the old session
    _ok(element_list(emu.url, login(emu)))


def test_a_success_resets_the_failure_count(altinn_emulator):
    emu = altinn_emulator
    creds = login(emu)
    wrong = creds.with_(pin="xxxxx")
    for _ in range(D.LOCK_AFTER_FAILURES - 1):
        _fault(element_list(emu.url, wrong), 989)
    _ok(element_list(emu.url, creds))
    for _ in range(D.LOCK_AFTER_FAILURES - 1):
        _fault(element_list(emu.url, wrong), 989, "Incorrect")
    _ok(element_list(emu.url, creds))


def test_wrong_password_counts_and_locks(altinn_emulator):
    emu = altinn_emulator
    for _ in range(D.LOCK_AFTER_FAILURES - 1):
        _fault(challenge(emu.url, password="feil"), 989, "Incorrect username/password/pin given for user")
    _fault(challenge(emu.url, password="feil"), 989, "locked")
    _fault(challenge(emu.url), 989, "locked")


def test_unknown_user_and_no_challenge(altinn_emulator):
    emu = altinn_emulator
    answer = _fault(challenge(emu.url, user="01010199999"), 989, "Incorrect")
    assert answer.faultstring == "An errror occurred"
    _fault(element_list(emu.url, Creds(pin="12345")), 989, "Incorrect")  # no challenge requested


def test_nophonenumber_for_person_without_mobile(altinn_emulator):
    emu = altinn_emulator
    for user in (D.NOMOBILE_FNR, D.NOMOBILE_USERNAME):
        answer = _ok(challenge(emu.url, "SMSPin", D.SYSTEM_ID, user, D.NOMOBILE_PASSWORD))
        fields = challenge_fields(answer)
        assert fields["Status"] == "NoPhoneNumber"
        assert fields["ValidFrom"] == fields["ValidTo"] == "0001-01-01T00:00:00"
        assert fields["Message"].startswith("Mobilnummer er ikke registrert")
    assert emu.sms(D.NOMOBILE_FNR) == []
    assert D.NOMOBILE_FNR not in emu.state.sessions


def test_altinnpin_flow(altinn_emulator):
    emu = altinn_emulator
    answer = _ok(challenge(emu.url, "AltinnPin", None, D.NOMOBILE_USERNAME, D.NOMOBILE_PASSWORD))
    fields = challenge_fields(answer)
    index = int(re.match(r"Benytt engangskode (\d+) fra brev datert ", fields["Message"]).group(1))
    letter = requests.get(
        emu.url + "/_emulator/pinletter", params={"user": D.NOMOBILE_USERNAME}, timeout=10
    ).json()
    code = letter["codes"][str(index)]
    assert code == emu.pin_letter_code(D.NOMOBILE_FNR, index)
    creds = Creds(user=D.NOMOBILE_FNR, password=D.NOMOBILE_PASSWORD, pin=code, method="AltinnPin")
    assert len(elements(_ok(element_list(emu.url, creds)))) == 7
    # the SMSPin method does not match an AltinnPin session; another letter code is wrong
    _fault(element_list(emu.url, creds.with_(method="SMSPin")), 989, "Incorrect")
    other = letter["codes"][str(index % len(letter["codes"]) + 1)]
    _fault(element_list(emu.url, creds.with_(pin=other)), 989, "Incorrect")
    # the next challenge asks for the next code of the letter
    fields = challenge_fields(
        _ok(challenge(emu.url, "AltinnPin", None, D.NOMOBILE_USERNAME, D.NOMOBILE_PASSWORD))
    )
    assert f"engangskode {index % len(letter['codes']) + 1} " in fields["Message"]


def test_invalid_auth_method(altinn_emulator):
    emu = altinn_emulator
    _fault(challenge(emu.url, "TaxPin"), 0, "Invalid authentication method")
    creds = login(emu)
    _fault(element_list(emu.url, creds.with_(method="TaxPin")), 0, "Invalid authentication method")
