# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.3.0, after the update: scheduled actions of earlier releases go.

18.0.1.0.0 booked with ``ir_cron_altinn_book_documents``; ``ir_cron_altinn_process`` took its place, but the
old record was loaded with noupdate, so Odoo never removed it and both booked side by side. It goes here with
its server action, in every database that still has it (also those updated to 18.0.1.1.0 or 18.0.1.2.0).
"""

import logging

from psycopg2 import errors

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)

STALE_CRONS = ("ir_cron_altinn_book_documents",)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    Cron = env["ir.cron"].with_context(active_test=False)
    for name in STALE_CRONS:
        cron = env.ref(f"prisolve_altinn.{name}", raise_if_not_found=False)
        if cron is None or cron._name != "ir.cron":
            continue
        # Wait for a run in progress to end (as long as Odoo's update waits for a lock: 15 s), else stop the
        # update saying why; ir.cron's own check (NOWAIT) would roll it back ("try again in a few minutes").
        try:
            with cr.savepoint(flush=False):
                cr.execute("SELECT id FROM ir_cron WHERE id = %s FOR UPDATE", [cron.id], log_exceptions=False)
        except errors.LockNotAvailable:
            raise RuntimeError(
                f"The old scheduled action prisolve_altinn.{name} (id {cron.id}) is running and cannot be "
                "removed. Stop Odoo's scheduled actions (or wait until it has finished) and update "
                "prisolve_altinn again; nothing was changed."
            ) from None
        action = cron.ir_actions_server_id
        cron.unlink()
        # The server action was made for this cron (delegation); it goes unless another cron runs it.
        if not Cron.search_count([("ir_actions_server_id", "=", action.id)]):
            action.unlink()
        _logger.info("prisolve_altinn: old scheduled action %s removed (ir_cron_altinn_process books)", name)
