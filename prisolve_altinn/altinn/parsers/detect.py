"""Per-file detection: XML namespace / JSON shape / text, then the matching parser.

Unknown content is never an error (it becomes DOC_OTHER); a known format with broken content is.
"""

from __future__ import annotations

import html
import importlib.util
import json
import logging
import re
import subprocess
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from lxml import etree

from ..i18n import Text, _lt
from ..types import ROLE_BODY, ROLE_FORM_DATA, AltinnFile
from . import advance_tax, claims, settlement, vat, xmlsafe
from . import values as v
from .base import Notice, ParsedDocument, ParseError
from .xmlsafe import local, namespace

_logger = logging.getLogger(__name__)

NS_SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
NS_SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
FORM_DATA_ELEMENTS = ("FormData", "FormDataXML")
MAX_NESTING = 3
MAX_PDF_BYTES = 10 * 1024 * 1024
MAX_PDF_PAGES = 5
# Wall-clock bound of reading one PDF's text (the child process also limits its CPU time and memory).
PDF_SECONDS = 8
# Odoo's own dependency (PDF text for letters); optional in the plain-Python layer
HAS_PYPDF2 = importlib.util.find_spec("PyPDF2") is not None
_PDF_WORKER = Path(__file__).with_name("pdfworker.py")
MAX_JSON_BYTES = 10 * 1024 * 1024  # like XML: our JSON documents are a few KB
MAX_TEXT_BYTES = 1024 * 1024  # a letter's body: only its beginning is read for the notice and the excerpt
EXCERPT_CHARS = 500

# (namespace, root) → parser(root, file_name) returning a ParsedDocument (or None = not applicable)
_XML_PARSERS = {
    (vat.NS_PAYMENT, vat.ROOT_PAYMENT): vat.parse_payment_xml,
    (vat.NS_RETURN, vat.ROOT_RETURN): vat.parse_return_xml,
    (settlement.NS_SETTLEMENT, settlement.ROOT_SETTLEMENT): settlement.parse_xml,
    (settlement.NS_RESPONSE, "skattemeldingOgNaeringsspesifikasjonResponse"): settlement.parse_response,
    (advance_tax.NS_ADVANCE_TAX, advance_tax.ROOT_ADVANCE_TAX): advance_tax.parse_xml,
}
_KNOWN_NAMESPACES = {ns for ns, _root in _XML_PARSERS}
# A known root element in an unknown namespace: a newer/older version we cannot read safely.
_KNOWN_ROOTS = {
    vat.ROOT_PAYMENT: vat.NS_PAYMENT,
    vat.ROOT_RETURN: vat.NS_RETURN,
    advance_tax.ROOT_ADVANCE_TAX: advance_tax.NS_ADVANCE_TAX,
}


_PERSONAL_SETTLEMENT = re.compile(r"^urn:no:skatteetaten:fastsetting:formueinntekt:beregnetskatt:v\d+$")


@dataclass
class FileResult:
    name: str
    mimetype: str
    detected: str  # "xml:{ns}root", "json:<shape>", "pdf", "text", "binary", "empty"
    documents: list[ParsedDocument] = field(default_factory=list)
    text: str | None = None  # readable text, for DOC_OTHER summaries
    notices: list[Notice] = field(default_factory=list)


def is_pdf(file: AltinnFile) -> bool:
    return (file.data or b"").startswith(b"%PDF")


def parse_file(file: AltinnFile, *, pdf_text: bool = True) -> FileResult:
    """``pdf_text=False``: a PDF is only noted, its text not read (the item has structured data already)."""
    try:
        return _parse_file(file, pdf_text)
    except ParseError as exc:
        raise exc.with_file(file.name) from None


def _parse_file(file: AltinnFile, read_pdf_text: bool = True) -> FileResult:
    data = file.data or b""
    mimetype = (file.mimetype or "").lower()
    name = file.name or ""
    result = FileResult(name=name, mimetype=file.mimetype or "", detected="binary")
    if not data.strip():
        result.detected = "empty"
        return result
    # content first, the declared mimetype second: a mislabelled XML must still be recognised
    if data.startswith(b"%PDF"):
        if not read_pdf_text:
            result.detected = "pdf"
            return result
        return _pdf_result(result, data, name)
    if file.role == ROLE_BODY or "html" in mimetype or _looks_like_html(data):
        return _text_result(result, data, name, is_html=True)
    if xmlsafe.looks_like_xml(data):
        try:
            root = xmlsafe.load(data, file_name=name)
        except ParseError as exc:
            # e.g. a free-text CustomMessageData labelled XML: not a tax document, so not worth blocking
            return _unreadable(result, exc, file, data, _KNOWN_XML_MARKERS, "xml:unreadable")
        result.detected = f"xml:{root.tag}"
        result.documents.extend(_parse_xml_root(root, name, depth=0))
        if not result.documents:
            result.text = _xml_text(root)
        return result
    if "pdf" in mimetype:  # declared PDF that is not one: nothing to read
        result.detected = "pdf"
        return result
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    json_declared = "json" in mimetype or name.lower().endswith(".json")
    if stripped[:1] in (b"{", b"[") or json_declared:
        try:
            obj = _load_json(data, name, strict=json_declared)
        except ParseError as exc:
            return _unreadable(result, exc, file, data, _KNOWN_JSON_MARKERS, "json:unreadable")
        if obj is not None:
            result.detected = "json:" + _json_shape(obj)
            result.documents.extend(_parse_json(obj, name))
            return result
    if mimetype.startswith("text/") or _is_text(data):
        return _text_result(result, data, name, is_html=False)
    return result


