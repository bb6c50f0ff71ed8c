"""Forskuddsskatt for AS: our XML format (DESIGN-NOTES) and the same notice as letter text / PDF text."""

import io
from datetime import date
from decimal import Decimal

import pytest

from prisolve_altinn.altinn.parsers import DOC_ADVANCE_TAX, DOC_OTHER, AdvanceTax, ParseError, parse_files
from prisolve_altinn.altinn.types import ROLE_BODY


def test_xml(load):
    doc = parse_files([load("forskuddsskatt.xml")])
    assert doc.doc_type == DOC_ADVANCE_TAX
    data = doc.data
    assert isinstance(data, AdvanceTax)
    assert (data.org_number, data.income_year, data.total) == ("926543210", 2025, Decimal("130000.00"))
    assert data.company_name == "FJELLTOPP INVEST AS" and data.source == "xml"
    assert [(i.number, i.due_date, i.amount, i.kid, i.account) for i in data.instalments] == [
        (1, date(2026, 2, 16), Decimal("65000.00"), "20259265432102", "76940512340"),
        (2, date(2026, 4, 15), Decimal("65000.00"), "20259265432201", "76940512340"),
    ]
    assert doc.document_date == date(2026, 1, 9)
    assert (doc.period_start, doc.period_end) == (date(2025, 1, 1), date(2025, 12, 31))


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("<sumForskuddsskatt>130000.00", "<sumForskuddsskatt>131000.00", "totals_mismatch"),
        ("<kid>20259265432201</kid>", "<kid>20259265432202</kid>", "bad_kid"),
        ("<kid>20259265432201</kid>", "", "missing_field"),
        ("<forfallsdato>2026-04-15", "<forfallsdato>2025-04-15", "bad_value"),
        ("<terminnummer>2</terminnummer>", "<terminnummer>1</terminnummer>", "duplicate"),
        ("<terminnummer>2</terminnummer>", "<terminnummer>3</terminnummer>", "bad_value"),
        ("<norskKontonummer>76940512340", "<norskKontonummer>76940512341", "bad_account"),
        ("<inntektsaar>2025</inntektsaar>", "", "missing_field"),
        ("<organisasjonsnummer>926543210</organisasjonsnummer>", "", "missing_field"),
    ],
)
def test_xml_broken(load, raw, old, new, code):
    data = raw("forskuddsskatt.xml").decode()
    assert old in data
    with pytest.raises(ParseError) as info:
        parse_files([load("forskuddsskatt.xml", data.replace(old, new))])
    assert info.value.code == code


def test_xml_single_remaining_term(load, raw):
    data = raw("forskuddsskatt.xml").decode()
    start = data.index("<termin>")
    data = data[:start] + data[data.index("</termin>") + len("</termin>") :]
    data = data.replace("130000.00", "65000.00")
    doc = parse_files([load("forskuddsskatt.xml", data)])
    assert [i.number for i in doc.data.instalments] == [2]


def test_text_letter(load):
    doc = parse_files([load("forskuddsskatt_brev.txt")])
    assert doc.doc_type == DOC_ADVANCE_TAX
    data = doc.data
    assert data.source == "text" and doc.source_format == "text:forskuddsskatt"
    assert (data.org_number, data.income_year, data.total, data.account) == (
        "926543210",
        2025,
        Decimal("130000.00"),
        "76940512340",
    )
    assert [(i.due_date, i.amount, i.kid) for i in data.instalments] == [
        (date(2026, 2, 16), Decimal("65000.00"), "20259265432102"),
        (date(2026, 4, 15), Decimal("65000.00"), "20259265432201"),
    ]
    assert data.notice_date == date(2026, 1, 9)


def test_text_body_html_without_org(load):
    body = (
        "<p>Forskuddsskatt for inntektsåret 2025</p><p>1. termin forfall 16.02.2026 beløp 1.500,00 "
        "KID 20259265432102<br>2. termin forfall 15.04.2026 beløp kr 1 500 KID 20259265432201</p>"
    )
    doc = parse_files([load("body.html", body, mimetype="text/html", role=ROLE_BODY)])
    assert doc.doc_type == DOC_ADVANCE_TAX
    assert doc.data.total == Decimal("3000.00") and doc.org_number is None
    assert "no_org_number" in [n.code for n in doc.notices]


def test_text_sum_mismatch(load, raw):
    text = (
        raw("forskuddsskatt_brev.txt")
        .decode()
        .replace("Sum forskuddsskatt: kr 130 000,00", "Sum forskuddsskatt: kr 135 000,00")
    )
    with pytest.raises(ParseError) as info:
        parse_files([load("forskuddsskatt_brev.txt", text)])
    assert info.value.code == "totals_mismatch"


def test_text_that_only_mentions_forskuddsskatt_is_other(load):
    letter = "Husk at forskuddsskatt for 1. termin forfaller 15. februar. Se skatteetaten.no."
    assert parse_files([load("brev.txt", letter)]).doc_type == DOC_OTHER


def test_pdf_letter(load, raw):
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    y = 800
    for line in raw("forskuddsskatt_brev.txt").decode().splitlines():
        pdf.drawString(40, y, line)
        y -= 16
    pdf.save()
    doc = parse_files([load("forskuddsskatt.pdf", buffer.getvalue())])
    assert doc.doc_type == DOC_ADVANCE_TAX
    assert doc.data.total == Decimal("130000.00") and doc.org_number == "926543210"


def test_damaged_pdf_is_other(load):
    doc = parse_files(
        [load("skatteoppgjoer.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog")], title="Skatteoppgjør"
    )
    assert doc.doc_type == DOC_OTHER
    assert doc.data.detected == ["pdf"]


def test_a_pdf_next_to_structured_data_is_not_read(load, raw, monkeypatch):
    """The PDF of a receipt or notice with its XML is the voucher: its text is not extracted (it costs the
    most); alone, a PDF is read."""
    from prisolve_altinn.altinn.parsers import detect

    read = []
    monkeypatch.setattr(
        detect, "pdf_text", lambda data: read.append(data) or raw("forskuddsskatt_brev.txt").decode()
    )
    pdf = load("forskuddsskatt.pdf", b"%PDF-1.4 the printed notice", mimetype="application/pdf")
    doc = parse_files([load("forskuddsskatt.xml"), pdf])
    assert doc.doc_type == DOC_ADVANCE_TAX and doc.data.source == "xml"
    assert not doc.related and not read
    alone = parse_files([pdf])
    assert alone.doc_type == DOC_ADVANCE_TAX and alone.data.source == "text" and len(read) == 1
