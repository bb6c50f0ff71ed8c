"""The scheduled fetch: every company that needs no person, in rounds, inside the server's limits.

Each round claims due companies with ``FOR UPDATE SKIP LOCKED`` and records the attempt (committed) before
it fetches them; each claimed company is then held by a session-level advisory lock until it is recorded,
so workers of any number of servers split the companies, and a worker killed mid-company loses only that
company's uncommitted work (its sync point did not move either): PostgreSQL drops the dead session's locks
and the next run of any server takes its open claims, after the companies nobody tried yet (one that kills
every worker cannot starve the others). The loop, its budget and its commits are the one both scheduled
actions share (``services/scheduled.py``); fetching a company is the fetch service's (``services/fetch.py``).
"""

import logging
from datetime import timedelta

import psycopg2
from psycopg2 import errors as pg_errors
from psycopg2.extensions import TransactionRollbackError

from odoo import fields
from odoo.tools import SQL

from . import copies, fetch, runtime, scheduled
from .handover import hand_over

_logger = logging.getLogger(__name__)

# A company the scheduled fetch tried less than this ago waits for the next round.
DEFAULT_MIN_AGE_MINUTES = 10
# Seconds of work per call in threaded mode (tests, one process); a prefork worker's call ends by its
# server's limits instead (``runtime.call_budget``). The cron runner calls again at once while companies
# remain.
DEFAULT_TIME_BUDGET = 240
# Threads downloading a firm's clients at once, and companies claimed per round: a round ends when its
# last company is recorded, so a round of many times the pool keeps the threads busy; a worker killed
# mid-round sends at most this many companies to the back of the queue (none is lost).
DEFAULT_POOL_SIZE = 8
DEFAULT_CLAIM_SIZE = 32
# The advisory lock class of a claimed company (``pg_try_advisory_lock(FETCH_LOCK, company id)``), held by
# the claiming session until the company is recorded: when the worker dies, PostgreSQL frees it at once.
FETCH_LOCK = 0x50414631  # "PAF1"


def run_cron(env, *, time_budget=None, pool_size=None, min_age_minutes=None, claim_size=None):
    """Fetch every company that needs no person, as many rounds as this call's budget allows; returns the
    ``FetchResult`` of each company fetched. Each round claims up to ``claim_size`` due companies, fetches
    them (committing after each company), then hands the new documents to booking. The system parameters
    ``prisolve_altinn.fetch_time_budget`` (can only shorten a prefork call), ``fetch_pool_size`` and
    ``fetch_claim_size`` give the defaults."""
    configured = time_budget or scheduled.positive_int(env, "prisolve_altinn.fetch_time_budget", 0) or None
    budget = runtime.call_budget(configured, DEFAULT_TIME_BUDGET)
    rounds = FetchRounds(
        env,
        budget,
        pool_size=pool_size
        or scheduled.positive_int(env, "prisolve_altinn.fetch_pool_size", DEFAULT_POOL_SIZE),
        claim_size=claim_size
        or scheduled.positive_int(env, "prisolve_altinn.fetch_claim_size", DEFAULT_CLAIM_SIZE),
        min_age=timedelta(minutes=DEFAULT_MIN_AGE_MINUTES if min_age_minutes is None else min_age_minutes),
    )
    return scheduled.run(rounds).results


