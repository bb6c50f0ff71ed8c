"""In-process emulator for tests: ``with running_emulator(seed=1) as emu: ... emu.url ...``."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from datetime import date, datetime

from . import control, defaults
from .clock import Clock
from .routes import Request
from .server import EmulatorServer, make_server
from .state import State


class EmulatorHandle:
    """What ``running_emulator`` yields: the URL, the live state and helpers (all in-process, no HTTP)."""

    def __init__(self, server: EmulatorServer):
        self.server = server
        self.url = server.url
        self.state: State = server.app.state
        self.schemas = server.app.schemas

    # ---- URLs
    def service_url(self, key: str) -> str:
        """``key``: SystemAuthentication, ReporteeElementListExternalBasic, ReporteeArchiveExternalBasic,
        CorrespondenceExternalBasic (a unique prefix such as "ReporteeArchive" is enough)."""
        for service in self.schemas.services:
            if service.key == key or service.key.startswith(key):
                return self.url + service.path
        raise KeyError(key)

    # ---- SMS / PIN
    def sms(self, user: str) -> list[dict]:
        """Codes sent to ``user`` (fødselsnummer or username), newest first."""
        return self.state.sms_for(user)

    def last_sms_code(self, user: str) -> str:
        messages = self.sms(user)
        if not messages:
            raise LookupError(f"no SMS sent to {user}")
        return messages[0]["code"]

    def pin_letter_code(self, user: str, index: int) -> str:
        return self.state.find_person(user).pin_letter[int(index)]

    # ---- clock
    def advance_clock(self, seconds: float = 0, *, minutes: float = 0, hours: float = 0) -> datetime:
        return self.state.clock.advance(seconds, minutes=minutes, hours=hours)

    def now(self) -> datetime:
        return self.state.now()

    # ---- data / faults (same bodies as the control endpoints)
    def add_items(self, body: dict) -> list:
        return self.state.add_items_from_request(body)

    def items(self, reportee: str = defaults.COMPANY) -> list:
        return list(self.state.reportee_items(reportee))

    def inject_fault(self, spec: dict | list) -> dict:
        request = Request("POST", "/_emulator/faults", {}, {}, json.dumps(spec).encode())
        response = control.faults_post(self.state, request)
        result = json.loads(response.body)
        if response.status >= 400:
            raise ValueError(result.get("error"))
        return result

    def calls(self, operation: str | None = None) -> list[dict]:
        return [c for c in list(self.state.calls) if operation is None or c["operation"] == operation]

    def reset(self, seed: int | None = None, base_date: date | None = None) -> None:
        self.state.reset(seed=seed, base_date=base_date)

    # ---- contract check (altinn3/contract.py)
    def contract_violations(self, clear: bool = False) -> list[dict]:
        """Answers that broke Altinn's contracts since the last clear (only with the check on)."""
        with self.state.lock:
            found = list(self.state.contract_violations)
            if clear:
                self.state.contract_violations.clear()
        return found

    def assert_contract(self) -> None:
        """Fail (AssertionError) when an answer broke Altinn's contracts; the record is cleared."""
        found = self.contract_violations(clear=True)
        if found:
            lines = [f"{v['method']} {v['path']} -> {v['status']}: {'; '.join(v['problems'])}" for v in found]
            raise AssertionError("The emulator broke Altinn's contract:\n" + "\n".join(lines))


@contextlib.contextmanager
def running_emulator(
    seed: int = 1,
    *,
    base_date: date | None = None,
    host: str = "127.0.0.1",
    schema_dir=None,
    plugins=(),
    clock: Clock | None = None,
    data_dirs=(),
    verbose: bool = False,
    check_contract: bool | None = None,
) -> Iterator[EmulatorHandle]:
    """Start an emulator on a free port in a background thread; stop it on exit.

    ``check_contract``: check every Altinn 3 answer against Altinn's contracts (None: the environment
    variable ``ALTINN_EMULATOR_CHECK_CONTRACT``); a violation answers 500 and is kept for
    ``assert_contract``."""
    server = make_server(
        host,
        0,
        seed=seed,
        base_date=base_date,
        schema_dir=schema_dir,
        plugins=plugins,
        clock=clock,
        data_dirs=data_dirs,
        verbose=verbose,
        check_contract=check_contract,
    )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="altinn-emulator", daemon=True
    )
    thread.start()
    try:
        yield EmulatorHandle(server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
