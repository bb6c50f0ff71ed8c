"""Every operation and every error class, end to end over HTTP against the emulator on 127.0.0.1."""

import socket
import time
from datetime import timedelta

import pytest
from soap_testlib import TIMEOUT, letter_login, sms_login, window

from altinn_emulator import defaults as D
from prisolve_altinn.altinn import errors
from prisolve_altinn.altinn.soap import AltinnSoapClient, Attachment, Correspondence, ReporteeElement
from prisolve_altinn.altinn.soap.models import ArchivedFormTask, FormSetData
from prisolve_altinn.altinn.types import UserCredentials


def elements(client, credentials, reportee=D.COMPANY):
    return client.get_reportee_element_list(credentials, reportee, *window())


def pick(items, element_type, archived):
    return next(e for e in items if e.element_type == element_type and e.is_archived == archived)


# -- GetAuthenticationChallenge --------


def test_sms_challenge_starts_a_pin_session(client, emu):
    challenge = client.get_authentication_challenge(UserCredentials(D.PERSON_FNR, D.PERSON_PASSWORD))
    assert challenge.status == "Ok" and "SMS" in challenge.message
    assert challenge.valid_to - challenge.valid_from == timedelta(minutes=30)
    assert challenge.valid_from.tzinfo is not None
    assert len(emu.last_sms_code(D.PERSON_FNR)) == 5
    assert client.pin_session is not None
    assert timedelta(minutes=29) < client.pin_session.remaining() <= timedelta(minutes=30)


def test_altinn_pin_letter_login_and_username(client, emu):
    credentials = letter_login(client, emu, D.PERSON_USERNAME, D.PERSON_PASSWORD)
    assert elements(client, credentials)


def test_no_phone_number_is_a_status(client, emu):
    challenge = client.get_authentication_challenge(UserCredentials(D.NOMOBILE_FNR, D.NOMOBILE_PASSWORD))
    assert challenge.status == "NoPhoneNumber"
    assert "Mobilnummer" in challenge.message
    assert challenge.valid_from is None and client.pin_session is None
    assert emu.sms(D.NOMOBILE_FNR) == []


def test_challenge_with_wrong_password(client):
    with pytest.raises(errors.InvalidUserCredentials) as info:
        client.get_authentication_challenge(UserCredentials(D.PERSON_FNR, "wrong"))
    assert info.value.error_id == 989 and info.value.error_guid


def test_challenge_with_unknown_system(emu):
    with AltinnSoapClient(emu.url, "999999", "x", timeout=TIMEOUT) as client:
        with pytest.raises(errors.InvalidSystemCredentials) as info:
            client.get_authentication_challenge(UserCredentials(D.PERSON_FNR, D.PERSON_PASSWORD))
    assert info.value.error_id == 5


# -- data operations --------


def test_element_list_active_and_archived(client, emu):
    credentials = sms_login(client, emu)
    items = elements(client, credentials)
    assert items and all(isinstance(e, ReporteeElement) for e in items)
    expected = {i.reportee_element_id for i in emu.items(D.COMPANY)}
    assert {e.stable_id for e in items} == expected
    kinds = {(e.element_type, e.is_archived) for e in items}
    assert kinds >= {
        ("FormTask", True),
        ("FormTask", False),
        ("Correspondence", True),
        ("Correspondence", False),
    }
    for e in items:
        if e.is_archived:
            assert e.reportee_element_id == 0 and e.se_reportee_element_id
            if e.element_type == "FormTask":  # the contract shows ArchiveReference only for form tasks
                assert e.archive_reference == f"AR{e.archive_id}"
        else:
            assert e.reportee_element_id and e.archive_id is None
        assert e.last_changed.tzinfo is not None and e.title


def test_element_list_date_range_filters(client, emu):
    credentials = sms_login(client, emu)
    everything = elements(client, credentials)
    newest = max(e.last_changed for e in everything)
    recent = client.get_reportee_element_list(
        credentials, D.COMPANY, newest - timedelta(seconds=1), newest + timedelta(days=1)
    )
    assert 0 < len(recent) < len(everything)
    assert all(e.last_changed >= newest - timedelta(seconds=1) for e in recent)


def test_active_form_data(client, emu):
    credentials = sms_login(client, emu)
    form = pick(elements(client, credentials), "FormTask", archived=False)
    data = client.get_form_set_data(credentials, form.reportee_element_id)
    assert data and all(isinstance(f, FormSetData) for f in data)
    assert data[0].form_data.lstrip().startswith("<") and data[0].data_format_id


