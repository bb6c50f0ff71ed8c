"""Typed Altinn errors.

Each error class has one English sentence, marked with ``_lt``, that says what happened and who must do
what (``message``); its Norwegian text lives in ``i18n/nb.po`` and the ORM renders it in the language it
chooses (``services.texts.error_text``). Altinn's own words (its message, ErrorID, ErrorGuid) and our
technical detail never enter that sentence: they form the support details line (``details_text``).

Raised by the protocol layer; the ORM turns them into ``UserError`` in the wizard and into a failed
ledger row or an activity in crons.
"""

from __future__ import annotations

from collections.abc import Callable

from .i18n import Text, _lt

DETAILS_LABEL = _lt("Details for support: %(details)s")

# Compatibility for ORM code that still calls ``error.text("nb_NO")``: services/texts.py installs how a
# language code translates a source. New code renders with ``services.texts.error_text``/``error_details``.
_lang_translator: Callable[[str, str], str] | None = None


def install_lang_translator(translator: Callable[[str, str], str] | None) -> None:
    """Let ``AltinnError.text(lang)`` translate ``source`` into ``lang`` with ``translator(source, lang)``."""
    global _lang_translator  # one process-wide hook, set once by the ORM
    _lang_translator = translator


class AltinnError(Exception):
    code = "altinn_error"
    message = _lt(
        "Altinn answered with an error: try again later, and if it keeps happening, contact Altinn support "
        "with the details for support."
    )
    # True when the same call may succeed later without anybody changing anything.
    retryable = False

    def __init__(
        self,
        detail: str = "",
        *,
        error_id: int | None = None,
        error_guid: str | None = None,
        altinn_message: str | None = None,
    ):
        #: Our own technical note (the operation, what was missing); English, for support and logs.
        self.detail = detail
        self.error_id = error_id
        self.error_guid = error_guid
        #: Altinn's own text, as Altinn sent it: for support only, never in the main message.
        self.altinn_message = altinn_message
        super().__init__(detail)

    def message_text(self) -> Text:
        """The main message: one sentence, English source with its values."""
        return Text(self.message)

    def text(self, translate: Callable[[str], str] | str | None = None) -> str:
        """The main message in one language (``translate`` maps an English source; None: English).

        Compatibility: given a language code instead (``"nb_NO"``), the text is translated through the
        translator the ORM installed and the details line follows on a second line.
        """
        if isinstance(translate, str):
            lang = translate
            translate = (lambda source: _lang_translator(source, lang)) if _lang_translator else None
            return "\n".join(filter(None, (self.text(translate), self.details_text(translate))))
        return self.message_text().render(translate)

    @property
    def details(self) -> str:
        """What Altinn support needs: our note, Altinn's ErrorID, ErrorGuid and own text (or "")."""
        parts = [self.detail] if self.detail and self.detail != self.altinn_message else []
        if self.error_id is not None:
            parts.append(f"ErrorID {self.error_id}")
        if self.error_guid:
            parts.append(f"ErrorGuid {self.error_guid}")
        if self.altinn_message:
            parts.append(f"Altinn: {self.altinn_message}")
        return " · ".join(parts)

    def details_text(self, translate: Callable[[str], str] | None = None) -> str:
        """The support details line in one language, or "" when there is nothing to tell support."""
        details = self.details
        return Text(DETAILS_LABEL, {"details": details}).render(translate) if details else ""

    def __str__(self) -> str:
        details = self.details
        return f"{self.text()} ({details})" if details else self.text()


class InvalidSystemCredentials(AltinnError):
    code = "invalid_system_credentials"
    message = _lt(
        "Altinn did not accept the system ID and system password: check them on the Altinn tab of the "
        "company (or of the accounting firm) against the datasystem registered in Altinn."
    )


