"""10,000 elements for one reportee: listing and downloading them must not be the client's bottleneck."""

import base64
import time

import pytest
import requests
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

pytestmark = pytest.mark.slow


def test_ten_thousand_elements(altinn_emulator):
    emu = altinn_emulator
    started = time.monotonic()
    response = requests.post(
        emu.url + "/_emulator/items", json={"reportee": D.CLIENT_COMPANY, "count": 10_000}, timeout=60
    )
    assert response.status_code == 201 and response.json()["created"] == 10_000
    generate = time.monotonic() - started

    creds = login(emu, system=D.FIRM_SYSTEM_ID, system_password=D.FIRM_SYSTEM_PASSWORD)
    session = requests.Session()
    started = time.monotonic()
    listed = elements(element_list(emu.url, creds, D.CLIENT_COMPANY, session=session, timeout=60))
    list_seconds = time.monotonic() - started
    assert len(listed) == 10_007
    assert len({(e["ReporteeElementId"], e["ArchiveId"]) for e in listed}) == 10_007
    dates = [e["LastChangedDate"] for e in listed]
    assert dates == sorted(dates, reverse=True)  # newest first

    started = time.monotonic()
    attachments = 0
    for element in listed:
        archived = element["ArchiveId"] is not None
        if element["ReporteeElementType"] == "FormTask" and archived:
            answer = archived_form_task(emu.url, creds, int(element["ArchiveId"]), session=session)
            ids = answer.result.findall("{*}ArchivedAttachmentList/{*}ArchivedAttachmentBEV2/{*}AttachmentID")
            for node in ids:
                data = attachment_data(emu.url, creds, int(node.text), session=session)
                assert base64.b64decode(data.result.findtext("{*}AttachmentData"))
                attachments += 1
        elif element["ReporteeElementType"] == "FormTask":
            answer = form_set_data(emu.url, creds, int(element["ReporteeElementId"]), session=session)
        elif archived:
            answer = archived_correspondence(emu.url, creds, int(element["ArchiveId"]), session=session)
        else:
            answer = correspondence(emu.url, creds, int(element["ReporteeElementId"]), session=session)
        assert answer.status == 200, answer.text
    download_seconds = time.monotonic() - started
    assert attachments > 1000
    print(
        f"generate {generate:.1f}s, list {list_seconds:.1f}s, download {download_seconds:.1f}s "
        f"({(download_seconds * 1000) / (len(listed) + attachments):.2f} ms/call incl. client parsing)"
    )
    # generous bounds for 2 shared cores; typical: ~1.5 s, ~1 s, ~15 s
    assert generate < 20 and list_seconds < 15 and download_seconds < 120
