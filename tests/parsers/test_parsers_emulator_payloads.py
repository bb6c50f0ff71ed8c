"""Every default payload of the Altinn emulator parses to its expected document type (skipped without it)."""

from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

import pytest

from prisolve_altinn.altinn.parsers import (
    DOC_ADVANCE_TAX,
    DOC_MVA_RETURN,
    DOC_OTHER,
    DOC_TAX_CLAIMS,
    DOC_TAX_SETTLEMENT,
    DOC_VAT_PAYMENT,
    ParseError,
    parse_item,
)
from prisolve_altinn.altinn.types import ROLE_BODY, ROLE_FORM_DATA, AltinnFile, AltinnItem

state_module = pytest.importorskip("altinn_emulator.state", reason="altinn_emulator is not present")
payloads = pytest.importorskip("altinn_emulator.payloads", reason="altinn_emulator is not present")

EXPECTED = {
    "mva_melding": DOC_MVA_RETURN,
    "mva_kvittering": DOC_VAT_PAYMENT,
    "forskuddsskatt": DOC_ADVANCE_TAX,
    "skatteoppgjoer": DOC_TAX_SETTLEMENT,
    "brev": DOC_OTHER,
    "kravogbetalinger": DOC_TAX_CLAIMS,
    "mva_utkast": DOC_MVA_RETURN,
}


def to_altinn_item(emulated, *, escaped_forms: bool = False) -> AltinnItem:
    """What a transport hands over: form XML (as the SOAP client unescapes it, or still escaped), attachments,
    and the message body."""
    files = []
    for form in emulated.forms:
        xml = escape(form.xml) if escaped_forms else form.xml
        files.append(AltinnFile("form.xml", "text/xml", xml.encode("utf-8"), ROLE_FORM_DATA))
    files += [AltinnFile(a.filename, a.mimetype, a.data) for a in emulated.attachments]
    if emulated.body:
        files.append(AltinnFile("body.txt", "text/plain", emulated.body.encode("utf-8"), ROLE_BODY))
    return AltinnItem(
        reference=emulated.uuid,
        kind=emulated.kind,
        reportee=emulated.reportee,
        title=emulated.title,
        transport="altinn2",
        service_code=emulated.service_code,
        created=emulated.created,
        files=files,
    )


def default_items(base_date):
    state = state_module.State(seed=1, base_date=base_date)
    return [i for i in state.items if i.document_type in EXPECTED]


@pytest.mark.parametrize("base_date", [date(2026, 5, 15), date(2026, 1, 20), date(2025, 11, 2)])
def test_default_payloads(base_date):
    items = default_items(base_date)
    assert {i.document_type for i in items} == set(EXPECTED)
    for emulated in items:
        doc = parse_item(to_altinn_item(emulated, escaped_forms=emulated.kind == "form"))
        assert doc.doc_type == EXPECTED[emulated.document_type], (emulated.document_type, doc.summary)
        if doc.doc_type != DOC_OTHER:
            assert doc.org_number == emulated.reportee
        assert not [n for n in doc.notices if n.code != "income_year_from_title"], doc.notices
        check_facts(emulated.document_type, emulated.meta, doc)


def check_facts(kind, meta, doc):
    data = doc.data
    if kind == "mva_kvittering":
        assert (data.kid, data.amount, data.due_date.isoformat(), data.account) == (
            meta["kid"],
            Decimal(meta["beloep"]),
            meta["betalingsfrist"],
            meta["konto"],
        )
        assert data.kid_valid
    elif kind == "mva_melding":
        assert data.total == Decimal(meta["fastsatt"]) and data.refund_kid == meta["refund_kid"]
    elif kind == "forskuddsskatt":
        assert data.total == Decimal(meta["sum"]) and data.income_year == meta["income_year"]
        assert [(i.due_date.isoformat(), i.amount, i.kid) for i in data.instalments] == [
            (t["forfallsdato"], Decimal(t["beloep"]), t["kid"]) for t in meta["terms"]
        ]
        assert {r.data.source for r in doc.related} <= {"text"}  # the body/PDF copies agree (no notice)
    elif kind == "skatteoppgjoer":
        assert data.total_tax == Decimal(meta["beregnet_skatt"]) and data.income_year == meta["income_year"]
    elif kind == "kravogbetalinger":
        assert len(data.claims) == meta["claims"]
        assert all(claim.category != "other" for claim in data.claims)  # kravtype codes of the code list


@pytest.mark.parametrize("how", ["invalid_xml", "wrong_namespace", "invalid_json"])
def test_broken_payloads(how):
    for emulated in default_items(date(2026, 5, 15)):
        kind = emulated.document_type
        payloads.break_item(emulated, how)
        item = to_altinn_item(emulated)
        # an unknown namespace or a broken extra data.xml only matter on our own XML: elsewhere they are
        # skipped (with a notice when unreadable)
        if (how in ("wrong_namespace", "invalid_xml") and kind in ("brev", "kravogbetalinger")) or (
            how == "invalid_json" and kind != "kravogbetalinger"
        ):
            doc = parse_item(item)
            assert doc.doc_type == EXPECTED[kind]
            codes = [n.code for n in doc.notices if n.code != "income_year_from_title"]
            assert codes == ([] if how == "wrong_namespace" else ["unreadable_file"])
            continue
        with pytest.raises(ParseError) as info:
            parse_item(item)
        assert info.value.code in ("malformed", "unknown_namespace"), (kind, info.value)


@pytest.mark.parametrize("how", ["truncated_pdf", "not_a_pdf", "empty_attachment"])
def test_damaged_attachments_do_not_crash(how):
    for emulated in default_items(date(2026, 5, 15)):
        payloads.break_item(emulated, how)
        try:
            doc = parse_item(to_altinn_item(emulated))
        except ParseError:
            continue  # e.g. an emptied XML of a known kind: refused, which is fine
        assert doc.doc_type in EXPECTED.values()


def test_one_line_is_one_line():
    """The draft return has one line: "1 line" ("1 linje"), never "1 lines"; several are "N lines"."""
    items = default_items(date(2026, 5, 15))
    draft = next(i for i in items if i.document_type == "mva_utkast")
    sent = next(i for i in items if i.document_type == "mva_melding")
    one = parse_item(to_altinn_item(draft))
    assert len(one.data.lines) == 1
    assert str(one.summary).endswith(", 1 line"), str(one.summary)
    several = parse_item(to_altinn_item(sent))
    assert len(several.data.lines) > 1
    assert str(several.summary).endswith(f", {len(several.data.lines)} lines"), str(several.summary)
