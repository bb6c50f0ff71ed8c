"""Regressions of the attacker's findings (issue 26, "Hostile and damaged files"): each example ends in a
typed refusal with a Norwegian text, in bounded time and memory; the valid documents still read the same."""

from __future__ import annotations

import base64
import io
import json
import re
import time
import tracemalloc
import zipfile
import zlib
from decimal import Decimal

import pytest

from prisolve_altinn.altinn import errors
from prisolve_altinn.altinn.parsers import (
    DOC_ADVANCE_TAX,
    DOC_OTHER,
    DOC_TAX_CLAIMS,
    DOC_VAT_PAYMENT,
    ParseError,
    detect,
    parse_files,
)
from prisolve_altinn.altinn.parsers import values as V
from prisolve_altinn.altinn.upload import upload_files


def refused(load, name, data, code=None):
    with pytest.raises(ParseError) as info:
        parse_files([load(name, data)])
    if code:
        assert info.value.code == code, info.value.text()
    return info.value


def assert_norwegian(error: ParseError, nb):
    """The refusal has its Norwegian sentence (nb.po), not only the English source."""
    english = error.reason.source
    assert nb(english) != english, f"no Norwegian text for {english!r}"


# --- untyped exceptions ---
@pytest.mark.parametrize(
    "value",
    [123, True, ["RESTSKATT"], {"kode": "RESTSKATT"}],
    ids=["int", "bool", "list", "object"],
)
def test_claim_type_that_is_not_text_is_refused(load, raw, nb, value):
    obj = json.loads(raw("krav_aapne.json"))
    obj["aapentKravMedGjenstaaendeBeloep"][0]["kravtype"] = value
    error = refused(load, "krav.json", json.dumps(obj), "bad_value")
    assert "kravtype" in error.text()
    assert_norwegian(error, nb)


@pytest.mark.parametrize(
    "period",
    [
        {"periodeBeskrivelse": {"spraakTekst": [{"spraak": "nb", "tekst": 5}]}},
        {"periodeBeskrivelse": 2025},
        {"periodeBeskrivelse": {"spraakTekst": [{"spraak": {"nb": 1}, "tekst": "2025"}]}},
        {"periodeBeskrivelse": None, "aar": "²⁰²⁵"},
        7,
    ],
)
def test_claim_period_that_is_not_text_is_refused(load, raw, period):
    obj = json.loads(raw("krav_aapne.json"))
    obj["aapentKravMedGjenstaaendeBeloep"][0]["kravperiode"] = period
    refused(load, "krav.json", json.dumps(obj), "bad_value")


@pytest.mark.parametrize("member", ["skattleggingsperiode", "egenfastsattMerverdiavgift"])
@pytest.mark.parametrize("value", ["2025", 5, [1, 2], True])
def test_assessment_members_that_are_not_objects_are_refused(load, raw, member, value):
    obj = json.loads(raw("mva_assessment.json"))
    obj["forespurtSkattleggingsperiode"][0][member] = value
    refused(load, "mva.json", json.dumps(obj), "bad_value")


def test_assessment_message_that_is_not_an_object_is_refused(load, raw):
    obj = json.loads(raw("mva_assessment.json"))
    obj["forespurtSkattleggingsperiode"][0]["egenfastsattMerverdiavgift"]["mvaMelding"] = "x"
    refused(load, "mva.json", json.dumps(obj), "bad_value")


def response_with_year(year: str, raw) -> bytes:
    """Our response fixture with the skattemelding's inntektsaar replaced."""
    text = raw("skattemelding_response.xml").decode()

    def replace(match):
        inner = base64.b64decode("".join(match.group(1).split()))
        inner = re.sub(
            rb"<inntektsaar>\d+</inntektsaar>", f"<inntektsaar>{year}</inntektsaar>".encode(), inner
        )
        return f"<content>{base64.b64encode(inner).decode()}</content>"

    return re.sub(r"<content>(.*?)</content>", replace, text, flags=re.S).encode()


