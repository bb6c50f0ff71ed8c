"""Untrusted input: XXE, entity bombs, DTDs, encodings, escaped form data, sizes."""

import codecs
import time

import pytest

from prisolve_altinn.altinn.parsers import (
    DOC_MVA_RETURN,
    DOC_OTHER,
    DOC_VAT_PAYMENT,
    ParseError,
    parse_files,
    xmlsafe,
)
from prisolve_altinn.altinn.types import ROLE_FORM_DATA


@pytest.mark.parametrize("name", ["xxe_file.xml", "billion_laughs.xml", "xxe_parameter.xml"])
def test_dtd_attacks_are_refused(load, name):
    started = time.monotonic()
    with pytest.raises(ParseError) as info:
        parse_files([load(name)])
    assert info.value.code == "dtd_refused"
    assert "XXE" in str(info.value)
    assert time.monotonic() - started < 2  # refused, not expanded


def test_dtd_hidden_in_escaped_form_data(load, raw):
    escaped = (
        raw("billion_laughs.xml").decode().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    )
    with pytest.raises(ParseError) as info:
        parse_files([load("form.xml", escaped, role=ROLE_FORM_DATA)])
    assert info.value.code == "dtd_refused"


def test_dtd_in_utf16_is_refused(raw, load):
    data = raw("xxe_file.xml").decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    with pytest.raises(ParseError) as info:
        parse_files([load("xxe16.xml", data)])
    assert info.value.code == "dtd_refused"


def test_parser_is_configured_safely():
    parser = xmlsafe._parser()
    # lxml exposes no getters; an external entity must stay unresolved even if a DTD slipped through
    root = xmlsafe.etree.fromstring(
        b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]><r>&x;</r>', parser=parser
    )
    assert [type(node).__name__ for node in root] == ["_Entity"]  # left as a reference, never read


def test_undefined_entity_is_malformed(load):
    with pytest.raises(ParseError) as info:
        parse_files([load("x.xml", "<betalingsinformasjon>&nbsp;</betalingsinformasjon>")])
    assert info.value.code == "malformed"


def test_utf8_bom(load, raw):
    doc = parse_files([load("vat_payment.xml", codecs.BOM_UTF8 + raw("vat_payment.xml"))])
    assert doc.doc_type == DOC_VAT_PAYMENT


def test_iso_8859_1_declaration(load, raw):
    text = raw("vat_payment.xml").decode().replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
    text = text.replace(
        "Husk å bruke KID ved betaling.", "Særavgift: bruk KID – ikke fritekst. Ærlig talt, Øystein"
    )
    text = text.replace("–", "-")
    doc = parse_files([load("vat_payment.xml", text.encode("iso-8859-1"))])
    assert doc.data.information == "Særavgift: bruk KID - ikke fritekst. Ærlig talt, Øystein"


def test_utf16_with_bom(load, raw):
    text = raw("vat_payment.xml").decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    doc = parse_files([load("vat_payment.xml", text.encode("utf-16"))])
    assert doc.data.kid == "349265432102514"


def test_latin1_bytes_declared_utf8_is_bad_encoding(load, raw):
    text = raw("vat_payment.xml").decode().replace("Husk å bruke", "Husk åå bruke")
    with pytest.raises(ParseError) as info:
        parse_files([load("vat_payment.xml", text.encode("iso-8859-1"))])
    assert info.value.code == "bad_encoding"
    assert "character encoding" in str(info.value)


def test_unknown_declared_encoding(load):
    with pytest.raises(ParseError) as info:
        parse_files([load("x.xml", b'<?xml version="1.0" encoding="klingon-8"?><betalingsinformasjon/>')])
    assert info.value.code == "bad_encoding"


def test_unreadable_unknown_attachment_is_skipped_with_a_notice(load):
    broken = load("CustomMessageData.xml", "<melding>Husk fristen <b>i dag</melding>")
    doc = parse_files([broken, load("vat_payment.xml")])
    assert doc.doc_type == DOC_VAT_PAYMENT
    assert [n.code for n in doc.notices] == ["unreadable_file"]
    assert doc.notices[0].message.params["file"] == "CustomMessageData.xml"
    assert doc.notices[0].message.params["reason"].source.startswith("The file is damaged or cut off")
    assert parse_files([broken]).doc_type == DOC_OTHER
    # the same bytes as the form itself, or hinting at a known format, are refused
    with pytest.raises(ParseError):
        parse_files([load("form.xml", broken.data, role=ROLE_FORM_DATA)])
    with pytest.raises(ParseError):
        parse_files([load("x.xml", "<mvaMeldingDto><skattegrunnlagOgBeregnetSkatt></mvaMeldingDto>")])


def test_escaped_form_data(load, raw):
    doc = parse_files(
        [load("form.xml", raw("mva_formdata_escaped.txt"), mimetype="text/xml", role=ROLE_FORM_DATA)]
    )
    assert doc.doc_type == DOC_MVA_RETURN
    assert doc.data.lines[0].internal_code == "Salg & tjenester 25 %"
    assert doc.data.total == 9375


def test_escaped_twice(load, raw):
    twice = raw("mva_formdata_escaped.txt").decode().replace("&", "&amp;")
    assert parse_files([load("form.xml", twice, role=ROLE_FORM_DATA)]).doc_type == DOC_MVA_RETURN


def test_soap_envelope_with_escaped_form(load):
    doc = parse_files([load("soap_archived_mva.xml")])
    assert doc.doc_type == DOC_MVA_RETURN
    assert (doc.org_number, doc.data.period_name, doc.data.total) == ("926543210", "mars-april", 9375)


def test_malformed_and_truncated_xml(load, raw):
    data = raw("mva_return.xml")
    with pytest.raises(ParseError) as info:
        parse_files([load("mva_return.xml", data[: len(data) // 2])])
    assert info.value.code == "malformed"
    assert info.value.file_name == "mva_return.xml"


def test_declared_json_that_is_broken(load, raw):
    with pytest.raises(ParseError) as info:
        parse_files([load("krav.json", raw("krav_aapne.json")[:200])])
    assert info.value.code == "malformed"


def test_deeply_nested_json(load):
    doc = parse_files([load("deep.json", "[" * 100000 + "]" * 100000)])  # no crash, no recursion error
    assert doc.doc_type == DOC_OTHER and [n.code for n in doc.notices] == ["unreadable_file"]
    with pytest.raises(ParseError):
        parse_files([load("krav.json", '{"partIdentifikator": "926543210", "krav": ' + "[" * 100000)])


def test_oversized_xml(load, monkeypatch, raw):
    monkeypatch.setattr(xmlsafe, "MAX_XML_BYTES", 100)
    with pytest.raises(ParseError) as info:
        parse_files([load("vat_payment.xml")])
    assert info.value.code == "too_large"


def test_unknown_xml_json_text_and_binary_are_other(load, raw):
    for file in (
        load("unknown_invoice.xml"),
        load("kalender.json", '{"kalender": {"oppgave": []}}'),
        load("notat.txt", "Et vanlig brev uten beløp."),
        load("bilde.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", mimetype="image/png"),
        load("tom.pdf", b"", mimetype="application/pdf"),
        load("side.html", "<!DOCTYPE html><html><body><p>Hei</p></body></html>", mimetype="text/html"),
    ):
        doc = parse_files([file])
        assert doc.doc_type == DOC_OTHER, file.name
    assert parse_files([load("unknown_invoice.xml")]).data.detected == [
        "xml:{urn:example:brreg:faktura:v1}Faktura"
    ]
