# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Setting Altinn 3 up the way a real accounting firm does, in real Odoo against the emulator (which follows
Altinn's rules, altinn_emulator/README.md): the setup assistant from a key made in Odoo to a fetch, a firm
that keeps its own books with both system users, a rejected or expired request redone, client discovery,
a dialog with an unreadable attachment, the switch from Altinn 2 to Altinn 3 without duplicates, who may
do what and the trail of who did it, and the failures a customer meets, each explained."""

import json
import uuid
from datetime import datetime, timedelta

import requests

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from ..services import recording
from .common import ORG_FIRM, ORG_FIRM_CLIENT, ORG_OWN, ORG_UNDELEGATED, Altinn3EmulatorCase


@tagged("post_install", "-at_install")
class TestAltinn3Setup(Altinn3EmulatorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.settings_admin = new_test_user(
            cls.env,
            login="a3_settings_admin",
            name="Driftsansvarlig",
            groups="base.group_user,base.group_system,account.group_account_manager",
            company_id=cls.selskap.id,
            company_ids=[Command.set(cls.all_companies.ids)],
        )

    # helpers -----------------------------------------------------------
    def add_client(self, org):
        agent = self.system_user(ORG_FIRM, agent=True)["id"]
        self.control("POST", f"/systemusers/{agent}/clients", {"org": org})

    def dialog(self, party, title):
        return next(d for d in self.control("GET", f"/dialogs?party={party}") if d["title"] == title)

    def chatter(self, record):
        return "\n".join(record.message_ids.mapped("body"))

    def altinn3_wizard(self, company, user=None):
        wizard = (
            self.as_accountant["altinn.update.wizard"]
            .with_user(user or self.accountant)
            .with_context(default_company_id=company.id)
            .create({"date_from": fields.Date.context_today(self.accountant) - timedelta(days=800)})
        )
        wizard.action_update()
        return wizard

    # ------------------------------------------------------------------
    # The setup assistant, from a key made in Odoo to a fetch
    # ------------------------------------------------------------------
    def test_setup_assistant_from_a_new_key_to_approved_system_users(self):
        self.vendor.active = False  # a fresh installation: no Maskinporten client yet
        Wizard = self.env["altinn.setup.wizard"].with_user(self.settings_admin)
        wizard = Wizard.create(
            {
                "environment": "custom",
                "base_url": self.url,
                "vendor_org_number": self.vendor_data["vendor_org"],
                "system_id": self.vendor_data["system_id"],
            }
        )
        # (1) The key is made here; only its public half is shown.
        wizard.action_generate_key()
        client = wizard.client_record_id
        self.assertTrue(client.private_key_pem.startswith("-----BEGIN PRIVATE KEY-----"))
        jwk = json.loads(wizard.public_jwk)
        self.assertEqual((jwk["kty"], jwk["alg"]), ("RSA", "RS256"))
        self.assertNotIn("d", jwk)  # no private part
        self.assertIn("BEGIN PUBLIC KEY", wizard.public_pem)
        self.assertIn(self.settings_admin.name, self.chatter(client))
        # ... registered in Maskinporten's self-service, which gives the client id (on no system yet).
        client_id = str(uuid.uuid4())
        self.control("POST", "/clients", {"client_id": client_id, "jwk": jwk, "system_id": None})
        wizard.client_id = client_id
        wizard.action_save()
        self.assertEqual(client.client_id, client_id)

        # (2) The grant test names the problem and who fixes it.
        wizard.action_test_grant()
        self.assertFalse(wizard.grant_ok)
        self.assertIn("✔ Maskinporten token", wizard.grant_result)
        self.assertIn("✘ The system in Altinn's system register", wizard.grant_result)
        self.assertIn("client id is not listed on the system", wizard.grant_result)
        self.assertIn("Register or update the system", wizard.grant_result)

        # (3) This installation is the system's vendor: it adds its client id to the system.
        self.assertTrue(wizard.own_vendor)
        wizard.action_register_system()
        self.assertIn(client_id, wizard.message)
        system = next(
            s for s in self.control("GET", "")["systems"] if s["id"] == self.vendor_data["system_id"]
        )
        self.assertIn(client_id, system["clientId"])
        self.assertIn("system register", self.chatter(client))
        wizard.action_test_grant()
        self.assertTrue(wizard.grant_ok, wizard.grant_result)
        wizard.action_register_system()
        self.assertIn("nothing to change", wizard.message)

        # (4) A company's own system user, requested with the new integration ...
        self.klient.write({"altinn_org_number": ORG_UNDELEGATED, "altinn_firm_id": False})
        wizard.request_company_ids = self.klient
        wizard.action_request_system_users()
        system_user = self.klient.altinn_system_user_id
        self.assertEqual(system_user.state, "requested")
        self.assertIn("request sent", wizard.message)
        self.assertIn(system_user, wizard.system_user_ids)
        self.assertIn("approval link", system_user.next_step)
        # (5) ... approved by the company; the assistant reads every state and tests each token.
        self.control("POST", f"/requests/{system_user.request_id}/approve")
        wizard.action_check_system_users()
        self.assertEqual(system_user.state, "approved")
        self.assertIn("✔ System-user token: works.", wizard.check_result)
        self.assertIn("Nothing", system_user.next_step)
        self.run_fetch_cron()
        self.assertEqual(
            sorted(self.documents(self.klient).mapped("title")), self.expected_titles(ORG_UNDELEGATED)
        )

        # A rotated key: the test says the public key must be registered; once it is, the grant works.
        wizard.action_generate_key()
        wizard.action_test_grant()
        self.assertFalse(wizard.grant_ok)
        self.assertIn("registers the public key", wizard.grant_result)
        self.control("POST", "/clients", {"client_id": client_id, "jwk": json.loads(wizard.public_jwk)})
        wizard.action_test_grant()
        self.assertTrue(wizard.grant_ok, wizard.grant_result)

        # Another vendor's system: the assistant says exactly what the vendor must add, and writes nothing.
        wizard.vendor_org_number = "987654325"
        self.assertFalse(wizard.own_vendor)
        for text in (client_id, "regnskapsforer-med-signeringsrettighet", "skattegrunnlag"):
            self.assertIn(text, wizard.vendor_instructions)
        with self.assertRaises(UserError):
            wizard.action_register_system()

    def test_the_grant_test_uses_the_client_id_on_the_screen(self):
        """Issue 24: "Test the grant" tried the saved client id, not the one just typed."""
        self.vendor.client_id = str(uuid.uuid4())  # saved earlier, unknown to Maskinporten
        wizard = (
            self.env["altinn.setup.wizard"]
            .with_user(self.settings_admin)
            .create({"environment": "custom", "base_url": self.url})
        )
        wizard.client_id = self.vendor_data["client_id"]  # typed, no "Save"
        wizard.action_test_grant()
        self.assertTrue(wizard.grant_ok, wizard.grant_result)
        self.assertEqual(self.vendor.client_id, self.vendor_data["client_id"])
        self.assertIn("Maskinporten client ID", wizard.message)
        self.assertIn(self.settings_admin.name, self.chatter(self.vendor))
        self.assertEqual(self.vendor.last_test_result, wizard.grant_result)
        # An Altinn administrator cannot change step 1: the saved client is tested as it is.
        wizard = self.env["altinn.setup.wizard"].with_user(self.manager).create({"environment": "custom"})
        wizard.client_id = "typed-by-someone-else"
        wizard.action_test_grant()
        self.assertTrue(wizard.grant_ok, wizard.grant_result)
        self.assertEqual(self.vendor.client_id, self.vendor_data["client_id"])

    def test_the_assistant_reopens_where_the_user_was(self):
        """Issue 24: it reopened on Production with empty fields and "No key yet"."""
        Wizard = self.env["altinn.setup.wizard"].with_user(self.settings_admin)
        wizard = Wizard.create({"environment": "test", "system_id": "991825827_odooaltinn"})
        wizard.action_generate_key()
        wizard.client_id = "tt02-client"
        wizard.action_save()
        reopened = Wizard.create({})
        self.assertEqual(reopened.environment, "test")
        self.assertEqual((reopened.system_id, reopened.client_id), ("991825827_odooaltinn", "tt02-client"))
        self.assertIn("RSA 2048-bit key", reopened.key_info)
        self.assertEqual(reopened.public_jwk, wizard.public_jwk)
        # Back on the emulator: the next time the assistant opens there, with its URL.
        self.env["res.company"].search([("altinn_environment", "=", "custom")]).altinn_environment = "test"
        wizard = self.env["altinn.setup.wizard"].with_user(self.manager).create({"environment": "custom"})
        wizard.base_url = self.url
        wizard.action_test_grant()
        reopened = Wizard.create({})
        self.assertEqual((reopened.environment, reopened.base_url), ("custom", self.url))
        self.assertEqual(reopened.client_id, self.vendor_data["client_id"])
        self.assertIn("key ID", reopened.key_info)

    def test_step_3_says_whose_number_it_is_and_names_no_missing_value_with_a_dash(self):
        """Issue 24: "Ask the vendor of the system - (organisation -) …", and an organisation number that
        silently made this installation the vendor."""
        self.vendor.active = False
        wizard = (
            self.env["altinn.setup.wizard"].with_user(self.settings_admin).create({"environment": "test"})
        )
        self.assertIn("Enter the system ID in step 1", wizard.vendor_instructions)
        wizard.system_id = "991825827_prisolve"
        self.assertFalse(wizard.own_vendor)
        for text in (wizard.vendor_instructions, wizard.vendor_role):
            self.assertNotRegex(text, r"(^|\s)-[\s.,)]|\(organisation -\)")
        self.assertIn("First enter in step 1 the client ID", wizard.vendor_instructions)
        self.assertIn("991825827", wizard.vendor_instructions)
        self.assertIn("skattegrunnlag", wizard.vendor_instructions)
        self.assertIn("If 991825827 is your own organisation", wizard.vendor_role)
        # Another organisation's number: the system stays the other vendor's, and the text says so.
        wizard.vendor_org_number = "987654325"
        self.assertFalse(wizard.own_vendor)
        self.assertIn("not to yours (987654325)", wizard.vendor_role)
        # The vendor's own number: the assistant says that step 3 now writes the system.
        wizard.vendor_org_number = "991825827"
        self.assertTrue(wizard.own_vendor)
        self.assertIn("Your organisation (991825827) is the vendor", wizard.vendor_role)
        self.assertIn("step 3 registers the system", wizard.vendor_role)
        self.assertIn(
            "Your organisation number",
            wizard.fields_get(["vendor_org_number"])["vendor_org_number"]["string"],
        )

    def test_every_company_the_user_manages_is_offered_and_switched_to_altinn3(self):
        """Issue 24: only companies already on Altinn 3 were offered, with no word about the others."""
        company = self.soap_klient  # on Altinn 2
        company.write({"altinn_org_number": ORG_UNDELEGATED, "altinn_firm_id": False})
        other = self._create_company(name="Ikke min AS")  # a company the manager does not manage
        wizard = self.env["altinn.setup.wizard"].with_user(self.manager).create({"environment": "custom"})
        lines = {line.company_ref: line for line in wizard.company_line_ids}
        self.assertEqual(set(lines), set(self.manager.company_ids.ids))
        self.assertNotIn(other.id, lines)
        self.assertEqual(
            (lines[company.id].name, lines[company.id].transport, lines[company.id].system_user_state),
            (company.name, "altinn2", False),
        )
        self.assertEqual(lines[self.selskap.id].system_user_state, "approved")
        wizard.base_url = self.url
        lines[company.id].selected = True
        wizard.action_request_system_users()
        self.assertEqual(
            (company.altinn_transport, company.altinn_environment, company.altinn_base_url),
            ("altinn3", "custom", self.url),
        )
        self.assertEqual(company.altinn_system_user_id.state, "requested")
        self.assertIn("is now on Altinn 3", wizard.message)
        self.assertIn(self.manager.name, self.chatter(company.partner_id))
        line = wizard.company_line_ids.filtered(lambda line: line.company_ref == company.id)
        self.assertEqual(
            (line.selected, line.transport, line.system_user_state), (False, "altinn3", "requested")
        )
        # A request that fails leaves the company on Altinn 2.
        self.soap_selskap.altinn_org_number = False
        wizard.company_line_ids.filtered(
            lambda line: line.company_ref == self.soap_selskap.id
        ).selected = True
        wizard.action_request_system_users()
        self.assertIn("organisation number", wizard.message)
        self.assertEqual(self.soap_selskap.altinn_transport, "altinn2")

    def test_step_5_is_checked_as_the_assistant_opens(self):
        """Issue 24: step 5 stayed empty until "Check all in Altinn" was clicked."""
        self.klient.write({"altinn_org_number": ORG_UNDELEGATED, "altinn_firm_id": False})
        self.klient.with_user(self.manager).action_altinn_request_system_user()
        system_user = self.klient.altinn_system_user_id
        self.control("POST", f"/requests/{system_user.request_id}/approve")
        for menu in ("menu_altinn_setup_wizard", "menu_altinn_setup"):
            self.assertEqual(
                self.env.ref(f"prisolve_altinn.{menu}").action,
                self.env.ref("prisolve_altinn.action_altinn_setup_assistant"),
            )
        as_manager = self.env(user=self.manager, context={"allowed_company_ids": self.all_companies.ids})
        action = as_manager.ref("prisolve_altinn.action_altinn_setup_assistant").run()
        self.assertEqual(action["res_model"], "altinn.setup.wizard")
        wizard = as_manager["altinn.setup.wizard"].browse(action["res_id"])
        self.assertEqual(system_user.state, "approved")
        self.assertIn(system_user, wizard.system_user_ids)
        self.assertIn(f"{system_user.name}: Approved", wizard.check_result)
        self.assertIn("✔ System-user token: works.", wizard.check_result)
        self.assertTrue(wizard.result_current)
        # The form as the browser saves and reads it, in one request: step 5 lists the system users.
        saved = as_manager["altinn.setup.wizard"].web_save({}, {"system_user_ids": {"fields": {"state": {}}}})
        self.assertIn(system_user.id, [row["id"] for row in saved[0]["system_user_ids"]])

    def test_a_result_is_hidden_once_altinn_says_otherwise(self):
        """Issue 24: "request sent" stayed on the assistant after the request was approved."""
        self.klient.write({"altinn_org_number": ORG_UNDELEGATED, "altinn_firm_id": False})
        as_manager = self.env(user=self.manager, context={"allowed_company_ids": self.all_companies.ids})
        wizard = as_manager["altinn.setup.wizard"].create({"environment": "custom"})
        wizard.company_line_ids.filtered(lambda line: line.company_ref == self.klient.id).selected = True
        wizard.action_request_system_users()
        self.assertIn("request sent", wizard.message)
        self.assertTrue(wizard.result_current)
        system_user = self.klient.altinn_system_user_id
        self.control("POST", f"/requests/{system_user.request_id}/approve")
        system_user.with_env(as_manager).action_check()  # "Check status" on its row
        wizard.invalidate_recordset()
        self.assertFalse(wizard.result_current)
        arch = wizard.get_view(view_type="form")["arch"]
        self.assertIn('invisible="not message or not result_current"', arch)
        wizard.action_check_system_users()
        self.assertTrue(wizard.result_current)
        self.assertIn(f"{system_user.name}: no change in Altinn (Approved)", wizard.check_result)

    def test_the_maskinporten_step_says_where_and_what_with_copy_buttons(self):
        """Issue 24: registering the public key in Maskinporten is a step outside Odoo: where, what, copy."""
        Wizard = self.env["altinn.setup.wizard"].with_user(self.settings_admin)
        wizard = Wizard.create({"environment": "test", "system_id": "991825827_odooaltinn"})
        wizard.action_generate_key()
        self.assertEqual(wizard.self_service_url, "https://sjolvbetjening.test.samarbeid.digdir.no")
        steps = wizard.maskinporten_steps
        for text in ("Outside Odoo", "https://sjolvbetjening.test.samarbeid.digdir.no", "Test (tt02)", "JWK"):
            self.assertIn(text, steps)
        self.assertIn("your organisation", steps)
        for scope in ("altinn:authentication/systemuser.request.write", "digdir:dialogporten"):
            self.assertIn(scope, wizard.scopes_needed.split())
        wizard.vendor_org_number = "991825827"
        self.assertIn("on behalf of 991825827", wizard.maskinporten_steps)
        wizard.environment = "production"
        self.assertIn("https://sjolvbetjening.samarbeid.digdir.no", wizard.maskinporten_steps)
        wizard.write({"environment": "custom", "base_url": self.url})
        self.assertIn(f"{self.url}/_emulator/altinn3/clients", wizard.maskinporten_steps)
        # Copy buttons: the JWK, the scopes and the address.
        arch = wizard.get_view(view_type="form")["arch"]
        self.assertRegex(arch, r'<field name="public_jwk"[^>]*widget="CopyClipboardButton"')
        self.assertRegex(arch, r'<field name="scopes_needed"[^>]*widget="CopyClipboardChar"')
        self.assertRegex(arch, r'<field name="self_service_url"[^>]*widget="CopyClipboardURL"')
        self.assertIn('name="maskinporten_steps"', arch)

    def test_scopes_and_packages_missing_are_named_with_who_must_act(self):
        # An integration that was granted the reading scopes only.
        client_id = str(uuid.uuid4())
        scopes = ["digdir:dialogporten", "altinn:correspondence.read", "altinn:instances.read"]
        self.control(
            "POST",
            "/clients",
            {"client_id": client_id, "jwk": self.vendor_data["public_jwk"], "scopes": scopes},
        )
        self.vendor.client_id = client_id
        wizard = (
            self.env["altinn.setup.wizard"].with_user(self.settings_admin).create({"environment": "custom"})
        )
        wizard.action_test_grant()
        self.assertFalse(wizard.grant_ok)
        self.assertIn("✘ Maskinporten token", wizard.grant_result)
        self.assertIn("has not been granted the scopes", wizard.grant_result)
        self.assertIn("altinn:authentication/systemuser.request.write", wizard.grant_result)

        # A request for an access package the system does not list: refused, and the vendor adds it.
        wizard.client_id = self.vendor_data["client_id"]
        wizard.action_save()
        self.vendor.agent_access_packages = "regnskapsforer-med-signeringsrettighet revisormedarbeider"
        self.control("POST", f"/systemusers/{self.system_user(ORG_FIRM, agent=True)['id']}/revoke")
        self.firm.altinn_agent_system_user_id.state = "missing"
        with self.assertRaisesRegex(UserError, "access package that the system does not list"):
            self.firm.with_user(self.manager).action_altinn_request_agent_system_user()
        wizard.action_register_system()
        self.assertIn("Revisormedarbeider", wizard.message)  # by name (issue 24, item 9)
        self.assertNotIn("urn:", wizard.message)
        self.firm.with_user(self.manager).action_altinn_request_agent_system_user()
        self.assertEqual(self.firm.altinn_agent_system_user_id.state, "requested")

    def test_only_managers_set_up_and_only_settings_administrators_see_the_key(self):
        with self.assertRaises(AccessError):
            self.env["altinn.setup.wizard"].with_user(self.accountant).create({})
        with self.assertRaises(AccessError):
            self.selskap.altinn_system_user_id.with_user(self.accountant).action_request()
        with self.assertRaises(AccessError):
            self.firm.with_user(self.accountant).action_altinn_discover_clients()
        # An Altinn administrator tests the grant and requests system users, without seeing or changing
        # the key.
        wizard = self.env["altinn.setup.wizard"].with_user(self.manager).create({"environment": "custom"})
        wizard.base_url = self.url
        wizard.action_test_grant()
        self.assertTrue(wizard.grant_ok, wizard.grant_result)
        with self.assertRaises(AccessError):
            wizard.action_generate_key()
        with self.assertRaises(AccessError):
            wizard.action_register_system()
        with self.assertRaises(AccessError):
            wizard.read(["public_jwk"])
        arch = wizard.get_view(view_type="form")["arch"]
        self.assertNotIn("public_jwk", arch)
        self.assertNotIn("action_generate_key", arch)
        self.assertIn("action_request_system_users", arch)
        self.assertEqual(self.vendor.private_key_pem, self.vendor_data["private_key_pem"])

    # ------------------------------------------------------------------
    # A firm that keeps its own books: its own system user and its client system user
    # ------------------------------------------------------------------
    def test_firm_keeping_its_own_books_fetches_for_itself_and_two_clients(self):
        custom = {"altinn_environment": "custom", "altinn_base_url": self.url, "altinn_transport": "altinn3"}
        firm_company = self.env["res.company"].create(
            {
                "name": "Tallknuserne Regnskap AS",
                "partner_id": self.firm.id,
                "altinn_org_number": ORG_FIRM,
                **custom,
            }
        )
        client_2 = self.env["res.company"].create(
            {
                "name": "Ny Klient AS",
                "altinn_org_number": ORG_UNDELEGATED,
                "altinn_firm_id": self.firm.id,
                **custom,
            }
        )
        self.add_client(ORG_UNDELEGATED)
        self.all_companies |= firm_company | client_2
        self.manager.company_ids = [Command.link(firm_company.id), Command.link(client_2.id)]
        self.emulator.add_items(
            {
                "reportee": ORG_FIRM,
                "items": [
                    {
                        "kind": "message",
                        "title": "Kvittering for a-melding",
                        "body": "Mottatt",
                        "attachments": [{"name": "kvittering.txt", "mimetype": "text/plain", "text": "ok"}],
                    }
                ],
            }
        )
        # The firm's own (standard) system user beside its client (agent) one: no AUTH-00004, two references.
        firm_company.with_user(self.manager).action_altinn_request_system_user()
        own = firm_company.altinn_system_user_id
        self.assertEqual((own.kind, own.state, own.external_ref), ("standard", "requested", ORG_FIRM))
        self.control("POST", f"/requests/{own.request_id}/approve")
        firm_company.with_user(self.manager).action_altinn_check_system_user()
        agent = self.firm.altinn_agent_system_user_id
        self.assertEqual((own.state, agent.state), ("approved", "approved"))
        self.assertEqual({own.external_ref, agent.external_ref}, {ORG_FIRM, f"{ORG_FIRM}-klient"})
        in_altinn = [
            u for u in self.control("GET", "/systemusers") if u["owner_org"] == ORG_FIRM and not u["deleted"]
        ]
        self.assertEqual(sorted(u["agent"] for u in in_altinn), [False, True])
        self.assertEqual(firm_company.altinn_level, "company")
        self.assertEqual(client_2.altinn_effective_system_user_id, agent)

        self.run_fetch_cron()
        for company, org, system_user in (
            (firm_company, ORG_FIRM, own),
            (self.klient, ORG_FIRM_CLIENT, agent),
            (client_2, ORG_UNDELEGATED, agent),
        ):
            self.assertFalse(company.altinn_fetch_error, company.name)
            self.assertEqual(sorted(self.documents(company).mapped("title")), self.expected_titles(org))
            log = self.env["altinn.fetch.log"].search([("company_id", "=", company.id)], limit=1)
            self.assertEqual((log.trigger, log.outcome, log.system_user_id), ("cron", "ok", system_user))
        self.assertIn("Kvittering for a-melding", self.documents(firm_company).mapped("title"))

    # ------------------------------------------------------------------
    # Requests Altinn answered: rejected, expired, the other kind
    # ------------------------------------------------------------------
    def test_a_rejected_or_expired_request_is_redone(self):
        company = self.klient
        company.write({"altinn_org_number": ORG_UNDELEGATED, "altinn_firm_id": False})
        company.with_user(self.manager).action_altinn_request_system_user()
        system_user = company.altinn_system_user_id
        first = system_user.request_id
        self.control("POST", f"/requests/{first}/reject")
        company.with_user(self.manager).action_altinn_check_system_user()
        self.assertEqual(system_user.state, "rejected")
        self.assertIn("deleted and a new request sent", system_user.next_step)
        self.assertIn("deletes it in Altinn and sends a new one", company.altinn_access_info)
        self.assertFalse(company.altinn_fetch_ready)

        # Altinn returns a rejected request to every new POST until it is deleted: it is deleted and redone.
        action = company.with_user(self.manager).action_altinn_request_system_user()
        self.assertIn("deleted and a new request sent", action["params"]["message"])
        self.assertEqual(system_user.state, "requested")
        self.assertNotEqual(system_user.request_id, first)
        # Altinn no longer has the rejected request: the emulator's control knows no such live request.
        gone = requests.post(f"{self.url}/_emulator/altinn3/requests/{first}/approve", timeout=10)
        self.assertEqual(gone.status_code, 404)

        # A request nobody answered in time: a new one.
        second = system_user.request_id
        self.control("POST", f"/requests/{second}/timeout")
        company.with_user(self.manager).action_altinn_check_system_user()
        self.assertEqual(system_user.state, "expired")
        action = company.with_user(self.manager).action_altinn_request_system_user()
        self.assertIn("had expired", action["params"]["message"])
        self.assertNotIn(system_user.request_id, (first, second))
        self.control("POST", f"/requests/{system_user.request_id}/approve")
        company.with_user(self.manager).action_altinn_check_system_user()
        self.assertEqual(system_user.state, "approved")
        # Who did what: every step on the system user's chatter, with the person.
        trail = self.chatter(system_user)
        for text in (self.manager.name, "deleted and a new request sent", "had expired", "Approved"):
            self.assertIn(text, trail)

    def test_the_other_kind_under_our_reference_is_a_conflict_never_approved(self):
        # A client system user record that (as before the fix) uses the company's own reference: Altinn has
        # the company's standard system user under it (AUTH-00004, of the other kind).
        owner = self.env["res.partner"].create({"name": "Solbakken (gammel)", "is_company": True})
        record = self.env["altinn.system.user"].create(
            {
                "kind": "agent",
                "partner_id": owner.id,
                "org_number": ORG_OWN,
                "external_ref": ORG_OWN,
            }
        )
        owner.altinn_agent_system_user_id = record
        action = record.with_user(self.manager).action_request()
        self.assertEqual(record.state, "conflict")
        self.assertFalse(record.altinn_id)
        message = action["params"]["message"]
        self.assertIn("must delete", message)
        self.assertIn(ORG_OWN, message)
        self.assertIn("Own (Selskap)", message)
        self.assertEqual(record.next_step, record._altinn_conflict_text())

    # ------------------------------------------------------------------
    # Client discovery
    # ------------------------------------------------------------------
    def test_client_discovery_creates_a_company(self):
        self.add_client(ORG_UNDELEGATED)
        action = self.firm.with_user(self.manager).action_altinn_discover_clients()
        # The wizard is the manager's own (no one else reads it).
        wizard = self.env["altinn.client.wizard"].with_user(self.manager).browse(action["res_id"])
        lines = {line.org_number: line for line in wizard.line_ids}
        self.assertEqual(set(lines), {ORG_OWN, ORG_FIRM_CLIENT, ORG_UNDELEGATED})
        self.assertEqual(
            (lines[ORG_FIRM_CLIENT].action, lines[ORG_FIRM_CLIENT].existing_company_id),
            ("linked", self.klient),
        )
        self.assertEqual((lines[ORG_OWN].action, lines[ORG_OWN].existing_company_id), ("link", self.selskap))
        self.assertEqual((lines[ORG_UNDELEGATED].action, lines[ORG_UNDELEGATED].selected), ("create", True))
        lines[ORG_OWN].selected = False  # the company keeps its own system user only
        action = wizard.with_user(self.manager).action_apply()
        # The dialog keeps its title, and says only what was done (issue 24: "linked: -." and "Odoo").
        self.assertEqual(action["name"], "Clients in Altinn")
        self.assertIn("companies created", wizard.message)
        self.assertNotIn("linked", wizard.message)
        self.assertNotIn("-", wizard.message.replace(self.manager.name, ""))

        company = self.env["res.company"].search([("altinn_org_number", "=", ORG_UNDELEGATED)])
        self.assertEqual(len(company), 1)
        self.assertEqual(company.name, lines[ORG_UNDELEGATED].name)
        self.assertTrue(company.name)
        # The register writes the name in capitals; the company is named the Norwegian way, the register's
        # form is kept beside it.
        register = lines[ORG_UNDELEGATED].register_name
        self.assertTrue(register.isupper(), register)
        self.assertEqual(company.altinn_register_name, register)
        self.assertFalse(company.name.isupper(), company.name)
        self.assertEqual(company.name.casefold(), register.casefold())
        self.assertEqual(
            (company.altinn_transport, company.altinn_firm_id, company.altinn_level, company.chart_template),
            ("altinn3", self.firm, "firm", "no"),
        )
        self.assertEqual(company.country_id.code, "NO")
        self.assertTrue(self.env["account.account"].sudo().search_count([("company_ids", "in", company.id)]))
        self.assertIn(company, self.manager.company_ids)
        self.assertFalse(self.selskap.altinn_firm_id)
        self.assertEqual(lines[ORG_UNDELEGATED].action, "linked")
        self.assertIn(self.manager.name, self.chatter(self.firm))
        self.assertIn(company.name, self.chatter(self.firm))

        self.all_companies |= company
        self.run_fetch_cron()
        documents = self.env["altinn.document"].sudo().search([("company_id", "=", company.id)])
        self.assertEqual(sorted(documents.mapped("title")), self.expected_titles(ORG_UNDELEGATED))

    def test_client_discovery_refuses_a_number_that_fails_mod11(self):
        wrong = ORG_UNDELEGATED[:8] + str((int(ORG_UNDELEGATED[8]) + 1) % 10)
        self.add_client(wrong)
        action = self.firm.with_user(self.manager).action_altinn_discover_clients()
        wizard = self.env["altinn.client.wizard"].browse(action["res_id"])
        self.assertNotIn(wrong, wizard.line_ids.mapped("org_number"))
        self.assertIn(ORG_FIRM_CLIENT, wizard.line_ids.mapped("org_number"))
        self.assertIn(wrong, wizard.message)
        self.assertIn("MOD11", wizard.message)

    # ------------------------------------------------------------------
    # A dialog read in part
    # ------------------------------------------------------------------
    def test_a_dialog_with_an_unauthorized_attachment_is_recorded_and_the_next_run_moves_on(self):
        title = "Forskuddsskatt for inntektsåret 2025"
        dialog = self.dialog(ORG_OWN, title)
        self.control(
            "POST",
            f"/dialogs/{dialog['dialog_id']}/attachments",
            {"name": "forskuddsskatt_2025.pdf", "mode": "unauthorized"},
        )
        self.run_fetch_cron()
        docs = self.documents(self.selskap)
        self.assertEqual(sorted(docs.mapped("title")), self.expected_titles(ORG_OWN))
        doc = docs.filtered(lambda d: d.title == title)
        self.assertTrue(doc.has_missing_files)
        self.assertIn("forskuddsskatt_2025.pdf", doc.missing_files)
        self.assertIn("does not let the system user open this attachment", doc.missing_files)
        names = [file.name for file in doc._altinn_files()]
        self.assertEqual(sorted(names), ["forskuddsskatt_2025.xml", "melding.md"])
        # The sync point went past it: the next run lists only what changed since.
        synced = self.selskap.altinn_synced_until
        changed = datetime.fromisoformat(dialog["content_updated_at"].replace("Z", "+00:00"))
        self.assertGreater(synced, changed.replace(tzinfo=None))
        self.emulator.add_items(
            {"reportee": ORG_OWN, "items": [{"kind": "message", "title": "Ny melding", "body": "Hei"}]}
        )
        self.run_fetch_cron()
        self.assertIn("Ny melding", self.documents(self.selskap).mapped("title"))
        self.assertGreaterEqual(self.selskap.altinn_synced_until, synced)
        self.assertTrue(doc.has_missing_files)
        self.assertEqual(doc.missing_retry_count, 1)  # read again on its own, still refused

        # The sender's access is fixed: the next run brings the file, and only that document is read again.
        self.control(
            "POST",
            f"/dialogs/{dialog['dialog_id']}/attachments",
            {"name": "forskuddsskatt_2025.pdf", "mode": "ok"},
        )
        self.run_fetch_cron()
        self.assertFalse(doc.has_missing_files)
        self.assertFalse(doc.missing_files)
        self.assertIn("forskuddsskatt_2025.pdf", doc.attachment_ids.mapped("name"))
        self.assertIn("forskuddsskatt_2025.pdf", self.chatter(doc))
        self.assertEqual(len(self.documents(self.selskap).filtered(lambda d: d.title == title)), 1)

    # ------------------------------------------------------------------
    # One item, one ledger row across transports
    # ------------------------------------------------------------------
    def test_switching_from_altinn2_to_altinn3_records_nothing_twice(self):
        company = self.soap_selskap
        self.soap_update(company)
        before = self.documents(company)
        self.assertEqual(set(before.mapped("transport")), {"altinn2"})
        self.assertEqual(sorted(before.mapped("title")), self.expected_titles(ORG_OWN))
        self.switch_to_altinn3(company)
        wizard = self.altinn3_wizard(company)
        line = wizard.line_ids
        self.assertEqual(
            (line.status, line.new_count, line.known_count), ("ok", 0, len(before)), line.message
        )
        after = self.documents(company)
        self.assertEqual(after, before)
        # Each row now also answers to its Altinn 3 reference: by Altinn's cross-reference
        # (altinn2CorrespondenceId, A2ArchRef), or by its document file where Altinn has none.
        a3_refs = after.alias_ids.filtered(lambda a: a.source == "altinn3" and a.kind == "reference")
        self.assertEqual(len(a3_refs.document_id), len(before))
        self.assertEqual(
            len(a3_refs.filtered(lambda a: a.reference.startswith(("correspondence:", "dialog:")))),
            len(before),
        )
        # Found directly the next time, and back on Altinn 2 nothing is new either.
        wizard = self.altinn3_wizard(company)
        self.assertEqual((wizard.line_ids.new_count, wizard.line_ids.known_count), (0, len(before)))
        company.altinn_transport = "altinn2"
        wizard = self.soap_update(company)
        self.assertEqual(wizard.line_ids.new_count, 0)
        self.assertEqual(self.documents(company), before)

    def test_rows_recorded_before_the_upgrade_are_found_too(self):
        company = self.soap_selskap
        self.soap_update(company)
        before = self.documents(company)
        before.alias_ids.sudo().unlink()  # as recorded before 18.0.1.2.0
        recording.backfill_references(before)  # what the migration does
        references = before.alias_ids.mapped("reference")
        self.assertIn(
            "AR5276000", references
        )  # the archived form's ArchiveReference, from its raw description
        self.assertTrue([ref for ref in references if ref.startswith("upload:")])
        self.switch_to_altinn3(company)
        line = self.altinn3_wizard(company).line_ids
        self.assertEqual((line.new_count, line.known_count), (0, len(before)), line.message)
        self.assertEqual(self.documents(company), before)

    def switch_to_altinn3(self, company):
        """The company moves to Altinn 3; its own system user is approved in Altinn."""
        system_user = self.env["altinn.system.user"].create(
            {
                "kind": "standard",
                "company_id": company.id,
                "partner_id": company.partner_id.id,
                "org_number": ORG_OWN,
                "external_ref": ORG_OWN,
                "state": "approved",
            }
        )
        company.write({"altinn_transport": "altinn3", "altinn_system_user_id": system_user.id})

    # ------------------------------------------------------------------
    # Who did what
    # ------------------------------------------------------------------
    def test_the_fetch_log_shows_who_did_what(self):
        self.altinn3_wizard(self.selskap)
        self.run_fetch_cron()
        logs = self.env["altinn.fetch.log"].search([("company_id", "=", self.selskap.id)], order="id")
        by_person, scheduled = logs[0], logs[-1]
        self.assertEqual(
            (by_person.trigger, by_person.user_id, by_person.started_by, by_person.system_user_id),
            ("wizard", self.accountant, self.accountant.name, self.selskap.altinn_system_user_id),
        )
        self.assertEqual((scheduled.trigger, scheduled.user_id), ("cron", self.env["res.users"]))
        self.assertEqual(scheduled.started_by, "Scheduled (nobody)")
        self.assertEqual(by_person.new_count, len(self.expected_titles(ORG_OWN)))
        self.assertEqual(scheduled.new_count, 0)
        # The accountant reads the log (the company's smart button), but nobody edits it.
        action = self.selskap.with_user(self.accountant).action_altinn_fetch_log()
        self.assertEqual(
            self.env["altinn.fetch.log"].with_user(self.accountant).search(action["domain"]), logs
        )
        with self.assertRaises(AccessError):
            by_person.with_user(self.accountant).write({"new_count": 0})

    # ------------------------------------------------------------------
    # Failures a customer meets, each explained
    # ------------------------------------------------------------------
    def test_token_failures_say_what_happened_and_who_must_act(self):
        # The customer deleted the firm's client system user in Altinn: the record is no longer "approved".
        agent = self.firm.altinn_agent_system_user_id
        self.control("DELETE", f"/systemusers/{self.system_user(ORG_FIRM, agent=True)['id']}")
        self.run_fetch_cron()
        self.assertEqual(agent.state, "missing")
        self.assertIn("Request system user", self.klient.altinn_fetch_error)
        self.assertIn(self.firm.name, self.klient.altinn_fetch_error)
        self.assertIn("no longer has this system user", self.chatter(agent))
        self.assertFalse(self.klient.altinn_fetch_ready)
        self.assertTrue(self.documents(self.selskap))  # the other company went on

        # The installation's client id is not on the system: said as such, not as "approve again".
        client_id = str(uuid.uuid4())
        self.control(
            "POST",
            "/clients",
            {"client_id": client_id, "jwk": self.vendor_data["public_jwk"], "system_id": None},
        )
        self.vendor.client_id = client_id
        self.selskap.altinn_fetch_error = False
        self.run_fetch_cron()
        error = self.selskap.altinn_fetch_error
        self.assertIn("client id is not listed on the system", error)
        self.assertIn("Setup assistant", error)
        self.assertEqual(self.selskap.altinn_system_user_id.state, "approved")
