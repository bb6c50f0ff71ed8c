# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The one fetch service: the wizard, the upload and the scheduled fetch go through it; the scheduled fetch
claims companies with row locks, commits per company, survives a killed worker and splits the work between
workers; a firm's clients are downloaded in parallel with the same result as one by one."""

import logging
import os
import threading
from datetime import datetime, timedelta, timezone
from unittest.mock import patch

import psycopg2

from odoo import api, fields
from odoo.sql_db import Savepoint, connection_info_for
from odoo.tests import TransactionCase, tagged

from ..altinn import errors as altinn_errors
from ..altinn.types import FetchFailure
from ..services import copies, failures, fetch, fetch_cron, recording, scheduled
from .common import (
    ORG_CLIENT_1,
    ORG_CLIENT_2,
    ORG_OWN,
    AltinnCommon,
    FakeAltinn,
    FakeAltinn3Transport,
    Killed,
    make_item,
    valid_org_numbers,
)

_logger = logging.getLogger(__name__)


def recent(reference, reportee, days=2):
    return make_item(reference, reportee, created=datetime.now(timezone.utc) - timedelta(days=days))


@tagged("post_install", "-at_install")
class TestFetchService(AltinnCommon):
    def setUp(self):
        super().setUp()
        self.make_altinn3(self.company)
        self.make_altinn3(self.client_1 | self.client_2, firm=self.firm)
        self.cron = self.env.ref("prisolve_altinn.ir_cron_altinn_fetch").sudo()

    def run_cron(self, **kwargs):
        kwargs.setdefault("min_age_minutes", 0)
        return fetch_cron.run_cron(self.env(su=True), **kwargs)

    def documents(self, company):
        return self.env["altinn.document"].sudo().search([("company_id", "=", company.id)])

    def firm_clients(self, org_prefix, count, ref_prefix):
        """``count`` client companies of the firm on Altinn 3, two recent items each."""
        clients = (
            self.env["res.company"]
            .sudo()
            .create(
                [
                    {"name": f"Klient {n} AS", "altinn_org_number": org}
                    for n, org in enumerate(valid_org_numbers(org_prefix, count))
                ]
            )
        )
        self.env.user.sudo().company_ids |= clients
        self.make_altinn3(clients, firm=self.firm)
        for client in clients:
            org = client.altinn_org_number
            self.altinn.items[org] = [recent(f"{ref_prefix}-{org}-{n}", org) for n in range(2)]
        return clients

    def fetched(self):
        return [reportee for operation, _owner, reportee in self.altinn.calls if operation == "fetch"]

    # ------------------------------------------------------------------
    def test_the_wizard_the_upload_and_the_cron_call_the_same_service(self):
        self.altinn.items[ORG_OWN] = [recent("A3-1", ORG_OWN)]
        calls = []
        real = fetch.fetch_company

        def spy(company, transport, **kwargs):
            calls.append((company.id, kwargs["trigger"]))
            return real(company, transport, **kwargs)

        with patch.object(fetch, "fetch_company", spy):
            wizard = self.make_wizard()
            self.assertFalse(wizard.needs_person)
            wizard.action_update()
            self.run_cron()
        self.assertEqual(calls[0], (self.company.id, "wizard"))
        self.assertIn((self.company.id, "cron"), calls)
        self.assertEqual(len(self.documents(self.company)), 1)  # the cron found it known
        log = self.env["altinn.fetch.log"].search([("company_id", "=", self.company.id)])
        self.assertEqual(set(log.mapped("trigger")), {"wizard", "cron"})
        by_trigger = {entry.trigger: entry for entry in log}
        self.assertEqual(by_trigger["wizard"].user_id, self.env.user)
        self.assertFalse(by_trigger["cron"].user_id)  # "scheduled"
        # The wizard moved the sync point: the cron asks Altinn only for what changed since.
        self.assertEqual((by_trigger["wizard"].new_count, by_trigger["cron"].new_count), (1, 0))
        self.assertGreaterEqual(self.company.altinn_synced_until, by_trigger["wizard"].synced_until)
        self.assertEqual(by_trigger["cron"].system_user_id, self.company.altinn_system_user_id)

    def test_cron_fetches_unattended_companies_and_moves_each_sync_point_once(self):
        self.altinn.items[ORG_OWN] = [recent("A3-2", ORG_OWN)]
        self.altinn.items[ORG_CLIENT_1] = [recent("A3-3", ORG_CLIENT_1), recent("A3-4", ORG_CLIENT_1)]
        altinn2 = self.env["res.company"].sudo().create({"name": "SMS AS", "altinn_transport": "altinn2"})
        results = self.run_cron()
        self.assertEqual(
            {r.company_id for r in results}, set((self.company | self.client_1 | self.client_2).ids)
        )
        self.assertNotIn(altinn2.id, [r.company_id for r in results])
        self.assertEqual(len(self.documents(self.client_1)), 2)
        for company in self.company | self.client_1 | self.client_2:
            self.assertTrue(company.altinn_synced_until)
            self.assertTrue(company.altinn_fetch_attempt_at)
        # The same period again: nothing new, and the transport was told what is known.
        marker = self.client_1.altinn_synced_until
        self.run_cron()
        self.assertEqual(len(self.documents(self.client_1)), 2)
        self.assertGreaterEqual(self.client_1.altinn_synced_until, marker)
        self.assertTrue(self.altinn.known_by[ORG_CLIENT_1]("A3-3"))
        # The firm's client system user serves both clients: one transport for the two.
        owners = {transport.owner for transport in self.altinn.transports}
        self.assertEqual(owners, {ORG_OWN, self.firm.sudo().altinn_org_number})

    def test_a_company_that_fails_is_recorded_and_the_others_go_on(self):
        self.altinn.items[ORG_CLIENT_2] = [recent("A3-5", ORG_CLIENT_2)]
        self.altinn.reportee_errors[ORG_CLIENT_1] = altinn_errors.ClientNotDelegated("gone")
        self.run_cron()
        self.assertIn("klientadministrator", self.client_1.altinn_fetch_error)
        self.assertTrue(self.client_1.altinn_fetch_error_since)
        self.assertFalse(self.client_1.altinn_synced_until)  # nothing fetched: the next run starts as early
        self.assertEqual(len(self.documents(self.client_2)), 1)
        activity_type = self.env.ref(failures.FETCH)

        def activities():
            return self.client_1.partner_id.sudo().activity_ids.filtered(
                lambda a: a.activity_type_id == activity_type
            )

        # A client added a moment ago is "not delegated" until Dialogporten's parties cache expires: nobody
        # is asked to act before that has lasted longer than the cache.
        self.assertFalse(activities())
        self.assertIn("15", self.client_1.altinn_fetch_error)
        self.client_1.sudo().altinn_fetch_error_since -= fetch.PARTIES_CACHE_GRACE
        self.run_cron()
        self.assertEqual(len(activities()), 1)
        self.run_cron()  # still failing: the same activity, updated
        self.assertEqual(
            len(
                self.client_1.partner_id.sudo().activity_ids.filtered(
                    lambda a: a.activity_type_id == activity_type
                )
            ),
            1,
        )
        del self.altinn.reportee_errors[ORG_CLIENT_1]
        self.run_cron()  # works again: the activity is done, the error gone
        self.assertFalse(self.client_1.altinn_fetch_error)
        self.assertFalse(
            self.client_1.partner_id.sudo().activity_ids.filtered(
                lambda a: a.activity_type_id == activity_type
            )
        )

    def test_a_dialog_that_fails_holds_back_only_its_company_sync_point(self):
        self.altinn.items[ORG_OWN] = [
            recent("A3-6", ORG_OWN),
            FetchFailure("dialog:bad", "Kvittering", altinn_errors.ElementNotFound("gone")),
        ]
        self.run_cron()
        # The sync point stays at the start of the run (a year back): the next run reads the failed dialog.
        self.assertLessEqual(self.company.altinn_synced_until, fields.Datetime.now() - timedelta(days=364))
        self.assertEqual(
            set(self.documents(self.company).mapped("reference")), {"A3-6", "dialog:bad"}
        )  # the failure is a visible, retryable row

    def test_the_time_budget_ends_the_call_and_progress_says_what_remains(self):
        clock = [0.0]
        self.patch(fetch_cron.runtime.time, "monotonic", lambda: clock[0])
        real = fetch.fetch_company

        def slow(company, transport, **kwargs):
            clock[0] += 100
            return real(company, transport, **kwargs)

        progress = []
        self.patch(
            type(self.env["ir.cron"]),
            "_notify_progress",
            lambda cron, *, done, remaining, deactivate=False: progress.append((done, remaining)),
        )
        with patch.object(fetch, "fetch_company", slow):
            results = self.run_cron(claim_size=1, time_budget=150)
        self.assertEqual(len(results), 2)
        self.assertEqual(progress[-1], (2, 1))  # one company left: the cron runner calls again at once

    def test_killed_worker_loses_nothing_and_starves_no_one(self):
        """A real kill loses everything since the last commit; a savepoint stands in for each commit."""
        companies = self.company | self.client_1 | self.client_2
        for org in (ORG_OWN, ORG_CLIENT_1, ORG_CLIENT_2):
            self.altinn.items[org] = [recent(f"KILL-{org}-{n}", org) for n in range(3)]
        cr = self.env.cr
        commits = []

        def commit(env, drop_cache=False):
            env.flush_all()
            commits.append(Savepoint(cr))
            env.invalidate_all()

        recorded = []
        real_record = recording.record_items

        def dying(documents, company, items):
            result = real_record(documents, company, items)
            recorded.append(company.id)
            if len(recorded) == 2:
                documents.env.flush_all()
                raise Killed()  # the second company is written, not committed
            return result

        with patch.object(scheduled, "commit", commit):
            with patch.object(recording, "record_items", dying):
                try:
                    self.run_cron(claim_size=1, min_age_minutes=10)
                except Killed:
                    killed = True
                else:
                    killed = False
        self.assertTrue(killed)
        cr.clear()
        commits[-1].rollback()
        self.env.invalidate_all()
        first, victim = (
            self.env["res.company"].browse(recorded[0]),
            self.env["res.company"].browse(recorded[1]),
        )
        untouched = companies - first - victim
        self.assertEqual(len(self.documents(first)), 3)  # committed before the kill
        self.assertFalse(self.documents(victim))  # rolled back ...
        self.assertFalse(victim.altinn_synced_until)  # ... and so was its sync point: nothing lost
        self.assertTrue(victim.altinn_fetch_attempt_at)  # the attempt was committed before the fetch
        self.assertTrue(victim.altinn_fetch_claimed)  # ... and its claim is still open
        self.assertFalse(untouched.altinn_fetch_attempt_at)
        # The next run, not an hour later: the company nobody tried comes first (a company that kills
        # every worker cannot starve the others), then the victim, whose claimant is gone.
        self.altinn.calls.clear()
        self.run_cron(claim_size=1, min_age_minutes=10)
        self.assertEqual(self.fetched(), [untouched.altinn_org_number, victim.altinn_org_number])
        self.assertFalse(victim.altinn_fetch_claimed)
        for company in companies:  # fetched completely, nothing twice
            self.assertEqual(len(self.documents(company)), 3)
        self.altinn.calls.clear()
        self.run_cron(claim_size=1, min_age_minutes=10)
        self.assertEqual(self.fetched(), [])  # all done for this round

    def test_a_budget_ending_mid_round_releases_the_rest_for_the_next_run(self):
        """The pool starts no download once the budget is spent; the companies it did not start are
        released at once (claim open, lock free) and the next run fetches exactly them."""
        clients = self.firm_clients("315000", 10, "B")
        clock, lock = [0.0], threading.Lock()
        self.patch(fetch_cron.runtime.time, "monotonic", lambda: clock[0])
        real = fetch._download

        def slow(transport, plan):
            with lock:
                clock[0] += 10
            return real(transport, plan)

        with patch.object(fetch, "_download", slow):
            first = self.run_cron(pool_size=2, claim_size=20, time_budget=35, min_age_minutes=10)
        done = {r.company_id for r in first} & set(clients.ids)
        self.assertTrue(done and len(done) < len(clients), done)
        rest = clients.filtered(lambda c: c.id not in done)
        self.assertTrue(all(rest.mapped("altinn_fetch_claimed")))
        self.assertFalse(any(clients.filtered(lambda c: c.id in done).mapped("altinn_fetch_claimed")))
        self.altinn.calls.clear()
        self.run_cron(pool_size=2, min_age_minutes=10)
        self.assertEqual(sorted(self.fetched()), sorted(rest.mapped("altinn_org_number")))
        for client in clients:
            self.assertEqual(len(self.documents(client)), 2)

    def test_a_prefork_workers_budget_counts_from_its_loop_and_keeps_a_margin(self):
        """In a prefork cron worker the watchdog counts from the worker's loop start (its sleep and every
        call of the loop included): the budget ends 15 % (at least 10 s) before it, from that start; unknown
        start: the longest sleep is assumed; threaded: the configured budget."""
        runtime = fetch_cron.runtime
        self.assertAlmostEqual(runtime.call_budget(None, 240).left(), 240, delta=1)
        self.assertAlmostEqual(runtime.call_budget(30, 240).left(), 30, delta=1)
        self.patch(runtime, "prefork_worker", lambda: "cron")
        now = runtime.time.monotonic()
        self.patch(runtime, "_LOOP", {"pid": os.getpid(), "started": now - 30, "timeout": 120})
        budget = runtime.call_budget(None, 240)
        self.assertAlmostEqual(budget.left(), 120 - 18 - 30, delta=1)
        self.assertAlmostEqual(budget.hard_at - now, 120 - 9 - 30, delta=1)
        self.assertAlmostEqual(runtime.call_budget(20, 240).left(), 20, delta=1)  # may only shorten
        self.patch(runtime, "_LOOP", {"pid": os.getpid(), "started": now - 30, "timeout": 600})
        self.assertAlmostEqual(runtime.call_budget(None, 240).left(), 600 - 90 - 30, delta=1)  # raised limit
        self.patch(runtime, "_LOOP", {})
        self.patch(runtime.config, "options", dict(runtime.config.options, limit_time_real_cron=-1))
        self.assertAlmostEqual(
            runtime.call_budget(None, 240).left(), 120 - 18 - runtime.LONGEST_SLEEP, delta=1
        )

    def test_copies_of_the_scheduled_actions_follow_the_system_parameter(self):
        """N records of each action, so that N cron workers (of any servers) share its work."""
        params = self.env["ir.config_parameter"].sudo()
        crons = self.env["ir.cron"].sudo().with_context(active_test=False)
        for xmlid, code in (
            (copies.FETCH_CRON, "model._cron_altinn_fetch()"),
            (copies.PROCESS_CRON, "model._cron_altinn_process()"),
        ):
            self.assertEqual(copies.sync(self.env, xmlid), self.env.ref(xmlid))  # default: one server
            params.set_param(copies.COPIES[xmlid], "3")
            records = copies.sync(self.env, xmlid)
            self.assertEqual(len(records), 3)
            self.assertEqual(records[0], self.env.ref(xmlid))
            self.assertEqual(set(records.mapped("code")), {code})
            self.assertEqual(len(set(records.ir_actions_server_id.ids)), 3)
            self.assertTrue(all(self.env.ref(f"{xmlid}_copy_{n}") in records for n in (2, 3)))
            self.assertEqual(copies.sync(self.env, xmlid), records)  # made once
            # Another copy's call wakes the others (a trigger each, none twice).
            self.env["ir.cron.trigger"].sudo().search([("cron_id", "in", records.ids)]).unlink()
            woken = copies.wake_others(self.env(context={"cron_id": records[1].id}), xmlid)
            self.assertEqual(woken, records - records[1])
            self.assertFalse(copies.wake_others(self.env(context={"cron_id": records[1].id}), xmlid))
            params.set_param(copies.COPIES[xmlid], "1")
            self.assertEqual(copies.sync(self.env, xmlid), records[0])
            self.assertFalse(crons.browse(records[1:].ids).filtered("active"))  # archived, not deleted
            self.assertEqual(len(crons.search([("code", "=", code)])), 3)

    def test_a_live_workers_claim_is_its_own_a_dead_ones_is_free(self):
        """A company claimed by a session that lives (its advisory lock held) is not fetched by another;
        once that session is gone (a killed worker's connection), the next run fetches it."""
        for org in (ORG_OWN, ORG_CLIENT_1, ORG_CLIENT_2):
            self.altinn.items[org] = [recent(f"LIVE-{org}-{n}", org) for n in range(2)]
        held = self.client_1.sudo()
        held.write({"altinn_fetch_claimed": True, "altinn_fetch_attempt_at": fields.Datetime.now()})
        other = psycopg2.connect(**connection_info_for(self.env.cr.dbname)[1])  # another worker's session
        try:
            other.cursor().execute("SELECT pg_advisory_lock(%s, %s)", [fetch_cron.FETCH_LOCK, held.id])
            self.run_cron(min_age_minutes=10)
            self.assertNotIn(ORG_CLIENT_1, self.fetched())
            self.assertEqual(sorted(self.fetched()), sorted([ORG_OWN, ORG_CLIENT_2]))
        finally:
            other.close()  # the worker dies: PostgreSQL drops its session's locks
        self.altinn.calls.clear()
        self.run_cron(min_age_minutes=10)
        self.assertEqual(self.fetched(), [ORG_CLIENT_1])
        self.assertEqual(len(self.documents(held)), 2)
        self.assertFalse(held.altinn_fetch_claimed)

    def test_a_firms_clients_in_parallel_give_the_same_ledger_as_one_by_one(self):
        clients = self.firm_clients("313000", 12, "P")
        self.altinn.latency = 0.05
        parallel = fetch_companies_of(clients, pool_size=6)
        self.assertGreater(self.altinn.most_at_once, 1)  # several clients were being downloaded at once
        parallel_refs = {c.id: sorted(self.documents(c).mapped("reference")) for c in clients}
        # The same again, one by one, in a fresh ledger.
        self.env["altinn.document"].sudo().search([("company_id", "in", clients.ids)]).unlink()
        clients.sudo().write({"altinn_synced_until": False})
        self.altinn.most_at_once = 0
        sequential = fetch_companies_of(clients, pool_size=1)
        self.assertEqual(self.altinn.most_at_once, 1)
        sequential_refs = {c.id: sorted(self.documents(c).mapped("reference")) for c in clients}
        self.assertEqual(parallel_refs, sequential_refs)
        self.assertEqual(
            [(r.company_id, len(r.new_ids)) for r in parallel],
            [(r.company_id, len(r.new_ids)) for r in sequential],
        )
        for client in clients:
            self.assertEqual(len(parallel_refs[client.id]), 2)

    def test_a_firms_clients_in_parallel_read_again_only_what_misses_files(self):
        clients = self.firm_clients("314000", 4, "M")
        fetch_companies_of(clients, pool_size=4)
        waiting = self.documents(clients[2]).filtered(lambda d: d.reference.endswith("-1"))
        waiting.sudo().write(
            {"has_missing_files": True, "missing_files": "vedlegg.pdf", "transport": "altinn3"}
        )
        self.altinn.calls.clear()
        fetch_companies_of(clients, pool_size=4)
        self.assertEqual(
            [call[2] for call in self.altinn.calls if call[0] == "fetch_item"], [waiting.reference]
        )
        self.assertFalse(waiting.has_missing_files)  # read again: nothing is missing any more

    def test_upload_does_not_move_the_sync_point(self):
        from ..altinn.upload import UploadTransport
        from .common import make_item as _make_item

        files = _make_item("U-1").files
        result = self.company._altinn_fetch(transport=UploadTransport(files), trigger="upload")[0]
        self.assertEqual(len(result.new_ids), 2)
        self.assertFalse(self.company.altinn_synced_until)
        self.assertEqual(
            self.env["altinn.fetch.log"].search([("company_id", "=", self.company.id)]).trigger, "upload"
        )

    def test_sync_point_never_moves_back_nor_over_a_gap(self):
        company = self.company.sudo()
        now = fields.Datetime.now()
        day = timedelta(days=1)
        self.assertFalse(company.altinn_synced_until)
        self.assertEqual(fetch.move_sync_point(company, now - 10 * day, now - 5 * day), now - 5 * day)
        self.assertIsNone(fetch.move_sync_point(company, now - 10 * day, now - 7 * day))  # back
        self.assertIsNone(fetch.move_sync_point(company, now - 3 * day, now - day))  # a gap after it
        self.assertEqual(fetch.move_sync_point(company, now - 6 * day, now + 9 * day), now)  # never future