class SystemLockedOut(InvalidSystemCredentials):
    """Altinn locks a datasystem ID for an hour after repeated wrong system passwords (Altinn's help page
    "Computer systems - list of possible error messages")."""

    code = "system_locked_out"
    message = _lt(
        "Altinn has locked the system ID for an hour after repeated wrong system passwords: check the system "
        "password on the Altinn tab against the datasystem registered in Altinn, and try again in an hour."
    )


class InvalidUserCredentials(AltinnError):
    """Altinn refused the person's login; it does not say which part was wrong (ErrorID 989)."""

    code = "invalid_user_credentials"
    message = _lt(
        "Altinn did not accept the national ID number/username, the personal password or the SMS code: "
        "check them and try again; several wrong attempts in a row lock the login for an hour."
    )


class WrongPersonalPassword(InvalidUserCredentials):
    """Refused when asking for the SMS code: no code is involved yet, so the person or password is wrong."""

    code = "wrong_personal_password"
    message = _lt(
        "Altinn did not accept the national ID number/username or the personal password: check the password "
        "under Profile → Advanced settings → Login information on altinn.no; several wrong attempts in a row "
        "lock the login for an hour."
    )


class WrongPinCode(InvalidUserCredentials):
    """Refused at a data call: the password passed the SMS request, so the code is wrong or old.

    ``earlier_code_void``: a new code was asked for after the first one, which Altinn then voids.
    """

    code = "wrong_pin_code"
    message = _lt(
        "Altinn did not accept the SMS code: type the code from the latest SMS from Altinn, or click "
        '"Get SMS code" for a new one; several wrong codes in a row lock the login for an hour.'
    )
    message_after_new_code = _lt(
        "Altinn did not accept the SMS code: you asked for a new code, so only the code in the latest SMS "
        "works."
    )

    def __init__(self, detail: str = "", *, earlier_code_void: bool = False, **kwargs):
        super().__init__(detail, **kwargs)
        self.earlier_code_void = earlier_code_void

    def message_text(self) -> Text:
        return Text(self.message_after_new_code if self.earlier_code_void else self.message)


class PinCodeMissing(InvalidUserCredentials):
    code = "pin_code_missing"
    message = _lt('No SMS code was given: click "Get SMS code" and type the code from the SMS.')


class PinSessionExpired(AltinnError):
    code = "pin_session_expired"
    message = _lt(
        "The SMS code is no longer valid (Altinn ends the session after 30 minutes without use and after 8 "
        'hours at most): click "Get SMS code" for a new code.'
    )


class UserLockedOut(AltinnError):
    code = "user_locked_out"
    message = _lt(
        "Altinn has locked this person's login after too many wrong passwords or codes in a row: "
        "try again in an hour."
    )


class NoPhoneNumber(AltinnError):
    code = "no_phone_number"
    message = _lt(
        "Altinn has no mobile number for this person, so it cannot send an SMS code: register the mobile "
        "number in the Altinn profile on altinn.no, then try again."
    )


class NoRights(AltinnError):
    code = "no_rights"
    message = _lt(
        "The person or the datasystem has no rights for this organisation in Altinn: ask the company to "
        "delegate the needed role (such as Regnskapsfører) to the person or to the firm's datasystem."
    )


class ElementNotFound(AltinnError):
    code = "element_not_found"
    message = _lt("The item no longer exists in Altinn (deleted or moved): fetch the list again.")


class ServiceUnavailable(AltinnError):
    code = "service_unavailable"
    retryable = True
    message = _lt("Altinn is unavailable right now: nothing was lost, try again later.")


class AltinnTimeout(ServiceUnavailable):
    code = "timeout"
    message = _lt("Altinn did not answer in time: nothing was lost, try again later.")


class MalformedResponse(AltinnError):
    code = "malformed_response"
    message = _lt("Altinn sent an answer that could not be read: nothing was imported, try again later.")


class ConfigurationError(AltinnError):
    code = "configuration"
    message = _lt("The Altinn settings are incomplete: complete the Altinn tab on the company.")


