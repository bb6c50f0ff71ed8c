# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Generated texts (summaries, references, labels, notes, parser reasons) in the company's language and
Norwegian formats, whoever books: an English administrator, the scheduled action's user."""

from datetime import datetime, timezone

from odoo.tests import tagged
from odoo.tools import format_amount

from ..altinn.parsers.kid import make_kid_mod10
from ..services.texts import ValueFormatter
from .booking_common import BookingCommon, item, mva_return_xml, vat_payment_xml

KID = make_kid_mod10("349111586122640")


def plain(text):
    """Odoo writes Norwegian amounts with no-break spaces."""
    return str(text or "").replace("&nbsp;", " ").replace("\xa0", " ").replace("\u202f", " ")


@tagged("post_install", "-at_install")
class TestCompanyLanguage(BookingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"].sudo()._activate_lang("nb_NO")
        cls.env["ir.module.module"].sudo()._load_module_terms(["prisolve_altinn"], ["nb_NO"], overwrite=True)
        cls.company.partner_id.sudo().lang = "nb_NO"
        cls.env.user.sudo().lang = "en_US"  # the person (or scheduled action) who books works in English
        cls.env = cls.env(context=dict(cls.env.context, lang="en_US"))
        cls.Document = cls.Document.with_env(cls.env)

    def receipt(self, reference, amount, day):
        return item(
            reference,
            "betalingsinformasjon.xml",
            vat_payment_xml(amount, kid=KID, due="2026-10-12", period="juli-august"),
            created=datetime(2026, 9, day, 9, 0, tzinfo=timezone.utc),
        )

    def test_booking_texts_are_norwegian_for_an_english_user(self):
        self.assertEqual(self.env.lang, "en_US")
        first = self.book(self.receipt("nb-1", "84994", 20))
        amended = self.book(self.receipt("nb-2", "143995", 28))
        self.assertEqual(amended.state, "imported", amended.error)
        self.assertEqual(
            plain(amended.summary),
            f"Merverdiavgift å betale kr 143 995,00 for juli-august 2026, forfall 12.10.2026, KID {KID}",
        )
        move = amended.move_id
        self.assertEqual(move.ref, "Korreksjon: MVA juli-august 2026")
        payable = move.line_ids.filtered(lambda line: line.account_id.code == "2400")
        self.assertEqual(payable.name, f"MVA juli-august 2026 – KID {KID}")
        note = plain(amended.booking_note)
        self.assertIn("MVA juli-august 2026: endret fra kr 84 994,00", note)
        self.assertIn("differansen kr 59 001,00 bokføres som et eget utkast til bilag", note)
        self.assertIn("Merverdiavgift å betale kr 143 995,00", plain(move.narration))
        self.assertIn("endret fra kr 84 994,00", plain("".join(first.message_ids.mapped("body"))))

    def test_scheduled_booking_writes_norwegian_too(self):
        doc = self.record(self.receipt("nb-3", "1000", 21))
        robot = self.env.ref("base.user_root")
        self.assertNotEqual(robot.lang, "nb_NO")
        self.env["altinn.document"].with_user(robot).with_context(lang="en_US")._cron_altinn_process()
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertEqual(
            plain(doc.summary),
            f"Merverdiavgift å betale kr 1 000,00 for juli-august 2026, " f"forfall 12.10.2026, KID {KID}",
        )
        self.assertEqual(doc.move_id.ref, "MVA juli-august 2026")

    def test_parser_reasons_are_norwegian(self):
        broken = mva_return_xml([("3", 2500, 10000, "utg")], total=2600)
        doc = self.book(item("nb-4", "mvamelding.xml", broken))
        self.assertEqual(doc.state, "failed")
        self.assertEqual(
            plain(doc.error),
            "MVA-melding januar-februar 2026: oppgitt sum kr 2 600,00 stemmer ikke med summen av linjene "
            "kr 2 500,00. Dokumentet bokføres ikke. (fil: mvamelding.xml)",
        )

    def test_amounts_are_written_as_format_amount_writes_them(self):
        """The batch formats thousands of amounts with the language and currency read once; each must be
        what Odoo's own ``format_amount`` writes, in Norwegian and English, for a symbol before or after."""
        nok = self.company.currency_id
        eur, usd = self.env.ref("base.EUR"), self.env.ref("base.USD")  # symbol after and before
        amounts = [0, 0.004, 0.005, 1, -1, 999.995, 1000, -1234567.891, 143995, 2.675, 1e9 + 0.5]
        for lang in ("nb_NO", "en_US"):
            for currency in (nok, eur, usd):
                formatter = ValueFormatter(self.env, lang, currency)
                env = self.env(context=dict(self.env.context, lang=lang))
                for amount in amounts:
                    with self.subTest(lang=lang, currency=currency.name, amount=amount):
                        self.assertEqual(formatter.money(amount), format_amount(env, amount, currency))
