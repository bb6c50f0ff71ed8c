"""Our WSDL/XSD files: loadable by lxml and zeep, requests valid, real Altinn responses valid."""

from datetime import datetime

import pytest
import zeep
from lxml import etree

from prisolve_altinn.altinn import errors
from prisolve_altinn.altinn.soap import config as cfg
from prisolve_altinn.altinn.soap.client import _LocalFilesTransport, load_wsdl, zeep_settings

SOAP_BODY = "{http://schemas.xmlsoap.org/soap/envelope/}Body"
AUTH = {
    "systemUserName": "955044",
    "systemPassword": "pw",
    "userSSN": "30014500525",
    "userPassword": "pw",
    "userPinCode": "12345",
    "authMethod": "SMSPin",
}
REQUESTS = {
    cfg.AUTHENTICATION: [
        (
            "GetAuthenticationChallenge",
            {
                "challengeRequest": {
                    "AuthMethod": "SMSPin",
                    "SystemUserName": "955044",
                    "UserPassword": "pw",
                    "UserSSN": "30014500525",
                }
            },
        )
    ],
    cfg.ELEMENT_LIST: [
        (
            "GetReporteeElementListBasicV2",
            {
                **AUTH,
                "searchBE": {
                    "FromDate": datetime(2024, 1, 1),
                    "Reportee": "911158612",
                    "SentAndArchived": True,
                    "ToDate": datetime(2026, 1, 1),
                },
                "languageID": 1044,
            },
        ),
        ("GetFormSetDataBasic", {**AUTH, "reporteeElementID": 7, "languageID": 1044}),
    ],
    cfg.ARCHIVE: [
        ("GetArchivedFormTaskBasicV2", {**AUTH, "reporteeElementId": 5276128, "languageID": 1044}),
        ("GetAttachmentDataBasicV2", {**AUTH, "attachmentId": 9}),
        ("GetArchivedCorrespondenceBasic", {**AUTH, "archiveId": 8}),
    ],
    cfg.CORRESPONDENCE: [
        ("GetCorrespondenceForEndUserSystemsBasicV2", {**AUTH, "reporteeElementID": 7, "languageID": 1044})
    ],
}


def entry_schema(service, base=cfg.WSDL_DIR):
    return etree.XMLSchema(etree.parse(str(base / cfg.ENTRY_XSD_FILES[service])))


def body_child(envelope):
    return envelope.find(SOAP_BODY)[0]


def test_every_xsd_loads_with_lxml():
    files = sorted(cfg.WSDL_DIR.glob("*.xsd"))
    assert len(files) >= 20
    for path in files:
        etree.XMLSchema(etree.parse(str(path)))


@pytest.mark.parametrize("service", cfg.SERVICES)
def test_zeep_requests_validate_against_entry_xsd(service):
    client = zeep.Client(load_wsdl(service), settings=zeep_settings())
    schema = entry_schema(service)
    for operation, params in REQUESTS[service]:
        envelope = client.create_message(client.service, operation, **params)
        element = body_child(envelope)
        assert etree.QName(element).namespace == cfg.DEFAULT_NAMESPACES[service]
        assert schema.validate(element), (operation, schema.error_log)


def test_wsdl_parsed_once_per_configuration():
    assert load_wsdl(cfg.ARCHIVE) is load_wsdl(cfg.ARCHIVE)
    other = cfg.ServiceConfig(namespaces={cfg.ARCHIVE: "urn:example:archive"})
    assert load_wsdl(cfg.ARCHIVE, other) is not load_wsdl(cfg.ARCHIVE)
    assert load_wsdl(cfg.ARCHIVE, other) is load_wsdl(
        cfg.ARCHIVE, cfg.ServiceConfig(namespaces={cfg.ARCHIVE: "urn:example:archive"})
    )


