# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The screens in a real browser: "Oppdater fra Altinn" end to end, in Norwegian.

Headless Chromium runs the tour ``prisolve_altinn_update_from_altinn``
(static/tests/tours/altinn_update_tour.js) as an accountant against the repository's
Altinn emulator: company → Altinn tab → Oppdater fra Altinn → a wrong password → Hent
SMS-kode twice → the old code typed → the code of the latest SMS, read from the emulator's
outbox → Oppdater i Odoo → summary → background booking → the letters to read → a letter
with its PDF, marked as read → documents → a draft journal entry.

The tour hands the texts of the summary, the letters, the letter and the documents list to
this test, which fails on any English source string of the addon that Norwegian translates
(``english_texts``): whoever ran the work, the person reads Norwegian.

Odoo skips browser tests without Chromium or websocket-client and still reports
"0 failed": here that is a failure (``_require_browser``).

``PRISOLVE_SCREENSHOTS=1`` saves the screens to static/description/screenshot_*.png
(the pictures of readme/USAGE.md and README.md); without it nothing is written.
"""

import base64
import json
import logging
import os
import re
import sys
import unittest
from pathlib import Path
from urllib.parse import quote

import polib

from odoo.tests import HttpCase, tagged
from odoo.tests import common as odoo_test_common

from ..booking import pipeline
from .booking_common import vat_payment_xml
from .common import AltinnCommon

_logger = logging.getLogger(__name__)

ADDON_DIR = Path(__file__).resolve().parents[1]
REPO_DIR = ADDON_DIR.parent
SCREENSHOT_DIR = ADDON_DIR / "static" / "description"
# Same strings as in the tour.
TOUR = "prisolve_altinn_update_from_altinn"
EMULATOR_COOKIE = "prisolve_altinn_emulator"
DAMAGED_FILE_COOKIE = "prisolve_altinn_damaged_file"
SCREENSHOT_SIGNAL = "prisolve_altinn:screenshot:"
TEXTS_SIGNAL = "prisolve_altinn:texts:"
SCREENS = (
    "altinn_tab",
    "wrong_password",
    "old_code",
    "wizard_code",
    "summary",
    "summary_booked",
    "letters",
    "letter",
    "documents",
    "draft",
    "moves",
    "move",
    "upload_damaged",
    "fetch_log",
)
# Screens whose texts the tour reports (see english_texts).
READ_SCREENS = (
    "summary",
    "summary_booked",
    "letters",
    "letter",
    "documents",
    "draft",
    "moves",
    "upload_damaged",
    "fetch_log",
)
PO_PATH = ADDON_DIR / "i18n" / "nb.po"
PLACEHOLDER = re.compile(r"%\(\w+\)s|%s")
MARKUP = re.compile(r"<[^>]+>")
LETTER_TITLE = "Varsel om tvangsmulkt"


def english_sources():
    """The addon's English source strings that Norwegian says otherwise (i18n/nb.po): whole texts, longer
    sentences that may sit inside a text, and patterns of those with values."""
    whole, patterns = set(), []
    for entry in polib.pofile(str(PO_PATH)):
        source = " ".join(MARKUP.sub(" ", entry.msgid).split())
        if not source or not entry.msgstr or " ".join(MARKUP.sub(" ", entry.msgstr).split()) == source:
            continue
        if PLACEHOLDER.search(source):
            # Only sources with some words of their own: "%(title)s (%(reference)s)" says nothing English.
            if len(re.findall(r"[A-Za-z]{3,}", PLACEHOLDER.sub(" ", source))) >= 2:
                parts = [re.escape(part) for part in PLACEHOLDER.split(source)]
                patterns.append(re.compile(".+?".join(parts)))
        else:
            whole.add(source)
    sentences = [source for source in whole if len(source.split()) >= 3]
    return whole, sentences, patterns


def english_texts(texts):
    """The texts among ``texts`` that are (or hold) an English source string of the addon."""
    whole, sentences, patterns = english_sources()
    return [
        text
        for text in texts
        if text in whole
        or any(sentence in text for sentence in sentences)
        or any(pattern.search(text) for pattern in patterns)
    ]


def serve_screenshots(test, directory=None, texts=None):
    """Answer the tour's screenshot requests; save PNGs to ``directory`` (None: only answer); put the texts
    the tour reports in ``texts`` (screen name → list of texts).

    The tour logs ``prisolve_altinn:screenshot:<name>`` and waits until ``<name>`` is in
    ``window.__prisolveAltinnShots``; it logs ``prisolve_altinn:texts:<name>:<json list>`` with
    what a screen says. This is the only code here that uses Odoo's private ChromeBrowser API (its
    console handler and DevTools calls); keep it that way. Returns the list of the names saved.
    """
    saved = []
    original = odoo_test_common.ChromeBrowser._handle_console

    def acknowledge(browser, name):
        expression = (
            f"(window.__prisolveAltinnShots = window.__prisolveAltinnShots || []).push({json.dumps(name)})"
        )
        browser._websocket_send("Runtime.evaluate", params={"expression": expression})

    def handle_console(browser, type, args=None, stackTrace=None, **kw):  # DevTools' argument names
        first = (args or [{}])[0].get("value")
        if type == "log" and isinstance(first, str) and first.startswith(TEXTS_SIGNAL):
            name, _, reported = first[len(TEXTS_SIGNAL) :].partition(":")
            if texts is not None:
                texts[name] = json.loads(reported)
            return None  # not worth a log line
        if type == "log" and isinstance(first, str) and first.startswith(SCREENSHOT_SIGNAL):
            name = first[len(SCREENSHOT_SIGNAL) :]
            if directory is None:
                acknowledge(browser, name)
            else:
                future = browser._websocket_send(
                    "Page.captureScreenshot", params={"format": "png"}, with_future=True
                )

                def save(done, name=name):
                    try:
                        data = base64.b64decode(done.result(timeout=0)["data"], validate=True)
                        (Path(directory) / f"screenshot_{name}.png").write_bytes(data)
                        saved.append(name)
                    except Exception:
                        _logger.exception("screenshot %s could not be saved", name)
                    acknowledge(browser, name)

                future.add_done_callback(save)
        return original(browser, type, args=args, stackTrace=stackTrace, **kw)

    test.patch(odoo_test_common.ChromeBrowser, "_handle_console", handle_console)
    return saved


@tagged("post_install", "-at_install")
class TestAltinnTour(AltinnCommon, HttpCase):
    fake_seam = False
    browser_size = "1366x900"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not (REPO_DIR / "altinn_emulator").is_dir():
            raise unittest.SkipTest("altinn_emulator is not next to the addon (repository checkout only)")
        if str(REPO_DIR) not in sys.path:
            sys.path.insert(0, str(REPO_DIR))
        from altinn_emulator import defaults
        from altinn_emulator.testing import running_emulator

        # Every Altinn 3 answer checked against Altinn's contracts, as in the other suites (issue 23).
        cls.emulator = cls.enterClassContext(running_emulator(seed=1, host="127.0.0.1", check_contract=True))
        cls.defaults = defaults
        # The user works in Norwegian: Odoo's own screens and ours.
        env = cls.env(su=True)
        env["res.lang"]._activate_lang("nb_NO")
        env["ir.module.module"]._load_module_terms(
            ["base", "base_setup", "web", "mail", "account", "prisolve_altinn"], ["nb_NO"], overwrite=True
        )
        company = cls.company.sudo()
        values = {
            "altinn_environment": "custom",
            "altinn_base_url": cls.emulator.url,
            "altinn_org_number": defaults.COMPANY,
            "altinn_system_id": defaults.SYSTEM_ID,
            "altinn_system_password": defaults.SYSTEM_PASSWORD,
        }
        if "altinn_transport" in company._fields:
            values["altinn_transport"] = "altinn2"
        company.write(values)
        company.partner_id.lang = "nb_NO"  # the background booking writes its notes in the company's language
        # An accountant who also administers the company's Odoo (she sees the system password field).
        cls.tour_user = odoo_test_common.new_test_user(
            env,
            login="kari_regnskap",
            name="Kari Nordmann",
            groups="base.group_user,base.group_system,account.group_account_manager",
            company_id=company.id,
            company_ids=[(6, 0, company.ids)],
            lang="nb_NO",
            tz="Europe/Oslo",
        )

    def setUp(self):
        self._require_browser()
        # AltinnCommon stubs the booking hook: book for real here.
        process = pipeline.process
        super().setUp()
        self.patch(pipeline, "process", process)

    def _require_browser(self):
        """Fail, never skip, when the browser test cannot run (Odoo would skip it and report 0 failed)."""
        missing = []
        if odoo_test_common.websocket is None:
            missing.append("the Python package websocket-client")
        try:
            odoo_test_common._find_executable()
        except unittest.SkipTest:
            missing.append("Chromium (Debian: apt-get install chromium)")
        if missing:
            self.fail(
                f"The browser test of the Altinn screens cannot run: install {' and '.join(missing)}. "
                "Odoo would skip it and still report 0 failed."
            )

    def test_english_strings_are_found(self):
        """The check of the tour can fail: English sources (with or without values) are caught, their
        Norwegian translations and Altinn's own data are not."""
        found = english_texts(
            [
                "Imported",
                "Booking done: imported: 4, duplicates: 2, letters to read: 1, failed: 0.",
                "Nothing new in Altinn for the period. Booking runs in the background.",
                "Importert",
                "Bokføringen er ferdig: importert: 4, duplikater: 2, brev til lesing: 1, feilet: 0.",
                "Informasjon om skattekort",
                "Skatteetaten",
                "Altinn",
            ]
        )
        self.assertEqual(
            found,
            [
                "Imported",
                "Booking done: imported: 4, duplicates: 2, letters to read: 1, failed: 0.",
                "Nothing new in Altinn for the period. Booking runs in the background.",
            ],
        )

    def tearDown(self):
        super().tearDown()
        self.emulator.assert_contract()

    def test_update_from_altinn_in_the_browser(self):
        emu, d = self.emulator, self.defaults
        company = self.company.sudo()
        # A letter that matters, with its PDF, besides the plain letter of the default data.
        from altinn_emulator.pdf import make_pdf

        letter_pdf = make_pdf([LETTER_TITLE, "Skatteetaten varsler tvangsmulkt for manglende a-melding."])
        emu.add_items(
            {
                "reportee": d.COMPANY,
                "items": [
                    {
                        "kind": "message",
                        "title": LETTER_TITLE,
                        "body": "Se vedlagt brev.",
                        "archived": False,
                        "attachments": [
                            {
                                "name": "varsel.pdf",
                                "mimetype": "application/pdf",
                                "data_base64": base64.b64encode(letter_pdf).decode(),
                            }
                        ],
                    }
                ],
            }
        )
        expected = len(emu.items(d.COMPANY))
        self.assertGreater(expected, 2)
        screenshots = os.environ.get("PRISOLVE_SCREENSHOTS") == "1"
        texts = {}
        saved = serve_screenshots(self, SCREENSHOT_DIR if screenshots else None, texts)
        # The file the bookkeeper uploads at the end: the first two thirds of a betalingsinformasjon XML.
        payment = vat_payment_xml("2500", org=d.COMPANY)
        damaged = base64.b64encode(payment[: len(payment) * 2 // 3]).decode()
        try:
            self.start_tour(
                f"/odoo/action-base.action_res_company_form/{company.id}",
                TOUR,
                login=self.tour_user.login,
                cookies={EMULATOR_COOKIE: emu.url, DAMAGED_FILE_COOKIE: quote(damaged, safe="")},
                timeout=300,
            )
        except unittest.SkipTest as exc:  # e.g. Chromium did not start
            self.fail(f"The browser test was skipped: {exc}")
        self.env.invalidate_all()
        # Two SMS codes, the latest used for the update; no secret stored.
        self.assertEqual(len(emu.sms(d.PERSON_FNR)), 2)
        all_documents = self.env["altinn.document"].sudo().search([("company_id", "=", company.id)])
        # The damaged file: one failed document, its upload logged as failed with one failed file.
        uploaded = all_documents.filtered(lambda doc: doc.transport == "upload")
        self.assertEqual(uploaded.mapped("state"), ["failed"])
        log = (
            self.env["altinn.fetch.log"]
            .sudo()
            .search([("company_id", "=", company.id), ("trigger", "=", "upload")], order="id desc")
        )
        self.assertEqual(
            [(entry.outcome, entry.new_count, entry.failed_count) for entry in log], [("error", 1, 1)]
        )
        documents = all_documents - uploaded
        self.assertEqual(len(documents), expected)
        self.assertFalse(documents.filtered(lambda doc: doc.state == "new"), "the booking did not run")
        moves = documents.move_id | documents.move_ids
        self.assertTrue(moves, "no journal entry was made")
        self.assertEqual(set(moves.mapped("state")), {"draft"})
        letter = documents.filtered(lambda doc: doc.title == LETTER_TITLE)
        self.assertEqual((letter.state, letter.notice_kind), ("read", "tvangsmulkt"))
        self.assertTrue(documents.filtered(lambda doc: doc.state == "to_read"), "the plain letter is to read")
        # Altinn's unsent draft of the next VAT term: a draft, not booked, not checked.
        draft = documents.filtered("unsent")
        self.assertEqual(len(draft), 1)
        self.assertEqual((draft.state, draft.doc_type, draft.vat_checked), ("unsent", "mva_return", False))
        self.assertFalse(draft.move_id | draft.move_ids)
        # Every entry carries its voucher; the readable one (a PDF) when any document of its debt has one.
        Attachment = self.env["ir.attachment"].sudo()
        for move in moves:
            held = Attachment.search([("res_model", "=", "account.move"), ("res_id", "=", move.id)])
            self.assertTrue(held, f"{move.display_name} has no voucher")
            lines = self.env["altinn.document.line"].sudo().search([("move_id", "=", move.id)])
            debt = (
                self.env["altinn.document.line"]
                .sudo()
                .search([("debt_key", "in", [key for key in lines.mapped("debt_key") if key])])
            )
            sources = move.altinn_document_id | debt.document_id
            if "application/pdf" in sources.file_ids.mapped("mimetype"):
                self.assertIn("application/pdf", held.mapped("mimetype"), move.display_name)
        # What the person read is Norwegian.
        self.assertEqual(sorted(texts), sorted(READ_SCREENS))
        english = {name: english_texts(screen) for name, screen in texts.items()}
        self.assertEqual({name: found for name, found in english.items() if found}, {}, "English on screen")
        if screenshots:
            self.assertEqual(sorted(saved), sorted(SCREENS))
