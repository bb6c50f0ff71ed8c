# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import shutil

from odoo.tests import HttpCase, tagged

from ..altinn.types import UserCredentials
from .common import ORG_OWN, PERSON, SECRET_CODE, AltinnCommon, FakeTransport, make_item


@tagged("post_install", "-at_install")
class TestWizardInBrowser(AltinnCommon, HttpCase):
    """The real web client: the password typed in step 1 reaches step 2 without being stored."""

    def test_update_wizard_in_the_browser(self):
        if not shutil.which("chromium") and not shutil.which("google-chrome"):
            self.skipTest("no Chromium: the browser test of the wizard cannot run")
        seen = []
        original = FakeTransport.fetch

        def fetch(transport, reportee, since, until, credentials=None, known=None):
            seen.append(credentials)
            return original(transport, reportee, since, until, credentials, known)

        self.patch(FakeTransport, "fetch", fetch)
        self.altinn.items[ORG_OWN] = [make_item("AR-UI-1"), make_item("AR-UI-2")]
        self.start_tour(
            "/odoo/action-prisolve_altinn.action_altinn_document",
            "prisolve_altinn_update_wizard",
            login=self.accountant.login,
        )
        # Odoo silently skips tours without a browser: prove this one ran.
        self.assertEqual(len(seen), 1, "the tour did not reach Altinn")
        self.assertIsInstance(seen[0], UserCredentials)
        self.assertEqual((seen[0].username, seen[0].password, seen[0].pin_code), (*PERSON, SECRET_CODE))
        docs = self.env["altinn.document"].search([("company_id", "=", self.company.id)])
        self.assertEqual(sorted(docs.mapped("reference")), ["AR-UI-1", "AR-UI-2"])
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT count(*) FROM altinn_update_wizard WHERE company_id = %s", [self.company.id]
        )
        self.assertEqual(self.env.cr.fetchone()[0], 1)