# Names that mark a file as one of the formats we book: such a file must never be skipped when broken.
_KNOWN_XML_MARKERS = (
    vat.ROOT_PAYMENT,
    vat.ROOT_RETURN,
    settlement.ROOT_SETTLEMENT,
    advance_tax.ROOT_ADVANCE_TAX,
    "skattemeldingOgNaeringsspesifikasjonResponse",
    "FormData",
    "skattemeldingformerverdiavgift",
    "beregnetskatt",
    "forskuddsskatt",
)


_KNOWN_JSON_MARKERS = (
    "partIdentifikator",
    "kravidentifikator",
    "innbetalingsidentifikator",
    "forespurtSkattleggingsperiode",
    "mvaSpesifikasjonslinje",
)


def _unreadable(result: FileResult, exc: ParseError, file: AltinnFile, data: bytes, markers, detected: str):
    """Skip (with a notice) a malformed file that is not the form itself and shows no sign of a known
    format; re-raise otherwise. DTD/entity refusals and oversized files are always raised."""
    sample = data[: 64 * 1024].decode("latin-1").lower()
    if (
        exc.code not in ("malformed", "bad_encoding")
        or file.role == ROLE_FORM_DATA
        or any(marker.lower() in sample for marker in markers)
    ):
        raise exc
    result.detected = detected
    result.notices.append(
        Notice(
            "unreadable_file",
            Text(
                _lt("%(file)s could not be read and was not used: %(reason)s"),
                {"file": result.name, "reason": exc.reason},
            ),
        )
    )
    return result


def _pdf_result(result: FileResult, data: bytes, name: str) -> FileResult:
    result.detected = "pdf"
    text = pdf_text(data)
    if text:
        result.text = text
        document = advance_tax.parse_text(text, name)
        if document:
            result.documents.append(document)
    return result


def _text_result(result: FileResult, data: bytes, name: str, *, is_html: bool) -> FileResult:
    text = xmlsafe.decode_text(data[:MAX_TEXT_BYTES], file_name=name, strict=False)
    if is_html:
        text = html_to_text(text)
    result.detected = "text"
    result.text = text
    document = advance_tax.parse_text(text, name)
    if document:
        result.documents.append(document)
    return result


def _parse_xml_root(root: etree._Element, name: str, depth: int) -> list[ParsedDocument]:
    ns, root_name = namespace(root.tag), local(root.tag)
    if ns in (NS_SOAP11, NS_SOAP12) and root_name == "Envelope":
        return _parse_soap(root, name, depth)
    parser = _XML_PARSERS.get((ns, root_name))
    if parser is not None:
        document = parser(root, name)
        return [document] if document is not None else []
    if ns in _KNOWN_NAMESPACES:
        raise ParseError(
            Text(
                _lt("Wrong schema: root element '%(root)s' does not belong in namespace %(namespace)s."),
                {"root": root_name, "namespace": ns},
            ),
            file_name=name,
            code="wrong_schema",
        )
    expected = _KNOWN_ROOTS.get(root_name)
    # a person's beregnetSkatt (formueinntekt:beregnetskatt:vN) is a known "other"; other namespaces are not
    if expected is not None or (
        root_name == settlement.ROOT_SETTLEMENT and not _PERSONAL_SETTLEMENT.match(ns)
    ):
        expected = expected or settlement.NS_SETTLEMENT
        raise ParseError(
            Text(
                _lt("Unknown namespace '%(namespace)s' for '%(root)s'; this version expects %(expected)s."),
                {"namespace": ns or "-", "root": root_name, "expected": expected},
            ),
            file_name=name,
            code="unknown_namespace",
        )
    return []


