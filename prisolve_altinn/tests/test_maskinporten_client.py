# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The Maskinporten client's form: access packages by name in the main view, Altinn's identifiers on the
Technical details tab (issue 24, item 9)."""

from lxml import etree

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestMaskinportenClientForm(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"].sudo()._activate_lang("nb_NO")
        cls.env["ir.module.module"].sudo().search([("name", "=", "prisolve_altinn")])._update_translations(
            ["nb_NO"]
        )
        cls.env_nb = cls.env(context=dict(cls.env.context, lang="nb_NO"))

    def test_access_packages_by_name(self):
        client = self.env_nb["altinn.maskinporten.client"].new(
            {
                "environment": "test",
                "client_id": "c",
                "system_id": "991825827_prisolve",
                # A short identifier, a URN, and a package this installation has no name for.
                "standard_access_packages": "skattegrunnlag urn:altinn:accesspackage:merverdiavgift",
                "agent_access_packages": "urn:altinn:accesspackage:regnskapsforer-med-signeringsrettighet "
                "revisor-medarbeider",
            }
        )
        self.assertEqual(
            client.access_packages_text,
            "Eget selskap: Skattegrunnlag, Merverdiavgift\n"
            "Regnskapsfører, for sine klienter: Regnskapsfører med signeringsrettighet, Revisor medarbeider",
        )
        self.assertNotIn("urn:", client.access_packages_text)
        client.agent_access_packages = False
        self.assertEqual(client.access_packages_text, "Eget selskap: Skattegrunnlag, Merverdiavgift")

    def test_identifiers_only_on_the_technical_tab(self):
        arch = etree.fromstring(self.env_nb["altinn.maskinporten.client"].get_view(view_type="form")["arch"])
        main = [field.get("name") for field in arch.xpath("//sheet/group//field")]
        self.assertIn("access_packages_text", main)
        for raw in ("standard_access_packages", "agent_access_packages"):
            self.assertNotIn(raw, main)
            self.assertEqual(len(arch.xpath(f"//page[@name='technical']//field[@name='{raw}']")), 1, raw)
        self.assertEqual(arch.xpath("//page[@name='technical']/@string"), ["Tekniske detaljer"])