# Altinn 3 (Maskinporten / system user)
class SystemUserNotApproved(AltinnError):
    code = "system_user_not_approved"
    message = _lt(
        "The company has not approved (or has revoked) the system user for this system: send the approval "
        "link to the company's daglig leder, or ask the firm to check the client delegation."
    )


class InvalidClientKey(AltinnError):
    code = "invalid_client_key"
    message = _lt(
        "Maskinporten rejected the system's key or certificate (wrong, expired or not registered): upload a "
        "valid key in the Altinn 3 settings and register its public key in Maskinporten."
    )


class RateLimited(ServiceUnavailable):
    code = "rate_limited"
    #: Seconds Altinn asked us to wait (``Retry-After``), when it said.
    retry_after: float | None = None
    message = _lt(
        "Altinn asks us to slow down (too many requests): the next run continues where this one stopped."
    )


class ClockSkew(AltinnError):
    code = "clock_skew"
    message = _lt(
        "Maskinporten rejected the request because this server's clock is more than a few seconds off: ask "
        "the server administrator to synchronise the clock (NTP), then try again."
    )


class ScopeNotGranted(ConfigurationError):
    code = "scope_not_granted"
    message = _lt(
        "The Maskinporten integration has not been granted the scopes Altinn needs: the system vendor must "
        "ask Digdir/Altinn to grant them, or fix the scopes in the Altinn 3 settings."
    )


class ClientNotDelegated(NoRights):
    code = "client_not_delegated"
    message = _lt(
        "The accounting firm's system user has no access to this client: the firm's klientadministrator "
        "must add the client to the system user in Altinn (Tilgangsstyring → Systemtilganger → Klienter), "
        "and the client must have the firm registered as regnskapsfører or have delegated the access "
        "package."
    )


class TokenRejected(AltinnError):
    code = "token_rejected"
    message = _lt(
        "Altinn did not accept the access token from Maskinporten: check that the Maskinporten integration "
        "and the Altinn environment match (test with TT02, production with production)."
    )


class ContinuationTokenExpired(ServiceUnavailable):
    code = "continuation_expired"
    message = _lt(
        "Altinn no longer accepts the paging position of this import: nothing was lost, the next run starts "
        "again after the last imported item."
    )


# Altinn 3 onboarding, system register and partial items (texts: ``message``, rendered by the ORM)


class SystemUserExists(AltinnError):
    code = "system_user_exists"
    message = _lt(
        "Altinn already has a system user for this system and organisation, so no new approval is needed:"
        " check its status, and if it is the wrong kind the organisation must delete it in Altinn "
        "(Tilgangsstyring → Systemtilgang) before a new one can be requested."
    )


class SystemUserRequestBlocked(ConfigurationError):
    code = "system_user_request_blocked"
    message = _lt(
        "Altinn keeps an earlier system-user request for the same organisation and reference (for the "
        "other kind of system user): delete that request in the Altinn settings, or let the organisation "
        "answer it, then send the request again."
    )


class WrongSystemUserKind(ConfigurationError):
    code = "wrong_system_user_kind"
    message = _lt(
        "The system user Altinn has for this organisation and reference is of the other kind (a company's"
        " own system user instead of an accounting firm's client system user, or the reverse), so the "
        "organisation must delete it in Altinn (Tilgangsstyring → Systemtilgang) and then request the "
        "right one again."
    )


class ExternalRefMismatch(SystemUserNotApproved):
    code = "external_ref_mismatch"
    message = _lt(
        "Altinn has a system user for this organisation, but under another reference than the one this "
        "database uses: request the system user again from the Altinn settings, or ask the organisation "
        "to delete the old one in Altinn."
    )


class SystemNotRegistered(ConfigurationError):
    code = "system_not_registered"
    message = _lt(
        "The system is not registered in Altinn's system register (or belongs to another vendor), so the "
        "system vendor must register it with the Maskinporten integration's client id and then try again."
    )


