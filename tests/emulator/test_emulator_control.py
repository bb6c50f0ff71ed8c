"""The JSON control endpoints and the plug-in route registry."""

import base64
import json
import time

import pytest
import requests
from lxml import etree
from soaphelp import (
    archived_correspondence,
    archived_form_task,
    attachment_data,
    correspondence,
    element_list,
    elements,
    form_set_data,
    login,
)

from altinn_emulator import defaults as D
from altinn_emulator import routes
from altinn_emulator.pdf import make_pdf


def _json(emu, method, path, **kw):
    response = requests.request(method, emu.url + path, timeout=10, **kw)
    return response.status_code, response.json()


def test_sms_endpoint(altinn_emulator):
    emu = altinn_emulator
    assert _json(emu, "GET", "/_emulator/sms", params={"user": "demo"}) == (200, [])
    first, second = login(emu).pin, login(emu).pin
    status, messages = _json(emu, "GET", "/_emulator/sms", params={"user": D.PERSON_FNR})
    assert status == 200
    assert [m["code"] for m in messages] == [second, first]
    assert messages[0]["sent_at"] >= messages[1]["sent_at"]
    assert {"code", "sent_at", "to", "text", "valid_to"} <= set(messages[0])
    assert _json(emu, "GET", "/_emulator/sms", params={"user": "nobody"})[0] == 404


