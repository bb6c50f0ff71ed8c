"""The loop both scheduled actions run: claim a unit of work, do it, commit it, while the server allows.

The scheduled fetch claims rounds of companies (``services/fetch_cron.py``), the booking batches of
documents (``booking/cron.py``); each is a ``ScheduledWork`` and ``run`` drives it the same way:

- the call's budget is the server's (``runtime.call_budget``: in prefork what the watchdog and the CPU
  limit leave of the worker's loop; a system parameter can only shorten it);
- a unit is claimed (row or advisory locks: work another worker holds is skipped), done and committed on
  its own, so a worker killed halfway keeps what it committed and the next call of any server goes on;
- when more units wait than this call takes, idle cron workers of every server join (the action's
  copies, ``services/copies.py``);
- a unit that meets another server's transaction (serialization failure) is left for a later call; one
  the database refuses is logged and left, never stopping the other units;
- progress is reported to Odoo's runner, and a call that stops with work left asks for its job again.
"""

import logging
import time

from psycopg2.extensions import TransactionRollbackError

from odoo import tools
from odoo.modules import module as odoo_module

from . import copies, runtime

_logger = logging.getLogger(__name__)


def can_commit():
    """Commit per unit in a real cron run only; a test's transaction is rolled back."""
    return not tools.config["test_enable"] and not odoo_module.current_test


def commit(env, drop_cache=False):
    """Keep what is done so far (real cron run; in a test, write it). ``drop_cache``: empty the cache too,
    so that memory stays flat over a long run of units that each read many records."""
    if can_commit():
        env.cr.commit()  # pylint: disable=invalid-commit
    else:
        env.flush_all()
    if drop_cache:
        env.invalidate_all()


def positive_int(env, key, default):
    """The system parameter ``key`` as a positive integer, else ``default``."""
    try:
        value = int(env["ir.config_parameter"].sudo().get_param(key) or 0)
    except (TypeError, ValueError):
        return default
    return value if value > 0 else default


class ScheduledWork:
    """What one call of a scheduled action does, unit by unit; ``run`` drives it."""

    # The action's xmlid: its copies are woken when more units wait than this call takes.
    xmlid = None
    # Start a unit only when one as long as the longest so far still fits (under a watchdog or a CPU
    # limit). False when a unit watches the budget itself (a fetch round starts no company once it ends).
    estimate = True

    def __init__(self, env, budget):
        self.env = env
        self.budget = budget
        self.done = 0

    def claim(self):
        """The next unit, held by this call; None when nothing is left."""
        raise NotImplementedError

    def waiting(self):
        """How many units wait after the first claimed one (how many other workers could join)."""
        return 0

    def work(self, unit):
        """Do and commit ``unit``; False when the budget ended inside it."""
        raise NotImplementedError

    def left_for_later(self, unit, error):
        """``unit`` met another transaction (rolled back) or the database refused it: not done."""

    def remaining(self):
        """Units of work still due (Odoo's progress, and whether to ask for the job again)."""
        return 0

    def close(self):
        """Release what this call holds, also after an error."""

    def summary(self, remaining):
        """The log line of the call."""
        return f"{self.done} done, {remaining} left"


def run(work):
    """Run ``work`` until nothing is left or its budget ends; returns ``work``."""
    env, budget = work.env, work.budget
    bounded = work.estimate and (budget.hard_at is not None or budget.cpu_stop_at is not None)
    longest = longest_cpu = 0.0
    stopped = woken = False
    try:
        while True:
            if not budget.allows(longest, longest_cpu):
                stopped = True
                break
            unit = work.claim()
            if unit is None:
                break
            if not woken:
                woken = True
                waiting = work.waiting()
                if waiting and work.xmlid:
                    copies.wake_others(env, work.xmlid, count=waiting)
            started, started_cpu = time.monotonic(), runtime.cpu_seconds()
            try:
                finished = work.work(unit)
            except Exception as exc:
                if not can_commit():
                    raise
                if isinstance(exc, TransactionRollbackError):
                    # Another server changed these rows meanwhile: not an error, a later call goes on.
                    _logger.info("%s: a unit met another server's work; left for a later call", work)
                else:
                    _logger.exception("%s: a unit failed in the database; left for a later call", work)
                env.cr.rollback()
                work.left_for_later(unit, exc)
                continue
            if bounded:
                longest = max(longest, time.monotonic() - started)
                longest_cpu = max(longest_cpu, runtime.cpu_seconds() - started_cpu)
            if not finished:
                stopped = True
                break
            env["ir.cron"]._notify_progress(done=work.done, remaining=work.remaining())
    finally:
        work.close()
    remaining = work.remaining()
    env["ir.cron"]._notify_progress(done=work.done, remaining=remaining)
    if stopped and remaining:
        runtime.continue_soon(env)
    _logger.info("%s (%s)", work.summary(remaining), budget)
    return work
