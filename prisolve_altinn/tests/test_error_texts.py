# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Altinn's faults in the person's language: one Norwegian sentence from i18n/nb.po per error class, and
Altinn's own text, ErrorID and ErrorGuid on a separate details line for support."""

from odoo.tests import TransactionCase, tagged

from ..altinn import errors as altinn_errors
from ..altinn.soap.transport import EARLIER_CODE_VOID
from ..services import texts
from .common import INCORRECT_USER


def error_classes():
    return [
        cls
        for cls in vars(altinn_errors).values()
        if isinstance(cls, type)
        and issubclass(cls, altinn_errors.AltinnError)
        and cls.__module__ == altinn_errors.__name__
    ]


@tagged("post_install", "-at_install")
class TestErrorTexts(TransactionCase):
    def make(self, cls, **kwargs):
        return cls(
            "GetReporteeElementListBasicV2",
            error_id=989,
            error_guid="b58ccf4c-4c51",
            altinn_message=INCORRECT_USER,
            **kwargs,
        )

    def test_every_error_class_has_its_norwegian_sentence(self):
        classes = error_classes()
        self.assertGreater(len(classes), 20)
        for cls in classes:
            with self.subTest(cls.__name__):
                error = self.make(cls)
                english = texts.error_text(error, "en_US")
                norwegian = texts.error_text(error, "nb_NO")
                self.assertEqual(english, error.text())
                self.assertNotEqual(norwegian, english, "nb.po has no translation")
                for altinns in (INCORRECT_USER, "989", "b58ccf4c", "GetReporteeElementListBasicV2"):
                    self.assertNotIn(altinns, norwegian)
                details = texts.error_details(error, "nb_NO")
                self.assertTrue(details.startswith("Detaljer for brukerstøtte: "), details)
                for altinns in (
                    INCORRECT_USER,
                    "ErrorID 989",
                    "ErrorGuid b58ccf4c-4c51",
                    "GetReporteeElementListBasicV2",
                ):
                    self.assertIn(altinns, details)

    def test_the_sentences_that_say_what_to_do(self):
        def nb(error):
            return texts.error_text(error, "nb_NO")

        password = nb(self.make(altinn_errors.WrongPersonalPassword))
        self.assertIn("personlige passordet", password)
        self.assertNotIn("SMS", password)
        self.assertIn("siste SMS-en", nb(self.make(altinn_errors.WrongPinCode)))
        self.assertIn("ny kode", nb(self.make(altinn_errors.WrongPinCode, earlier_code_void=True)))
        self.assertIn("prøv igjen om en time", nb(self.make(altinn_errors.UserLockedOut)))
        self.assertIn("«Hent SMS-kode»", nb(self.make(altinn_errors.PinSessionExpired)))
        self.assertIn("forrige SMS-en", texts.translate(EARLIER_CODE_VOID, "nb_NO"))

    def test_language_code_calls_keep_working(self):
        error = self.make(altinn_errors.WrongPinCode)
        self.assertEqual(
            error.text("nb_NO"),
            f"{texts.error_text(error, 'nb_NO')}\n{texts.error_details(error, 'nb_NO')}",
        )

    def test_other_errors(self):
        self.assertEqual(texts.error_text(ValueError("x"), "nb_NO"), "x")
        self.assertEqual(texts.error_details(ValueError("x"), "nb_NO"), "")
        self.assertEqual(texts.error_details(altinn_errors.ServiceUnavailable(), "nb_NO"), "")
