"""Benchmark (not a test): the scheduled fetch for an accounting firm's clients, one by one vs in parallel.

    /opt/odoo-venv/bin/python benchmarks/fetch_fanout.py -c <odoo config> -d <database> [--clients 300]

The database must have ``prisolve_altinn`` installed; the config must give an addons path with this
repository. The script ADDS a firm, its client system user and ``--clients`` companies to that database
(use a throwaway copy) and starts its own Altinn emulator (a separate process on 127.0.0.1) with a
per-call latency (``--latency-ms``, default 20): each client gets ``--dialogs`` Skatteetaten items and is
delegated to the firm's client system user.

One run, the same data twice: the scheduled fetch (``services.fetch_cron.run_cron``: claim, fetch, record,
commit per company) with a pool of 1 (one client after the other) and with a pool of ``--pool`` threads
(default 8), the ledger emptied and the sync points reset in between. ``calls`` counts the HTTP requests
the fetch sent to the emulator (the same in both runs); ``ideal_s = calls × latency / pool``: the time
the pool would take if it did nothing but wait for Altinn.

Last line: ``calls=… sequential_s=… parallel_s=… ideal_s=… ratio=<parallel/ideal>
speedup=<sequential/parallel>`` (targets at a pool of 8: ratio <= 1.5, speedup >= 5).
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import logging
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
FIRM = "310478717"  # the emulator's accounting firm, with its approved client system user


def _org_number_valid():
    """The protocol layer's MOD11 check, loaded from its file (the addon's package imports Odoo)."""
    spec = importlib.util.spec_from_file_location(
        "prisolve_identifiers", ROOT / "prisolve_altinn" / "altinn" / "identifiers.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.org_number_valid


def client_org_numbers(first_digit, count):
    """``count`` organisation numbers starting with ``first_digit`` that pass MOD11: Odoo and Dialogporten
    refuse the others."""
    valid = _org_number_valid()
    numbers = (f"{first_digit}{n:08d}" for n in itertools.count())
    return list(itertools.islice((number for number in numbers if valid(number)), count))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", required=True, help="database with prisolve_altinn installed")
    parser.add_argument("--clients", type=int, default=300, help="client companies of the firm")
    parser.add_argument("--dialogs", type=int, default=3, help="Altinn items per client")
    parser.add_argument("--latency-ms", type=int, default=20, help="delay the emulator adds to every answer")
    parser.add_argument("--pool", type=int, default=8, help="threads of the parallel run")
    parser.add_argument("--addons-path", help="overrides the config's addons path")
    return parser.parse_args()


class Emulator:
    """``python -m altinn_emulator`` in its own process (its CPU work does not share our GIL)."""

    def __init__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "altinn_emulator", "--host", "127.0.0.1", "--port", "0"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline()
        if "http://" not in line:
            raise RuntimeError(f"the emulator did not start: {line!r}")
        self.url = line.strip().split()[-1]

    def control(self, method, path, body=None):
        response = requests.request(method, f"{self.url}/_emulator{path}", json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


class CallCounter:
    """Counts the HTTP requests the protocol layer sends to the emulator (every thread): one per exchange
    of ``httpclient.Http``, retries included."""

    def __init__(self, url):
        from odoo.addons.prisolve_altinn.altinn.altinn3.httpclient import Http

        self.url, self.count, self.lock = url, 0, threading.Lock()
        original = Http._exchange

        def exchange(http, method, target, body, headers):
            if target.startswith(self.url):
                with self.lock:
                    self.count += 1
            return original(http, method, target, body, headers)

        Http._exchange = exchange

    def take(self):
        with self.lock:
            count, self.count = self.count, 0
        return count


def prepare_emulator(emulator, clients, dialogs, latency_ms):
    agent = next(
        user
        for user in emulator.control("GET", "/altinn3/systemusers")
        if user["owner_org"] == FIRM and user["agent"] and not user["deleted"]
    )
    for org in clients:
        emulator.control("POST", "/items", {"reportee": org, "count": dialogs, "template": "mixed"})
        emulator.control("POST", f"/altinn3/systemusers/{agent['id']}/clients", {"org": org})
    emulator.control("POST", "/altinn3/config", {"latency_ms": latency_ms})
    return agent


def use_emulator_client(env, emulator, name):
    """The installation's Maskinporten client: the emulator's vendor (any other custom one archived)."""
    vendor = emulator.control("GET", "/altinn3/vendor")
    env["altinn.maskinporten.client"].search([("environment", "=", "custom")]).write({"active": False})
    env["altinn.maskinporten.client"].create(
        {
            "name": name,
            "environment": "custom",
            "client_id": vendor["client_id"],
            "key_id": vendor["kid"],
            "private_key_pem": vendor["private_key_pem"],
            "system_id": vendor["system_id"],
            "vendor_org_number": vendor["vendor_org"],
        }
    )
    # Nothing else may be fetched by the run's scheduled fetch.
    env["res.company"].search([("altinn_fetch_ready", "=", True)]).write({"altinn_transport": "upload"})


def firm_with_clients(env, emulator, agent, name, clients):
    """An accounting firm on the emulator's approved client system user ``agent``, and its ``clients``
    (organisation numbers) as companies on Altinn 3; returns the companies."""
    firm = env["res.partner"].create({"name": name, "is_company": True, "company_registry": FIRM})
    firm.altinn_agent_system_user_id = env["altinn.system.user"].create(
        {
            "kind": "agent",
            "partner_id": firm.id,
            "org_number": FIRM,
            "external_ref": agent["external_ref"],
            "state": "approved",
        }
    )
    return env["res.company"].create(
        [
            {
                "name": f"Klient {org}",
                "altinn_org_number": org,
                "altinn_transport": "altinn3",
                "altinn_environment": "custom",
                "altinn_base_url": emulator.url,
                "altinn_firm_id": firm.id,
            }
            for org in clients
        ]
    )


def prepare_odoo(env, emulator, agent, clients):
    use_emulator_client(env, emulator, "Benchmark (emulator)")
    companies = firm_with_clients(env, emulator, agent, f"Benchmark firm {time.strftime('%H%M%S')}", clients)
    env.cr.commit()
    return companies


def reset(env, companies):
    env["altinn.document"].sudo().search([("company_id", "in", companies.ids)]).unlink()
    companies.write({"altinn_synced_until": False, "altinn_fetch_attempt_at": False})
    env.cr.commit()


def cpu_seconds(pid):
    """User + system CPU time of process ``pid`` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(env, fetch, companies, pool, counter, emulator):
    """Returns (wall seconds, calls, documents, CPU seconds of Odoo, the emulator and PostgreSQL)."""
    env.cr.execute("SELECT pg_backend_pid()")
    processes = (os.getpid(), emulator.process.pid, env.cr.fetchone()[0])
    counter.take()
    cpu_before = [cpu_seconds(pid) for pid in processes]
    start = time.perf_counter()
    results = fetch.run_cron(env, pool_size=pool, min_age_minutes=0, time_budget=10**6)
    elapsed = time.perf_counter() - start
    cpu = [cpu_seconds(pid) - before for pid, before in zip(processes, cpu_before, strict=True)]
    calls = counter.take()
    fetched = {r.company_id for r in results}
    errors = [r for r in results if r.error is not None]
    if fetched != set(companies.ids) or errors:
        raise RuntimeError(f"pool {pool}: {len(fetched)} companies fetched, errors: {errors[:3]}")
    documents = env["altinn.document"].search_count([("company_id", "in", companies.ids)])
    return elapsed, calls, documents, cpu


