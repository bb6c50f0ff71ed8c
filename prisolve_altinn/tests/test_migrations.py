# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The migrations that carry 18.0.1.0.0's settings (issue 26), run on this database with the old schema made
in the test's transaction (rolled back with it). The whole path, from the oldest release in git, is the
upgrade test's (scripts/upgrade_test)."""

import importlib.util
from pathlib import Path

from odoo.tests import TransactionCase, tagged

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def load(version, name):
    spec = importlib.util.spec_from_file_location(
        f"prisolve_altinn_migration_{version.replace('.', '_')}_{name.replace('-', '_')}",
        MIGRATIONS / version / f"{name}.py",
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestMigrations(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Company = cls.env["res.company"]
        cls.firm = cls.env["res.partner"].create(
            {"name": "Regnskapsbyrå AS", "is_company": True, "altinn_system_id": "5454543"}
        )
        altinn2 = {"altinn_transport": "altinn2"}
        cls.own = Company.create({"name": "Eget AS", **altinn2, "altinn_system_id": "955044"})
        cls.client = Company.create({"name": "Klient AS", **altinn2, "altinn_firm_id": cls.firm.id})
        cls.none = Company.create({"name": "Uten AS"})
        # A connection chosen by hand, although the company has a datasystem.
        chosen = {"altinn_transport": "upload", "altinn_system_id": "955045"}
        cls.upload = Company.create({"name": "Opplast AS", **chosen})

    def column(self, column, companies):
        self.env.cr.execute(f"SELECT id, {column} FROM res_company WHERE id IN %s", [tuple(companies.ids)])
        values = dict(self.env.cr.fetchall())
        return [values[company.id] for company in companies]

    def test_18_0_1_0_0_datasystem_keeps_altinn2_and_last_fetch_is_the_sync_point(self):
        companies = self.own | self.client | self.none
        self.env.flush_all()
        cr = self.env.cr
        # 18.0.1.0.0 as first released: no connection column, the Altinn 2 wizard's last fetch time.
        cr.execute("ALTER TABLE res_company DROP COLUMN altinn_transport")
        cr.execute("ALTER TABLE res_company ADD COLUMN altinn_last_fetch timestamp")
        cr.execute(
            "UPDATE res_company SET altinn_last_fetch = '2026-11-20 08:15:00', altinn_synced_until = NULL "
            "WHERE id IN %s",
            [(self.own.id, self.none.id)],
        )
        cr.execute(
            "UPDATE res_company SET altinn_last_fetch = '2026-11-21 09:30:00', "
            "altinn_synced_until = '2026-12-01 10:00:00' WHERE id = %s",
            [self.client.id],
        )
        self.env.invalidate_all()
        load("18.0.1.1.0", "pre-migration").migrate(cr, "18.0.1.0.0")
        self.assertEqual(self.column("altinn_transport", companies), ["altinn2", "altinn2", "altinn3"])
        self.assertEqual(
            [str(value) for value in self.column("altinn_synced_until", companies)],
            # The client's sync point (Altinn 3 fetch) is more precise than its last Altinn 2 fetch: kept.
            ["2026-11-20 08:15:00", "2026-12-01 10:00:00", "2026-11-20 08:15:00"],
        )

    def test_a_connection_already_chosen_is_kept(self):
        # Later 18.0.1.0.0 builds stored the connection (a computed field a person could change).
        self.env.flush_all()
        cr = self.env.cr
        cr.execute("ALTER TABLE res_company ALTER COLUMN altinn_transport DROP NOT NULL")
        cr.execute("UPDATE res_company SET altinn_transport = NULL WHERE id = %s", [self.client.id])
        self.env.invalidate_all()
        load("18.0.1.1.0", "pre-migration").migrate(cr, "18.0.1.0.0")
        companies = self.own | self.client | self.none | self.upload
        expected = ["altinn2", "altinn2", "altinn3", "upload"]
        self.assertEqual(self.column("altinn_transport", companies), expected)

    def test_the_old_booking_job_goes_with_its_server_action(self):
        # As 18.0.1.0.0 loaded it: noupdate, so Odoo's update never removed it.
        old = self.env["ir.cron"].create(
            {
                "name": "Altinn: book new documents",
                "model_id": self.env["ir.model"]._get_id("altinn.document"),
                "state": "code",
                "code": "model._cron_altinn_process()",
                "interval_number": 1,
                "interval_type": "hours",
            }
        )
        action = old.ir_actions_server_id
        self.env["ir.model.data"].create(
            [
                {
                    "module": "prisolve_altinn",
                    "name": name,
                    "model": model,
                    "res_id": res_id,
                    "noupdate": True,
                }
                for name, model, res_id in (
                    ("ir_cron_altinn_book_documents", "ir.cron", old.id),
                    ("ir_cron_altinn_book_documents_ir_actions_server", "ir.actions.server", action.id),
                )
            ]
        )
        migration = load("18.0.1.3.0", "post-migration")
        migration.migrate(self.env.cr, "18.0.1.2.0")
        self.assertFalse(old.exists())
        self.assertFalse(action.exists())
        self.assertFalse(
            self.env["ir.model.data"].search_count(
                [("module", "=", "prisolve_altinn"), ("name", "like", "ir_cron_altinn_book_documents")]
            )
        )
        Cron = self.env["ir.cron"].with_context(active_test=False)
        jobs = Cron.search([("code", "like", "_cron_altinn_process")])
        self.assertEqual(list(jobs.get_external_id().values()), ["prisolve_altinn.ir_cron_altinn_process"])
        self.assertTrue(jobs.active)
        migration.migrate(self.env.cr, "18.0.1.2.0")  # a database without it: nothing to do
        self.assertTrue(self.env.ref("prisolve_altinn.ir_cron_altinn_fetch").exists())
