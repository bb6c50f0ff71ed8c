"""Odoo as production runs it: ``odoo-bin`` servers in prefork mode on one database, against the emulator.

The harness of the prefork check (``scripts/prefork_test.py``, run by ``scripts/test``) and of
``benchmarks/multinode.py``. It prepares a database (a firm's client companies on Altinn 3, configured
against an emulator process with a per-call latency), clones it for each run, starts K servers
(``--workers 2 --max-cron-threads 1``, Odoo's default limits unless asked otherwise), starts the scheduled
fetch on all of them at once, and measures from the database, the emulator and the servers' logs: wall
time, Altinn calls, companies per server, companies fetched twice, documents, watchdog kills and errors.

The booking action is replaced by a no-op in these databases: booking is CPU-bound and measured by
``benchmarks/import_pipeline.py``; here it would share the cron workers' loops with the fetch.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from fetch_fanout import (  # noqa: E402, F401
    Emulator,
    client_org_numbers,
    firm_with_clients,
    prepare_emulator,
    use_emulator_client,
)

FETCH_XMLID = "prisolve_altinn.ir_cron_altinn_fetch"
FETCH_LOCK = 0x50414631  # services/fetch_cron.py FETCH_LOCK
PROCESS_XMLID = "prisolve_altinn.ir_cron_altinn_process"
# What a server's log says when its watchdog or the CPU limit ends a worker.
KILLED = re.compile(r"timeout after \d+s|CPU time limit|virtual memory limit|Worker .* Exception occurred")
FETCHED = re.compile(r"Scheduled Altinn fetch: (\d+) companies")
PROBLEM = re.compile(r"^\S+ \S+ \d+ (ERROR|CRITICAL) ", re.MULTILINE)


def psql(database, sql, *args):
    import psycopg2

    with psycopg2.connect(dbname=database) as cnx, cnx.cursor() as cr:
        cr.execute(sql, args or None)
        rows = cr.fetchall() if cr.description else []
    cnx.close()
    return rows


def drop(database):
    subprocess.run(["dropdb", "--if-exists", "--force", database], check=True, capture_output=True)


def clone(template, database):
    drop(database)
    subprocess.run(["createdb", "-T", template, database], check=True, capture_output=True)


def free_ports(count, start=None):
    """``count`` pairs of free TCP ports (HTTP, gevent), from ``start`` when given."""
    ports = []
    candidate = start or 0
    while len(ports) < count:
        pair = []
        for _ in range(2):
            with socket.socket() as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Odoo binds
                probe.bind(("127.0.0.1", candidate if start else 0))
                pair.append(probe.getsockname()[1])
            candidate = candidate + 1 if start else 0
        ports.append(tuple(pair))
    return ports


def prepare(
    odoo_config, template, database, clients, dialogs, latency_ms, emulator, firms=2, copies=None, params=None
):
    """``database``: a copy of ``template`` (prisolve_altinn installed) with ``clients`` companies of
    ``firms`` accounting firms (all on the emulator's firm system user: one transport each), the booking
    action a no-op, the fetch action stopped until ``start_fetch``, and ``copies`` copies of it."""
    import odoo
    from odoo.tools import config

    config.parse_config(["-c", odoo_config])
    clone(template, database)
    agent = prepare_emulator(emulator, clients, dialogs, latency_ms)
    registry = odoo.modules.registry.Registry(database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        _firms_and_clients(env, emulator, agent, clients, firms)
        env.ref(PROCESS_XMLID).sudo().code = "pass"
        for key, value in (params or {}).items():
            env["ir.config_parameter"].sudo().set_param(key, value)
        if copies:
            from odoo.addons.prisolve_altinn.services import copies as copies_service

            env["ir.config_parameter"].sudo().set_param("prisolve_altinn.fetch_cron_copies", str(copies))
            copies_service.sync(env, copies_service.FETCH_CRON)
        cr.execute("UPDATE ir_cron SET nextcall = now() at time zone 'UTC' + interval '1 day'")
        cr.commit()
    odoo.sql_db.close_db(database)
    odoo.modules.registry.Registry.delete(database)


def _firms_and_clients(env, emulator, agent, clients, firms):
    """The installation's Maskinporten client on the emulator; ``firms`` accounting firms, each with its
    client system user (the emulator has one firm: all are its agent system user, each firm's own record,
    so one transport per firm), sharing ``clients`` between them."""
    use_emulator_client(env, emulator, "Prefork run (emulator)")
    share = -(-len(clients) // firms)
    for number, first in enumerate(range(0, len(clients), share)):
        firm_with_clients(
            env, emulator, agent, f"Regnskapsfirma {number + 1}", clients[first : first + share]
        )


def set_copies(database, count):
    """Before the servers start: ``count`` active copies of the fetch action (made by ``prepare``)."""
    psql(
        database,
        "UPDATE ir_config_parameter SET value = %s WHERE key = 'prisolve_altinn.fetch_cron_copies'",
        str(count),
    )
    ids = fetch_cron_ids(database, active_only=False)
    psql(database, "UPDATE ir_cron SET active = (id = ANY(%s)) WHERE id = ANY(%s)", ids[:count], ids)


def fetch_cron_ids(database, active_only=True):
    rows = psql(
        database,
        "SELECT c.id FROM ir_cron c JOIN ir_act_server a ON a.id = c.ir_actions_server_id "
        "WHERE a.code = 'model._cron_altinn_fetch()'"
        + (" AND c.active" if active_only else "")
        + " ORDER BY c.id",
    )
    return [row[0] for row in rows]


class Server:
    """One ``odoo-bin`` in prefork, in its own process group (a kill takes master and workers)."""

    def __init__(self, python, odoo_bin, odoo_config, database, ports, log, extra=()):
        self.log = Path(log)
        self.log.unlink(missing_ok=True)
        self.errors = self.log.with_suffix(".stderr")
        self.process = subprocess.Popen(
            [
                python,
                odoo_bin,
                "-c",
                odoo_config,
                "-d",
                database,
                "--db-filter",
                f"^{database}$",
                "--workers",
                "2",
                "--max-cron-threads",
                "1",
                "--http-port",
                str(ports[0]),
                "--gevent-port",
                str(ports[1]),
                "--http-interface",
                "127.0.0.1",
                "--log-level",
                "info",
                "--logfile",
                str(self.log),
                *extra,
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=self.errors.open("wb"),  # a file: a full pipe would block the server
            start_new_session=True,
        )
        self.url = f"http://127.0.0.1:{ports[0]}"

    def pids(self):
        """The master's pid and its children's (workers, gevent)."""
        pids = [self.process.pid]
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    pids.append(int(stat.parent.name))
            except (OSError, ValueError, IndexError):
                continue
        return pids

    def claims(self, database):
        """Companies this server's sessions hold (the fetch's advisory locks; Odoo names each session
        odoo-<pid>)."""
        rows = psql(
            database,
            "SELECT l.objid::integer FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.classid = %s AND l.objsubid = 2 "
            "AND a.application_name = ANY(%s)",
            FETCH_LOCK,
            [f"odoo-{pid}" for pid in self.pids()],
        )
        return {row[0] for row in rows}

    def ready(self):
        if self.process.poll() is not None:
            raise RuntimeError(f"odoo-bin exited ({self.process.returncode}); log {self.log}")
        text = self.text()
        if "WorkerCron" not in text or "longpolling" not in text:
            return False
        try:
            return requests.get(f"{self.url}/web/health", timeout=2).ok
        except requests.RequestException:
            return False

    def text(self):
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self):
        """SIGKILL to the whole server: what an OOM kill or a host failure does."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(30)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()

    def stderr(self):
        """What the server wrote outside its log (Python warnings, a crashing gevent process)."""
        return self.errors.read_text(errors="replace") if self.errors.exists() else ""

    def companies(self):
        return sum(int(n) for n in FETCHED.findall(self.text()))

    def kills(self):
        return KILLED.findall(self.text())

    def problems(self):
        return [line for line in self.text().splitlines() if PROBLEM.match(line + "\n")]


