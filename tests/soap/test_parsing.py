"""Real tt02 envelopes (and hostile bodies) read by the client's response reader."""

from datetime import datetime, timedelta, timezone

import pytest

from prisolve_altinn.altinn import errors
from prisolve_altinn.altinn.soap import parsing


def real(shared_reference, name) -> bytes:
    return (shared_reference / "altinn2-soap" / "samples" / "real" / name).read_bytes()


def test_challenge_ok(shared_reference):
    result = parsing.read_envelope(
        real(shared_reference, "GetAuthenticationChallenge.AltinnPin.response.xml"),
        "GetAuthenticationChallenge",
    )
    challenge = parsing.parse_challenge(result)
    assert challenge.status == "Ok"
    assert challenge.message.startswith("Benytt engangskode 2")
    plus_one = timezone(timedelta(hours=1))
    assert challenge.valid_from == datetime(2020, 3, 15, 13, 0, 44, 235366, tzinfo=plus_one)
    assert challenge.valid_to - challenge.valid_from == timedelta(minutes=30)


def test_challenge_no_phone_number(shared_reference):
    result = parsing.read_envelope(
        real(shared_reference, "GetAuthenticationChallenge.SMSPin.NoPhoneNumber.response.xml"),
        "GetAuthenticationChallenge",
    )
    challenge = parsing.parse_challenge(result)
    assert challenge.status == "NoPhoneNumber"
    assert "Mobilnummer er ikke registrert" in challenge.message
    assert challenge.valid_from is None and challenge.valid_to is None  # 0001-01-01 = no window


def test_element_list(shared_reference):
    result = parsing.read_envelope(
        real(shared_reference, "GetReporteeElementListBasicV2.response.xml"), "GetReporteeElementListBasicV2"
    )
    elements = parsing.parse_element_list(result, keep_raw=True)
    assert len(elements) == 5
    active = [e for e in elements if not e.is_archived]
    archived = [e for e in elements if e.is_archived]
    assert len(active) == 3 and len(archived) == 2
    first = elements[0]
    assert (
        first.reportee_element_id == 7992038
        and first.archive_id is None
        and first.se_reportee_element_id == 0
    )
    assert first.element_type == "FormTask" and first.status == "FillIn"
    assert first.title.startswith("RF-1030") and first.service_code == "3349"
    assert first.last_changed == datetime(2020, 3, 15, 15, 23, 17, 430000, tzinfo=parsing.ALTINN_TZ)
    ar = next(e for e in archived if e.archive_id == 5276128)
    assert ar.archive_reference == "AR5276128" and ar.reportee_element_id == 0
    assert ar.se_reportee_element_id == 7012668 and ar.stable_id == 7012668
    assert ar.status == "Archive" and ar.status_name == "Sent and archived"
    assert b"AR5276128" in ar.raw


def test_fault_989_at_a_data_call_is_a_wrong_code_with_guid(shared_reference):
    with pytest.raises(errors.WrongPinCode) as info:
        parsing.read_envelope(
            real(shared_reference, "Fault.989.IncorrectUserCredentials.xml"),
            "GetReporteeElementListBasicV2",
            500,
        )
    err = info.value
    assert err.error_id == 989
    assert err.error_guid == "b58ccf4c-4c51-43bc-8f0e-8fd055a799b3"
    assert err.altinn_message == "Incorrect username/password/pin given for user"
    assert "b58ccf4c-4c51-43bc-8f0e-8fd055a799b3" in err.details_text()
    assert "b58ccf4c" not in err.text() and "Incorrect" not in err.text()
    assert err.fault.user_id == "62689"


def test_fault_0_is_generic_error(shared_reference):
    with pytest.raises(errors.AltinnError) as info:
        parsing.read_envelope(
            real(shared_reference, "Fault.0.DeserializationError.xml"), "GetReporteeElementListBasicV2", 500
        )
    assert type(info.value) is errors.AltinnError
    assert info.value.error_id == 0 and info.value.error_guid == "1e4e9931-cad9-49dc-b176-e0b42109cad9"


