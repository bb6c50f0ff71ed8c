# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One debt, whichever route brings it and in which order: amendments, refunds, and the tax settlement by
income year and by the company's practice."""

import dataclasses
from datetime import date, datetime, timezone

from odoo.tests import tagged

from ..altinn.parsers.kid import make_kid_mod10
from ..altinn.types import ROLE_ATTACHMENT, ROLE_BODY, AltinnFile
from .booking_common import (
    BookingCommon,
    advance_tax_xml,
    claim,
    claims_item,
    claims_json,
    due,
    item,
    mva_return_xml,
    settlement_xml,
    vat_payment_xml,
)

VAT_KID = make_kid_mod10("349111586122610")
REFUND_KID = make_kid_mod10("9111586127700")


def on(day):
    """An Altinn creation time on ``day`` (the document's date)."""
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=timezone.utc)


def receipt(reference, amount, day, kid=VAT_KID, due_date="2026-10-12", period="juli-august"):
    return item(
        reference,
        "betalingsinformasjon.xml",
        vat_payment_xml(amount, kid=kid, due=due_date, period=period),
        created=on(day),
    )


@tagged("post_install", "-at_install")
class TestDebtIdentity(BookingCommon):
    def test_an_amended_receipt_books_the_difference_and_says_so_on_both(self):
        """A second receipt for the same VAT term (same KID) with another amount is an amendment."""
        first = self.book(receipt("mva-a1", "84994", date(2026, 9, 20)))
        second = self.book(receipt("mva-a2", "143995", date(2026, 10, 2)))
        self.assertEqual(second.state, "imported", second.error)
        correction = second.line_ids.filtered(lambda line: line.state == "booked")
        self.assertEqual(
            (correction.kind, correction.amount, correction.booked_amount), ("correction", 143995.0, 59001.0)
        )
        self.assertEqual(correction.duplicate_of_id, first.line_ids)
        self.assertEqual(correction.debt_key, first.line_ids.debt_key)
        move = correction.move_id
        self.assertEqual(self.lines_by_code(move), {"2740": (59001.0, 0.0), "2400": (0.0, 59001.0)})
        self.assertEqual(move.payment_reference, VAT_KID)
        self.assertEqual(move.line_ids.filtered("credit").date_maturity, date(2026, 10, 12))
        self.assertIn(first.move_id.ref, move.ref)
        self.assertNotEqual(first.move_id.ref, move.ref)
        self.assertIn(first.display_name, move.narration or "")  # the amended document, named
        self.assertIn(self.money(59001), second.booking_note)
        self.assertTrue(any(second.display_name in (body or "") for body in first.message_ids.mapped("body")))
        self.assertEqual((self.balance("2740"), self.balance("2400")), (143995.0, -143995.0))
        # The amended receipt once more: a duplicate of the amendment, nothing booked.
        again = self.book(receipt("mva-a3", "143995", date(2026, 10, 3)))
        self.assertEqual(again.state, "duplicate")
        self.assertEqual(again.line_ids.duplicate_of_id, correction)

    def test_an_older_receipt_after_the_amended_one_changes_nothing(self):
        """The other order: the newer amount stays; the older document says so and books nothing."""
        newer = self.book(receipt("mva-b2", "143995", date(2026, 10, 2)))
        older = self.book(receipt("mva-b1", "84994", date(2026, 9, 20)))
        self.assertEqual(newer.state, "imported", newer.error)
        self.assertEqual(older.state, "duplicate", older.error)
        self.assertFalse(older.move_ids)
        self.assertEqual(older.line_ids.state, "skipped")
        self.assertIn(newer.display_name, older.booking_note)
        self.assertEqual((self.balance("2740"), self.balance("2400")), (143995.0, -143995.0))

    def test_a_notice_and_a_claim_without_kid_are_one_debt_in_either_order(self):
        claims = claims_json(
            [
                claim(
                    "K-T4",
                    "åBetaleMva",
                    31500,
                    group="Merverdiavgift",
                    instalments=[due("2026-10-12", 31500)],
                )
            ]
        )
        notice_first = self.book(receipt("mva-c1", "31500", date(2026, 9, 20)))
        claim_then = self.book(item("krav-c1", "krav.json", claims, mimetype="application/json"))
        self.assertEqual(claim_then.state, "duplicate", claim_then.error)
        self.assertEqual(claim_then.line_ids.debt_key, notice_first.line_ids.debt_key)
        other_term = claims_json(
            [
                claim(
                    "K-T5",
                    "åBetaleMva",
                    18750,
                    group="Merverdiavgift",
                    instalments=[due("2026-12-10", 18750)],
                )
            ]
        )
        claim_first = self.book(item("krav-c2", "krav.json", other_term, mimetype="application/json"))
        notice_then = self.book(
            receipt(
                "mva-c2",
                "18750",
                date(2026, 11, 20),
                kid=make_kid_mod10("349111586122620"),
                due_date="2026-12-10",
            )
        )
        self.assertEqual(claim_first.state, "imported", claim_first.error)
        self.assertEqual(notice_then.state, "duplicate", notice_then.error)
        self.assertEqual(notice_then.line_ids.debt_key, claim_first.line_ids.filtered("move_id").debt_key)
        self.assertEqual(self.balance("2400"), -50250.0)

    def entry_files(self, move):
        return sorted(
            self.env["ir.attachment"]
            .search([("res_model", "=", "account.move"), ("res_id", "=", move.id)])
            .mapped("name")
        )

    def test_the_entry_carries_the_receipt_pdf_whichever_document_booked_it(self):
        """The claims list books the VAT term first (its JSON is the entry's voucher); the receipt that comes
        later is a duplicate, but its PDF (what a person reads) and data file go to the entry. In the other
        order the receipt's entry has them from the start and a later claims list adds nothing."""
        pdf = AltinnFile("kvittering.pdf", "application/pdf", b"%PDF-1.4 kvittering", ROLE_ATTACHMENT)
        body = AltinnFile("message.txt", "text/plain", b"Kvittering for mva-melding", ROLE_BODY)
        orders = (
            ("2026-10-12", "349111586122610", "claims first"),
            ("2026-12-10", "349111586122620", "receipt first"),
        )
        for due_date, kid_base, order in orders:
            claims = claims_json(
                [
                    claim(
                        f"K-{due_date}",
                        "åBetaleMva",
                        31500,
                        group="Merverdiavgift",
                        instalments=[due(due_date, 31500)],
                    )
                ]
            )
            claims_doc = item(f"krav-{due_date}", "krav.json", claims, mimetype="application/json")
            kid = make_kid_mod10(kid_base)
            notice = receipt(f"mva-{due_date}", "31500", date(2026, 9, 20), kid=kid, due_date=due_date)
            notice = dataclasses.replace(notice, files=[*notice.files, pdf, body])
            if order == "claims first":
                booked = self.book(claims_doc)
                later = self.book(notice)
            else:
                booked = self.book(notice)
                later = self.book(claims_doc)
            self.assertEqual(later.state, "duplicate", (order, later.error))
            move = booked.move_id
            self.assertTrue(move, order)
            files = self.entry_files(move)
            self.assertIn("kvittering.pdf", files, order)
            self.assertIn("betalingsinformasjon.xml", files, order)
            self.assertNotIn("message.txt", files, order)
            self.assertEqual(len(files), len(set(files)), order)
            # Booking again, the entry keeps one readable voucher.
            again = self.book(dataclasses.replace(notice, reference=f"mva-{due_date}-kopi"))
            self.assertEqual(self.entry_files(move), files, order)
            self.assertEqual(again.state, "duplicate", order)

    def test_two_claims_of_one_kind_and_due_date_stay_two_debts(self):
        """A claim never matches another claim by category and due date alone: each has its own reference."""
        doc = self.book(
            claims_item(
                "krav-d",
                [
                    claim(
                        "K-AGA",
                        "arbeidsgiveravgiftTerminvis",
                        9000,
                        instalments=[due("2026-03-16", 9000)],
                    ),
                    claim("K-AVVIK", "arbeidsgiveravgiftAvvik", 500, instalments=[due("2026-03-16", 500)]),
                ],
            )
        )
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertEqual(len(doc.move_ids), 2)
        self.assertEqual(self.balance("2770"), 9500.0)

    def test_the_returns_kid_is_the_refund_kid(self):
        """The MVA-melding's KID is the company's KID for receiving the refund, not a KID to pay with."""
        refund = item(
            "mva-r",
            "betalingsinformasjon.xml",
            vat_payment_xml("-4200", kid=VAT_KID, due="2026-04-10"),
            extra_files=[
                AltinnFile(
                    "mvamelding.xml",
                    "application/xml",
                    mva_return_xml([("1", -4200, None, "inng")], refund_kid=REFUND_KID),
                    ROLE_ATTACHMENT,
                )
            ],
        )
        doc = self.book(refund)
        self.assertEqual(doc.state, "imported", doc.error)
        move = doc.move_id
        self.assertEqual(self.lines_by_code(move), {"1579": (4200.0, 0.0), "2740": (0.0, 4200.0)})
        self.assertEqual(move.payment_reference, REFUND_KID)
        self.assertIn(REFUND_KID, move.line_ids.filtered("debit").name)
        self.assertFalse(move.partner_bank_id, "a refund is not paid to Skatteetaten's account")
        returned = doc.line_ids.filtered(lambda line: line.kind == "vat_return")
        self.assertEqual((returned.refund_kid, returned.kid), (REFUND_KID, False))
        # VAT to pay with its return: the payment reference is the receipt's KID, never the refund KID.
        to_pay = self.book(
            item(
                "mva-p",
                "betalingsinformasjon.xml",
                vat_payment_xml(
                    "5000", kid=make_kid_mod10("349111586122630"), due="2026-06-10", period="mars-april"
                ),
                extra_files=[
                    AltinnFile(
                        "mvamelding.xml",
                        "application/xml",
                        mva_return_xml(
                            [("3", 5000, 20000, "utg")], period="mars-april", refund_kid=REFUND_KID
                        ),
                        ROLE_ATTACHMENT,
                    )
                ],
            )
        )
        self.assertEqual(to_pay.move_id.payment_reference, make_kid_mod10("349111586122630"))

    def test_refunds_land_on_one_reconcilable_receivable_whichever_route(self):
        self.post_entry("2025-12-31", [("8300", 50000, 0), ("2500", 0, 50000)])
        self.post_entry("2026-02-16", [("2540", 60000, 0), ("1920", 0, 60000)])
        vat = self.book(receipt("mva-g", "-3000", date(2026, 9, 20)))
        claim_doc = self.book(
            claims_item("krav-g", [claim("K-TILGODE", "tilgodeMva", -1200, group="Merverdiavgift")])
        )
        settlement = self.book(
            item(
                "sk-g",
                "skattemelding_respons.xml",
                settlement_xml(52000, year=2025),
                created=on(date(2026, 10, 20)),
            )
        )
        for doc in (vat, claim_doc, settlement):
            self.assertEqual(doc.state, "imported", doc.error)
        receivable = self.account("1579")
        self.assertTrue(receivable.reconcile)
        lines = (vat | claim_doc | settlement).move_ids.line_ids.filtered(
            lambda line: line.account_id == receivable
        )
        self.assertEqual(sorted(lines.mapped("debit")), [1200.0, 3000.0, 8000.0])
        self.assertEqual(set(lines.partner_id.mapped("l10n_no_bronnoysund_number")), {"974761076"})


