"""Default data: realistic Skatteetaten payloads, valid check digits, determinism by seed, the CLI."""

import json
import re
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from lxml import etree

from altinn_emulator import auth
from altinn_emulator import defaults as D
from altinn_emulator.kid import is_valid_account, is_valid_kid, is_valid_orgnr, mod10, mod11
from altinn_emulator.payloads import NS_BEREGNET, NS_BETALING, NS_FORSKUDD, NS_MVA
from altinn_emulator.state import State

ROOT = Path(__file__).resolve().parents[2]
BASE = date(2026, 5, 15)


@pytest.fixture(scope="module")
def state():
    return State(seed=1, base_date=BASE)


def _doc(item, document_type):
    return next(i for i in item if i.document_type == document_type)


def _att(item, suffix):
    return next(a for a in item.attachments if a.filename.endswith(suffix))


def _xml(data):
    return etree.fromstring(data if isinstance(data, bytes) else data.encode())


def test_default_parties():
    assert all(is_valid_orgnr(o) for o in (D.COMPANY, D.FIRM, D.CLIENT_COMPANY, D.UNDELEGATED_COMPANY))
    s = State(seed=1, base_date=BASE)
    assert s.datasystems[D.SYSTEM_ID].password == "Systempassord-955044"
    assert s.datasystems[D.SYSTEM_ID].reportees() == {D.COMPANY}
    assert s.datasystems[D.FIRM_SYSTEM_ID].reportees() == {D.FIRM, D.COMPANY, D.CLIENT_COMPANY}
    assert s.find_person("demo") is s.find_person(D.PERSON_FNR)
    assert s.find_person("utenmobil").mobile is None


def test_every_company_has_the_seven_documents(state):
    for orgnr in D.COMPANIES:
        items = state.reportee_items(orgnr)
        assert sorted(i.document_type for i in items) == sorted(
            [
                "mva_melding",
                "mva_kvittering",
                "forskuddsskatt",
                "skatteoppgjoer",
                "brev",
                "kravogbetalinger",
                "mva_utkast",
            ]
        )
        assert all(i.created.date() < BASE and i.last_changed.date() < BASE for i in items)
        assert all(i.archived_at.date() < BASE for i in items if i.archived)


def test_vat_receipt_and_return(state, shared_reference):
    items = state.reportee_items(D.COMPANY)
    receipt = _doc(items, "mva_kvittering")
    assert receipt.kind == "message" and receipt.archived
    info = _xml(_att(receipt, "betalingsinformasjon.xml").data)
    assert etree.QName(info).namespace == NS_BETALING
    kid = info.findtext(f"{{{NS_BETALING}}}kundeidentifikasjonsnummer")
    assert is_valid_kid(kid) and mod11(kid[:-1]) == kid[-1]
    assert is_valid_account(info.findtext(f".//{{{NS_BETALING}}}norskKontonummer"))
    pdf = _att(receipt, ".pdf").data
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    ret = _doc(items, "mva_melding")
    assert ret.kind == "form" and ret.archived and len(ret.forms) == 1
    melding = _xml(ret.forms[0].xml)
    lines = melding.findall(f".//{{{NS_MVA}}}mvaSpesifikasjonslinje")
    total = sum(Decimal(line.findtext(f"{{{NS_MVA}}}merverdiavgift")) for line in lines)
    assert total == Decimal(melding.findtext(f".//{{{NS_MVA}}}fastsattMerverdiavgift"))
    assert total == Decimal(info.findtext(f"{{{NS_BETALING}}}beloep"))  # receipt and return agree
    # The return carries the company's own KID for receiving refunds, not the KID to pay with.
    refund_kid = melding.findtext(f".//{{{NS_MVA}}}kundeIdentifikasjonsnummer")
    assert is_valid_kid(refund_kid) and refund_kid != kid
    xsd = shared_reference / "skatteetaten" / "mva-meldingen" / "xsd"
    for data, name in (
        (
            _att(receipt, "betalingsinformasjon.xml").data,
            "no.skatteetaten.fastsetting.avgift.mva.skattemeldingformerverdiavgift.betalingsinformasjon.v1.0.xsd",
        ),
        (
            ret.forms[0].xml.encode(),
            "no.skatteetaten.fastsetting.avgift.mva.skattemeldingformerverdiavgift.v1.0.xsd",
        ),
    ):
        schema = etree.XMLSchema(etree.parse(str(xsd / name)))
        assert schema.validate(_xml(data)), schema.error_log
    draft = _doc(items, "mva_utkast")
    assert not draft.archived and draft.status == "FillIn"
    assert schema.validate(_xml(draft.forms[0].xml)), schema.error_log