def main():
    args = parse_args()
    sys.path.insert(0, str(ROOT))
    import odoo
    from odoo.tools import config

    extra = ["--addons-path", args.addons_path] if args.addons_path else []
    config.parse_config(["-c", args.config, *extra])
    logging.getLogger("odoo").setLevel(logging.WARNING)
    registry = odoo.modules.registry.Registry(args.database)
    from odoo.addons.prisolve_altinn.services import fetch_cron as fetch

    clients = client_org_numbers(4, args.clients)
    emulator = Emulator()
    try:
        agent = prepare_emulator(emulator, clients, args.dialogs, args.latency_ms)
        counter = CallCounter(emulator.url)
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            companies = prepare_odoo(env, emulator, agent, clients)
            sequential_s, calls_1, docs_1, _cpu = run(env, fetch, companies, 1, counter, emulator)
            reset(env, companies)
            parallel_s, calls_p, docs_p, cpu = run(env, fetch, companies, args.pool, counter, emulator)
    finally:
        emulator.stop()
    if docs_1 != docs_p or not docs_1:
        raise RuntimeError(f"different ledgers: {docs_1} one by one, {docs_p} in parallel")
    calls = max(calls_1, calls_p)
    ideal_s = calls * args.latency_ms / 1000 / args.pool
    print(
        json.dumps(
            {
                "machine": platform.platform(),
                "python": platform.python_version(),
                "clients": args.clients,
                "dialogs_per_client": args.dialogs,
                "documents": docs_p,
                "latency_ms": args.latency_ms,
                "pool": args.pool,
                "calls_one_by_one": calls_1,
                "calls_parallel": calls_p,
                # CPU seconds of the parallel run: the cores it had to share with the emulator and PostgreSQL
                "cores": os.cpu_count(),
                "cpu_odoo_s": round(cpu[0], 2),
                "cpu_emulator_s": round(cpu[1], 2),
                "cpu_postgresql_s": round(cpu[2], 2),
            }
        )
    )
    print(
        f"calls={calls} sequential_s={sequential_s:.2f} parallel_s={parallel_s:.2f} ideal_s={ideal_s:.2f} "
        f"ratio={parallel_s / ideal_s:.2f} speedup={sequential_s / parallel_s:.2f}"
    )


if __name__ == "__main__":
    main()
