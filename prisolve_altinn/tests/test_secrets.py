# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Secrets provably absent: after a full "Update from Altinn" run against the emulator, neither a pg_dump of
the database nor any log record (every logger at DEBUG, SQL included) holds the fødselsnummer, the
personal password or the SMS code."""

import logging
import subprocess
from contextlib import contextmanager
from datetime import timedelta

from odoo import api, fields
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL
from odoo.tools.misc import exec_pg_environ, find_pg_tool

from .common import TupleTimeouts, emulator_or_skip

# The emulator plays Altinn, which knows the secrets: its own log lines are not ours.
EMULATOR_LOGGERS = ("altinn_emulator",)
# Tables that grow by themselves while a test runs (bookkeeping of the server, not the run's data).
GROWS_BY_ITSELF = {"bus_bus", "bus_presence", "ir_cron_progress", "res_users_log", "ir_logging"}
COMPANY_SETTINGS = (
    "altinn_environment",
    "altinn_base_url",
    "altinn_org_number",
    "altinn_system_id",
    "altinn_system_password",
    "altinn_firm_id",
    "altinn_synced_until",
    "altinn_transport",
)


class FixedCode:
    """Stands in for the emulator's code generator: one distinctive 8-digit code, so that finding it in a
    50 MB dump means a leak and not a coincidence with an id or a timestamp."""

    def __init__(self, code):
        self.code = code

    def randrange(self, *_args):
        return self.code


@contextmanager
def capture_every_log_record(exclude=()):
    """Every record of every logger, down to DEBUG (odoo.sql_db then logs each query with its parameters),
    formatted with its traceback. The console keeps showing only what it showed before."""
    records = []

    class Capture(logging.Handler):
        def emit(self, record):
            if record.name.startswith(exclude):
                return
            try:
                records.append(self.format(record))
            except Exception:  # a broken format string must not hide the record
                records.append(f"{record.name} {record.msg!r} {record.args!r}")

    capture = Capture(logging.DEBUG)
    capture.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    loggers = [lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger)]
    levels = {lg: lg.level for lg in loggers}
    effective = {lg.name: lg.getEffectiveLevel() for lg in loggers}
    root_level = root.level
    quiet = logging.Filter()
    quiet.filter = lambda record: record.levelno >= effective.get(record.name, root_level or logging.INFO)
    for handler in root.handlers:
        handler.addFilter(quiet)
    for logger in loggers:
        logger.setLevel(logging.NOTSET)
        if not logger.propagate:
            logger.addHandler(capture)
    root.setLevel(logging.DEBUG)
    root.addHandler(capture)
    try:
        yield records
    finally:
        root.removeHandler(capture)
        root.setLevel(root_level)
        for logger, level in levels.items():
            logger.setLevel(level)
            logger.removeHandler(capture)
        for handler in root.handlers:
            handler.removeFilter(quiet)


@tagged("post_install", "-at_install")
class TestSecrets(TupleTimeouts, TransactionCase):
    """Why a second cursor: an Odoo test runs in one transaction that is rolled back at its end, and pg_dump
    (another connection) only sees committed data. So the wizard runs in a second, real cursor
    (``self.registry.cursor()``) that commits after each button, as the web client's requests would; the
    dump is taken from the committed database. A cleanup, registered before the run so that it also runs
    when the test fails, deletes what the run created, restores the company's settings, and fails when
    any table still holds a row created during the run. The run uses the database's main company, which
    this test's own transaction never writes (a plain TransactionCase), so the two connections never wait
    for each other.
    """

    def test_full_run_leaves_no_secret_in_a_dump_nor_in_the_log(self):
        try:
            pg_dump = find_pg_tool("pg_dump")
        except Exception:  # no PostgreSQL client tools on this machine
            pg_dump = None
        if not pg_dump:
            self.skipTest("pg_dump is not installed")
        emu = self.enterContext(emulator_or_skip(self))
        from altinn_emulator import defaults

        code = "83920471"
        emu.state.code_rng = FixedCode(int(code))
        secrets = {
            "fødselsnummer": defaults.PERSON_FNR,
            "personal password": defaults.PERSON_PASSWORD,
            "SMS code": code,
        }
        company_id = self.env.ref("base.main_company").id
        before = self._max_ids()
        self.addCleanup(self._clean_up, company_id, self._settings(company_id), before)

        with capture_every_log_record(exclude=EMULATOR_LOGGERS) as logs:
            result = self._run_wizard(emu, defaults, company_id, code)
        self.assertEqual(result["status"], "ok", result["message"])
        self.assertEqual(result["new"], len(emu.items(defaults.COMPANY)))
        self.assertTrue(result["new"])

        dump = subprocess.run(
            [pg_dump, "--no-owner", "--data-only", self.env.cr.dbname],
            env=exec_pg_environ(),
            capture_output=True,
            check=True,
            timeout=600,
        ).stdout
        # The dump sees the run's committed rows: otherwise the check below would prove nothing.
        for reference in result["references"]:
            self.assertIn(reference.encode(), dump)
        files = self._stored_files(before)
        self.assertTrue(files, "the run stored the documents' files")
        self.assertTrue(any("odoo.sql_db" in line for line in logs), "the capture saw the SQL at DEBUG")
        self.assertTrue(any("altinn" in line.lower() for line in logs))
        for what, secret in secrets.items():
            self.assertNotIn(secret.encode(), dump, f"the {what} is in the database dump")
            for name, content in files.items():
                self.assertNotIn(secret.encode(), content, f"the {what} is in the stored file {name}")
            leaks = [line for line in logs if secret in line]
            self.assertFalse(leaks, f"the {what} is in the log: {leaks[:3]}")

    # ------------------------------------------------------------------
    def _run_wizard(self, emu, defaults, company_id, code):
        """What the person does in the browser, one committed request per step."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            company = env["res.company"].browse(company_id)
            company.write(
                {
                    "altinn_environment": "custom",
                    "altinn_base_url": emu.url,
                    "altinn_org_number": defaults.COMPANY,
                    "altinn_system_id": defaults.SYSTEM_ID,
                    "altinn_system_password": defaults.SYSTEM_PASSWORD,
                    "altinn_firm_id": False,
                }
            )
            company.altinn_transport = "altinn2"
            # A second cursor, see the class docstring.
            cr.commit()  # pylint: disable=invalid-commit

            admin = env.ref("base.user_admin")
            user_env = api.Environment(cr, admin.id, {"allowed_company_ids": [company_id], "lang": "en_US"})
            wizards = user_env["altinn.update.wizard"].with_context(default_company_id=company_id)
            login = {"altinn_username": defaults.PERSON_FNR, "altinn_password": defaults.PERSON_PASSWORD}
            today = fields.Date.context_today(admin)
            saved = wizards.web_save(
                {
                    "username": defaults.PERSON_FNR,
                    "password": defaults.PERSON_PASSWORD,
                    "date_from": today - timedelta(days=800),
                    "date_to": today,
                },
                {},
            )
            wizard = wizards.browse(saved[0]["id"])
            wizard.with_context(**login).action_request_pin()
            # A second cursor, see the class docstring.
            cr.commit()  # pylint: disable=invalid-commit
            self.assertEqual(emu.last_sms_code(defaults.PERSON_FNR), code)
            wizard.web_save({"pin_code": code}, {})
            action = wizard.with_context(**login, altinn_pin_code=code).action_update()
            # A second cursor, see the class docstring.
            cr.commit()  # pylint: disable=invalid-commit
            # A notification, then the dialog again: neither carries a secret.
            self.assertNotIn("context", action)
            self.assertFalse(any(action["params"]["next"]["context"].values()))
            line = wizard.line_ids
            return {
                "status": line.status,
                "message": line.message,
                "new": line.new_count,
                "references": wizard.document_ids.mapped("reference"),
            }

    def _max_ids(self):
        with self.registry.cursor() as cr:
            cr.execute("""
                SELECT c.table_name FROM information_schema.columns c
                  JOIN information_schema.tables t
                    ON t.table_name = c.table_name AND t.table_schema = c.table_schema
                 WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.column_name = 'id'
                   AND c.data_type IN ('integer', 'bigint')
            """)
            tables = [row[0] for row in cr.fetchall()]
            result = {}
            for table in tables:
                cr.execute(SQL("SELECT COALESCE(MAX(id), 0) FROM %s", SQL.identifier(table)))
                result[table] = cr.fetchone()[0]
            return result

    def _settings(self, company_id):
        with self.registry.cursor() as cr:
            company = api.Environment(cr, api.SUPERUSER_ID, {})["res.company"].browse(company_id)
            values = company.read(list(COMPANY_SETTINGS))[0]
            return {
                name: (values[name][0] if isinstance(values[name], tuple) else values[name])
                for name in COMPANY_SETTINGS
            }

    def _stored_files(self, before):
        """{name: bytes} of the attachments the run stored in the filestore (not in the dump)."""
        with self.registry.cursor() as cr:
            Attachment = api.Environment(cr, api.SUPERUSER_ID, {})["ir.attachment"]
            attachments = Attachment.search(
                [("id", ">", before["ir_attachment"]), ("store_fname", "!=", False)]
            )
            files = {}
            for attachment in attachments:
                with open(Attachment._full_path(attachment.store_fname), "rb") as file:
                    files[attachment.name] = file.read()
            return files

    def _clean_up(self, company_id, settings, before):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {"active_test": False})
            documents = env["altinn.document"].search([("id", ">", before["altinn_document"])])
            related = [("res_model", "=", "altinn.document"), ("res_id", "in", documents.ids)]
            env["mail.activity"].search(related).unlink()
            env["mail.followers"].search(related).unlink()
            env["ir.attachment"].search(related).unlink()
            env["mail.message"].search(
                [("model", "=", "altinn.document"), ("res_id", "in", documents.ids)]
            ).unlink()
            documents.unlink()
            env["altinn.update.wizard"].search([("id", ">", before["altinn_update_wizard"])]).unlink()
            env["ir.cron.trigger"].search([("id", ">", before["ir_cron_trigger"])]).unlink()
            env["altinn.fetch.log"].search([("id", ">", before.get("altinn_fetch_log", 0))]).unlink()
            company = env["res.company"].browse(company_id)
            company.write({name: value for name, value in settings.items() if name != "altinn_transport"})
            company.altinn_transport = settings["altinn_transport"]
            # A second cursor, see the class docstring.
            cr.commit()  # pylint: disable=invalid-commit
        after = self._max_ids()
        left = []
        with self.registry.cursor() as cr:
            for table, max_id in after.items():
                if table in GROWS_BY_ITSELF or max_id <= before.get(table, 0):
                    continue
                cr.execute(
                    SQL("SELECT COUNT(*) FROM %s WHERE id > %s", SQL.identifier(table), before.get(table, 0))
                )
                if cr.fetchone()[0]:
                    left.append(table)
        self.assertFalse(left, f"rows created by the run are left in {left}")


