# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The companies every Odoo test uses, a fake Altinn behind the seam, and Altinn's faults.

``NorwegianCompanyCommon`` is the one setup base: a Norwegian company with the l10n_no chart and its
accountant. ``AltinnCommon`` (the fake Altinn), ``booking_common.BookingCommon`` (booking documents) and
``Altinn3EmulatorCase`` (Altinn 3 against the emulator) are layers on it.

``FakeAltinn`` plays the Altinn side (persons, SMS codes, items, faults);
``FakeTransport`` is the ``Transport`` the seam returns in tests. It checks
the credentials the way Altinn does, so a test fails when the wizard sends
the wrong ones.
"""

import sys
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import requests

from odoo import fields
from odoo.fields import Command
from odoo.tests import common as odoo_test_common
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from ..altinn import errors as altinn_errors
from ..altinn.identifiers import org_number_valid
from ..altinn.transport import PinChallenge, Transport
from ..altinn.types import ROLE_ATTACHMENT, ROLE_BODY, AltinnFile, AltinnItem, FetchFailure
from ..booking import pipeline
from ..services import failures

# Same numbers as the emulator's default data (altinn_emulator/defaults.py, altinn_emulator/altinn3/store.py).
ORG_OWN = "911158612"  # the company; in the emulator with its own datasystem and approved system user
ORG_FIRM = (
    "310478717"  # the accounting firm; its approved client system user serves ORG_OWN and ORG_FIRM_CLIENT
)
ORG_FIRM_CLIENT = "313367002"
ORG_UNDELEGATED = "315840228"  # no system user, not (yet) a client of the firm
SYSTEM_OWN = ("955044", "Systempassord-955044")
SYSTEM_FIRM = ("5454543", "Systempassord-5454543")
PERSON = ("30014500525", "Brukerpassord-1")
# The fake Altinn's only: the firm's clients on Altinn 2 (AltinnCommon).
ORG_CLIENT_1 = "312000008"
ORG_CLIENT_2 = "312000016"


def valid_org_numbers(prefix, count):
    """``count`` organisation numbers that start with ``prefix`` and pass MOD11 (Odoo and Altinn refuse
    others), in ascending order."""
    found, n = [], 0
    while len(found) < count:
        number = f"{prefix}{n:0{8 - len(prefix)}d}"
        n += 1
        if len(number) != 8:
            raise ValueError(f"not {count} numbers after {prefix}")
        for check in "0123456789":
            if org_number_valid(number + check):
                found.append(number + check)
    return found


ORG_OTHER = ORG_CLIENT_1  # the second company of the booking tests (BookingCommon.with_second_company)
# Distinct, greppable secrets for leak checks.
SECRET_CODE = "73519"

# Altinn's answer to an unknown person, a wrong personal password or a wrong code (real, the same for all).
INCORRECT_USER = "Incorrect username/password/pin given for user"
# The agreed fault table (docs/DESIGN-NOTES.md "## Fault mapping"): ErrorID, Altinn's text, our error at a
# data call (there Altinn's "Incorrect username/password/pin" means a wrong code). The no-Odoo suite has its
# own, tests/altinn2_faults.py: the addon's tests do not import from outside the addon.
ALTINN2_FAULTS = [
    (0, "Your request suffered from a non-functional error.", altinn_errors.AltinnError),
    (0, "Invalid authentication method", altinn_errors.AltinnError),
    (5, "Incorrect username/password given for system", altinn_errors.InvalidSystemCredentials),
    (5, "The end user system is not authorized to act on behalf of the reportee", altinn_errors.NoRights),
    (14, "The user does not have the required rights for the reportee", altinn_errors.NoRights),
    (989, INCORRECT_USER, altinn_errors.WrongPinCode),
    (989, "Pin session time has time out for user. Request new.", altinn_errors.PinSessionExpired),
    (
        989,
        "The user is temporarily locked because of too many failed attempts. Try again later",
        altinn_errors.UserLockedOut,
    ),
    (40007, "Reportee cannot be null", altinn_errors.AltinnError),
    (60016, "The element is unavailable", altinn_errors.ElementNotFound),
    (60019, "The element is archived", altinn_errors.ElementNotFound),
]
# Errors about the person, the datasystem or the SMS session: the whole fetch stops, not one item.
STOPS_THE_FETCH = (
    altinn_errors.InvalidSystemCredentials,
    altinn_errors.InvalidUserCredentials,
    altinn_errors.PinSessionExpired,
    altinn_errors.UserLockedOut,
)


def make_item(
    reference, reportee=ORG_OWN, *, title=None, kind="message", files=None, raw=True, created=None, **kwargs
):
    files = (
        files
        if files is not None
        else [
            AltinnFile(
                name=f"{reference}.txt",
                mimetype="text/plain",
                data=f"Body {reference}".encode(),
                role=ROLE_BODY,
            ),
            AltinnFile(
                name=f"{reference}.pdf",
                mimetype="application/pdf",
                data=b"%PDF-1.4 " + reference.encode(),
                role=ROLE_ATTACHMENT,
            ),
        ]
    )
    return AltinnItem(
        reference=reference,
        kind=kind,
        reportee=reportee,
        title=title or f"Message {reference}",
        transport="altinn2",
        service_code="4503",
        service_edition=2,
        sender="Skatteetaten",
        created=created or datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc),
        archived=datetime(2026, 3, 2, 10, 0),
        files=files,
        raw=f"<ReporteeElementBEV2><Id>{reference}</Id></ReporteeElementBEV2>".encode() if raw else None,
        **kwargs,
    )


class FakeAltinn:
    """The Altinn side of the fake: what a person and a datasystem may do, and the items."""

    def __init__(self):
        self.persons = {PERSON[0]: {"password": PERSON[1], "phone": True}}
        self.systems = {SYSTEM_OWN[0]: SYSTEM_OWN[1], SYSTEM_FIRM[0]: SYSTEM_FIRM[1]}
        self.code = SECRET_CODE
        self.session_expired = False
        self.items = {}  # reportee -> list of AltinnItem | FetchFailure | Exception (raised at that point)
        self.reportee_errors = {}  # reportee -> AltinnError raised before any item
        self.calls = []  # (operation, system_id, reportee); never the secrets
        self.known = None  # what the last fetch was told the ledger already has
        self.closed = 0
        self.transports = []
        self.known_by = {}  # reportee -> the known predicate of its last fetch
        self.latency = 0.0  # seconds per Altinn 3 fetch call (parallel fetch tests)
        self.running = self.most_at_once = 0  # Altinn 3 fetch calls in progress, and the most seen
        self.lock = threading.Lock()

    def check_system(self, system_id, system_password):
        if self.systems.get(system_id) != system_password:
            raise altinn_errors.InvalidSystemCredentials(error_id=5, error_guid="guid-system")

    def check_person(self, credentials, pin=True):
        person = self.persons.get(credentials.username)
        if not person or person["password"] != credentials.password:
            # The real client names the password when no code is involved yet (soap/faults.py).
            wrong = altinn_errors.WrongPinCode if pin else altinn_errors.WrongPersonalPassword
            raise wrong(error_id=989, altinn_message=INCORRECT_USER)
        if pin:
            if self.session_expired:
                raise altinn_errors.PinSessionExpired(error_id=989)
            if credentials.pin_code != self.code:
                raise altinn_errors.WrongPinCode(error_id=989, altinn_message=INCORRECT_USER)
        return person


class FakeTransport(Transport):
    needs_person = True
    name = "fake"

    def __init__(self, altinn, system_id, system_password, base_url):
        self.altinn = altinn
        self.system_id = system_id
        self.system_password = system_password
        self.base_url = base_url
        altinn.transports.append(self)

    def request_pin(self, credentials):
        self.altinn.calls.append(("request_pin", self.system_id, None))
        self.altinn.check_system(self.system_id, self.system_password)
        person = self.altinn.check_person(credentials, pin=False)
        if not person["phone"]:
            return PinChallenge(
                status="NoPhoneNumber",
                message="Mobilnummer er ikke registrert på bruker. Registrer mobilnummer i Min "
                "profil på altinn.no",
            )
        now = datetime.now(timezone.utc).replace(microsecond=0)
        return PinChallenge(
            status="Ok",
            message="SMS med engangskode er sendt",
            valid_from=now,
            valid_to=now + timedelta(minutes=30),
        )

    def fetch(self, reportee, since, until, credentials=None, known=None):
        self.altinn.calls.append(("fetch", self.system_id, reportee))
        self.altinn.known = known
        assert since.tzinfo and until.tzinfo and since <= until
        self.altinn.check_system(self.system_id, self.system_password)
        self.altinn.check_person(credentials)
        if reportee in self.altinn.reportee_errors:
            raise self.altinn.reportee_errors[reportee]
        for entry in self.altinn.items.get(reportee, []):
            if isinstance(entry, Exception):
                raise entry
            yield entry

    def close(self):
        self.altinn.closed += 1


class FakeAltinn3Transport(Transport):
    """Altinn 3 as the ORM sees it: no person, tokens for the system user's owner, any reportee the system
    user may act for, a sync marker per reportee, items changed in (since, until]. Thread-safe: the fetch
    service may use one transport from several threads (a firm's clients)."""

    needs_person = False
    name = "fake-altinn3"
    can_fetch_item = True
    can_mark_seen = True

    def __init__(self, altinn, system_user):
        self.altinn = altinn
        self.owner = system_user.org_number
        self.agent = system_user.kind == "agent"
        self.markers = {}
        self.lock = threading.Lock()
        with altinn.lock:
            altinn.transports.append(self)

    def fetch(self, reportee, since, until, credentials=None, known=None):
        assert credentials is None, "Altinn 3 needs no person"
        assert since.tzinfo and until.tzinfo and since <= until
        with self.altinn.lock:
            self.altinn.calls.append(("fetch", self.owner, reportee))
            self.altinn.known = known
            self.altinn.known_by[reportee] = known
        with self.altinn.lock:
            self.altinn.running += 1
            self.altinn.most_at_once = max(self.altinn.most_at_once, self.altinn.running)
        try:
            if self.altinn.latency:
                time.sleep(self.altinn.latency)
        finally:
            with self.altinn.lock:
                self.altinn.running -= 1
        if reportee in self.altinn.reportee_errors:
            raise self.altinn.reportee_errors[reportee]
        if not self.agent and reportee != self.owner:
            raise altinn_errors.NoRights(f"The system user of {self.owner} cannot act for {reportee}")
        marker = until
        for entry in self.altinn.items.get(reportee, []):
            if isinstance(entry, Exception):
                raise entry
            if isinstance(entry, AltinnItem) and entry.created and not since < entry.created <= until:
                continue
            if isinstance(entry, FetchFailure):
                marker = min(marker, since)  # a failed dialog holds the marker back
            yield entry
        with self.lock:
            self.markers[reportee] = marker

    def fetch_item(self, reportee, reference):
        """One item read again (its files that could not be read before)."""
        with self.altinn.lock:
            self.altinn.calls.append(("fetch_item", self.owner, reference))
        return next(
            entry
            for entry in self.altinn.items.get(reportee, [])
            if isinstance(entry, AltinnItem) and entry.reference == reference
        )

    def mark_seen(self, item):
        """Altinn 3 keeps a read mark on Correspondence messages only."""
        if not item.reference.startswith("correspondence:"):
            return False
        with self.altinn.lock:
            self.altinn.calls.append(("mark_seen", self.owner, item.reference))
        return True

    def sync_marker(self, reportee):
        marker = self.markers.get(reportee)
        return marker.astimezone(timezone.utc).replace(tzinfo=None) if marker else None

    def close(self):
        with self.altinn.lock:
            self.altinn.closed += 1


class Killed(BaseException):
    """What a killed worker looks like from inside: nothing of ours catches it."""


class TupleTimeouts:
    """Odoo's guard against external requests in tests compares the timeout with a number (and raises it
    to at least 10 s); our clients always send (connect, read). Calls to the local emulators keep their
    own timeouts (the read-timeout tests need them); any other call gets the longer one for the guard."""

    @classmethod
    def _request_handler(cls, session, request, /, **kwargs):
        timeout = kwargs.get("timeout")
        if not isinstance(timeout, tuple):
            return super()._request_handler(session, request, **kwargs)
        if urlsplit(request.url).hostname in ("127.0.0.1", "localhost"):
            return odoo_test_common._super_send(session, request, **kwargs)
        kwargs["timeout"] = max(value for value in timeout if value)
        return super()._request_handler(session, request, **kwargs)


class NorwegianCompanyCommon(TupleTimeouts, AccountTestInvoicingCommon):
    """The one setup base of the Odoo tests: Eksempel Holding AS (ORG_OWN) with Norway's chart of accounts
    (l10n_no), set up once per class, and its accountant: accounting rights, no Settings (Altinn rights come
    with account.group_account_user). The class works as the administrator until ``work_as_accountant``."""

    @classmethod
    @AccountTestInvoicingCommon.setup_country("no")
    def setUpClass(cls):
        super().setUpClass()
        cls.company.sudo().write({"name": "Eksempel Holding AS", "altinn_org_number": ORG_OWN})
        cls.accountant = new_test_user(
            cls.env,
            login="altinn_accountant",
            name="Regnskapsfører",
            groups="base.group_user,account.group_account_user",
            company_id=cls.company.id,
        )

    @classmethod
    def work_as_accountant(cls, companies):
        """From here on the class works as the accountant, in ``companies`` (the company first)."""
        cls.accountant.sudo().company_ids = [Command.set(companies.ids)]
        cls.env = cls.env(
            user=cls.accountant, context=dict(cls.env.context, allowed_company_ids=companies.ids)
        )
        cls.company = cls.company.with_env(cls.env)


class AltinnCommon(NorwegianCompanyCommon):
    """Company A (own datasystem), firm F with its datasystem serving A2 and A3 (all on Altinn 2), run as the
    accountant; a fake Altinn behind the seam. ``make_altinn3`` moves companies to Altinn 3 with approved
    system users."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        admin = cls.env["res.company"].sudo()
        cls.company.sudo().write(
            {
                "altinn_transport": "altinn2",
                "altinn_system_id": SYSTEM_OWN[0],
                "altinn_system_password": SYSTEM_OWN[1],
            }
        )
        cls.firm = (
            cls.env["res.partner"]
            .sudo()
            .create(
                {
                    "name": "Revisor og Regnskap AS",
                    "is_company": True,
                    "altinn_system_id": SYSTEM_FIRM[0],
                    "altinn_system_password": SYSTEM_FIRM[1],
                }
            )
        )
        altinn2 = {"altinn_transport": "altinn2", "altinn_firm_id": cls.firm.id}
        cls.client_1 = admin.create({"name": "Klient En AS", "altinn_org_number": ORG_CLIENT_1, **altinn2})
        cls.client_2 = admin.create({"name": "Klient To AS", "altinn_org_number": ORG_CLIENT_2, **altinn2})
        cls.env.user.sudo().company_ids = [Command.link(cls.client_1.id), Command.link(cls.client_2.id)]
        cls.work_as_accountant(cls.company | cls.client_1 | cls.client_2)
        cls.client_1, cls.client_2 = cls.client_1.with_env(cls.env), cls.client_2.with_env(cls.env)
        cls.all_companies = cls.company | cls.client_1 | cls.client_2
        cls.firm = cls.firm.with_env(cls.env)

    # False in the tests of the real path (the emulator).
    fake_seam = True

    def setUp(self):
        super().setUp()
        self.altinn = FakeAltinn()
        if self.fake_seam:
            self.patch_seam(self.altinn)
        # Parsing and booking (overrides of this hook) have their own tests.
        self.patch(pipeline, "process", lambda documents: documents.browse())

    def patch_seam(self, altinn):
        """Replace ``res.company._altinn_transport`` with the fake, built from the resolved settings."""

        def _altinn_transport(company):
            company._altinn_check_settings()
            access = company._altinn_resolve()
            if company.altinn_transport == "altinn3":
                return FakeAltinn3Transport(altinn, access.system_user)
            return FakeTransport(altinn, access.system_id, access.system_password, company._altinn_base_url())

        self.patch(type(self.env["res.company"]), "_altinn_transport", _altinn_transport)

    # helpers -----------------------------------------------------------
    def make_altinn3(self, companies, firm=None):
        """Put ``companies`` on Altinn 3: each with its own approved system user, or (``firm``) served by the
        firm's approved client system user."""
        SystemUser = self.env["altinn.system.user"].sudo()
        if firm:
            firm = firm.sudo()
            if not firm.altinn_org_number:
                firm.altinn_org_number = ORG_FIRM
            if not firm.altinn_agent_system_user_id:
                firm.altinn_agent_system_user_id = SystemUser._altinn_for_firm(firm)
            firm.altinn_agent_system_user_id.state = "approved"
        for company in companies.sudo():
            vals = {"altinn_transport": "altinn3"}
            if firm:
                vals["altinn_firm_id"] = firm.id
            else:
                system_user = company.altinn_system_user_id or SystemUser._altinn_for_company(company)
                system_user.state = "approved"
                vals["altinn_system_user_id"] = system_user.id
            company.write(vals)
        return companies

    def make_wizard(self, company=None, **vals):
        company = company or self.company
        wizard_model = self.env["altinn.update.wizard"].with_context(default_company_id=company.id)
        return wizard_model.create(vals)

    @staticmethod
    def secrets(pin=True, username=PERSON[0], password=PERSON[1], code=SECRET_CODE):
        ctx = {"altinn_username": username, "altinn_password": password}
        if pin:
            ctx["altinn_pin_code"] = code
        return ctx


@contextmanager
def emulator_or_skip(test):
    """Start the repo's Altinn emulator on 127.0.0.1, or skip when it is not next to the addon."""
    root = Path(__file__).resolve().parents[2]
    if not (root / "altinn_emulator").is_dir():
        test.skipTest("altinn_emulator is not next to the addon (repository checkout only)")
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    try:
        from altinn_emulator.testing import running_emulator
    except ImportError as exc:
        test.skipTest(f"altinn_emulator cannot be imported: {exc}")
    # Every Altinn 3 answer is checked against Altinn's contracts: a violation fails the test.
    with running_emulator(seed=1, check_contract=True) as emulator:
        yield emulator
        emulator.assert_contract()


class Altinn3EmulatorCase(NorwegianCompanyCommon):
    """Altinn 3 in real Odoo against the emulator (127.0.0.1), which runs for each test: Selskap (ORG_OWN, own
    system user) and Klient (ORG_FIRM_CLIENT, the firm's client system user) on Altinn 3, plus two companies
    with the same organisation numbers on the Altinn 2 SOAP path for comparison. The class works as the
    administrator; ``as_accountant`` is the accountant's environment."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.selskap = cls.company
        cls.selskap.name = "Solbakken Holding AS"  # the emulator's name for ORG_OWN
        cls.klient = cls._create_company(name="Fjordkanten Eiendom AS")
        cls.soap_selskap = cls._create_company(name="Solbakken Holding AS (SOAP)")
        cls.soap_klient = cls._create_company(name="Fjordkanten Eiendom AS (SOAP)")
        cls.all_companies = cls.selskap | cls.klient | cls.soap_selskap | cls.soap_klient
        # One firm: Altinn 2 datasystem for the SOAP path, Altinn 3 client system user for the rest.
        cls.firm = cls.env["res.partner"].create(
            {
                "name": "Tallknuserne Regnskap AS",
                "is_company": True,
                "company_registry": ORG_FIRM,
            }
        )
        cls.accountant.company_ids = [Command.set(cls.all_companies.ids)]
        cls.manager = new_test_user(
            cls.env,
            login="a3_manager",
            name="Regnskapssjef",
            groups="base.group_user,account.group_account_manager",
            company_id=cls.selskap.id,
            company_ids=[Command.set(cls.all_companies.ids)],
        )

    def setUp(self):
        super().setUp()
        self.emulator = self.enterContext(emulator_or_skip(self))
        from altinn_emulator import defaults

        self.d = defaults
        self.url = self.emulator.url
        self.vendor_data = self.control("GET", "/vendor")
        self.vendor = self.env["altinn.maskinporten.client"].create(
            {
                "name": "Prisolve (emulator)",
                "environment": "custom",
                "client_id": self.vendor_data["client_id"],
                "key_id": self.vendor_data["kid"],
                "private_key_pem": self.vendor_data["private_key_pem"],
                "system_id": self.vendor_data["system_id"],
                "vendor_org_number": self.vendor_data["vendor_org"],
            }
        )
        custom = {"altinn_environment": "custom", "altinn_base_url": self.url}
        # The emulator's default system users, with the externalRefs this product asks for.
        SystemUser = self.env["altinn.system.user"]
        self.firm.write(
            {
                "altinn_system_id": defaults.FIRM_SYSTEM_ID,
                "altinn_system_password": defaults.FIRM_SYSTEM_PASSWORD,
                "altinn_agent_system_user_id": SystemUser.create(
                    {
                        "kind": "agent",
                        "partner_id": self.firm.id,
                        "org_number": ORG_FIRM,
                        "external_ref": f"{ORG_FIRM}-klient",
                        "state": "approved",
                    }
                ).id,
            }
        )
        self.selskap.write(
            {**custom, "altinn_transport": "altinn3", "altinn_responsible_user_id": self.accountant.id}
        )
        self.selskap.altinn_system_user_id = SystemUser.create(
            {
                "kind": "standard",
                "company_id": self.selskap.id,
                "partner_id": self.selskap.partner_id.id,
                "org_number": ORG_OWN,
                "external_ref": ORG_OWN,
                "state": "approved",
            }
        )
        self.klient.write(
            {
                **custom,
                "altinn_org_number": ORG_FIRM_CLIENT,
                "altinn_firm_id": self.firm.id,
                "altinn_transport": "altinn3",
            }
        )
        self.soap_selskap.write(
            {
                **custom,
                "altinn_org_number": ORG_OWN,
                "altinn_transport": "altinn2",
                "altinn_system_id": defaults.SYSTEM_ID,
                "altinn_system_password": defaults.SYSTEM_PASSWORD,
            }
        )
        self.soap_klient.write(
            {
                **custom,
                "altinn_org_number": ORG_FIRM_CLIENT,
                "altinn_firm_id": self.firm.id,
                "altinn_transport": "altinn2",
            }
        )
        self.fetch_cron = self.env.ref("prisolve_altinn.ir_cron_altinn_fetch")
        self.as_accountant = self.env(
            user=self.accountant, context=dict(self.env.context, allowed_company_ids=self.all_companies.ids)
        )

    # helpers -----------------------------------------------------------
    def control(self, method, path, body=None):
        response = requests.request(method, f"{self.url}/_emulator/altinn3{path}", json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def system_user(self, owner, agent=False):
        return next(
            u
            for u in self.control("GET", "/systemusers")
            if u["owner_org"] == owner and u["agent"] == agent and not u["deleted"]
        )

    def run_fetch_cron(self):
        # Every company is due again (the cron skips companies it tried in the last minutes).
        self.all_companies.write({"altinn_fetch_attempt_at": False})
        self.fetch_cron.method_direct_trigger()

    def documents(self, company):
        return self.env["altinn.document"].search([("company_id", "=", company.id)])

    def expected_titles(self, org):
        return sorted(item.title for item in self.emulator.items(org) if not item.deleted)

    def activities(self, company):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", company.partner_id.id),
                ("activity_type_id", "=", self.env.ref(failures.FETCH).id),
            ]
        )

    def booked(self, docs):
        """What booking made of the documents: per title (state, type), and every entry, without the
        references that differ by transport."""
        per_doc = {doc.title: (doc.state, doc.doc_type) for doc in docs}
        entries = sorted(
            (
                move.move_type,
                move.state,
                str(move.date),
                move.journal_id.code,
                tuple(
                    sorted(
                        (
                            line.account_id.with_company(move.company_id).code,
                            round(line.debit, 2),
                            round(line.credit, 2),
                            line.partner_id.name or "",
                        )
                        for line in move.line_ids
                    )
                ),
            )
            for move in (docs.move_ids | docs.move_id)
        )
        return per_doc, entries

    def soap_update(self, company):
        """The Altinn 2 path: the person logs in, gets an SMS code and updates (booking included)."""
        today = fields.Date.context_today(self.env.user)
        wizard = (
            self.as_accountant["altinn.update.wizard"]
            .with_context(default_company_id=company.id)
            .create(
                {
                    "date_from": today - timedelta(days=800),
                    "date_to": today,
                }
            )
        )
        login = {"altinn_username": self.d.PERSON_FNR, "altinn_password": self.d.PERSON_PASSWORD}
        wizard.with_context(**login).action_request_pin()
        code = self.emulator.last_sms_code(self.d.PERSON_FNR)
        wizard.with_context(**login, altinn_pin_code=code).action_update()
        self.assertEqual(wizard.line_ids.status, "ok", wizard.line_ids.message)
        return wizard
