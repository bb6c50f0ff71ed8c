"""The real Skatteetaten samples in ../shared/reference: their stated totals must be reproduced."""

import json
from datetime import date
from decimal import Decimal

import pytest

from prisolve_altinn.altinn.parsers import (
    CAT_RESTSKATT,
    DOC_MVA_RETURN,
    DOC_OTHER,
    DOC_TAX_CLAIMS,
    DOC_VAT_PAYMENT,
    ParseError,
    parse_files,
)
from prisolve_altinn.altinn.types import ROLE_FORM_DATA, AltinnFile


def sample(ref, relative, mimetype="application/xml", role="attachment"):
    path = ref / "skatteetaten" / relative
    return AltinnFile(path.name, mimetype, path.read_bytes(), role)


def test_assessed_vat_example_sums_to_its_total(shared_reference):
    doc = parse_files(
        [sample(shared_reference, "api-dokumentasjon/mvafastsetting_example.json", "application/json")]
    )
    assert doc.doc_type == DOC_MVA_RETURN
    mva = doc.data
    assert len(mva.lines) == 41
    assert mva.total == mva.lines_total == Decimal("-348431.00")
    assert (mva.period_start, mva.period_end) == (date(2021, 1, 1), date(2021, 12, 31))
    assert doc.org_number == "312409852"
    assert sum(1 for line in mva.lines if line.specification) == 11


@pytest.mark.parametrize(
    ("name", "total", "lines"),
    [
        ("eksempelMedAlleTilfeller.xml", "77511", 34),
        ("justering.xml", "100000", 1),
        ("kompensasjon_mvamelding.xml", "-29000", 3),
        ("mvakode1.xml", "-2500", 1),
        ("mvakode3.xml", "5000", 1),
        ("mvakode11.xml", "-1500", 1),
        ("mvakode31.xml", "3000", 1),
        ("mvakode81.xml", "0", 2),
        ("mvakode86.xml", "0", 2),
        ("uttak.xml", "25000", 1),
    ],
)
def test_mva_melding_examples(shared_reference, name, total, lines):
    doc = parse_files([sample(shared_reference, f"mva-meldingen/melding/{name}")])
    assert doc.doc_type == DOC_MVA_RETURN
    assert doc.data.total == doc.data.lines_total == Decimal(total)
    assert len(doc.data.lines) == lines


def test_upstream_example_that_does_not_add_up_is_refused(shared_reference):
    # Skatteetaten's own omvendt-avgiftsplikt example states 12 000 but its lines sum to 4 500.
    with pytest.raises(ParseError) as info:
        parse_files([sample(shared_reference, "mva-meldingen/melding/omvendtavgiftsplikt_mvamelding.xml")])
    assert info.value.code == "totals_mismatch"
    assert (info.value.reason.params["stated"], info.value.reason.params["computed"]) == (
        Decimal("12000.00"),
        Decimal("4500.00"),
    )


def test_submission_feedback_set(shared_reference):
    folder = "mva-meldingen/feedback/"
    files = [
        sample(shared_reference, folder + name)
        for name in ("betalingsinformasjon.xml", "mvamelding.xml", "valideringsresultat.xml", "konvolutt.xml")
    ]
    files.append(sample(shared_reference, folder + "instans.json", "application/json"))
    doc = parse_files(files)
    assert doc.doc_type == DOC_VAT_PAYMENT
    pay = doc.data
    assert (pay.org_number, pay.kid, pay.amount, pay.account) == (
        "911158612",
        "99999999999999",
        Decimal("0.00"),
        "12345678903",
    )
    assert pay.due_date == date(2021, 5, 21) and pay.period_name == "januar-februar"
    assert not pay.kid_valid  # Skatteetaten's test KID has no valid check digit: told, not refused
    assert [r.doc_type for r in doc.related] == [DOC_MVA_RETURN]
    assert doc.related[0].data.total == Decimal("15000.00")
    # the sample pairs a 2022 payment with a 2020 return of 15 000: both differences are reported
    assert sorted(n.code for n in doc.notices) == ["amount_differs", "period_differs"]


@pytest.mark.parametrize(
    ("name", "kind", "claims", "payments", "open_total", "org"),
    [
        ("kravogbetalinger_aapnekrav.json", "open_claims", 1, 1, "1000", "310478717"),
        ("kravogbetalinger_krav.json", "claims", 1, 0, "1000", "310478717"),
        ("kravogbetalinger_innbetalinger.json", "payments", 0, 1, "0", "313367002"),
    ],
)
def test_krav_og_betalinger_examples(shared_reference, name, kind, claims, payments, open_total, org):
    doc = parse_files([sample(shared_reference, f"api-dokumentasjon/{name}", "application/json")])
    assert doc.doc_type == DOC_TAX_CLAIMS
    data = doc.data
    assert (data.kind, len(data.claims), len(data.payments)) == (kind, claims, payments)
    assert data.open_total == Decimal(open_total) and doc.org_number == org
    for claim in data.claims:
        assert claim.category == CAT_RESTSKATT and claim.interest == Decimal("20.00")
        assert claim.due_date == date(2022, 9, 28)
    for payment in data.payments:
        assert payment.amount == Decimal("1000.00") and payment.date == date(2022, 9, 28)
    if kind == "open_claims":
        assert data.totals.balance == Decimal("1020.00")
        assert data.claims[0].account == "27623808268"


@pytest.mark.parametrize(
    "relative",
    [
        "api-dokumentasjon/aksjebeholdning_example.json",
        "api-dokumentasjon/kalendertjeneste_response_example.json",
        "api-dokumentasjon/rf1086_hovedskjema_example.xml",
        "beta-apier/hendelser_skattemelding_fastsatt.xml",
        "mva-meldingen/melding/mvakonvolutt1.xml",
        "skattemeldingen/eksempler/2022_upersonligSkattemeldingV2.xml",
        "skattemeldingen/eksempler/2021_personligSkattemeldingerOgNaeringsspesifikasjonResponse.xml",
        "skattemeldingen/xsd/beregnetskatt_upersonligskattyter_v4.xsd",
        "saf-t/ExampleFile_SAF-T_Financial_999999999_20161125213512.xml",
    ],
)
def test_other_samples_are_other(shared_reference, relative):
    mimetype = "application/json" if relative.endswith(".json") else "application/xml"
    assert parse_files([sample(shared_reference, relative, mimetype)]).doc_type == DOC_OTHER


def test_reconstructed_soap_samples(shared_reference):
    folder = shared_reference / "altinn2-soap" / "samples" / "reconstructed"
    for path in sorted(folder.glob("*.xml")):
        file = AltinnFile(path.name, "text/xml", path.read_bytes(), ROLE_FORM_DATA)
        try:
            doc = parse_files([file])
        except ParseError as exc:
            # the samples' FormData is a placeholder ("<Skjema …>...</Skjema>") - well-formed is all we need
            pytest.fail(f"{path.name}: {exc}")
        assert doc.doc_type == DOC_OTHER, path.name


def test_all_json_samples_parse_or_are_other(shared_reference):
    for path in sorted((shared_reference / "skatteetaten").rglob("*.json")):
        json.loads(path.read_text(encoding="utf-8"))  # sanity: the sample itself is JSON
        parse_files([AltinnFile(path.name, "application/json", path.read_bytes())])
