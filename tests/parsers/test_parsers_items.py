"""parse_item / parse_files over several files: primary document, related ones, company checks."""

import json
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from prisolve_altinn.altinn.parsers import (
    DOC_ADVANCE_TAX,
    DOC_MVA_RETURN,
    DOC_OTHER,
    DOC_VAT_PAYMENT,
    OtherDocument,
    ParseError,
    parse_files,
    parse_item,
)
from prisolve_altinn.altinn.types import KIND_MESSAGE, ROLE_BODY, AltinnItem


def item(files, **kw):
    values = {
        "reference": "AR5276128",
        "kind": KIND_MESSAGE,
        "reportee": "926543210",
        "title": "Kvittering",
        "transport": "altinn2",
        "created": datetime(2025, 7, 2, 9, 30, tzinfo=timezone.utc),
    }
    values.update(kw)
    return AltinnItem(files=files, **values)


def test_receipt_with_return_and_pdf(load):
    pdf = load("kvittering.pdf", b"%PDF-1.4 not really", mimetype="application/pdf")
    doc = parse_item(item([load("mva_return.xml"), pdf, load("vat_payment.xml")]))
    assert doc.doc_type == DOC_VAT_PAYMENT  # the payable document wins over the return
    assert [r.doc_type for r in doc.related] == [DOC_MVA_RETURN]
    assert doc.document_date == date(2025, 7, 2) and doc.related[0].document_date == date(2025, 7, 2)
    assert doc.source_file == "vat_payment.xml"
    assert not doc.notices  # same period, same amount


def test_receipt_differences_become_notices(load, raw):
    other_term = raw("mva_return.xml").decode().replace("mai-juni", "mars-april")
    doc = parse_files([load("vat_payment.xml"), load("mva_return.xml", other_term)])
    assert [n.code for n in doc.notices] == ["period_differs"]
    cheaper = raw("vat_payment.xml").decode().replace("48311.49", "48000")
    doc = parse_files([load("vat_payment.xml", cheaper), load("mva_return.xml")])
    assert [n.code for n in doc.notices] == ["amount_differs"]
    assert doc.notices[0].message.params == {"payment": Decimal("48000.00"), "return": Decimal("48311.49")}


def test_files_for_another_company_are_refused(load, raw):
    other = raw("mva_return.xml").decode().replace("926543210", "920001505")
    with pytest.raises(ParseError) as info:
        parse_files([load("vat_payment.xml"), load("mva_return.xml", other)])
    assert info.value.code == "org_mismatch"
    assert "920001505" in info.value.reason.params["organisations"]


def test_xml_wins_over_letter_text_and_copies_are_compared(load, raw):
    body = load("body.txt", raw("forskuddsskatt_brev.txt"), role=ROLE_BODY)
    doc = parse_files([body, load("forskuddsskatt.xml")])
    assert doc.doc_type == DOC_ADVANCE_TAX and doc.data.source == "xml"
    assert [r.data.source for r in doc.related] == ["text"]
    assert not doc.notices
    changed = (
        raw("forskuddsskatt_brev.txt")
        .decode()
        .replace("65 000,00   KID 2025 9265 4322 01", "66 000,00   KID 2025 9265 4322 01")
    )
    changed = changed.replace("130 000,00", "131 000,00")
    doc = parse_files([load("body.txt", changed, role=ROLE_BODY), load("forskuddsskatt.xml")])
    assert [n.code for n in doc.notices] == ["copies_differ"]


def test_item_of_only_unknown_files(load):
    letter = load(
        "body.html",
        "<p>Fristen for skattemelding er <b>31. mai</b>.</p>",
        mimetype="text/html",
        role=ROLE_BODY,
    )
    doc = parse_item(
        item(
            [letter, load("vedlegg.pdf", b"%PDF-1.4", mimetype="application/pdf")],
            title="Påminnelse om frist",
            service_code="4136",
        )
    )
    assert doc.doc_type == DOC_OTHER
    assert isinstance(doc.data, OtherDocument)
    assert doc.data.title == "Påminnelse om frist"
    assert doc.data.files == ["body.html (text/html)", "vedlegg.pdf (application/pdf)"]
    assert doc.data.text_excerpt == "Fristen for skattemelding er 31. mai."
    # What the letter says; no file count or service code (the Files tab and the technical tab show them).
    assert str(doc.summary) == "Fristen for skattemelding er 31. mai." and doc.org_number is None
    assert doc.document_date == date(2025, 7, 2)


def test_empty_item(load):
    doc = parse_item(
        item(
            [], title="Melding uten innhold", created=None, archived=datetime(2025, 1, 3, tzinfo=timezone.utc)
        )
    )
    assert doc.doc_type == DOC_OTHER and doc.document_date == date(2025, 1, 3)
    assert str(doc.summary) == "Melding uten innhold"


def test_one_broken_known_file_fails_the_item(load, raw):
    broken = (
        raw("mva_return.xml")
        .decode()
        .replace("<fastsattMerverdiavgift>48311.49", "<fastsattMerverdiavgift>1")
    )
    with pytest.raises(ParseError) as info:
        parse_item(item([load("vat_payment.xml"), load("mva_return.xml", broken)]))
    assert info.value.file_name == "mva_return.xml"


def test_assessment_with_two_periods(load, raw):
    obj = json.loads(raw("mva_assessment.json"))
    second = json.loads(json.dumps(obj["forespurtSkattleggingsperiode"][0]))
    second["skattleggingsperiode"].update(aar="2023", periodeStart="2023-01-01", periodeSlutt="2023-12-31")
    obj["forespurtSkattleggingsperiode"].append(second)
    doc = parse_files([load("mva_assessment.json", json.dumps(obj))])
    assert doc.data.period_year == 2024
    assert [r.data.period_year for r in doc.related] == [2023]
    assert doc.related[0].data.total == Decimal("-22692.06")


def test_content_wins_over_a_wrong_mimetype(load, raw):
    doc = parse_files([load("betaling.pdf", raw("vat_payment.xml"), mimetype="application/pdf")])
    assert doc.doc_type == DOC_VAT_PAYMENT
    doc = parse_files([load("krav.bin", raw("krav_aapne.json"), mimetype="application/octet-stream")])
    assert doc.doc_type == "tax_claims"


def test_item_date_is_the_norwegian_calendar_day(load):
    late = datetime(2025, 6, 30, 22, 30, tzinfo=timezone.utc)  # 00:30 on 1 July in Oslo
    assert parse_item(item([load("vat_payment.xml")], created=late)).document_date == date(2025, 7, 1)
    naive = datetime(2025, 6, 30, 23, 59)
    assert parse_item(item([load("vat_payment.xml")], created=naive)).document_date == date(2025, 6, 30)
