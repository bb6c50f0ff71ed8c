# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import ORG_OWN, SYSTEM_FIRM, SYSTEM_OWN, AltinnCommon


@tagged("post_install", "-at_install")
class TestSettings(AltinnCommon):
    def test_company_level_uses_own_datasystem(self):
        self.assertEqual(self.company.altinn_org_number, ORG_OWN)
        access = self.company._altinn_resolve()
        self.assertEqual(access.level, "company")
        self.assertEqual((access.system_id, access.system_password), SYSTEM_OWN)
        self.assertEqual(self.company.altinn_level, "company")
        self.assertTrue(self.company.altinn_access_ok)
        self.assertIn("Selskap", self.company.altinn_access_info)
        self.assertIn(SYSTEM_OWN[0], self.company.altinn_access_info)

    def test_client_level_uses_firm_datasystem(self):
        access = self.client_1._altinn_resolve()
        self.assertEqual(access.level, "firm")
        self.assertEqual((access.system_id, access.system_password), SYSTEM_FIRM)
        self.assertEqual(access.firm, self.firm.sudo())
        info = self.client_1.altinn_access_info
        self.assertIn("Klient", info)
        self.assertIn(self.firm.name, info)
        self.assertIn(SYSTEM_FIRM[0], info)
        # Both clients of the firm share one SMS session; the company with its own system does not.
        key = self.client_1._altinn_provider().session_key(self.client_1)
        self.assertEqual(key, self.client_2._altinn_provider().session_key(self.client_2))
        self.assertNotEqual(key, self.company._altinn_provider().session_key(self.company))

    def test_own_system_id_wins_over_firm(self):
        self.client_1.sudo().write({"altinn_system_id": "1234", "altinn_system_password": "pw"})
        access = self.client_1._altinn_resolve()
        self.assertEqual((access.level, access.system_id), ("company", "1234"))

    def test_no_datasystem_explains_what_to_do(self):
        self.client_2.sudo().altinn_firm_id = False
        self.assertFalse(self.client_2.altinn_level)
        self.assertFalse(self.client_2.altinn_access_ok)
        self.assertIn("No datasystem", self.client_2.altinn_access_info)
        with self.assertRaisesRegex(UserError, "system ID"):
            self.client_2._altinn_check_settings()
        # A firm without a system ID is named in the explanation.
        firm = self.env["res.partner"].sudo().create({"name": "Tom Revisjon AS", "is_company": True})
        self.client_2.sudo().altinn_firm_id = firm
        self.assertIn("Tom Revisjon AS", self.client_2.altinn_access_info)

    def test_missing_password_is_named(self):
        self.firm.sudo().altinn_system_password = False
        with self.assertRaisesRegex(UserError, "Revisor og Regnskap AS"):
            self.client_1._altinn_check_settings()

    def test_environment_and_base_url(self):
        company = self.company.sudo()
        self.assertEqual(company._altinn_base_url(), "https://www.altinn.no")
        company.altinn_environment = "test"
        self.assertEqual(company._altinn_base_url(), "https://tt02.altinn.no")
        with self.assertRaises(ValidationError):
            company.write({"altinn_environment": "custom", "altinn_base_url": False})
        company.write({"altinn_environment": "custom", "altinn_base_url": "http://127.0.0.1:8099/"})
        self.assertEqual(company._altinn_base_url(), "http://127.0.0.1:8099")
        with self.assertRaises(ValidationError):
            company.altinn_base_url = "ftp://altinn"

    def test_org_number_from_registry_and_editable(self):
        company = self.client_2.sudo()
        company.vat = "NO923609016MVA"
        self.assertEqual(company.altinn_org_number, "923609016")
        company.l10n_no_bronnoysund_number = "974760673"
        self.assertEqual(company.altinn_org_number, "974760673")
        company.altinn_org_number = "999888704"  # edited by hand
        self.assertEqual(company.altinn_org_number, "999888704")
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
        access = self.company.with_user(self.env.user)._altinn_resolve()
        self.assertEqual(access.system_password, SYSTEM_OWN[1])
        self.assertNotIn(SYSTEM_OWN[1], repr(access))

    def test_company_form_shows_the_resolution(self):
        form = Form(self.client_2.sudo())
        self.assertEqual(form.altinn_level, "firm")
        form.altinn_firm_id = self.env["res.partner"]
        self.assertFalse(form.altinn_level)
        form.altinn_system_id = "777"
        self.assertEqual(form.altinn_level, "company")
        self.assertIn("777", form.altinn_access_info)

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
        self.assertIn(SYSTEM_FIRM[0], wizard.access_info)

    def test_non_admin_user_without_altinn_group(self):
        user = new_test_user(
            self.env(su=True), login="plain_user", groups="base.group_user", company_id=self.company.id
        )
        self.assertFalse(user.has_group("prisolve_altinn.group_altinn_user"))
        with self.assertRaises(AccessError):
            self.env["altinn.document"].with_user(user).search([])


