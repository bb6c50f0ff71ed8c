"""A deterministic mutation fuzzer over Skatteetaten's real samples (and our own fixtures).

Each case goes the way an uploaded file goes: ``upload.upload_files`` (the wizard's unzip and sniff), then
``parse_files`` per file (detect and parse). Every case must end in a parsed document or a typed refusal
(``UploadRefused`` for the upload, ``ParseError`` for a document), within a time and a memory bound, and a
parsed document must hold nothing the database refuses (NUL, lone surrogates) and no value outside the
bounds the parsers promise (amounts below 10^13, dates in 1970-2099, ASCII-digit identifiers).

The seed is fixed, so a failure names a case that can be run again alone: ``-k "case_<n>"`` is not
needed, the assertion message holds the mutation and the bytes' SHA-1. ``PRISOLVE_FUZZ_CASES`` raises
the count for a longer local run (the default keeps the suite's run under a minute on the CI machine).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import random
import re
import time
import tracemalloc
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from prisolve_altinn.altinn.errors import UploadRefused
from prisolve_altinn.altinn.parsers import ParseError, parse_files
from prisolve_altinn.altinn.upload import upload_files

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = 26
CASES = int(os.environ.get("PRISOLVE_FUZZ_CASES", "1500"))
CASE_SECONDS = 4.0  # the attacker's own bound per case; a real document takes milliseconds
CASE_BYTES = 64 * 1024 * 1024  # Python allocations of one case (tracemalloc peak)
# The parsers' promises (parsers/values.py): amounts below 10^13, dates in 1970-2099.
MAX_AMOUNT = Decimal("1e13")
MIN_YEAR, MAX_YEAR = 1970, 2099

# Values an attacker puts where a document has a value.
HOSTILE_TEXT = [
    "99999",
    "0000",
    "²⁰²⁵",
    "٢٠٢٥",
    "0000-00-00",
    "9999-12-31",
    "0001-01-01",
    "2025-02-30",
    "1e30",
    "1E+30",
    "-1e-30",
    "NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "9" * 29,
    "9" * 400,
    "0." + "0" * 60 + "1",
    "٩٢٦٥٤٣٢١٠",
    "１２３４５６７８９",
    "+123",
    "ABC",
    "1 000,50",
    "-",
    "",
    " " * 3000,
    "KID" + " " * 4000,
    "Sum" + " " * 4000,
    "beløp" + " " * 4000,
    "Dato" + " " * 4000,
    "<br" * 500,
]
HOSTILE_JSON = [
    0,
    -1,
    True,
    False,
    None,
    [],
    {},
    [[[[[[[[]]]]]]]],
    {"a": {"b": {"c": []}}},
    10**40,
    "1e30",
    1e308,
    "\u0000",
    "\ud800",
    "x\u0000y",
    "٢٠٢٥",
    "NaN",
    "9999-12-31",
    "0000",
    99999,
    "12345678903\u0000",
]
XML_INSERTS = [
    "<x/>",
    "<beloep/>",
    "<!-- -->",
    "<![CDATA[1]]>",
    "&#0;",
    "&amp;",
    "&unknown;",
    "]]>",
    "<!DOCTYPE x [<!ENTITY a 'b'>]>",
    "<?pi x?>",
    "\x00",
    "\x01",
    "\ufeff",
    " " * 20000,
    "<" * 2000,
    "<br" * 2000,
]
ENCODINGS = [
    "undefined",
    "utf-7",
    "unicode_escape",
    "rot13",
    "base64",
    "punycode",
    "idna",
    "UTF-32",
    "klingon",
]

_VALUE_RE = re.compile(rb">([^<>]{1,60})<")
_XML_DECL_ENCODING = re.compile(rb"encoding=[\"'][^\"']*[\"']")


def seeds(reference: Path) -> list[tuple[str, bytes]]:
    """Skatteetaten's samples (XML, JSON) and our own fixtures, in a fixed order."""
    paths = sorted(p for p in (reference / "skatteetaten").rglob("*") if p.suffix in (".xml", ".json"))
    paths += sorted(p for p in FIXTURES.iterdir() if p.suffix in (".xml", ".json", ".txt"))
    return [(p.name, p.read_bytes()) for p in paths]


