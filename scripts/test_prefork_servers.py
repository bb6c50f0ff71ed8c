"""Two Odoo servers in prefork mode on one database, against the emulator: every company is fetched
exactly once, both servers take a share, no worker is killed and nothing is logged as an error.

Run by ``scripts/test`` after the Odoo tests, with the database they used as the template:
``PRISOLVE_PREFORK_CONFIG`` (an odoo.conf with the addons path), ``PRISOLVE_PREFORK_TEMPLATE`` (a database
with prisolve_altinn installed, nobody connected) and ``PRISOLVE_ODOO_BIN``; the Python that runs pytest
must import Odoo. Odoo's default limits; ``--workers 2 --max-cron-threads 1`` per server.
"""

import os
import sys
import time

import prefork

COMPANIES = 40


def test_two_prefork_servers_fetch_every_company_exactly_once(tmp_path):
    config = os.environ["PRISOLVE_PREFORK_CONFIG"]
    template = os.environ["PRISOLVE_PREFORK_TEMPLATE"]
    odoo_bin = os.environ["PRISOLVE_ODOO_BIN"]
    database = f"{template}_prefork"
    emulator = prefork.Emulator()
    servers = []
    try:
        prefork.prepare(
            config,
            template,
            database,
            prefork.client_org_numbers(5, COMPANIES),
            2,
            50,
            emulator,
            firms=2,
            copies=2,
            params={"prisolve_altinn.fetch_claim_size": "6"},  # small rounds: both servers get some
        )
        servers = prefork.start_servers(
            sys.executable, odoo_bin, config, database, 2, tmp_path, prefork.free_ports(2)
        )
        companies = prefork.client_ids(database)
        assert len(companies) == COMPANIES
        prefork.start_fetch(database)
        elapsed = prefork.wait_fetched(database, companies, timeout=120)
        time.sleep(3)  # a second fetch of a company would be logged by now
        fetched = prefork.fetched_companies(database)
        documents = prefork.documents_per_company(database, companies)
        claims = prefork.open_claims(database)
    finally:
        for server in servers:
            server.stop()
        emulator.stop()
    try:
        assert elapsed is not None, f"not every company fetched in 120 s: {len(fetched)} of {COMPANIES}"
        assert {company: fetched.get(company) for company in companies} == dict.fromkeys(companies, 1)
        assert not claims
        assert len(set(documents.values())) == 1 and min(documents.values()) > 0, documents
        shares = [server.companies() for server in servers]
        assert sum(shares) == COMPANIES and all(shares), shares  # each server fetched a share
        for server in servers:
            assert not server.kills(), server.kills()
            assert not server.problems(), server.problems()[:5]
            assert "DistributionNotFound" not in server.stderr()
    finally:
        prefork.drop(database)
