# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re
from pathlib import Path

import polib

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import AltinnCommon

PO_PATH = Path(__file__).resolve().parents[1] / "i18n" / "nb.po"
PLACEHOLDER = re.compile(r"%\(\w+\)s|%s")


@tagged("post_install", "-at_install")
class TestNorwegian(AltinnCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"].sudo()._activate_lang("nb_NO")
        cls.env["ir.module.module"].sudo().search([("name", "=", "prisolve_altinn")])._update_translations(
            ["nb_NO"]
        )
        cls.env_nb = cls.env(context=dict(cls.env.context, lang="nb_NO"))

    def test_every_term_is_translated_with_its_placeholders(self):
        po = polib.pofile(str(PO_PATH))
        self.assertGreater(len(po), 100)
        for entry in po:
            self.assertTrue(entry.msgstr.strip(), f"no translation for {entry.msgid!r}")
            self.assertEqual(
                sorted(PLACEHOLDER.findall(entry.msgid)),
                sorted(PLACEHOLDER.findall(entry.msgstr)),
                entry.msgid,
            )

    def test_field_labels_and_buttons(self):
        fields = self.env_nb["res.company"].fields_get(["altinn_system_id", "altinn_client_id"])
        self.assertEqual(fields["altinn_system_id"]["string"], "Systemnummer")
        self.assertEqual(fields["altinn_client_id"]["string"], "Regnskapsfører")
        wizard_fields = self.env_nb["altinn.update.wizard"].fields_get(["username", "pin_code"])
        self.assertEqual(wizard_fields["username"]["string"], "Fødselsnummer / brukernavn")
        self.assertEqual(wizard_fields["pin_code"]["string"], "SMS-kode")
        levels = dict(self.env_nb["res.company"].fields_get(["altinn_level"])["altinn_level"]["selection"])
        self.assertEqual(levels, {"company": "Selskap", "client": "Klient"})
        arch = self.env_nb["altinn.update.wizard"].get_view(view_type="form")["arch"]
        for term in ("Hent SMS-kode", "Oppdater i Odoo"):
            self.assertIn(term, arch)
        arch = (
            self.env_nb["res.company"]
            .sudo()
            .get_view(self.env.ref("base.view_company_form").id, "form")["arch"]
        )
        self.assertIn("Oppdater fra Altinn", arch)
        self.assertIn("Slik setter du opp tilgang til Altinn", arch)

    def test_messages_in_code(self):
        wizard = self.make_wizard().with_env(self.env_nb)
        with self.assertRaisesRegex(UserError, "Fyll inn: Fødselsnummer / brukernavn"):
            wizard.action_request_pin()
        self.assertIn("Selskapsnivå", self.company.with_env(self.env_nb).altinn_resolution_info)
