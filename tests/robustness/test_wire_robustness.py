"""What Altinn (or something pretending to be Altinn) can send over the wire, end to end through the SOAP
client and the Altinn 2 transport, against the emulator on 127.0.0.1.

Already covered elsewhere and not repeated here: truncated XML, JSON/plain text/SOAP 1.2/wrong operation,
a small DOCTYPE, bad base64, 502 (tests/soap/test_malformed_emulator.py); HTML 500 and HTML 200, connection
refused, read and connect timeouts of one call (tests/soap/test_client_emulator.py); entities in
``read_envelope`` without HTTP (tests/soap/test_parsing.py); the fault table without HTTP
(tests/soap/test_faults.py); bombs, XXE and encodings inside documents
(tests/parsers/test_parsers_security.py).
"""

from __future__ import annotations

import base64
import hashlib
import resource
import socket
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from altinn2_faults import FAULTS, STOPS_THE_FETCH

from altinn_emulator import defaults as D
from altinn_emulator import routes
from prisolve_altinn.altinn import errors
from prisolve_altinn.altinn.soap import Altinn2Transport, AltinnSoapClient
from prisolve_altinn.altinn.types import AltinnItem, FetchFailure, UserCredentials

TIMEOUT = (2.0, 10.0)
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
ARCHIVE_NS = "http://www.altinn.no/services/Archive/ReporteeArchive/2009/10"
DATA_NS = "http://www.altinn.no/services/ServiceEngine/ReporteeElementList/2010/10"


def attachment_response(
    name: str, data: bytes = b"%PDF-1.4 ok", *, prolog: str = "", doctype: str = ""
) -> str:
    """A well-formed GetAttachmentDataBasicV2 answer (members in contract order), as text."""
    return (
        f"{prolog}{doctype}"
        f'<s:Envelope xmlns:s="{SOAP}"><s:Body><GetAttachmentDataBasicV2Response xmlns="{ARCHIVE_NS}">'
        f'<GetAttachmentDataBasicV2Result xmlns:a="{DATA_NS}" '
        'xmlns:i="http://www.w3.org/2001/XMLSchema-instance">'
        f"<a:AttachmentData>{base64.b64encode(data).decode()}</a:AttachmentData>"
        "<a:AttachmentFunctionTypeID>Unspecified</a:AttachmentFunctionTypeID>"
        "<a:AttachmentID>4711</a:AttachmentID>"
        f"<a:AttachmentName>{name}</a:AttachmentName>"
        "<a:AttachmentTypeID>application_pdf</a:AttachmentTypeID>"
        "<a:CreatedByUserID>0</a:CreatedByUserID>"
        "<a:CreatedDateTime>2026-03-01T10:00:00</a:CreatedDateTime>"
        "<a:FileName>vedlegg.pdf</a:FileName>"
        "<a:IsAddedAfterFormFillin>false</a:IsAddedAfterFormFillin>"
        "<a:IsAssociatedToFormSet>false</a:IsAssociatedToFormSet>"
        "<a:IsEncrypted>false</a:IsEncrypted>"
        "<a:ReporteeElementID>0</a:ReporteeElementID>"
        "<a:SendersReference i:nil='true'/>"
        "</GetAttachmentDataBasicV2Result></GetAttachmentDataBasicV2Response></s:Body></s:Envelope>"
    )


# mode -> (status, content type, body bytes); filled by the tests, served by the plug-in route below.
CANNED: dict[str, tuple[int, str, bytes]] = {}
_registered = False


def _canned(_state, request):
    status, content_type, body = CANNED[request.match.group("mode")]
    return routes.Response(status, body, content_type)


@pytest.fixture
def canned(emu):
    """``canned(mode, body, status=200, content_type=...)`` → base URL whose SOAP calls get that answer."""
    global _registered
    if not _registered:  # routes are process-wide; this prefix is ours alone
        routes.register("POST", r"^/_robustness/(?P<mode>\w+)/", _canned)
        _registered = True

    def make(mode, body, status=200, content_type="text/xml; charset=utf-8"):
        CANNED[mode] = (status, content_type, body if isinstance(body, bytes) else body.encode("utf-8"))
        return f"{emu.url}/_robustness/{mode}"

    yield make
    CANNED.clear()


