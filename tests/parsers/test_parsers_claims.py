"""Krav og betalinger JSON: claims, instalments, payments, totals and categories."""

import json
from datetime import date
from decimal import Decimal

import pytest

from prisolve_altinn.altinn.parsers import (
    CAT_ARBEIDSGIVERAVGIFT,
    CAT_FORSKUDDSSKATT,
    CAT_FORSKUDDSTREKK,
    CAT_INTEREST,
    CAT_MVA,
    CAT_OTHER,
    CAT_RESTSKATT,
    DOC_TAX_CLAIMS,
    ParseError,
    TaxClaims,
    parse_files,
)
from prisolve_altinn.altinn.parsers.claims import categorize


def test_open_claims(load):
    doc = parse_files([load("krav_aapne.json")])
    assert doc.doc_type == DOC_TAX_CLAIMS
    data = doc.data
    assert isinstance(data, TaxClaims)
    assert data.kind == "open_claims" and doc.org_number == "926543210"
    assert len(data.claims) == 6 and len(data.payments) == 1
    assert data.open_total == Decimal("114813.64")
    by_id = {c.claim_id: c for c in data.claims}
    assert [
        by_id[i].category
        for i in ("krav-70011", "krav-70012", "krav-70013", "krav-70014", "krav-70015", "krav-70016")
    ] == [
        CAT_FORSKUDDSSKATT,
        CAT_RESTSKATT,
        CAT_MVA,
        CAT_INTEREST,
        CAT_ARBEIDSGIVERAVGIFT,
        CAT_FORSKUDDSTREKK,
    ]
    advance = by_id["krav-70011"]
    assert [i.due_date for i in advance.instalments] == [date(2026, 2, 16), date(2026, 4, 15)]
    assert advance.due_date == date(2026, 4, 15)  # the first instalment is paid
    assert advance.instalments[0].placed_payments[0].amount == Decimal("-30000.00")
    assert advance.instalments[1].kid == "20259265432201" and advance.instalments[1].kid_valid
    assert advance.account == "76940512340"
    rest = by_id["krav-70012"]
    assert rest.interest == Decimal("87.40") and rest.kid == "202492654321095" and rest.period == "2024"
    assert by_id["krav-70014"].kid is None
    payment = data.payments[0]
    assert payment.unplaced_amount == Decimal("5000.00") and payment.payer_name == "FJELLTOPP INVEST AS"
    assert data.totals.balance == Decimal("110021.04") and data.totals.unplaced_payments == Decimal("5000.00")
    assert not doc.notices


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("totalOversikt", "saldo"), 110021.05),
        (("totalOversikt", "sumForfalteKrav"), 61123.65),
        (("totalOversikt", "sumStipulerteRenter"), 207.0),
        (("oversiktPerKravgruppe", 0, "saldo"), 42587.0),
        (("aapentKravMedGjenstaaendeBeloep", 0, "gjenstaaendeBeloep"), 60000),
    ],
)
def test_open_claims_totals_must_add_up(load, raw, path, value):
    obj = json.loads(raw("krav_aapne.json"))
    node = obj
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(ParseError) as info:
        parse_files([load("krav_aapne.json", json.dumps(obj))])
    assert info.value.code == "totals_mismatch"
    assert "stemmer ikke" in info.value.reason_nb


def test_original_amount_difference_is_a_notice(load, raw):
    obj = json.loads(raw("krav_aapne.json"))
    obj["aapentKravMedGjenstaaendeBeloep"][1]["opprinneligBeloep"] = 13000  # e.g. reduced later
    doc = parse_files([load("krav_aapne.json", json.dumps(obj))])
    assert [n.code for n in doc.notices] == ["claim_original_differs"]


