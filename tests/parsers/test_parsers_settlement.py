"""Beregnet skatt upersonlig v4, alone and inside the Skattemelding API response envelope."""

import base64
from datetime import date
from decimal import Decimal

import pytest

from prisolve_altinn.altinn.parsers import (
    DOC_OTHER,
    DOC_TAX_SETTLEMENT,
    ParseError,
    TaxSettlement,
    parse_files,
)


def test_standalone(load):
    doc = parse_files([load("beregnet_skatt.xml")])
    assert doc.doc_type == DOC_TAX_SETTLEMENT
    data = doc.data
    assert isinstance(data, TaxSettlement)
    assert data.total_tax == Decimal("267000.00") and data.sum_tax == Decimal("286000.00")
    assert data.components == {
        "formuesskattTilStat": Decimal("0.00"),
        "inntektsskattTilStat": Decimal("286000.00"),
    }
    assert data.credits == {"skattefradragForKostnaderTilFoU": Decimal("19000.00")}
    assert data.net_income == Decimal("1300000.00") and data.municipality == "4601"
    assert doc.org_number == "926543210"
    assert data.income_year is None and doc.period_start is None  # no year inside a standalone computation


def test_year_from_title_or_file_name(load, raw):
    doc = parse_files([load("beregnet_skatt.xml")], title="Skatteoppgjøret for 2024 er klart")
    assert doc.data.income_year == 2024
    assert (doc.period_start, doc.period_end) == (date(2024, 1, 1), date(2024, 12, 31))
    assert [n.code for n in doc.notices] == ["income_year_from_title"]
    doc = parse_files([load("beregnetSkatt_2023.xml", raw("beregnet_skatt.xml"))])
    assert doc.data.income_year == 2023


def test_response_envelope(load):
    doc = parse_files([load("skattemelding_response.xml")])
    assert doc.doc_type == DOC_TAX_SETTLEMENT
    assert doc.data.income_year == 2024 and doc.data.variant == "fastland"
    assert doc.data.total_tax == Decimal("267000.00")
    assert doc.source_format.endswith("#beregnetSkattUpersonlig")
    assert str(doc.summary) == "Assessed tax for 2024: NOK 267,000.00"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("<sumSkatt>286000</sumSkatt>", "<sumSkatt>290000</sumSkatt>"),
        (
            "<beregnetSkatt>267000</beregnetSkatt>\n  <informasjon",
            "<beregnetSkatt>286000</beregnetSkatt>\n  <informasjon",
        ),
        (
            "<beregnetSkatt>267000</beregnetSkatt>\n  </informasjon",
            "<beregnetSkatt>260000</beregnetSkatt>\n  </informasjon",
        ),
    ],
)
def test_totals_must_add_up(load, raw, old, new):
    data = raw("beregnet_skatt.xml").decode()
    assert old in data
    with pytest.raises(ParseError) as info:
        parse_files([load("beregnet_skatt.xml", data.replace(old, new))])
    assert info.value.code == "totals_mismatch"


def test_bad_amount_and_base64(load, raw):
    data = raw("beregnet_skatt.xml").decode().replace("<nettoinntekt>1300000", "<nettoinntekt>1,3 mill")
    with pytest.raises(ParseError):
        parse_files([load("beregnet_skatt.xml", data)])
    envelope = raw("skattemelding_response.xml").decode()
    start = envelope.index("<content>", envelope.index("beregnetSkattUpersonlig")) + len("<content>")
    broken = envelope[:start] + "!!notbase64!!" + envelope[start:]
    with pytest.raises(ParseError) as info:
        parse_files([load("skattemelding_response.xml", broken)])
    assert info.value.code == "bad_encoding"


def test_unknown_version_and_personal(load, raw):
    data = raw("beregnet_skatt.xml").decode().replace("beregnetskatt:v4", "beregnetskatt:v5")
    with pytest.raises(ParseError) as info:
        parse_files([load("beregnet_skatt.xml", data)])
    assert info.value.code == "unknown_namespace"
    personal = (
        '<beregnetSkatt xmlns="urn:no:skatteetaten:fastsetting:formueinntekt:beregnetskatt:v3">'
        "<beregnetSkatt><beloep>1</beloep></beregnetSkatt></beregnetSkatt>"
    )
    assert parse_files([load("personlig.xml", personal)]).doc_type == DOC_OTHER


def test_envelope_without_company_computation_is_other(load):
    inner = base64.b64encode(
        b'<skattemelding xmlns="urn:x"><inntektsaar>2024</inntektsaar></skattemelding>'
    ).decode()
    envelope = (
        '<skattemeldingOgNaeringsspesifikasjonResponse xmlns="no:skatteetaten:fastsetting:formueinntekt:'
        'skattemeldingognaeringsspesifikasjon:response:v2"><dokumenter><dokument><type>skattemeldingUpersonlig'
        f"EtterBeregning</type><encoding>utf-8</encoding><content>{inner}</content></dokument></dokumenter>"
        "<resultatAvValidering>validertMedFeil</resultatAvValidering></skattemeldingOgNaeringsspesifikasjonResponse>"
    )
    assert parse_files([load("svar.xml", envelope)]).doc_type == DOC_OTHER
