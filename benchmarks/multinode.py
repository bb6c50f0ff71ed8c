"""Benchmark (not a test): the scheduled fetch on K Odoo servers in prefork mode on one database.

    /opt/odoo-venv/bin/python benchmarks/multinode.py -c <odoo.conf> -d <database with prisolve_altinn>
        [--clients 600] [--latency-ms 200] [--servers 1,2,3] [--kill-at 3]

The database is only a template: each run works on a copy (``<database>_mn_<K>``), dropped afterwards.
The config gives the addons path (with this repository) and no limits (Odoo's defaults apply:
``limit_time_real_cron`` -1 = ``limit_time_real`` 120 s, ``limit_time_cpu`` 60 s). An emulator process
answers every Altinn 3 call after ``--latency-ms``; ``--clients`` companies of two accounting firms
(``--dialogs`` items each) are fetched by the scheduled fetch, with ``prisolve_altinn.fetch_cron_copies``
= K, on K ``odoo-bin --workers 2 --max-cron-threads 1`` servers (``scripts/prefork.py``; the booking
action is a no-op there). Per K it prints: wall (from the moment the fetch actions are made due and the
cron workers woken, until every company has a scheduled fetch in the log), calls (Altinn 3 requests the
emulator answered), ``ideal_s = calls × latency / (K × pool)``, ratio = wall / ideal, speedup over K = 1,
companies fetched per server (their logs), watchdog kills (their logs), companies fetched twice,
documents missing. Then a run with ``--kill-at`` servers where the first one is killed (SIGKILL to
master and workers) once a third of the companies are fetched: the companies it had claimed and not
recorded, and how long after the kill the others had fetched them.

Targets: speedup >= 1.8 at K = 2 and >= 2.4 at K = 3, ratio <= 1.5, 0 kills, 0 twice, 0 missing, the
killed server's companies fetched in the same run.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import prefork  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file (addons path)")
    parser.add_argument("-d", "--database", required=True, help="template database with prisolve_altinn")
    parser.add_argument("--clients", type=int, default=600)
    parser.add_argument("--dialogs", type=int, default=3, help="Altinn items per client")
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--pool", type=int, default=8, help="download threads per fetch (the default)")
    parser.add_argument("--servers", default="1,2,3", help="values of K")
    parser.add_argument("--kill-at", type=int, default=3, help="servers of the kill run (0: none)")
    parser.add_argument("--first-port", type=int, default=18150)
    parser.add_argument("--odoo-bin", default="/opt/odoo18/odoo-bin")
    parser.add_argument("--timeout", type=int, default=900, help="seconds a run may take")
    parser.add_argument("--logs", default=None, help="where the servers' logs go (default: a temp dir)")
    return parser.parse_args()


def one_run(args, base, count, logdir, emulator, kill=False):
    database = f"{base}_{count}{'k' if kill else ''}"
    prefork.clone(base, database)
    prefork.set_copies(database, count)
    ports = prefork.free_ports(count, start=args.first_port)
    servers = prefork.start_servers(
        sys.executable, args.odoo_bin, args.config, database, count, logdir, ports, timeout=600
    )
    killed = {}
    try:
        time.sleep(2)  # the cron workers LISTEN once alive
        companies = prefork.client_ids(database)
        calls_before = prefork.calls_total(emulator)

        def progress(share, elapsed):
            if kill and not killed and share >= 1 / 3:
                claims = servers[0].claims(database)
                fetched = set(prefork.fetched_companies(database))
                servers[0].kill()
                killed.update(
                    at=elapsed, claims=claims - fetched, when=datetime.now(timezone.utc).replace(tzinfo=None)
                )

        prefork.start_fetch(database)
        wall = prefork.wait_fetched(database, companies, args.timeout, on_progress=progress)
        time.sleep(3)  # a second fetch of a company would be logged by now
        calls = prefork.calls_total(emulator) - calls_before
        fetched = prefork.fetched_companies(database)
        documents = prefork.documents_per_company(database, companies)
        victims_done = None
        if killed and killed["claims"]:
            # When the last of the companies the dead server had claimed was fetched, after the kill.
            rows = prefork.psql(
                database,
                "SELECT extract(epoch FROM max(create_date) - %s) FROM altinn_fetch_log "
                "WHERE company_id = ANY(%s)",
                killed["when"],
                list(killed["claims"]),
            )
            victims_done = float(rows[0][0]) if rows and rows[0][0] is not None else None
    finally:
        for server in servers:
            server.stop()
    result = {
        "servers": count,
        "wall_s": round(wall, 2) if wall is not None else None,
        "calls": calls,
        "ideal_s": round(calls * args.latency_ms / 1000 / (count * args.pool), 2),
        "per_server": [server.companies() for server in servers],
        "kills": sum(len(server.kills()) for server in servers),
        "errors": sum(len(server.problems()) for server in servers),
        "twice": sum(1 for company in companies if fetched.get(company, 0) > 1),
        "not_fetched": sum(1 for company in companies if not fetched.get(company)),
        "documents": sum(documents.values()),
        "per_company": documents,
    }
    if killed:
        result.update(
            killed_at_s=round(killed["at"], 2),
            killed_claims=len(killed["claims"]),
            claims_fetched_s_after_kill=round(victims_done, 2) if victims_done is not None else None,
            claims_fetched=all(fetched.get(company) for company in killed["claims"]),
        )
    prefork.drop(database)
    return result


def main():
    args = parse_args()
    counts = [int(k) for k in args.servers.split(",") if k.strip()]
    logdir = Path(args.logs or tempfile.mkdtemp(prefix="multinode-"))
    logdir.mkdir(parents=True, exist_ok=True)
    base = f"{args.database}_mn"
    emulator = prefork.Emulator()
    results = []
    try:
        clients = prefork.client_org_numbers(6, args.clients)
        prefork.prepare(
            args.config,
            args.database,
            base,
            clients,
            args.dialogs,
            args.latency_ms,
            emulator,
            firms=2,
            copies=max([*counts, args.kill_at]),
        )
        for count in counts:
            results.append(one_run(args, base, count, logdir, emulator))
            print(json.dumps({k: v for k, v in results[-1].items() if k != "per_company"}), flush=True)
        if args.kill_at:
            results.append(one_run(args, base, args.kill_at, logdir, emulator, kill=True))
            print(json.dumps({k: v for k, v in results[-1].items() if k != "per_company"}), flush=True)
    finally:
        emulator.stop()
        prefork.drop(base)
    # Documents per company: what every run should have; the most common count of the K = 1 run.
    expected = collections.Counter(results[0]["per_company"].values()).most_common(1)[0][0]
    one = results[0]["wall_s"]
    print(
        json.dumps(
            {
                "machine": platform.platform(),
                "cores": os.cpu_count(),
                "clients": args.clients,
                "latency_ms": args.latency_ms,
                "pool": args.pool,
                "documents_per_company": expected,
                "logs": str(logdir),
            }
        )
    )
    for result in results:
        missing = sum(max(0, expected - n) for n in result["per_company"].values())
        wall = result["wall_s"]
        line = (
            f"K={result['servers']}{' (one killed)' if 'killed_at_s' in result else ''} "
            f"wall_s={wall} calls={result['calls']} ideal_s={result['ideal_s']} "
            f"ratio={wall / result['ideal_s']:.2f} "
            if wall
            else f"K={result['servers']} wall_s=None "
        )
        line += (f"speedup={one / wall:.2f} " if wall and one else "") + (
            f"per_server={result['per_server']} kills={result['kills']} errors={result['errors']} "
            f"twice={result['twice']} missing={missing} not_fetched={result['not_fetched']}"
        )
        if "killed_at_s" in result:
            line += (
                f" killed_at_s={result['killed_at_s']} killed_claims={result['killed_claims']} "
                f"claims_fetched={result['claims_fetched']} "
                f"claims_fetched_s_after_kill={result['claims_fetched_s_after_kill']}"
            )
        print(line)


if __name__ == "__main__":
    main()
