# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The addon's messages to a person, titled by what kind of problem they are.

Odoo titles every ``UserError`` dialog "Invalid Operation" ("Ugyldig operasjon"). ``AltinnUserError`` carries
its own title (in the language of the environment that raises it) in the exception's ``context``, which
Odoo sends to the browser with the error; ``static/src/js/altinn_error_dialog.js`` shows it as the dialog's
title. Everything else is a ``UserError``: the message, the rollback, the tests' ``assertRaises(UserError)``.
"""

from odoo.exceptions import UserError

from .altinn import errors as altinn_errors
from .altinn.i18n import _lt
from .services.texts import translate

# The kinds of problem, as titles (English sources, in the raising environment's language).
LOGIN = _lt("Altinn login")
DATASYSTEM = _lt("The datasystem in Altinn")
RIGHTS = _lt("Rights in Altinn")
UNAVAILABLE = _lt("Altinn does not answer")
ALTINN = _lt("Answer from Altinn")
SETUP = _lt("Altinn setup")
MISSING = _lt("Information missing")
NOT_NOW = _lt("Not possible now")
NOT_ALLOWED = _lt("Not allowed")
UPLOAD = _lt("The uploaded file")


class AltinnUserError(UserError):
    """A ``UserError`` whose dialog title says what kind of problem it is."""

    def __init__(self, message, title):
        super().__init__(message)
        self.title = str(title)
        # Sent to the browser by odoo.http.serialize_exception (data.context).
        self.context = {"altinn_title": self.title}


class AltinnBookingRefusal(UserError):
    """The document cannot be booked safely (missing or doubtful account, unbalanced entry…).

    The pipeline marks the document failed with this message; nothing is posted to a guessed account.
    """


def raise_titled(env, message, kind):
    """Raise ``message`` with the title ``kind`` (one of this module's kinds) in ``env``'s language."""
    raise AltinnUserError(message, title=title_of(env, kind))


def title_of(env, kind):
    return translate(kind, env.lang or "en_US")


def altinn_kind(error):
    """The kind of problem an Altinn error is (a title of this module)."""
    if isinstance(error, altinn_errors.InvalidSystemCredentials | altinn_errors.SystemLockedOut):
        return DATASYSTEM
    if isinstance(
        error,
        altinn_errors.InvalidUserCredentials
        | altinn_errors.PinSessionExpired
        | altinn_errors.UserLockedOut
        | altinn_errors.NoPhoneNumber,
    ):
        return LOGIN
    if isinstance(error, altinn_errors.NoRights):
        return RIGHTS
    if isinstance(error, altinn_errors.ServiceUnavailable | altinn_errors.AltinnTimeout):
        return UNAVAILABLE
    if isinstance(error, altinn_errors.ConfigurationError):
        return SETUP
    return ALTINN


def altinn_user_error(env, error, message):
    """An ``AltinnUserError`` for the Altinn ``error`` (``message``: what the person reads about it)."""
    return AltinnUserError(message, title=title_of(env, altinn_kind(error)))