@pytest.mark.parametrize("field", ["kravidentifikator", "gjenstaaendeBeloep", "opprinneligBeloep"])
def test_claim_missing_required(load, raw, field):
    obj = json.loads(raw("krav_alle.json"))
    del obj["krav"][0][field]
    with pytest.raises(ParseError) as info:
        parse_files([load("krav_alle.json", json.dumps(obj))])
    assert info.value.code == "missing_field"


def test_claims_endpoint(load):
    doc = parse_files([load("krav_alle.json")])
    data = doc.data
    assert data.kind == "claims"
    assert (data.period_start, data.period_end) == (date(2025, 1, 1), date(2026, 1, 1))
    assert [c.category for c in data.claims] == [CAT_MVA, CAT_OTHER]  # tilleggsskatt: booked by hand
    assert data.claims[0].open_amount == 0 and data.claims[0].due_date == date(2025, 4, 10)
    assert data.claims[1].instalments[0].deferred is True
    assert data.totals is None


def test_payments_endpoint(load):
    doc = parse_files([load("innbetalinger.json")])
    data = doc.data
    assert data.kind == "payments" and not data.claims
    assert [p.amount for p in data.payments] == [Decimal("21400.00"), Decimal("30000.00"), Decimal("5000.00")]
    assert data.payments[0].kid == "349265432102514"
    assert data.payments[0].placements[0]["kravidentifikator"] == "krav-60001"
    assert data.payments[1].paid_to_account == "76940512340"
    assert "3" in doc.summary


def test_structure_errors(load, raw):
    obj = json.loads(raw("krav_alle.json"))
    obj["krav"] = {"kravidentifikator": "x"}
    with pytest.raises(ParseError):
        parse_files([load("krav_alle.json", json.dumps(obj))])
    obj = json.loads(raw("krav_alle.json"))
    obj["krav"].append(obj["krav"][0])
    with pytest.raises(ParseError) as info:
        parse_files([load("krav_alle.json", json.dumps(obj))])
    assert info.value.code == "duplicate"
    obj = json.loads(raw("innbetalinger.json"))
    obj["innbetaling"][0]["innbetaltBeloep"] = "tusen"
    with pytest.raises(ParseError):
        parse_files([load("innbetalinger.json", json.dumps(obj))])


@pytest.mark.parametrize(
    ("kravtype", "description", "group", "category"),
    [
        ("RESTSKATT", "Restskatt", "Skatt", CAT_RESTSKATT),
        ("utskrevetForskuddsskatt", None, "Skatt", CAT_FORSKUDDSSKATT),
        ("FORSKUDDSSKATT", None, None, CAT_FORSKUDDSSKATT),
        ("åBetaleMva", "Mva-melding å betale", "Merverdiavgift", CAT_MVA),
        ("AABETALEMVA", None, None, CAT_MVA),
        ("tilgodeMva", None, "Merverdiavgift", CAT_MVA),
        ("MERVERDIAVGIFT", None, None, CAT_MVA),
        ("forsinkelsesrenterMva", None, "Merverdiavgift", CAT_INTEREST),
        ("rentegodtgjørelseMva", None, "Merverdiavgift", CAT_INTEREST),
        ("arbeidsgiveravgiftTerminvis", None, "Arbeidsgiveravgift", CAT_ARBEIDSGIVERAVGIFT),
        ("finansskattLønn", None, "Arbeidsgiveravgift", CAT_OTHER),
        ("tilleggsskattArbeidsgiveravgift", None, "Arbeidsgiveravgift", CAT_OTHER),
        ("forskuddstrekkAvstemt", None, "Forskuddstrekk", CAT_FORSKUDDSTREKK),
        ("tvangsmulktMva", None, "Merverdiavgift", CAT_OTHER),
        ("formuesskattBistand", None, "Skatt", CAT_OTHER),
        ("", "Restskatt", None, CAT_RESTSKATT),
        ("UKJENT", None, "Forskuddstrekk", CAT_FORSKUDDSTREKK),
    ],
)
def test_categorize(kravtype, description, group, category):
    assert categorize(kravtype, description, group) == category
