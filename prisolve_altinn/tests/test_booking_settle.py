# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Skatteetaten's view settles, never double-counts: a payment Krav og betalinger shows placed on a debt is
booked once, against the debt (reconciled with it) and on the outstanding payments account for the bank line;
a payment the bank statement already settled the debt with is confirmed, not booked again, in either order."""

from datetime import datetime, timezone

from odoo import Command
from odoo.tests import tagged

from .booking_common import (
    ADVANCE_KID_1,
    ADVANCE_KID_2,
    ADVANCE_TERMS,
    BookingCommon,
    advance_claims,
    advance_tax_xml,
    claims_item,
    claims_json,
    item,
)

KID_1, KID_2, TERMS = ADVANCE_KID_1, ADVANCE_KID_2, ADVANCE_TERMS


@tagged("post_install", "-at_install")
class TestPlacedPaymentsSettle(BookingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.sudo().altinn_post_certain = True

    def notice(self):
        doc = self.book(item("fs-2025", "forskuddsskatt_2025.xml", advance_tax_xml(TERMS)))
        self.assertEqual(doc.move_ids.mapped("state"), ["posted", "posted"], doc.booking_note)
        return {move.payment_reference: self.payable(move) for move in doc.move_ids}

    def payable(self, moves):
        return moves.line_ids.filtered(lambda line: line.account_id.account_type == "liability_payable")

    def outstanding(self):
        account = self.env.ref(f"account.{self.company.id}_account_journal_payment_credit_account_id")
        return self.env["account.move.line"].search([("account_id", "=", account.id)])

    def bank_payment(self, debt_line, amount, day):
        """The bank statement's payment matched with the debt (what OCA's matching or a person does): a
        posted bank entry whose 2400 line is reconciled with the debt's."""
        journal = self.env["account.journal"].search(
            [*self.env["account.journal"]._check_company_domain(self.company), ("type", "=", "bank")], limit=1
        )
        move = self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": journal.id,
                "date": day,
                "line_ids": [
                    Command.create(
                        {
                            "account_id": debt_line.account_id.id,
                            "partner_id": debt_line.partner_id.id,
                            "debit": amount,
                            "name": "Bank",
                        }
                    ),
                    Command.create(
                        {"account_id": journal.default_account_id.id, "credit": amount, "name": "Bank"}
                    ),
                ],
            }
        )
        move.action_post()
        (self.payable(move) | debt_line).reconcile()
        return move

    def test_claims_list_first_the_placement_settles_the_debt_and_waits_for_the_bank(self):
        debts = self.notice()
        doc = self.book(claims_item("krav-1", advance_claims(paid_1=[("inn-F1", 60000, "2026-02-14")])))
        self.assertEqual(doc.state, "imported", doc.error)
        placement = doc.move_ids
        self.assertEqual(len(placement), 1)
        self.assertEqual(placement.state, "posted", placement.altinn_review_reason)
        self.assertEqual(placement.payment_reference, KID_1)
        self.assertTrue(debts[KID_1].reconciled)
        self.assertEqual(debts[KID_2].amount_residual, -60000.0)
        # The payment waits on outstanding payments for the bank line (matched by its KID with OCA).
        self.assertEqual(round(sum(self.outstanding().mapped("amount_residual")), 2), -60000.0)
        # A newer list with the same placement books nothing again.
        again = self.book(
            claims_item(
                "krav-2",
                advance_claims(paid_1=[("inn-F1", 60000, "2026-02-14")]),
                period=("2026-01-01", "2026-06-01"),
            )
        )
        self.assertFalse(again.move_ids)
        self.assertEqual(round(self.balance("2400"), 2), -60000.0)

    def test_bank_first_the_placement_is_confirmed_not_booked_again(self):
        debts = self.notice()
        self.bank_payment(debts[KID_1], 60000, "2026-02-14")
        self.assertTrue(debts[KID_1].reconciled)
        doc = self.book(claims_item("krav-1", advance_claims(paid_1=[("inn-F1", 60000, "2026-02-14")])))
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertFalse(doc.move_ids)
        confirmed = doc.line_ids.filtered(lambda line: line.identifier == "inn-F1")
        self.assertEqual(
            (confirmed.kind, confirmed.state, confirmed.move_id.id), ("payment", "booked", False)
        )
        self.assertIn("bank statement", doc.booking_note)
        self.assertEqual(self.balance("2400"), -60000.0)  # instalment 2 only
        self.assertFalse(self.outstanding())
        # Read again, the list confirms nothing twice and books nothing.
        again = self.book(
            claims_item(
                "krav-2",
                advance_claims(paid_1=[("inn-F1", 60000, "2026-02-14")]),
                period=("2026-01-01", "2026-06-01"),
            )
        )
        self.assertFalse(again.move_ids)
        self.assertFalse(
            again.line_ids.filtered(lambda line: line.identifier == "inn-F1" and line.state == "booked")
        )

    def test_bank_paid_part_the_placement_of_the_rest_is_booked(self):
        """The bank showed 25 000; Skatteetaten placed 25 000 and 35 000 (paid from another account): the
        first is confirmed, the second booked and settles the rest of the debt."""
        debts = self.notice()
        self.bank_payment(debts[KID_1], 25000, "2026-02-10")
        paid = [("inn-F1a", 25000, "2026-02-10"), ("inn-F1b", 35000, "2026-02-15")]
        doc = self.book(claims_item("krav-1", advance_claims(paid_1=paid)))
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertEqual(len(doc.move_ids), 1)
        self.assertEqual(self.lines_by_code(doc.move_ids)["2400"], (35000.0, 0.0))
        self.assertTrue(debts[KID_1].reconciled)
        self.assertEqual(round(sum(self.outstanding().mapped("amount_residual")), 2), -35000.0)

    def test_a_draft_debt_keeps_its_placement_a_draft(self):
        """Without the setting nothing is posted, and a placement is as certain as its debt."""
        self.company.sudo().altinn_post_certain = False
        notice = self.book(item("fs-2025", "forskuddsskatt_2025.xml", advance_tax_xml(TERMS)))
        doc = self.book(claims_item("krav-1", advance_claims(paid_1=[("inn-F1", 60000, "2026-02-14")])))
        self.assertEqual(doc.move_ids.state, "draft")
        self.assertIn("post it first", doc.move_ids.altinn_review_reason)
        # The accountant posts the placement, then the debts: the last posting settles the debt.
        doc.move_ids.action_post()
        notice.move_ids.action_post()
        debt = self.payable(notice.move_ids.filtered(lambda move: move.payment_reference == KID_1))
        self.assertTrue(debt.reconciled)
        self.assertEqual(self.payable(notice.move_ids - debt.move_id).amount_residual, -60000.0)

    def test_an_older_claims_list_says_so_and_changes_nothing_the_newer_one_states(self):
        debts = self.notice()

        def claims_list(reference, rows, day):
            created = datetime(2026, day[0], day[1], 9, 0, tzinfo=timezone.utc)
            return item(
                reference, "krav.json", claims_json(rows), mimetype="application/json", created=created
            )

        newer = self.book(
            claims_list("krav-mai", advance_claims(paid_1=[("inn-F1", 60000, "2026-02-14")]), (5, 2))
        )
        self.assertEqual(newer.state, "imported", newer.error)
        older = self.book(claims_list("krav-mars", advance_claims(), (3, 2)))
        self.assertIn("older than the one already read", older.booking_note)
        self.assertFalse(older.move_ids)
        self.assertTrue(debts[KID_1].reconciled)
        self.assertEqual(self.balance("2400"), -60000.0)
