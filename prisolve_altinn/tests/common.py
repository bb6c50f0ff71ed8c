# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A fake Altinn behind the seam, and the companies every Odoo test uses.

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

from odoo.fields import Command
from odoo.tests import common as odoo_test_common
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from ..altinn import errors as altinn_errors
from ..altinn.transport import PinChallenge, Transport
from ..altinn.types import ROLE_ATTACHMENT, ROLE_BODY, AltinnFile, AltinnItem, FetchFailure

# Same numbers as the emulator's default data (altinn_emulator/defaults.py).
ORG_OWN = "911158612"
ORG_CLIENT_1 = "312000001"
ORG_CLIENT_2 = "312000002"
ORG_FIRM = "310478717"
SYSTEM_OWN = ("955044", "Systempassord-955044")
SYSTEM_FIRM = ("5454543", "Systempassord-5454543")
PERSON = ("30014500525", "Brukerpassord-1")
# Distinct, greppable secrets for leak checks.
SECRET_CODE = "73519"


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
            raise wrong(error_id=989, altinn_message="Incorrect username/password/pin given for user")
        if pin:
            if self.session_expired:
                raise altinn_errors.PinSessionExpired(error_id=989)
            if credentials.pin_code != self.code:
                raise altinn_errors.WrongPinCode(
                    error_id=989, altinn_message="Incorrect username/password/pin given for user"
                )
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


class AltinnCommon(TupleTimeouts, AccountTestInvoicingCommon):
    """Company A (own datasystem), firm F with its datasystem serving A2 and A3 (all on Altinn 2);
    ``make_altinn3`` moves companies to Altinn 3 with approved system users."""

    @classmethod
    @AccountTestInvoicingCommon.setup_country("no")
    def setUpClass(cls):
        super().setUpClass()
        admin = cls.env["res.company"].sudo()
        cls.company = cls.env.company
        cls.company.sudo().write(
            {
                "name": "Eksempel Holding AS",
                "altinn_org_number": ORG_OWN,
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
        all_companies = cls.company | cls.client_1 | cls.client_2
        # The tests run as an accountant: no Settings rights; Altinn rights come with
        # account.group_account_user.
        cls.accountant = new_test_user(
            cls.env,
            login="altinn_accountant",
            name="Regnskapsfører",
            groups="base.group_user,account.group_account_user",
            company_id=cls.company.id,
            company_ids=[Command.set(all_companies.ids)],
        )
        cls.env = cls.env(
            user=cls.accountant, context=dict(cls.env.context, allowed_company_ids=all_companies.ids)
        )
        cls.company, cls.client_1, cls.client_2 = (cls.env["res.company"].browse(c.id) for c in all_companies)
        cls.all_companies = all_companies.with_env(cls.env)
        cls.firm = cls.firm.with_env(cls.env)

    # False in the tests of the real path (the emulator).
    fake_seam = True

    def setUp(self):
        super().setUp()
        self.altinn = FakeAltinn()
        if self.fake_seam:
            self.patch_seam(self.altinn)
        # Parsing and booking (overrides of this hook) have their own tests.
        self.patch(type(self.env["altinn.document"]), "_altinn_process", lambda documents: documents)

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
    with running_emulator(seed=1) as emulator:
        yield emulator