class FetchRounds(scheduled.ScheduledWork):
    """A unit is a round: the ids of the companies claimed together."""

    xmlid = copies.FETCH_CRON
    estimate = False  # a round starts no company once the budget is spent (``fetch.fetch_group``)

    def __init__(self, env, budget, pool_size, claim_size, min_age):
        super().__init__(env, budget)
        self.pool_size, self.claim_size = pool_size, claim_size
        # Due: tried before this call began, less ``min_age``, or claimed by a worker that did not finish
        # it; a company is taken once per call.
        self.threshold = fields.Datetime.now() - min_age
        self.results, self.taken, self.held, self.transports = [], [], [], {}

    def __str__(self):
        return "Scheduled Altinn fetch"

    def claim(self):
        claimed = claim(self.env, self.claim_size, self.threshold, self.taken, self.held)
        self.taken += claimed
        if not claimed:
            return None
        scheduled.commit(self.env)  # the attempt is kept even if this worker dies while it fetches
        return claimed

    def waiting(self):
        return -(-count_due(self.env, self.threshold, self.taken) // self.claim_size)

    def work(self, unit):
        env = self.env
        new_ids, finished = [], []
        for group in fetch.session_groups(env["res.company"].sudo().browse(unit)):
            for result in fetch.fetch_group(
                group,
                None,
                None,
                None,
                "cron",
                None,
                self.pool_size,
                budget=self.budget,
                transports=self.transports,
            ):
                self.results.append(result)
                new_ids += result.new_ids
                finished.append(result.company_id)
                _finish_claim(env, result.company_id)
                scheduled.commit(env)  # each company's documents are kept even if a later one is killed
        self.done = len(self.results)
        if new_ids:
            hand_over(env["altinn.document"].browse(new_ids))
            scheduled.commit(env)
        release(env, finished, self.held)  # recorded and committed: not due any more
        return len(finished) == len(unit)  # else the budget ended inside the round

    def left_for_later(self, unit, error):
        _release_all(self.env, self.held)

    def remaining(self):
        return count_due(self.env, self.threshold, [result.company_id for result in self.results])

    def close(self):
        _release_all(self.env, self.held)  # not started: free for the next run at once
        for transport in self.transports.values():
            transport.close_quietly()

    def summary(self, remaining):
        return (
            f"Scheduled Altinn fetch: {len(self.results)} companies, "
            f"{sum(len(r.new_ids) for r in self.results)} new documents, "
            f"{sum(1 for r in self.results if r.error is not None)} with errors, {remaining} due"
        )


def _due_condition(threshold, taken):
    return SQL(
        "altinn_fetch_ready AND active AND id != ALL(%s) "
        "AND (altinn_fetch_attempt_at IS NULL OR altinn_fetch_attempt_at <= %s OR altinn_fetch_claimed)",
        list(taken),
        threshold,
    )


def _held_elsewhere(env):
    """Companies another live session holds (its claim's advisory lock): not due, whatever the row says."""
    env.cr.execute(
        SQL(
            "SELECT objid::integer FROM pg_locks WHERE locktype = 'advisory' AND classid = %s "
            "AND objsubid = 2 AND granted AND pid != pg_backend_pid()",
            FETCH_LOCK,
        )
    )
    return [row[0] for row in env.cr.fetchall()]


def claim(env, limit, threshold, taken=(), held=None, retries=3):
    """Lock up to ``limit`` due companies no other worker holds, take each one's advisory lock (kept in
    ``held`` until released) and stamp the attempt and the open claim; returns their ids."""
    held = [] if held is None else held
    env["res.company"].flush_model(
        ["altinn_fetch_ready", "altinn_fetch_attempt_at", "altinn_fetch_claimed", "active"]
    )
    query = SQL(
        "SELECT id FROM res_company WHERE %s AND id != ALL(%s) "
        "ORDER BY altinn_fetch_attempt_at ASC NULLS FIRST, id LIMIT %s FOR UPDATE SKIP LOCKED",
        _due_condition(threshold, taken),
        _held_elsewhere(env) + list(held),
        limit,
    )
    ids = []
    try:
        with env.cr.savepoint(flush=False):
            env.cr.execute(query, log_exceptions=False)  # expected when workers overlap
            candidates = [row[0] for row in env.cr.fetchall()]
            if candidates:
                # A claim whose holder is alive stays its own; a dead one's lock is free.
                env.cr.execute(
                    SQL(
                        "SELECT id FROM unnest(%s::integer[]) AS id WHERE pg_try_advisory_lock(%s, id)",
                        candidates,
                        FETCH_LOCK,
                    )
                )
                ids = [row[0] for row in env.cr.fetchall()]
                held += ids
            if ids:
                env.cr.execute(
                    SQL(
                        "UPDATE res_company SET altinn_fetch_attempt_at = %s, altinn_fetch_claimed = TRUE "
                        "WHERE id = ANY(%s)",
                        fields.Datetime.now(),
                        ids,
                    )
                )
    except (pg_errors.LockNotAvailable, TransactionRollbackError):
        # Changed by a worker that committed after our snapshot began: start a fresh snapshot and go on.
        _logger.info("Altinn fetch: companies claimed by another worker meanwhile; claiming again")
        release(env, ids, held)
        if not scheduled.can_commit() or not retries:
            return []
        env.cr.rollback()
        return claim(env, limit, threshold, taken, held, retries - 1)
    env["res.company"].invalidate_model(["altinn_fetch_attempt_at", "altinn_fetch_claimed"])
    return ids


def _release_all(env, held):
    """Release every claim of this call, also after an error (the session outlives the call: its
    connection goes back to Odoo's pool)."""
    try:
        release(env, list(held), held)
    except psycopg2.Error:  # the transaction is aborted: the locks are the session's, they outlive it
        env.cr.rollback()
        release(env, list(held), held)


def _finish_claim(env, company_id):
    """The company's fetch is recorded: its claim closes with the same commit."""
    env.cr.execute(
        SQL(
            "UPDATE res_company SET altinn_fetch_claimed = FALSE WHERE id = %s AND altinn_fetch_claimed",
            company_id,
        )
    )


def release(env, ids, held):
    """Let other sessions claim ``ids`` (advisory locks are the session's, not the transaction's)."""
    ids = [company_id for company_id in ids if company_id in held]
    if not ids:
        return
    env.cr.execute(SQL("SELECT pg_advisory_unlock(%s, id) FROM unnest(%s::integer[]) AS id", FETCH_LOCK, ids))
    for company_id in ids:
        held.remove(company_id)


def count_due(env, threshold, taken):
    env["res.company"].flush_model(
        ["altinn_fetch_ready", "altinn_fetch_attempt_at", "altinn_fetch_claimed", "active"]
    )
    env.cr.execute(SQL("SELECT count(*) FROM res_company WHERE %s", _due_condition(threshold, taken)))
    return env.cr.fetchone()[0]
