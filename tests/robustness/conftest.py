"""Robustness of the protocol layer over real HTTP: the emulator on 127.0.0.1 (port 0), no Odoo."""

import pytest

from altinn_emulator.testing import running_emulator


@pytest.fixture
def emu():
    with running_emulator(seed=1) as handle:
        yield handle


# pytest-odoo (installed in the Odoo venv) adds autouse fixtures that need an Odoo database; these tests
# never touch Odoo, so same-named fixtures switch them off (`pytest tests/robustness` works either way).
@pytest.fixture(scope="session", autouse=True)
def load_registry():
    yield


@pytest.fixture(scope="session", autouse=True)
def load_http():
    yield


@pytest.fixture(scope="module", autouse=True)
def enable_odoo_test_flag():
    yield
