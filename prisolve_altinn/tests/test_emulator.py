# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The real path: the seam builds the Altinn 2 SOAP transport, which talks to the
repository's Altinn emulator on 127.0.0.1. Skipped where the emulator is not
next to the addon (an installed addon does not depend on it)."""

from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import AltinnCommon, emulator_or_skip


@tagged("post_install", "-at_install")
class TestEmulator(AltinnCommon):
    fake_seam = False

    def setUp(self):
        super().setUp()
        try:
            from ..altinn.soap.transport import Altinn2Transport  # noqa: F401
        except ImportError as exc:
            self.skipTest(f"the Altinn 2 transport cannot be imported: {exc}")
        self.emulator = self.enterContext(emulator_or_skip(self))
        from altinn_emulator import defaults

        self.d = defaults
        # Our companies as the emulator knows them: A has its own datasystem, the firm serves two clients,
        # one of which never delegated anything to the firm.
        common = {"altinn_environment": "custom", "altinn_base_url": self.emulator.url}
        self.company.sudo().write({**common, "altinn_org_number": defaults.COMPANY})
        self.client_1.sudo().write({**common, "altinn_org_number": defaults.CLIENT_COMPANY})
        self.client_2.sudo().write({**common, "altinn_org_number": defaults.UNDELEGATED_COMPANY})
        self.firm.sudo().write(
            {
                "altinn_system_id": defaults.FIRM_SYSTEM_ID,
                "altinn_system_password": defaults.FIRM_SYSTEM_PASSWORD,
            }
        )
        self.company.sudo().write(
            {
                "altinn_system_id": defaults.SYSTEM_ID,
                "altinn_system_password": defaults.SYSTEM_PASSWORD,
            }
        )

    def wizard(self, company, **vals):
        today = fields.Date.context_today(self.env.user)
        return self.make_wizard(company, date_from=today - timedelta(days=800), date_to=today, **vals)

    def login(self, username=None, password=None):
        return {
            "altinn_username": username or self.d.PERSON_FNR,
            "altinn_password": password or self.d.PERSON_PASSWORD,
        }

    def request_code(self, wizard, **login):
        action = wizard.with_context(**self.login(**login)).action_request_pin()
        return action, self.emulator.last_sms_code(login.get("username") or self.d.PERSON_FNR)

    def test_company_level_end_to_end(self):
        wizard = self.wizard(self.company)
        transports = []
        real = type(self.env["res.company"])._altinn_transport

        def spy(company):
            transport = real(company)
            transports.append(transport)
            return transport

        with patch.object(type(self.env["res.company"]), "_altinn_transport", spy):
            action, code = self.request_code(wizard)
            self.assertIn("valid until", action["params"]["message"])
            self.assertTrue(wizard.pin_valid_to)
            wizard.with_context(**self.login(), altinn_pin_code=code).action_update()
        self.assertEqual(transports[0].name, "altinn2")
        self.assertTrue(all(isinstance(t.client.timeout, tuple) or t.client.timeout for t in transports))
        line = wizard.line_ids
        expected = len(self.emulator.items(self.d.COMPANY))
        self.assertEqual((line.status, line.new_count, line.failed_count), ("ok", expected, 0), line.message)
        docs = self.env["altinn.document"].search([("company_id", "=", self.company.id)])
        self.assertEqual(len(docs), expected)
        self.assertTrue(all(doc._altinn_files() for doc in docs))
        self.assertEqual(set(docs.mapped("reportee")), {self.d.COMPANY})
        # Again, with a new code: nothing new.
        wizard = self.wizard(self.company)
        _action, code = self.request_code(wizard)
        wizard.with_context(**self.login(), altinn_pin_code=code).action_update()
        self.assertEqual((wizard.line_ids.new_count, wizard.line_ids.known_count), (0, expected))
        self.assertEqual(
            self.env["altinn.document"].search_count([("company_id", "=", self.company.id)]), expected
        )

    def test_client_level_one_session_and_no_rights(self):
        wizard = self.wizard(self.client_1, other_company_ids=[(6, 0, self.client_2.ids)])
        self.assertEqual(wizard.altinn_level, "firm")
        _action, code = self.request_code(wizard)
        wizard.with_context(**self.login(), altinn_pin_code=code).action_update()
        self.assertEqual(len(self.emulator.sms(self.d.PERSON_FNR)), 1)  # one SMS for both companies
        by_company = {line.company_id: line for line in wizard.line_ids}
        self.assertEqual(by_company[self.client_1].status, "ok", by_company[self.client_1].message)
        self.assertEqual(by_company[self.client_1].new_count, len(self.emulator.items(self.d.CLIENT_COMPANY)))
        self.assertEqual(by_company[self.client_2].status, "error")
        self.assertIn("delegate", by_company[self.client_2].message)
        self.assertFalse(self.env["altinn.document"].search([("company_id", "=", self.client_2.id)]))

    def test_wrong_code_and_no_mobile(self):
        wizard = self.wizard(self.company)
        self.request_code(wizard)
        with self.assertRaises(UserError):
            wizard.with_context(**self.login(), altinn_pin_code="00000").action_update()
        self.assertEqual(wizard.state, "login")
        with self.assertRaisesRegex(UserError, "Min profil"):
            self.wizard(self.company).with_context(
                **self.login(self.d.NOMOBILE_FNR, self.d.NOMOBILE_PASSWORD)
            ).action_request_pin()
