# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The screens in a real browser: "Oppdater fra Altinn" end to end, in Norwegian.

Headless Chromium runs the tour ``prisolve_altinn_update_from_altinn``
(static/tests/tours/altinn_update_tour.js) as an accountant against the repository's
Altinn emulator: company → Altinn tab → Oppdater fra Altinn → Hent SMS-kode → the code
read from the emulator's SMS outbox → Oppdater i Odoo → summary → background booking →
documents → a draft journal entry.

Odoo skips browser tests without Chromium or websocket-client and still reports
"0 failed": here that is a failure (``_require_browser``).

``PRISOLVE_SCREENSHOTS=1`` saves the screens to static/description/screenshot_*.png
(the pictures of readme/USAGE.md and README.md); without it nothing is written.
"""

import base64
import json
import logging
import os
import sys
import unittest
from pathlib import Path

from odoo.tests import HttpCase, tagged
from odoo.tests import common as odoo_test_common

from .common import AltinnCommon

_logger = logging.getLogger(__name__)

ADDON_DIR = Path(__file__).resolve().parents[1]
REPO_DIR = ADDON_DIR.parent
SCREENSHOT_DIR = ADDON_DIR / "static" / "description"
# Same strings as in the tour.
TOUR = "prisolve_altinn_update_from_altinn"
EMULATOR_COOKIE = "prisolve_altinn_emulator"
SCREENSHOT_SIGNAL = "prisolve_altinn:screenshot:"
SCREENS = ("altinn_tab", "wizard_code", "summary", "summary_booked", "documents", "move")


def serve_screenshots(test, directory=None):
    """Answer the tour's screenshot requests; save PNGs to ``directory`` (None: only answer).

    The tour logs ``prisolve_altinn:screenshot:<name>`` and waits until ``<name>`` is in
    ``window.__prisolveAltinnShots``. This is the only code here that uses Odoo's private
    ChromeBrowser API (its console handler and DevTools calls); keep it that way.
    Returns the list of the names saved.
    """
    saved = []
    original = odoo_test_common.ChromeBrowser._handle_console

    def acknowledge(browser, name):
        expression = (
            f"(window.__prisolveAltinnShots = window.__prisolveAltinnShots || []).push({json.dumps(name)})"
        )
        browser._websocket_send("Runtime.evaluate", params={"expression": expression})

    def handle_console(browser, type, args=None, stackTrace=None, **kw):  # DevTools' argument names
        first = (args or [{}])[0].get("value")
        if type == "log" and isinstance(first, str) and first.startswith(SCREENSHOT_SIGNAL):
            name = first[len(SCREENSHOT_SIGNAL) :]
            if directory is None:
                acknowledge(browser, name)
            else:
                future = browser._websocket_send(
                    "Page.captureScreenshot", params={"format": "png"}, with_future=True
                )

                def save(done, name=name):
                    try:
                        data = base64.b64decode(done.result(timeout=0)["data"], validate=True)
                        (Path(directory) / f"screenshot_{name}.png").write_bytes(data)
                        saved.append(name)
                    except Exception:
                        _logger.exception("screenshot %s could not be saved", name)
                    acknowledge(browser, name)

                future.add_done_callback(save)
        return original(browser, type, args=args, stackTrace=stackTrace, **kw)

    test.patch(odoo_test_common.ChromeBrowser, "_handle_console", handle_console)
    return saved


@tagged("post_install", "-at_install")
class TestAltinnTour(AltinnCommon, HttpCase):
    fake_seam = False
    browser_size = "1366x900"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not (REPO_DIR / "altinn_emulator").is_dir():
            raise unittest.SkipTest("altinn_emulator is not next to the addon (repository checkout only)")
        if str(REPO_DIR) not in sys.path:
            sys.path.insert(0, str(REPO_DIR))
        from altinn_emulator import defaults
        from altinn_emulator.testing import running_emulator

        cls.emulator = cls.enterClassContext(running_emulator(seed=1, host="127.0.0.1"))
        cls.defaults = defaults
        # The user works in Norwegian: Odoo's own screens and ours.
        env = cls.env(su=True)
        env["res.lang"]._activate_lang("nb_NO")
        env["ir.module.module"]._load_module_terms(
            ["base", "base_setup", "web", "mail", "account", "prisolve_altinn"], ["nb_NO"], overwrite=True
        )
        company = cls.company.sudo()
        values = {
            "altinn_environment": "custom",
            "altinn_base_url": cls.emulator.url,
            "altinn_org_number": defaults.COMPANY,
            "altinn_system_id": defaults.SYSTEM_ID,
            "altinn_system_password": defaults.SYSTEM_PASSWORD,
        }
        if "altinn_transport" in company._fields:
            values["altinn_transport"] = "altinn2"
        company.write(values)
        company.partner_id.lang = "nb_NO"  # the background booking writes its notes in the company's language
        # An accountant who also administers the company's Odoo (she sees the system password field).
        cls.tour_user = odoo_test_common.new_test_user(
            env,
            login="kari_regnskap",
            name="Kari Nordmann",
            groups="base.group_user,base.group_system,account.group_account_manager",
            company_id=company.id,
            company_ids=[(6, 0, company.ids)],
            lang="nb_NO",
            tz="Europe/Oslo",
        )

    def setUp(self):
        self._require_browser()
        # AltinnCommon stubs the booking hook: book for real here.
        process = type(self.env["altinn.document"])._altinn_process
        super().setUp()
        self.patch(type(self.env["altinn.document"]), "_altinn_process", process)

    def _require_browser(self):
        """Fail, never skip, when the browser test cannot run (Odoo would skip it and report 0 failed)."""
        missing = []
        if odoo_test_common.websocket is None:
            missing.append("the Python package websocket-client")
        try:
            odoo_test_common._find_executable()
        except unittest.SkipTest:
            missing.append("Chromium (Debian: apt-get install chromium)")
        if missing:
            self.fail(
                f"The browser test of the Altinn screens cannot run: install {' and '.join(missing)}. "
                "Odoo would skip it and still report 0 failed."
            )

    def test_update_from_altinn_in_the_browser(self):
        emu, d = self.emulator, self.defaults
        company = self.company.sudo()
        expected = len(emu.items(d.COMPANY))
        self.assertGreater(expected, 2)
        screenshots = os.environ.get("PRISOLVE_SCREENSHOTS") == "1"
        saved = serve_screenshots(self, SCREENSHOT_DIR if screenshots else None)
        try:
            self.start_tour(
                f"/odoo/action-base.action_res_company_form/{company.id}",
                TOUR,
                login=self.tour_user.login,
                cookies={EMULATOR_COOKIE: emu.url},
                timeout=240,
            )
        except unittest.SkipTest as exc:  # e.g. Chromium did not start
            self.fail(f"The browser test was skipped: {exc}")
        self.env.invalidate_all()
        # One SMS, its code used for the update; no secret stored.
        self.assertEqual(len(emu.sms(d.PERSON_FNR)), 1)
        documents = self.env["altinn.document"].sudo().search([("company_id", "=", company.id)])
        self.assertEqual(len(documents), expected)
        self.assertFalse(documents.filtered(lambda doc: doc.state == "new"), "the booking did not run")
        moves = documents.move_id | documents.move_ids
        self.assertTrue(moves, "no journal entry was made")
        self.assertEqual(set(moves.mapped("state")), {"draft"})
        if screenshots:
            self.assertEqual(sorted(saved), sorted(SCREENS))
