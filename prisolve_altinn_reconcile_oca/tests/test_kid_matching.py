# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Bank statement lines to and from Skatteetaten, imported from CAMT.053 with OCA's modules, matched with the
debts booked from Altinn by their KID: before the chart's "Perfect Match", a partial payment leaves the rest
open on the same debt, a wrong or unknown KID (or too large a payment) matches nothing and says why, a refund
finds the refund receivable; a file that is not CAMT or for an unknown account is refused."""

import base64
from datetime import datetime, timezone

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.prisolve_altinn.altinn.parsers.kid import make_kid_mod10
from odoo.addons.prisolve_altinn.altinn.types import ROLE_ATTACHMENT, AltinnFile
from odoo.addons.prisolve_altinn.tests.booking_common import (
    ADVANCE_KID_1,
    ADVANCE_KID_2,
    BookingCommon,
    advance_claims,
    advance_tax_xml,
    claims_item,
    item,
    mva_return_xml,
    vat_payment_xml,
)
from odoo.addons.prisolve_altinn.tests.common import ORG_OWN

from .camt import IBAN, Booking, bank_journal, camt053

KID_1, KID_2 = ADVANCE_KID_1, ADVANCE_KID_2
REFUND_KID = make_kid_mod10(f"{ORG_OWN}7700")


class KidMatchingCommon(BookingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.sudo().altinn_post_certain = True
        cls.bank = bank_journal(cls.company)

    def book_notice(self):
        """The advance tax for 2025: two instalments of 60 000, each with its KID, posted (certain)."""
        terms = [(1, "2026-02-16", 60000, KID_1), (2, "2026-04-15", 60000, KID_2)]
        doc = self.book(item("fs-2025", "forskuddsskatt_2025.xml", advance_tax_xml(terms)))
        self.assertEqual(doc.move_ids.mapped("state"), ["posted", "posted"], doc.booking_note)
        return {move.payment_reference: self.debt_line(move) for move in doc.move_ids}

    def debt_line(self, move):
        return move.line_ids.filtered(
            lambda line: line.account_id.account_type in ("liability_payable", "asset_receivable")
        )

    def import_camt(self, data, name="camt053.xml"):
        """Import ``data`` as OCA's wizard does, with auto-reconciliation on (OCA skips it in tests unless
        asked): the statement lines it made."""
        wizard = (
            self.env["account.statement.import"]
            .with_context(journal_id=self.bank.id, _test_account_reconcile_oca=True)
            .create({"statement_file": base64.b64encode(data), "statement_filename": name})
        )
        result = wizard._import_file()
        return self.env["account.bank.statement"].browse(result["statement_ids"]).line_ids


@tagged("post_install", "-at_install")
class TestKidMatching(KidMatchingCommon):
    def test_the_kid_rule_comes_before_perfect_match(self):
        models = self.env["account.reconcile.model"].search([("company_id", "=", self.company.id)])
        kid_model = models.filtered("match_altinn_kid")
        self.assertEqual(len(kid_model), 1)
        self.assertTrue(kid_model.auto_reconcile)
        self.assertEqual(models.sorted()[0], kid_model)

    def test_a_payment_with_the_kid_settles_that_debt_not_another_of_the_same_amount(self):
        """Two instalments of 60 000: the chart's Perfect Match would take the first by amount; the KID says
        the second."""
        debts = self.book_notice()
        line = self.import_camt(camt053(IBAN, [Booking("2026-04-14", -60000, kid=KID_2)]))
        self.assertTrue(line.is_reconciled)
        self.assertEqual(debts[KID_2].amount_residual, 0.0)
        self.assertTrue(debts[KID_2].reconciled)
        self.assertEqual(debts[KID_1].amount_residual, -60000.0)
        self.assertEqual(line.partner_id, self.tax_partner())

    def test_a_partial_payment_leaves_the_rest_open_on_the_same_debt(self):
        debts = self.book_notice()
        line = self.import_camt(camt053(IBAN, [Booking("2026-02-14", -25000, kid=KID_1)]))
        self.assertTrue(line.is_reconciled)
        self.assertEqual(debts[KID_1].amount_residual, -35000.0)
        self.assertEqual(debts[KID_2].amount_residual, -60000.0)
        rest = self.import_camt(camt053(IBAN, [Booking("2026-02-20", -35000, kid=KID_1)], statement_id="S2"))
        self.assertTrue(rest.is_reconciled)
        self.assertTrue(debts[KID_1].reconciled)

    def test_an_unknown_kid_matches_nothing_and_says_why(self):
        debts = self.book_notice()
        unknown = make_kid_mod10("2025999999999")
        line = self.import_camt(camt053(IBAN, [Booking("2026-02-14", -60000, kid=unknown)]))
        self.assertFalse(line.is_reconciled)
        self.assertIn(unknown, line.altinn_match_note)
        self.assertEqual([debt.amount_residual for debt in debts.values()], [-60000.0, -60000.0])

    def test_a_kid_failing_its_check_digit_matches_nothing_and_says_why(self):
        debts = self.book_notice()
        bad = KID_1[:-1] + str((int(KID_1[-1]) + 1) % 10)
        line = self.import_camt(camt053(IBAN, [Booking("2026-02-14", -60000, kid=bad)]))
        self.assertFalse(line.is_reconciled)
        self.assertIn("MOD10", line.altinn_match_note)
        self.assertEqual([debt.amount_residual for debt in debts.values()], [-60000.0, -60000.0])

    def test_a_payment_larger_than_the_debt_matches_nothing_and_says_why(self):
        debts = self.book_notice()
        line = self.import_camt(camt053(IBAN, [Booking("2026-02-14", -70000, kid=KID_1)]))
        self.assertFalse(line.is_reconciled)
        self.assertIn(self.money(60000), line.altinn_match_note)
        self.assertEqual([debt.amount_residual for debt in debts.values()], [-60000.0, -60000.0])

    def test_a_refund_from_skatteetaten_matches_the_refund_receivable(self):
        refund_return = AltinnFile(
            "mvamelding.xml",
            "application/xml",
            mva_return_xml([("1", -12000, None, "Inngående 25 %")], period="mai-juni", refund_kid=REFUND_KID),
            ROLE_ATTACHMENT,
        )
        receipt = item(
            "mva-t3",
            "betalingsinformasjon.xml",
            vat_payment_xml(
                "-12000", kid=make_kid_mod10(f"34{ORG_OWN}2603"), due="2026-09-01", period="mai-juni"
            ),
            created=datetime(2026, 8, 20, 9, 0, tzinfo=timezone.utc),
            extra_files=[refund_return],
        )
        doc = self.book(receipt)
        self.assertEqual(doc.move_ids.state, "posted", doc.move_ids.altinn_review_reason)
        receivable = doc.move_ids.line_ids.filtered("debit")
        self.assertEqual(receivable.account_id.code, "1579")
        self.assertEqual(receivable.amount_residual, 12000.0)
        line = self.import_camt(camt053(IBAN, [Booking("2026-09-03", 12000, text="Tilbakebetaling mva")]))
        self.assertTrue(line.is_reconciled)
        self.assertTrue(receivable.reconciled)

    def test_other_lines_are_left_to_the_other_models(self):
        """A customer's payment has nothing to do with Skatteetaten: no note, the KID rule stays out."""
        self.book_notice()
        line = self.import_camt(
            camt053(
                IBAN,
                [
                    Booking(
                        "2026-02-14", 1000, party="Kunde AS", party_account="12345678903", text="Faktura 7"
                    )
                ],
            )
        )
        self.assertFalse(line.altinn_match_note)
        self.assertEqual(line._altinn_kid_match(), (None, False))

    def test_a_file_that_is_not_camt_is_refused(self):
        with self.assertRaisesRegex(UserError, "not supported"):
            self.import_camt(b"<?xml version='1.0'?><Document><Nothing/></Document>", name="bank.xml")
        with self.assertRaisesRegex(UserError, "not supported"):
            self.import_camt(b"Dato;Beskrivelse;Bel\xc3\xb8p\n14.02.2026;Skatt;-60000\n", name="bank.csv")
        self.assertFalse(self.env["account.bank.statement.line"].search([("journal_id", "=", self.bank.id)]))

    def test_a_file_for_an_unknown_account_is_refused(self):
        self.book_notice()
        with self.assertRaises(UserError):
            self.import_camt(camt053("NO8330001234567", [Booking("2026-02-14", -60000, kid=KID_1)]))
        self.assertFalse(self.env["account.bank.statement.line"].search([("journal_id", "=", self.bank.id)]))