def test_advance_tax_notice_follows_the_team_format(state):
    notice = _doc(state.reportee_items(D.COMPANY), "forskuddsskatt")
    root = _xml(_att(notice, ".xml").data)
    assert root.tag == f"{{{NS_FORSKUDD}}}forskuddsskattUpersonlig"
    order = [etree.QName(c).localname for c in root]
    assert order == [
        "organisasjonsnummer",
        "navn",
        "inntektsaar",
        "vedtaksdato",
        "sumForskuddsskatt",
        "betalesTilKonto",
        "termin",
        "termin",
    ]
    year = int(root.findtext(f"{{{NS_FORSKUDD}}}inntektsaar"))
    terms = root.findall(f"{{{NS_FORSKUDD}}}termin")
    total = sum(Decimal(t.findtext(f"{{{NS_FORSKUDD}}}beloep")) for t in terms)
    assert total == Decimal(root.findtext(f"{{{NS_FORSKUDD}}}sumForskuddsskatt"))
    for number, (term, month) in enumerate(zip(terms, (2, 4), strict=True), start=1):
        due = date.fromisoformat(term.findtext(f"{{{NS_FORSKUDD}}}forfallsdato"))
        assert due.year == year + 1 and due.month == month and 15 <= due.day <= 17 and due.weekday() < 5
        kid = term.findtext(f"{{{NS_FORSKUDD}}}kid")
        assert mod10(kid[:-1]) == kid[-1]
        assert int(term.findtext(f"{{{NS_FORSKUDD}}}terminnummer")) == number
        assert re.search(
            rf"{number}\. termin forfall {due:%d.%m.%Y} beløp kr [\d ]+,\d\d KID {kid}", notice.body
        )
    assert "Forskuddsskatt for inntektsåret" in notice.body
    assert _att(notice, ".pdf").data.startswith(b"%PDF")


def test_tax_settlement_has_pdf_and_computation(state, shared_reference):
    letter = _doc(state.reportee_items(D.COMPANY), "skatteoppgjoer")
    assert letter.kind == "message" and not letter.archived
    computation = _xml(_att(letter, ".xml").data)
    assert computation.tag == f"{{{NS_BEREGNET}}}beregnetSkatt"
    tax = int(computation.findtext(f"{{{NS_BEREGNET}}}beregnetSkatt"))
    assert tax == letter.meta["beregnet_skatt"] == int(computation.findtext(f".//{{{NS_BEREGNET}}}sumSkatt"))
    assert _att(letter, ".pdf").data.startswith(b"%PDF")
    assert is_valid_kid(letter.meta["kid"])
    # element order as in Skatteetaten's XSD (the typekatalog import is not available for a full validation)
    xsd = etree.parse(
        str(
            shared_reference
            / "skatteetaten"
            / "skattemeldingen"
            / "xsd"
            / "beregnetskatt_upersonligskattyter_v4.xsd"
        )
    )
    xs = "{http://www.w3.org/2001/XMLSchema}"
    for parent in computation.iter():
        type_name = {
            "beregnetSkatt": "BeregnetSkatt",
            "skatt": "Skatt",
            "informasjonTilSkattelister": "InformasjonTilSkattelister",
        }.get(etree.QName(parent).localname)
        if type_name is None or len(parent) == 0:
            continue
        declared = [
            e.get("name") for e in xsd.find(f"{xs}complexType[@name='{type_name}']").iter(f"{xs}element")
        ]
        ours = [etree.QName(c).localname for c in parent]
        assert ours == [name for name in declared if name in ours]


