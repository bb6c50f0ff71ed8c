"""Robustness of the protocol layer over real HTTP: the emulator on 127.0.0.1 (port 0), no Odoo."""

import pytest

from altinn_emulator.testing import running_emulator


@pytest.fixture
def emu():
    # Altinn 3 answers checked against Altinn's contracts (injected faults are exempt), as in tests/altinn3.
    with running_emulator(seed=1, check_contract=True) as handle:
        yield handle
        handle.assert_contract()
