# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from ..services import recording
from .common import ORG_OWN, AltinnCommon, make_item


@tagged("post_install", "-at_install")
class TestSecurity(AltinnCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        su_env = cls.env(su=True)
        cls.user_a = new_test_user(
            su_env,
            login="altinn_user_a",
            groups="prisolve_altinn.group_altinn_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.manager = new_test_user(
            su_env,
            login="altinn_manager",
            groups="prisolve_altinn.group_altinn_manager",
            company_id=cls.company.id,
            company_ids=[Command.set((cls.company | cls.client_1).ids)],
        )
        documents = cls.env["altinn.document"]
        cls.doc_a = recording.record_items(documents, cls.company, [make_item("AR-SEC-A")])[0]
        cls.doc_b = recording.record_items(documents, cls.client_1, [make_item("AR-SEC-B")])[0]

    def test_every_model_with_a_company_has_a_multi_company_rule(self):
        models = (
            self.env["ir.model.data"]
            .sudo()
            .search(
                [
                    ("module", "=", "prisolve_altinn"),
                    ("model", "=", "ir.model"),
                ]
            )
        )
        names = self.env["ir.model"].sudo().browse(models.mapped("res_id")).mapped("model")
        self.assertIn("altinn.document", names)
        checked = []
        for name in names:
            if "company_id" not in self.env[name]._fields:
                continue
            rules = self.env["ir.rule"].sudo().search([("model_id.model", "=", name)])
            self.assertTrue(
                any("company_ids" in (rule.domain_force or "") and rule["global"] for rule in rules),
                f"{name} has no global multi-company record rule",
            )
            checked.append(name)
        self.assertIn("altinn.update.wizard", checked)

    def test_accountants_and_administrators_get_altinn_rights(self):
        su_env = self.env(su=True)
        accountant = new_test_user(su_env, login="bookkeeper", groups="account.group_account_user")
        admin = new_test_user(su_env, login="account_admin", groups="account.group_account_manager")
        self.assertTrue(accountant.has_group("prisolve_altinn.group_altinn_user"))
        self.assertFalse(accountant.has_group("prisolve_altinn.group_altinn_manager"))
        self.assertTrue(admin.has_group("prisolve_altinn.group_altinn_manager"))

    def test_user_reads_ledger_and_runs_wizard_but_cannot_delete(self):
        env = self.env(user=self.user_a, context={"allowed_company_ids": self.company.ids})
        docs = env["altinn.document"].search([])
        self.assertIn(self.doc_a.id, docs.ids)
        self.assertTrue(docs.browse(self.doc_a.id).title)
        self.altinn.items[ORG_OWN] = [make_item("AR-SEC-C")]
        wizard = env["altinn.update.wizard"].create({"company_id": self.company.id})
        wizard.with_context(**self.secrets()).action_update()
        self.assertEqual(wizard.line_ids.new_count, 1)
        with self.assertRaises(AccessError):
            env["altinn.document"].browse(self.doc_a.id).unlink()

    def test_other_company_documents_are_invisible(self):
        env = self.env(user=self.user_a, context={"allowed_company_ids": self.company.ids})
        self.assertNotIn(self.doc_b.id, env["altinn.document"].search([]).ids)
        with self.assertRaises(AccessError):
            env["altinn.document"].browse(self.doc_b.id).read(["title"])

    def test_active_companies_limit_what_a_manager_sees(self):
        env = self.env(user=self.manager, context={"allowed_company_ids": self.company.ids})
        self.assertNotIn(self.doc_b.id, env["altinn.document"].search([]).ids)
        env = self.env(user=self.manager, context={"allowed_company_ids": (self.company | self.client_1).ids})
        self.assertIn(self.doc_b.id, env["altinn.document"].search([]).ids)
        env["altinn.document"].browse(self.doc_b.id).unlink()
        self.assertFalse(self.doc_b.exists())

    def test_wizard_results_follow_the_company_rule(self):
        self.altinn.items[ORG_OWN] = [make_item("AR-SEC-D")]
        wizard = self.make_wizard()
        wizard.with_context(**self.secrets()).action_update()
        env = self.env(user=self.manager, context={"allowed_company_ids": self.client_1.ids})
        self.assertFalse(env["altinn.update.wizard.line"].search([("id", "in", wizard.line_ids.ids)]))

    def test_without_altinn_group_no_access(self):
        user = new_test_user(
            self.env(su=True), login="sales_only", groups="base.group_user", company_id=self.company.id
        )
        env = self.env(user=user, context={"allowed_company_ids": self.company.ids})
        for model in ("altinn.document", "altinn.update.wizard"):
            with self.assertRaises(AccessError):
                env[model].search([])
        self.assertFalse(env["res.company"].browse(self.company.id).altinn_level is None)

    def test_user_never_reads_system_passwords(self):
        env = self.env(user=self.user_a, context={"allowed_company_ids": self.company.ids})
        with self.assertRaises(AccessError):
            env["res.company"].browse(self.company.id).read(["altinn_system_password"])
        with self.assertRaises(AccessError):
            env["res.partner"].browse(self.firm.id).read(["altinn_system_password"])
