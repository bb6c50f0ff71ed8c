"""Typed Altinn errors. Each says, in Norwegian and English, what happened and
what the person should do; ``error_guid`` is kept for Altinn support.

Raised by the protocol layer; the ORM turns them into ``UserError`` in the
wizard and into a failed ledger row or an activity in crons.
"""

from __future__ import annotations


class AltinnError(Exception):
    code = "altinn_error"
    message_en = (
        "Altinn returned an error. Try again later; if it persists, contact Altinn support with the error "
        "reference."
    )
    message_nb = (
        "Altinn svarte med en feil. Prøv igjen senere; om feilen vedvarer, kontakt Altinn brukerservice med"
        " feilreferansen."
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
        self.detail = detail
        self.error_id = error_id
        self.error_guid = error_guid
        self.altinn_message = altinn_message
        super().__init__(self.text("en"))

    def text(self, lang: str = "nb") -> str:
        """The person-facing message in ``lang`` ("nb" or "en"), with Altinn's own text and reference."""
        base = self.message_nb if (lang or "").startswith(("nb", "no", "nn")) else self.message_en
        parts = [base]
        if self.altinn_message:
            parts.append("Altinn: " + self.altinn_message)
        if self.detail and self.detail != self.altinn_message:
            parts.append(self.detail)
        if self.error_guid:
            label = "Feilreferanse" if base is self.message_nb else "Error reference"
            parts.append(f"{label}: {self.error_guid}")
        return "\n".join(parts)


class InvalidSystemCredentials(AltinnError):
    code = "invalid_system_credentials"
    message_en = (
        "Altinn did not accept the system ID and system password. Check Systemnummer and Systempassord on "
        "the company (or the accounting firm) against the datasystem registered in Altinn."
    )
    message_nb = (
        "Altinn godtok ikke systemnummer og systempassord. Kontroller Systemnummer og Systempassord på "
        "selskapet (eller regnskapsføreren) mot datasystemet som er registrert i Altinn."
    )


class InvalidUserCredentials(AltinnError):
    code = "invalid_user_credentials"
    message_en = (
        "Altinn did not accept the fødselsnummer/username, the personal password or the SMS code. Check "
        "them and try again; after several wrong attempts Altinn locks the user for a while."
    )
    message_nb = (
        "Altinn godtok ikke fødselsnummer/brukernavn, personlig passord eller SMS-kode. Kontroller og prøv "
        "igjen; etter flere feil forsøk sperrer Altinn brukeren en stund."
    )


class PinSessionExpired(AltinnError):
    code = "pin_session_expired"
    message_en = "The SMS code session has expired. Click 'Get SMS code' to receive a new code."
    message_nb = "SMS-kodens økt er utløpt. Klikk «Hent SMS-kode» for å få en ny kode."


class UserLockedOut(AltinnError):
    code = "user_locked_out"
    message_en = (
        "Altinn has locked the user after too many wrong codes or passwords. Wait and try again later."
    )
    message_nb = (
        "Altinn har sperret brukeren etter for mange feil koder eller passord. Vent en stund og prøv igjen."
    )


class NoPhoneNumber(AltinnError):
    code = "no_phone_number"
    message_en = (
        "Altinn has no mobile number for this person, so no SMS code can be sent. Log in to altinn.no and "
        "register a mobile number under Min profil → Kontaktinformasjon, then try again."
    )
    message_nb = (
        "Altinn har ikke noe mobilnummer for denne personen, så SMS-kode kan ikke sendes. Logg inn på "
        "altinn.no og registrer mobilnummer under Min profil → Kontaktinformasjon, og prøv igjen."
    )


class NoRights(AltinnError):
    code = "no_rights"
    message_en = (
        "The person or datasystem has no rights for this organisation in Altinn. Ask the company to "
        "delegate the needed roles (e.g. Regnskapsfører) to the person or the firm's datasystem."
    )
    message_nb = (
        "Personen eller datasystemet har ikke rettigheter for denne virksomheten i Altinn. Be selskapet "
        "delegere nødvendige roller (f.eks. Regnskapsfører) til personen eller regnskapsførerens "
        "datasystem."
    )


class ElementNotFound(AltinnError):
    code = "element_not_found"
    message_en = "The item no longer exists in Altinn (deleted or moved). Fetch the list again."
    message_nb = "Elementet finnes ikke lenger i Altinn (slettet eller flyttet). Hent listen på nytt."


class ServiceUnavailable(AltinnError):
    code = "service_unavailable"
    retryable = True
    message_en = "Altinn is unavailable right now. Nothing was lost; try again later."
    message_nb = "Altinn er ikke tilgjengelig akkurat nå. Ingenting gikk tapt; prøv igjen senere."


class AltinnTimeout(ServiceUnavailable):
    code = "timeout"
    message_en = "Altinn did not answer in time. Nothing was lost; try again later."
    message_nb = "Altinn svarte ikke i tide. Ingenting gikk tapt; prøv igjen senere."


class MalformedResponse(AltinnError):
    code = "malformed_response"
    message_en = "Altinn sent an answer that could not be read. Nothing was imported; try again later."
    message_nb = "Altinn sendte et svar som ikke kunne leses. Ingenting ble importert; prøv igjen senere."


class ConfigurationError(AltinnError):
    code = "configuration"
    message_en = "The Altinn settings are incomplete. Complete the Altinn tab on the company."
    message_nb = "Altinn-oppsettet er ufullstendig. Fyll ut Altinn-fanen på selskapet."


# Altinn 3 (Maskinporten / system user)
class SystemUserNotApproved(AltinnError):
    code = "system_user_not_approved"
    message_en = (
        "The company has not approved (or has revoked) the system user for this system. Send the approval "
        "link to the company's daglig leder, or ask the firm to check the client delegation."
    )
    message_nb = (
        "Selskapet har ikke godkjent (eller har trukket tilbake) systembrukeren for dette systemet. Send "
        "godkjenningslenken til daglig leder, eller be regnskapsføreren kontrollere klientdelegeringen."
    )


class InvalidClientKey(AltinnError):
    code = "invalid_client_key"
    message_en = (
        "Maskinporten rejected the system's key or certificate (wrong, expired or not registered). Upload a"
        " valid key in the Altinn 3 settings and register its public key in Maskinporten."
    )
    message_nb = (
        "Maskinporten avviste systemets nøkkel eller sertifikat (feil, utløpt eller ikke registrert). Last "
        "opp en gyldig nøkkel i Altinn 3-oppsettet og registrer den offentlige nøkkelen i Maskinporten."
    )


class RateLimited(ServiceUnavailable):
    code = "rate_limited"
    #: Seconds Altinn asked us to wait (``Retry-After``), when it said.
    retry_after: float | None = None
    message_en = (
        "Altinn asks us to slow down (too many requests). The next run continues where this one stopped."
    )
    message_nb = "Altinn ber oss sende færre forespørsler. Neste kjøring fortsetter der denne stoppet."


class ClockSkew(AltinnError):
    code = "clock_skew"
    message_en = (
        "Maskinporten rejected the request because this server's clock is wrong (more than a few seconds "
        "off). Ask the server administrator to synchronise the clock (NTP), then try again."
    )
    message_nb = (
        "Maskinporten avviste forespørselen fordi klokken på denne serveren går feil (mer enn noen "
        "sekunder). Be serveradministratoren synkronisere klokken (NTP), og prøv igjen."
    )


class ScopeNotGranted(ConfigurationError):
    code = "scope_not_granted"
    message_en = (
        "The Maskinporten integration has not been granted the scope(s) Altinn needs. The system vendor "
        "must ask Digdir/Altinn to grant them, or fix the scopes in the Altinn 3 settings."
    )
    message_nb = (
        "Maskinporten-integrasjonen har ikke fått tildelt scopene Altinn krever. Systemleverandøren må be "
        "Digdir/Altinn om tilgang, eller rette scopene i Altinn 3-oppsettet."
    )


class ClientNotDelegated(NoRights):
    code = "client_not_delegated"
    message_en = (
        "The accounting firm's system user has no access to this client. The firm's klientadministrator "
        "must add the client to the system user in Altinn (Tilgangsstyring → Systemtilganger → Klienter), "
        "and the client must have the firm registered as regnskapsfører or have delegated the access "
        "package."
    )
    message_nb = (
        "Regnskapsførerens systembruker har ikke tilgang til denne klienten. Regnskapsførerens "
        "klientadministrator må legge klienten til på systembrukeren i Altinn (Tilgangsstyring → "
        "Systemtilganger → Klienter), og klienten må ha regnskapsføreren registrert eller ha delegert "
        "tilgangspakken."
    )


class TokenRejected(AltinnError):
    code = "token_rejected"
    message_en = (
        "Altinn did not accept the access token from Maskinporten. Check that the Maskinporten integration "
        "and the Altinn environment match (test with TT02, production with production)."
    )
    message_nb = (
        "Altinn godtok ikke tilgangstokenet fra Maskinporten. Kontroller at Maskinporten-integrasjonen og "
        "Altinn-miljøet hører sammen (test med TT02, produksjon med produksjon)."
    )


class ContinuationTokenExpired(ServiceUnavailable):
    code = "continuation_expired"
    message_en = (
        "Altinn no longer accepts the paging position of this import. Nothing was lost: the next run starts"
        " again after the last imported item."
    )
    message_nb = (
        "Altinn godtar ikke lenger bladeposisjonen for denne importen. Ingenting gikk tapt: neste kjøring "
        "starter igjen etter siste importerte element."
    )


# Altinn 3 onboarding, system register and partial items (texts: ``message``, rendered by the ORM)
from .i18n import _lt  # noqa: E402 - the classes above do not use it yet


class SystemUserExists(AltinnError):
    code = "system_user_exists"
    message = _lt(
        "Altinn already has a system user for this system and organisation, so no new approval is "
        "needed. Check its status instead; if it is the wrong kind, the organisation must delete it in "
        "Altinn (Tilgangsstyring → Systemtilgang) before a new one can be requested."
    )


class SystemUserRequestBlocked(ConfigurationError):
    code = "system_user_request_blocked"
    message = _lt(
        "Altinn keeps an earlier system-user request for the same organisation and reference (for the "
        "other kind of system user). Delete that request in the Altinn settings, or let the organisation "
        "answer it, then send the request again."
    )


class WrongSystemUserKind(ConfigurationError):
    code = "wrong_system_user_kind"
    message = _lt(
        "The system user Altinn has for this organisation and reference is of the other kind (a company's "
        "own system user instead of an accounting firm's client system user, or the reverse). The "
        "organisation must delete it in Altinn (Tilgangsstyring → Systemtilgang), then request the right "
        "one again."
    )


class ExternalRefMismatch(SystemUserNotApproved):
    code = "external_ref_mismatch"
    message = _lt(
        "Altinn has a system user for this organisation, but under another reference than the one this "
        "database uses. Request the system user again from the Altinn settings, or ask the organisation "
        "to delete the old one in Altinn."
    )


class SystemNotRegistered(ConfigurationError):
    code = "system_not_registered"
    message = _lt(
        "The system is not registered in Altinn's system register (or belongs to another vendor). The "
        "system vendor must register it with the Maskinporten integration's client id, then try again."
    )


class NotSystemVendor(NoRights):
    code = "not_system_vendor"
    message = _lt(
        "Altinn refused the change to the system register: the Maskinporten integration belongs to "
        "another organisation than the system's vendor. Use the vendor's own integration."
    )


class SystemRegisterRejected(ConfigurationError):
    code = "system_register_rejected"
    message = _lt(
        "Altinn refused the system description (see Altinn's text below). The system vendor must correct "
        "it and save it again."
    )


class ClientIdNotOnSystem(ConfigurationError):
    code = "client_id_not_on_system"
    message = _lt(
        "The Maskinporten integration's client id is not listed on the system in Altinn's system register, "
        "so Maskinporten issues no system-user token. The system vendor must add the client id to the "
        "system."
    )


class AccessPackageNotOnSystem(ConfigurationError):
    code = "access_package_not_on_system"
    message = _lt(
        "The system-user request asks for an access package that the system does not list in Altinn's "
        "system register, or one this kind of system user cannot hold. The system vendor must add the "
        "package to the system, or the request must ask for another one."
    )


class AttachmentUnauthorized(NoRights):
    code = "attachment_unauthorized"
    message = _lt(
        "Altinn does not let the system user open this attachment. The organisation must give the system "
        "user the access package or right the sender requires; the rest of the item was imported."
    )


class ServiceOwnerRefused(AltinnError):
    code = "service_owner_refused"
    message = _lt(
        "The sender's own server refused to hand over this document. The rest of the item was imported; "
        "if it persists, contact the sender (e.g. Skatteetaten) with the reference."
    )


class ServiceOwnerUnavailable(AltinnError):
    code = "service_owner_unavailable"
    retryable = True
    message = _lt(
        "The sender's own server did not answer for this document. The rest of the item was imported; the "
        "document is fetched again later."
    )