class NotSystemVendor(NoRights):
    code = "not_system_vendor"
    message = _lt(
        "Altinn refused the change to the system register because the Maskinporten integration belongs to"
        " another organisation than the system's vendor: use the vendor's own integration."
    )


class SystemRegisterRejected(ConfigurationError):
    code = "system_register_rejected"
    message = _lt(
        "Altinn refused the system description (see Altinn's text in the details), so the system vendor "
        "must correct it and save it again."
    )


class ClientIdNotOnSystem(ConfigurationError):
    code = "client_id_not_on_system"
    message = _lt(
        "The Maskinporten integration's client id is not listed on the system in Altinn's system "
        "register, so Maskinporten issues no system-user token: the system vendor must add the client id "
        "to the system."
    )


class AccessPackageNotOnSystem(ConfigurationError):
    code = "access_package_not_on_system"
    message = _lt(
        "The system-user request asks for an access package that the system does not list in Altinn's "
        "system register, or one this kind of system user cannot hold: the system vendor must add the "
        "package to the system, or the request must ask for another one."
    )


class AttachmentUnauthorized(NoRights):
    code = "attachment_unauthorized"
    message = _lt(
        "Altinn does not let the system user open this attachment, so the organisation must give the "
        "system user the access package or right the sender requires; the rest of the item was imported."
    )


class ServiceOwnerRefused(AltinnError):
    code = "service_owner_refused"
    message = _lt(
        "The sender's own server refused to hand over this document; the rest of the item was imported, "
        "and if it persists, contact the sender (such as Skatteetaten) with the reference."
    )


class ServiceOwnerUnavailable(AltinnError):
    code = "service_owner_unavailable"
    retryable = True
    message = _lt(
        "The sender's own server did not answer for this document; the rest of the item was imported, and"
        " the document is fetched again later."
    )


# Files uploaded by hand (``upload.upload_files``): refused before anything is recorded. Not an Altinn
# error (Altinn is not involved): the message names the file and says what to do; what was wrong
# technically (zipfile's, zlib's or lzma's own words) is the support details line.


class UploadRefused(Exception):
    code = "upload_refused"
    message = _lt(
        "%(name)s is not an XML, JSON, PDF or zip file: upload the file as Skatteetaten or Altinn gave it."
    )

    def __init__(self, name: str, detail: str = "", **params):
        self.name = name
        #: Technical note for support and logs (English, untranslated).
        self.detail = detail
        self.params = params
        super().__init__(f"{self.text()} ({detail})" if detail else self.text())

    def message_text(self) -> Text:
        return Text(self.message, {"name": self.name, **self.params})

    def text(self, translate: Callable[[str], str] | None = None) -> str:
        return self.message_text().render(translate)

    @property
    def details(self) -> str:
        return self.detail

    def details_text(self, translate: Callable[[str], str] | None = None) -> str:
        return Text(DETAILS_LABEL, {"details": self.detail}).render(translate) if self.detail else ""


class UploadEmpty(UploadRefused):
    code = "upload_empty"
    message = _lt("%(name)s is empty: download it again and upload the new copy.")


class ZipDamaged(UploadRefused):
    code = "zip_damaged"
    message = _lt(
        "%(name)s is not a valid zip file (damaged or cut off): download it again and upload the new copy."
    )


class ZipMemberDamaged(UploadRefused):
    code = "zip_member_damaged"
    message = _lt(
        "%(member)s in %(name)s cannot be unpacked (damaged or encrypted): download the zip again, or upload "
        "the file itself."
    )


class ZipTooManyFiles(UploadRefused):
    code = "zip_too_many_files"
    message = _lt("%(name)s holds more than %(max)s files: upload them in smaller zips.")


class ZipTooLarge(UploadRefused):
    code = "zip_too_large"
    message = _lt("%(name)s is larger than %(max)s MB when unpacked: upload its files in smaller zips.")