# --- mutations: each takes (rng, name, data) and returns (label, name, data) ------------------------------
def flip(rng, name, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    return "flip", name, bytes(data)


def truncate(rng, name, data):
    return "truncate", name, data[: rng.randrange(len(data))]


def duplicate(rng, name, data):
    start = rng.randrange(len(data))
    end = min(len(data), start + rng.randint(1, 400))
    return "duplicate", name, data[:end] + data[start:end] * rng.randint(1, 50) + data[end:]


def drop(rng, name, data):
    start = rng.randrange(len(data))
    return "drop", name, data[:start] + data[start + rng.randint(1, 200) :]


def xml_value(rng, name, data):
    """One element's text replaced by a hostile value."""
    matches = [m for m in _VALUE_RE.finditer(data) if m.group(1).strip()]
    if not matches:
        return insert(rng, name, data)
    match = rng.choice(matches)
    value = rng.choice(HOSTILE_TEXT).encode("utf-8")
    return f"value {value[:20]!r}", name, data[: match.start(1)] + value + data[match.end(1) :]


def mixed_content(rng, name, data):
    """A child element inside a value: ``<beloep>48<beloep/>311.49</beloep>``."""
    matches = [m for m in _VALUE_RE.finditer(data) if len(m.group(1).strip()) > 1]
    if not matches:
        return insert(rng, name, data)
    match = rng.choice(matches)
    cut = rng.randrange(match.start(1) + 1, match.end(1))
    return "mixed", name, data[:cut] + rng.choice([b"<x/>", b"<beloep/>", b"<a>1</a>"]) + data[cut:]


def insert(rng, name, data):
    at = rng.randrange(len(data) + 1)
    token = rng.choice(XML_INSERTS).encode("utf-8", "surrogatepass")
    return f"insert {token[:16]!r}", name, data[:at] + token + data[at:]


def encoding(rng, name, data):
    declared = f'encoding="{rng.choice(ENCODINGS)}"'.encode()
    if _XML_DECL_ENCODING.search(data[:200]):
        return f"encoding {declared}", name, _XML_DECL_ENCODING.sub(declared, data, count=1)
    return f"encoding {declared}", name, b'<?xml version="1.0" ' + declared + b"?>" + data


def recode(rng, name, data):
    codec = rng.choice(["utf-16", "utf-16-le", "latin-1", "cp1252", "utf-32"])
    text = data.decode("utf-8", "replace")
    return f"recode {codec}", name, text.encode(codec, "replace")


def json_value(rng, name, data):
    """One JSON leaf (or member) replaced by a value of another type or a hostile text."""
    try:
        obj = json.loads(data)
    except ValueError:
        return flip(rng, name, data)
    slots = []

    def walk(node):
        if isinstance(node, dict):
            for key in node:
                slots.append((node, key))
                walk(node[key])
        elif isinstance(node, list):
            for index in range(len(node)):
                slots.append((node, index))
                walk(node[index])

    walk(obj)
    if not slots:
        return flip(rng, name, data)
    for _ in range(rng.randint(1, 3)):
        container, key = rng.choice(slots)
        container[key] = rng.choice(HOSTILE_JSON + HOSTILE_TEXT[:20])
    text = json.dumps(obj, ensure_ascii=rng.random() < 0.5)
    return "json", name, text.encode("utf-8", "surrogatepass")


def deep(rng, name, data):
    depth = rng.choice([100, 5000, 200000])
    if data.lstrip()[:1] in (b"{", b"["):
        return f"deep json {depth}", name, b"[" * depth + b"]" * depth
    return f"deep xml {depth}", name, b"<a>" * depth + b"</a>" * depth


def zipped(rng, name, data):
    buffer = io.BytesIO()
    method = rng.choice([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        archive.writestr(name, data)
        if rng.random() < 0.3:
            archive.writestr("ekstra/" + name, data[: len(data) // 2])
    blob = bytearray(buffer.getvalue())
    damage = rng.choice(["none", "flip", "truncate", "header"])
    if damage == "flip":
        for _ in range(rng.randint(1, 6)):
            blob[rng.randrange(len(blob))] ^= 0xFF
    elif damage == "truncate":
        blob = blob[: rng.randrange(4, len(blob))]
    elif damage == "header":  # a member claiming another size or compression method
        at = rng.choice([8, 18, 22])
        blob[at : at + 4] = rng.randbytes(4)
    return f"zip {method} {damage}", name + ".zip", bytes(blob)


def zip_bomb(rng, name, data):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        filler = rng.choice([b" ", b"a a ", b"\n"])
        archive.writestr("brev.txt", filler * (rng.choice([2, 20, 60]) * 1024 * 1024 // len(filler)))
    return "zip bomb", "bomb.zip", buffer.getvalue()


MUTATIONS = [
    (flip, 10),
    (truncate, 8),
    (duplicate, 6),
    (drop, 6),
    (xml_value, 20),
    (mixed_content, 8),
    (insert, 10),
    (encoding, 4),
    (recode, 3),
    (json_value, 20),
    (deep, 1),
    (zipped, 6),
    (zip_bomb, 1),
]


def cases(reference: Path):
    rng = random.Random(SEED)
    pool = seeds(reference)
    funcs = [func for func, weight in MUTATIONS for _ in range(weight)]
    json_seeds = [(n, d) for n, d in pool if n.endswith(".json")]
    for number in range(CASES):
        func = rng.choice(funcs)
        name, data = rng.choice(json_seeds if func is json_value else pool)
        label, name, data = func(rng, name, data)
        yield number, f"{label} on {name}", name, data


# --- what a parsed document may hold ---------------------------------------------------------------------
_BAD = re.compile(r"[\x00\ud800-\udfff]")


def check_values(value, where="document"):
    """Nothing the database refuses, nothing outside the bounds the parsers promise."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            check_values(getattr(value, item.name), f"{where}.{item.name}")
    elif isinstance(value, dict):
        for key, item in value.items():
            check_values(key, where)
            check_values(item, f"{where}[{key!r}]")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            check_values(item, f"{where}[{index}]")
    elif isinstance(value, str):
        assert not _BAD.search(value), f"{where}: NUL or surrogate in {value[:40]!r}"
    elif isinstance(value, Decimal):
        assert value.is_finite() and abs(value) < MAX_AMOUNT * 100, f"{where}: {value}"
    elif isinstance(value, (date, datetime)):
        assert MIN_YEAR <= value.year <= MAX_YEAR, f"{where}: {value}"


def identifiers_are_ascii(document):
    for doc in [document, *document.related]:
        if doc.org_number:
            assert re.fullmatch(r"[0-9]{9}|[0-9]{11}", doc.org_number), doc.org_number
        data = doc.data
        for attribute in ("kid", "account"):
            value = getattr(data, attribute, None)
            if value:
                assert re.fullmatch(r"[0-9-]+", value), (attribute, value)


def run_case(name: str, data: bytes):
    """The upload's path: unzip and sniff, then detect and parse each file. Returns the outcomes."""
    outcomes = []
    try:
        files = upload_files(name, data)
    except UploadRefused as exc:
        return [exc.code]
    for file in files:
        try:
            document = parse_files([file])
        except ParseError as exc:
            outcomes.append(exc.code)
            assert exc.text() and not _BAD.search(exc.message.render()), exc.message.render()
            continue
        check_values(document)
        identifiers_are_ascii(document)
        document.summary.render()
        outcomes.append(document.doc_type)
    return outcomes


def test_mutations_of_the_real_samples_end_parsed_or_refused(shared_reference):
    started = time.monotonic()
    outcomes: dict[str, int] = {}
    tracemalloc.start()
    try:
        for number, label, name, data in cases(shared_reference):
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            case_started = time.perf_counter()
            where = f"case {number} ({label}, sha1 {hashlib.sha1(data).hexdigest()[:12]})"
            try:
                result = run_case(name, data)
            except AssertionError:
                raise
            except Exception as exc:
                pytest.fail(f"{where}: untyped {type(exc).__name__}: {exc}")
            elapsed = time.perf_counter() - case_started
            peak = tracemalloc.get_traced_memory()[1] - base
            assert elapsed < CASE_SECONDS, f"{where}: {elapsed:.1f} s"
            assert peak < CASE_BYTES, f"{where}: {peak / 2**20:.0f} MB"
            for outcome in result:
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
    finally:
        tracemalloc.stop()
    # the fuzzer reaches both ends: documents that still parse and each kind of refusal
    assert outcomes.get("vat_payment", 0) + outcomes.get("mva_return", 0) + outcomes.get("tax_claims", 0) > 50
    for code in ("malformed", "bad_value", "bad_encoding", "zip_damaged"):
        assert outcomes.get(code), (code, outcomes)
    assert time.monotonic() - started < 120, outcomes


@pytest.mark.parametrize(
    "variant",
    ["bom", "utf-16", "latin-1", "crlf", "reserialised-json", "zipped"],
)
def test_harmless_variants_of_the_real_samples_read_the_same(shared_reference, variant):
    """A valid document is never misread: the same facts from the same document in another dress."""
    checked = 0
    for name, data in seeds(shared_reference):
        try:
            expected = parse_files(upload_files(name, data))
        except (ParseError, UploadRefused):
            continue
        if variant == "bom":
            if data.startswith(b"\xef\xbb\xbf"):
                continue
            changed = b"\xef\xbb\xbf" + data
        elif variant == "utf-16":
            if not _XML_DECL_ENCODING.search(data[:200]):
                continue
            changed = (
                _XML_DECL_ENCODING.sub(b'encoding="UTF-16"', data, count=1)
                .decode("utf-8-sig")
                .encode("utf-16")
            )
        elif variant == "latin-1":
            if not _XML_DECL_ENCODING.search(data[:200]):
                continue
            try:
                changed = data.decode("utf-8-sig").encode("latin-1")
            except UnicodeError:  # characters Latin-1 does not have
                continue
            changed = _XML_DECL_ENCODING.sub(b'encoding="ISO-8859-1"', changed, count=1)
        elif variant == "crlf":
            changed = data.replace(b"\n", b"\r\n")
        elif variant == "reserialised-json":
            if not name.endswith(".json"):
                continue
            changed = json.dumps(json.loads(data), indent=1, ensure_ascii=True).encode()
        else:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                archive.writestr(name, data)
            changed = buffer.getvalue()
        got = parse_files(upload_files(name + (".zip" if variant == "zipped" else ""), changed))
        for attribute in ("doc_type", "org_number", "period_start", "period_end", "data"):
            assert getattr(got, attribute) == getattr(expected, attribute), (variant, name, attribute)
        checked += 1
    assert checked >= 5, variant