@tagged("post_install", "-at_install")
class TestNeutralize(TransactionCase):
    """A duplicated database (``odoo-bin neutralize`` or a staging copy) never reaches production Altinn."""

    def test_neutralize_sql_switches_to_test_and_clears_system_passwords(self):
        from odoo.modules.neutralize import get_neutralization_queries

        Company = self.env["res.company"]
        main = self.env.ref("base.main_company")
        main.write(
            {
                "altinn_environment": "production",
                "altinn_system_id": "955044",
                "altinn_system_password": "Produksjon-1",
            }
        )
        other = Company.create(
            {
                "name": "Klient AS",
                "altinn_environment": "custom",
                "altinn_base_url": "http://127.0.0.1:8099",
                "altinn_system_password": "Emulator-2",
            }
        )
        firm = self.env["res.partner"].create(
            {
                "name": "Regnskap AS",
                "is_company": True,
                "altinn_system_id": "5454543",
                "altinn_system_password": "Firma-3",
            }
        )
        Client = self.env["altinn.maskinporten.client"].with_context(active_test=False)
        Client.search([]).write({"active": False})
        production = Client.create(
            {
                "name": "Prod",
                "environment": "production",
                "client_id": "p",
                "system_id": "991825827_prisolve",
                "private_key_pem": "PROD-KEY",
                "key_password": "PROD-KEY-PASSWORD",
            }
        )
        tt02 = Client.create(
            {
                "name": "Test",
                "environment": "test",
                "client_id": "t",
                "system_id": "991825827_prisolve",
                "private_key_pem": "TEST-KEY",
            }
        )
        self.env.flush_all()

        queries = list(get_neutralization_queries(["prisolve_altinn"]))
        self.assertEqual(len(queries), 1, "Odoo finds data/neutralize.sql")
        self.env.cr.execute(queries[0])
        self.env.invalidate_all()

        for company in Company.with_context(active_test=False).search([]):
            self.assertEqual(company.altinn_environment, "test", company.name)
            self.assertFalse(company.altinn_system_password, company.name)
        self.assertFalse(firm.altinn_system_password)
        self.assertEqual(
            (main.altinn_system_id, firm.altinn_system_id), ("955044", "5454543")
        )  # kept: not secret
        self.assertEqual(other.altinn_base_url, "http://127.0.0.1:8099")
        self.env.cr.execute(
            "SELECT id, private_key_pem, key_password FROM altinn_maskinporten_client WHERE id IN %s",
            [(production.id, tt02.id)],
        )
        keys = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        self.assertEqual(keys[production.id], (None, None))
        self.assertEqual(keys[tt02.id], ("TEST-KEY", None))  # a test client keeps working in the copy
