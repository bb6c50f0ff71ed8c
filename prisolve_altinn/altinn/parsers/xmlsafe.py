"""Safe XML loading for untrusted Altinn/Skatteetaten files.

- No DTDs at all: a DOCTYPE or ENTITY declaration is refused before and after parsing, so an XXE or an
  entity-expansion bomb ("billion laughs") ends in ParseError, never in expansion or a file read.
- lxml parser without entity resolution, network, DTD loading or huge-tree mode.
- Form data may arrive as escaped XML text (Altinn 2 FormData/FormDataXML strings), with a BOM, or with
  an ISO-8859-1/UTF-16 declaration; all of these are accepted.
"""

from __future__ import annotations

import codecs
import html
import re

from lxml import etree

from ..i18n import Text, _lt
from .base import ParseError

MAX_XML_BYTES = 10 * 1024 * 1024  # our documents are a few KB; anything this big is not one of them
# libxml2 keeps about 130 bytes per node: 10 MB of "<a/>" became 350 MB. Our largest real document has a few
# thousand elements; counting "<" first bounds a parse to a few tens of MB.
MAX_XML_TAGS = 200_000
MAX_ESCAPE_LEVELS = 2

_DTD_RE = re.compile(r"<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST)", re.IGNORECASE)
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_ENCODING_RE = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']", re.IGNORECASE)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _bom_encoding(data: bytes) -> str | None:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


# Character encodings a tax document may declare (Python's canonical names). Python knows codecs that are
# no text encodings at all ("undefined" always fails, "unicode_escape", "punycode", "idna"…): refused.
_ENCODINGS = {
    "ascii",
    "utf-8",
    "utf-8-sig",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "latin-1",
    *(f"iso8859-{n}" for n in (1, 2, 4, 9, 10, 13, 14, 15, 16)),
    *(f"cp125{n}" for n in range(9)),
}


def decode_text(data: bytes, *, file_name: str | None = None, strict: bool = True) -> str:
    """Bytes → str: BOM first, then the XML declaration's encoding, then UTF-8.

    ``strict`` raises ParseError on undecodable bytes (bad encoding); otherwise falls back to cp1252.
    """
    encoding = _bom_encoding(data)
    if encoding is None:
        match = _ENCODING_RE.match(data[:200])
        encoding = match.group(1).decode("ascii") if match else "utf-8"
    try:
        known = codecs.lookup(encoding).name in _ENCODINGS
    except LookupError:
        known = False
    if not known:  # refused even when not strict: the DTD scan must read what lxml will read
        raise bad_encoding(f"unknown encoding '{encoding}'", file_name)
    try:
        return data.decode(encoding)
    except UnicodeError as exc:
        if strict:
            where = f" at byte {exc.start}" if isinstance(exc, UnicodeDecodeError) else ""
            raise bad_encoding(f"not valid {encoding}{where}", file_name) from None
        return data.decode("cp1252", errors="replace")


def looks_like_xml(data: bytes) -> bool:
    head = data[:400]
    enc = _bom_encoding(head)
    if enc == "utf-16":
        try:
            head = head.decode("utf-16", errors="ignore").encode("utf-8")
        except UnicodeError:
            return False
    head = head.lstrip(codecs.BOM_UTF8).lstrip()
    return head.startswith((b"<", b"&lt;", b"&amp;lt;"))


def load(data: bytes, *, file_name: str | None = None) -> etree._Element:
    """Parse untrusted XML bytes (possibly escaped once or twice) into the root element."""
    if len(data) > MAX_XML_BYTES:
        raise ParseError(
            Text(
                _lt("The XML file is too large (%(size)s bytes) to be a tax document."), {"size": len(data)}
            ),
            file_name=file_name,
            code="too_large",
        )
    tags = data.count(b"<")
    if tags > MAX_XML_TAGS:
        raise ParseError(
            Text(
                _lt("The XML file has too many elements (%(count)s) to be a tax document."), {"count": tags}
            ),
            file_name=file_name,
            code="too_large",
        )
    for _level in range(MAX_ESCAPE_LEVELS + 1):
        if _bom_encoding(data) == "utf-16":
            # lxml reads UTF-16 with BOM itself, but scan and unescape on text
            text = decode_text(data, file_name=file_name)
            data = _XML_DECL_RE.sub("", text, count=1).encode("utf-8")
        head = data[:64].lstrip(codecs.BOM_UTF8).lstrip()
        if head.startswith((b"&lt;", b"&amp;lt;")):
            text = decode_text(data, file_name=file_name)
            text = html.unescape(text.lstrip("\ufeff"))
            # the inner declaration may name another encoding than the one we now use
            data = _XML_DECL_RE.sub("", text, count=1).encode("utf-8")
            continue
        return _parse(data, file_name)
    raise ParseError(
        Text(_lt("The form data is escaped too many times to be read.")),
        file_name=file_name,
        code="malformed",
    )


def load_text(text: str, *, file_name: str | None = None) -> etree._Element:
    """Parse XML held in a str (e.g. the text of a FormData element)."""
    return load(_XML_DECL_RE.sub("", text, count=1).encode("utf-8"), file_name=file_name)


def _parse(data: bytes, file_name: str | None) -> etree._Element:
    scan = decode_text(data, file_name=file_name, strict=False)
    if _DTD_RE.search(scan):
        raise dtd_refused(file_name)
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        message = str(exc)
        if "encoding" in message.lower() or "utf-8" in message.lower() or "char" in message.lower():
            raise bad_encoding(message, file_name) from None
        raise ParseError(
            Text(
                _lt(
                    "The file is damaged or cut off (not well-formed XML), so nothing was read from it: "
                    "download it again from Skatteetaten or Altinn and upload the new copy."
                )
            ),
            file_name=file_name,
            code="malformed",
            details=message,
        ) from None
    except (ValueError, LookupError) as exc:  # e.g. unsupported encodings declared
        raise bad_encoding(str(exc), file_name) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise dtd_refused(file_name)
    if any(isinstance(node, etree._Entity) for node in root.iter()):
        raise dtd_refused(file_name)
    return root


def leaf_text(element, what: str, file_name: str | None = None) -> str | None:
    """The stripped text of an element that holds text only, or None when empty.

    An element with child elements is refused, never half-read: ``<beloep>48<beloep/>311.49</beloep>``
    would otherwise be read as 48 (lxml's ``text`` stops at the first child)."""
    if element is None:
        return None
    if len(element):
        raise ParseError(
            Text(_lt("Field '%(field)s' holds other elements instead of a single value."), {"field": what}),
            file_name=file_name,
            code="bad_value",
        )
    text = (element.text or "").strip()
    return text or None


def local(tag) -> str:
    """Local name of an lxml tag ('{ns}name' → 'name')."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def namespace(tag) -> str:
    if not isinstance(tag, str) or not tag.startswith("{"):
        return ""
    return tag[1:].partition("}")[0]


def dtd_refused(file_name: str | None) -> ParseError:
    return ParseError(
        Text(
            _lt(
                "The XML contains a DOCTYPE or entity declaration. Tax documents never do; such files can be "
                "used to attack the system (XXE / entity expansion), so the file is refused."
            )
        ),
        file_name=file_name,
        code="dtd_refused",
    )


def bad_encoding(detail: str, file_name: str | None) -> ParseError:
    return ParseError(
        Text(_lt("The file's character encoding is wrong or unreadable (%(detail)s)."), {"detail": detail}),
        file_name=file_name,
        code="bad_encoding",
    )
