"""The fault mapping (docs/DESIGN-NOTES.md "## Fault mapping") and how the errors read.

Every error says one sentence (English source, Norwegian through i18n/nb.po); Altinn's own text, ErrorID and
ErrorGuid go to the support details line, never into that sentence.
"""

import ast
from pathlib import Path

import polib
import pytest
from altinn2_faults import CHALLENGE, DATA_CALL, FAULTS, INCORRECT_USER

from prisolve_altinn.altinn import errors
from prisolve_altinn.altinn.soap.faults import AltinnFault, error_class_for, to_error

ADDON = Path(__file__).resolve().parents[2] / "prisolve_altinn"


def fault(error_id, message, guid="g-1"):
    return AltinnFault(
        "s:Client", "An error occurred", error_id=error_id, error_message=message, error_guid=guid
    )


# Where the operation or another text of the same ErrorID makes the difference; the rest of the table
# (altinn2_faults.FAULTS) is checked at a data call.
OTHER_CASES = [
    # Altinn does not say which credential was wrong: the operation does.
    (989, INCORRECT_USER, CHALLENGE, errors.WrongPersonalPassword),
    (989, INCORRECT_USER, "GetArchivedFormTaskBasicV2", errors.WrongPinCode),
    (989, INCORRECT_USER, None, errors.InvalidUserCredentials),
    (989, "Something else about authentication", DATA_CALL, errors.WrongPinCode),
    # Texts as Altinn's help page "Computer systems - list of possible error messages" lists them.
    (989, "Incorrect username/password given for system", DATA_CALL, errors.InvalidSystemCredentials),
    (989, "The EndUserSystem System with ID: 955044 is locked out", CHALLENGE, errors.SystemLockedOut),
    # The emulator's texts.
    (989, "The pin code session has expired. Request a new pin code", DATA_CALL, errors.PinSessionExpired),
    (
        989,
        "The user is temporarily locked because of too many failed attempts. Try again later",
        CHALLENGE,
        errors.UserLockedOut,
    ),
    (60018, "", DATA_CALL, errors.ElementNotFound),
    (0, "Invalid authentication method", CHALLENGE, errors.AltinnError),
]


@pytest.mark.parametrize(
    ("error_id", "message", "operation", "expected"),
    [(error_id, message, DATA_CALL, expected) for error_id, message, expected in FAULTS] + OTHER_CASES,
)
def test_mapping(error_id, message, operation, expected):
    assert error_class_for(fault(error_id, message), operation) is expected
    err = to_error(fault(error_id, message), operation or "Op")
    if operation is not None:
        assert type(err) is expected
    assert err.error_guid == "g-1" and err.error_id == error_id


ERROR_CLASSES = [
    cls
    for cls in vars(errors).values()
    if isinstance(cls, type) and issubclass(cls, errors.AltinnError) and cls.__module__ == errors.__name__
]


def marked_sources(path):
    """Every literal passed to ``_lt`` in ``path``, as Odoo's export extracts it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_lt"
    }


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_every_error_says_one_sentence_without_altinns_words(cls, nb):
    raw = "Incorrect username/password/pin given for user"
    err = cls("GetReporteeElementListBasicV2", error_id=989, error_guid="b58ccf4c", altinn_message=raw)
    for message in (err.text(), err.text(nb)):
        assert message.endswith(".") and message.count(". ") == 0, message  # one sentence
        for altinns in (raw, "989", "ErrorID", "b58ccf4c", "GetReporteeElementListBasicV2"):
            assert altinns not in message
    assert err.text(nb) != err.text(), f"{cls.__name__}: no Norwegian text in nb.po"
    # Everything support needs is on the details line, in both languages.
    for details in (err.details_text(), err.details_text(nb)):
        for altinns in (raw, "ErrorID 989", "ErrorGuid b58ccf4c", "GetReporteeElementListBasicV2"):
            assert altinns in details
    assert err.details_text().startswith("Details for support: ")
    assert err.details_text(nb).startswith("Detaljer for brukerstøtte: ")


def test_the_person_facing_sentences(nb):
    wrong_password = errors.WrongPersonalPassword(error_id=989)
    assert "personlige passordet" in wrong_password.text(nb) and "SMS" not in wrong_password.text(nb)
    wrong_code = errors.WrongPinCode(error_id=989)
    assert "siste SMS" in wrong_code.text(nb)
    after_new_code = errors.WrongPinCode(error_id=989, earlier_code_void=True)
    assert "ny kode" in after_new_code.text(nb) and "siste SMS" in after_new_code.text(nb)
    assert after_new_code.text(nb) != wrong_code.text(nb)
    assert "om en time" in errors.UserLockedOut(error_id=989).text(nb)
    assert "«Hent SMS-kode»" in errors.PinSessionExpired(error_id=989).text(nb)
    assert "en time" in errors.SystemLockedOut(error_id=5).text(nb)


def test_no_details_without_anything_for_support():
    err = errors.ServiceUnavailable()
    assert err.details == "" and err.details_text() == ""
    assert str(err) == err.text()


def test_language_code_compatibility_appends_the_details(nb):
    err = errors.WrongPinCode("Op", error_id=989, error_guid="g-7")
    errors.install_lang_translator(lambda source, lang: nb(source) if lang == "nb_NO" else source)
    try:
        assert err.text("nb_NO") == f"{err.text(nb)}\n{err.details_text(nb)}"
        assert err.text("en_US") == f"{err.text()}\n{err.details_text()}"
    finally:
        errors.install_lang_translator(None)
    assert err.text("nb_NO") == f"{err.text()}\n{err.details_text()}"  # no ORM: English


@pytest.mark.parametrize("path", [ADDON / "altinn" / "errors.py", ADDON / "altinn" / "soap" / "transport.py"])
def test_every_marked_text_is_translated_with_its_placeholders(path):
    po = {entry.msgid: entry for entry in polib.pofile(str(ADDON / "i18n" / "nb.po"))}
    pot = {entry.msgid for entry in polib.pofile(str(ADDON / "i18n" / "prisolve_altinn.pot"))}
    sources = marked_sources(path)
    assert sources
    reference = f"code:addons/prisolve_altinn/{path.relative_to(ADDON)}"
    for source in sources:
        assert source in pot, f"missing in prisolve_altinn.pot: {source!r}"
        entry = po.get(source)
        assert entry is not None and entry.msgstr, f"missing in nb.po: {source!r}"
        assert "odoo-python" in entry.comment.split("\n"), source  # Odoo loads code terms only with it
        assert any(ref == reference for ref, _line in entry.occurrences), source
        assert ("%(details)s" in source) == ("%(details)s" in entry.msgstr)