class ZipWithoutDocuments(UploadRefused):
    code = "zip_without_documents"
    message = _lt("%(name)s holds no XML, JSON or PDF file, so there is nothing to import.")


# What a field Altinn names in a validation problem (``errors`` keys: FluentValidation's property names,
# e.g. ``Party[0]``, ``ContentUpdatedAfter``) is, in words; the key is lower-cased, without its index.
FIELD_TEXTS = {
    "party": _lt("the organisation number"),
    "createdafter": _lt("the time period (from later than to)"),
    "updatedafter": _lt("the time period (from later than to)"),
    "contentupdatedafter": _lt("the time period (from later than to)"),
    "dueafter": _lt("the time period (from later than to)"),
    "limit": _lt("the page size"),
    "orderby": _lt("the sort order"),
    "continuationtoken": _lt("the position in the list (continuation token)"),
    "search": _lt("the search text"),
    "serviceresource": _lt("the service"),
}
FIELD_UNKNOWN = _lt("the field %(name)s")


def field_key(name: str) -> str:
    """``Party[0]`` → ``party``; ``ContentUpdatedAfter`` → ``contentupdatedafter``."""
    return name.split("[", 1)[0].split(".")[-1].strip().lower()


class RequestRejected(AltinnError):
    """Altinn refused a request as invalid (HTTP 400 with a validation problem) and named the field."""

    code = "request_rejected"
    message = _lt(
        "Altinn refused the request because %(field)s is not valid: correct it and try again; if nothing "
        "was changed by hand, contact support with the details for support."
    )

    def __init__(self, detail: str = "", *, field: str = "", **kwargs):
        super().__init__(detail, **kwargs)
        #: The field as Altinn named it (e.g. ``Party[0]``).
        self.field = field

    def message_text(self) -> Text:
        source = FIELD_TEXTS.get(field_key(self.field))
        what = Text(source) if source else Text(FIELD_UNKNOWN, {"name": self.field or "?"})
        return Text(self.message, {"field": what})


class InvalidOrganisationNumber(RequestRejected):
    """Dialogporten refused a ``party``: the organisation number fails the MOD11 check digit."""

    code = "invalid_org_number"
    message = _lt(
        "Altinn refused the organisation number %(org)s because it is not a valid Norwegian organisation "
        "number (its check digit does not match): correct it on the company or on the accounting firm's "
        "contact."
    )

    def __init__(self, detail: str = "", *, org: str = "", **kwargs):
        super().__init__(detail, **kwargs)
        self.org = org

    def message_text(self) -> Text:
        return Text(self.message, {"org": self.org or "?"})


ANSWER_MISSING = _lt("the member %(member)s is missing")
ANSWER_UNKNOWN_VALUE = _lt("%(member)s has a value Altinn's contract does not list (%(value)s)")
ANSWER_WRONG_TYPE = _lt("%(member)s has the wrong type")


class UnexpectedAnswer(MalformedResponse):
    """An answer for one item that breaks Altinn's published contract (a missing required member, an
    unknown enum value, a wrong type). The item is not imported (never a silently wrong document); the
    answer is kept (``raw``) for support; the next run reads the item again."""

    code = "unexpected_answer"
    message = _lt(
        "Altinn answered for this item in a form its published contract does not allow (%(problem)s): the "
        "item was not imported, Altinn's answer is kept on the ledger row for support, and the next run "
        "reads the item again."
    )

    def __init__(self, detail: str = "", *, problem: Text | None = None, raw: bytes | None = None, **kwargs):
        super().__init__(detail, **kwargs)
        self.problem = problem
        #: The answer as Altinn sent it (JSON), kept on the failed ledger row.
        self.raw = raw

    def message_text(self) -> Text:
        return Text(self.message, {"problem": self.problem or Text(ANSWER_WRONG_TYPE, {"member": "?"})})