@pytest.mark.parametrize("year", ["99999", "²⁰²⁵", "٢٠٢٥", "0000", "1969", "2100"])
def test_settlement_income_year_out_of_range_is_refused(load, raw, year):
    refused(load, "response.xml", response_with_year(year, raw), "bad_value")


def test_settlement_income_year_in_range_still_reads(load, raw):
    assert parse_files([load("response.xml", response_with_year("2024", raw))]).data.income_year == 2024


@pytest.mark.parametrize("year", ["0000", "99999", "٢٠٢٥", "2100"])
@pytest.mark.parametrize("fixture", ["vat_payment.xml", "mva_return.xml"])
def test_vat_period_year_out_of_range_is_refused(load, raw, year, fixture):
    data = re.sub(rb"<aar>\d{4}</aar>", f"<aar>{year}</aar>".encode(), raw(fixture), count=1)
    refused(load, fixture, data, "bad_value")


def test_week_period_of_year_zero_is_refused(load, raw):
    obj = json.loads(raw("mva_assessment.json"))
    period = obj["forespurtSkattleggingsperiode"][0]["skattleggingsperiode"]
    period.update(aar="0000", periode="uke 7", periodeStart=None, periodeSlutt=None)
    refused(load, "mva.json", json.dumps(obj), "bad_value")


@pytest.mark.parametrize(
    "amount",
    ["1" + "0" * 28, "9" * 29, "1e30", "1E+30", "NaN", "Infinity", "٣٠٠", "１２３", "10000000000000", "0x10"],
)
def test_amounts_out_of_range_or_not_decimal_are_refused(load, raw, nb, amount):
    error = refused(
        load, "vat_payment.xml", raw("vat_payment.xml").replace(b"48311.49", amount.encode()), "bad_value"
    )
    assert_norwegian(error, nb)


@pytest.mark.parametrize("amount", [Decimal("1e30"), 10**29, Decimal("NaN"), True, 1.5e300, [1], "1e3"])
def test_amount_values_from_json_out_of_range_are_refused(amount):
    with pytest.raises(ParseError):
        V.amount(amount, "beloep")


def test_amount_of_a_real_json_is_still_read():
    assert V.amount(Decimal("1.5E+2"), "x") == Decimal("150.00")  # JSON may write an exponent
    assert V.amount("-348431", "x") == Decimal("-348431.00")
    assert V.amount(" 48311.49 ", "x") == Decimal("48311.49")
    assert V.amount(9_999_999_999_999, "x") == Decimal("9999999999999.00")


@pytest.mark.parametrize("encoding", ["undefined", "unicode_escape", "rot13", "punycode", "klingon-8"])
def test_unknown_or_non_text_encodings_are_refused(load, raw, encoding):
    data = raw("vat_payment.xml").replace(b'encoding="UTF-8"', f'encoding="{encoding}"'.encode())
    refused(load, "vat_payment.xml", data, "bad_encoding")


# --- damaged zips ---
def a_zip(files: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_LZMA, zipfile.ZIP_BZIP2])
def test_damaged_zip_members_are_a_typed_refusal(raw, nb, method):
    data = bytearray(a_zip({"betalingsinformasjon.xml": raw("vat_payment.xml") * 10}, method))
    start = 30 + len("betalingsinformasjon.xml") + 10  # inside the compressed data of the first member
    data[start : start + 40] = bytes(40)
    with pytest.raises(errors.UploadRefused) as info:
        upload_files("altinn.zip", bytes(data))
    assert isinstance(info.value, errors.ZipMemberDamaged | errors.ZipDamaged)
    assert "altinn.zip" in info.value.text(nb)
    assert info.value.text(nb) != info.value.text()  # Norwegian
    assert info.value.details  # zlib's, lzma's or zipfile's own words, for support


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04" + b"\x00" * 40,
        b"PK\x03\x04" + bytes(range(256)) * 4,
        a_zip({"a.xml": b"<a/>"})[:-10],
        a_zip({"a.xml": b"<a/>"}).replace(b"a.xml", b"\xff\xfe.xml"),
    ],
    ids=["zeros", "bytes", "cut", "name"],
)
def test_damaged_zip_archives_are_a_typed_refusal(data):
    try:
        files = upload_files("altinn.zip", data)
    except errors.UploadRefused as exc:
        assert exc.text()
    else:  # a damage zipfile tolerates: then the members are files like any other
        for file in files:
            try:
                parse_files([file])
            except ParseError:
                pass


