# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Booking in the background: the scheduled action that parses and books the ledger's new documents.

The wizard only fetches and records (inside the person's SMS session) and triggers this cron. The cron
works company by company (``with_company``), in batches; each batch's rows are locked with
``FOR UPDATE SKIP LOCKED`` so two overlapping runs never book the same document, and each batch is
committed on its own, so a run killed halfway keeps what it booked and the next run picks up the rest.
Failures stay on the document (state ``failed`` + error) and give the company's responsible person an
activity; they never stop the other documents or companies.
"""

import logging
import time

from markupsafe import Markup
from psycopg2 import errors as pg_errors
from psycopg2.extensions import TransactionRollbackError

from odoo import api, models, tools
from odoo.modules import module as odoo_module
from odoo.tools import SQL, split_every

from .altinn_document import error_text

_logger = logging.getLogger(__name__)

CRON_XMLID = "prisolve_altinn.ir_cron_altinn_process"
ACTIVITY_XMLID = "prisolve_altinn.mail_activity_type_altinn_failure"
PENDING_DOMAIN = [("state", "=", "new"), ("incomplete", "=", False)]
# Documents per committed batch: their entries are made with one account.move.create, whose cost per entry
# falls with the batch size; a batch's files are in memory together.
DEFAULT_BATCH_SIZE = 200
# Seconds of work per call: the cron runner calls again at once while we report work remaining, so a long
# backlog never runs into limit_time_real_cron. Both can be changed with system parameters.
DEFAULT_TIME_BUDGET = 120


def can_commit():
    """Commit per batch in a real cron run, never in tests (their transaction is rolled back)."""
    return not tools.config["test_enable"] and not odoo_module.current_test


class ResCompany(models.Model):
    _inherit = "res.company"

    def _altinn_booking_responsible(self, document=None):
        """Who gets the activity when a document of this company cannot be booked in the background.

        The company's Altinn responsible, else the person who fetched the document (who ran the wizard),
        else the fallbacks of the scheduled fetch, else the first Settings administrator; always an active
        internal user of the company who can read the ledger. Empty when there is nobody.
        """
        self.ensure_one()
        company = self.sudo()

        def fits(user):
            return (
                user
                and user.active
                and not user.share
                and company in user.company_ids
                and user.has_group("prisolve_altinn.group_altinn_user")
            )

        candidates = [company.altinn_responsible_user_id, document and document.sudo().create_uid]
        candidates.append(company._altinn_responsible_user())
        for user in candidates:
            if fits(user):
                return user
        Users = self.env["res.users"].sudo()
        domain = [
            ("share", "=", False),
            ("company_ids", "in", company.id),
            ("groups_id", "in", self.env.ref("base.group_system").id),
        ]
        return next((user for user in Users.search(domain, order="id") if fits(user)), Users.browse())


class AltinnDocument(models.Model):
    _inherit = "altinn.document"

    # ------------------------------------------------------------------
    # The scheduled action
    # ------------------------------------------------------------------
    @api.model
    def _cron_altinn_process(self, batch_size=None, time_budget=None):
        """Parse and book the documents in state new, company by company, batch by batch.

        Reports its progress with ``_notify_progress``: while documents remain when the time budget is
        spent, the cron runner calls again instead of letting one long call be killed.
        """
        params = self.env["ir.config_parameter"].sudo()
        batch_size = batch_size or _positive_int(
            params.get_param("prisolve_altinn.cron_batch_size"), DEFAULT_BATCH_SIZE
        )
        time_budget = time_budget or _positive_int(
            params.get_param("prisolve_altinn.cron_time_budget"), DEFAULT_TIME_BUDGET
        )
        deadline = time.monotonic() + time_budget
        # One query: the pending ids of every company, oldest backlog first.
        groups = self.sudo()._read_group(PENDING_DOMAIN, ["company_id"], ["id:array_agg"])
        groups.sort(key=lambda group: min(group[1]))
        total = sum(len(ids) for _company, ids in groups)
        done = skipped = 0
        for company, ids in groups:
            if time.monotonic() >= deadline:
                break
            # The company's language: errors and notes read as the company's accountants read them.
            lang = company.partner_id.lang or self.env.lang
            documents = self.sudo().with_company(company).with_context(lang=lang)
            left = len(ids)  # of this company, not yet tried
            for batch_ids in split_every(batch_size, sorted(ids), list):
                if time.monotonic() >= deadline:
                    break
                try:
                    processed = documents._altinn_cron_batch(batch_ids)
                except Exception:
                    # Documents' own failures are contained below: this is the database refusing the batch
                    # (e.g. a serialization failure at commit). Leave the company for the next run.
                    if not can_commit():
                        raise
                    _logger.exception("Altinn: booking a batch of company %s failed", company.id)
                    self.env.cr.rollback()
                    skipped += left
                    break
                left -= len(batch_ids)
                done += processed
                skipped += len(batch_ids) - processed  # booked meanwhile, or locked by another run
                self.env["ir.cron"]._notify_progress(done=done, remaining=max(total - done - skipped, 0))
        remaining = max(total - done - skipped, 0)
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        _logger.info(
            "Altinn: %s documents processed, %s left for the next call, %s skipped", done, remaining, skipped
        )
        return done

    def _altinn_cron_batch(self, ids):
        """Lock, process, report and commit one batch; returns how many documents it processed."""
        locked = self._altinn_lock_pending(ids)
        if not locked:
            return 0
        documents = self.browse(locked)
        # Values read before the lock may be stale: another run may have booked them meanwhile.
        documents.invalidate_recordset()
        later = documents._altinn_process_isolated()
        (documents - later)._altinn_after_background_processing()
        self._altinn_commit()
        return len(documents - later)

    def _altinn_lock_pending(self, ids):
        """Lock the rows of ``ids`` still pending; rows another run holds (or just changed) are skipped."""
        self.flush_model(["state", "incomplete"])
        query = SQL(
            "SELECT id FROM altinn_document WHERE id = ANY(%s) AND state = 'new' AND incomplete IS NOT TRUE "
            "ORDER BY id FOR UPDATE SKIP LOCKED",
            list(ids),
        )
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(query, log_exceptions=False)  # expected when runs overlap
                return [row[0] for row in self.env.cr.fetchall()]
        except (pg_errors.LockNotAvailable, TransactionRollbackError):
            # Changed by a run that committed after our snapshot began: no longer ours to book.
            _logger.info("Altinn: documents %s are being booked by another run; skipped", ids)
            return []

    def _altinn_commit(self):
        """Commit the batch (real cron run only) and drop the cache, so memory stays flat over a long run."""
        if can_commit():
            # One batch kept, see module docstring.
            self.env.cr.commit()  # pylint: disable=invalid-commit
        else:
            self.env.flush_all()
        self.env.invalidate_all()

    def _altinn_process_isolated(self):
        """Run the booking hook on the batch; when it raises, go document by document so only the culprit
        fails and the others are booked. Returns the documents left for a later run (concurrency)."""
        try:
            with self.env.cr.savepoint():
                self._altinn_process()
            return self.browse()
        except Exception:
            _logger.warning(
                "Altinn: a batch of %s documents failed as a whole; booking them one by one",
                len(self),
                exc_info=True,
            )
        later = self.browse()
        lang = self.env.lang or "en_US"
        for document in self:
            try:
                with self.env.cr.savepoint():
                    document._altinn_process()
            except TransactionRollbackError:
                # Serialization failure or deadlock with another transaction: nothing wrong with the
                # document, it stays new for the next run.
                _logger.info("Altinn document %s: concurrent update, left for the next run", document.id)
                later |= document
            except Exception as exc:
                _logger.warning("Altinn document %s could not be processed", document.id, exc_info=True)
                document.write(
                    {
                        "state": "failed",
                        "error": self.env._(
                            "The document could not be processed: %(error)s", error=error_text(exc, lang)
                        ),
                    }
                )
        return later

    def _altinn_after_background_processing(self):
        """A document still new was not handled by the hook: fail it (visibly) instead of retrying it
        forever; then tell the responsible person about every failure."""
        untouched = self.filtered(lambda d: d.state == "new")
        if untouched:
            untouched.write(
                {
                    "state": "failed",
                    "error": self.env._(
                        "The document was not processed. Open it and click Book to try again."
                    ),
                }
            )
        self.filtered(lambda d: d.state == "failed")._altinn_notify_failure()

    # ------------------------------------------------------------------
    # Failures: one open activity per document for the responsible person
    # ------------------------------------------------------------------
    def _altinn_notify_failure(self):
        """Give each failed document one open activity (updated, not repeated, when it fails again)."""
        if not self:
            return
        activity_type = self.env.ref(ACTIVITY_XMLID, raise_if_not_found=False)
        if not activity_type:
            return
        Activity = self.env["mail.activity"].sudo()
        open_activities = Activity.search(
            [
                ("res_model", "=", self._name),
                ("res_id", "in", self.ids),
                ("activity_type_id", "=", activity_type.id),
            ]
        )
        by_document = {activity.res_id: activity for activity in open_activities}
        users = {}
        for document in self:
            company = document.company_id
            note = Markup("<p>%s</p>") % (document.error or self.env._("The document could not be booked."))
            try:
                with self.env.cr.savepoint():
                    activity = by_document.get(document.id)
                    if activity:
                        activity.write({"note": note})
                        continue
                    key = (company.id, document.create_uid.id)
                    if key not in users:
                        users[key] = company._altinn_booking_responsible(document)
                    user = users[key]
                    if not user:
                        continue
                    document.sudo().activity_schedule(
                        ACTIVITY_XMLID,
                        summary=self.env._("Altinn document could not be booked"),
                        note=note,
                        user_id=user.id,
                    )
            except Exception:  # telling someone must never undo the booking of the others
                _logger.warning("Altinn: no activity for failed document %s", document.id, exc_info=True)

    def _altinn_process(self):
        """After booking, close the failure activities of the documents that are now fine."""
        retried = self.filtered(lambda d: d.state == "failed")
        result = super()._altinn_process()
        fixed = retried.filtered(lambda d: d.state != "failed")
        if fixed:
            fixed.sudo().activity_feedback([ACTIVITY_XMLID], feedback=self.env._("Booked after a new try."))
        return result

    # ------------------------------------------------------------------
    # Hand-over from the wizard
    # ------------------------------------------------------------------
    def _altinn_schedule_processing(self):
        """Have the cron book these documents right away; returns False when there is no active cron
        (the caller then books them itself)."""
        cron = self.env.ref(CRON_XMLID, raise_if_not_found=False)
        if not cron or not cron.sudo().active:
            return False
        cron.sudo()._trigger()
        return True


def _positive_int(value, default):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if number > 0 else default