ENV = '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>{}</s:Body></s:Envelope>'


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (500, b"<html><body><h1>Server Error</h1></body></html>", errors.ServiceUnavailable),
        (503, b"Service Unavailable", errors.ServiceUnavailable),
        (502, b"", errors.ServiceUnavailable),
        (200, b"<html><body>maintenance</body></html>", errors.MalformedResponse),
        (200, b"not xml at all", errors.MalformedResponse),
        (
            200,
            b"<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'><s:Body>",
            errors.MalformedResponse,
        ),
        (200, b"", errors.MalformedResponse),
        (200, ENV.format("").encode(), errors.MalformedResponse),
        (200, ENV.format("<OtherResponse xmlns='urn:x'/>").encode(), errors.MalformedResponse),
        (
            500,
            ENV.format(
                "<s:Fault><faultcode>s:Server</faultcode><faultstring>boom</faultstring></s:Fault>"
            ).encode(),
            errors.ServiceUnavailable,
        ),
    ],
)
def test_transport_level_bodies(status, body, error):
    with pytest.raises(error) as info:
        parsing.read_envelope(body, "GetAttachmentDataBasicV2", status)
    assert type(info.value) is error


def test_entities_and_doctype_are_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        + ENV.format("<R>&lol2;</R>").encode()
    )
    with pytest.raises(errors.MalformedResponse):
        parsing.read_envelope(bomb, "R", 200)
    external = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + ENV.format("<RResponse><RResult>&x;</RResult></RResponse>").encode()
    )
    with pytest.raises(errors.MalformedResponse):
        parsing.read_envelope(external, "R", 200)


def test_bad_values_are_malformed():
    body = ENV.format(
        '<GetAttachmentDataBasicV2Response xmlns="urn:x"><GetAttachmentDataBasicV2Result xmlns:a="urn:y">'
        "<a:AttachmentData>@@@not base64@@@</a:AttachmentData><a:AttachmentID>1</a:AttachmentID>"
        "</GetAttachmentDataBasicV2Result></GetAttachmentDataBasicV2Response>"
    ).encode()
    result = parsing.read_envelope(body, "GetAttachmentDataBasicV2", 200)
    with pytest.raises(errors.MalformedResponse):
        parsing.parse_attachment(result)
    body = body.replace(b"@@@not base64@@@", b"aGVsbG8=").replace(b">1<", b">one<")
    with pytest.raises(errors.MalformedResponse):
        parsing.parse_attachment(parsing.read_envelope(body, "GetAttachmentDataBasicV2", 200))


def test_nil_result_means_element_gone():
    body = ENV.format(
        '<GetArchivedFormTaskBasicV2Response xmlns="urn:x"><GetArchivedFormTaskBasicV2Result '
        'xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:nil="true"/>'
        "</GetArchivedFormTaskBasicV2Response>"
    )
    result = parsing.read_envelope(body.encode(), "GetArchivedFormTaskBasicV2", 200)
    assert result is None
    with pytest.raises(errors.ElementNotFound):
        parsing.parse_archived_form_task(result)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020-03-15T13:00:44.2353668+01:00", datetime(2020, 3, 15, 12, 0, 44, 235366, tzinfo=timezone.utc)),
        ("2020-03-15T15:23:17.43", datetime(2020, 3, 15, 14, 23, 17, 430000, tzinfo=timezone.utc)),
        ("2020-07-01T12:00:00Z", datetime(2020, 7, 1, 12, tzinfo=timezone.utc)),
        ("2020-07-01T12:00:00", datetime(2020, 7, 1, 10, tzinfo=timezone.utc)),  # Oslo summer time
        ("0001-01-01T00:00:00", None),
        (None, None),
    ],
)
def test_datetimes(value, expected):
    assert parsing.parse_datetime(value) == expected
