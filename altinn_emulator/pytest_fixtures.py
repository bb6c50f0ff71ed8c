"""pytest fixtures; import them into a conftest or test module:

from altinn_emulator.pytest_fixtures import altinn_emulator, altinn_emulator_session  # noqa: F401
"""

from __future__ import annotations

import pytest

from .testing import running_emulator


@pytest.fixture
def altinn_emulator():
    """A fresh emulator (seed 1) per test; yields ``testing.EmulatorHandle``. Its Altinn 3 answers are
    checked against Altinn's contracts: a violation fails the test."""
    with running_emulator(seed=1, check_contract=True) as emu:
        yield emu
        emu.assert_contract()


@pytest.fixture(scope="session")
def altinn_emulator_session():
    """One emulator for the whole session; call ``.reset()`` when a test needs the default state back.
    Contract-checked; call ``.assert_contract()`` in a test (or a fixture) to fail on a violation."""
    with running_emulator(seed=1, check_contract=True) as emu:
        yield emu
        emu.assert_contract()