def _parse_soap(root: etree._Element, name: str, depth: int) -> list[ParsedDocument]:
    """Altinn 2 SOAP answers carry the form XML as escaped text in FormData/FormDataXML."""
    if depth >= MAX_NESTING:
        return []
    documents = []
    for element in root.iter():
        if local(element.tag) in FORM_DATA_ELEMENTS and (element.text or "").strip():
            inner = xmlsafe.load_text(element.text, file_name=name)
            documents.extend(_parse_xml_root(inner, name, depth + 1))
    return documents


def _load_json(data: bytes, name: str, *, strict: bool):
    if len(data) > MAX_JSON_BYTES:
        raise ParseError(
            Text(
                _lt("The JSON file is too large (%(size)s bytes) to be a tax document."), {"size": len(data)}
            ),
            file_name=name,
            code="too_large",
        )
    try:
        text = xmlsafe.decode_text(data, file_name=name, strict=True)
    except ParseError:
        if strict:
            raise
        return None
    try:
        obj = json.loads(text.lstrip("\ufeff"), parse_float=Decimal)
    except RecursionError:
        raise ParseError(
            Text(_lt("The JSON is nested too deeply to be a tax document.")),
            file_name=name,
            code="malformed",
        ) from None
    except ValueError as exc:
        if not strict:
            return None
        raise ParseError(
            Text(
                _lt(
                    "The file is damaged or cut off (not valid JSON), so nothing was read from it: "
                    "download it again from Skatteetaten or Altinn and upload the new copy."
                )
            ),
            file_name=name,
            code="malformed",
            details=str(exc),
        ) from None
    return _checked_strings(obj, name)


def _checked_strings(obj, name: str):
    """``obj`` when none of its strings (keys included) holds NUL, a lone surrogate or a control character:
    JSON can escape them (``\\u0000``, ``\\ud800``), PostgreSQL refuses to store them."""
    stack = [(obj, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                v.clean_text(key, path or "/", name)
                stack.append((item, f"{path}/{key}"))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{index}]") for index, item in enumerate(value))
        elif isinstance(value, str):
            v.clean_text(value, path or "/", name)
    return obj


def _json_shape(obj) -> str:
    kind = claims.shape(obj)
    if kind:
        return f"kravogbetalinger:{kind}"
    if vat.is_assessment_json(obj):
        return "mvafastsetting"
    if isinstance(obj, dict):
        if "kalender" in obj:
            return "kalendertjeneste"
        if "appId" in obj and "instanceOwner" in obj:
            return "altinn-instance"
        return "object"
    return "array"


def _parse_json(obj, name: str) -> list[ParsedDocument]:
    if claims.shape(obj):
        return [claims.parse_json(obj, name)]
    if vat.is_assessment_json(obj):
        return vat.parse_assessment_json(obj, name)
    return []


def pdf_text(data: bytes) -> str | None:
    """Text of the first pages of a PDF, or None (no PyPDF2, encrypted, damaged, too large, too slow).

    Read in a child process (``pdfworker.py``) bounded in time and memory: PyPDF2 can loop forever on a
    damaged file and inflates streams without limit, and a thread of an Odoo worker cannot be stopped."""
    if len(data) > MAX_PDF_BYTES or not HAS_PYPDF2:
        return None
    try:
        done = subprocess.run(
            [sys.executable, "-I", str(_PDF_WORKER), str(MAX_PDF_PAGES)],
            input=data,
            capture_output=True,
            timeout=PDF_SECONDS,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):  # timeout, or no process could be started
        _logger.info("PDF text not read (too slow or no process)", exc_info=True)
        return None
    if done.returncode != 0:
        _logger.debug("PDF text extraction failed (%s)", done.returncode)
        return None
    text = done.stdout.decode("utf-8", "replace").strip()
    return text or None


_TAG_RE = re.compile(r"<[^<>]{0,2000}>")
# [^<>] stops at the next "<": "<br<br<br…" without ">" is read once, not once per "<" (quadratic)
_BLOCK_RE = re.compile(r"<\s*(br|/p|/div|/tr|/li|/h\d)\b[^<>]{0,2000}>", re.IGNORECASE)


def html_to_text(text: str) -> str:
    text = _BLOCK_RE.sub("\n", text)
    text = _TAG_RE.sub("", text)
    return html.unescape(text)


def _looks_like_html(data: bytes) -> bool:
    head = data[:200].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<p>", b"<div", b"<body", b"<br"))


def _is_text(data: bytes) -> bool:
    if b"\x00" in data[:4096]:
        return False
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > 4090  # a multi-byte character cut at the sample's end
    return True


def _xml_text(root: etree._Element) -> str | None:
    parts, size = [], 0
    for text in root.itertext():
        if text and text.strip():
            parts.append(text.strip())
            size += len(parts[-1]) + 1
            if size > EXCERPT_CHARS * 2:
                break
    return " ".join(parts) or None
