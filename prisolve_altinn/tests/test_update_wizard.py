# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from contextlib import contextmanager
from pathlib import Path

from odoo.exceptions import AccessError, UserError
from odoo.http import serialize_exception
from odoo.tests import tagged
from odoo.tools import format_datetime

from ..altinn import errors as altinn_errors
from ..altinn.types import FetchFailure
from ..booking import pipeline
from ..exceptions import AltinnUserError
from ..services import recording
from ..services.texts import in_company_lang
from ..wizards.altinn_update_wizard import SECRET_KEYS
from .common import (
    ORG_CLIENT_1,
    ORG_CLIENT_2,
    ORG_OWN,
    PERSON,
    SECRET_CODE,
    SYSTEM_FIRM,
    SYSTEM_OWN,
    AltinnCommon,
    make_item,
)

REAL_PROCESS = pipeline.process  # read before a test stubs it


@contextmanager
def capture_all_logs():
    """Every log record, down to DEBUG, formatted with its traceback; the console shows what it did before."""
    records = []
    formatter = logging.Formatter("%(name)s %(message)s")

    class Capture(logging.Handler):
        def emit(self, record):
            try:
                records.append(formatter.format(record))
            except Exception:  # a bad format string must not hide the others
                records.append(f"{record.name} {record.msg!r} {record.args!r}")

    root = logging.getLogger()
    # Odoo (and pytest-odoo) set levels on named loggers: lower them all, remember them for the console.
    loggers = [root] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and logger.level != logging.NOTSET
    ]
    before = {logger.name: logger.level for logger in loggers}

    def shown_before(record):
        name = record.name
        while name not in before and "." in name:
            name = name.rsplit(".", 1)[0]
        return record.levelno >= before.get(name, before["root"])

    quiet = logging.Filter()
    quiet.filter = shown_before
    for handler in root.handlers:
        handler.addFilter(quiet)
    capture = Capture(level=logging.DEBUG)
    root.addHandler(capture)
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    try:
        yield records
    finally:
        for logger in loggers:
            logger.setLevel(before[logger.name])
        root.removeHandler(capture)
        for handler in root.handlers:
            handler.removeFilter(quiet)


