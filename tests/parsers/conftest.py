"""Helpers for the parser tests: our own fixtures (tests/parsers/fixtures) and AltinnFile builders."""

from pathlib import Path

import pytest

from prisolve_altinn.altinn.types import ROLE_ATTACHMENT, AltinnFile

FIXTURES = Path(__file__).resolve().parent / "fixtures"

MIMETYPES = {
    ".xml": "application/xml",
    ".json": "application/json",
    ".txt": "text/plain",
    ".pdf": "application/pdf",
}


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def as_file(
    name: str, data: bytes | str | None = None, *, mimetype: str | None = None, role: str = ROLE_ATTACHMENT
) -> AltinnFile:
    """An AltinnFile from a fixture name (data read from disk unless given)."""
    if data is None:
        data = fixture_bytes(name)
    if isinstance(data, str):
        data = data.encode("utf-8")
    return AltinnFile(
        name=name,
        mimetype=mimetype or MIMETYPES.get(Path(name).suffix, "application/octet-stream"),
        data=data,
        role=role,
    )


@pytest.fixture
def load():
    """load("vat_payment.xml") → AltinnFile; load("x.xml", data=...) → AltinnFile with other bytes."""
    return as_file


@pytest.fixture
def raw():
    """raw("vat_payment.xml") → the fixture's bytes."""
    return fixture_bytes
