"""What one call of a scheduled action may spend: the limits of the Odoo process that runs it.

Prefork (``--workers N``, every production server): a cron worker is killed by the server's watchdog
when one loop of it, from its ping before it sleeps to the end of its pass over every ready job, lasts
``limit_time_real_cron`` seconds (-1: ``limit_time_real``); each loop sets the process's RLIMIT_CPU to
the CPU used so far plus ``limit_time_cpu``. Odoo 18 calls a job that reports remaining work up to
``MAX_BATCH_PER_CRON_JOB`` times in a row within that loop, and the sleep (up to a minute) and the jobs
before ours count too. So the deadline is taken from the start of the worker's loop, not of our call:
the worker records it (``Worker.check_limits``, which starts each loop, is wrapped below), and every
consecutive call of every copy of our actions counts against the same window. When the loop's start is
not known (our module was imported by the worker after its loop began), the longest sleep is assumed.
An HTTP worker ("Run manually") has ``limit_time_real`` the same way. Threaded (tests, ``odoo shell``,
``--workers 0``): no limits, the configured budget only.

A call that stops with work left asks for its job again (``continue_soon``): a trigger wakes the cron
workers at once, and the next loop of any server goes on with a fresh window.
"""

import logging
import math
import os
import resource
import threading
import time
from dataclasses import dataclass

from odoo.service import server as odoo_server
from odoo.tools import config

_logger = logging.getLogger(__name__)

# Kept from the watchdog: the work in flight when the budget ends (a company's downloads, a batch's
# commit) and Odoo's own bookkeeping after the call finish inside it.
MARGIN_SHARE = 0.15
MIN_MARGIN = 10.0
# HTTP gives up this share of the margin before the watchdog (a request stuck in a read).
HARD_SHARE = 0.5
CPU_MARGIN_SHARE = 0.2
MIN_CPU_MARGIN = 5.0
# A cron worker sleeps up to SLEEP_INTERVAL + pid % 10 seconds after its ping (server.py).
LONGEST_SLEEP = odoo_server.SLEEP_INTERVAL + 10

_LOOP = {}  # in a prefork worker: pid, start (monotonic) and watchdog timeout of its current loop


def _wrap_check_limits(original):
    def check_limits(self):
        original(self)
        _LOOP.update(pid=os.getpid(), started=time.monotonic(), timeout=self.watchdog_timeout)

    check_limits.prisolve_loop = True
    return check_limits


if not getattr(odoo_server.Worker.check_limits, "prisolve_loop", False):
    odoo_server.Worker.check_limits = _wrap_check_limits(odoo_server.Worker.check_limits)


@dataclass
class Budget:
    """``stop_at``: start no new unit of work after it (monotonic); ``hard_at``: network calls give up by
    then (None: no watchdog); ``cpu_stop_at``: the process's CPU seconds (RUSAGE_SELF) not to pass."""

    stop_at: float
    hard_at: float | None = None
    cpu_stop_at: float | None = None
    mode: str = "threaded"

    def left(self):
        return self.stop_at - time.monotonic()

    def cpu_left(self):
        if self.cpu_stop_at is None:
            return math.inf
        return self.cpu_stop_at - cpu_seconds()

    def allows(self, seconds=0.0, cpu=0.0):
        """Whether a unit of work of ``seconds`` (wall) and ``cpu`` (CPU) still fits."""
        return self.left() > seconds and self.cpu_left() > cpu

    def __str__(self):
        cpu = "" if self.cpu_stop_at is None else f", {self.cpu_left():.0f} s CPU"
        return f"{self.mode}: {self.left():.0f} s{cpu}"


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def prefork_worker():
    """'cron' or 'http' in a worker process of a prefork server, else None."""
    server = getattr(odoo_server, "server", None)
    if not isinstance(server, odoo_server.PreforkServer) or server.pid == os.getpid():
        return None
    return "cron" if "WorkerCron" in threading.current_thread().name else "http"


def watchdog(kind):
    """The watchdog timeout (seconds, None: none) of a worker of ``kind``, as PreforkServer computes it."""
    if kind == "cron":
        timeout = config["limit_time_real_cron"] or None
        if timeout == -1:
            timeout = config["limit_time_real"]
        return timeout
    return config["limit_time_real"] or None


def call_budget(configured=None, default=120):
    """The ``Budget`` of this call. ``configured``: seconds an operator set (a system parameter), which
    may only shorten a prefork call; ``default`` applies in threaded mode when nothing is configured."""
    now = time.monotonic()
    kind = prefork_worker()
    if kind is None:
        return Budget(now + (configured or default))
    if _LOOP.get("pid") == os.getpid():
        started, timeout = _LOOP["started"], _LOOP["timeout"]
    else:  # the loop began before this module was imported: assume it slept as long as it can
        started, timeout = now - (LONGEST_SLEEP if kind == "cron" else 0), watchdog(kind)
    stop_at = hard_at = None
    if timeout:
        margin = max(MIN_MARGIN, MARGIN_SHARE * timeout)
        stop_at = started + timeout - margin
        hard_at = started + timeout - margin * HARD_SHARE
    if configured:
        stop_at = min(stop_at, now + configured) if stop_at is not None else now + configured
    if stop_at is None:
        stop_at = now + default
    cpu_stop_at = None
    soft, _hard = resource.getrlimit(resource.RLIMIT_CPU)
    if soft != resource.RLIM_INFINITY and config["limit_time_cpu"]:
        cpu_stop_at = soft - max(MIN_CPU_MARGIN, CPU_MARGIN_SHARE * config["limit_time_cpu"])
    return Budget(stop_at, hard_at, cpu_stop_at, mode=f"prefork {kind}")


def continue_soon(env):
    """Ask for the running job again: a trigger now, which also wakes the cron workers (NOTIFY) instead
    of leaving the rest to the next loop after a minute's sleep, or to the next interval when Odoo takes
    a call that did nothing for a finished job."""
    cron_id = env.context.get("cron_id")
    if cron_id:
        env["ir.cron"].sudo().browse(cron_id)._trigger()
