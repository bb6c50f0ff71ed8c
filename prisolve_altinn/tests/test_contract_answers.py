"""The client says what is wrong before Altinn does (organisation numbers that fail MOD11 are refused in
the forms), and an answer that breaks Altinn's contract is a failed ledger row that keeps the answer."""

import json

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..altinn import errors as altinn_errors
from ..altinn.altinn3 import answers
from ..altinn.types import FetchFailure
from ..services import recording, texts
from .common import ORG_OWN, AltinnCommon

WRONG = ORG_OWN[:8] + str((int(ORG_OWN[8]) + 1) % 10)  # the company's number with a wrong check digit


@tagged("post_install", "-at_install")
class TestContractAnswers(AltinnCommon):
    def test_a_company_refuses_an_org_number_that_fails_mod11(self):
        with self.assertRaises(ValidationError) as info:
            self.company.sudo().altinn_org_number = WRONG
        self.assertIn(WRONG, str(info.exception))
        self.assertIn("MOD11", str(info.exception))
        norwegian = texts.translate(
            "%(number)s is not a valid organisation number: its last digit does not match the check digit "
            "of the first eight (MOD11). Check the number in Enhetsregisteret (brreg.no).",
            "nb_NO",
        )
        self.assertIn("ikke et gyldig organisasjonsnummer", norwegian)
        self.company.sudo().altinn_org_number = ORG_OWN  # a valid one is taken

    def test_the_form_warns_while_the_number_is_typed(self):
        draft = self.env["res.company"].new({"name": "Ny AS", "altinn_org_number": WRONG})
        warning = draft._onchange_altinn_org_number()
        self.assertIn(WRONG, warning["warning"]["message"])
        draft.altinn_org_number = ORG_OWN
        self.assertFalse(draft._onchange_altinn_org_number())

    def test_an_accounting_firm_refuses_an_org_number_that_fails_mod11(self):
        with self.assertRaises(ValidationError):
            self.env["res.partner"].sudo().create(
                {"name": "Feil Regnskap AS", "is_company": True, "altinn_org_number": WRONG}
            )
        with self.assertRaises(ValidationError):
            self.firm.sudo().altinn_org_number = WRONG

    def test_an_answer_outside_the_contract_is_a_failed_row_with_the_answer_kept(self):
        dialog = {
            "id": "0195f6a1-0000-7000-8000-000000000001",
            "party": "urn:altinn:organization:identifier-no:1",
        }
        with self.assertRaises(altinn_errors.UnexpectedAnswer) as info:
            answers.check(dialog, answers.DIALOG_RULES, "Dialogporten dialog")
        failure = FetchFailure("dialog:" + dialog["id"], "Brev", info.exception)
        new, _known, failures = recording.record_items(self.env["altinn.document"], self.company, [failure])
        row = (
            self.env["altinn.document"]
            .sudo()
            .search([("company_id", "=", self.company.id), ("reference", "=", failure.reference)])
        )
        self.assertEqual((row.state, failures), ("failed", [failure]))
        self.assertIn("status", row.error)
        kept = (
            self.env["ir.attachment"]
            .sudo()
            .search([("res_model", "=", "altinn.document"), ("res_id", "=", row.id)])
        )
        self.assertEqual(len(kept), 1)
        self.assertEqual(json.loads(kept.raw), dialog)
        norwegian = texts.error_text(info.exception, "nb_NO")
        self.assertIn("kontrakt", norwegian)
        self.assertIn("status", norwegian)
