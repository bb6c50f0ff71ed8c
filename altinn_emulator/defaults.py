"""Default organisations, datasystems and persons (constants for tests) and how they are seeded."""

from __future__ import annotations

import random
from datetime import date

from . import payloads
from .model import Datasystem, Organisation, Person

SYSTEM_ID = "955044"
SYSTEM_PASSWORD = "Systempassord-955044"
COMPANY = "911158612"
COMPANY_NAME = "SOLBAKKEN HOLDING AS"

FIRM = "310478717"
FIRM_NAME = "TALLKNUSERNE REGNSKAP AS"
FIRM_SYSTEM_ID = "5454543"
FIRM_SYSTEM_PASSWORD = "Systempassord-5454543"
CLIENT_COMPANY = "313367002"
CLIENT_COMPANY_NAME = "FJORDKANTEN EIENDOM AS"
FIRM_CLIENTS = (COMPANY, CLIENT_COMPANY)

UNDELEGATED_COMPANY = "315840228"
UNDELEGATED_COMPANY_NAME = "UDELEGERT TESTBEDRIFT AS"

PERSON_FNR = "30014500525"
PERSON_USERNAME = "demo"
PERSON_PASSWORD = "Brukerpassord-1"
PERSON_NAME = "HAUK OLAUSSEN"
PERSON_MOBILE = "+4799887766"
PERSON_USER_ID = 62689

NOMOBILE_FNR = "02056600345"
NOMOBILE_USERNAME = "utenmobil"
NOMOBILE_PASSWORD = "Brukerpassord-2"
NOMOBILE_NAME = "UNNI UTEN MOBIL"
NOMOBILE_USER_ID = 62690

COMPANIES = {
    COMPANY: COMPANY_NAME,
    FIRM: FIRM_NAME,
    CLIENT_COMPANY: CLIENT_COMPANY_NAME,
    UNDELEGATED_COMPANY: UNDELEGATED_COMPANY_NAME,
}

# altinn.no help "Log in with one-off codes from Altinn": three wrong codes → blocked for 1 hour (README).
LOCK_AFTER_FAILURES = 3
LOCK_MINUTES = 60
SESSION_MINUTES = 30
SESSION_CAP_HOURS = 8
PIN_LETTER_SIZE = 20


def _pin_letter(rng: random.Random) -> dict[int, str]:
    alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ23456789"
    return {n: "".join(rng.choice(alphabet) for _ in range(5)) for n in range(1, PIN_LETTER_SIZE + 1)}


def populate(state, seed: int, base_date: date) -> None:
    """Fill an empty ``state`` with the default data. Pure function of (seed, base_date)."""
    for index, (orgnr, name) in enumerate(COMPANIES.items()):
        state.organisations[orgnr] = Organisation(orgnr, name, 50_200_000 + index * 17)
    state.datasystems[SYSTEM_ID] = Datasystem(
        SYSTEM_ID, SYSTEM_PASSWORD, COMPANY, set(), "Solbakken regnskap"
    )
    state.datasystems[FIRM_SYSTEM_ID] = Datasystem(
        FIRM_SYSTEM_ID, FIRM_SYSTEM_PASSWORD, FIRM, set(FIRM_CLIENTS), "Tallknuserne klientsystem"
    )
    rng = random.Random(f"persons:{seed}")
    demo = Person(
        PERSON_FNR,
        PERSON_USERNAME,
        PERSON_PASSWORD,
        PERSON_NAME,
        PERSON_USER_ID,
        50_111_027,
        mobile=PERSON_MOBILE,
        rights={COMPANY, CLIENT_COMPANY, FIRM, UNDELEGATED_COMPANY, PERSON_FNR},
        allow_system_access=True,
        pin_letter_date=date(2015, 12, 17),
        pin_letter=_pin_letter(rng),
    )
    nomobile = Person(
        NOMOBILE_FNR,
        NOMOBILE_USERNAME,
        NOMOBILE_PASSWORD,
        NOMOBILE_NAME,
        NOMOBILE_USER_ID,
        50_111_044,
        mobile=None,
        rights={COMPANY, NOMOBILE_FNR},
        pin_letter_date=date(2016, 3, 3),
        pin_letter=_pin_letter(rng),
    )
    for person in (demo, nomobile):
        state.add_person(person)
    for orgnr in COMPANIES:
        org_rng = random.Random(f"items:{seed}:{orgnr}")
        for item in payloads.default_items(org_rng, state.organisations[orgnr], base_date):
            state.add_item(item)


# Organisations that have the firm registered as their regnskapsfører in Enhetsregisteret: the clients
# its agent system user may be given (Altinn 3 "available clients"); UNDELEGATED_COMPANY is one that
# the firm's klientadministrator has not added yet.
FIRM_REGISTERED_CLIENTS = (COMPANY, CLIENT_COMPANY, UNDELEGATED_COMPANY)
