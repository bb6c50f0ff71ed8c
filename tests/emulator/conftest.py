"""Emulator tests talk raw SOAP over loopback (requests + lxml), never through the zeep client."""

import pytest

from altinn_emulator.pytest_fixtures import altinn_emulator, altinn_emulator_session  # noqa: F401
from altinn_emulator.schema import SchemaSet


@pytest.fixture(scope="session")
def schemas():
    loaded = SchemaSet()
    if not loaded.available:
        pytest.skip("SOAP schema files (prisolve_altinn/altinn/soap/wsdl/*.xsd) are not present")
    return loaded
