"""Strict like WCF: every malformed request gets Altinn's ErrorID 0 fault, never a friendly 200."""

import requests
from lxml import etree
from soaphelp import (
    FAULT_NS,
    NS_RA,
    NS_RA09,
    NS_REL,
    SOAP,
    Creds,
    archived_correspondence,
    archived_form_task,
    attachment_data,
    auth_block,
    call,
    correspondence,
    element_list,
    elements,
    envelope,
    form_set_data,
    login,
    post,
)

from altinn_emulator import defaults as D

SEARCH = (
    "<ns:searchBE><b:FromDate>2000-01-01T00:00:00</b:FromDate><b:Reportee>911158612</b:Reportee>"
    "<b:ToDate>2100-01-01T00:00:00</b:ToDate></ns:searchBE>"
)
B = f'xmlns:b="{NS_RA09}"'


def assert_error_0(answer, parameter=None):
    assert answer.status == 500
    assert answer.content_type.startswith("text/xml")
    fault = answer.root.find(f"{{{SOAP}}}Body/{{{SOAP}}}Fault")
    assert fault is not None
    assert fault.findtext("faultcode") == "s:Client"
    faultstring = fault.find("faultstring")
    assert faultstring.text == "An error occurred"
    assert faultstring.get("{http://www.w3.org/XML/1998/namespace}lang") == "nb-NO"
    detail = fault.find(f"detail/{{{FAULT_NS}}}AltinnFault")
    names = [etree.QName(c).localname for c in detail]
    assert names == [
        "AltinnErrorMessage",
        "AltinnExtendedErrorMessage",
        "AltinnLocalizedErrorMessage",
        "ErrorGuid",
        "ErrorID",
        "UserGuid",
        "UserId",
    ]
    assert answer.error_id == 0
    guid = answer.fault("ErrorGuid")
    assert answer.fault("AltinnErrorMessage").startswith("Your request suffered from a non-functional error.")
    assert f"[{guid}]" in answer.fault("AltinnErrorMessage")
    localized = answer.fault("AltinnLocalizedErrorMessage")
    assert localized.startswith(
        "An error occured: The formatter threw an exception while trying to deserialize"
    )
    if parameter:
        assert f"{NS_REL}:{parameter}" in localized or parameter in localized
    return localized


def test_valid_request_is_answered(altinn_emulator, schemas):
    creds = login(altinn_emulator)
    answer = element_list(altinn_emulator.url, creds)
    assert answer.status == 200
    assert len(elements(answer)) == 7


def test_non_numeric_int_is_the_real_languageid_fault(altinn_emulator, schemas):
    creds = login(altinn_emulator)
    answer = element_list(altinn_emulator.url, creds, language="")
    localized = assert_error_0(answer, "languageID")
    # word for word what tt02 answered (samples/real/Fault.0.DeserializationError.xml)
    assert (
        "There was an error while trying to deserialize parameter "
        "http://www.altinn.no/services/ServiceEngine/ReporteeElementList/2009/10:languageID. "
        "The InnerException message was 'There was an error deserializing the object of type System.Int32. "
        "The value '' cannot be parsed as the type 'Int32'.'.  Please see InnerException for more details."
    ) in localized
    assert_error_0(element_list(altinn_emulator.url, creds, language="abc"), "languageID")


def test_wrong_parameter_order(altinn_emulator, schemas):
    creds = login(altinn_emulator)
    block = auth_block(creds)
    swapped = block.replace("<ns:systemUserName>", "<X>").replace("</ns:systemUserName>", "</X>")
    first, rest = swapped.split("</X>", 1)
    system = first.replace("<X>", "<ns:systemUserName>") + "</ns:systemUserName>"
    answer = call(
        altinn_emulator.url,
        NS_REL,
        "GetReporteeElementListBasicV2",
        rest + system + SEARCH + "<ns:languageID>1044</ns:languageID>",
        B,
    )
    assert_error_0(answer)
    # members of searchBE out of order
    search = SEARCH.replace(
        "<b:FromDate>2000-01-01T00:00:00</b:FromDate><b:Reportee>911158612</b:Reportee>",
        "<b:Reportee>911158612</b:Reportee><b:FromDate>2000-01-01T00:00:00</b:FromDate>",
    )
    answer = call(
        altinn_emulator.url,
        NS_REL,
        "GetReporteeElementListBasicV2",
        block + search + "<ns:languageID>1044</ns:languageID>",
        B,
    )
    assert_error_0(answer, "searchBE")


