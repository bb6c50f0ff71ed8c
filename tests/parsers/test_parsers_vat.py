"""MVA: betalingsinformasjon, MVA-melding and the assessed-VAT JSON, with our own fixtures."""

import json
from datetime import date
from decimal import Decimal

import pytest

from prisolve_altinn.altinn.parsers import (
    DOC_MVA_RETURN,
    DOC_VAT_PAYMENT,
    MvaReturn,
    ParseError,
    VatPayment,
    parse_files,
)


def test_vat_payment(load):
    doc = parse_files([load("vat_payment.xml")])
    assert doc.doc_type == DOC_VAT_PAYMENT
    pay = doc.data
    assert isinstance(pay, VatPayment)
    assert doc.org_number == pay.org_number == "926543210"
    assert pay.kid == "349265432102514" and pay.kid_valid
    assert pay.amount == Decimal("48311.49") and not pay.is_refund
    assert pay.due_date == date(2025, 8, 31)
    assert pay.account == "63450618162"
    assert (pay.iban, pay.swift_bic) == ("NO4663450618162", "DNBANOKKXXX")
    assert (pay.period_year, pay.period_name) == (2025, "mai-juni")
    assert (doc.period_start, doc.period_end) == (date(2025, 5, 1), date(2025, 6, 30))
    assert pay.submission_reference.startswith("50319886/")
    assert doc.summary.params == {
        "amount": Decimal("48311.49"),
        "period": "mai-juni 2025",
        "due": date(2025, 8, 31),
        "kid": "349265432102514",
    }
    assert (
        str(doc.summary) == "VAT to pay NOK 48,311.49 for mai-juni 2025, due 2025-08-31, KID 349265432102514"
    )
    assert doc.document_date is None  # the receipt carries no date of its own; parse_item fills it


def test_vat_refund_is_negative(load):
    doc = parse_files([load("vat_refund.xml")])
    assert doc.data.amount == Decimal("-12840.00")
    assert doc.data.is_refund
    assert str(doc.summary) == "VAT refund NOK 12,840.00 for september-oktober 2025"


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("<beloep>48311.49</beloep>", "", "missing_field"),
        ("<beloep>48311.49</beloep>", "<beloep>48 311,49</beloep>", "bad_value"),
        ("<kundeidentifikasjonsnummer>349265432102514</kundeidentifikasjonsnummer>", "", "missing_field"),
        (
            "<betalingsfrist>2025-08-31</betalingsfrist>",
            "<betalingsfrist>31.08.2025</betalingsfrist>",
            "bad_value",
        ),
        (
            "<organisasjonsnummer>926543210</organisasjonsnummer>",
            "<organisasjonsnummer>9265</organisasjonsnummer>",
            "bad_value",
        ),
        ("mai-juni", "mai-august", "bad_value"),
    ],
)
def test_vat_payment_broken(load, raw, old, new, code):
    data = raw("vat_payment.xml").decode()
    assert old in data
    with pytest.raises(ParseError) as info:
        parse_files([load("vat_payment.xml", data.replace(old, new))])
    assert info.value.code == code
    assert info.value.file_name == "vat_payment.xml"
    assert info.value.reason.source and "vat_payment.xml" in str(info.value)


def test_mva_return_lines_and_total(load):
    doc = parse_files([load("mva_return.xml")])
    assert doc.doc_type == DOC_MVA_RETURN
    mva = doc.data
    assert isinstance(mva, MvaReturn)
    assert mva.total == Decimal("48311.49") == mva.lines_total
    assert [line.mva_code for line in mva.lines] == ["3", "31", "32", "33", "1", "11", "86", "86"]
    fish = mva.lines[2]
    assert fish.rate == Decimal("11.11") and fish.vat == Decimal("99.99")
    assert mva.lines[5].base is None and mva.lines[5].rate is None
    assert mva.lines[0].internal_code == "Utgående 25 %"
    # the company's own KID for receiving a refund, not a KID to pay with
    assert mva.category == "alminnelig" and mva.refund_kid == "349265432102514"
    assert mva.system_reference == "ODOO-MVA-2025-03"
    assert doc.org_number == "926543210"
    assert (doc.period_start, doc.period_end) == (date(2025, 5, 1), date(2025, 6, 30))


