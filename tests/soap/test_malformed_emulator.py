"""Broken answers over real HTTP: the emulator serves them through a plug-in route on 127.0.0.1."""

import pytest
from soap_testlib import TIMEOUT

from altinn_emulator import defaults as D
from altinn_emulator import routes
from prisolve_altinn.altinn import errors
from prisolve_altinn.altinn.soap import AltinnSoapClient
from prisolve_altinn.altinn.types import UserCredentials

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
OK_START = (
    f'<s:Envelope xmlns:s="{SOAP}"><s:Body><GetAttachmentDataBasicV2Response '
    'xmlns="http://www.altinn.no/services/Archive/ReporteeArchive/2009/10"><GetAttachmentDataBasicV2Result '
    'xmlns:a="http://www.altinn.no/services/ServiceEngine/ReporteeElementList/2010/10">'
)
BODIES = {
    "truncated": (200, OK_START + "<a:AttachmentData>JVBER"),
    "doctype": (
        200,
        '<?xml version="1.0"?><!DOCTYPE s:Envelope [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
        + OK_START
        + "<a:AttachmentName>&b;</a:AttachmentName></GetAttachmentDataBasicV2Result>"
        "</GetAttachmentDataBasicV2Response></s:Body></s:Envelope>",
    ),
    "notxml": (200, "OK"),
    "json": (200, '{"error": "maintenance"}'),
    "notsoap": (200, "<result><ok>true</ok></result>"),
    "soap12": (200, '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>'),
    "wrongop": (200, f'<s:Envelope xmlns:s="{SOAP}"><s:Body><OtherResponse/></s:Body></s:Envelope>'),
    "badbase64": (
        200,
        OK_START + "<a:AttachmentData>***</a:AttachmentData><a:AttachmentID>1</a:AttachmentID>"
        "</GetAttachmentDataBasicV2Result></GetAttachmentDataBasicV2Response></s:Body></s:Envelope>",
    ),
    "gateway": (502, "<html><body>Bad Gateway</body></html>"),
}
_registered = False


def _broken(state, request):
    status, body = BODIES[request.match.group("mode")]
    return routes.Response(status, body.encode(), "text/xml; charset=utf-8")


@pytest.fixture
def broken_base(emu):
    global _registered
    if not _registered:  # routes are process-wide; this prefix is ours alone
        routes.register("POST", r"^/_soaptest/(?P<mode>\w+)/", _broken)
        _registered = True
    return emu.url + "/_soaptest"


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        ("truncated", errors.MalformedResponse),
        ("doctype", errors.MalformedResponse),
        ("notxml", errors.MalformedResponse),
        ("json", errors.MalformedResponse),
        ("notsoap", errors.MalformedResponse),
        ("soap12", errors.MalformedResponse),
        ("wrongop", errors.MalformedResponse),
        ("badbase64", errors.MalformedResponse),
        ("gateway", errors.ServiceUnavailable),
    ],
)
def test_broken_answers(broken_base, mode, error):
    credentials = UserCredentials(D.PERSON_FNR, D.PERSON_PASSWORD, pin_code="12345")
    with AltinnSoapClient(f"{broken_base}/{mode}", D.SYSTEM_ID, D.SYSTEM_PASSWORD, timeout=TIMEOUT) as client:
        with pytest.raises(error) as info:
            client.get_attachment_data(credentials, 1)
    assert type(info.value) is error
    assert info.value.text() and info.value.details_text()