def test_wrong_namespace(altinn_emulator, schemas):
    creds = login(altinn_emulator)
    # searchBE members in the service namespace instead of the data-contract namespace
    search = SEARCH.replace("b:", "ns:")
    answer = call(
        altinn_emulator.url,
        NS_REL,
        "GetReporteeElementListBasicV2",
        auth_block(creds) + search + "<ns:languageID>1044</ns:languageID>",
    )
    assert_error_0(answer, "searchBE")
    # wrapper element in another service's namespace
    body = envelope(
        NS_RA,
        "GetReporteeElementListBasicV2",
        auth_block(creds) + SEARCH + "<ns:languageID>1044</ns:languageID>",
        B,
    )
    answer = post(altinn_emulator.url, NS_REL, "GetReporteeElementListBasicV2", body)
    assert_error_0(answer)


def test_missing_required_element(altinn_emulator, schemas):
    creds = login(altinn_emulator)
    search = SEARCH.replace("<b:FromDate>2000-01-01T00:00:00</b:FromDate>", "")
    answer = call(
        altinn_emulator.url,
        NS_REL,
        "GetReporteeElementListBasicV2",
        auth_block(creds) + search + "<ns:languageID>1044</ns:languageID>",
        B,
    )
    assert_error_0(answer, "searchBE")


def test_unknown_element_and_bad_enum_and_bad_bool(altinn_emulator, schemas):
    creds = login(altinn_emulator)
    answer = call(
        altinn_emulator.url,
        NS_REL,
        "GetReporteeElementListBasicV2",
        auth_block(creds) + SEARCH + "<ns:languageID>1044</ns:languageID><ns:extra>1</ns:extra>",
        B,
    )
    assert_error_0(answer)
    answer = element_list(altinn_emulator.url, creds, extra="<b:SentAndArchived>yes</b:SentAndArchived>")
    assert_error_0(answer, "searchBE")


def test_doctype_and_entities_are_rejected(altinn_emulator, schemas):
    creds = login(altinn_emulator)
    body = envelope(
        NS_REL,
        "GetReporteeElementListBasicV2",
        auth_block(creds).replace(D.PERSON_FNR, "&xxe;") + SEARCH + "<ns:languageID>1044</ns:languageID>",
        B,
    )
    evil = b'<?xml version="1.0"?><!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + body
    answer = post(altinn_emulator.url, NS_REL, "GetReporteeElementListBasicV2", evil)
    localized = assert_error_0(answer)
    assert "DTD is prohibited" in localized
    assert "root:" not in answer.text


def test_not_xml_and_soap12_and_empty_body(altinn_emulator, schemas):
    url = altinn_emulator.url
    assert_error_0(post(url, NS_REL, "GetReporteeElementListBasicV2", b"this is not xml"))
    soap12 = envelope(NS_REL, "GetReporteeElementListBasicV2", "").replace(
        SOAP.encode(), b"http://www.w3.org/2003/05/soap-envelope"
    )
    assert_error_0(post(url, NS_REL, "GetReporteeElementListBasicV2", soap12))
    empty_body = f'<s:Envelope xmlns:s="{SOAP}"><s:Body/></s:Envelope>'.encode()
    assert_error_0(post(url, NS_REL, "GetReporteeElementListBasicV2", empty_body))


def test_wrong_content_type_is_415(altinn_emulator):
    response = requests.post(
        altinn_emulator.url + "/ServiceEngineExternal/ReporteeElementListExternalBasic.svc",
        data=b"<x/>",
        headers={"Content-Type": "application/soap+xml"},
        timeout=10,
    )
    assert response.status_code == 415


def test_unknown_soapaction_is_action_not_supported(altinn_emulator, schemas):
    answer = call(
        altinn_emulator.url,
        NS_REL,
        "DeleteReporteeElementBasicV2",
        "",
        action=f"{NS_REL}/IReporteeElementListExternalBasic/DeleteReporteeElementBasicV2",
    )
    assert answer.status == 500
    assert answer.root.findtext(f".//{{{SOAP}}}Fault/faultcode") == "a:ActionNotSupported"
    assert answer.error_id is None


