"""Beregnet skatt for upersonlig skattyter (AS): the assessed tax of an income year.

Schema: Skatteetaten/skattemeldingen `src/resources/xsd/beregnetskatt_upersonligskattyter_v4.xsd`.
It arrives alone or base64-encoded inside the Skattemelding API response envelope
(`skattemeldingognaeringsspesifikasjonresponse_v2.xsd`, dokument type ``beregnetSkattUpersonlig``), which
also carries the skattemelding with the income year.

Checks [inference — the XSD marks the sums "erAvledet" but does not give the formula]:
``skatt/sumSkatt`` = the sum of the tax components, and ``beregnetSkatt`` = sumSkatt − skattefradrag +
skattetillegg; ``informasjonTilSkattelister/beregnetSkatt`` must equal ``beregnetSkatt``.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date

from lxml import etree

from ..i18n import Money, Text, _lt
from . import values as v
from .base import DOC_TAX_SETTLEMENT, ParsedDocument, ParseError, TaxSettlement
from .xmlsafe import leaf_text, load, local, namespace

NS_SETTLEMENT = "urn:no:skatteetaten:fastsetting:formueinntekt:upersonlig:beregnetskatt:v4"
NS_RESPONSE = "no:skatteetaten:fastsetting:formueinntekt:skattemeldingognaeringsspesifikasjon:response:v2"
ROOT_SETTLEMENT = "beregnetSkatt"

# skatt/* children that are derived totals, not components
_DERIVED = {"sumSkatt", "kraftforetaketsSamledeNaturressursskatt"}
_VARIANTS = {
    "beregnetSkattUpersonlig": "fastland",
    "beregnetSkattUpersonligSvalbard": "svalbard",
    "beregnetSkattUpersonligPetroleum": "petroleum",
}


def _children_amounts(node, file_name: str | None, prefix: str) -> dict:
    result = {}
    if node is None:
        return result
    for child in node:
        name = local(child.tag)
        if not name:
            continue
        if name == "naturressursskatt":  # repeated per kommune: {beloep, kommune}
            what = f"{prefix}/naturressursskatt/beloep"
            text = leaf_text(child.find(f"{{{NS_SETTLEMENT}}}beloep"), what, file_name)
            value = v.amount(text, what, file_name=file_name)
            result[name] = result.get(name, v.ZERO) + value
            continue
        # every other child is one amount (the XSD's BeloepSomHeltall): children inside one are refused
        result[name] = v.amount(
            leaf_text(child, f"{prefix}/{name}", file_name), f"{prefix}/{name}", file_name=file_name
        )
    return result


def parse_xml(
    root: etree._Element,
    file_name: str | None = None,
    *,
    income_year: int | None = None,
    variant: str = "fastland",
) -> ParsedDocument:
    ns = {"n": NS_SETTLEMENT}

    def text(path: str) -> str | None:
        return leaf_text(root.find(path, ns), path.replace("n:", ""), file_name)

    skatt = root.find("n:skatt", ns)
    taxes = _children_amounts(skatt, file_name, "skatt")
    credits = _children_amounts(root.find("n:skattefradrag", ns), file_name, "skattefradrag")
    additions = _children_amounts(root.find("n:skattetillegg", ns), file_name, "skattetillegg")
    components = {k: val for k, val in taxes.items() if k not in _DERIVED}
    sum_tax = taxes.get("sumSkatt")
    computed_sum = sum(components.values(), v.ZERO)
    if sum_tax is not None and sum_tax != computed_sum:
        raise v.totals_mismatch(Text(_lt("Assessed tax: sumSkatt")), sum_tax, computed_sum, file_name)
    base_sum = sum_tax if sum_tax is not None else computed_sum
    expected_total = base_sum - sum(credits.values(), v.ZERO) + sum(additions.values(), v.ZERO)
    stated = v.optional_amount(text("n:beregnetSkatt"), "beregnetSkatt", file_name=file_name)
    listed = v.optional_amount(
        text("n:informasjonTilSkattelister/n:beregnetSkatt"),
        "informasjonTilSkattelister/beregnetSkatt",
        file_name=file_name,
    )
    if stated is None and listed is None and skatt is None:
        raise v.missing("beregnetSkatt", file_name)
    total = stated if stated is not None else (listed if listed is not None else expected_total)
    if skatt is not None and total != expected_total:
        raise v.totals_mismatch(
            Text(_lt("Assessed tax: beregnetSkatt vs. sumSkatt − credits + additions")),
            total,
            expected_total,
            file_name,
        )
    if listed is not None and listed != total:
        raise v.totals_mismatch(
            Text(_lt("Assessed tax: informasjonTilSkattelister/beregnetSkatt")),
            listed,
            total,
            file_name,
        )
    org = v.org_number(
        text("n:informasjonTilSkattelister/n:organisasjonsnummer"), required=False, file_name=file_name
    )
    data = TaxSettlement(
        org_number=org,
        income_year=income_year,
        total_tax=total,
        sum_tax=sum_tax,
        components=components,
        credits=credits,
        additions=additions,
        net_income=v.optional_amount(
            text("n:informasjonTilSkattelister/n:nettoinntekt"), "nettoinntekt", file_name=file_name
        ),
        net_wealth=v.optional_amount(
            text("n:informasjonTilSkattelister/n:nettoformue"), "nettoformue", file_name=file_name
        ),
        municipality=text("n:informasjonTilSkattelister/n:kommune"),
        variant=variant,
    )
    period_start = period_end = None
    if income_year:
        period_start, period_end = date(income_year, 1, 1), date(income_year, 12, 31)
    return ParsedDocument(
        doc_type=DOC_TAX_SETTLEMENT,
        org_number=org,
        document_date=None,
        period_start=period_start,
        period_end=period_end,
        summary=settlement_summary(total, income_year),
        data=data,
        source_file=file_name,
        source_format=NS_SETTLEMENT,
    )


def settlement_summary(total, income_year: int | None) -> Text:
    if income_year:
        return Text(
            _lt("Assessed tax for %(year)s: %(amount)s"), {"year": income_year, "amount": Money(total)}
        )
    return Text(_lt("Assessed tax: %(amount)s"), {"amount": Money(total)})


def documents_in_response(root: etree._Element, file_name: str | None = None) -> dict[str, etree._Element]:
    """dokument/type → parsed inner XML of a Skattemelding API response envelope (base64 content)."""
    ns = {"r": NS_RESPONSE}
    result = {}
    for index, doc in enumerate(root.findall("r:dokumenter/r:dokument", ns), start=1):
        doc_type = leaf_text(doc.find("r:type", ns), f"dokument[{index}]/type", file_name) or ""
        content = leaf_text(doc.find("r:content", ns), f"dokument[{index}]/content", file_name) or ""
        if not doc_type or not content:
            continue
        try:
            raw = base64.b64decode("".join(content.split()), validate=True)
        except (binascii.Error, ValueError):
            raise ParseError(
                Text(
                    _lt("dokument[%(index)s] (%(type)s) has invalid base64 content."),
                    {"index": index, "type": doc_type},
                ),
                file_name=file_name,
                code="bad_encoding",
            ) from None
        result[doc_type] = load(raw, file_name=file_name)
    return result


def income_year_of(documents: dict[str, etree._Element], file_name: str | None = None) -> int | None:
    for doc_type, element in documents.items():
        if doc_type.startswith("skattemelding"):
            for child in element:
                if local(child.tag) == "inntektsaar":
                    text = leaf_text(child, "inntektsaar", file_name)
                    return v.year(text, "inntektsaar", file_name=file_name) if text else None
    return None


def parse_response(root: etree._Element, file_name: str | None = None) -> ParsedDocument | None:
    """The AS tax computation inside a response envelope, or None when it holds none (personal, drafts)."""
    documents = documents_in_response(root, file_name)
    year = income_year_of(documents, file_name)
    for doc_type, variant in _VARIANTS.items():
        inner = documents.get(doc_type)
        if inner is None:
            continue
        if namespace(inner.tag) != NS_SETTLEMENT or local(inner.tag) != ROOT_SETTLEMENT:
            raise ParseError(
                Text(
                    _lt("Document '%(type)s' has an unexpected schema %(schema)s."),
                    {"type": doc_type, "schema": inner.tag},
                ),
                file_name=file_name,
                code="wrong_schema",
            )
        document = parse_xml(inner, file_name, income_year=year, variant=variant)
        document.source_format = f"{NS_RESPONSE}#{doc_type}"
        return document
    return None
