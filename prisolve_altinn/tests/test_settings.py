# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import ORG_OWN, SYSTEM_FIRM, SYSTEM_OWN, AltinnCommon


@tagged("post_install", "-at_install")
class TestSettings(AltinnCommon):
    def test_company_level_uses_own_datasystem(self):
        self.assertEqual(self.company.altinn_org_number, ORG_OWN)
        settings = self.company._altinn_settings()
        self.assertEqual(settings.level, "company")
        self.assertEqual((settings.system_id, settings.system_password), SYSTEM_OWN)
        self.assertEqual(self.company.altinn_level, "company")
        self.assertEqual(self.company.altinn_effective_system_id, SYSTEM_OWN[0])
        self.assertIn("Selskap", self.company.altinn_resolution_info)
        self.assertIn(SYSTEM_OWN[0], self.company.altinn_resolution_info)

    def test_client_level_uses_firm_datasystem(self):
        settings = self.client_1._altinn_settings()
        self.assertEqual(settings.level, "client")
        self.assertEqual((settings.system_id, settings.system_password), SYSTEM_FIRM)
        self.assertEqual(settings.firm_id, self.firm.id)
        info = self.client_1.altinn_resolution_info
        self.assertIn("Klient", info)
        self.assertIn(self.firm.name, info)
        self.assertIn(SYSTEM_FIRM[0], info)
        # Both clients of the firm share one SMS session; the company with its own system does not.
        self.assertEqual(settings.key, self.client_2._altinn_settings().key)
        self.assertNotEqual(settings.key, self.company._altinn_settings().key)

    def test_own_system_id_wins_over_firm(self):
        self.client_1.sudo().write({"altinn_system_id": "1234", "altinn_system_password": "pw"})
        settings = self.client_1._altinn_settings()
        self.assertEqual((settings.level, settings.system_id), ("company", "1234"))

    def test_no_datasystem_explains_what_to_do(self):
        self.client_2.sudo().altinn_client_id = False
        self.assertFalse(self.client_2.altinn_level)
        self.assertIn("No datasystem", self.client_2.altinn_resolution_info)
        with self.assertRaisesRegex(UserError, "system ID"):
            self.client_2._altinn_check_settings()
        # A firm without a system ID is named in the explanation.
        firm = self.env["res.partner"].sudo().create({"name": "Tom Revisjon AS", "is_company": True})
        self.client_2.sudo().altinn_client_id = firm
        self.assertIn("Tom Revisjon AS", self.client_2.altinn_resolution_info)

    def test_missing_password_is_named(self):
        self.firm.sudo().altinn_system_password = False
        with self.assertRaisesRegex(UserError, "Revisor og Regnskap AS"):
            self.client_1._altinn_check_settings()

    def test_environment_and_base_url(self):
        company = self.company.sudo()
        self.assertEqual(company._altinn_settings().base_url, "https://www.altinn.no")
        company.altinn_environment = "test"
        self.assertEqual(company._altinn_settings().base_url, "https://tt02.altinn.no")
        with self.assertRaises(ValidationError):
            company.write({"altinn_environment": "custom", "altinn_base_url": False})
        company.write({"altinn_environment": "custom", "altinn_base_url": "http://127.0.0.1:8099/"})
        self.assertEqual(company._altinn_settings().base_url, "http://127.0.0.1:8099")
        with self.assertRaises(ValidationError):
            company.altinn_base_url = "ftp://altinn"

    def test_org_number_from_registry_and_editable(self):
        company = self.client_2.sudo()
        company.vat = "NO923609016MVA"
        self.assertEqual(company.altinn_org_number, "923609016")
        company.l10n_no_bronnoysund_number = "974760673"
        self.assertEqual(company.altinn_org_number, "974760673")
        company.altinn_org_number = "999888777"  # edited by hand
        self.assertEqual(company.altinn_org_number, "999888777")
        with self.assertRaises(ValidationError):
            company.altinn_org_number = "12345"

    def test_passwords_only_for_settings_administrators(self):
        accountant = self.env.user
        self.assertFalse(accountant.has_group("base.group_system"))
        self.assertTrue(accountant.has_group("prisolve_altinn.group_altinn_user"))
        for record in (self.company, self.firm):
            self.assertNotIn("altinn_system_password", record.fields_get())
            with self.assertRaises(AccessError):
                record.read(["altinn_system_password"])
            with self.assertRaises(AccessError):
                record.write({"altinn_system_password": "x"})
        # Administrators read and write them, but can never export them.
        settings_admin = new_test_user(
            self.env(su=True),
            login="altinn_settings_admin",
            groups="base.group_system,base.group_partner_manager",
            company_id=self.company.id,
            company_ids=[(6, 0, self.all_companies.ids)],
        )
        self.assertEqual(self.company.with_user(settings_admin).altinn_system_password, SYSTEM_OWN[1])
        self.firm.with_user(settings_admin).altinn_system_password = "changed"
        self.assertEqual(self.firm.sudo().altinn_system_password, "changed")
        # Never in the firm's chatter (res.partner is a mail.thread).
        self.env.flush_all()
        messages = (
            self.env["mail.message"]
            .sudo()
            .search([("model", "=", "res.partner"), ("res_id", "=", self.firm.id)])
        )
        self.assertFalse(any("changed" in (m.body or "") for m in messages))
        self.assertFalse(
            self.env["mail.tracking.value"].sudo().search([("field_id.name", "=", "altinn_system_password")])
        )
        for model in ("res.company", "res.partner"):
            description = (
                self.env[model].sudo().fields_get(["altinn_system_password"])["altinn_system_password"]
            )
            self.assertFalse(description["exportable"])
            self.assertFalse(self.env[model]._fields["altinn_system_password"].copy)

    def test_the_accountant_reaches_altinn_without_seeing_the_password(self):
        # The seam reads the password with sudo on behalf of the person updating.
        settings = self.company.with_user(self.env.user)._altinn_settings()
        self.assertEqual(settings.system_password, SYSTEM_OWN[1])
        self.assertNotIn(SYSTEM_OWN[1], repr(settings))

    def test_company_form_shows_the_resolution(self):
        form = Form(self.client_2.sudo())
        self.assertEqual(form.altinn_level, "client")
        form.altinn_client_id = self.env["res.partner"]
        self.assertFalse(form.altinn_level)
        form.altinn_system_id = "777"
        self.assertEqual(form.altinn_level, "company")
        self.assertEqual(form.altinn_effective_system_id, "777")

    def test_firm_lists_its_client_companies(self):
        self.assertEqual(self.firm.altinn_client_company_ids, self.client_1 | self.client_2)
        self.assertEqual(self.firm.altinn_client_company_count, 2)

    def test_update_button_opens_wizard_for_company(self):
        action = self.client_1.action_altinn_update()
        self.assertEqual(action["res_model"], "altinn.update.wizard")
        self.assertEqual(action["context"]["default_company_id"], self.client_1.id)
        wizard = self.env["altinn.update.wizard"].with_context(**action["context"]).create({})
        self.assertEqual(wizard.company_id, self.client_1)
        self.assertEqual(wizard.firm_id, self.firm)
        self.assertEqual(wizard.available_company_ids, self.client_2)
        self.assertIn(SYSTEM_FIRM[0], wizard.datasystem_info)

    def test_non_admin_user_without_altinn_group(self):
        user = new_test_user(
            self.env(su=True), login="plain_user", groups="base.group_user", company_id=self.company.id
        )
        self.assertFalse(user.has_group("prisolve_altinn.group_altinn_user"))
        with self.assertRaises(AccessError):
            self.env["altinn.document"].with_user(user).search([])