def start_servers(python, odoo_bin, odoo_config, database, count, logdir, ports, timeout=300, extra=()):
    servers = [
        Server(python, odoo_bin, odoo_config, database, ports[n], Path(logdir) / f"{database}-{n}.log", extra)
        for n in range(count)
    ]
    deadline = time.monotonic() + timeout
    while not all(server.ready() for server in servers):
        if time.monotonic() > deadline:
            for server in servers:
                server.stop()
            raise RuntimeError(f"servers not ready within {timeout} s; logs in {logdir}")
        time.sleep(0.5)
    return servers


def start_fetch(database):
    """Make every fetch action due now and wake the cron workers of all servers (their LISTEN)."""
    psql(
        database,
        "UPDATE ir_cron SET nextcall = now() at time zone 'UTC' WHERE id = ANY(%s)",
        fetch_cron_ids(database),
    )
    psql("postgres", "SELECT pg_notify('cron_trigger', %s)", database)  # cron workers LISTEN on postgres


def fetched_companies(database):
    """{company id: how many scheduled fetches it had}."""
    return dict(
        psql(database, "SELECT company_id, count(*) FROM altinn_fetch_log WHERE trigger = 'cron' GROUP BY 1")
    )


def documents_per_company(database, company_ids):
    rows = psql(
        database,
        "SELECT c.id, count(d.id) FROM res_company c LEFT JOIN altinn_document d ON d.company_id = c.id "
        "WHERE c.id = ANY(%s) GROUP BY c.id",
        list(company_ids),
    )
    return dict(rows)


def client_ids(database):
    return [
        row[0] for row in psql(database, "SELECT id FROM res_company WHERE altinn_fetch_ready ORDER BY id")
    ]


def open_claims(database):
    return {row[0] for row in psql(database, "SELECT id FROM res_company WHERE altinn_fetch_claimed")}


def calls_total(emulator):
    return emulator.control("GET", "/altinn3/calls/total")["total"]


def wait_fetched(database, companies, timeout, poll=0.25, on_progress=None):
    """Seconds until every company of ``companies`` has a scheduled fetch (None: not within ``timeout``)."""
    started = time.monotonic()
    wanted = set(companies)
    while time.monotonic() - started < timeout:
        done = set(fetched_companies(database)) & wanted
        if on_progress is not None:
            on_progress(len(done) / len(wanted), time.monotonic() - started)
        if done == wanted:
            return time.monotonic() - started
        time.sleep(poll)
    return None


__all__ = ["Emulator"]
