# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Norwegian (nb) translations: complete, with the words Norwegian accountants use.

``TestTranslationsComplete`` reads the module's source strings from the code at test
time (Odoo's own export: Python ``_()``, views, fields, selections, menus, actions,
crons, activity types, groups, JS/XML templates) and fails listing every one that
i18n/nb.po does not translate, so a string added later by anyone is caught.
"""

import re
import warnings
from pathlib import Path

import polib

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

from .common import AltinnCommon

I18N_DIR = Path(__file__).resolve().parents[1] / "i18n"
PO_PATH = I18N_DIR / "nb.po"
POT_PATH = I18N_DIR / "prisolve_altinn.pot"
MODULE = "prisolve_altinn"
EXPORT_COMMAND = (
    "odoo-bin -d DB --addons-path=… --i18n-export=prisolve_altinn/i18n/prisolve_altinn.pot "
    "--modules=prisolve_altinn --stop-after-init"
)
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
        fields = self.env_nb["res.company"].fields_get(["altinn_system_id", "altinn_firm_id"])
        self.assertEqual(fields["altinn_system_id"]["string"], "Systemnummer")
        self.assertEqual(fields["altinn_firm_id"]["string"], "Regnskapsfører")
        wizard_fields = self.env_nb["altinn.update.wizard"].fields_get(["username", "pin_code"])
        self.assertEqual(wizard_fields["username"]["string"], "Fødselsnummer / brukernavn")
        self.assertEqual(wizard_fields["pin_code"]["string"], "SMS-kode")
        levels = dict(self.env_nb["res.company"].fields_get(["altinn_level"])["altinn_level"]["selection"])
        self.assertEqual(levels, {"company": "Selskap", "firm": "Klient"})
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
        self.assertIn("Selskapsnivå", self.company.with_env(self.env_nb).altinn_access_info)


@tagged("post_install", "-at_install")
class TestTranslationsComplete(TransactionCase):
    """Every source string of the module has a Norwegian translation, and the .pot lists them all."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with warnings.catch_warnings():
            # babel's extractor imports pkg_resources, which warns about its own deprecation.
            warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
            reader = TranslationModuleReader(cls.env.cr, modules=[MODULE])
        # (module, type, name, res_id, source, value, comments): the module's own terms only.
        cls.sources = {}
        for module, ttype, name, _res_id, source, _value, _comments in reader:
            if module == MODULE:
                cls.sources.setdefault(source, f"{ttype}:{name}")

    def _report(self, terms, limit=80):
        lines = [f"  {origin}: {term!r}" for term, origin in sorted(terms.items(), key=lambda item: item[1])]
        more = f"\n  … and {len(lines) - limit} more" if len(lines) > limit else ""
        return "\n".join(lines[:limit]) + more

    def test_every_source_string_has_a_norwegian_translation(self):
        self.assertGreater(len(self.sources), 200, "the export found too few strings: is the reader broken?")
        po = polib.pofile(str(PO_PATH))
        translated = {
            entry.msgid for entry in po if entry.msgstr.strip() and not entry.fuzzy and not entry.obsolete
        }
        missing = {term: origin for term, origin in self.sources.items() if term not in translated}
        if missing:
            self.fail(
                f"{len(missing)} source strings have no Norwegian translation in i18n/nb.po "
                f"(add msgid/msgstr entries):\n{self._report(missing)}"
            )

    def test_the_template_lists_every_source_string(self):
        pot = polib.pofile(str(POT_PATH))
        listed = {entry.msgid for entry in pot if not entry.obsolete}
        missing = {term: origin for term, origin in self.sources.items() if term not in listed}
        if missing:
            self.fail(
                f"i18n/prisolve_altinn.pot is out of date ({len(missing)} strings missing). Odoo loads nb.po "
                f"through the .pot, so regenerate it:\n  {EXPORT_COMMAND}\n{self._report(missing, limit=20)}"
            )