def test_krav_og_betalinger_json(state):
    item = _doc(state.reportee_items(D.COMPANY), "kravogbetalinger")
    data = json.loads(_att(item, ".json").data)
    assert data["partIdentifikator"] == D.COMPANY
    claims = data["aapentKravMedGjenstaaendeBeloep"]
    assert {c["kravtype"] for c in claims} >= {"utskrevetForskuddsskatt"}
    for claim in claims:
        forfall = claim["kravforfall"][0]
        assert is_valid_account(forfall["betalingsinformasjon"]["konto"]["kontonummer"])
        assert is_valid_kid(forfall["betalingsinformasjon"]["kid"])
        assert claim["gjenstaaendeBeloep"] == forfall["gjenstaaendeBeloep"]
    total = data["totalOversikt"]
    assert total["sumForfalteKrav"] + total["sumIkkeForfalteKrav"] == pytest.approx(
        sum(c["gjenstaaendeBeloep"] for c in claims)
    )


def test_pdf_cross_reference_table_is_right(state):
    pdf = _att(_doc(state.reportee_items(D.COMPANY), "skatteoppgjoer"), ".pdf").data
    startxref = int(pdf.rsplit(b"startxref", 1)[1].split()[0])
    assert pdf[startxref:].startswith(b"xref")
    entries = pdf[startxref:].split(b"\n")[3:]
    for number, entry in enumerate(entries, start=1):
        if not entry.endswith(b" n "):
            break
        assert pdf[int(entry[:10]) :].startswith(b"%d 0 obj" % number)


def _fingerprint(s: State):
    return [
        (
            i.uuid,
            i.title,
            i.reportee_element_id,
            i.archive_id,
            i.created.isoformat(),
            [f.xml for f in i.forms],
            [(a.attachment_id, a.data) for a in i.attachments],
        )
        for i in s.items
    ]


def test_deterministic_for_a_seed():
    first, second = State(seed=5, base_date=BASE), State(seed=5, base_date=BASE)
    assert _fingerprint(first) == _fingerprint(second)
    first.add_generated(D.COMPANY, 50)
    second.add_generated(D.COMPANY, 50)
    assert _fingerprint(first) == _fingerprint(second)
    other = State(seed=6, base_date=BASE)
    assert _fingerprint(other) != _fingerprint(first)
    # SMS codes too
    codes = []
    for s in (State(seed=5, base_date=BASE), State(seed=5, base_date=BASE)):
        auth.challenge(s, "SMSPin", D.SYSTEM_ID, D.PERSON_PASSWORD, D.PERSON_FNR)
        codes.append(s.outbox[-1].code)
    assert codes[0] == codes[1]


def test_cli_prints_the_url_and_serves():
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "altinn_emulator",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--seed",
            "3",
            "--base-date",
            "2026-05-15",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()
        match = re.fullmatch(r"Altinn emulator listening on (http://127\.0\.0\.1:\d+)", line)
        assert match, line
        health = requests.get(match.group(1) + "/_emulator/health", timeout=10).json()
        assert health["seed"] == 3 and health["base_date"] == "2026-05-15"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_data_dir_items_are_loaded_and_survive_reset(tmp_path):
    (tmp_path / "extra.json").write_text(
        json.dumps(
            {
                "reportee": D.CLIENT_COMPANY,
                "items": [{"kind": "message", "title": "Fra datafil", "body": "Hei"}],
                "count": 3,
                "template": "brev",
            }
        ),
        encoding="utf-8",
    )
    s = State(seed=1, base_date=BASE, data_dirs=(tmp_path,))
    titles = [i.title for i in s.reportee_items(D.CLIENT_COMPANY)]
    assert len(titles) == 7 + 4 and "Fra datafil" in titles
    s.reset()
    assert len(s.reportee_items(D.CLIENT_COMPANY)) == 11


def test_service_urls(altinn_emulator):
    emu = altinn_emulator
    assert (
        emu.service_url("SystemAuthentication")
        == emu.url + "/AuthenticationExternal/SystemAuthentication.svc"
    )
    assert emu.service_url("ReporteeArchive").endswith("/ArchiveExternal/ReporteeArchiveExternalBasic.svc")
    with pytest.raises(KeyError):
        emu.service_url("Nope")