def test_archived_form_and_attachment_bytes(client, emu):
    credentials = sms_login(client, emu)
    form = pick(elements(client, credentials), "FormTask", archived=True)
    task = client.get_archived_form_task(credentials, form.archive_id)
    assert isinstance(task, ArchivedFormTask)
    main = [f for f in task.forms if f.is_main_form]
    assert len(main) == 1 and main[0].form_data_xml.lstrip().startswith("<")
    assert task.attachments
    attachment = client.get_attachment_data(credentials, task.attachments[0].attachment_id)
    assert isinstance(attachment, Attachment)
    assert attachment.data.startswith(b"%PDF") and attachment.mimetype == "application/pdf"


def test_active_message_with_inline_attachments_is_marked_read(client, emu):
    credentials = sms_login(client, emu)
    items = elements(client, credentials)
    message_el = next(
        e
        for e in items
        if e.element_type == "Correspondence"
        and not e.is_archived
        and e.correspondence_status != "Read"
        and "Skatteoppgj" in e.title
    )
    message = client.get_correspondence(credentials, message_el.reportee_element_id)
    assert isinstance(message, Correspondence) and not message.archived
    assert message.correspondence_id == message_el.reportee_element_id
    assert message.body and message.title
    assert {a.mimetype for a in message.attachments} >= {"application/pdf"}
    assert all(a.data for a in message.attachments)
    again = next(
        e for e in elements(client, credentials) if e.reportee_element_id == message_el.reportee_element_id
    )
    assert again.correspondence_status == "Read"


def test_archived_message(client, emu):
    credentials = sms_login(client, emu)
    archived = pick(elements(client, credentials), "Correspondence", archived=True)
    message = client.get_archived_correspondence(credentials, archived.archive_id)
    assert message.archived and message.correspondence_id == archived.archive_id
    assert message.attachments and all(a.data for a in message.attachments)
    # Archived messages are not reachable through the active-message service.
    with pytest.raises(errors.ElementNotFound):
        client.get_correspondence(credentials, archived.se_reportee_element_id)


def test_firm_system_reads_a_client_company(emu):
    with AltinnSoapClient(emu.url, D.FIRM_SYSTEM_ID, D.FIRM_SYSTEM_PASSWORD, timeout=TIMEOUT) as client:
        credentials = sms_login(client, emu)
        assert elements(client, credentials, D.CLIENT_COMPANY)


# -- errors --------


def test_wrong_system_password(emu):
    with AltinnSoapClient(emu.url, D.SYSTEM_ID, "wrong", timeout=TIMEOUT) as client:
        credentials = sms_login(client, emu)  # the challenge does not check the system password
        with pytest.raises(errors.InvalidSystemCredentials) as info:
            elements(client, credentials)
    assert info.value.error_id == 5 and info.value.error_guid
    assert "system ID and system password" in info.value.text()


def test_wrong_sms_code(client, emu):
    credentials = sms_login(client, emu)
    credentials.pin_code = "00000" if credentials.pin_code != "00000" else "11111"
    with pytest.raises(errors.WrongPinCode) as info:
        elements(client, credentials)
    assert info.value.error_id == 989 and info.value.error_guid


def test_system_not_authorised_for_reportee(client, emu):
    credentials = sms_login(client, emu)
    with pytest.raises(errors.NoRights) as info:
        elements(client, credentials, D.CLIENT_COMPANY)  # the company's own datasystem serves only itself
    assert info.value.error_id == 5


def test_person_without_rights_for_reportee(emu):
    with AltinnSoapClient(emu.url, D.FIRM_SYSTEM_ID, D.FIRM_SYSTEM_PASSWORD, timeout=TIMEOUT) as client:
        credentials = letter_login(client, emu, D.NOMOBILE_FNR, D.NOMOBILE_PASSWORD)
        with pytest.raises(errors.NoRights) as info:
            elements(client, credentials, D.CLIENT_COMPANY)
    assert info.value.error_id == 14


def test_element_gone(client, emu):
    credentials = sms_login(client, emu)
    with pytest.raises(errors.ElementNotFound) as info:
        client.get_archived_form_task(credentials, 987654321)
    assert info.value.error_id == 60016
    with pytest.raises(errors.ElementNotFound):
        client.get_attachment_data(credentials, 987654321)
    with pytest.raises(errors.ElementNotFound):
        client.get_form_set_data(credentials, 987654321)