@tagged("post_install", "-at_install")
class TestUpdateWizard(AltinnCommon):
    def run_update(self, wizard, **secrets):
        return wizard.with_context(**(secrets or self.secrets())).action_update()

    def documents(self, company=None):
        return self.env["altinn.document"].search([("company_id", "=", (company or self.company).id)])

    # ------------------------------------------------------------------
    # The secrets
    # ------------------------------------------------------------------
    def test_secret_fields_have_no_column(self):
        fields = self.env["altinn.update.wizard"]._fields
        self.env.cr.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'altinn_update_wizard'"
        )
        columns = {row[0] for row in self.env.cr.fetchall()}
        self.assertIn("company_id", columns)
        for name in ("username", "password", "pin_code"):
            self.assertFalse(fields[name].store)
            self.assertNotIn(name, columns)

    def test_web_save_drops_the_secrets(self):
        """The wizard's form saves without reading back (its js_class); the save keeps nothing."""
        wizard_model = self.env["altinn.update.wizard"].with_context(default_company_id=self.company.id)
        result = wizard_model.web_save({"username": PERSON[0], "password": PERSON[1]}, {})
        wizard = wizard_model.browse(result[0]["id"])
        self.assertEqual(result, [{"id": wizard.id}])
        wizard.web_save({"pin_code": SECRET_CODE}, {})
        self.env.invalidate_all()
        values = wizard.web_read({"username": {}, "password": {}, "pin_code": {}, "company_id": {}})[0]
        self.assertEqual((values["username"], values["password"], values["pin_code"]), (False, False, False))
        self.assertEqual(values["company_id"], self.company.id)

    def test_form_saves_without_reading_back(self):
        arch = self.env["altinn.update.wizard"].get_view(view_type="form")["arch"]
        self.assertIn('js_class="prisolve_altinn_update_wizard_form"', arch)
        for button, keys in (("action_request_pin", SECRET_KEYS[:2]), ("action_update", SECRET_KEYS)):
            node = arch[arch.index(f'name="{button}"') :]
            context = node[node.index('context="') + 9 :]
            context = context[: context.index('"')]
            for key in keys:
                self.assertIn(f"'{key}'", context)

    def test_secrets_never_stored_logged_or_posted(self):
        self.altinn.code = "Q7W3E9R5-KODE"
        secrets = self.secrets(code=self.altinn.code)
        self.altinn.items[ORG_OWN] = [
            make_item("AR1001"),
            FetchFailure("AR1002", "Broken", RuntimeError("timeout")),
        ]
        wizard_model = self.env["altinn.update.wizard"].with_context(default_company_id=self.company.id)
        with capture_all_logs() as logs:
            wizard = wizard_model.browse(
                wizard_model.web_save({"username": PERSON[0], "password": PERSON[1]}, {})[0]["id"]
            )
            wizard.with_context(**self.secrets(pin=False)).action_request_pin()
            wizard.web_save({"pin_code": self.altinn.code}, {})
            action = wizard.with_context(**secrets).action_update()
            self.env.flush_all()
        self.assertEqual(wizard.state, "done")
        self.assertEqual(wizard.line_ids.new_count, 1)
        needles = [PERSON[0], PERSON[1], self.altinn.code]
        self.assertTrue(logs, "the capture must see the run's log records")
        for line in logs:
            for needle in needles:
                self.assertNotIn(needle, line)
        # A notification, then the dialog again: neither carries a secret.
        self.assertNotIn("context", action)
        for key in SECRET_KEYS:
            self.assertIs(action["params"]["next"]["context"][key], False)
        for needle in needles:
            self.assertNotIn(needle, str(action))
        self.assertEqual(self._tables_containing(needles), [])

    def _tables_containing(self, needles):
        """(table, column) of every text column in the database holding one of ``needles``."""
        cr = self.env.cr
        cr.execute("""
            SELECT c.table_name, c.column_name
              FROM information_schema.columns c
              JOIN information_schema.tables t
                ON t.table_name = c.table_name AND t.table_schema = c.table_schema
             WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
               AND c.data_type IN ('character varying', 'text', 'jsonb', 'json')
        """)
        by_table = {}
        for table, column in cr.fetchall():
            by_table.setdefault(table, []).append(column)
        patterns = [f"%{needle}%" for needle in needles]
        found = []
        for table, columns in by_table.items():
            condition = " OR ".join(f'"{column}"::text LIKE ANY(%(patterns)s)' for column in columns)
            cr.execute(f'SELECT 1 FROM "{table}" WHERE {condition} LIMIT 1', {"patterns": patterns})
            if cr.fetchone():
                found.append(table)
        return found

    def test_secrets_are_out_of_the_context_while_recording(self):
        seen = []
        original = recording.record_items

        def spy(documents, company, items):
            seen.append(dict(documents.env.context))
            return original(documents, company, items)

        self.patch(recording, "record_items", spy)
        self.altinn.items[ORG_OWN] = [make_item("AR2001")]
        self.run_update(self.make_wizard())
        self.assertTrue(seen)
        for key in SECRET_KEYS:
            self.assertNotIn(key, seen[0])

    def test_missing_credentials_say_what_to_fill_in(self):
        wizard = self.make_wizard()
        with self.assertRaisesRegex(UserError, "Personal password"):
            wizard.with_context(altinn_username=PERSON[0]).action_request_pin()
        with self.assertRaisesRegex(UserError, "Get SMS code"):
            wizard.with_context(**self.secrets(pin=False)).action_update()
        self.assertFalse(self.altinn.calls)

    def test_empty_code_after_a_code_was_sent_asks_for_the_code(self):
        wizard = self.make_wizard()
        wizard.with_context(**self.secrets(pin=False)).action_request_pin()
        with self.assertRaises(UserError) as caught:
            wizard.with_context(**self.secrets(pin=False)).action_update()
        message = caught.exception.args[0]
        self.assertIn("Type the code from the SMS Altinn sent you", message)
        self.assertNotIn("Get SMS code", message)

    # ------------------------------------------------------------------
    # Step 1
    # ------------------------------------------------------------------
    def test_request_pin_shows_altinn_answer_and_validity(self):
        wizard = self.make_wizard()
        self.assertIn(SYSTEM_OWN[0], wizard.access_info)
        action = wizard.with_context(**self.secrets(pin=False)).action_request_pin()
        self.assertEqual((action["type"], action["tag"]), ("ir.actions.client", "display_notification"))
        self.assertNotIn("next", action["params"])  # the dialog must stay open, not reload
        message = action["params"]["message"]
        self.assertIn("SMS med engangskode er sendt", message)
        self.assertIn("valid until", message)
        self.assertEqual(wizard.pin_message, "SMS med engangskode er sendt")
        self.assertTrue(wizard.pin_valid_to)
        self.assertEqual(wizard.state, "login")
        self.assertEqual(self.altinn.calls, [("request_pin", SYSTEM_OWN[0], None)])
        self.assertEqual(self.altinn.closed, 1)

    def test_session_validity_is_in_the_users_time_zone_else_oslo(self):
        """Altinn's time is written in the user's zone; in Oslo's when the user has none or only UTC (a
        browser on a server sets UTC at the first login), never in UTC."""
        for tz, shown in ((False, "Europe/Oslo"), ("UTC", "Europe/Oslo"), ("America/New_York", None)):
            self.env.user.tz = tz
            wizard = self.make_wizard()
            action = wizard.with_context(**self.secrets(pin=False)).action_request_pin()
            lang = in_company_lang(wizard)._lang()
            local = format_datetime(self.env, wizard.pin_valid_to, shown or tz, "short", lang)
            utc = format_datetime(self.env, wizard.pin_valid_to, "UTC", "short", lang)
            self.assertIn(local, action["params"]["message"], tz)
            self.assertNotIn(utc, action["params"]["message"], tz)

    def test_request_pin_without_mobile_number(self):
        self.altinn.persons[PERSON[0]]["phone"] = False
        wizard = self.make_wizard()
        with self.assertRaises(UserError) as caught:
            wizard.with_context(**self.secrets(pin=False)).action_request_pin()
        self.assertIn("Min profil", caught.exception.args[0])
        self.assertIn("Mobilnummer er ikke registrert", caught.exception.args[0])
        self.assertFalse(wizard.pin_valid_to)

    def test_messages_are_titled_by_their_kind(self):
        """The dialog's title says what kind of problem it is, in the company's language (not Odoo's "Invalid
        Operation"): the title travels in the error's context under the exception name the browser's dialog
        is registered for (static/src/js/altinn_error_dialog.js)."""
        env = self.env(su=True)
        env["res.lang"]._activate_lang("nb_NO")
        env["ir.module.module"].search([("name", "=", "prisolve_altinn")])._update_translations(["nb_NO"])
        self.company.sudo().partner_id.lang = "nb_NO"
        wizard = self.make_wizard()
        cases = (
            ({"altinn_username": PERSON[0]}, "Opplysninger mangler"),
            (self.secrets(pin=False, password="wrong"), "Innlogging i Altinn"),
        )
        for context, title in cases:
            with self.assertRaises(AltinnUserError) as caught:
                wizard.with_context(**context).action_request_pin()
            self.assertIsInstance(caught.exception, UserError)
            data = serialize_exception(caught.exception)
            self.assertEqual(data["context"], {"altinn_title": title})
            self.assertEqual(data["name"], "odoo.addons.prisolve_altinn.exceptions.AltinnUserError")
        script = Path(__file__).resolve().parents[1] / "static/src/js/altinn_error_dialog.js"
        self.assertIn(f'"{data["name"]}"', script.read_text())

    def test_request_pin_wrong_password(self):
        wizard = self.make_wizard()
        with self.assertRaises(UserError) as caught:
            wizard.with_context(**self.secrets(pin=False, password="wrong")).action_request_pin()
        sentence, details = caught.exception.args[0].split("\n")
        # One sentence about the password (no code was asked for yet); Altinn's words only for support.
        self.assertIn("personal password", sentence)
        self.assertNotIn("SMS code", sentence)
        for altinns in ("Incorrect username/password/pin", "989"):
            self.assertNotIn(altinns, sentence)
            self.assertIn(altinns, details)
        self.assertTrue(details.startswith("Details for support: "), details)
        self.assertEqual(wizard.pin_request_count, 0)

    def test_a_new_code_voids_the_earlier_one_and_says_so(self):
        wizard = self.make_wizard()
        first = wizard.with_context(**self.secrets(pin=False)).action_request_pin()
        self.assertNotIn("no longer works", first["params"]["message"])
        # The earlier code was 73519; Altinn sent a new one.
        self.altinn.code = "55555"
        second = wizard.with_context(**self.secrets(pin=False)).action_request_pin()
        self.assertIn("the code in the earlier SMS no longer works", second["params"]["message"])
        self.assertEqual(wizard.pin_request_count, 2)
        self.altinn.items[ORG_OWN] = [make_item("AR6101")]
        with self.assertRaises(UserError) as caught:
            self.run_update(wizard, **self.secrets(code=SECRET_CODE))
        sentence = caught.exception.args[0].split("\n")[0]
        self.assertIn("you asked for a new code, so only the code in the latest SMS works", sentence)
        self.assertEqual(wizard.state, "login")
        self.run_update(wizard, **self.secrets(code="55555"))
        self.assertEqual(wizard.state, "done")

    def test_a_wrong_code_after_one_request_says_use_the_latest_sms(self):
        wizard = self.make_wizard()
        wizard.with_context(**self.secrets(pin=False)).action_request_pin()
        with self.assertRaises(UserError) as caught:
            self.run_update(wizard, **self.secrets(code="00000"))
        sentence = caught.exception.args[0].split("\n")[0]
        self.assertIn("type the code from the latest SMS", sentence)
        self.assertNotIn("you asked for a new code", sentence)

    def test_request_pin_wrong_system_password(self):
        self.company.sudo().altinn_system_password = "not-it"
        with self.assertRaisesRegex(UserError, "system ID and system password"):
            self.make_wizard().with_context(**self.secrets(pin=False)).action_request_pin()

    def test_norwegian_message_when_user_language_is_bokmal(self):
        self.env["res.lang"].sudo()._activate_lang("nb_NO")
        wizard = self.make_wizard().with_context(lang="nb_NO")
        with self.assertRaisesRegex(UserError, "godtok ikke"):
            wizard.with_context(**self.secrets(pin=False, password="wrong")).action_request_pin()

    # ------------------------------------------------------------------
    # Step 2
    # ------------------------------------------------------------------
    def test_update_records_documents_and_shows_summary(self):
        self.altinn.items[ORG_OWN] = [
            make_item("AR3001"),
            make_item("AR3002", kind="form"),
            make_item("AR3003"),
        ]
        wizard = self.make_wizard()
        action = self.run_update(wizard)
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["title"], "Fetched from Altinn")
        self.assertIn("3 new documents fetched", action["params"]["message"])
        reopen = action["params"]["next"]
        self.assertEqual(reopen["res_model"], "altinn.update.wizard")
        self.assertEqual(reopen["res_id"], wizard.id)
        self.assertEqual(reopen["target"], "new")
        self.assertEqual(wizard.state, "done")
        self.assertEqual(len(wizard.line_ids), 1)
        line = wizard.line_ids
        self.assertEqual(
            (line.company_id, line.new_count, line.known_count, line.failed_count), (self.company, 3, 0, 0)
        )
        self.assertEqual(line.status, "ok")
        self.assertIn("From Altinn: new 3, already in Odoo 0, not downloaded 0.", wizard.summary)
        self.assertEqual(wizard.waiting_count, 3)
        docs = self.documents()
        self.assertEqual(set(docs.mapped("reference")), {"AR3001", "AR3002", "AR3003"})
        self.assertEqual(wizard.document_ids, docs)
        self.assertEqual(docs.filtered(lambda d: d.reference == "AR3002").kind, "form")
        self.assertEqual(set(docs.mapped("state")), {"new"})
        self.assertTrue(self.company.altinn_synced_until)
        self.assertEqual(self.altinn.calls, [("fetch", SYSTEM_OWN[0], ORG_OWN)])
        self.assertEqual(self.altinn.closed, 1)
        opened = wizard.action_open_documents()
        self.assertEqual(self.env["altinn.document"].search(opened["domain"]), docs)

    def test_update_again_adds_nothing(self):
        self.altinn.items[ORG_OWN] = [make_item("AR4001"), make_item("AR4002")]
        self.run_update(self.make_wizard())
        before = self.documents()
        attachments = self.env["ir.attachment"].search_count([("res_model", "=", "altinn.document")])
        wizard = self.make_wizard()
        action = self.run_update(wizard)
        self.assertEqual(action["params"]["title"], "Nothing new")
        self.assertEqual(
            wizard.summary, "Nothing new in Altinn: the 2 documents of the period are already in Odoo."
        )
        self.assertEqual(self.documents(), before)
        self.assertEqual(
            self.env["ir.attachment"].search_count([("res_model", "=", "altinn.document")]), attachments
        )
        self.assertEqual((wizard.line_ids.new_count, wizard.line_ids.known_count), (0, 2))
        self.assertFalse(wizard.document_ids)
        # The transport was told what the ledger holds complete, so it need not download those again.
        self.assertTrue(self.altinn.known("AR4001") and self.altinn.known("AR4002"))
        self.assertFalse(self.altinn.known("AR4003"))
        before.filtered(lambda d: d.reference == "AR4002").sudo().incomplete = True
        self.run_update(self.make_wizard())
        self.assertTrue(self.altinn.known("AR4001"))
        self.assertFalse(self.altinn.known("AR4002"))  # incomplete: downloaded again to complete it

    def test_default_period_starts_a_day_before_the_last_fetch(self):
        wizard = self.make_wizard()
        self.assertLess(wizard.date_from, wizard.date_to)
        self.run_update(wizard)
        last = self.company.altinn_synced_until
        self.assertEqual(self.make_wizard().date_from.toordinal(), last.date().toordinal() - 1)

    def test_one_bad_item_never_aborts_the_batch(self):
        # Both the batched and the per-item path read an item's files through this function.
        original = recording.attachment_vals

        def attachment_vals(doc, item):
            if item.reference == "AR5003":
                raise ValueError("unreadable attachment")
            return original(doc, item)

        self.patch(recording, "attachment_vals", attachment_vals)
        self.altinn.items[ORG_OWN] = [
            make_item("AR5001"),
            FetchFailure("AR5002", "Skattemelding", altinn_errors.ElementNotFound(error_id=60016)),
            make_item("AR5003"),
            make_item("AR5004"),
        ]
        wizard = self.make_wizard()
        self.run_update(wizard)
        line = wizard.line_ids
        self.assertEqual((line.new_count, line.known_count, line.failed_count), (2, 0, 2))
        self.assertEqual(line.status, "warning")
        self.assertIn("Skattemelding (AR5002)", line.message)
        self.assertIn("no longer exists", line.message)
        self.assertIn("unreadable attachment", line.message)
        failed = self.documents().filtered(lambda d: d.state == "failed")
        self.assertEqual(set(failed.mapped("reference")), {"AR5002", "AR5003"})
        self.assertTrue(all(failed.mapped("incomplete")))
        self.assertFalse(
            self.env["ir.attachment"].search(
                [("res_model", "=", "altinn.document"), ("res_id", "in", failed.ids)]
            )
        )
        # Next time both come through: the failed rows are completed, nothing is duplicated.
        self.patch(recording, "attachment_vals", original)
        self.altinn.items[ORG_OWN][1] = make_item("AR5002")
        wizard = self.make_wizard()
        self.run_update(wizard)
        line = wizard.line_ids
        self.assertEqual((line.new_count, line.known_count, line.failed_count), (2, 2, 0))
        docs = self.documents()
        self.assertEqual(len(docs), 4)
        self.assertEqual(set(docs.mapped("state")), {"new"})
        self.assertFalse(any(docs.mapped("incomplete")) or any(docs.mapped("error")))
        self.assertEqual(len(docs.filtered(lambda d: d.reference == "AR5003")._altinn_files()), 2)

    def test_wrong_code_keeps_the_wizard_open(self):
        self.altinn.items[ORG_OWN] = [make_item("AR6001")]
        wizard = self.make_wizard()
        with self.assertRaisesRegex(UserError, "SMS code"):
            self.run_update(wizard, **self.secrets(code="00000"))
        self.assertEqual(wizard.state, "login")
        self.assertFalse(self.documents())

    def test_expired_session_says_get_a_new_code(self):
        self.altinn.session_expired = True
        with self.assertRaisesRegex(UserError, "Get SMS code"):
            self.run_update(self.make_wizard())

    def test_processing_hook_gets_the_new_documents(self):
        seen = []
        self.patch(pipeline, "process", lambda docs: seen.append(docs) or docs.browse())
        self.altinn.items[ORG_OWN] = [make_item("AR7001"), make_item("AR7002")]
        # altinn_process_now: book inline, not through the booking cron (issue 4 hands it over).
        self.run_update(self.make_wizard().with_context(altinn_process_now=True))
        self.run_update(self.make_wizard().with_context(altinn_process_now=True))  # nothing new: no call
        self.assertEqual(len(seen), 1)
        self.assertEqual(set(seen[0].mapped("reference")), {"AR7001", "AR7002"})

    def test_crash_in_processing_hook_keeps_the_documents(self):
        def crash(doc, batch):
            doc.write({"doc_type": "other"})
            raise RuntimeError("parser exploded")

        self.patch(pipeline, "process", REAL_PROCESS)  # AltinnCommon stubs it
        self.patch(pipeline, "plan", crash)
        self.altinn.items[ORG_OWN] = [make_item("AR7101")]
        wizard = self.make_wizard().with_context(altinn_process_now=True)
        self.run_update(wizard)
        doc = self.documents()
        self.assertEqual(doc.state, "failed")
        self.assertIn("parser exploded", doc.error)
        self.assertFalse(doc.doc_type)  # the hook's partial work was rolled back
        self.assertEqual(wizard.line_ids.new_count, 1)

    # ------------------------------------------------------------------
    # Klient level: several companies in one SMS session
    # ------------------------------------------------------------------
    def test_client_level_updates_ticked_companies_in_one_session(self):
        self.altinn.items[ORG_CLIENT_1] = [make_item("AR8001", ORG_CLIENT_1)]
        self.altinn.items[ORG_CLIENT_2] = [
            make_item("AR8002", ORG_CLIENT_2),
            make_item("AR8003", ORG_CLIENT_2),
        ]
        wizard = self.make_wizard(self.client_1)
        self.assertEqual(wizard.altinn_level, "firm")
        self.assertEqual(wizard.available_company_ids, self.client_2)
        wizard.other_company_ids = self.client_2
        wizard.with_context(**self.secrets(pin=False)).action_request_pin()
        self.run_update(wizard)
        self.assertEqual(
            self.altinn.calls,
            [
                ("request_pin", SYSTEM_FIRM[0], None),
                ("fetch", SYSTEM_FIRM[0], ORG_CLIENT_1),
                ("fetch", SYSTEM_FIRM[0], ORG_CLIENT_2),
            ],
        )
        by_company = {line.company_id: line for line in wizard.line_ids}
        self.assertEqual(by_company[self.client_1].new_count, 1)
        self.assertEqual(by_company[self.client_2].new_count, 2)
        self.assertEqual(self.documents(self.client_2).mapped("company_id"), self.client_2)
        self.assertEqual(set(self.documents(self.client_2).mapped("reportee")), {ORG_CLIENT_2})

    def test_no_rights_for_one_company_does_not_stop_the_others(self):
        self.altinn.items[ORG_CLIENT_1] = [make_item("AR9001", ORG_CLIENT_1)]
        self.altinn.reportee_errors[ORG_CLIENT_2] = altinn_errors.NoRights(error_id=5, error_guid="g-1")
        wizard = self.make_wizard(self.client_1, other_company_ids=[(6, 0, self.client_2.ids)])
        self.run_update(wizard)
        by_company = {line.company_id: line for line in wizard.line_ids}
        self.assertEqual((by_company[self.client_1].status, by_company[self.client_1].new_count), ("ok", 1))
        self.assertEqual(by_company[self.client_2].status, "error")
        self.assertIn("delegate", by_company[self.client_2].message)
        self.assertIn("g-1", by_company[self.client_2].message)
        self.assertFalse(self.client_2.altinn_synced_until)
        self.assertTrue(self.client_1.altinn_synced_until)

    def test_no_rights_for_the_only_company_keeps_the_wizard_open(self):
        self.altinn.reportee_errors[ORG_OWN] = altinn_errors.NoRights(error_id=5)
        wizard = self.make_wizard()
        with self.assertRaisesRegex(UserError, "delegate"):
            self.run_update(wizard)
        self.assertEqual(wizard.state, "login")

    def test_session_error_mid_batch_keeps_what_was_recorded(self):
        self.altinn.items[ORG_CLIENT_1] = [
            make_item("AR9101", ORG_CLIENT_1),
            altinn_errors.PinSessionExpired(error_id=989),
        ]
        self.altinn.items[ORG_CLIENT_2] = [make_item("AR9102", ORG_CLIENT_2)]
        wizard = self.make_wizard(self.client_1, other_company_ids=[(6, 0, self.client_2.ids)])
        self.run_update(wizard)
        by_company = {line.company_id: line for line in wizard.line_ids}
        self.assertEqual(
            (by_company[self.client_1].new_count, by_company[self.client_1].status), (1, "error")
        )
        self.assertIn("Not updated", by_company[self.client_2].message)
        self.assertNotIn(("fetch", SYSTEM_FIRM[0], ORG_CLIENT_2), self.altinn.calls)
        self.assertEqual(self.documents(self.client_1).reference, "AR9101")
        self.assertFalse(self.client_1.altinn_synced_until)  # incomplete: the next update starts as early

    def test_only_companies_of_the_same_datasystem(self):
        wizard = self.make_wizard(self.client_1, other_company_ids=[(6, 0, self.company.ids)])
        with self.assertRaisesRegex(UserError, "same Altinn credentials"):
            self.run_update(wizard)
        self.assertFalse(self.altinn.calls)

    def test_companies_must_be_active_in_the_switcher(self):
        env = self.env(context=dict(self.env.context, allowed_company_ids=self.client_1.ids))
        # The record rules only let the person work on the companies ticked in the switcher.
        with self.assertRaises(AccessError):
            env["altinn.update.wizard"].create({"company_id": self.client_2.id})
        wizard = env["altinn.update.wizard"].create({"company_id": self.client_1.id})
        self.assertFalse(wizard.available_company_ids)
        wizard.other_company_ids = self.client_2
        with self.assertRaisesRegex(UserError, "company switcher"):
            wizard.with_context(**self.secrets()).action_update()
        self.assertFalse(self.altinn.calls)

    def test_company_level_offers_no_other_companies(self):
        wizard = self.make_wizard()
        self.assertEqual(wizard.altinn_level, "company")
        self.assertFalse(wizard.available_company_ids)
        self.assertFalse(wizard.firm_id)

    # ------------------------------------------------------------------
    # What the person reads
    # ------------------------------------------------------------------
    def test_summary_counts_open_their_documents(self):
        self.altinn.items[ORG_OWN] = [make_item(f"AR-S{n}") for n in range(1, 6)] + [
            FetchFailure("AR-S9", "Brev", altinn_errors.ElementNotFound(error_id=60016))
        ]
        wizard = self.make_wizard()
        self.run_update(wizard)
        docs = {doc.reference: doc.sudo() for doc in wizard.document_ids}
        # As booking leaves them (booking has its own tests); AR-S5 still waits.
        for reference, state in (("AR-S1", "imported"), ("AR-S2", "duplicate"), ("AR-S3", "to_read")):
            docs[reference].state = state
        docs["AR-S4"].write({"state": "failed", "error": "Konto 2740 finnes ikke"})
        self.env.invalidate_all()
        counts = (
            wizard.imported_count,
            wizard.duplicate_count,
            wizard.letter_count,
            wizard.failed_count,
            wizard.waiting_count,
        )
        self.assertEqual(counts, (1, 1, 1, 2, 1))
        self.assertIn("not downloaded 1.", wizard.summary)
        self.assertIn("1 of 5 documents still waiting", wizard.summary)

        def opened(outcome):
            action = wizard.with_context(altinn_outcome=outcome).action_open_documents()
            self.assertFalse(any(action["context"].get(key) for key in SECRET_KEYS))
            return action, sorted(self.env["altinn.document"].search(action["domain"]).mapped("reference"))

        self.assertEqual(opened("imported")[1], ["AR-S1"])
        self.assertEqual(opened("letter")[1], ["AR-S3"])
        self.assertEqual(opened("failed")[1], ["AR-S4", "AR-S9"])  # booking failed, and not downloaded
        self.assertEqual(opened("waiting")[1], ["AR-S5"])
        action, references = opened("duplicate")
        self.assertEqual(references, ["AR-S2"])
        duplicates_view = self.env.ref("prisolve_altinn.view_altinn_document_list_duplicates")
        self.assertEqual(action["views"][0], (duplicates_view.id, "list"))
        self.assertEqual(len(opened(None)[1]), 5)
        docs["AR-S5"].state = "imported"
        self.env.invalidate_all()
        self.assertIn(
            "Booking done: imported: 2, duplicates: 1, letters to read: 1, failed: 1.", wizard.summary
        )
        refresh = wizard.action_altinn_refresh()
        self.assertEqual(refresh["params"]["next"]["res_id"], wizard.id)
        self.assertIn("imported: 2", refresh["params"]["message"])

    def test_duplicates_name_the_entry_that_holds_them(self):
        docs = recording.record_items(
            self.env["altinn.document"].sudo(), self.company, [make_item("AR-D1"), make_item("AR-D2")]
        )[0]
        journal = self.company_data["default_journal_misc"]
        move = self.env["account.move"].sudo().create({"journal_id": journal.id})
        Line = self.env["altinn.document.line"].sudo()
        claim = {"kind": "claim", "identifier": "krav-1"}
        booked = Line.create({**claim, "document_id": docs[0].id, "state": "booked", "move_id": move.id})
        Line.create({**claim, "document_id": docs[1].id, "state": "duplicate", "duplicate_of_id": booked.id})
        self.assertEqual(docs[1].duplicate_move_ids, move)
        self.assertFalse(docs[0].duplicate_move_ids)

    def test_texts_are_in_the_company_language_whoever_runs_the_wizard(self):
        self.env["res.lang"].sudo()._activate_lang("nb_NO")
        self.assertIn(self.env.lang, (None, "en_US"))  # an English-speaking accountant, a Norwegian company
        self.altinn.items[ORG_OWN] = [make_item("AR-NB1")]
        wizard = self.make_wizard()
        request = wizard.with_context(**self.secrets(pin=False)).action_request_pin()
        self.assertEqual(request["params"]["title"], "SMS-kode bestilt")
        with self.assertRaisesRegex(UserError, "godtok ikke SMS-koden"):
            self.run_update(wizard, **self.secrets(code="00000"))
        action = self.run_update(wizard)
        self.assertEqual(action["params"]["title"], "Hentet fra Altinn")
        self.assertIn("Fra Altinn: nye 1, allerede i Odoo 0, ikke lastet ned 0.", wizard.summary)
        self.assertIn("1 av 1 dokumenter venter", wizard.summary)
