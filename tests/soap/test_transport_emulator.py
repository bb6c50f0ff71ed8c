"""Altinn2Transport end to end: list + download into AltinnItem, stable references, per-item failures."""

import base64
from datetime import timedelta

import pytest
from soap_testlib import sms_login, window

from altinn_emulator import defaults as D
from prisolve_altinn.altinn import errors
from prisolve_altinn.altinn.soap import Altinn2Transport, item_reference
from prisolve_altinn.altinn.types import (
    KIND_FORM,
    KIND_MESSAGE,
    ROLE_ATTACHMENT,
    ROLE_BODY,
    ROLE_FORM_DATA,
    AltinnItem,
    FetchFailure,
    UserCredentials,
)


def fetch_all(transport, credentials, reportee=D.COMPANY):
    return list(transport.fetch(reportee, *window(), credentials))


def test_transport_needs_a_person():
    assert Altinn2Transport.needs_person is True and Altinn2Transport.name == "altinn2"


def test_request_pin(transport, emu):
    challenge = transport.request_pin(UserCredentials(D.PERSON_FNR, D.PERSON_PASSWORD))
    assert challenge.status == "Ok"
    assert transport.pin_session.remaining() > timedelta(minutes=29)


def test_request_pin_without_mobile_raises_no_phone_number(transport, nb):
    with pytest.raises(errors.NoPhoneNumber) as info:
        transport.request_pin(UserCredentials(D.NOMOBILE_FNR, D.NOMOBILE_PASSWORD))
    assert "Mobilnummer" in info.value.altinn_message
    assert "mobilnummer" in info.value.text(nb) and "mobile number" in info.value.text()


def test_fetch_downloads_every_item(transport, emu):
    credentials = sms_login(transport, emu)
    results = fetch_all(transport, credentials)
    assert all(isinstance(r, AltinnItem) for r in results), [
        r for r in results if isinstance(r, FetchFailure)
    ]
    emulated = emu.items(D.COMPANY)
    assert len(results) == len(emulated)
    assert any(r.unsent for r in results), "the default data has an unsent VAT return"
    by_ref = {r.reference: r for r in results}
    assert len(by_ref) == len(results)
    for source in emulated:
        prefix = "RE" if source.kind == "form" else "C"
        item = by_ref[f"{prefix}{source.reportee_element_id}"]
        assert item.kind == (KIND_FORM if source.kind == "form" else KIND_MESSAGE)
        assert item.reportee == D.COMPANY and item.transport == "altinn2" and item.title
        assert item.sender == "Skatteetaten"  # Altinn 2's "SKD", named as Altinn 3 names it
        assert item.raw and b"ReporteeElementBEV2" in item.raw
        if source.archived and source.kind == "form":  # the contract shows ArchiveReference for form tasks
            assert item.archive_reference == f"AR{source.archive_id}"
        # An active form set (FillIn) was never sent: a draft, not a return.
        assert item.unsent == (source.kind == "form" and not source.archived)
        expected_files = {a.name: a.data for a in source.attachments}
        got = {
            f.name: f.data
            for f in item.files
            if f.role == ROLE_ATTACHMENT and f.name != "CustomMessageData.xml"
        }
        assert got == expected_files
        if source.kind == "form":
            form_files = [f for f in item.files if f.role == ROLE_FORM_DATA]
            assert form_files and form_files[0].data.lstrip().startswith(b"<")
            assert [f.data.decode() for f in form_files] == [
                f.xml
                for f in sorted(
                    source.forms, key=lambda f: (bool(getattr(f, "parent_reference", 0)), f.form_id)
                )
            ]
        else:
            body = [f for f in item.files if f.role == ROLE_BODY]
            assert body and body[0].data.decode() == source.body