def test_mva_return_total_mismatch(load, raw):
    data = (
        raw("mva_return.xml")
        .decode()
        .replace("<fastsattMerverdiavgift>48311.49", "<fastsattMerverdiavgift>48411.49")
    )
    with pytest.raises(ParseError) as info:
        parse_files([load("mva_return.xml", data)])
    assert info.value.code == "totals_mismatch"
    params = info.value.reason.params
    assert (params["stated"], params["computed"]) == (Decimal("48411.49"), Decimal("48311.49"))
    assert "NOK 48,411.49" in str(info.value) and "NOK 48,311.49" in str(info.value)


def test_mva_return_line_without_code(load, raw):
    data = raw("mva_return.xml").decode().replace("<mvaKode>11</mvaKode>", "")
    with pytest.raises(ParseError) as info:
        parse_files([load("mva_return.xml", data)])
    assert "mvaKode" in str(info.value)


def test_mva_return_wrong_namespace_version(load, raw):
    data = (
        raw("mva_return.xml")
        .decode()
        .replace("skattemeldingformerverdiavgift:v1.0", "skattemeldingformerverdiavgift:v2.0")
    )
    with pytest.raises(ParseError) as info:
        parse_files([load("mva_return.xml", data)])
    assert info.value.code == "unknown_namespace"


def test_wrong_root_in_known_namespace(load, raw):
    data = (
        raw("vat_payment.xml")
        .decode()
        .replace("<betalingsinformasjon ", "<kvittering ")
        .replace("</betalingsinformasjon>", "</kvittering>")
    )
    with pytest.raises(ParseError) as info:
        parse_files([load("vat_payment.xml", data)])
    assert info.value.code == "wrong_schema"


def test_assessment_json(load):
    doc = parse_files([load("mva_assessment.json")])
    assert doc.doc_type == DOC_MVA_RETURN
    mva = doc.data
    assert mva.source == "mvafastsetting"
    assert mva.total == Decimal("-22692.06") == mva.lines_total
    assert len(mva.lines) == 6
    assert mva.lines[0].is_deduction is False and mva.lines[2].is_deduction is True
    assert mva.lines[3].specification == "tapPåKrav"
    assert (mva.period_start, mva.period_end) == (date(2024, 1, 1), date(2024, 12, 31))
    assert mva.filing_deadline == date(2025, 4, 10)
    assert doc.document_date == date(2025, 3, 28)
    assert doc.org_number == "926543210"


def test_assessment_json_til_gode_positive_is_refund(load, raw):
    obj = json.loads(raw("mva_assessment.json"))
    obj["forespurtSkattleggingsperiode"][0]["fastsattMerverdiavgift"] = {"tilGode": 22692.06}
    assert parse_files([load("mva_assessment.json", json.dumps(obj))]).data.total == Decimal("-22692.06")


def test_assessment_json_mismatch_and_missing(load, raw):
    obj = json.loads(raw("mva_assessment.json"))
    obj["forespurtSkattleggingsperiode"][0]["egenfastsattMerverdiavgift"]["mvaSpesifikasjonslinje"].pop()
    obj["forespurtSkattleggingsperiode"][0]["egenfastsattMerverdiavgift"]["mvaSpesifikasjonslinje"].pop(0)
    with pytest.raises(ParseError) as info:
        parse_files([load("mva_assessment.json", json.dumps(obj))])
    assert info.value.code == "totals_mismatch"
    obj = json.loads(raw("mva_assessment.json"))
    del obj["forespurtSkattleggingsperiode"][0]["fastsattMerverdiavgift"]
    with pytest.raises(ParseError):
        parse_files([load("mva_assessment.json", json.dumps(obj))])
    obj["forespurtSkattleggingsperiode"] = {}
    with pytest.raises(ParseError):
        parse_files([load("mva_assessment.json", json.dumps(obj))])