def test_control_endpoints_allow_cross_origin_reads(altinn_emulator):
    # The addon's browser tour reads the SMS outbox from Odoo's origin (another port).
    emu = altinn_emulator
    preflight = requests.options(
        emu.url + "/_emulator/sms",
        headers={"Origin": "http://127.0.0.1:8069", "Access-Control-Request-Method": "GET"},
        timeout=10,
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    answer = requests.get(emu.url + "/_emulator/sms", params={"user": "demo"}, timeout=10)
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    unknown = requests.get(emu.url + "/_emulator/sms", params={"user": "nobody"}, timeout=10)
    assert unknown.status_code == 404 and unknown.headers["Access-Control-Allow-Origin"] == "*"
    # Altinn's own paths are answered as Altinn answers them: no CORS headers.
    soap = requests.get(emu.service_url("SystemAuthentication"), timeout=10)
    assert "Access-Control-Allow-Origin" not in soap.headers
    assert requests.options(emu.service_url("SystemAuthentication"), timeout=10).status_code == 405


def test_reset_restores_the_defaults(altinn_emulator):
    emu = altinn_emulator
    creds = login(emu)
    message = next(i for i in emu.items() if i.kind == "message" and i.status == "Created")
    correspondence(emu.url, creds, message.reportee_element_id)
    _json(emu, "POST", "/_emulator/items", json={"reportee": D.COMPANY, "count": 3})
    emu.advance_clock(hours=3)
    status, body = _json(emu, "POST", "/_emulator/reset")
    assert status == 200 and body["items"] == 28
    assert emu.sms(D.PERSON_FNR) == [] and emu.state.sessions == {}
    assert len(emu.items()) == 7
    assert next(i for i in emu.items() if i.uuid == message.uuid).status == "Created"
    assert abs((emu.now() - emu.state.clock.now()).total_seconds()) < 1
    assert element_list(emu.url, creds).error_id == 989  # old code is gone
    status, body = _json(emu, "POST", "/_emulator/reset", json={"seed": 7, "base_date": "2026-03-01"})
    assert body["seed"] == 7 and emu.state.base_date.isoformat() == "2026-03-01"


def test_add_custom_items_with_attachments(altinn_emulator):
    emu = altinn_emulator
    pdf = make_pdf(["Vedtak", "Test"])
    body = {
        "reportee": D.COMPANY,
        "items": [
            {
                "kind": "message",
                "title": "Vedtak om tilleggsskatt",
                "body": "Se vedlegg",
                "sender": "Skatteetaten",
                "attachments": [
                    {
                        "name": "vedtak.pdf",
                        "mimetype": "application/pdf",
                        "data_base64": base64.b64encode(pdf).decode(),
                    },
                    {"name": "data.xml", "mimetype": "application/xml", "text": "<a>1</a>"},
                ],
            },
            {
                "kind": "form",
                "title": "Eget skjema",
                "archived": True,
                "service_code": "1234",
                "forms": [
                    {
                        "name": "RF-9999",
                        "data_format_id": "99",
                        "data_format_version": 1,
                        "xml": "<Skjema a='1'/>",
                    }
                ],
                "attachments": [
                    {
                        "name": "bilag.pdf",
                        "mimetype": "application/pdf",
                        "data_base64": base64.b64encode(pdf).decode(),
                    }
                ],
            },
            {"kind": "form", "title": "Utkast", "forms": [{"name": "RF-9998", "xml": "<Utkast/>"}]},
        ],
    }
    status, result = _json(emu, "POST", "/_emulator/items", json=body)
    assert status == 201 and result["created"] == 3
    creds = login(emu)
    listed = {e["Title"]: e for e in elements(element_list(emu.url, creds))}
    assert {"Vedtak om tilleggsskatt", "Eget skjema", "Utkast"} <= set(listed)
    message = correspondence(emu.url, creds, int(listed["Vedtak om tilleggsskatt"]["ReporteeElementId"]))
    attachments = message.result.findall("{*}CorrespondenceAttachments/{*}AttachmentBEV2")
    assert base64.b64decode(attachments[0].findtext("{*}AttachmentData")) == pdf
    assert attachments[0].findtext("{*}AttachmentTypeID") == "application_pdf"
    assert base64.b64decode(attachments[1].findtext("{*}AttachmentData")) == b"<a>1</a>"
    task = archived_form_task(emu.url, creds, int(listed["Eget skjema"]["ArchiveId"]))
    assert task.result.findtext("{*}ArchivedFormList/{*}ArchivedFormBE/{*}FormDataXML") == "<Skjema a='1'/>"
    attachment_id = int(
        task.result.findtext("{*}ArchivedAttachmentList/{*}ArchivedAttachmentBEV2/{*}AttachmentID")
    )
    data = attachment_data(emu.url, creds, attachment_id).result.findtext("{*}AttachmentData")
    assert base64.b64decode(data) == pdf
    draft = form_set_data(emu.url, creds, int(listed["Utkast"]["ReporteeElementId"]))
    assert draft.result.findtext("{*}FormSetDataBE/{*}FormData") == "<Utkast/>"


@pytest.mark.parametrize(
    "broken",
    ["invalid_xml", "truncated_pdf", "not_a_pdf", "wrong_namespace", "empty_attachment", "invalid_json"],
)
def test_broken_payloads(altinn_emulator, broken):
    emu = altinn_emulator
    template = {"invalid_json": "kravogbetalinger", "invalid_xml": "mva_kvittering"}.get(
        broken, "skatteoppgjoer"
    )
    status, result = _json(
        emu,
        "POST",
        "/_emulator/items",
        json={"reportee": D.COMPANY, "items": [{"template": template, "broken": broken}]},
    )
    assert status == 201
    item = emu.state.by_uuid[result["items"][0]["uuid"]]
    assert item.meta["broken"] == broken
    if broken == "invalid_xml":
        xml = next(a for a in item.attachments if a.filename.endswith(".xml"))
        with pytest.raises(etree.XMLSyntaxError):
            etree.fromstring(xml.data)
    elif broken == "wrong_namespace":
        xml = next(a for a in item.attachments if a.filename.endswith(".xml"))
        assert etree.QName(etree.fromstring(xml.data)).namespace == "urn:example:unknown"
    elif broken == "truncated_pdf":
        pdf = next(a for a in item.attachments if a.mimetype == "application/pdf")
        assert pdf.data.startswith(b"%PDF") and not pdf.data.rstrip().endswith(b"%%EOF")
    elif broken == "not_a_pdf":
        pdf = next(a for a in item.attachments if a.mimetype == "application/pdf")
        assert not pdf.data.startswith(b"%PDF")
    elif broken == "empty_attachment":
        assert all(a.data == b"" for a in item.attachments)
    elif broken == "invalid_json":
        with pytest.raises(ValueError):
            json.loads(next(a for a in item.attachments if a.mimetype == "application/json").data)
    # still served over SOAP (the client has to cope with the payload, not the transport)
    creds = login(emu)
    if item.archived:
        answer = archived_correspondence(emu.url, creds, item.archive_id)
    else:
        answer = correspondence(emu.url, creds, item.reportee_element_id)
    assert answer.status == 200, answer.text


def test_count_generates_many_items_quickly(altinn_emulator):
    emu = altinn_emulator
    started = time.monotonic()
    status, result = _json(emu, "POST", "/_emulator/items", json={"reportee": D.CLIENT_COMPANY, "count": 500})
    assert status == 201 and result["created"] == 500
    assert time.monotonic() - started < 10
    status, listed = _json(
        emu, "GET", "/_emulator/items", params={"reportee": D.CLIENT_COMPANY, "limit": "5"}
    )
    assert listed["count"] == 507 and len(listed["items"]) == 5
    kinds = {i.document_type for i in emu.items(D.CLIENT_COMPANY)}
    assert kinds == {
        "mva_kvittering",
        "mva_melding",
        "skatteoppgjoer",
        "forskuddsskatt",
        "brev",
        "kravogbetalinger",
        "mva_utkast",
    }
    # a bad body is a 400, not a crash
    assert _json(emu, "POST", "/_emulator/items", json={"items": [{"template": "nope"}]})[0] == 400


def test_injected_altinn_fault_for_the_next_calls(altinn_emulator):
    emu = altinn_emulator
    creds = login(emu)
    status, _ = _json(
        emu,
        "POST",
        "/_emulator/faults",
        json={
            "operation": "GetReporteeElementListBasicV2",
            "count": 2,
            "error_id": 60005,
            "message": "Invalid reportee element",
        },
    )
    assert status == 201
    for _ in range(2):
        answer = element_list(emu.url, creds)
        assert answer.error_id == 60005 and answer.fault("AltinnErrorMessage") == "Invalid reportee element"
    assert element_list(emu.url, creds).status == 200
    assert _json(emu, "GET", "/_emulator/faults") == (200, [])


def test_injected_html_500_and_wildcard(altinn_emulator):
    emu = altinn_emulator
    creds = login(emu)
    _json(emu, "POST", "/_emulator/faults", json={"operation": "*", "count": 1, "http_500_html": True})
    response = requests.post(
        emu.url + "/ServiceEngineExternal/ReporteeElementListExternalBasic.svc",
        data=b"<x/>",
        headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": "whatever"},
        timeout=10,
    )
    # unknown action → no operation → the wildcard fault is not consumed by an unroutable call
    assert response.status_code == 500
    answer = element_list(emu.url, creds)
    assert answer.status == 500 and answer.content_type.startswith("text/html") and answer.root is None
    assert element_list(emu.url, creds).status == 200


def test_injected_delay_exceeds_the_client_timeout(altinn_emulator):
    emu = altinn_emulator
    creds = login(emu)
    _json(
        emu,
        "POST",
        "/_emulator/faults",
        json={"operation": "GetReporteeElementListBasicV2", "delay_seconds": 1.5},
    )
    with pytest.raises(requests.exceptions.ReadTimeout):
        element_list(emu.url, creds, timeout=0.5)
    assert element_list(emu.url, creds, timeout=5).status == 200
    # DELETE clears what is pending
    _json(emu, "POST", "/_emulator/faults", json={"operation": "*", "count": 5, "error_id": 0})
    assert _json(emu, "DELETE", "/_emulator/faults") == (200, {"pending": []})
    assert element_list(emu.url, creds).status == 200


def test_fault_spec_validation(altinn_emulator):
    assert _json(altinn_emulator, "POST", "/_emulator/faults", json={"count": 1, "error_id": 5})[0] == 400
    assert _json(altinn_emulator, "POST", "/_emulator/faults", json={"operation": "x"})[0] == 400


def test_clock_endpoint(altinn_emulator):
    emu = altinn_emulator
    status, body = _json(
        emu, "POST", "/_emulator/clock", json={"set": "2026-05-15T10:00:00+02:00", "freeze": True}
    )
    assert status == 200
    assert body["now"].startswith("2026-05-15T10:00:00") and body["frozen"]
    body = _json(emu, "POST", "/_emulator/clock", json={"advance_seconds": 90})[1]
    assert body["now"].startswith("2026-05-15T10:01:30")
    time.sleep(0.05)
    assert _json(emu, "GET", "/_emulator/clock")[1]["now"] == body["now"]  # frozen
    assert _json(emu, "POST", "/_emulator/clock", json={"set": "nonsense"})[0] == 400


def test_calls_log(altinn_emulator):
    emu = altinn_emulator
    creds = login(emu)
    element_list(emu.url, creds)
    element_list(emu.url, creds.with_(pin="x"))
    status, calls = _json(
        emu, "GET", "/_emulator/calls", params={"operation": "GetReporteeElementListBasicV2"}
    )
    assert status == 200
    assert [(c["status"], c["error_id"]) for c in calls] == [(200, None), (500, 989)]


def test_plugin_routes(altinn_emulator):
    emu = altinn_emulator

    def handler(state, request):
        return routes.Response.json(
            {
                "reportee": request.match.group(1),
                "items": len(state.reportee_items(request.match.group(1))),
                "q": request.arg("q"),
            }
        )

    routes.register("GET", r"^/test-plugin/(\d+)$", handler)
    try:
        status, body = _json(emu, "GET", f"/test-plugin/{D.COMPANY}", params={"q": "x"})
        assert status == 200 and body == {"reportee": D.COMPANY, "items": 7, "q": "x"}
        assert requests.post(emu.url + "/test-plugin/1", timeout=10).status_code == 405
    finally:
        routes.unregister(r"^/test-plugin/(\d+)$")
    assert requests.get(emu.url + "/test-plugin/1", timeout=10).status_code == 404


def test_reset_hooks_seed_plugin_state(altinn_emulator):
    emu = altinn_emulator

    def hook(state):
        state.extensions["test"] = {"seed": state.seed}

    routes.on_reset(hook)
    try:
        emu.reset(seed=3)
        assert emu.state.extensions["test"] == {"seed": 3}
    finally:
        routes._reset_hooks.remove(hook)


def test_wsdl_and_service_page(altinn_emulator, schemas):
    emu = altinn_emulator
    response = requests.get(emu.url + "/AuthenticationExternal/SystemAuthentication.svc?wsdl", timeout=10)
    assert response.status_code == 200
    assert f'location="{emu.url}/AuthenticationExternal/SystemAuthentication.svc"' in response.text
    assert (
        requests.get(emu.url + "/AuthenticationExternal/SystemAuthentication.svc", timeout=10).status_code
        == 200
    )
    assert requests.get(emu.url + "/nothing", timeout=10).status_code == 404
