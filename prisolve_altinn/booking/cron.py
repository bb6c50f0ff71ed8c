# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Booking in the background: the scheduled action that books the documents in state new.

Company by company, oldest backlog first, in batches: each batch's rows are locked with ``FOR UPDATE SKIP
LOCKED`` so two overlapping runs (of one server or of several) never book the same document, booked by
``pipeline.book_documents`` and committed on its own, so a run killed halfway keeps what it booked and the
next run picks up the rest. The loop, its budget and its commits are the one both scheduled actions share
(``services/scheduled.py``). A document's failure stays on the document and reaches the responsible person;
it never stops the other documents or companies.
"""

import logging

from psycopg2 import errors as pg_errors
from psycopg2.extensions import TransactionRollbackError

from odoo.tools import SQL, split_every

from ..services import copies, runtime, scheduled
from .pipeline import book_documents

_logger = logging.getLogger(__name__)

PENDING_DOMAIN = [("state", "=", "new"), ("incomplete", "=", False)]
# Documents per committed batch: their entries are made with one account.move.create, whose cost per entry
# falls with the batch size; a batch's files are in memory together.
DEFAULT_BATCH_SIZE = 200
# Seconds of work per call in threaded mode; in a prefork worker the server's limits decide
# (``services/runtime.py``), which ``prisolve_altinn.cron_time_budget`` can only shorten. The cron runner
# calls again at once while we report work remaining.
DEFAULT_TIME_BUDGET = 120


def run_cron(env, batch_size=None, time_budget=None):
    """Book the documents in state new, batch by batch, as long as this call's budget allows; returns how
    many documents were booked. The system parameters ``prisolve_altinn.cron_batch_size`` and
    ``prisolve_altinn.cron_time_budget`` give the defaults."""
    configured = time_budget or scheduled.positive_int(env, "prisolve_altinn.cron_time_budget", 0)
    budget = runtime.call_budget(configured or None, DEFAULT_TIME_BUDGET)
    batch_size = batch_size or scheduled.positive_int(
        env, "prisolve_altinn.cron_batch_size", DEFAULT_BATCH_SIZE
    )
    return scheduled.run(BookingBatches(env, budget, batch_size)).done


class BookingBatches(scheduled.ScheduledWork):
    """A unit is one batch of one company's pending documents: ``(company, ids)``."""

    xmlid = copies.PROCESS_CRON

    def __init__(self, env, budget, batch_size):
        super().__init__(env, budget)
        # One query: the pending ids of every company, oldest backlog first.
        groups = env["altinn.document"].sudo()._read_group(PENDING_DOMAIN, ["company_id"], ["id:array_agg"])
        groups.sort(key=lambda group: min(group[1]))
        self.total = sum(len(ids) for _company, ids in groups)
        self.queue = [
            (company, batch_ids)
            for company, ids in groups
            for batch_ids in split_every(batch_size, sorted(ids), list)
        ]
        self.skipped = 0  # booked meanwhile, locked by another run, or left after a database error

    def __str__(self):
        return "Altinn booking"

    def claim(self):
        return self.queue.pop(0) if self.queue else None

    def waiting(self):
        return len(self.queue)

    def work(self, unit):
        company, ids = unit
        documents = self.env["altinn.document"].sudo().with_company(company)
        processed = book_locked(documents, ids)
        self.done += processed
        self.skipped += len(ids) - processed
        return True

    def left_for_later(self, unit, error):
        company, ids = unit
        self.skipped += len(ids)
        if not isinstance(error, TransactionRollbackError):
            # The database refused the company's batch: its other batches wait for the next run too.
            rest = [batch for batch in self.queue if batch[0] == company]
            self.queue = [batch for batch in self.queue if batch[0] != company]
            self.skipped += sum(len(batch_ids) for _company, batch_ids in rest)

    def remaining(self):
        return max(self.total - self.done - self.skipped, 0)

    def summary(self, remaining):
        return (
            f"Altinn: {self.done} documents processed, {remaining} left for the next call, "
            f"{self.skipped} skipped"
        )


def book_locked(documents, ids):
    """Lock the documents of ``ids`` still pending, book and commit them; returns how many it booked."""
    locked = lock_pending(documents, ids)
    if not locked:
        return 0
    documents = documents.browse(locked)
    # Values read before the lock may be stale: another run may have booked them meanwhile.
    documents.invalidate_recordset()
    later = book_documents(documents)
    scheduled.commit(documents.env, drop_cache=True)
    return len(documents - later)


def lock_pending(documents, ids):
    """Lock the rows of ``ids`` still pending; rows another run holds (or just changed) are skipped."""
    documents.flush_model(["state", "incomplete"])
    query = SQL(
        "SELECT id FROM altinn_document WHERE id = ANY(%s) AND state = 'new' AND incomplete IS NOT TRUE "
        "ORDER BY id FOR UPDATE SKIP LOCKED",
        list(ids),
    )
    cr = documents.env.cr
    try:
        with cr.savepoint(flush=False):
            cr.execute(query, log_exceptions=False)  # expected when runs overlap
            return [row[0] for row in cr.fetchall()]
    except (pg_errors.LockNotAvailable, TransactionRollbackError):
        # Changed by a run that committed after our snapshot began: no longer ours to book.
        _logger.info("Altinn: documents %s are being booked by another run; skipped", ids)
        return []
