# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A user of company A sees none of company B's documents, entries, files or Altinn settings, through the ORM
and through JSON-RPC; an accountant without Settings rights never reads a system password."""

from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from ..booking import pipeline
from ..services import recording
from .booking_common import BookingCommon, vat_item
from .common import ORG_OTHER

SETTINGS_FIELDS = ["altinn_org_number", "altinn_system_id", "altinn_environment", "altinn_base_url"]


@tagged("post_install", "-at_install")
class TestMultiCompany(BookingCommon, HttpCase):
    with_second_company = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a, cls.company_b = cls.company, cls.second_company
        cls.company_a.sudo().write(
            {"altinn_system_id": "111111", "altinn_system_password": "Hemmelig-A-passord"}
        )
        cls.company_b.sudo().write(
            {
                "altinn_system_id": "222222",
                "altinn_system_password": "Hemmelig-B-passord",
                "altinn_environment": "custom",
                "altinn_base_url": "http://127.0.0.1:9",
            }
        )
        cls.firm = (
            cls.env["res.partner"]
            .sudo()
            .create(
                {
                    "name": "Revisjon AS",
                    "is_company": True,
                    "altinn_system_id": "333333",
                    "altinn_system_password": "Hemmelig-F-passord",
                }
            )
        )
        cls.user_a = new_test_user(
            cls.env(su=True),
            login="altinn_mc_user_a",
            password="altinn_mc_user_a",
            groups="base.group_user,account.group_account_user",
            company_id=cls.company_a.id,
            company_ids=[Command.set(cls.company_a.ids)],
        )
        # One booked document in each company: ledger row, files, lines, journal entry, chatter.
        cls.doc_a = cls._book(cls.company_a, vat_item(901))
        cls.doc_b = cls._book(cls.company_b, vat_item(902, org=ORG_OTHER))

    @classmethod
    def _book(cls, company, altinn_item):
        documents = cls.env["altinn.document"].with_company(company)
        new = recording.record_items(documents, company, [altinn_item])[0]
        pipeline.process(new)
        assert new.state == "imported" and new.move_id, new.error
        new.message_post(body=f"Merknad for {company.name}")  # chatter is data too
        return new

    def env_a(self, companies=None):
        return self.env(user=self.user_a, context={"allowed_company_ids": (companies or self.company_a).ids})

    def b_records(self):
        """Everything of company B's that a user of A must not see, by model."""
        doc = self.doc_b.sudo()
        return {
            "altinn.document": doc,
            "account.move": doc.move_ids | doc.move_id,
            "account.move.line": (doc.move_ids | doc.move_id).line_ids,
            "altinn.document.line": doc.line_ids,
            "ir.attachment": doc.attachment_ids,
            "mail.message": self.env["mail.message"]
            .sudo()
            .search([("model", "=", "altinn.document"), ("res_id", "=", doc.id)]),
            "res.company": self.company_b.sudo(),
        }

    def test_the_setup_has_something_to_hide(self):
        for model, records in self.b_records().items():
            self.assertTrue(records, f"company B has no {model} in this test")
        self.assertTrue(self.doc_a.move_id and self.doc_a.attachment_ids)

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------
    def test_orm_user_of_a_sees_none_of_b(self):
        env = self.env_a()
        self.assertEqual(env["altinn.document"].search([]), self.doc_a.with_env(env))
        altinn_moves = env["account.move"].search([("altinn_document_id", "!=", False)])
        self.assertEqual(altinn_moves.ids, (self.doc_a.move_ids | self.doc_a.move_id).ids)
        for model, records in self.b_records().items():
            visible = env[model].search([("id", "in", records.ids)])
            self.assertFalse(visible, f"{model} of company B is visible to a user of A")
            with self.assertRaises(AccessError, msg=model):
                env[model].browse(records.ids).read(["display_name"])
        companies = env["res.company"].search_read([], [*SETTINGS_FIELDS, "name"])
        self.assertEqual([c["id"] for c in companies], self.company_a.ids)
        with self.assertRaises(AccessError):
            env["res.company"].browse(self.company_b.id).read(SETTINGS_FIELDS)
        # Not even by naming company B as active in the context.
        with self.assertRaises(AccessError):
            self.env_a(self.company_a | self.company_b)["altinn.document"].search([])

    def test_orm_the_booking_stays_in_the_documents_company(self):
        doc_b = self.doc_b.sudo()
        self.assertEqual(doc_b.move_id.company_id, self.company_b)
        self.assertEqual(doc_b.move_id.journal_id.company_id, self.company_b)
        self.assertEqual(doc_b.attachment_ids.company_id, self.company_b)
        self.assertEqual(doc_b.line_ids.company_id, self.company_b)

    # ------------------------------------------------------------------
    # JSON-RPC (what the web client and any script use)
    # ------------------------------------------------------------------
    def call(self, model, method, *args, companies=None, **kwargs):
        context = {"allowed_company_ids": (companies or self.company_a).ids}
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": {**kwargs, "context": context}},
        )

    @mute_logger("odoo.http")  # each refused call is logged as a warning by design
    def test_jsonrpc_user_of_a_sees_none_of_b(self):
        self.authenticate(self.user_a.login, self.user_a.login)
        docs = self.call("altinn.document", "search_read", [], fields=["reference", "company_id"])
        self.assertEqual([d["id"] for d in docs], self.doc_a.ids)
        moves = self.call(
            "account.move", "search_read", [["altinn_document_id", "!=", False]], fields=["name"]
        )
        self.assertEqual({m["id"] for m in moves}, set((self.doc_a.move_ids | self.doc_a.move_id).ids))
        companies = self.call("res.company", "search_read", [], fields=SETTINGS_FIELDS)
        self.assertEqual([c["id"] for c in companies], self.company_a.ids)
        for model, records in self.b_records().items():
            self.assertEqual(self.call(model, "search", [["id", "in", records.ids]]), [], model)
            with self.assertRaises(JsonRpcException, msg=model) as error:
                self.call(model, "read", records.ids, ["display_name"])
            self.assertEqual(error.exception.args[0], "odoo.exceptions.AccessError")
        with self.assertRaises(JsonRpcException) as error:
            self.call("altinn.document", "search_read", [], companies=self.company_a | self.company_b)
        self.assertEqual(error.exception.args[0], "odoo.exceptions.AccessError")

    # ------------------------------------------------------------------
    # System passwords
    # ------------------------------------------------------------------
    def test_accountant_without_settings_rights_cannot_read_system_passwords(self):
        self.assertFalse(self.accountant.has_group("base.group_system"))
        env = self.env(user=self.accountant)
        company, firm = env["res.company"].browse(self.company_a.id), env["res.partner"].browse(self.firm.id)
        for record in (company, firm):
            with self.assertRaises(AccessError):
                record.read(["altinn_system_password"])
            with self.assertRaises(AccessError):
                record.search_read([("id", "=", record.id)], ["altinn_system_password"])
            with self.assertRaises(AccessError):  # no guessing through a search either
                record.search([("altinn_system_password", "=", "Hemmelig-A-passord")])
            self.assertNotIn("altinn_system_password", record.fields_get())
        # Reading the whole record (no field list) gives everything else, never the password.
        self.assertNotIn("altinn_system_password", company.read()[0])
        self.assertEqual(self.company_a.sudo().altinn_system_password, "Hemmelig-A-passord")

    @mute_logger("odoo.http")
    def test_jsonrpc_accountant_cannot_read_system_passwords(self):
        self.authenticate(self.accountant.login, self.accountant.login)
        for model, record in (("res.company", self.company_a), ("res.partner", self.firm)):
            for method, args in (
                ("read", [record.ids, ["altinn_system_password"]]),
                ("search_read", [[["id", "=", record.id]], ["altinn_system_password"]]),
                ("web_read", [record.ids, {"altinn_system_password": {}}]),
            ):
                with self.assertRaises(JsonRpcException, msg=f"{model}.{method}") as error:
                    self.call(model, method, *args)
                self.assertEqual(error.exception.args[0], "odoo.exceptions.AccessError")
            values = self.call(model, "read", record.ids)[0]
            self.assertNotIn("altinn_system_password", values)
            self.assertNotIn("Hemmelig", str(values))
