"""The small interface every provider offers the fetch service."""

from dataclasses import dataclass, field

from ..exceptions import MISSING, AltinnUserError, title_of

LEVEL_COMPANY = "company"  # Selskap: the company's own datasystem or system user
LEVEL_FIRM = "firm"  # Klient: the accounting firm's datasystem or client system user


@dataclass(frozen=True)
class AltinnAccess:
    """Whose credentials reach Altinn for a company, as ``res.company._altinn_resolve()`` decided.

    ``level`` is None when nothing usable is configured. Altinn 2 uses the datasystem (``system_id`` and
    ``system_password``, read with sudo: never show or log them); Altinn 3 the ``system_user`` record.
    """

    transport: str
    level: str | None
    firm: object  # res.partner (empty recordset when the company has no accounting firm)
    system_id: str = ""
    system_password: str = field(default="", repr=False)
    system_user: object = None  # altinn.system.user (Altinn 3)

    @property
    def state(self):
        """The Altinn 3 system user's state ("missing" when there is none)."""
        return (self.system_user.state if self.system_user else None) or "missing"


class Provider:
    """One way in for Altinn items. Subclasses set the flags and implement ``transport``."""

    code = ""
    #: A person must be present (Altinn 2 SMS code): the scheduled fetch skips the company.
    needs_person = False
    #: The scheduled fetch may fetch the company unattended.
    unattended = False
    #: A complete fetch moves the company's sync point (the upload does not: it is not a period of Altinn).
    moves_sync_point = True

    def check(self, company):
        """Raise a ``UserError`` that says what to fill in when ``company`` cannot be fetched."""
        problems = self.problems(company)
        if problems:
            raise AltinnUserError(
                "\n".join([f"{company.name}:", *problems]), title=title_of(company.env, MISSING)
            )

    def problems(self, company):
        """What is missing for ``company``, one sentence each (empty when it can be fetched)."""
        return []

    def ready(self, company):
        """True when the scheduled fetch may fetch ``company`` now."""
        return self.unattended and not self.problems(company)

    def session_key(self, company):
        """Companies with the same key share one transport: one SMS session, one system user."""
        return (self.code, company.id)

    def transport(self, company):
        """A ``Transport`` for ``company`` and the others of its session key; the caller closes it."""
        raise NotImplementedError
