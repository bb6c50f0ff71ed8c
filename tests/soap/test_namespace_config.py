"""Inferred service namespaces and interfaces are configuration: an alternative works end to end."""

import pytest
from lxml import etree
from soap_testlib import TIMEOUT, sms_login, window

from altinn_emulator import defaults as D
from altinn_emulator.testing import running_emulator
from prisolve_altinn.altinn.soap import AltinnSoapClient, ServiceConfig, render_schema_files
from prisolve_altinn.altinn.soap import config as cfg

ALT = ServiceConfig(
    namespaces={
        cfg.ARCHIVE: "http://www.altinn.no/services/Archive/ReporteeArchiveExternal/2009/10",
        cfg.CORRESPONDENCE: "http://www.altinn.no/services/ServiceEngine/CorrespondenceExternal/2009/10",
    },
    interfaces={cfg.ARCHIVE: "IReporteeArchiveExternalBasicAlt"},
)
# Parameter-name alternatives are covered at the WSDL/request level (test_schemas): the emulator handlers
# read the default names.
EMULATOR_KEYS = {
    cfg.ARCHIVE: "ReporteeArchiveExternalBasic",
    cfg.CORRESPONDENCE: "CorrespondenceExternalBasic",
}


@pytest.fixture
def alt_emulator(tmp_path):
    for name, text in render_schema_files(ALT).items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with running_emulator(seed=1, schema_dir=tmp_path) as emu:
        # The emulator validates against the rewritten XSDs; make it answer on the same names (a no-op once it
        # reads them from the schema dir itself, see DESIGN-NOTES).
        for key, emulator_key in EMULATOR_KEYS.items():
            service = emu.schemas.by_key[emulator_key]
            service.namespace = ALT.namespaces[key]
            service.interface = ALT.interfaces[key]
        yield emu


def test_alternative_namespaces_end_to_end(alt_emulator):
    emu = alt_emulator
    with AltinnSoapClient(emu.url, D.SYSTEM_ID, D.SYSTEM_PASSWORD, timeout=TIMEOUT, config=ALT) as client:
        credentials = sms_login(client, emu)
        items = client.get_reportee_element_list(credentials, D.COMPANY, *window())
        form = next(e for e in items if e.element_type == "FormTask" and e.is_archived)
        task = client.get_archived_form_task(credentials, form.archive_id)
        assert task.forms and task.attachments
        assert client.get_attachment_data(credentials, task.attachments[0].attachment_id).data
        message = next(e for e in items if e.element_type == "Correspondence" and not e.is_archived)
        assert client.get_correspondence(credentials, message.reportee_element_id).correspondence_id
    calls = {c["operation"]: c["status"] for c in emu.calls()}
    assert calls["GetArchivedFormTaskBasicV2"] == 200
    assert calls["GetCorrespondenceForEndUserSystemsBasicV2"] == 200


def test_default_client_is_refused_by_an_alternative_server(alt_emulator):
    """Proves the namespace really went over the wire: the default names no longer match."""
    emu = alt_emulator
    with AltinnSoapClient(emu.url, D.SYSTEM_ID, D.SYSTEM_PASSWORD, timeout=TIMEOUT) as client:
        credentials = sms_login(client, emu)
        form = next(
            e
            for e in client.get_reportee_element_list(credentials, D.COMPANY, *window())
            if e.element_type == "FormTask" and e.is_archived
        )
        with pytest.raises(Exception) as info:
            client.get_archived_form_task(credentials, form.archive_id)
    assert "GetArchivedFormTaskBasicV2" not in {c["operation"] for c in emu.calls() if c["status"] == 200}
    assert info.type.__module__.endswith("errors")


def test_rendered_files_carry_the_alternative(tmp_path):
    files = render_schema_files(ALT)
    archive_xsd = etree.fromstring(files["ReporteeArchiveExternalBasic.xsd"].encode())
    assert archive_xsd.get("targetNamespace") == ALT.namespaces[cfg.ARCHIVE]
    wsdl = files["ReporteeArchiveExternalBasic.wsdl"]
    assert (
        f'soapAction="{ALT.namespaces[cfg.ARCHIVE]}/IReporteeArchiveExternalBasicAlt/GetAttachmentDataBasicV2"'
        in wsdl
    )
    # Verified namespaces stay as they are.
    assert files["SystemAuthentication.xsd"] == (cfg.WSDL_DIR / "SystemAuthentication.xsd").read_text()