def test_known_items_are_listed_but_not_downloaded(transport, emu):
    credentials = sms_login(transport, emu)
    everything = fetch_all(transport, credentials)
    known = {item.reference for item in everything[: len(everything) // 2]}
    assert known
    emu.state.calls.clear()
    again = list(transport.fetch(D.COMPANY, *window(), credentials, known=known.__contains__))
    assert [item.reference for item in again] == [item.reference for item in everything]
    for item in again:
        assert isinstance(item, AltinnItem)
        assert bool(item.files) == (item.reference not in known), item.reference
    downloads = [call for call in emu.calls() if call["operation"] != "GetReporteeElementListBasicV2"]
    with_files = [item for item in everything if item.reference not in known]
    assert downloads and len(downloads) >= len(with_files)
    emu.state.calls.clear()
    list(transport.fetch(D.COMPANY, *window(), credentials, known=lambda reference: True))
    assert {call["operation"] for call in emu.calls()} == {"GetReporteeElementListBasicV2"}


def test_reference_survives_archiving(transport, emu):
    credentials = sms_login(transport, emu)
    before = {r.reference: r for r in fetch_all(transport, credentials)}
    active = [i for i in emu.items(D.COMPANY) if not i.archived]
    assert active
    for item in active:
        emu.state.archive_item(item)
    after = {r.reference: r for r in fetch_all(transport, credentials)}
    assert set(after) == set(before)
    for item in active:
        prefix = "RE" if item.kind == "form" else "C"
        moved = after[f"{prefix}{item.reportee_element_id}"]
        assert moved.archived is not None
        if item.kind == "form":
            assert moved.archive_reference == f"AR{item.archive_id}"


def test_item_reference_fallback_without_serviceengine_id():
    from prisolve_altinn.altinn.soap.models import ReporteeElement

    element = ReporteeElement(
        0,
        5276128,
        "AR5276128",
        0,
        "FormTask",
        "t",
        "Archive",
        None,
        "Default",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    )
    assert item_reference(element) == "AR5276128"


def test_one_item_failing_does_not_stop_the_batch(transport, emu):
    credentials = sms_login(transport, emu)
    emu.inject_fault(
        {
            "operation": "GetAttachmentDataBasicV2",
            "count": 1,
            "error_id": 60016,
            "message": "The element is unavailable",
        }
    )
    results = fetch_all(transport, credentials)
    failures = [r for r in results if isinstance(r, FetchFailure)]
    assert len(failures) == 1 and isinstance(failures[0].error, errors.ElementNotFound)
    assert failures[0].reference.startswith("RE") and failures[0].title
    assert len(results) == len(emu.items(D.COMPANY))


def test_item_level_outage_then_stop(emu):
    transport = Altinn2Transport(
        emu.url, D.SYSTEM_ID, D.SYSTEM_PASSWORD, timeout=(2, 10), max_unavailable_in_row=3
    )
    credentials = sms_login(transport, emu)
    emu.inject_fault(
        {"operation": "GetCorrespondenceForEndUserSystemsBasicV2", "count": 1, "http_500_html": True}
    )
    results = fetch_all(transport, credentials)
    assert sum(isinstance(r, FetchFailure) for r in results) == 1
    emu.inject_fault({"operation": "*", "count": 100, "http_500_html": True})
    with pytest.raises(errors.ServiceUnavailable):
        list(transport.fetch(D.COMPANY, *window(), credentials))
    transport.close()


def test_session_expiry_mid_batch_raises(transport, emu):
    credentials = sms_login(transport, emu)
    emu.inject_fault(
        {
            "operation": "GetArchivedFormTaskBasicV2",
            "count": 1,
            "error_id": 989,
            "message": "The pin code session has expired. Request a new pin code",
        }
    )
    with pytest.raises(errors.PinSessionExpired):
        fetch_all(transport, credentials)


def test_fetch_stops_before_the_pin_session_runs_out(transport, emu):
    credentials = sms_login(transport, emu)
    session = transport.pin_session
    transport.pin_margin = timedelta(minutes=5)
    iterator = transport.fetch(D.COMPANY, *window(), credentials)
    first = next(iterator)
    assert isinstance(first, AltinnItem)
    session.valid_to = session.now() + timedelta(minutes=4)  # less than the margin left
    with pytest.raises(errors.PinSessionExpired):
        next(iterator)


def test_reportee_wide_errors_raise(transport, emu):
    credentials = sms_login(transport, emu)
    with pytest.raises(errors.NoRights):
        fetch_all(transport, credentials, D.CLIENT_COMPANY)
    with pytest.raises(errors.ConfigurationError):
        list(transport.fetch(D.COMPANY, *window(), None))


def test_message_without_attachments_and_html_body(transport, emu):
    credentials = sms_login(transport, emu)
    pdf = b"%PDF-1.4\n%test\n"
    created = emu.add_items(
        {
            "reportee": D.COMPANY,
            "items": [
                {"kind": "message", "title": "Brev", "body": "<p>Hei <b>du</b></p>", "archived": False},
                {
                    "kind": "message",
                    "title": "To vedlegg",
                    "body": "Tekst",
                    "archived": True,
                    "attachments": [
                        {
                            "name": "a.pdf",
                            "mimetype": "application/pdf",
                            "data_base64": base64.b64encode(pdf).decode(),
                        },
                        {
                            "name": "a.pdf",
                            "mimetype": "application/pdf",
                            "data_base64": base64.b64encode(pdf).decode(),
                        },
                    ],
                },
            ],
        }
    )
    results = {r.reference: r for r in fetch_all(transport, credentials)}
    html = results[f"C{created[0].reportee_element_id}"]
    assert [(f.name, f.mimetype, f.role) for f in html.files] == [("message.html", "text/html", ROLE_BODY)]
    two = results[f"C{created[1].reportee_element_id}"]
    names = [f.name for f in two.files if f.role == ROLE_ATTACHMENT]
    assert names == ["a.pdf", "a_2.pdf"] and all(
        f.data == pdf for f in two.files if f.role == ROLE_ATTACHMENT
    )


@pytest.mark.slow
def test_ten_thousand_elements(transport, emu):
    created = emu.add_items({"reportee": D.COMPANY, "count": 10_000, "template": "mixed"})
    assert len(created) == 10_000
    expected = len(emu.items(D.COMPANY))
    transport.client.timeout = (2.0, 60.0)
    credentials = sms_login(transport, emu)
    listed = transport.list_elements(D.COMPANY, *window(days_back=800), credentials)
    assert len(listed) == expected
    results = list(transport.fetch(D.COMPANY, *window(days_back=800), credentials))
    failures = [r for r in results if isinstance(r, FetchFailure)]
    assert not failures, failures[:3]
    assert len(results) == expected
    assert len({r.reference for r in results}) == expected
    assert all(r.files for r in results)


def test_secrets_never_logged(transport, emu, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    credentials = sms_login(transport, emu)
    results = fetch_all(transport, credentials)
    transport.client.pin_session.expire()
    with pytest.raises(errors.PinSessionExpired) as info:
        fetch_all(transport, credentials)
    logged = (
        caplog.text
        + "".join(repr(r) for r in results)
        + info.value.text()
        + info.value.details_text()
        + repr(credentials)
    )
    for secret in (D.PERSON_PASSWORD, D.SYSTEM_PASSWORD, credentials.pin_code, D.PERSON_FNR):
        assert secret not in logged
