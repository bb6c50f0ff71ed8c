"""Several copies of a scheduled action, so that the cron workers of several servers share its work.

Odoo runs one ``ir.cron`` record on one worker at a time (``_acquire_one_job`` locks its row; other
servers skip it). The scheduled fetch and the booking claim disjoint companies and documents with row and
advisory locks, so N records with the same code run side by side on N cron workers, of one server or of
several. N is a system parameter per action (``COPIES``; default 1, sized for one server). The first
record is the data file's; the others are made by the action itself at its next call (and archived when
N drops), each with an xmlid of this module so that uninstalling removes them. A call that finds more
work than it can take wakes the other copies (a trigger each), so that idle workers join at once.
"""

import logging

from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

FETCH_CRON = "prisolve_altinn.ir_cron_altinn_fetch"
PROCESS_CRON = "prisolve_altinn.ir_cron_altinn_process"
COPIES = {
    FETCH_CRON: "prisolve_altinn.fetch_cron_copies",
    PROCESS_CRON: "prisolve_altinn.booking_cron_copies",
}
MAX_COPIES = 32


def wanted(env, xmlid):
    value = env["ir.config_parameter"].sudo().get_param(COPIES[xmlid]) or "1"
    try:
        return max(1, min(MAX_COPIES, int(value)))
    except ValueError:
        return 1


def sync(env, xmlid):
    """The active records of the action ``xmlid``, the data file's first: the copies the parameter asks
    for are made, those beyond it archived (a copy running elsewhere is left for a later call)."""
    main = env.ref(xmlid, raise_if_not_found=False)
    if not main:
        return env["ir.cron"]
    main = main.sudo()
    module, name = xmlid.split(".")
    count = wanted(env, xmlid)
    data = env["ir.model.data"].sudo()
    rows = data.search_read(
        [("module", "=", module), ("model", "=", "ir.cron"), ("name", "=like", f"{name}_copy_%")],
        ["name", "res_id"],
    )
    existing = {}
    for row in rows:
        number = row["name"].rsplit("_", 1)[1]
        if number.isdigit():
            existing[int(number)] = row["res_id"]
    crons = env["ir.cron"].sudo().with_context(active_test=False)
    records = main
    for number in range(2, max([count, *existing]) + 1):
        cron = crons.browse(existing.get(number)).exists() if number in existing else crons
        active = main.active and number <= count
        if not cron:
            if number > count:
                continue
            cron = main.copy({"name": f"{main.name} ({number})", "active": active})
            data.create(
                {
                    "module": module,
                    "name": f"{name}_copy_{number}",
                    "model": "ir.cron",
                    "res_id": cron.id,
                    "noupdate": True,  # kept by module updates, removed with the module
                }
            )
        elif cron.active != active:
            _write_unlocked(cron, {"active": active})
        if cron.active:
            records |= cron
    return records


def _write_unlocked(cron, values):
    """Write ``cron`` unless a worker runs it right now (its row is locked until the job ends)."""
    try:
        with cron.env.cr.savepoint():
            cron._try_lock()
            cron.write(values)
    except UserError:
        _logger.info("Scheduled action %s is running; changed at a later call", cron.id)


def wake_others(env, xmlid, count=None):
    """Trigger up to ``count`` (default: all) other active copies of ``xmlid`` that wait for no trigger,
    so that idle cron workers of any server join the work at once."""
    records = sync(env, xmlid) - env["ir.cron"].sudo().browse(env.context.get("cron_id"))
    if not records:
        return records
    pending = env["ir.cron.trigger"].sudo().search([("cron_id", "in", records.ids)]).cron_id
    woken = (records - pending)[:count] if count is not None else records - pending
    for cron in woken:
        cron._trigger()
    return woken
