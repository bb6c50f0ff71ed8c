# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The Altinn 3 setup assistant in a real browser, in Norwegian, against the emulator (issue 24, item 8).

Headless Chromium runs the tour ``prisolve_altinn_setup_assistant`` (static/tests/tours/altinn_setup_tour.js)
as the firm's administrator, without a save in between: the assistant opens where it was used last with
step 5 checked, the Maskinporten step has its copy buttons, the client id typed is what "Test tilgangen"
tests, step 3 has no dashes, a company on Altinn 2 is requested (and switched to Altinn 3), approved in the
emulator and checked on its row; the old "request sent" is gone and the title stays. The texts the tour
reports must hold no English source string of the addon (``english_texts`` of test_tour).
"""

import unittest
import uuid

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests import common as odoo_test_common

from .common import ORG_UNDELEGATED, Altinn3EmulatorCase
from .test_tour import EMULATOR_COOKIE, english_texts, serve_screenshots

TOUR = "prisolve_altinn_setup_assistant"
CLIENT_COOKIE = "prisolve_altinn_client_id"


@tagged("post_install", "-at_install")
class TestSetupAssistantTour(Altinn3EmulatorCase, HttpCase):
    browser_size = "1366x900"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env(su=True)
        env["res.lang"]._activate_lang("nb_NO")
        env["ir.module.module"]._load_module_terms(
            ["base", "base_setup", "web", "mail", "account", "prisolve_altinn"], ["nb_NO"], overwrite=True
        )
        cls.admin_user = new_test_user(
            env,
            login="firma_admin",
            name="Driftsansvarlig Dag",
            groups="base.group_user,base.group_system,account.group_account_manager",
            company_id=cls.selskap.id,
            company_ids=[Command.set(cls.all_companies.ids)],
            lang="nb_NO",
            tz="Europe/Oslo",
        )

    def setUp(self):
        missing = []
        if odoo_test_common.websocket is None:
            missing.append("the Python package websocket-client")
        try:
            odoo_test_common._find_executable()
        except unittest.SkipTest:
            missing.append("Chromium")
        if missing:
            self.fail(f"The browser test of the setup assistant cannot run: install {' and '.join(missing)}.")
        super().setUp()

    def test_setup_assistant_in_the_browser(self):
        company = self.soap_klient  # still on Altinn 2
        company.write({"altinn_org_number": ORG_UNDELEGATED, "altinn_firm_id": False})
        # Maskinporten gave a new integration for the installation's key; Odoo still holds an old client id.
        client_id = str(uuid.uuid4())
        self.control("POST", "/clients", {"client_id": client_id, "jwk": self.vendor_data["public_jwk"]})
        old_client_id = self.vendor.client_id
        texts = {}
        serve_screenshots(self, None, texts)
        cids = "-".join(str(i) for i in self.all_companies.ids)
        try:
            self.start_tour(
                "/odoo/action-prisolve_altinn.action_altinn_setup_assistant",
                TOUR,
                login=self.admin_user.login,
                cookies={EMULATOR_COOKIE: self.url, CLIENT_COOKIE: client_id, "cids": cids},
                timeout=180,
            )
        except unittest.SkipTest as exc:
            self.fail(f"The browser test was skipped: {exc}")
        self.env.invalidate_all()
        self.assertNotEqual(old_client_id, client_id)
        self.assertEqual(self.vendor.client_id, client_id, "the typed client id was not what was tested")
        self.assertEqual(company.altinn_transport, "altinn3")
        self.assertEqual(company.altinn_system_user_id.state, "approved")
        self.assertEqual(sorted(texts), ["setup_assistant"])
        self.assertEqual(english_texts(texts["setup_assistant"]), [], "English on the assistant")