def test_wsdl_is_never_loaded_over_the_network():
    loader = _LocalFilesTransport(cfg.ServiceConfig())
    with pytest.raises(errors.ConfigurationError):
        loader.load("https://www.altinn.no/ArchiveExternal/ReporteeArchiveExternalBasic.svc?wsdl")
    with pytest.raises(errors.ConfigurationError):
        loader.load("/etc/passwd")
    assert b"GetArchivedFormTaskBasicV2" in loader.load(
        str(cfg.WSDL_DIR / "ReporteeArchiveExternalBasic.wsdl")
    )


def test_alternative_namespace_and_names_rewrite_consistently(tmp_path):
    alt = cfg.ServiceConfig(
        namespaces={
            cfg.ARCHIVE: "http://www.altinn.no/services/Archive/ReporteeArchive/2010/10/Basic",
            cfg.CORRESPONDENCE: "urn:example:correspondence",
        },
        interfaces={cfg.ARCHIVE: "IReporteeArchiveBasic"},
        archived_form_task_id_param="reporteeElementID",
        correspondence_id_param="correspondenceID",
    )
    for name, text in cfg.render_schema_files(alt).items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    client = zeep.Client(load_wsdl(cfg.ARCHIVE, alt), settings=zeep_settings())
    schema = entry_schema(cfg.ARCHIVE, tmp_path)
    envelope = client.create_message(
        client.service, "GetArchivedFormTaskBasicV2", **{**AUTH, "reporteeElementID": 5, "languageID": 1044}
    )
    element = body_child(envelope)
    assert element.tag == f"{{{alt.namespaces[cfg.ARCHIVE]}}}GetArchivedFormTaskBasicV2"
    assert [etree.QName(c).localname for c in element][-2] == "reporteeElementID"
    assert schema.validate(element), schema.error_log
    operation = client.service._binding._operations["GetArchivedFormTaskBasicV2"]
    assert operation.soapaction == alt.soap_action(cfg.ARCHIVE, "GetArchivedFormTaskBasicV2")
    assert operation.soapaction.endswith("/IReporteeArchiveBasic/GetArchivedFormTaskBasicV2")
    co = zeep.Client(load_wsdl(cfg.CORRESPONDENCE, alt), settings=zeep_settings())
    element = body_child(
        co.create_message(
            co.service,
            "GetCorrespondenceForEndUserSystemsBasicV2",
            **{**AUTH, "correspondenceID": 5, "languageID": 1044},
        )
    )
    assert element.tag == "{urn:example:correspondence}GetCorrespondenceForEndUserSystemsBasicV2"
    assert entry_schema(cfg.CORRESPONDENCE, tmp_path).validate(element)
    # Data-contract namespaces never move.
    archive_xsd = (tmp_path / "ReporteeArchiveExternalBasic.xsd").read_text()
    assert "http://schemas.altinn.no/services/Archive/ReporteeArchive/2010/10" in archive_xsd


def test_unknown_service_key_is_a_configuration_error():
    with pytest.raises(errors.ConfigurationError):
        cfg.ServiceConfig(namespaces={"archive": "urn:x"})


@pytest.mark.parametrize(
    "name",
    [
        "GetAuthenticationChallenge.AltinnPin.response.xml",
        "GetAuthenticationChallenge.SMSPin.NoPhoneNumber.response.xml",
        "GetReporteeElementListBasicV2.response.xml",
        "GetAuthenticationChallenge.AltinnPin.request.xml",
    ],
)
def test_real_envelopes_validate(shared_reference, name):
    service = cfg.AUTHENTICATION if "Authentication" in name else cfg.ELEMENT_LIST
    doc = etree.parse(str(shared_reference / "altinn2-soap" / "samples" / "real" / name))
    schema = entry_schema(service)
    assert schema.validate(body_child(doc.getroot())), schema.error_log


@pytest.mark.parametrize(
    "name", ["Fault.989.IncorrectUserCredentials.xml", "Fault.0.DeserializationError.xml"]
)
def test_real_fault_details_validate(shared_reference, name):
    doc = etree.parse(str(shared_reference / "altinn2-soap" / "samples" / "real" / name))
    detail = body_child(doc.getroot()).find("detail")[0]
    for service in cfg.SERVICES:
        assert entry_schema(service).validate(detail)