def test_utf8_flag_with_invalid_name_is_a_typed_refusal():
    data = bytearray(a_zip({"a.xml": b"<a/>"}))
    # general-purpose flag bit 11 (UTF-8 names) on a name that is not UTF-8
    for header in (b"PK\x03\x04", b"PK\x01\x02"):
        at = data.find(header)
        flag_at = at + (6 if header == b"PK\x03\x04" else 8)
        data[flag_at] |= 0x08 << 0
        data[flag_at + 1] |= 0x08
    data = bytes(data).replace(b"a.xml", b"\xff.xml")
    with pytest.raises(errors.UploadRefused):
        upload_files("altinn.zip", data)


def test_zip_bomb_stops_at_the_unpacked_limit_in_bounded_memory():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for n in range(3):
            archive.writestr(f"brev{n}.txt", b" " * (30 * 1024 * 1024))
    tracemalloc.start()
    try:
        with pytest.raises(errors.ZipTooLarge):
            upload_files("bomb.zip", buffer.getvalue())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 150 * 1024 * 1024


def test_whitespace_text_in_a_zip_is_read_in_bounded_memory():
    """A 30 KB zip of spaces: the excerpt of the letter is read word by word (was 395 MB)."""
    data = a_zip({"brev.xml": b"a " * (20 * 1024 * 1024)})  # named XML: sniffed in, read as text
    assert len(data) < 100 * 1024
    tracemalloc.start()
    try:
        document = parse_files(upload_files("brev.zip", data))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert document.doc_type == DOC_OTHER
    assert len(document.data.text_excerpt) <= detect.EXCERPT_CHARS
    assert peak < 100 * 1024 * 1024, peak


