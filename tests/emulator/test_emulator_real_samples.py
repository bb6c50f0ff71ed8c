"""The real tt02 envelopes (../shared/reference/altinn2-soap/samples/real) against the emulator."""

import re

import pytest
from lxml import etree
from soaphelp import (
    NS_AUTH_SVC,
    NS_REL,
    SOAP,
    XSI,
    Creds,
    challenge,
    challenge_fields,
    element_list,
    elements,
    login,
    post,
)

from altinn_emulator import defaults as D

SAFE = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@pytest.fixture
def real(shared_reference):
    folder = shared_reference / "altinn2-soap" / "samples" / "real"

    def read(name: str) -> bytes:
        return (folder / name).read_bytes()

    return read


def _member_names(element):
    return [etree.QName(c).localname for c in element]


def test_real_altinnpin_challenge_request(altinn_emulator, real):
    raw = real("GetAuthenticationChallenge.AltinnPin.request.xml")
    # as captured (password01 is not our person's password): Altinn's real 989 fault
    answer = post(altinn_emulator.url, NS_AUTH_SVC, "GetAuthenticationChallenge", raw)
    assert answer.status == 500 and answer.error_id == 989
    assert answer.faultstring == "An errror occurred"
    assert answer.fault("AltinnErrorMessage") == "Incorrect username/password/pin given for user"
    # same envelope with our person's password: Ok, message shaped like the real one
    answer = post(
        altinn_emulator.url,
        NS_AUTH_SVC,
        "GetAuthenticationChallenge",
        raw.replace(b"password01", D.PERSON_PASSWORD.encode()),
    )
    assert answer.status == 200, answer.text
    fields = challenge_fields(answer)
    assert re.fullmatch(r"Benytt engangskode \d+ fra brev datert \w+, \d+\. \w+ \d{4}", fields["Message"])
    assert fields["Status"] == "Ok"
    real_response = etree.fromstring(real("GetAuthenticationChallenge.AltinnPin.response.xml"), SAFE)
    real_result = real_response.find(f"{{{SOAP}}}Body")[0][0]
    assert _member_names(answer.result) == _member_names(real_result)
    assert answer.result.nsmap == real_result.nsmap
    # the offset style of computed times: 7 fractional digits and +hh:mm
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}[+-]\d\d:\d\d", fields["ValidFrom"])


def test_nophonenumber_answer_is_identical_to_the_real_one(altinn_emulator, real):
    answer = challenge(altinn_emulator.url, "SMSPin", D.SYSTEM_ID, D.NOMOBILE_USERNAME, D.NOMOBILE_PASSWORD)
    real_response = etree.fromstring(
        real("GetAuthenticationChallenge.SMSPin.NoPhoneNumber.response.xml"), SAFE
    )
    real_result = real_response.find(f"{{{SOAP}}}Body")[0][0]
    assert [(etree.QName(c).localname, c.text) for c in answer.result] == [
        (etree.QName(c).localname, c.text) for c in real_result
    ]
    assert etree.QName(answer.root.find(f"{{{SOAP}}}Body")[0]) == etree.QName(
        real_response.find(f"{{{SOAP}}}Body")[0]
    )


