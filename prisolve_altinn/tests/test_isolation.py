# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Company isolation, walked by introspection: every model of the addon (found in the registry), every
public ``action_*`` method it defines (also on res.company, res.partner and account.move), every form's
``onchange`` and ``default_get``, tried on company A's records by an Altinn administrator of company B and by
a portal user. Each must be refused with an ``AccessError``; the same calls by A's own administrator (the
control) pass the access checks. A new model, action or wizard is walked without editing this test (a new
model needs a record of A in ``victims``: the test says so)."""

import base64
import inspect

from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from ..booking import pipeline
from ..services import recording
from .booking_common import BookingCommon, vat_item
from .common import ORG_FIRM, ORG_OWN

MODULE = "prisolve_altinn"
PACKAGE = f"odoo.addons.{MODULE}"
# The models the addon extends: its fields and actions there are walked too.
EXTENDED = ("res.company", "res.partner", "account.move")


class ReachedAltinn(Exception):
    """The call got past every check to where Altinn would be called."""


class _Rollback(Exception):
    pass


def _reach_altinn(*args, **kwargs):
    raise ReachedAltinn()


@tagged("post_install", "-at_install")
class TestCompanyIsolation(BookingCommon, HttpCase):
    with_second_company = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        su = cls.env(su=True)
        company_a, company_b = cls.company.sudo(), cls.second_company.sudo()
        cls.company_a, cls.company_b = company_a, company_b
        admin_groups = "base.group_user,account.group_account_manager"
        # The control: A's administrator (Settings too: the Maskinporten client is theirs).
        cls.user_a = new_test_user(
            su,
            login="iso_admin_a",
            password="iso_admin_a",
            groups=f"{admin_groups},base.group_system",
            company_id=company_a.id,
            company_ids=[Command.set(company_a.ids)],
        )
        # The attacker: Altinn administrator in B only; and a portal user of A.
        cls.user_b = new_test_user(
            su,
            login="iso_admin_b",
            password="iso_admin_b",
            groups=admin_groups,
            company_id=company_b.id,
            company_ids=[Command.set(company_b.ids)],
        )
        cls.portal = new_test_user(
            su,
            login="iso_portal_a",
            groups="base.group_portal",
            company_id=company_a.id,
            company_ids=[Command.set(company_a.ids)],
        )
        # A on Altinn 3: its own approved system user, and a firm (its client system user) serving A only.
        SystemUser = su["altinn.system.user"]
        cls.firm_a = su["res.partner"].create(
            {"name": "Revisor A AS", "is_company": True, "altinn_org_number": ORG_FIRM}
        )
        cls.firm_a.altinn_agent_system_user_id = SystemUser._altinn_for_firm(cls.firm_a)
        own = SystemUser._altinn_for_company(company_a)
        (own | cls.firm_a.altinn_agent_system_user_id).write(
            {"state": "approved", "request_id": "req-a", "confirm_url": "https://altinn.test/confirm/a"}
        )
        company_a.write(
            {"altinn_transport": "altinn3", "altinn_system_user_id": own.id, "altinn_firm_id": cls.firm_a.id}
        )
        su["altinn.account.map"]._altinn_ensure_defaults(company_a)
        cls.doc_a = recording.record_items(cls.Document, company_a, [vat_item(951)])[0]
        pipeline.process(cls.doc_a)
        assert cls.doc_a.move_id and cls.doc_a.line_ids, cls.doc_a.error
        su["altinn.fetch.log"].create(
            {
                "company_id": company_a.id,
                "trigger": "cron",
                "transport": "altinn3",
                "started": "2026-01-01 00:00:00",
                "outcome": "ok",
                "system_user_id": own.id,
            }
        )
        su["altinn.maskinporten.client"].create(
            {"environment": "production", "client_id": "hemmelig-klient-a", "system_id": "999_odoo"}
        )
        # A's wizards, made by A's administrator.
        env_a = cls.env(user=cls.user_a, context={"allowed_company_ids": company_a.ids})
        update = env_a["altinn.update.wizard"].create({"company_id": company_a.id})
        env_a["altinn.update.wizard.line"].create({"wizard_id": update.id, "company_id": company_a.id})
        env_a["altinn.upload.wizard"].create(
            {"company_id": company_a.id, "file": base64.b64encode(b"<x/>"), "filename": "x.xml"}
        )
        env_a["altinn.setup.wizard"].create(
            {
                "environment": "production",
                "request_company_ids": [Command.set(company_a.ids)],
                "request_firm_ids": [Command.set(cls.firm_a.ids)],
            }
        )
        env_a["altinn.client.wizard"].create(
            {"firm_id": cls.firm_a.id, "line_ids": [Command.create({"org_number": ORG_OWN, "name": "A"})]}
        )

    def setUp(self):
        super().setUp()
        # Nothing reaches Altinn: a call that gets that far raises ReachedAltinn.
        self.patch(type(self.env["res.company"]), "_altinn_transport", _reach_altinn)
        SystemUser = type(self.env["altinn.system.user"])
        for name in ("_altinn_admin", "_altinn_clients", "_altinn_ensure", "_altinn_status"):
            self.patch(SystemUser, name, _reach_altinn)
        self.patch(type(self.env["altinn.setup.wizard"]), "_altinn_settings", _reach_altinn)
        self.patch(type(self.env["altinn.maskinporten.client"]), "_altinn_settings_values", _reach_altinn)

    # ------------------------------------------------------------------
    # What is walked: found in the registry
    # ------------------------------------------------------------------
    def addon_models(self):
        return sorted(
            name
            for name, model in self.env.registry.items()
            if getattr(model, "_original_module", None) == MODULE and not model._abstract
        )

    def addon_fields(self, model):
        return [name for name, field in self.env[model]._fields.items() if field._module == MODULE]

    def victims(self):
        """Company A's records of every model walked (as superuser)."""
        su = self.env(su=True)
        company_a = self.company_a.with_env(su)
        records = {}
        for model in self.addon_models():
            Model = su[model]
            if model == "altinn.system.user":  # A's own, and the client system user of A's firm
                found = Model.search(
                    ["|", ("company_id", "=", company_a.id), ("partner_id", "=", self.firm_a.id)]
                )
            elif "company_id" in Model._fields:
                found = Model.search([("company_id", "=", company_a.id)])
            else:
                found = Model.search([("create_uid", "=", self.user_a.id)]) or Model.search([])
            records[model] = found
        records["res.company"] = company_a
        records["res.partner"] = self.firm_a.with_env(su)
        records["account.move"] = self.doc_a.with_env(su).move_id
        return records

    def actions(self, model):
        """The public ``action_*`` methods the addon defines on ``model`` (its own or an extended one)."""
        cls = type(self.env[model])
        names = set()
        for klass in cls.__mro__:
            if not (klass.__module__ or "").startswith(PACKAGE):
                continue
            for name, member in vars(klass).items():
                if name.startswith("action_") and inspect.isfunction(member):
                    names.add(name)
        return sorted(names)

    def env_of(self, user, companies):
        return self.env(user=user, context={"allowed_company_ids": companies.ids})

    def attackers(self):
        return {
            "administrator of B": self.env_of(self.user_b, self.company_b),
            "portal user of A": self.env_of(self.portal, self.company_a),
        }

    def control(self):
        return self.env_of(self.user_a, self.company_a)

    def attempt(self, call):
        """The exception ``call`` raises (None when it returns), its effects always rolled back."""
        try:
            with self.env.cr.savepoint():
                call()
                raise _Rollback()
        except _Rollback:
            return None
        except Exception as exc:  # every outcome is judged by the caller
            return exc
        finally:
            self.env.invalidate_all()

    def form_values(self, record):
        """What a form of ``record`` sends: its relational values (the links to A)."""
        names = [
            name
            for name, field in record._fields.items()
            if field.type in ("many2one", "many2many")
            and field.store
            and name not in ("create_uid", "write_uid")
        ]
        return record._convert_to_write({name: record[name] for name in names})

    def readable_spec(self, env, model):
        return {name: {} for name in env[model].fields_get(attributes=["type"])}

    # ------------------------------------------------------------------
    # The tests
    # ------------------------------------------------------------------
    def test_every_model_and_action_is_walked(self):
        models = self.addon_models()
        self.assertIn("altinn.document", models)
        self.assertIn("altinn.setup.wizard", models)
        victims = self.victims()
        for model in models:
            self.assertTrue(victims[model], f"{model}: company A has no record in this test; add one")
        for model in EXTENDED:
            self.assertTrue(self.addon_fields(model), model)
        self.assertIn("action_altinn_request_system_user", self.actions("res.company"))
        self.assertIn("action_request", self.actions("altinn.system.user"))
        self.assertIn("action_apply", self.actions("altinn.client.wizard"))

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_records_of_a_are_neither_readable_nor_writable(self):
        for who, env in self.attackers().items():
            for model, records in self.victims().items():
                if model in EXTENDED:
                    if model != "res.partner":  # a firm's contact is shared (Odoo's rule): the next test
                        with self.assertRaises(AccessError, msg=f"{who}: the addon's fields of {model} of A"):
                            records.with_env(env).read(self.addon_fields(model))
                    continue
                found = self.attempt(
                    lambda env=env, model=model, records=records: self.assertFalse(
                        env[model].search([("id", "in", records.ids)])
                    )
                )
                self.assertTrue(found is None or isinstance(found, AccessError), f"{who}: {model} search")
                for operation in ("read", "write", "unlink"):
                    with self.assertRaises(AccessError, msg=f"{who}: {operation} {model} of A"):
                        records.with_env(env).check_access(operation)
                with self.assertRaises(AccessError, msg=f"{who}: read {model} of A"):
                    records.with_env(env).read(["display_name"])

    def test_what_a_user_can_read_names_only_their_companies(self):
        """A firm's client system user (no company: every user may see it) serving A and B shows B's users
        that it exists and its state, and only B among the companies it fetches for."""
        self.company_b.altinn_firm_id = self.firm_a
        self.env.invalidate_all()
        env_b = self.env_of(self.user_b, self.company_b)
        agent = self.firm_a.altinn_agent_system_user_id
        self.assertEqual(agent.company_ids, self.company_a | self.company_b)  # superuser: both
        self.env.invalidate_all()  # what B's user reads comes from the database, as in a request
        values = agent.with_env(env_b).read(["state", "company_ids", "name", "next_step"])[0]
        self.assertEqual(values["state"], "approved")
        self.assertEqual(values["company_ids"], self.company_b.ids)
        self.assertNotIn(self.company_a.name, str(values))
        web = agent.with_env(env_b).web_read({"company_ids": {"fields": {"display_name": {}}}})[0]
        self.assertEqual([c["display_name"] for c in web["company_ids"]], [self.company_b.name])
        self.env.invalidate_all()
        readable = set(self.firm_a.with_env(env_b).fields_get())
        firm = self.firm_a.with_env(env_b).read(
            [f for f in self.addon_fields("res.partner") if f in readable]
        )[0]
        self.assertEqual(firm["altinn_client_company_ids"], self.company_b.ids)
        # Whatever the addon's models show B's user names only B's companies.
        allowed = set(self.company_b.ids)
        for model in self.addon_models():
            Model = env_b[model]
            if not Model.has_access("read"):
                continue
            for record in Model.search([]):
                for name, field in Model._fields.items():
                    if field.type in ("many2one", "many2many") and field.comodel_name == "res.company":
                        self.assertLessEqual(set(record[name].ids), allowed, f"{model}.{name}")

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models", "odoo.addons.mail.models.mail_thread")
    def test_actions_on_a_are_refused_and_pass_for_a(self):
        walked = []
        for model, records in self.victims().items():
            for name in self.actions(model):
                # A model-level action (``@api.model``, e.g. opening a new assistant) acts on no record of A:
                # an internal user of B may run it for themselves; a portal user may not run it at all.
                model_level = getattr(getattr(type(records), name), "_api", None) == "model"
                for record in records:
                    for who, env in self.attackers().items():
                        if model_level and env.user._is_internal():
                            continue
                        error = self.attempt(getattr(record.with_env(env), name))
                        self.assertIsInstance(
                            error, AccessError, f"{who}: {model}({record.id}).{name} on A's record: {error!r}"
                        )
                    error = self.attempt(getattr(record.with_env(self.control()), name))
                    self.assertNotIsInstance(error, AccessError, f"A: {model}({record.id}).{name}: {error}")
                    walked.append(f"{model}.{name}")
        self.assertIn("res.company.action_altinn_account_map", walked)
        self.assertIn("altinn.system.user.action_check", walked)

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_forms_computed_for_a_are_refused(self):
        """``onchange`` and ``default_get`` of every model, with the values of A's record (its company, firm,
        system user): refused for B's administrator and the portal user, not for A."""
        for model, records in self.victims().items():
            if model in EXTENDED:
                continue
            for record in records:
                values = self.form_values(record)
                for who, env in (*self.attackers().items(), ("A", self.control())):
                    for call, error in self.form_calls(env, model, values).items():
                        if who == "A":
                            self.assertNotIsInstance(error, AccessError, f"A: {model}.{call}: {error}")
                        else:
                            self.assertIsInstance(
                                error, AccessError, f"{who}: {model}.{call} with A's values"
                            )

    def form_calls(self, env, model, values):
        """{call: the exception it raised or None} for ``onchange`` and ``default_get`` with ``values``."""
        Model = env[model]
        spec = self.readable_spec(env, model) if Model.has_access("read") else {"display_name": {}}
        defaults = {f"default_{name}": value for name, value in values.items() if value}
        return {
            "onchange": self.attempt(lambda: Model.onchange(dict(values), [], spec)),
            "default_get": self.attempt(
                lambda: Model.with_context(**defaults).default_get(list(Model._fields))
            ),
        }

    def test_the_company_form_computes_nothing_from_another_companys_system_user(self):
        """The company form's onchange with A's system user (or A's firm) forged into B's values: the access
        texts are those of a company without them, as for A's control they are A's."""
        own, env_b = self.company_a.altinn_system_user_id, self.env_of(self.user_b, self.company_b)
        spec = {"altinn_access_info": {}, "altinn_level": {}, "altinn_access_ok": {}, "altinn_cron_info": {}}

        def form(env, **values):
            result = env["res.company"].onchange(
                {"name": "Ny AS", "altinn_transport": "altinn3", **values}, [], spec
            )
            return {name: result["value"].get(name) for name in spec}

        plain = form(env_b)
        self.assertTrue(plain["altinn_access_info"])
        self.assertEqual(form(env_b, altinn_system_user_id=own.id), plain)
        self.assertEqual(form(env_b, altinn_firm_id=self.firm_a.id)["altinn_level"], "company")
        # A's administrator: A's approved system user makes the company level, and fetching possible.
        control = form(self.control(), altinn_system_user_id=own.id)
        self.assertEqual(control["altinn_level"], "company")
        self.assertNotEqual(control["altinn_cron_info"], plain["altinn_cron_info"])
        self.assertEqual(form(self.control(), altinn_firm_id=self.firm_a.id)["altinn_level"], "firm")

    def test_the_setup_assistant_opens_on_the_users_own_companies(self):
        """Its defaults (environment, base URL) come from a company the user works in, never from A's."""
        url = "http://altinn-a.test:8099"
        self.company_a.write({"altinn_environment": "custom", "altinn_base_url": url})
        self.company_b.write({"altinn_transport": "altinn3", "altinn_environment": "production"})
        for env, expected in (
            (self.env_of(self.user_b, self.company_b), {"environment": "production", "base_url": False}),
            (self.control(), {"environment": "custom", "base_url": url}),
        ):
            values = env["altinn.setup.wizard"].default_get(["environment", "base_url"])
            self.assertEqual({name: values.get(name) or False for name in expected}, expected)

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_portal_users_get_nothing_of_the_addon(self):
        env = self.env_of(self.portal, self.company_a)
        for model in self.addon_models():
            with self.assertRaises(AccessError, msg=model):
                env[model].search([])
            for call in (
                lambda model=model: env[model].onchange({}, [], {"display_name": {}}),
                lambda model=model: env[model].default_get(list(env[model]._fields)),
            ):
                self.assertIsInstance(self.attempt(call), AccessError, model)
        self.assertFalse(
            self.env["ir.model.access"]
            .sudo()
            .search(
                [
                    ("model_id.model", "in", self.addon_models()),
                    (
                        "group_id",
                        "in",
                        [self.env.ref("base.group_portal").id, self.env.ref("base.group_public").id],
                    ),
                ]
            )
        )

    # ------------------------------------------------------------------
    # The web client's path: call_button with A's ids and B (or a forged A) as the company
    # ------------------------------------------------------------------
    def call_button(self, model, method, record, companies):
        return self.make_jsonrpc_request(
            "/web/dataset/call_button",
            {
                "model": model,
                "method": method,
                "args": [record.ids],
                "kwargs": {"context": {"allowed_company_ids": companies.ids}},
            },
        )

    @mute_logger("odoo.http")
    def test_call_button_on_a_system_user_of_a_is_refused(self):
        own = self.company_a.altinn_system_user_id
        watched = ["state", "request_id", "confirm_url", "requested_by_id", "checked_at", "message_ids"]
        before = own.read(watched)
        responsible = self.company_a.altinn_responsible_user_id
        rows = self.env["altinn.account.map"].sudo().search_count([])
        calls = [
            ("res.company", "action_altinn_check_system_user", self.company_a),
            ("res.company", "action_altinn_request_system_user", self.company_a),
            ("res.company", "action_altinn_account_map", self.company_a),
            ("altinn.system.user", "action_request", own),
            ("altinn.system.user", "action_check", own),
            ("res.partner", "action_altinn_check_agent_system_user", self.firm_a),
            ("res.partner", "action_altinn_discover_clients", self.firm_a),
        ]
        self.authenticate("iso_admin_b", "iso_admin_b")
        for model, method, record in calls:
            for companies in (self.company_b, self.company_a | self.company_b):
                with self.assertRaises(JsonRpcException, msg=f"{method} {companies.ids}") as error:
                    self.call_button(model, method, record, companies)
                self.assertEqual(error.exception.args[0], "odoo.exceptions.AccessError", method)
        self.env.invalidate_all()
        self.assertEqual(own.read(watched), before)
        self.assertEqual(self.company_a.altinn_responsible_user_id, responsible)
        self.assertEqual(self.env["altinn.account.map"].sudo().search_count([]), rows)
        # The control: A's administrator gets through to Altinn (the patched seam).
        self.authenticate("iso_admin_a", "iso_admin_a")
        for model, method, record in calls:
            try:
                self.call_button(model, method, record, self.company_a)
            except JsonRpcException as error:
                self.assertNotEqual(error.args[0], "odoo.exceptions.AccessError", method)