def fetch_attachment(base_url):
    credentials = UserCredentials(D.PERSON_FNR, D.PERSON_PASSWORD, pin_code="12345")
    with AltinnSoapClient(base_url, D.SYSTEM_ID, D.SYSTEM_PASSWORD, timeout=TIMEOUT) as client:
        return client.get_attachment_data(credentials, 4711)


class Listener:
    """A TCP listener on 127.0.0.1 that only counts who connects (an XXE target must see nobody)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def listener():
    spy = Listener()
    yield spy
    spy.close()


# ----------------------------------------------------------------------------------------------------------
# XXE and entity expansion, over HTTP
# ----------------------------------------------------------------------------------------------------------
def test_external_entities_are_refused_and_never_fetched(canned, listener, tmp_path):
    marker = "XXE-MARKER-5f3a9c"
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(marker)
    http = f"http://127.0.0.1:{listener.port}/xxe"
    attacks = {
        "xxefile": (f'<!DOCTYPE s:Envelope [<!ENTITY x SYSTEM "file://{secret_file}">]>', "&x;"),
        "xxehttp": (f'<!DOCTYPE s:Envelope [<!ENTITY x SYSTEM "{http}">]>', "&x;"),
        "xxeparam": (f'<!DOCTYPE s:Envelope [<!ENTITY % p SYSTEM "{http}"> %p;]>', "vedlegg"),
        "xxedtd": (f'<!DOCTYPE s:Envelope SYSTEM "{http}">', "vedlegg"),
    }
    for mode, (doctype, name) in attacks.items():
        url = canned(mode, attachment_response(name, prolog='<?xml version="1.0"?>', doctype=doctype))
        with pytest.raises(errors.MalformedResponse) as info:
            fetch_attachment(url)
        assert marker not in info.value.text() + info.value.details_text(), mode
        assert marker not in str(info.value)
    time.sleep(0.3)  # let the listener see a late connection, if any
    assert listener.connections == 0, "the XML parser reached out for an external entity or DTD"


def test_entity_expansion_bombs_are_refused_fast(canned):
    levels = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    billion_laughs = f'<!DOCTYPE s:Envelope [<!ENTITY l0 "lol">{levels}]>'
    big = "A" * 100_000
    quadratic = f'<!DOCTYPE s:Envelope [<!ENTITY big "{big}">]>'
    bombs = {
        "billion": attachment_response("&l9;", doctype=billion_laughs),  # 10^9 "lol" if expanded
        "quadratic": attachment_response("&big;" * 20_000, doctype=quadratic),  # 2 GB if expanded
    }
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for mode, body in bombs.items():
        url = canned(mode, body)
        started = time.monotonic()
        with pytest.raises(errors.MalformedResponse):
            fetch_attachment(url)
        assert time.monotonic() - started < 3, mode
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 200, f"the peak memory grew by {grown_mb:.0f} MB"


# ----------------------------------------------------------------------------------------------------------
# Encodings, over HTTP
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("mode", "body", "content_type"),
    [
        (
            "latin1",
            attachment_response(
                "Skatteoppgjøret", prolog='<?xml version="1.0" encoding="ISO-8859-1"?>'
            ).encode("iso-8859-1"),
            "text/xml; charset=iso-8859-1",
        ),
        (
            "utf16",
            attachment_response("Skatteoppgjøret", prolog='<?xml version="1.0" encoding="UTF-16"?>').encode(
                "utf-16"
            ),
            "text/xml; charset=utf-16",
        ),
        (
            "utf8bom",
            b"\xef\xbb\xbf" + attachment_response("Skatteoppgjøret").encode(),
            "text/xml; charset=utf-8",
        ),
        # The header lies; the XML declaration (and the bytes) are right: the XML wins.
        (
            "headerlies",
            attachment_response("Skatteoppgjøret", prolog='<?xml version="1.0" encoding="utf-8"?>').encode(),
            "text/xml; charset=iso-8859-1",
        ),
    ],
)
def test_declared_encodings_are_read_right(canned, mode, body, content_type):
    attachment = fetch_attachment(canned(mode, body, content_type=content_type))
    assert attachment.name == "Skatteoppgjøret"
    assert attachment.data == b"%PDF-1.4 ok"


@pytest.mark.parametrize(
    ("mode", "body"),
    [
        # Latin-1 bytes in a document that says (or defaults to) UTF-8.
        ("liesutf8", attachment_response("Skatteoppgjøret", prolog='<?xml version="1.0" encoding="utf-8"?>')),
        ("noprolog", attachment_response("Skatteoppgjøret")),
    ],
)
def test_wrong_encoding_is_malformed(canned, mode, body):
    with pytest.raises(errors.MalformedResponse) as info:
        fetch_attachment(canned(mode, body.encode("iso-8859-1")))
    assert info.value.text() and info.value.details_text()


def test_unknown_declared_encoding_is_malformed(canned):
    body = attachment_response("x", prolog='<?xml version="1.0" encoding="x-klingon"?>').encode()
    with pytest.raises(errors.MalformedResponse):
        fetch_attachment(canned("klingon", body))


# ----------------------------------------------------------------------------------------------------------
# Every Altinn fault, over HTTP, through the transport
# ----------------------------------------------------------------------------------------------------------
# The fault table (tests/altinn2_faults.py): both operations below are data calls, so Altinn's
# "Incorrect username/password/pin" means a wrong code there. STOPS_THE_FETCH: the errors that concern the
# whole session or reportee; the others can be one item's problem.


def window():
    now = datetime.now(timezone.utc)
    return now - timedelta(days=800), now + timedelta(days=2)


def login(transport, emu):
    credentials = UserCredentials(D.PERSON_FNR, D.PERSON_PASSWORD)
    transport.request_pin(credentials)
    credentials.pin_code = emu.last_sms_code(D.PERSON_FNR)
    return credentials


def assert_clear(error, expected):
    assert type(error) is expected
    message, details = error.text(), error.details_text()
    assert message and "Traceback" not in message
    # Altinn's own words and numbers are for support: on the details line, not in the message.
    for altinns in (error.altinn_message, f"ErrorID {error.error_id}", error.error_guid):
        assert altinns in details and altinns not in message
    for secret in (D.PERSON_FNR, D.PERSON_PASSWORD, D.SYSTEM_PASSWORD):
        assert secret not in message + details


@pytest.mark.parametrize(("error_id", "message", "expected"), FAULTS)
def test_every_fault_on_the_element_list_stops_with_its_error(emu, error_id, message, expected):
    transport = Altinn2Transport(emu.url, D.SYSTEM_ID, D.SYSTEM_PASSWORD, timeout=TIMEOUT)
    try:
        credentials = login(transport, emu)
        emu.inject_fault(
            {"operation": "GetReporteeElementListBasicV2", "error_id": error_id, "message": message}
        )
        with pytest.raises(errors.AltinnError) as info:
            list(transport.fetch(D.COMPANY, *window(), credentials))
        assert_clear(info.value, expected)
        assert info.value.error_id == error_id and info.value.error_guid  # what Altinn support asks for
        assert emu.calls("GetReporteeElementListBasicV2")[-1]["error_id"] == error_id
    finally:
        transport.close()


@pytest.mark.parametrize(("error_id", "message", "expected"), FAULTS)
def test_every_fault_on_one_download_loses_nothing_else(emu, error_id, message, expected):
    transport = Altinn2Transport(emu.url, D.SYSTEM_ID, D.SYSTEM_PASSWORD, timeout=TIMEOUT)
    try:
        credentials = login(transport, emu)
        # The first archived form download fails; the items listed before and after it must still come.
        emu.inject_fault(
            {"operation": "GetArchivedFormTaskBasicV2", "error_id": error_id, "message": message}
        )
        results = []
        try:
            for result in transport.fetch(D.COMPANY, *window(), credentials):
                results.append(result)
        except errors.AltinnError as exc:
            assert issubclass(expected, STOPS_THE_FETCH), f"{expected.__name__} must not stop the fetch"
            assert_clear(exc, expected)
            assert all(isinstance(r, AltinnItem) for r in results)  # what came before is kept
            return
        assert not issubclass(expected, STOPS_THE_FETCH), f"{expected.__name__} must stop the fetch"
        failures = [r for r in results if isinstance(r, FetchFailure)]
        assert len(failures) == 1
        assert_clear(failures[0].error, expected)
        assert failures[0].reference and failures[0].title
        assert len(results) == len(emu.items(D.COMPANY))  # every other item came through
    finally:
        transport.close()


def test_server_fault_without_altinn_detail_is_service_unavailable(canned):
    body = (
        f'<s:Envelope xmlns:s="{SOAP}"><s:Body><s:Fault><faultcode>s:Server</faultcode>'
        '<faultstring xml:lang="en-US">The server was unable to process the request due to an internal error.'
        "</faultstring></s:Fault></s:Body></s:Envelope>"
    )
    with pytest.raises(errors.ServiceUnavailable) as info:
        fetch_attachment(canned("server", body, status=500))
    assert info.value.retryable


def test_a_download_that_times_out_is_one_failure_the_rest_comes(emu):
    transport = Altinn2Transport(emu.url, D.SYSTEM_ID, D.SYSTEM_PASSWORD, timeout=(2.0, 0.5))
    try:
        credentials = login(transport, emu)
        emu.inject_fault({"operation": "GetArchivedFormTaskBasicV2", "count": 1, "delay_seconds": 1.5})
        started = time.monotonic()
        results = list(transport.fetch(D.COMPANY, *window(), credentials))
        assert time.monotonic() - started < 10
        failures = [r for r in results if isinstance(r, FetchFailure)]
        assert len(failures) == 1 and isinstance(failures[0].error, errors.AltinnTimeout)
        assert len(results) == len(emu.items(D.COMPANY))
    finally:
        transport.close()


# ----------------------------------------------------------------------------------------------------------
# A 50 MB attachment
# ----------------------------------------------------------------------------------------------------------
def test_fifty_megabyte_attachment_arrives_intact(emu):
    data = b"%PDF-1.4\n" + bytes(range(256)) * (50 * 1024 * 1024 // 256)
    digest = hashlib.sha256(data).hexdigest()
    emu.add_items(
        {
            "reportee": D.COMPANY,
            "items": [
                {
                    "kind": "message",
                    "title": "Stort vedlegg",
                    "body": "Se vedlegg.",
                    "archived": True,
                    "attachments": [
                        {
                            "name": "stor.pdf",
                            "mimetype": "application/pdf",
                            "data_base64": base64.b64encode(data).decode(),
                        }
                    ],
                }
            ],
        }
    )
    del data
    transport = Altinn2Transport(emu.url, D.SYSTEM_ID, D.SYSTEM_PASSWORD, timeout=(2.0, 60.0))
    try:
        credentials = login(transport, emu)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.monotonic()
        results = list(transport.fetch(D.COMPANY, *window(), credentials))
        elapsed = time.monotonic() - started
        grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    finally:
        transport.close()
    assert not [r for r in results if isinstance(r, FetchFailure)]
    big = next(r for r in results if r.title == "Stort vedlegg")
    pdf = next(f for f in big.files if f.name == "stor.pdf")
    assert len(pdf.data) == 50 * 1024 * 1024 + 9
    assert hashlib.sha256(pdf.data).hexdigest() == digest
    assert elapsed < 60
    # Base64 on the wire (67 MB), the parsed text and the bytes: a few copies, never dozens.
    assert grown_mb < 600, f"the peak memory grew by {grown_mb:.0f} MB"