def test_real_element_list_request(altinn_emulator, real):
    emu = altinn_emulator
    raw = real("GetReporteeElementListBasicV2.request.xml")
    # as captured: hauk_olaussen is no datasystem here -> system authentication fault (5)
    answer = post(emu.url, NS_REL, "GetReporteeElementListBasicV2", raw)
    assert answer.status == 500 and answer.error_id == 5
    # with our credentials (person "demo" has system access, like hauk_olaussen had) and a real AltinnPin code
    challenge_raw = real("GetAuthenticationChallenge.AltinnPin.request.xml").replace(
        b"password01", D.PERSON_PASSWORD.encode()
    )
    fields = challenge_fields(post(emu.url, NS_AUTH_SVC, "GetAuthenticationChallenge", challenge_raw))
    index = int(re.search(r"engangskode (\d+)", fields["Message"]).group(1))
    pin = emu.pin_letter_code(D.PERSON_FNR, index)
    mine = (
        raw.replace(b"hauk_olaussen", D.PERSON_USERNAME.encode())
        .replace(b"password01", D.PERSON_PASSWORD.encode())
        .replace(b"<ns:userPinCode>12345<", f"<ns:userPinCode>{pin}<".encode())
        .replace(b"<ns1:Reportee>30014500525<", f"<ns1:Reportee>{D.COMPANY}<".encode())
        .replace(b"2019-01-01", b"2000-01-01")
        .replace(b"2020-03-16", b"2100-01-01")
    )
    answer = post(emu.url, NS_REL, "GetReporteeElementListBasicV2", mine)
    assert answer.status == 200, answer.text  # date-only FromDate/ToDate accepted, as by WCF
    assert len(elements(answer)) == 7
    # the captured request for the person's own inbox (reportee = the person) is authorised and empty
    own = mine.replace(f"<ns1:Reportee>{D.COMPANY}<".encode(), b"<ns1:Reportee>30014500525<")
    answer = post(emu.url, NS_REL, "GetReporteeElementListBasicV2", own)
    assert answer.status == 200 and len(answer.result) == 0


def test_element_list_shape_matches_the_real_response(altinn_emulator, real):
    answer = element_list(altinn_emulator.url, login(altinn_emulator), language="1033")
    real_response = etree.fromstring(real("GetReporteeElementListBasicV2.response.xml"), SAFE)
    real_body = real_response.find(f"{{{SOAP}}}Body")[0]
    body = answer.root.find(f"{{{SOAP}}}Body")[0]
    assert etree.QName(body) == etree.QName(real_body)
    assert body.nsmap == real_body.nsmap and body[0].nsmap == real_body[0].nsmap
    real_members = _member_names(real_body[0][0])
    ours = {e["ReporteeElementType"] + ("-archived" if e["ArchiveId"] else ""): e for e in elements(answer)}
    for element in answer.result:
        assert _member_names(element) == real_members
    # nil members are the same ones the real archived/active form tasks carry
    real_nils = {(etree.QName(c).localname) for c in real_body[0][0] if c.get(f"{{{XSI}}}nil") == "true"}
    active_form = next(
        e
        for e in answer.result
        if e.findtext("{*}ReporteeElementType") == "FormTask"
        and e.find("{*}ArchiveId").get(f"{{{XSI}}}nil") == "true"
    )
    our_nils = {etree.QName(c).localname for c in active_form if c.get(f"{{{XSI}}}nil") == "true"}
    assert our_nils <= real_nils and real_nils - our_nils <= {"DueDate"}  # our draft has a deadline
    assert ours["FormTask-archived"]["StatusName"] == "Sent and archived"
    assert ours["FormTask"]["StatusName"] == "Completion"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?", ours["FormTask"]["LastChangedDate"])


def test_faults_have_the_real_shape(altinn_emulator, real):
    answer = element_list(altinn_emulator.url, Creds(pin="99999"))
    real_fault = etree.fromstring(real("Fault.989.IncorrectUserCredentials.xml"), SAFE)
    ours = answer.root

    def shape(root):
        fault = root.find(f".//{{{SOAP}}}Fault")
        detail = fault.find("detail")[0]
        return (
            [c.tag for c in fault],
            detail.tag,
            detail.nsmap,
            [c.tag for c in detail],
            fault.find("faultstring").attrib,
        )

    assert shape(ours) == shape(real_fault)
    for name in (
        "AltinnErrorMessage",
        "AltinnExtendedErrorMessage",
        "AltinnLocalizedErrorMessage",
        "ErrorID",
        "UserGuid",
        "UserId",
    ):
        assert answer.fault(name) == real_fault.findtext(f".//{{*}}{name}")
    assert answer.faultstring == real_fault.findtext(".//faultstring")
