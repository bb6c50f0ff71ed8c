"""Robustness of the protocol layer over real HTTP: the emulator on 127.0.0.1 (port 0), no Odoo."""

import pytest

from altinn_emulator.testing import running_emulator


@pytest.fixture
def emu():
    with running_emulator(seed=1) as handle:
        yield handle