def test_xml_with_millions_of_elements_is_refused_before_parsing(load):
    """10 MB of "<a/>" took 350 MB in libxml2; counting the tags first refuses it at once."""
    data = b"<r>" + b"<a/>" * (10 * 1024 * 1024 // 4 - 2) + b"</r>"
    started = time.perf_counter()
    refused(load, "x.xml", data, "too_large")
    assert time.perf_counter() - started < 1.0


def test_zip_with_a_huge_number_of_entries_is_refused_before_reading_them():
    data = a_zip({f"{n}.txt": b"" for n in range(1200)}, zipfile.ZIP_STORED)
    with pytest.raises(errors.ZipTooManyFiles):
        upload_files("many.zip", data)


def test_names_with_control_characters_are_cleaned():
    files = upload_files("a\x00b.zip", a_zip({"x\x01y.xml": b"<a/>"}))
    assert [f.name for f in files] == ["x_y.xml"]


# --- hangs ---
@pytest.mark.parametrize("word", ["KID", "beløp", "Dato", "Sum", "kr", "Organisasjonsnummer", "inntektsåret"])
def test_letter_regexes_are_linear_on_long_whitespace(load, word):
    text = f"Forskuddsskatt\n1. termin {word}{' ' * 20000}x\nSum{' ' * 20000}\nDato{' ' * 20000}"
    started = time.perf_counter()
    document = parse_files([load("brev.txt", text)])
    assert time.perf_counter() - started < 1.0
    assert document.doc_type == DOC_OTHER


def test_unclosed_br_is_linear():
    started = time.perf_counter()
    text = detect.html_to_text("<p>" + "<br" * 200_000)
    assert time.perf_counter() - started < 1.0
    assert text.startswith("<br")  # not a tag: left as text


def test_html_still_reads():
    assert detect.html_to_text("a<br/>b<p class='x'>c</p><b>d</b>") == "a\nbc\nd"


def pdf_with_stream(stream: bytes, *, filter_name: bytes = b"/FlateDecode") -> bytes:
    """A one-page PDF whose page content is ``stream`` (compressed with ``filter_name``)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
        b"<< /Length %d /Filter %s >>\nstream\n" % (len(stream), filter_name) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.mark.skipif(not detect.HAS_PYPDF2, reason="PyPDF2 is Odoo's dependency; the Odoo venv has it")
def test_pdf_text_is_still_read():
    pdf = pdf_with_stream(zlib.compress(b"BT /F1 12 Tf 72 712 Td (Forskuddsskatt 2025) Tj ET"))
    assert "Forskuddsskatt 2025" in detect.pdf_text(pdf)


@pytest.mark.skipif(not detect.HAS_PYPDF2, reason="PyPDF2 is Odoo's dependency; the Odoo venv has it")
def test_pdf_flate_bomb_is_bounded():
    """1 MB of Flate data that inflates to more than 1 GB: the child process gives up, we do not grow."""
    compressor = zlib.compressobj(9)
    chunk = b"0" * (16 * 1024 * 1024)
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)  # the same bytes every time
    bomb = first + block * 70 + compressor.flush()  # 1.1 GB inflated (its checksum is wrong: read to the end)
    assert len(bomb) < 2 * 1024 * 1024
    started = time.perf_counter()
    tracemalloc.start()
    try:
        text = parse_files([load_pdf("bomb.pdf", pdf_with_stream(bomb))])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert text.doc_type == DOC_OTHER
    assert time.perf_counter() - started < detect.PDF_SECONDS + 2
    assert peak < 64 * 1024 * 1024


def load_pdf(name, data):
    from prisolve_altinn.altinn.types import ROLE_ATTACHMENT, AltinnFile

    return AltinnFile(name=name, mimetype="application/pdf", data=data, role=ROLE_ATTACHMENT)


@pytest.mark.skipif(not detect.HAS_PYPDF2, reason="PyPDF2 is Odoo's dependency; the Odoo venv has it")
def test_pdf_that_never_ends_is_stopped(monkeypatch, tmp_path):
    """Whatever loops in PyPDF2, the wall-clock bound stops the child (simulated: a worker that sleeps)."""
    sleeper = tmp_path / "sleeping_pdfworker.py"
    sleeper.write_text("import time\ntime.sleep(60)\n")
    monkeypatch.setattr(detect, "PDF_SECONDS", 1)
    monkeypatch.setattr(detect, "_PDF_WORKER", sleeper)
    started = time.perf_counter()
    assert detect.pdf_text(b"%PDF-1.4\n") is None
    assert time.perf_counter() - started < 3


def test_html_named_pdf_is_a_letter(load):
    document = parse_files([load("kvittering.pdf", b"<html><body>Hei<br>du</body></html>")])
    assert document.doc_type == DOC_OTHER


# --- misreads ---
@pytest.mark.parametrize(
    ("element", "value"),
    [
        ("beloep", "48<beloep/>311.49"),
        ("kundeidentifikasjonsnummer", "3492654321<x/>02514"),
        ("norskKontonummer", "6345<b>06</b>18162"),
        ("organisasjonsnummer", "926<x/>543210"),
        ("betalingsfrist", "2025<x/>-08-31"),
    ],
)
def test_element_with_child_elements_is_refused_not_half_read(load, raw, nb, element, value):
    data = re.sub(
        rf"<{element}>[^<]*</{element}>".encode(),
        f"<{element}>{value}</{element}>".encode(),
        raw("vat_payment.xml"),
    )
    error = refused(load, "vat_payment.xml", data, "bad_value")
    assert element in error.text()
    assert_norwegian(error, nb)


def test_mixed_content_in_other_documents_is_refused(load, raw):
    data = raw("forskuddsskatt.xml")
    data = re.sub(rb"<kid>([0-9]{4})", rb"<kid>\1<x/>", data, count=1)
    refused(load, "forskuddsskatt.xml", data, "bad_value")
    data = re.sub(rb"<sumSkatt>([0-9]+)", rb"<sumSkatt>\1<x/>", raw("beregnet_skatt.xml"), count=1)
    with pytest.raises(ParseError):
        parse_files([load("beregnet_skatt.xml", data)])


def test_comment_inside_a_value_is_the_whole_value(load, raw):
    """XML's own rule: a comment does not split a value (lxml joins the text around it)."""
    data = raw("vat_payment.xml").replace(b"48311.49", b"48<!-- -->311.49")
    assert parse_files([load("vat_payment.xml", data)]).data.amount == Decimal("48311.49")


# --- accepted although wrong ---
@pytest.mark.parametrize("digits", ["٩٢٦٥٤٣٢١٠", "９２６５４３２１０", "９２６ ５４３ ２１０"])
def test_non_ascii_organisation_numbers_are_refused(load, raw, digits):
    data = raw("vat_payment.xml").replace(b"926543210", digits.encode())
    refused(load, "vat_payment.xml", data, "bad_value")


@pytest.mark.parametrize("kid", ["+123", "ABC", "1E+30", "١٢٣٤٥٦٧٨٩", "１２３４５", "12-34", "1"])
def test_malformed_kids_are_refused(load, raw, nb, kid):
    data = raw("vat_payment.xml").replace(b"349265432102514", kid.encode())
    error = refused(load, "vat_payment.xml", data, "bad_value")
    assert_norwegian(error, nb)


def test_kid_check_digit_is_still_only_told(load, raw):
    """Skatteetaten's own test KIDs fail MOD10/MOD11: a well-formed KID is read, its check only noted."""
    data = raw("vat_payment.xml").replace(b"349265432102514", b"349265432102515")
    document = parse_files([load("vat_payment.xml", data)])
    assert document.data.kid == "349265432102515"


@pytest.mark.parametrize("account", ["٦٣٤٥٠٦١٨١٦٢", "6345061816", "NO4663450618162", "6345.06.1816X"])
def test_malformed_accounts_are_refused(load, raw, account):
    data = raw("vat_payment.xml").replace(
        b"<norskKontonummer>63450618162", f"<norskKontonummer>{account}".encode()
    )
    refused(load, "vat_payment.xml", data, "bad_value")


@pytest.mark.parametrize("kid", ["١٢٣", "+123", 2025926543210, "ABC"])
def test_claims_kid_must_be_ascii_digits_in_text(load, raw, kid):
    obj = json.loads(raw("krav_aapne.json"))
    obj["aapentKravMedGjenstaaendeBeloep"][0]["kravforfall"][0]["betalingsinformasjon"]["kid"] = kid
    refused(load, "krav.json", json.dumps(obj), "bad_value")


@pytest.mark.parametrize("rate", ["NaN", "Infinity", "-Infinity", "1e3", "101", "-5", "٢٥"])
def test_vat_rate_that_is_not_a_percentage_is_refused(load, raw, rate):
    data = raw("mva_return.xml").replace(b"<sats>25</sats>", f"<sats>{rate}</sats>".encode(), 1)
    refused(load, "mva_return.xml", data, "bad_value")


@pytest.mark.parametrize("text", ["\u0000", "a\u0000b", "\ud800", "x\udfffy", "\u0007"])
def test_nul_and_lone_surrogates_in_json_text_are_refused(load, raw, text):
    obj = json.loads(raw("krav_aapne.json"))
    obj["aapentKravMedGjenstaaendeBeloep"][0]["kravbeskrivelse"] = text
    data = json.dumps(obj)  # ensure_ascii: written as \\u0000 / \\ud800, as an attacker would
    refused(load, "krav.json", data, "bad_value")


@pytest.mark.parametrize(
    ("field", "value"),
    [("kravidentifikator", 70011), ("kravgruppe", True), ("kravbeskrivelse", 5), ("kravtype", False)],
)
def test_raw_json_numbers_and_booleans_in_text_fields_are_refused(load, raw, field, value):
    obj = json.loads(raw("krav_aapne.json"))
    obj["aapentKravMedGjenstaaendeBeloep"][0][field] = value
    refused(load, "krav.json", json.dumps(obj), "bad_value")


def test_raw_json_numbers_in_assessment_text_fields_are_refused(load, raw):
    for field, value in (("mvaKode", 3), ("spesifikasjon", 1), ("erFradrag", "false")):
        obj = json.loads(raw("mva_assessment.json"))
        line = obj["forespurtSkattleggingsperiode"][0]["egenfastsattMerverdiavgift"][
            "mvaSpesifikasjonslinje"
        ][0]
        line[field] = value
        refused(load, "mva.json", json.dumps(obj), "bad_value")


@pytest.mark.parametrize("due", ["9999-12-31", "2100-01-01", "1969-12-31", "0001-01-01", "２０２５-08-31"])
def test_due_dates_outside_the_window_are_refused(load, raw, nb, due):
    data = raw("vat_payment.xml").replace(b"2025-08-31", due.encode())
    error = refused(load, "vat_payment.xml", data, "bad_value")
    assert_norwegian(error, nb)


@pytest.mark.parametrize("due", ["9999-12-31", "0000-01-01", "2100-02-16"])
def test_claim_due_dates_outside_the_window_are_refused(load, raw, due):
    obj = json.loads(raw("krav_aapne.json"))
    obj["aapentKravMedGjenstaaendeBeloep"][0]["kravforfall"][0]["forfallsdato"] = due
    refused(load, "krav.json", json.dumps(obj), "bad_value")


def test_letter_with_a_due_date_outside_the_window_is_refused(load, raw):
    text = raw("forskuddsskatt_brev.txt").decode().replace("16.02.2026", "16.02.9999")
    with pytest.raises(ParseError):
        parse_files([load("brev.txt", text)])


def test_the_real_documents_still_read(load):
    assert parse_files([load("vat_payment.xml")]).doc_type == DOC_VAT_PAYMENT
    assert parse_files([load("krav_aapne.json")]).doc_type == DOC_TAX_CLAIMS
    assert parse_files([load("forskuddsskatt.xml")]).doc_type == DOC_ADVANCE_TAX
    assert parse_files([load("forskuddsskatt_brev.txt")]).doc_type == DOC_ADVANCE_TAX


# --- the message of a damaged file (issue 24, item 6) ---
def test_cut_off_xml_says_what_to_do_and_keeps_the_parser_text_for_support(load, raw, nb):
    data = raw("vat_payment.xml")
    error = refused(load, "vat_payment.xml", data[: len(data) // 2], "malformed")
    headline, details = error.message.render(nb).split("\n")
    assert "skadet eller avkortet" in headline and "last den ned på nytt" in headline
    assert "line" not in headline  # lxml's words are not the headline
    assert details.startswith("Detaljer for brukerstøtte: ") and "line" in details


@pytest.mark.skipif(not detect.HAS_PYPDF2, reason="PyPDF2 is Odoo's dependency; the Odoo venv has it")
def test_damaged_pdfs_end_as_letters_in_bounded_time():
    """Byte flips and cuts of a letter PDF: read, or no text, never an exception (seeded, 12 cases)."""
    import random

    rng = random.Random(26)
    pdf = pdf_with_stream(zlib.compress(b"BT /F1 12 Tf 72 712 Td (Forskuddsskatt 2025) Tj ET"))
    for _case in range(12):
        data = bytearray(pdf)
        if rng.random() < 0.5:
            for _ in range(rng.randint(1, 10)):
                data[rng.randrange(9, len(data))] = rng.randrange(256)
        else:
            data = data[: rng.randrange(10, len(data))]
        started = time.perf_counter()
        document = parse_files([load_pdf("brev.pdf", bytes(data))])
        assert document.doc_type == DOC_OTHER
        assert time.perf_counter() - started < detect.PDF_SECONDS + 2
