# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Everything that can go wrong between Altinn and the books, tried end to end: the real SOAP transport
against the emulator on 127.0.0.1, the wizard, the ledger and the scheduled booking. Each case ends in a
clear message, with nothing lost (every fetched item is in the ledger, with its files) and no half-written
journal entry. A run killed between batches: tests/test_cron_process.py (TestCronProcess)."""

import base64
import hashlib
import os
import socket
import tempfile
import time
from datetime import date, timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..altinn import errors as altinn_errors
from ..altinn.parsers.kid import make_kid_mod10
from ..booking import pipeline
from .booking_common import vat_payment_xml
from .common import ALTINN2_FAULTS, STOPS_THE_FETCH, AltinnCommon, emulator_or_skip

MB = 1024 * 1024


def vat(number, *, encoding=None):
    """A VAT payment notice of its own, optionally declared and encoded in another character set."""
    data = vat_payment_xml(
        f"{1000 + number}.00",
        kid=make_kid_mod10(f"34911158612{number:04d}"),
        reference=f"50260{number:03d}/robust",
        period=("januar-februar", "mars-april", "mai-juni", "juli-august")[number % 4],
        year=2020 + number,
    )
    if encoding:
        text = data.decode().replace('encoding="UTF-8"', f'encoding="{encoding}"')
        text = text.replace("<betaleTil>Skatteetaten</betaleTil>", "<betaleTil>Skatteetaten Øst</betaleTil>")
        data = text.encode(encoding)
    return data


def message(title, name, data, mimetype="application/xml"):
    return {
        "kind": "message",
        "title": title,
        "body": "Se vedlegg.",
        "archived": True,
        "attachments": [{"name": name, "mimetype": mimetype, "data_base64": base64.b64encode(data).decode()}],
    }


@tagged("post_install", "-at_install")
class TestRobustness(AltinnCommon):
    fake_seam = False

    def setUp(self):
        real_processing = pipeline.process
        super().setUp()
        self.patch(pipeline, "process", real_processing)  # the real booking
        try:
            from ..altinn.soap.transport import Altinn2Transport  # noqa: F401
        except ImportError as exc:
            self.skipTest(f"the Altinn 2 transport cannot be imported: {exc}")
        self.emulator = self.enterContext(emulator_or_skip(self))
        from altinn_emulator import defaults

        self.d = defaults
        # The seeded items are dated long ago: a run fetches only what each test adds now.
        self.emulator.reset(base_date=date(2020, 1, 1))
        self.company.sudo().write(
            {
                "altinn_environment": "custom",
                "altinn_base_url": self.emulator.url,
                "altinn_org_number": defaults.COMPANY,
                "altinn_system_id": defaults.SYSTEM_ID,
                "altinn_system_password": defaults.SYSTEM_PASSWORD,
            }
        )
        self.env["ir.config_parameter"].sudo().set_param("prisolve_altinn.timeout", "1.5")
        self.lang = self.env.lang or "en_US"
        self.code = None

    # helpers -----------------------------------------------------------------------------------------
    def login(self):
        return {"altinn_username": self.d.PERSON_FNR, "altinn_password": self.d.PERSON_PASSWORD}

    def update(self, fault=None):
        """One "Update from Altinn" (the SMS code is asked once per test); returns the wizard."""
        today = fields.Date.context_today(self.env.user)
        wizard = self.make_wizard(date_from=today - timedelta(days=1), date_to=today + timedelta(days=1))
        if not self.code:
            wizard.with_context(**self.login()).action_request_pin()
            self.code = self.emulator.last_sms_code(self.d.PERSON_FNR)
        if fault:
            self.emulator.inject_fault(fault)
        wizard.with_context(**self.login(), altinn_pin_code=self.code).action_update()
        return wizard

    def documents(self):
        return self.env["altinn.document"].search([("company_id", "=", self.company.id)])

    def book(self):
        self.env["altinn.document"]._cron_altinn_process()

    def moves(self, docs):
        return self.env["account.move"].search([("altinn_document_id", "in", docs.ids)])

    def assertNoHalfWrittenEntry(self, docs):
        for move in self.moves(docs):
            self.assertTrue(move.line_ids, f"{move.display_name} has no lines")
            self.assertAlmostEqual(sum(move.line_ids.mapped("debit")), sum(move.line_ids.mapped("credit")), 2)

    def expected_text(self, error_class):
        return error_class().text(self.lang).split("\n")[0]

    # ------------------------------------------------------------------
    # What the documents contain
    # ------------------------------------------------------------------
    def test_hostile_and_broken_files_fail_alone_with_a_clear_message(self):
        marker = "XXE-ODOO-7c1e"  # the content of a file on the server that must never end up anywhere
        handle, target = tempfile.mkstemp(suffix=".txt")
        os.write(handle, marker.encode())
        os.close(handle)
        self.addCleanup(os.unlink, target)
        levels = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
        bomb = (
            vat(1)
            .decode()
            .replace("?>", f'?><!DOCTYPE betalingsinformasjon [<!ENTITY l0 "lol">{levels}]>', 1)
            .replace("<betaleTil>Skatteetaten", "<betaleTil>&l9;")
        )
        xxe = (
            vat(2)
            .decode()
            .replace("?>", f'?><!DOCTYPE betalingsinformasjon [<!ENTITY x SYSTEM "file://{target}">]>', 1)
            .replace("<betaleTil>Skatteetaten", "<betaleTil>&x;")
        )
        big_pdf = b"%PDF-1.4\n" + bytes(range(256)) * (50 * MB // 256)
        cases = {
            # title: (file, expected state, words of the message)
            "Ødelagt XML": (vat(3)[:400], "failed", "well-formed"),
            "XXE": (xxe.encode(), "failed", "DOCTYPE"),
            "Entitetsbombe": (bomb.encode(), "failed", "DOCTYPE"),
            "Feil tegnsett": (
                vat(4).replace(b"Skatteetaten<", "Skatteetaten Øst<".encode("latin-1")),
                "failed",
                "encoding",
            ),
            "For stor XML": (
                vat(5).replace(
                    b"</betalingsinformasjon>", b"<!--" + b"x" * (11 * MB) + b"-->" b"</betalingsinformasjon>"
                ),
                "failed",
                "too large",
            ),
            "Latin-1": (vat(6, encoding="ISO-8859-1"), "imported", None),
            "UTF-16": (vat(7, encoding="UTF-16"), "imported", None),
        }
        items = [message(title, "betalingsinformasjon.xml", data) for title, (data, _s, _m) in cases.items()]
        items.append(message("Stort vedlegg", "stor.pdf", big_pdf, "application/pdf"))
        self.emulator.add_items({"reportee": self.d.COMPANY, "items": items})
        digest = hashlib.sha256(big_pdf).hexdigest()
        del big_pdf, items

        wizard = self.update()
        line = wizard.line_ids
        self.assertEqual((line.status, line.new_count, line.failed_count), ("ok", 8, 0), line.message)
        docs = self.documents()
        self.assertEqual(set(docs.mapped("state")), {"new"})
        # Nothing lost: every file is in the ledger as Altinn sent it, the 50 MB one included.
        big_doc = docs.filtered(lambda d: d.title == "Stort vedlegg")
        stored = big_doc.attachment_ids.filtered(lambda a: a.name == "stor.pdf")
        self.assertEqual(stored.file_size, 50 * MB + 9)
        self.assertEqual(hashlib.sha256(stored.raw).hexdigest(), digest)

        started = time.monotonic()
        self.book()
        self.assertLess(time.monotonic() - started, 120)
        self.env.invalidate_all()
        for title, (_data, state, words) in cases.items():
            doc = docs.filtered(lambda d, t=title: d.title == t)
            self.assertEqual(doc.state, state, f"{title}: {doc.error}")
            if state == "failed":
                self.assertIn(words, doc.error, title)
                self.assertFalse(self.moves(doc), f"{title} has a journal entry")
                self.assertTrue(doc.attachment_ids, f"{title}: the file is kept for a new try")
            else:
                self.assertEqual(len(self.moves(doc)), 1, title)
        self.assertEqual(big_doc.state, "to_read")  # a PDF letter: nothing to book, nothing broken
        self.assertFalse(self.moves(big_doc))
        self.assertNoHalfWrittenEntry(docs)
        # The XXE target never reached the database.
        for values in docs.read(["error", "summary", "booking_note"]):
            self.assertNotIn(marker, str(values))
        # Each failure is on somebody's list.
        failed = docs.filtered(lambda d: d.state == "failed")
        self.assertEqual(len(failed.sudo().activity_ids), len(failed))

    # ------------------------------------------------------------------
    # What the connection does
    # ------------------------------------------------------------------
    def test_transport_failures_keep_the_wizard_open_with_the_reason(self):
        self.emulator.add_items(
            {"reportee": self.d.COMPANY, "items": [message("Kvittering", "k.xml", vat(10))]}
        )
        list_op = "GetReporteeElementListBasicV2"
        cases = [
            (
                "HTML page instead of SOAP",
                {"operation": list_op, "http_500_html": True, "status": 200},
                altinn_errors.MalformedResponse,
            ),
            ("HTTP 500", {"operation": list_op, "http_500_html": True}, altinn_errors.ServiceUnavailable),
            (
                "HTTP 503",
                {"operation": list_op, "http_500_html": True, "status": 503},
                altinn_errors.ServiceUnavailable,
            ),
            ("read timeout", {"operation": list_op, "delay_seconds": 3}, altinn_errors.AltinnTimeout),
        ]
        for label, fault, error_class in cases:
            with self.subTest(label):
                started = time.monotonic()
                with self.assertRaises(UserError) as error:
                    self.update(fault)
                self.assertLess(time.monotonic() - started, 10, "every call to Altinn is bounded")
                self.assertIn(self.expected_text(error_class), error.exception.args[0])
                self.assertFalse(self.documents())
        # Connection refused: nobody listens on the company's Altinn URL.
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.company.sudo().altinn_base_url = f"http://127.0.0.1:{port}"
        with self.assertRaises(UserError) as error:
            self.make_wizard().with_context(**self.login()).action_request_pin()
        self.assertIn(self.expected_text(altinn_errors.ServiceUnavailable), error.exception.args[0])
        # Altinn is back: the same update goes through, nothing was lost meanwhile.
        self.company.sudo().altinn_base_url = self.emulator.url
        wizard = self.update()
        self.assertEqual((wizard.line_ids.status, wizard.line_ids.new_count), ("ok", 1))

    def test_one_download_failing_is_recorded_and_completed_next_time(self):
        self.emulator.add_items(
            {
                "reportee": self.d.COMPANY,
                "items": [
                    message(f"Kvittering {n}", "betalingsinformasjon.xml", vat(20 + n)) for n in range(3)
                ],
            }
        )
        wizard = self.update({"operation": "GetArchivedCorrespondenceBasic", "http_500_html": True})
        line = wizard.line_ids
        self.assertEqual((line.status, line.new_count, line.failed_count), ("warning", 2, 1))
        self.assertIn(self.expected_text(altinn_errors.ServiceUnavailable), line.message)
        docs = self.documents()
        failed = docs.filtered("incomplete")
        self.assertEqual((len(docs), failed.state), (3, "failed"))
        self.book()
        self.assertEqual(failed.state, "failed")  # not booked without its files
        self.assertFalse(self.moves(failed))
        self.assertEqual(len(self.moves(docs - failed)), 2)
        # Next update: the missing item is completed, then booked; nothing twice.
        wizard = self.update()
        self.assertEqual((wizard.line_ids.new_count, wizard.line_ids.known_count), (1, 2))
        self.book()
        self.assertEqual(set(docs.mapped("state")), {"imported"})
        self.assertEqual(len(self.moves(docs)), 3)
        self.assertNoHalfWrittenEntry(docs)

    def test_every_altinn_fault_ends_in_its_clear_message(self):
        self.emulator.add_items(
            {"reportee": self.d.COMPANY, "items": [message("Kvittering", "k.xml", vat(30))]}
        )
        for error_id, text, error_class in ALTINN2_FAULTS:
            with self.subTest(error_id=error_id, text=text):
                fault = {"operation": "GetReporteeElementListBasicV2", "error_id": error_id, "message": text}
                with self.assertRaises(UserError) as error:
                    self.update(fault)
                message_text = error.exception.args[0]
                self.assertIn(self.expected_text(error_class), message_text)
                # Altinn's own words and reference, for support: after the message, not in it.
                first_line, details = message_text.split("\n", 1)
                self.assertNotIn(text, first_line)
                self.assertIn(text, details)
                self.assertRegex(details, r"ErrorGuid [0-9a-f-]{36}")
                for secret in (self.d.PERSON_FNR, self.d.PERSON_PASSWORD, self.code):
                    self.assertNotIn(secret, message_text)
                self.assertFalse(self.documents())
        # The same faults on one item's download: that item is recorded as failed, the others come.
        for error_id, text, error_class in ALTINN2_FAULTS:
            with self.subTest(item=error_id, text=text):
                stops = issubclass(error_class, STOPS_THE_FETCH)
                self.env["altinn.document"].search([]).sudo().unlink()
                fault = {"operation": "GetArchivedCorrespondenceBasic", "error_id": error_id, "message": text}
                if stops:
                    with self.assertRaises(UserError) as error:
                        self.update(fault)
                    self.assertIn(self.expected_text(error_class), error.exception.args[0])
                    continue
                wizard = self.update(fault)
                doc = self.documents()
                self.assertEqual(
                    (wizard.line_ids.failed_count, doc.state, doc.incomplete), (1, "failed", True)
                )
                self.assertIn(self.expected_text(error_class), doc.error)
