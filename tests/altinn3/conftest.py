"""Altinn 3 tests: one in-process emulator (loopback, port 0) per session, reset before each test;
fresh token caches and quick retries so failures show up fast."""

from __future__ import annotations

import pytest
from a3_testlib import COMPANY, Emu, new_key

from altinn_emulator.testing import running_emulator
from prisolve_altinn.altinn.altinn3 import Altinn3Settings, Altinn3Transport, make_admin, make_tokens
from prisolve_altinn.altinn.altinn3.httpclient import Http
from prisolve_altinn.altinn.altinn3.tokens import TokenCache


@pytest.fixture(scope="session")
def _emulator():
    with running_emulator(seed=1, check_contract=True) as handle:
        yield Emu(handle)


@pytest.fixture
def emu(_emulator):
    """The session's emulator, reset; an answer that breaks Altinn's contract fails the test."""
    _emulator.handle.reset()
    _emulator.handle.contract_violations(clear=True)
    yield _emulator
    _emulator.handle.assert_contract()


@pytest.fixture(scope="session")
def rsa_key():
    """A key made by the tests (never a committed one)."""
    return new_key()


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def http(sleeps):
    """Short timeouts and retries that do not really sleep (the waits are recorded)."""
    return Http(timeout=(2.0, 5.0), max_retries=2, max_retry_wait=5.0, sleep=sleeps.append)


@pytest.fixture
def settings_for(emu):
    vendor = emu.vendor()

    def make(owner=COMPANY, level="company", **kw):
        values = {
            "client_id": vendor["client_id"],
            "private_key_pem": vendor["private_key_pem"],
            "owner_org": owner,
            "level": level,
            "key_id": vendor["kid"],
            "environment": "local",
            "maskinporten_url": emu.url,
            "platform_url": emu.url,
            "system_id": vendor["system_id"],
        }
        values.update(kw)
        return Altinn3Settings(**values)

    return make


@pytest.fixture
def transport_for(settings_for, http):
    made = []

    def make(owner=COMPANY, level="company", *, cache=None, clock=None, mark_seen=False, page_size=200, **kw):
        kwargs = {"http": http, "cache": cache if cache is not None else TokenCache()}
        if clock is not None:
            kwargs["clock"] = clock
        transport = Altinn3Transport(
            settings_for(owner, level, **kw), mark_seen=mark_seen, page_size=page_size, **kwargs
        )
        made.append(transport)
        return transport

    yield make
    for transport in made:
        transport.close()


@pytest.fixture
def tokens_for(settings_for, http):
    def make(owner=COMPANY, level="company", *, cache=None, **kw):
        return make_tokens(
            settings_for(owner, level, **kw), http=http, cache=cache if cache is not None else TokenCache()
        )

    return make


@pytest.fixture
def admin(settings_for, http):
    return make_admin(settings_for(), http=http, cache=TokenCache())