def test_server_error_page_is_service_unavailable(client, emu):
    credentials = sms_login(client, emu)
    emu.inject_fault({"operation": "GetReporteeElementListBasicV2", "count": 1, "http_500_html": True})
    with pytest.raises(errors.ServiceUnavailable) as info:
        elements(client, credentials)
    assert info.value.retryable
    assert elements(client, credentials)  # the next call works again


def test_connection_refused_is_service_unavailable():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nobody listens here once the socket is closed
    with AltinnSoapClient(
        f"http://127.0.0.1:{port}", D.SYSTEM_ID, D.SYSTEM_PASSWORD, timeout=TIMEOUT
    ) as client:
        with pytest.raises(errors.ServiceUnavailable) as info:
            client.get_authentication_challenge(UserCredentials(D.PERSON_FNR, D.PERSON_PASSWORD))
    assert type(info.value) is errors.ServiceUnavailable


def test_read_timeout(emu):
    with AltinnSoapClient(emu.url, D.SYSTEM_ID, D.SYSTEM_PASSWORD, timeout=(2.0, 0.5)) as client:
        credentials = sms_login(client, emu)
        emu.inject_fault({"operation": "GetReporteeElementListBasicV2", "count": 1, "delay_seconds": 2})
        started = time.monotonic()
        with pytest.raises(errors.AltinnTimeout) as info:
            elements(client, credentials)
        assert time.monotonic() - started < 1.8
    assert isinstance(info.value, errors.ServiceUnavailable) and info.value.retryable


def test_timeout_can_change_per_call_site(client, emu):
    credentials = sms_login(client, emu)
    client.timeout = (2.0, 0.3)
    emu.inject_fault({"operation": "GetReporteeElementListBasicV2", "count": 1, "delay_seconds": 1})
    with pytest.raises(errors.AltinnTimeout):
        elements(client, credentials)
    client.timeout = (2.0, 10.0)
    emu.inject_fault({"operation": "GetReporteeElementListBasicV2", "count": 1, "delay_seconds": 0.5})
    assert elements(client, credentials)
    with pytest.raises(errors.ConfigurationError):
        client.timeout = 5


def test_connect_timeout_is_applied():
    # A listening socket whose backlog is full never completes the handshake for a new client.
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        fillers = []
        try:
            for _ in range(8):
                filler = socket.socket()
                filler.setblocking(False)
                filler.connect_ex(server.getsockname())
                fillers.append(filler)
            url = "http://%s:%d" % server.getsockname()
            with AltinnSoapClient(url, D.SYSTEM_ID, D.SYSTEM_PASSWORD, timeout=(0.3, 5.0)) as client:
                started = time.monotonic()
                with pytest.raises(errors.ServiceUnavailable):
                    client.get_authentication_challenge(UserCredentials(D.PERSON_FNR, D.PERSON_PASSWORD))
                assert time.monotonic() - started < 4
        finally:
            for filler in fillers:
                filler.close()


def test_html_with_status_200_is_malformed(client, emu):
    credentials = sms_login(client, emu)
    emu.inject_fault(
        {"operation": "GetReporteeElementListBasicV2", "count": 1, "http_500_html": True, "status": 200}
    )
    with pytest.raises(errors.MalformedResponse):
        elements(client, credentials)


def test_no_pin_code_is_refused_without_a_call(client, emu):
    before = len(emu.calls())
    with pytest.raises(errors.InvalidUserCredentials):
        elements(client, UserCredentials(D.PERSON_FNR, D.PERSON_PASSWORD))
    assert len(emu.calls()) == before


def test_base_url_choice():
    production = AltinnSoapClient("production", "1", "x")
    assert (
        production.endpoint("reportee_archive")
        == "https://www.altinn.no/ArchiveExternal/ReporteeArchiveExternalBasic.svc"
    )
    assert AltinnSoapClient("test", "1", "x").base_url == "https://tt02.altinn.no"
    assert AltinnSoapClient("http://127.0.0.1:8099/", "1", "x").base_url == "http://127.0.0.1:8099"
    with pytest.raises(errors.ConfigurationError):
        AltinnSoapClient("ftp://x", "1", "x")
    with pytest.raises(errors.ConfigurationError):
        AltinnSoapClient("test", "", "x")
    with pytest.raises(errors.ConfigurationError):
        AltinnSoapClient("test", "1", "x", timeout=30)