@tagged("post_install", "-at_install")
class TestSettlementPractice(BookingCommon):
    def settle(self, reference, total, day=date(2026, 10, 20), year=2025):
        return self.book(
            item(reference, "skattemelding_respons.xml", settlement_xml(total, year=year), created=on(day))
        )

    def advance_notice(self, reference="fs-25", amounts=(60000, 60000), notice_date="2026-01-09"):
        terms = [
            (1, "2026-02-16", amounts[0], make_kid_mod10("2025911158612010")),
            (2, "2026-04-15", amounts[1], make_kid_mod10("2025911158612020")),
        ]
        return self.book(
            item(reference, "forskuddsskatt.xml", advance_tax_xml(terms, notice_date=notice_date))
        )

    def test_balances_are_those_of_the_income_year(self):
        """2024 settled in 2025, 2025 accrued and prepaid, 2026 accrued later: only 2025 is settled."""
        self.post_entry("2024-12-31", [("8300", 90000, 0), ("2500", 0, 90000)])  # accrual 2024
        self.post_entry("2025-02-15", [("2540", 70000, 0), ("1920", 0, 70000)])  # advance tax 2024
        self.post_entry("2025-10-01", [("2500", 90000, 0), ("2540", 0, 70000), ("2510", 0, 20000)])  # settled
        self.post_entry("2025-12-31", [("8300", 100000, 0), ("2500", 0, 100000)])  # accrual 2025
        self.post_entry("2026-02-16", [("2540", 80000, 0), ("1920", 0, 80000)])  # advance tax 2025
        self.post_entry("2026-12-31", [("8300", 95000, 0), ("2500", 0, 95000)])  # accrual 2026: not 2025's
        self.post_entry("2027-02-15", [("2540", 50000, 0), ("1920", 0, 50000)])  # advance tax 2026: neither
        doc = self.settle("sk-1", 110000)
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertEqual(
            self.lines_by_code(doc.move_id),
            {"2500": (100000.0, 0.0), "2540": (0.0, 80000.0), "2510": (0.0, 30000.0), "8309": (10000.0, 0.0)},
        )
        self.assertEqual(doc.move_id.date, date(2026, 10, 20))
        # The computation, line by line, on the document.
        figures = {line.account_code: line.amount for line in doc.line_ids if line.state == "recorded"}
        self.assertEqual(figures, {"2500": 100000.0, "2540": 80000.0, "8309": 10000.0, "2510": 30000.0})
        for figure in ("2025", "2500", "2540", "8309", "2510"):
            self.assertIn(figure, doc.booking_note)

    def test_own_unposted_drafts_count_and_are_named(self):
        self.post_entry("2025-12-31", [("8300", 100000, 0), ("2500", 0, 100000)])
        notice = self.advance_notice()
        self.assertEqual(notice.move_ids.mapped("state"), ["draft", "draft"])
        doc = self.settle("sk-2", 110000)
        self.assertEqual(
            self.lines_by_code(doc.move_id),
            {
                "2500": (100000.0, 0.0),
                "2540": (0.0, 120000.0),
                "1579": (10000.0, 0.0),
                "8309": (10000.0, 0.0),
            },
        )
        unposted = self.company_env()._(
            "Unposted entries made from Altinn are included: %(count)s on the accrued-tax and "
            "advance-tax accounts.",
            count=2,
        )
        self.assertIn(unposted, doc.booking_note)
        self.assertEqual(self.balance("2540"), 0.0)

    def test_advance_tax_booked_against_the_accrued_tax(self):
        """The practice where advance tax goes on 2500: the company says so once, booking follows."""
        self.company.sudo().altinn_advance_tax_account_id = self.account("2500")
        self.assertEqual(self.company.altinn_advance_tax_account_id.code, "2500")
        self.post_entry("2025-12-31", [("8300", 100000, 0), ("2500", 0, 100000)])
        notice = self.advance_notice()
        self.assertEqual(
            self.lines_by_code(notice.move_ids), {"2500": (120000.0, 0.0), "2400": (0.0, 120000.0)}
        )
        doc = self.settle("sk-3", 110000)
        self.assertEqual(doc.state, "imported", doc.error)
        self.assertEqual(self.balance("2500"), 0.0)
        self.assertEqual(self.balance("2540"), 0.0)
        self.assertEqual(self.balance("8309"), 10000.0)
        self.assertEqual(self.balance("1579"), 10000.0)  # 110 000 assessed, 120 000 paid in advance

    def test_advance_tax_after_the_settlement_corrects_it(self):
        """Settlement first, advance tax later: the same balances as the other order."""
        self.post_entry("2025-12-31", [("8300", 100000, 0), ("2500", 0, 100000)])
        settlement = self.settle("sk-4", 110000)
        self.assertEqual(self.balance("2510"), -110000.0)
        notice = self.advance_notice()
        self.assertEqual(notice.state, "imported", notice.error)
        corrections = notice.line_ids.filtered(lambda line: line.kind == "correction")
        self.assertEqual(len(corrections), 2)
        self.assertEqual(
            set(corrections.mapped("debt_key")), {settlement.line_ids.filtered("move_id").debt_key}
        )
        self.assertIn(notice.display_name, "".join(settlement.message_ids.mapped("body")))
        self.assertEqual(
            (self.balance("2500"), self.balance("2540"), self.balance("2510"), self.balance("1579")),
            (0.0, 0.0, 0.0, 10000.0),
        )
        self.assertEqual(self.balance("2400"), -120000.0)

    def test_a_year_without_balances_is_refused_with_a_clear_note(self):
        doc = self.settle("sk-5", 110000)
        self.assertEqual(doc.state, "failed")
        for word in ("2025", "2500", "2540"):
            self.assertIn(word, doc.error)
        self.assertFalse(doc.move_ids)
        self.assertFalse(doc.line_ids)

    def test_a_changed_settlement_books_the_difference(self):
        self.post_entry("2025-12-31", [("8300", 100000, 0), ("2500", 0, 100000)])
        self.post_entry("2026-02-16", [("2540", 80000, 0), ("1920", 0, 80000)])
        first = self.settle("sk-6", 110000)
        changed = self.settle("sk-7", 115000, day=date(2026, 12, 1))
        self.assertEqual(changed.state, "imported", changed.error)
        self.assertEqual(self.lines_by_code(changed.move_ids), {"8309": (5000.0, 0.0), "2510": (0.0, 5000.0)})
        self.assertEqual(self.balance("2510"), -35000.0)
        older = self.settle("sk-8", 110000, day=date(2026, 11, 1))
        self.assertEqual(older.state, "duplicate")
        self.assertFalse(older.move_ids)
        self.assertIn(changed.display_name, "".join(first.message_ids.mapped("body")))