@tagged("post_install", "-at_install")
class TestTransportAndSystemUsers(AltinnCommon):
    """The transport is a plain setting; Altinn 3 resolves Selskap/Klient in the same one method."""

    def test_new_companies_use_altinn3_and_the_setting_is_plain(self):
        company = self.env["res.company"].sudo().create({"name": "Ny Bedrift AS"})
        self.assertEqual(company.altinn_transport, "altinn3")
        # Editing the firm's Altinn 2 datasystem switches no client company anywhere.
        self.make_altinn3(self.client_1, firm=self.firm)
        self.firm.sudo().write({"altinn_system_id": "999", "altinn_system_password": "x"})
        self.assertEqual(self.client_1.altinn_transport, "altinn3")
        self.firm.sudo().altinn_system_id = False
        self.assertEqual(self.client_2.altinn_transport, "altinn2")

    def test_altinn3_own_system_user_wins_once_approved(self):
        self.make_altinn3(self.client_1, firm=self.firm)
        access = self.client_1._altinn_resolve()
        self.assertEqual(access.level, "firm")
        self.assertEqual(access.system_user, self.firm.sudo().altinn_agent_system_user_id)
        self.assertTrue(self.client_1.altinn_fetch_ready)
        own = self.env["altinn.system.user"].sudo()._altinn_for_company(self.client_1)
        self.client_1.sudo().altinn_system_user_id = own
        # Requested but not approved: the firm's approved client system user still serves the company.
        own.state = "requested"
        self.assertEqual(self.client_1._altinn_resolve().level, "firm")
        own.state = "approved"
        access = self.client_1._altinn_resolve()
        self.assertEqual((access.level, access.system_user), ("company", own))
        # The firm's client system user is withdrawn: the own one still fetches.
        self.firm.sudo().altinn_agent_system_user_id.state = "missing"
        self.assertTrue(self.client_1.altinn_fetch_ready)
        own.state = "rejected"
        self.assertFalse(self.client_1.altinn_fetch_ready)
        self.assertIn("rejected", self.client_1.altinn_access_info)

    def test_a_firm_that_keeps_its_own_books_has_two_system_users_with_distinct_refs(self):
        self.make_altinn3(self.company)
        firm_company = self.company.sudo()
        firm_company.partner_id.altinn_org_number = firm_company.altinn_org_number
        agent = self.env["altinn.system.user"].sudo()._altinn_for_firm(firm_company.partner_id)
        own = firm_company.altinn_system_user_id
        self.assertEqual(own.org_number, agent.org_number)
        self.assertEqual((own.kind, agent.kind), ("standard", "agent"))
        self.assertNotEqual(own.external_ref, agent.external_ref)
        self.assertEqual(own.external_ref, own.org_number)

    def test_problems_say_what_is_missing_for_altinn3(self):
        self.client_2.sudo().altinn_transport = "altinn3"
        with self.assertRaisesRegex(UserError, "Request system user"):
            self.client_2._altinn_check_settings()
        self.assertFalse(self.client_2.altinn_access_ok)
        self.assertFalse(self.client_2.altinn_fetch_ready)
        self.client_2.sudo().altinn_transport = "upload"
        with self.assertRaisesRegex(UserError, "file upload only"):
            self.client_2._altinn_transport()

    def test_only_altinn_administrators_request_system_users(self):
        self.assertFalse(self.env.user.has_group("prisolve_altinn.group_altinn_manager"))
        self.company.sudo().altinn_transport = "altinn3"
        with self.assertRaises(AccessError):
            self.company.action_altinn_request_system_user()
        with self.assertRaises(AccessError):
            self.firm.action_altinn_request_agent_system_user()
        owners = self.company.partner_id | self.firm
        self.assertFalse(self.env["altinn.system.user"].sudo().search([("partner_id", "in", owners.ids)]))