@tagged("post_install", "-at_install")
class TestBankAndClaimsListInEitherOrder(KidMatchingCommon):
    """The payment of instalment 1 is on the bank statement and placed in Skatteetaten's claims list: booked
    once, whichever comes first; nothing is left on outstanding payments."""

    def outstanding(self):
        account = self.env.ref(f"account.{self.company.id}_account_journal_payment_credit_account_id")
        return self.env["account.move.line"].search([("account_id", "=", account.id)])

    def assertSettledOnce(self, debts):
        self.assertTrue(debts[KID_1].reconciled)
        self.assertEqual(debts[KID_2].amount_residual, -60000.0)
        self.assertEqual(self.balance("2400"), -60000.0)
        self.assertEqual(round(sum(self.outstanding().mapped("amount_residual")), 2), 0.0)
        bank = self.env["account.move.line"].search([("account_id", "=", self.bank.default_account_id.id)])
        self.assertEqual(round(sum(bank.mapped("balance")), 2), -60000.0)

    def test_claims_list_first_then_the_bank(self):
        debts = self.book_notice()
        claims = self.book(claims_item("krav", advance_claims([("inn-F1", 60000, "2026-02-14")])))
        self.assertEqual(claims.move_ids.state, "posted", claims.move_ids.altinn_review_reason)
        line = self.import_camt(camt053(IBAN, [Booking("2026-02-14", -60000, kid=KID_1)]))
        self.assertTrue(line.is_reconciled)
        self.assertTrue(self.outstanding().filtered("debit"))  # the bank line settled the placement
        self.assertSettledOnce(debts)

    def test_the_bank_first_then_the_claims_list(self):
        debts = self.book_notice()
        line = self.import_camt(camt053(IBAN, [Booking("2026-02-14", -60000, kid=KID_1)]))
        self.assertTrue(line.is_reconciled)
        claims = self.book(claims_item("krav", advance_claims([("inn-F1", 60000, "2026-02-14")])))
        self.assertEqual(claims.state, "imported", claims.error)
        self.assertFalse(claims.move_ids)
        self.assertSettledOnce(debts)
