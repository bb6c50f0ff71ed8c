"""Benchmark (not a test): the Altinn 2 SOAP client vs. a raw requests + lxml baseline over the same data.

Starts its own emulator (``python -m altinn_emulator`` on 127.0.0.1, port 0) in a subprocess, adds
``--items`` generated items to one company, logs in with an SMS code, then lists and downloads every item
(form XML, attachment bytes, message bodies) once with ``Altinn2Transport.fetch`` and once with hand-written
envelopes posted by ``requests`` and read with lxml. Both do the same SOAP calls in the same order over a
keep-alive session; the best of ``--rounds`` runs counts.
Last line: ``ratio=<client/baseline>`` (target ≤ 1.5).

    /opt/odoo-venv/bin/python benchmarks/soap_client.py [--items 5000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import base64
import subprocess
import sys
import time
import types
from datetime import datetime, timedelta, timezone
from pathlib import Path
from xml.sax.saxutils import escape

import requests
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if "prisolve_altinn" not in sys.modules:  # the addon's __init__ imports odoo: load only the protocol layer
    _pkg = types.ModuleType("prisolve_altinn")
    _pkg.__path__ = [str(ROOT / "prisolve_altinn")]
    sys.modules["prisolve_altinn"] = _pkg

from altinn_emulator import defaults as D  # noqa: E402
from prisolve_altinn.altinn.soap import Altinn2Transport  # noqa: E402
from prisolve_altinn.altinn.types import AltinnItem, UserCredentials  # noqa: E402

TIMEOUT = (5.0, 120.0)


def start_emulator() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "altinn_emulator", "--host", "127.0.0.1", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline()
    if "listening on" not in line:
        proc.kill()
        raise SystemExit(f"emulator did not start: {line!r}")
    return proc, line.rsplit(" ", 1)[1].strip()


# -- baseline: hand-written envelopes, requests, lxml --------
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
NS_REL = "http://www.altinn.no/services/ServiceEngine/ReporteeElementList/2009/10"
NS_RA = "http://www.altinn.no/services/Archive/ReporteeArchive/2009/10"
NS_CO = "http://www.altinn.no/services/ServiceEngine/Correspondence/2009/10"
NS_SEARCH = "http://schemas.altinn.no/services/Archive/ReporteeArchive/2009/10"
PATHS = {
    NS_REL: (
        "/ServiceEngineExternal/ReporteeElementListExternalBasic.svc",
        "IReporteeElementListExternalBasic",
    ),
    NS_RA: ("/ArchiveExternal/ReporteeArchiveExternalBasic.svc", "IReporteeArchiveExternalBasic"),
    NS_CO: ("/ServiceEngineExternal/CorrespondenceExternalBasic.svc", "ICorrespondenceExternalBasic"),
}
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


def _local(tag: str) -> str:
    return tag[tag.rfind("}") + 1 :]


def _fields(el) -> dict:
    return {_local(c.tag): c for c in el if isinstance(c.tag, str)}


class Baseline:
    def __init__(self, url: str, credentials: UserCredentials):
        self.url = url
        self.session = requests.Session()
        self.auth = "".join(
            f"<ns:{name}>{escape(value)}</ns:{name}>"
            for name, value in (
                ("systemUserName", D.SYSTEM_ID),
                ("systemPassword", D.SYSTEM_PASSWORD),
                ("userSSN", credentials.username),
                ("userPassword", credentials.password),
                ("userPinCode", credentials.pin_code),
                ("authMethod", "SMSPin"),
            )
        )

    def call(self, ns: str, op: str, params: str):
        path, interface = PATHS[ns]
        body = (
            f'<soapenv:Envelope xmlns:soapenv="{SOAP}" xmlns:ns="{ns}" xmlns:ns1="{NS_SEARCH}"><soapenv:Body>'
            f"<ns:{op}>{self.auth}{params}</ns:{op}></soapenv:Body></soapenv:Envelope>"
        ).encode()
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{ns}/{interface}/{op}"'}
        response = self.session.post(self.url + path, data=body, headers=headers, timeout=TIMEOUT)
        if response.status_code != 200:
            raise RuntimeError(f"{op}: HTTP {response.status_code}")
        root = etree.fromstring(response.content, PARSER)
        return next(root.iter(f"{{{ns}}}{op}Result"))

    def fetch(self, reportee: str, since: datetime, until: datetime) -> list[tuple[str, list[bytes]]]:
        search = (
            f"<ns:searchBE><ns1:FromDate>{since.isoformat()}</ns1:FromDate><ns1:Reportee>{reportee}</ns1:Reportee>"
            f"<ns1:SentAndArchived>true</ns1:SentAndArchived><ns1:ToDate>{until.isoformat()}</ns1:ToDate>"
            "</ns:searchBE><ns:languageID>1044</ns:languageID>"
        )
        listed = self.call(NS_REL, "GetReporteeElementListBasicV2", search)
        out = []
        for row in listed:
            f = _fields(row)
            kind = f["ReporteeElementType"].text
            active_id = int(f["ReporteeElementId"].text)
            archive_id = f["ArchiveId"].text
            files: list[bytes] = []
            if kind == "FormTask" and archive_id:
                task = _fields(
                    self.call(
                        NS_RA,
                        "GetArchivedFormTaskBasicV2",
                        f"<ns:reporteeElementId>{archive_id}</ns:reporteeElementId>"
                        "<ns:languageID>1044</ns:languageID>",
                    )
                )
                for form in task["ArchivedFormList"]:
                    files.append(_fields(form)["FormDataXML"].text.encode())
                for meta in task["ArchivedAttachmentList"]:
                    att_id = _fields(meta)["AttachmentID"].text
                    att = _fields(
                        self.call(
                            NS_RA, "GetAttachmentDataBasicV2", f"<ns:attachmentId>{att_id}</ns:attachmentId>"
                        )
                    )
                    files.append(base64.b64decode(att["AttachmentData"].text))
            elif kind == "FormTask":
                forms = self.call(
                    NS_REL,
                    "GetFormSetDataBasic",
                    f"<ns:reporteeElementID>{active_id}</ns:reporteeElementID>"
                    "<ns:languageID>1044</ns:languageID>",
                )
                files += [_fields(form)["FormData"].text.encode() for form in forms]
            elif kind == "Correspondence":
                if archive_id:
                    msg = _fields(
                        self.call(
                            NS_RA,
                            "GetArchivedCorrespondenceBasic",
                            f"<ns:archiveId>{archive_id}</ns:archiveId>",
                        )
                    )
                    text, attachments = msg["CorrespondenceText"].text, msg["CorrespondenceAttachments"]
                else:
                    outer = _fields(
                        self.call(
                            NS_CO,
                            "GetCorrespondenceForEndUserSystemsBasicV2",
                            f"<ns:reporteeElementID>{active_id}</ns:reporteeElementID>"
                            "<ns:languageID>1044</ns:languageID>",
                        )
                    )
                    text = _fields(outer["Correspondence"])["CorrespondenceTxt"].text
                    attachments = outer["CorrespondenceAttachments"]
                if text:
                    files.append(text.encode())
                for att in attachments:
                    files.append(base64.b64decode(_fields(att)["AttachmentData"].text))
            else:
                continue
            out.append((kind, files))
        return out


def run_client(url, credentials, since, until):
    transport = Altinn2Transport(url, D.SYSTEM_ID, D.SYSTEM_PASSWORD, timeout=TIMEOUT)
    try:
        items = list(transport.fetch(D.COMPANY, since, until, credentials))
    finally:
        transport.close()
    return items


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    proc, url = start_emulator()
    try:
        control = requests.Session()
        added = control.post(
            f"{url}/_emulator/items", json={"reportee": D.COMPANY, "count": args.items}, timeout=(5, 300)
        ).json()["created"]
        credentials = UserCredentials(D.PERSON_FNR, D.PERSON_PASSWORD)
        login = Altinn2Transport(url, D.SYSTEM_ID, D.SYSTEM_PASSWORD, timeout=TIMEOUT)
        login.request_pin(credentials)
        login.close()
        sms = control.get(f"{url}/_emulator/sms", params={"user": D.PERSON_FNR}, timeout=(5, 30)).json()
        credentials.pin_code = sms[0]["code"]
        now = datetime.now(timezone.utc)
        since, until = now - timedelta(days=800), now + timedelta(days=2)
        print(f"emulator {url}: {added} items added")

        client_times, baseline_times = [], []
        for round_no in range(1, args.rounds + 1):
            started = time.perf_counter()
            items = run_client(url, credentials, since, until)
            client_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            base = Baseline(url, credentials).fetch(D.COMPANY, since, until)
            baseline_times.append(time.perf_counter() - started)

            ok = [i for i in items if isinstance(i, AltinnItem)]
            client_bytes = sum(len(f.data) for i in ok for f in i.files if f.name != "CustomMessageData.xml")
            base_bytes = sum(len(b) for _, files in base for b in files)
            print(
                f"round {round_no}: client {len(ok)}/{len(items)} items, {client_bytes} bytes, "
                f"{client_times[-1]:.2f} s | baseline {len(base)} items, {base_bytes} bytes, "
                f"{baseline_times[-1]:.2f} s"
            )
            if len(ok) != len(items) or len(ok) != len(base) or client_bytes != base_bytes:
                raise SystemExit("client and baseline did not download the same data")
        client_best, base_best = min(client_times), min(baseline_times)
        print(
            f"client {client_best:.2f} s ({len(ok) / client_best:.0f} items/s), "
            f"baseline {base_best:.2f} s ({len(base) / base_best:.0f} items/s)"
        )
        print(f"ratio={client_best / base_best:.2f}")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
