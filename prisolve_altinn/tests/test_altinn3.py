# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Altinn 3 in real Odoo against the repository's emulator (127.0.0.1): the scheduled fetch for a company
with its own system user (Selskap) and for an accounting firm's client (Klient) with nobody present, the
same bookings as the Altinn 2 SOAP path, failures per company, system-user requests, and the key's secrecy.
Skipped where the emulator is not next to the addon."""

import logging
from datetime import timedelta
from unittest.mock import patch

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import ORG_FIRM, ORG_FIRM_CLIENT, ORG_OWN, ORG_UNDELEGATED, Altinn3EmulatorCase


def new_pem():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        try:
            self.lines.append(record.getMessage())
        except Exception:
            self.lines.append(str(record.msg))
        if record.exc_info:
            self.lines.append(logging.Formatter().formatException(record.exc_info))


@tagged("post_install", "-at_install")
class TestAltinn3(Altinn3EmulatorCase):
    # ------------------------------------------------------------------
    # The scheduled fetch
    # ------------------------------------------------------------------
    def test_cron_fetches_selskap_and_klient_unattended_and_books_like_soap(self):
        self.assertEqual(self.soap_selskap.altinn_transport, "altinn2")
        self.assertEqual(self.soap_klient.altinn_transport, "altinn2")
        settings_seen = []
        real = type(self.env["res.company"])._altinn_transport

        def spy(company):
            transport = real(company)
            settings_seen.append(
                (
                    company.id,
                    transport.name,
                    transport.needs_person,
                    transport.settings.level,
                    transport.tokens.owner_org,
                )
            )
            return transport

        with patch.object(type(self.env["res.company"]), "_altinn_transport", spy):
            self.run_fetch_cron()

        # Nobody was there: no SMS, and tokens for the company itself (Selskap) or the firm (Klient).
        self.assertEqual(self.emulator.sms(self.d.PERSON_FNR), [])
        self.assertIn((self.selskap.id, "altinn3", False, "company", ORG_OWN), settings_seen)
        self.assertIn((self.klient.id, "altinn3", False, "firm", ORG_FIRM), settings_seen)
        self.assertNotIn(self.soap_selskap.id, [seen[0] for seen in settings_seen])  # Altinn 2: skipped
        progress = self.env["ir.cron.progress"].search(
            [("cron_id", "=", self.fetch_cron.id)], order="id desc", limit=1
        )
        self.assertEqual((progress.done, progress.remaining), (2, 0))

        for company, org in ((self.selskap, ORG_OWN), (self.klient, ORG_FIRM_CLIENT)):
            docs = self.documents(company)
            self.assertEqual(sorted(docs.mapped("title")), self.expected_titles(org))
            self.assertEqual(set(docs.mapped("transport")), {"altinn3"})
            self.assertEqual(set(docs.mapped("reportee")), {org})
            self.assertTrue(all(doc._altinn_files() for doc in docs))
            self.assertFalse(company.altinn_fetch_error)
            self.assertTrue(company.altinn_synced_until)
        self.assertFalse(self.documents(self.soap_selskap) | self.documents(self.soap_klient))

        # Booking is handed to the processing cron; run it as the scheduler would.
        book_cron = self.env.ref("prisolve_altinn.ir_cron_altinn_process", raise_if_not_found=False)
        if book_cron:
            self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", book_cron.id)]))
            book_cron.method_direct_trigger()
        a3 = {c: self.documents(c) for c in (self.selskap, self.klient)}
        self.assertFalse(any(d.state == "new" for docs in a3.values() for d in docs))

        # The same emulator items through the Altinn 2 SOAP path (person + SMS code).
        self.soap_update(self.soap_selskap)
        self.soap_update(self.soap_klient)
        if book_cron:  # whether the wizard books at once or leaves it to the processing cron
            book_cron.method_direct_trigger()
        for a3_company, soap_company in ((self.selskap, self.soap_selskap), (self.klient, self.soap_klient)):
            soap_docs = self.documents(soap_company)
            self.assertEqual(sorted(soap_docs.mapped("title")), sorted(a3[a3_company].mapped("title")))
            # The same moments in the ledger, whichever transport delivered them. Altinn 2's archive
            # gives an archived message's archiving time as DateSent: Altinn 3 has the real send time.
            a3_dates = {doc.title: doc.date_created for doc in a3[a3_company]}
            for doc in soap_docs:
                if doc.kind == "message" and doc.date_archived:
                    self.assertLessEqual(a3_dates[doc.title], doc.date_created, doc.title)
                else:
                    self.assertEqual(a3_dates[doc.title], doc.date_created, doc.title)
            (a3_docs, a3_entries), (soap_docs_booked, soap_entries) = (
                self.booked(a3[a3_company]),
                self.booked(soap_docs),
            )
            self.assertTrue(a3_entries)
            self.assertTrue(all(code for entry in a3_entries for code, *_rest in entry[4]))
            # The same entries in the books. Which document carries an entry can differ: Altinn 3 reads the
            # oldest first, Altinn 2 the newest first, and a claim booked from one document makes the
            # other one a duplicate.
            self.assertEqual(a3_entries, soap_entries)
            for title, (soap_state, soap_type) in soap_docs_booked.items():
                a3_state, a3_type = a3_docs[title]
                self.assertEqual(a3_type, soap_type, title)
                if {a3_state, soap_state} != {"imported", "duplicate"}:
                    self.assertEqual(a3_state, soap_state, title)

        # Run again: the marker moved, nothing is added.
        counts = {c: len(self.documents(c)) for c in (self.selskap, self.klient)}
        markers = {c: c.altinn_synced_until for c in (self.selskap, self.klient)}
        self.run_fetch_cron()
        for company, count in counts.items():
            self.assertEqual(len(self.documents(company)), count)
            self.assertGreaterEqual(company.altinn_synced_until, markers[company])
            self.assertFalse(company.altinn_fetch_error)

    def test_new_item_arrives_in_the_next_run(self):
        self.run_fetch_cron()
        before = len(self.documents(self.selskap))
        self.emulator.add_items(
            {
                "reportee": ORG_OWN,
                "items": [
                    {
                        "kind": "message",
                        "title": "Ny melding fra Skatteetaten",
                        "body": "Hei",
                        "attachments": [{"name": "brev.txt", "mimetype": "text/plain", "text": "innhold"}],
                    }
                ],
            }
        )
        self.run_fetch_cron()
        docs = self.documents(self.selskap)
        self.assertEqual(len(docs), before + 1)
        self.assertIn("Ny melding fra Skatteetaten", docs.mapped("title"))

    def test_a_letter_is_marked_read_in_altinn_only_when_the_person_chooses(self):
        letter_spec = {"kind": "message", "title": "Varsel om tvangsmulkt", "body": "Les"}
        self.emulator.add_items({"reportee": ORG_OWN, "items": [letter_spec]})
        self.run_fetch_cron()
        self.env.ref("prisolve_altinn.ir_cron_altinn_process").method_direct_trigger()
        letter = self.documents(self.selskap).filtered(lambda d: d.title == "Varsel om tvangsmulkt")
        self.assertEqual((letter.state, letter.notice_kind), ("to_read", "tvangsmulkt"))
        self.assertTrue(letter.reference.startswith("correspondence:"), letter.reference)
        in_altinn = next(item for item in self.emulator.items(ORG_OWN) if item.title == letter.title)
        self.assertEqual(in_altinn.status, "Created")  # fetching and booking leave the inbox as it was
        letter = letter.with_env(self.as_accountant)
        letter.action_mark_read()
        self.assertEqual((letter.state, in_altinn.status), ("read", "Created"))
        letter.action_mark_read_in_altinn()
        self.assertEqual(in_altinn.status, "Read")
        self.assertEqual(letter.state, "read")

    def test_revoked_system_user_is_recorded_and_the_next_company_is_fetched(self):
        self.control("POST", f"/systemusers/{self.system_user(ORG_OWN)['id']}/revoke")
        self.run_fetch_cron()
        self.assertFalse(self.documents(self.selskap))
        self.assertIn("approve", self.selskap.altinn_fetch_error)
        self.assertIn("Request system user", self.selskap.altinn_fetch_error)
        self.assertTrue(self.selskap.altinn_fetch_error_since)
        activity = self.activities(self.selskap)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.accountant)
        self.assertIn("Request system user", str(activity.note))
        self.assertIn(ORG_OWN, str(activity.note))
        # The other company went on.
        self.assertEqual(
            sorted(self.documents(self.klient).mapped("title")), self.expected_titles(ORG_FIRM_CLIENT)
        )
        self.assertFalse(self.klient.altinn_fetch_error)
        # The next failing run updates the same to-do instead of adding one.
        self.run_fetch_cron()
        self.assertEqual(len(self.activities(self.selskap)), 1)

        # The customer approves a new request: the next run fetches and closes the to-do.
        system_user = self.selskap.altinn_system_user_id
        system_user.state = "missing"  # what "Check status" finds after the revocation
        self.selskap.with_user(self.manager).action_altinn_request_system_user()
        self.assertEqual(system_user.state, "requested")
        self.control("POST", f"/requests/{system_user.request_id}/approve")
        self.selskap.with_user(self.manager).action_altinn_check_system_user()
        self.assertEqual(system_user.state, "approved")
        self.run_fetch_cron()
        self.assertEqual(sorted(self.documents(self.selskap).mapped("title")), self.expected_titles(ORG_OWN))
        self.assertFalse(self.selskap.altinn_fetch_error)
        self.assertFalse(self.activities(self.selskap))

    def test_client_not_delegated_names_the_firm(self):
        agent = self.system_user(ORG_FIRM, agent=True)["id"]
        self.control("DELETE", f"/systemusers/{agent}/clients/{ORG_FIRM_CLIENT}")
        self.run_fetch_cron()
        self.assertFalse(self.documents(self.klient))
        self.assertIn("klientadministrator", self.klient.altinn_fetch_error)
        self.assertIn(self.firm.name, self.klient.altinn_fetch_error)
        admin = self.env.ref("base.user_admin")
        if self.klient in admin.company_ids:
            self.assertEqual(self.activities(self.klient).user_id, admin)
        self.assertTrue(self.documents(self.selskap))

    def test_wrong_key_and_rate_limit(self):
        self.vendor.private_key_pem = new_pem()
        self.run_fetch_cron()
        for company in (self.selskap, self.klient):
            self.assertFalse(self.documents(company))
            self.assertIn("Maskinporten", company.altinn_fetch_error)
            self.assertIn("Settings", company.altinn_fetch_error)
        self.assertEqual(len(self.activities(self.selskap)), 1)

        # Altinn asks us to wait: recorded, nothing lost, no to-do yet (it goes away by itself).
        self.vendor.private_key_pem = self.vendor_data["private_key_pem"]
        self.activities(self.selskap).unlink()
        self.selskap.altinn_fetch_error_since = False
        self.control(
            "POST",
            "/faults",
            {"path": "/dialogporten/api/v1/enduser/dialogs$", "status": 429, "retry_after": 120, "count": 20},
        )
        self.run_fetch_cron()
        self.assertIn("slow down", self.selskap.altinn_fetch_error)
        self.assertFalse(self.selskap.altinn_synced_until)
        self.assertFalse(self.activities(self.selskap))
        self.control("DELETE", "/faults")
        self.run_fetch_cron()
        self.assertEqual(sorted(self.documents(self.selskap).mapped("title")), self.expected_titles(ORG_OWN))
        self.assertFalse(self.selskap.altinn_fetch_error)

    def test_altinn2_and_upload_are_skipped_and_say_so(self):
        self.assertIn("SMS code", self.soap_selskap.altinn_cron_info)
        self.assertIn("cannot", self.soap_selskap.altinn_cron_info)
        self.klient.altinn_transport = "upload"
        self.assertIn("upload", self.klient.altinn_cron_info)
        with self.assertRaises(UserError):
            self.klient._altinn_transport()
        self.run_fetch_cron()
        self.assertFalse(self.documents(self.klient) | self.documents(self.soap_selskap))
        self.assertTrue(self.documents(self.selskap))
        # New companies: Altinn 3, not fetched before a system user is approved.
        fresh = self.env["res.company"].create({"name": "Ny AS"})
        self.assertEqual(fresh.altinn_transport, "altinn3")
        self.assertFalse(fresh.altinn_system_user_id)
        self.assertFalse(fresh.altinn_fetch_ready)

    # ------------------------------------------------------------------
    # The wizard on demand
    # ------------------------------------------------------------------
    def test_wizard_fetches_without_sms_code(self):
        wizard = (
            self.as_accountant["altinn.update.wizard"]
            .with_context(default_company_id=self.klient.id)
            .create({})
        )
        self.assertEqual(wizard.transport, "altinn3")
        self.assertEqual(wizard.firm_id, self.firm)
        with self.assertRaisesRegex(UserError, "No SMS code"):
            wizard.action_request_pin()
        wizard.date_from = fields.Date.context_today(wizard) - timedelta(days=400)
        wizard.action_update()  # no username, password or code in the context
        self.assertEqual(wizard.state, "done")
        self.assertEqual(
            (wizard.line_ids.status, wizard.line_ids.new_count),
            ("ok", len(self.expected_titles(ORG_FIRM_CLIENT))),
            wizard.line_ids.message,
        )
        self.assertEqual(self.emulator.sms(self.d.PERSON_FNR), [])
        self.assertTrue(self.klient.altinn_synced_until)
        # The scheduled fetch then finds nothing new.
        self.run_fetch_cron()
        self.assertEqual(len(self.documents(self.klient)), wizard.line_ids.new_count)
        arch = self.as_accountant["altinn.update.wizard"].get_view(view_type="form")["arch"]
        self.assertIn("not needs_person", arch)

    def test_wizard_says_what_is_missing(self):
        self.firm.altinn_agent_system_user_id.state = "requested"
        wizard = (
            self.as_accountant["altinn.update.wizard"]
            .with_context(default_company_id=self.klient.id)
            .create({})
        )
        with self.assertRaisesRegex(UserError, "Tallknuserne"):
            wizard.action_update()

    # ------------------------------------------------------------------
    # Onboarding
    # ------------------------------------------------------------------
    def test_request_system_user_produces_the_approval_link(self):
        company = self.klient
        company.write({"altinn_org_number": ORG_UNDELEGATED, "altinn_firm_id": False})
        self.assertEqual(company.altinn_level, "company")
        with self.assertRaises(AccessError):
            company.with_user(self.accountant).action_altinn_request_system_user()
        company.with_user(self.manager).action_altinn_request_system_user()
        system_user = company.altinn_system_user_id
        self.assertEqual(system_user.state, "requested")
        self.assertIn(
            "/accessmanagement/ui/systemuser/request?id=" + system_user.request_id, system_user.confirm_url
        )
        self.assertEqual(system_user.requested_by_id, self.manager)
        self.assertEqual(company.altinn_responsible_user_id, self.manager)
        self.assertIn("approval link", company.altinn_access_info)
        self.assertFalse(company.altinn_fetch_ready)
        self.control("POST", f"/requests/{system_user.request_id}/approve")
        company.with_user(self.manager).action_altinn_check_system_user()
        self.assertEqual(system_user.state, "approved")
        self.assertFalse(system_user.confirm_url)
        self.assertTrue(system_user.altinn_id)
        self.run_fetch_cron()
        self.assertEqual(
            sorted(self.documents(company).mapped("title")), self.expected_titles(ORG_UNDELEGATED)
        )

        # A request for a company that already has its system user reads its state.
        self.selskap.altinn_system_user_id.state = "missing"
        self.selskap.with_user(self.manager).action_altinn_request_system_user()
        self.assertEqual(self.selskap.altinn_system_user_id.state, "approved")

    def test_firm_requests_its_client_system_user(self):
        self.control("POST", f"/systemusers/{self.system_user(ORG_FIRM, agent=True)['id']}/revoke")
        old = self.firm.altinn_agent_system_user_id
        self.firm.altinn_agent_system_user_id = False
        old.unlink()
        self.firm.altinn_org_number = ORG_FIRM
        self.assertEqual(self.klient.altinn_level, "company")
        self.firm.with_user(self.manager).action_altinn_request_agent_system_user()
        agent_user = self.firm.altinn_agent_system_user_id
        self.assertEqual(agent_user.state, "requested")
        self.assertEqual(self.klient.altinn_level, "firm")
        self.assertIn("/systemuser/agentrequest?id=" + agent_user.request_id, agent_user.confirm_url)
        self.control("POST", f"/requests/{agent_user.request_id}/approve")
        self.firm.with_user(self.manager).action_altinn_check_agent_system_user()
        self.assertEqual(agent_user.state, "approved")
        # The new agent system user has no clients until the firm's klientadministrator adds them.
        agent = self.system_user(ORG_FIRM, agent=True)["id"]
        self.control("POST", f"/systemusers/{agent}/clients", {"org": ORG_FIRM_CLIENT})
        self.run_fetch_cron()
        self.assertEqual(
            sorted(self.documents(self.klient).mapped("title")), self.expected_titles(ORG_FIRM_CLIENT)
        )

    # ------------------------------------------------------------------
    # The vendor's key
    # ------------------------------------------------------------------
    def test_test_connection(self):
        action = self.vendor.action_test_connection()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self.assertIn("Maskinporten accepted", self.vendor.last_test_result)
        self.vendor.private_key_pem = new_pem()
        action = self.vendor.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("key", action["params"]["message"])
        self.assertIn("kid", self.vendor.public_jwk)

    def test_key_readable_only_by_settings_administrators(self):
        for user in (self.accountant, self.manager):
            Client = self.env["altinn.maskinporten.client"].with_user(user)
            with self.assertRaises(AccessError):
                Client.search([])
            with self.assertRaises(AccessError):
                self.vendor.with_user(user).read(["private_key_pem"])
        self.assertTrue(self.env["altinn.maskinporten.client"]._fields["private_key_pem"].groups)
        # ... yet the accountant fetches with it, and it never reaches a log, an error or an activity.
        secret = self.vendor_data["private_key_pem"].splitlines()[2]
        capture = _Capture()
        root = logging.getLogger()
        root.addHandler(capture)
        old_level = root.level
        root.setLevel(logging.DEBUG)
        try:
            # A key id Maskinporten does not know (before any token is cached), then the right one.
            self.vendor.key_id = "wrong-kid"
            self.run_fetch_cron()
            self.assertTrue(self.selskap.altinn_fetch_error)
            error = self.selskap.altinn_fetch_error
            self.vendor.key_id = self.vendor_data["kid"]
            wizard = (
                self.as_accountant["altinn.update.wizard"]
                .with_context(default_company_id=self.selskap.id)
                .create({})
            )
            wizard.action_update()
            self.assertEqual(wizard.line_ids.status, "ok", wizard.line_ids.message)
        finally:
            root.removeHandler(capture)
            root.setLevel(old_level)
        texts = [
            *capture.lines,
            error,
            self.klient.altinn_fetch_error or "",
            *(str(a.note) for a in self.activities(self.selskap)),
        ]
        self.assertFalse([t for t in texts if secret in t])

    def test_norwegian(self):
        self.env["res.lang"]._activate_lang("nb_NO")
        self.env["ir.module.module"].search([("name", "=", "prisolve_altinn")])._update_translations(
            ["nb_NO"]
        )
        env_nb = self.env(context=dict(self.env.context, lang="nb_NO"))
        fields_nb = env_nb["res.company"].fields_get(["altinn_transport", "altinn_system_user_id"])
        self.assertEqual(
            dict(fields_nb["altinn_transport"]["selection"])["altinn3"],
            "Altinn 3 – systembruker (automatisk)",
        )
        self.assertEqual(fields_nb["altinn_system_user_id"]["string"], "Egen systembruker")
        arch = env_nb["altinn.update.wizard"].get_view(view_type="form")["arch"]
        # The Altinn 2 button and the Altinn 3 one.
        self.assertEqual(arch.count('string="Oppdater i Odoo"'), 2)
        arch = env_nb["res.company"].get_view(self.env.ref("base.view_company_form").id, "form")["arch"]
        self.assertIn("Altinn 2 ble stengt 19. juni 2026.", arch)
        self.assertIn("Be om systembruker", arch)
        self.assertIn("kan ikke hente", self.soap_selskap.with_env(env_nb).altinn_cron_info)
        self.control("POST", f"/systemusers/{self.system_user(ORG_OWN)['id']}/revoke")
        self.accountant.lang = "nb_NO"
        self.run_fetch_cron()
        self.assertIn("Be om systembruker", self.selskap.altinn_fetch_error)
        self.assertEqual(self.activities(self.selskap).summary, "Altinn: henting feilet")