def fetch_companies_of(companies, pool_size):
    env = companies.env(su=True)
    return fetch.fetch_companies(companies.with_env(env), trigger="cron", pool_size=pool_size)


@tagged("post_install", "-at_install")
class TestFetchWorkers(TransactionCase):
    """Two fetch-cron workers at once, on separate connections, split 40 Altinn 3 companies: every company
    is fetched exactly once. The companies must be visible to both connections, so they are committed and
    taken out again in a cleanup."""

    COUNT = 40

    def setUp(self):
        super().setUp()
        self.altinn = FakeAltinn()
        self.altinn.latency = 0.01

        def transport(company):
            return FakeAltinn3Transport(self.altinn, company._altinn_resolve().system_user)

        # Each worker waits, at its first fetch, until the other has claimed companies too: both take a share.
        barrier = threading.Barrier(2, timeout=60)
        first = set()
        real_fetch = FakeAltinn3Transport.fetch

        def fetch_once_both_started(fake, reportee, *args, **kwargs):
            name = threading.current_thread().name
            if name not in first:
                first.add(name)
                barrier.wait()
            yield from real_fetch(fake, reportee, *args, **kwargs)

        self.patch(FakeAltinn3Transport, "fetch", fetch_once_both_started)

        self.patch(type(self.env["res.company"]), "_altinn_transport", transport)
        self.patch(fetch_cron, "hand_over", lambda documents, inline=False: "scheduled")
        self.patch(scheduled, "can_commit", lambda: True)  # the workers' own connections commit for real
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {"tracking_disable": True})
            firm = env["res.partner"].create({"name": "Parallell Regnskap AS", "is_company": True})
            firm.altinn_org_number = "313999904"
            firm.altinn_agent_system_user_id = env["altinn.system.user"]._altinn_for_firm(firm)
            firm.altinn_agent_system_user_id.state = "approved"
            companies = env["res.company"].create(
                [
                    {
                        "name": f"Arbeider {n} AS",
                        "altinn_org_number": org,
                        "altinn_transport": "altinn3",
                        "altinn_firm_id": firm.id,
                    }
                    for n, org in enumerate(valid_org_numbers("31400", self.COUNT))
                ]
            )
            for company in companies:
                org = company.altinn_org_number
                self.altinn.items[org] = [recent(f"W-{org}", org)]
            # Companies of other tests must not be fetched here.
            others = env["res.company"].search(
                [("id", "not in", companies.ids), ("altinn_fetch_ready", "=", True)]
            )
            self.others = others.ids
            others.write({"altinn_transport": "upload"})
            self.company_ids, self.firm_id = companies.ids, firm.id
        self.addCleanup(self._remove_committed)

    def _remove_committed(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            env["altinn.document"].search([("company_id", "in", self.company_ids)]).unlink()
            env["altinn.fetch.log"].search([("company_id", "in", self.company_ids)]).unlink()
            firm = env["res.partner"].browse(self.firm_id)
            system_user = firm.altinn_agent_system_user_id
            firm.altinn_agent_system_user_id = False
            system_user.unlink()
            env["res.company"].browse(self.others).write({"altinn_transport": "altinn3"})
            companies = env["res.company"].browse(self.company_ids)
            # Companies cannot always be deleted: then they stay, archived and out of every fetch.
            companies.write({"altinn_transport": "upload", "active": False, "altinn_firm_id": False})
            firm.active = False
            try:
                with cr.savepoint():
                    companies.unlink()
            except Exception as exc:  # archived instead, see above
                _logger.info("Test companies archived, not deleted: %s", exc)

    def test_two_workers_fetch_every_company_exactly_once(self):
        errors, results = [], {"A": [], "B": []}

        def worker():
            try:
                with self.registry.cursor() as cr:
                    # Tests run while the registry class lock is held: hand the registry to the thread.
                    cr.transaction = api.Transaction(self.registry)
                    env = api.Environment(cr, api.SUPERUSER_ID, {})
                    done = fetch_cron.run_cron(env, pool_size=1, claim_size=3, time_budget=120)
                    results[threading.current_thread().name] += [r.company_id for r in done]
            except Exception as exc:  # reported to the main thread
                errors.append(exc)

        threads = [threading.Thread(target=worker, name=name) for name in ("A", "B")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
        self.assertFalse(errors, errors)
        fetched = self.altinn.calls
        reportees = [reportee for _op, _owner, reportee in fetched]
        self.assertEqual(len(reportees), self.COUNT)
        self.assertEqual(len(set(reportees)), self.COUNT)  # every company exactly once
        a, b = set(results["A"]), set(results["B"])
        self.assertFalse(a & b)
        self.assertEqual(a | b, set(self.company_ids))
        self.assertTrue(a and b, "both workers took a share")
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*), count(DISTINCT company_id) FROM altinn_document WHERE company_id = ANY(%s)",
                [self.company_ids],
            )
            self.assertEqual(cr.fetchone(), (self.COUNT, self.COUNT))
