"""Fixtures for the SOAP client tests: a real emulator on 127.0.0.1 (port 0) and logged-in credentials."""

import pytest
from soap_testlib import TIMEOUT

from altinn_emulator import defaults as D
from altinn_emulator.testing import running_emulator
from prisolve_altinn.altinn.soap import Altinn2Transport, AltinnSoapClient


@pytest.fixture
def emu():
    with running_emulator(seed=1) as handle:
        yield handle


@pytest.fixture
def client(emu):
    with AltinnSoapClient(emu.url, D.SYSTEM_ID, D.SYSTEM_PASSWORD, timeout=TIMEOUT) as soap:
        yield soap


@pytest.fixture
def transport(emu):
    altinn2 = Altinn2Transport(emu.url, D.SYSTEM_ID, D.SYSTEM_PASSWORD, timeout=TIMEOUT)
    yield altinn2
    altinn2.close()
