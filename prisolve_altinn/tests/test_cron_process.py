# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The scheduled booking: company by company, in batches, locked, committed per batch, failures contained."""

import threading
from unittest.mock import patch

from odoo import api
from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.sql_db import Savepoint
from odoo.tests import TransactionCase, new_test_user, tagged

from ..booking import cron as booking_cron
from ..booking import pipeline
from ..booking.batch import BookingBatch
from ..services import failures, scheduled
from ..services.failures import BOOKING as ACTIVITY_XMLID
from ..services.handover import PROCESS_CRON as CRON_XMLID
from .booking_common import BookingCommon, vat_item
from .common import ORG_OTHER, ORG_OWN, SECRET_CODE, AltinnCommon, Killed, make_item


@tagged("post_install", "-at_install")
class TestCronProcess(BookingCommon):
    with_second_company = True

    def setUp(self):
        super().setUp()
        self.progress = []
        original = type(self.env["ir.cron"])._notify_progress

        def notify(cron, *, done, remaining, deactivate=False):
            self.progress.append((done, remaining))
            return original(cron, done=done, remaining=remaining, deactivate=deactivate)

        self.patch(type(self.env["ir.cron"]), "_notify_progress", notify)

    def record_vat(self, numbers, company=None, org=ORG_OWN):
        return self.record(*(vat_item(n, org=org) for n in numbers), company=company)

    def run_cron(self, **kwargs):
        return self.env["altinn.document"]._cron_altinn_process(**kwargs)

    # ------------------------------------------------------------------
    def test_the_scheduled_action_books_every_company_in_its_own_company(self):
        own = self.record_vat([1, 2])
        other = self.record_vat([3], company=self.second_company, org=ORG_OTHER)
        seen = []
        original = pipeline.process

        def spy(documents):
            seen.append((documents.env.company, documents.company_id, documents.env.su))
            return original(documents)

        cron = self.env.ref(CRON_XMLID).sudo()
        self.assertTrue(cron.active)
        self.assertEqual(cron.code.strip(), "model._cron_altinn_process()")
        with patch.object(pipeline, "process", spy):
            cron.method_direct_trigger()  # the real scheduled action, as the cron user, with its progress
        self.assertEqual(set((own | other).mapped("state")), {"imported"}, (own | other).mapped("error"))
        for doc in own | other:
            self.assertEqual(len(doc.move_ids), 1)
            self.assertEqual(doc.move_ids.company_id, doc.company_id)
        # One call per company, in that company's environment.
        self.assertEqual(len(seen), 2)
        for env_company, doc_company, su in seen:
            self.assertEqual(env_company, doc_company)
            self.assertTrue(su)
        progress = (
            self.env["ir.cron.progress"].sudo().search([("cron_id", "=", cron.id)], order="id desc", limit=1)
        )
        self.assertEqual((progress.done, progress.remaining), (3, 0))

    def test_batches_commit_and_report_progress(self):
        docs = self.record_vat(range(10, 15))
        commits = []
        self.patch(scheduled, "commit", lambda env, drop_cache=False: commits.append(env.company))
        self.assertEqual(self.run_cron(batch_size=2), 5)
        self.assertEqual(len(commits), 3)  # 2 + 2 + 1
        self.assertEqual(self.progress, [(2, 3), (4, 1), (5, 0), (5, 0)])
        self.assertEqual(set(docs.mapped("state")), {"imported"})

    def test_commits_per_batch_only_outside_tests(self):
        self.assertFalse(scheduled.can_commit())
        with (
            patch.object(scheduled.odoo_module, "current_test", False),
            patch.dict(scheduled.tools.config.options, {"test_enable": False}),
        ):
            self.assertTrue(scheduled.can_commit())
            with patch.object(self.env.cr, "commit") as commit:
                scheduled.commit(self.env)
            commit.assert_called_once()

    def test_time_budget_leaves_the_rest_for_the_next_call(self):
        docs = self.record_vat(range(20, 26))
        clock = [0.0]
        original = booking_cron.book_locked

        def slow_batch(documents, ids):
            clock[0] += 100  # each batch "takes" 100 s
            return original(documents, ids)

        self.patch(scheduled.time, "monotonic", lambda: clock[0])
        self.patch(booking_cron, "book_locked", slow_batch)
        self.assertEqual(self.run_cron(batch_size=2, time_budget=150), 4)
        self.assertEqual(self.progress[-1], (4, 2))  # remaining > 0: the cron runner calls again at once
        self.assertEqual(len(docs.filtered(lambda d: d.state == "new")), 2)
        self.progress.clear()
        self.assertEqual(self.run_cron(batch_size=2, time_budget=150), 2)
        self.assertEqual(self.progress[-1], (2, 0))
        self.assertEqual(set(docs.mapped("state")), {"imported"})

    def test_only_new_complete_documents_are_taken(self):
        new, failed, incomplete, ignored = self.record_vat(range(30, 34))
        failed.write({"state": "failed", "error": "earlier"})
        incomplete.write({"incomplete": True})
        ignored.action_ignore()
        self.run_cron()
        self.assertEqual(new.state, "imported")
        self.assertEqual((failed.state, incomplete.state, ignored.state), ("failed", "new", "ignored"))
        self.assertFalse((failed | incomplete | ignored).move_ids)

    # ------------------------------------------------------------------
    # Failures
    # ------------------------------------------------------------------
    def test_a_crashing_document_fails_alone_and_other_companies_go_on(self):
        docs = self.record_vat([40, 41, 42])
        other = self.record_vat([43], company=self.second_company, org=ORG_OTHER)
        culprit = docs[1]
        original = pipeline.plan

        def plan(doc, batch):
            if doc == culprit:
                raise RuntimeError("parser exploded")
            return original(doc, batch)

        self.patch(pipeline, "plan", plan)
        with self.assertLogs(pipeline._logger.name, "WARNING") as logs:
            self.run_cron()
        self.assertIn("one by one", logs.output[0])
        self.assertEqual(culprit.state, "failed")
        self.assertIn("parser exploded", culprit.error)
        self.assertFalse(culprit.move_ids)
        self.assertEqual(set((docs - culprit | other).mapped("state")), {"imported"})

    def test_failure_gives_one_activity_to_the_responsible_person(self):
        # The document is for another organisation: booking refuses it.
        doc = self.record(vat_item(50, org=ORG_OTHER))
        self.run_cron()
        self.assertEqual(doc.state, "failed")
        self.assertIn(ORG_OTHER, doc.error)
        activity_type = self.env.ref(ACTIVITY_XMLID)
        activities = doc.sudo().activity_ids.filtered(lambda a: a.activity_type_id == activity_type)
        # Nobody named on the company: the person who fetched it.
        self.assertEqual(activities.user_id, self.accountant)
        self.assertIn(ORG_OTHER, str(activities.note))
        # It fails again: the activity is updated, not repeated.
        doc.sudo().write({"state": "new", "error": False})
        self.run_cron()
        self.assertEqual(doc.state, "failed")
        self.assertEqual(
            len(doc.sudo().activity_ids.filtered(lambda a: a.activity_type_id == activity_type)), 1
        )

    def test_booked_after_a_new_try_closes_the_activity(self):
        doc = self.record(vat_item(51))
        original = pipeline.book

        refusal = "Account 2740 is missing"  # a test text, not for translation

        def refuse(doc, batch, parsed):
            raise ValidationError(refusal)

        self.patch(pipeline, "book", refuse)
        self.run_cron()
        self.assertEqual(doc.state, "failed")
        self.assertTrue(doc.sudo().activity_ids)
        self.patch(pipeline, "book", original)
        doc.action_altinn_process()  # the accountant fixed the mapping and books again
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertFalse(doc.sudo().activity_ids)

    def test_who_is_responsible(self):
        doc = self.record(vat_item(52))
        company = self.company
        self.assertEqual(failures.responsible_user(company, doc), self.accountant)
        chief = new_test_user(
            self.env(su=True),
            login="altinn_chief",
            groups="account.group_account_manager",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        company.sudo().altinn_responsible_user_id = chief
        self.assertEqual(failures.responsible_user(company, doc), chief)
        # A responsible person without access to the company is passed over.
        company.sudo().altinn_responsible_user_id = new_test_user(
            self.env(su=True),
            login="altinn_outsider",
            groups="account.group_account_user",
            company_id=self.second_company.id,
            company_ids=[Command.set(self.second_company.ids)],
        )
        self.assertEqual(failures.responsible_user(company, doc), self.accountant)
        # Fetched by the scheduled action (OdooBot, inactive): somebody who can act on the company's ledger.
        company.sudo().altinn_responsible_user_id = False
        self.env.cr.execute(
            "UPDATE altinn_document SET create_uid = %s WHERE id = %s",
            [self.env.ref("base.user_root").id, doc.id],
        )
        doc.invalidate_recordset()
        fallback = failures.responsible_user(company, doc)
        self.assertTrue(fallback.active and not fallback.share and company in fallback.company_ids)
        self.assertTrue(fallback.has_group("prisolve_altinn.group_altinn_user"))

    def test_a_document_the_hook_left_new_is_failed_not_retried_forever(self):
        doc = self.record(vat_item(53))
        self.patch(pipeline, "process", lambda documents: documents.browse())
        self.run_cron()
        self.assertEqual(doc.state, "failed")
        self.assertIn("not processed", doc.error)
        self.assertEqual(self.progress[-1], (1, 0))

    # ------------------------------------------------------------------
    # A killed run
    # ------------------------------------------------------------------
    def test_killed_run_loses_nothing_and_running_again_books_nothing_twice(self):
        """A real kill loses everything since the last commit. The test stands a savepoint in for each
        commit and, after the kill, rolls back to the last one: what the database would hold."""
        docs = self.record_vat(range(60, 66))
        cr = self.env.cr
        commits = []

        def commit(env, drop_cache=False):
            env.flush_all()
            commits.append(Savepoint(cr))
            env.invalidate_all()

        calls = []
        original = BookingBatch.flush

        def dying(batch):
            original(batch)
            batch.env.flush_all()
            calls.append(len(batch.moves))
            if len(calls) == 2:  # the second batch has its entries written, not committed: kill
                raise Killed()

        with (
            patch.object(scheduled, "commit", commit),
            patch.object(BookingBatch, "flush", dying),
        ):
            # Not assertRaises: Odoo's wraps the block in a savepoint that would undo the "commits" as well.
            try:
                self.run_cron(batch_size=2)
            except Killed:
                killed = True
            else:
                killed = False
        self.assertTrue(killed)
        self.assertEqual(calls, [2, 2])
        self.assertEqual(len(commits), 1)
        cr.clear()
        commits[-1].rollback()
        self.env.invalidate_all()

        first, rest = docs[:2], docs[2:]
        self.assertEqual(set(first.mapped("state")), {"imported"})
        self.assertEqual(set(rest.mapped("state")), {"new"})  # nothing lost: still waiting
        moves = self.env["account.move"].search([("altinn_document_id", "in", docs.ids)])
        self.assertEqual(moves.altinn_document_id, first)  # no half-written entry of the killed batch
        self.assertEqual(len(self.env["altinn.document"].search([("id", "in", docs.ids)])), 6)

        self.run_cron(batch_size=2)  # the next run
        self.assertEqual(set(docs.mapped("state")), {"imported"})
        moves = self.env["account.move"].search([("altinn_document_id", "in", docs.ids)])
        self.assertEqual(len(moves), 6)
        self.assertEqual(moves.altinn_document_id, docs)
        for doc in docs:
            self.assertEqual(len(doc.move_ids), 1)


@tagged("post_install", "-at_install")
class TestCronLocking(TransactionCase):
    """Two overlapping runs on separate connections never process the same document.

    Both connections must see the documents, so they are committed (for the database's main company)
    and deleted again in a cleanup. Booking is replaced by a marker: the locking is what is tested.
    Run A takes its first batch and pauses inside it; run B goes through everything and commits; then A
    goes on.
    """

    def setUp(self):
        super().setUp()
        company_id = self.env.ref("base.main_company").id
        with self.registry.cursor() as cr:
            env = api.Environment(
                cr,
                api.SUPERUSER_ID,
                {
                    "mail_create_nolog": True,
                    "mail_create_nosubscribe": True,
                    "tracking_disable": True,
                },
            )
            self.ids = (
                env["altinn.document"]
                .create(
                    [
                        {"company_id": company_id, "reference": f"LOCK-TEST-{n}", "title": f"Lock {n}"}
                        for n in range(6)
                    ]
                )
                .ids
            )
        self.addCleanup(self._remove_committed)

    def _remove_committed(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM altinn_document WHERE id = ANY(%s)", [self.ids])

    def _waiting(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT pid, pg_blocking_pids(pid), left(query, 300) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            return cr.fetchall()

    def _overlap(self, a_commits):
        processed = {"A": [], "B": []}
        a_inside, a_resume = threading.Event(), threading.Event()
        errors = []
        original_commit = scheduled.commit

        def marker(documents):
            name = threading.current_thread().name
            processed[name] += documents.ids
            documents.write({"state": "ignored"})
            if name == "A" and not a_inside.is_set():
                a_inside.set()  # run A holds its first batch ...
                a_resume.wait(30)  # ... while run B goes through everything
            return documents.browse()

        def commit(env, drop_cache=False):
            if a_commits and threading.current_thread().name == "A":
                env.cr.commit()  # as in a real cron run
            return original_commit(env, drop_cache)

        def run():
            try:
                with self.registry.cursor() as cr:
                    # Tests run while the registry class lock is held: hand the registry to the thread.
                    cr.transaction = api.Transaction(self.registry)
                    env = api.Environment(cr, api.SUPERUSER_ID, {})
                    env["altinn.document"]._cron_altinn_process(batch_size=2)
            except Exception as exc:  # reported to the main thread
                errors.append(exc)

        self.patch(pipeline, "process", marker)
        self.patch(scheduled, "commit", commit)
        thread_a = threading.Thread(target=run, name="A")
        thread_a.start()
        try:
            self.assertTrue(a_inside.wait(30), f"run A did not start: {errors} {self._waiting()}")
            thread_b = threading.Thread(target=run, name="B")
            thread_b.start()
            thread_b.join(60)  # B commits when it leaves its cursor
        finally:
            a_resume.set()
            thread_a.join(60)
        self.assertFalse(errors, errors)
        a, b = set(processed["A"]), set(processed["B"])
        self.assertEqual(a, set(self.ids[:2]))  # A's first batch only
        self.assertEqual(b, set(self.ids[2:]))  # B skipped the batch A held
        self.assertFalse(a & b)
        with self.registry.cursor() as cr:
            cr.execute("SELECT DISTINCT state FROM altinn_document WHERE id = ANY(%s)", [self.ids])
            self.assertEqual(cr.fetchall(), [("ignored",)])

    def test_overlapping_runs_in_one_transaction_each(self):
        """A still in its first transaction: B's committed rows raise a serialization failure, skipped."""
        self._overlap(a_commits=False)

    def test_overlapping_runs_committing_per_batch(self):
        """A commits per batch: its next batch sees B's rows as no longer new, skipped."""
        self._overlap(a_commits=True)


@tagged("post_install", "-at_install")
class TestWizardHandsOver(AltinnCommon):
    """The wizard only fetches and records; the cron books, triggered at once."""

    def setUp(self):
        real = pipeline.process
        super().setUp()
        self.patch(pipeline, "process", real)  # AltinnCommon stubs it
        self.cron = self.env.ref(CRON_XMLID).sudo()

    def triggers(self):
        return self.env["ir.cron.trigger"].sudo().search_count([("cron_id", "=", self.cron.id)])

    def test_update_triggers_the_cron_and_shows_progress(self):
        self.altinn.items[ORG_OWN] = [make_item("AR-BG-1"), make_item("AR-BG-2")]
        before = self.triggers()
        wizard = self.make_wizard()
        wizard.with_context(**self.secrets()).action_update()
        docs = wizard.document_ids
        self.assertEqual(len(docs), 2)
        self.assertEqual(set(docs.mapped("state")), {"new"})  # not booked inside the SMS session
        self.assertEqual(self.triggers(), before + 1)
        self.assertIn("From Altinn: new 2", wizard.summary)
        self.assertIn("Booking runs in the background: 2 of 2 documents still waiting", wizard.summary)
        self.cron.method_direct_trigger()
        wizard.invalidate_recordset()
        self.assertEqual(set(docs.mapped("state")), {"to_read"})  # plain letters: nothing to book
        self.assertIn(
            "Booking done: imported: 0, duplicates: 0, letters to read: 2, failed: 0.", wizard.summary
        )
        action = wizard.action_altinn_refresh()
        reopen = action["params"]["next"]
        self.assertEqual((reopen["res_id"], reopen["res_model"]), (wizard.id, wizard._name))
        self.assertFalse(any(reopen["context"].values()))
        self.assertNotIn(SECRET_CODE, str(action))

    def test_inline_when_asked_or_without_an_active_cron(self):
        self.altinn.items[ORG_OWN] = [make_item("AR-BG-3")]
        before = self.triggers()
        wizard = self.make_wizard()
        wizard.with_context(**self.secrets(), altinn_process_now=True).action_update()
        self.assertEqual(wizard.document_ids.state, "to_read")
        self.assertEqual(self.triggers(), before)
        self.cron.active = False
        self.altinn.items[ORG_OWN] = [make_item("AR-BG-4")]
        wizard = self.make_wizard()
        wizard.with_context(**self.secrets()).action_update()
        self.assertEqual(wizard.document_ids.state, "to_read")
        self.assertEqual(self.triggers(), before)

    def test_the_cron_data(self):
        self.assertEqual(self.cron.model_id.model, "altinn.document")
        self.assertEqual(self.cron.user_id, self.env.ref("base.user_root"))
        self.assertNotIn("numbercall", self.cron._fields)
        self.assertTrue(
            self.env["ir.model.data"]
            .sudo()
            .search([("module", "=", "prisolve_altinn"), ("name", "=", "ir_cron_altinn_process")])
            .noupdate
        )

    def test_the_responsible_person_can_be_set_on_every_company(self):
        view = self.env.ref("base.view_company_form")
        arch = self.env["res.company"].sudo().get_view(view.id, "form")["arch"]
        self.assertIn('name="altinn_responsible_user_id"', arch)