def test_action_and_body_must_agree(altinn_emulator, schemas):
    creds = login(altinn_emulator)
    body = envelope(
        NS_REL,
        "GetFormSetDataBasic",
        auth_block(creds)
        + "<ns:reporteeElementID>1</ns:reporteeElementID><ns:languageID>1044</ns:languageID>",
    )
    answer = post(altinn_emulator.url, NS_REL, "GetReporteeElementListBasicV2", body)
    assert_error_0(answer)


def test_soap_headers_are_ignored_and_action_may_be_unquoted_or_absent(altinn_emulator, schemas):
    creds = login(altinn_emulator)
    header = (
        '<wsa:Action xmlns:wsa="http://www.w3.org/2005/08/addressing">'
        f"{NS_REL}/IReporteeElementListExternalBasic/GetReporteeElementListBasicV2</wsa:Action>"
        '<wsa:MessageID xmlns:wsa="http://www.w3.org/2005/08/addressing">urn:uuid:1</wsa:MessageID>'
        '<wsa:To xmlns:wsa="http://www.w3.org/2005/08/addressing">http://x/</wsa:To>'
    )
    body = envelope(
        NS_REL,
        "GetReporteeElementListBasicV2",
        auth_block(creds) + SEARCH + "<ns:languageID>1044</ns:languageID>",
        B,
        header,
    )
    url = altinn_emulator.url + "/ServiceEngineExternal/ReporteeElementListExternalBasic.svc"
    for action in (f"{NS_REL}/IReporteeElementListExternalBasic/GetReporteeElementListBasicV2", ""):
        response = requests.post(
            url,
            data=body,
            timeout=10,
            headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": action},
        )
        assert response.status_code == 200, response.text


def test_date_only_search_dates_are_accepted_like_wcf(altinn_emulator, schemas):
    creds = login(altinn_emulator)
    answer = element_list(altinn_emulator.url, creds, from_date="2000-01-01", to_date="2100-01-01")
    assert answer.status == 200
    assert len(elements(answer)) == 7


def test_both_casings_of_inferred_parameter_names(altinn_emulator, schemas):
    creds = login(altinn_emulator)
    archived = next(i for i in altinn_emulator.items() if i.kind == "form" and i.archived)
    for name in ("reporteeElementId", "reporteeElementID"):
        answer = call(
            altinn_emulator.url,
            NS_RA,
            "GetArchivedFormTaskBasicV2",
            auth_block(creds) + f"<ns:{name}>{archived.archive_id}</ns:{name}>"
            "<ns:languageID>1044</ns:languageID>",
        )
        assert answer.status == 200, answer.text


def test_every_response_and_fault_validates_against_the_client_schema(altinn_emulator, schemas):
    emu = altinn_emulator
    creds = login(emu)

    def check(answer, key):
        body = answer.root.find(f"{{{SOAP}}}Body")[0]
        node = body if answer.status == 200 else answer.root.find(f".//{{{FAULT_NS}}}AltinnFault")
        schema = schemas.by_key[key].schema
        assert schema.validate(node), [e.message for e in schema.error_log]

    check(element_list(emu.url, creds), "ReporteeElementListExternalBasic")
    check(element_list(emu.url, creds, language="1033"), "ReporteeElementListExternalBasic")
    for item in emu.items():
        if item.kind == "form" and item.archived:
            check(archived_form_task(emu.url, creds, item.archive_id), "ReporteeArchiveExternalBasic")
        elif item.kind == "form":
            check(form_set_data(emu.url, creds, item.reportee_element_id), "ReporteeElementListExternalBasic")
        elif item.archived:
            check(archived_correspondence(emu.url, creds, item.archive_id), "ReporteeArchiveExternalBasic")
        else:
            check(correspondence(emu.url, creds, item.reportee_element_id), "CorrespondenceExternalBasic")
        for att in item.attachments:
            check(attachment_data(emu.url, creds, att.attachment_id), "ReporteeArchiveExternalBasic")
    check(attachment_data(emu.url, creds, 1), "ReporteeArchiveExternalBasic")
    check(element_list(emu.url, Creds(pin="00000")), "ReporteeElementListExternalBasic")
