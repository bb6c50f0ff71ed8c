"""The emulator's whole world: organisations, datasystems, persons, PIN sessions, SMS outbox, items,
pending injected faults and a call log. One ``State`` per server; every mutation under ``state.lock``."""

from __future__ import annotations

import base64
import json
import random
import threading
from collections import deque
from datetime import date, datetime, time, timedelta
from pathlib import Path

from . import defaults, payloads, routes
from .clock import OSLO, Clock, to_oslo
from .model import (
    KIND_FORM,
    KIND_MESSAGE,
    MSG_ARCHIVED,
    MSG_CREATED,
    Attachment,
    Form,
    Item,
    Organisation,
    Person,
    PinSession,
    SmsMessage,
)

FIRST_ELEMENT_ID = 7_012_000
FIRST_ARCHIVE_ID = 5_276_000
FIRST_ATTACHMENT_ID = 9_876_000
FIRST_FORM_ID = 4_455_000


class State:
    def __init__(
        self, seed: int = 1, base_date: date | None = None, clock: Clock | None = None, data_dirs: tuple = ()
    ):
        self.lock = threading.RLock()
        self.clock = clock or Clock()
        self.seed = seed
        self._base_date_arg = base_date
        self.data_dirs = tuple(Path(d) for d in data_dirs)
        self.extensions: dict = {}  # plug-in state (e.g. extensions["altinn3"])
        # Altinn 3 answers checked against Altinn's contracts (altinn3/contract.py); kept across resets.
        self.contract_check = False
        self.contract_violations: list[dict] = []
        self.reset()

    # ------------------------------------------------------------------ lifecycle
    def reset(self, seed: int | None = None, base_date: date | None = None, reset_clock: bool = True) -> None:
        with self.lock:
            if seed is not None:
                self.seed = seed
            if base_date is not None:
                self._base_date_arg = base_date
            if reset_clock:
                self.clock.reset()
            self.base_date = self._base_date_arg or self.clock.now().date()
            self.organisations: dict[str, Organisation] = {}
            self._party_index: dict[int, str] = {}
            self._party_index_version = None
            self.datasystems = {}
            self.persons: dict[str, Person] = {}
            self._person_alias: dict[str, str] = {}
            self.sessions: dict[str, PinSession] = {}
            self.outbox: list[SmsMessage] = []
            self.items: list[Item] = []
            self.items_by_reportee: dict[str, list[Item]] = {}
            self.by_element_id: dict[int, Item] = {}
            self.by_archive_id: dict[int, Item] = {}
            self.by_uuid: dict[str, Item] = {}
            self.attachments: dict[int, tuple[Item, Attachment]] = {}
            self.faults: list[dict] = []
            self.calls: deque = deque(maxlen=20_000)
            self.xml_cache: dict = {}  # (element id, variant) -> (item version, serialised XML)
            self._next_element_id = FIRST_ELEMENT_ID
            self._next_archive_id = FIRST_ARCHIVE_ID
            self._next_attachment_id = FIRST_ATTACHMENT_ID
            self._next_form_id = FIRST_FORM_ID
            self._bulk_batches: dict[str, int] = {}
            self.code_rng = random.Random(f"codes:{self.seed}")
            self.extensions = {}
            defaults.populate(self, self.seed, self.base_date)
            for directory in self.data_dirs:
                for path in sorted(directory.glob("*.json")):
                    self.add_items_from_request(json.loads(path.read_text(encoding="utf-8")))
            routes.run_reset_hooks(self)

    def now(self) -> datetime:
        return self.clock.now()

    # ------------------------------------------------------------------ parties
    def add_person(self, person: Person) -> None:
        with self.lock:
            self.persons[person.fnr] = person
            self._person_alias[person.fnr] = person.fnr
            if person.username:
                self._person_alias[person.username.lower()] = person.fnr

    def find_person(self, identifier: str | None) -> Person | None:
        if not identifier:
            return None
        fnr = self._person_alias.get(identifier.strip()) or self._person_alias.get(identifier.strip().lower())
        return self.persons.get(fnr) if fnr else None

    def reportee_name(self, reportee: str) -> str:
        org = self.organisations.get(reportee)
        if org:
            return org.name
        person = self.persons.get(reportee)
        return f"{reportee} {person.name}" if person else reportee

    def party_id(self, reportee: str) -> int:
        org = self.organisations.get(reportee)
        if org:
            return org.party_id
        person = self.persons.get(reportee)
        return person.party_id if person else 0

    def reportee_of_party(self, party_id: int) -> str | None:
        """The organisation number (or fødselsnummer) whose party id is ``party_id``; None when unknown."""
        # Parties are only ever added (a reset starts again): the index is rebuilt when their number changes.
        version = (len(self.organisations), len(self.persons))
        if self._party_index_version != version:
            index = {person.party_id: fnr for fnr, person in self.persons.items()}
            index.update((org.party_id, orgnr) for orgnr, org in self.organisations.items())
            self._party_index, self._party_index_version = index, version
        return self._party_index.get(party_id)

    def organisation(self, orgnr: str) -> Organisation:
        """The organisation (created with a neutral name when unknown, so items can target any org nr)."""
        org = self.organisations.get(orgnr)
        if org is None:
            org = Organisation(orgnr, f"VIRKSOMHET {orgnr} AS", 50_300_000 + len(self.organisations) * 17)
            self.organisations[orgnr] = org
        return org

    # ------------------------------------------------------------------ items
    def add_item(self, item: Item) -> Item:
        with self.lock:
            item.reportee_element_id = self._next_element_id
            self._next_element_id += 1
            if item.archived:
                item.archive_id = self._next_archive_id
                self._next_archive_id += 1
                self.by_archive_id[item.archive_id] = item
            for form in item.forms:
                form.form_id = self._next_form_id
                self._next_form_id += 1
            for att in item.attachments:
                att.attachment_id = self._next_attachment_id
                self._next_attachment_id += 1
                self.attachments[att.attachment_id] = (item, att)
            self.items.append(item)
            self.items_by_reportee.setdefault(item.reportee, []).append(item)
            self.by_element_id[item.reportee_element_id] = item
            self.by_uuid[item.uuid] = item
            return item

    def archive_item(self, item: Item, when: datetime | None = None) -> None:
        with self.lock:
            if item.archived:
                return
            item.archived_at = when or self.now()
            item.last_changed = item.archived_at
            item.archive_id = self._next_archive_id
            self._next_archive_id += 1
            self.by_archive_id[item.archive_id] = item
            item.status = MSG_ARCHIVED if item.kind == KIND_MESSAGE else "Archive"
            item.touch()

    def reportee_items(self, reportee: str) -> list[Item]:
        return self.items_by_reportee.get(reportee, [])

    def add_generated(
        self,
        reportee: str,
        count: int,
        template: str = "mixed",
        broken: str | None = None,
        archived: bool | None = None,
    ) -> list[Item]:
        """``count`` generated items spread over the year before the base date; deterministic per seed."""
        with self.lock:
            org = self.organisation(reportee)
            batch = self._bulk_batches.get(reportee, 0)
            self._bulk_batches[reportee] = batch + 1
            rng = random.Random(f"bulk:{self.seed}:{reportee}:{batch}")
            names = payloads.TEMPLATES if template == "mixed" else (template,)
            created = []
            for index in range(count):
                anchor = self.base_date - timedelta(days=(index * 365) // max(count, 1))
                item = payloads.build(names[index % len(names)], rng, org, anchor)
                if broken:
                    payloads.break_item(item, broken)
                if archived is not None:
                    _set_archived(item, archived)
                created.append(self.add_item(item))
            return created

    def add_items_from_request(self, body: dict) -> list[Item]:
        """Body of ``POST /_emulator/items`` (see README)."""
        reportee = str(body.get("reportee") or defaults.COMPANY)
        created: list[Item] = []
        with self.lock:
            org = self.organisation(reportee)
            for spec in body.get("items") or []:
                created.append(self.add_item(self.item_from_spec(org, spec)))
            count = int(body.get("count") or 0)
            if count:
                created += self.add_generated(
                    reportee, count, body.get("template") or "mixed", body.get("broken"), body.get("archived")
                )
        return created

    def item_from_spec(self, org: Organisation, spec: dict) -> Item:
        rng = random.Random(f"spec:{self.seed}:{org.orgnr}:{self._next_element_id}")
        if spec.get("template"):
            anchor = _parse_date(spec.get("anchor")) or self.base_date
            item = payloads.build(spec["template"], rng, org, anchor)
        else:
            kind = spec.get("kind", KIND_MESSAGE)
            if kind not in (KIND_FORM, KIND_MESSAGE):
                raise ValueError("kind must be 'form' or 'message'")
            when = _parse_datetime(spec.get("created")) or self.now() - timedelta(minutes=5)
            item = Item(
                uuid=payloads.new_uuid(rng),
                kind=kind,
                reportee=org.orgnr,
                title=spec.get("title") or ("Skjema" if kind == KIND_FORM else "Melding"),
                created=when,
                last_changed=when,
                status=MSG_CREATED if kind == KIND_MESSAGE else "FillIn",
                document_type="custom",
            )
            for index, form in enumerate(spec.get("forms") or []):
                item.forms.append(
                    Form(
                        0,
                        form.get("name", "Skjema"),
                        str(form.get("data_format_id", "1")),
                        int(form.get("data_format_version", 1)),
                        form.get("xml", ""),
                        int(form.get("parent_reference", 0)) if index else 0,
                    )
                )
        for key in (
            "title",
            "summary",
            "body",
            "sender",
            "service_owner_code",
            "service_code",
            "custom_message_data",
            "external_reference",
            "document_type",
        ):
            if (key in spec and key != "title") or (key == "title" and spec.get("title")):
                setattr(item, key, spec[key])
        if "service_edition" in spec:
            item.service_edition = int(spec["service_edition"])
        if "confirmation_needed" in spec:
            item.confirmation_needed = bool(spec["confirmation_needed"])
        if spec.get("due_date"):
            item.due_date = _parse_datetime(spec["due_date"])
        if spec.get("created") and spec.get("template"):
            item.created = item.last_changed = _parse_datetime(spec["created"])
        for att in spec.get("attachments") or []:
            if "data_base64" in att:
                data = base64.b64decode(att["data_base64"])
            else:
                data = str(att.get("text", "")).encode("utf-8")
            name = att.get("name") or att.get("filename") or "vedlegg.bin"
            item.attachments.append(
                Attachment(
                    0,
                    name,
                    att.get("filename") or name,
                    att.get("mimetype", "application/octet-stream"),
                    data,
                    item.created,
                    att.get("function_type", "Unspecified"),
                )
            )
        if "archived" in spec:
            _set_archived(item, bool(spec["archived"]))
        if spec.get("status"):
            item.status = spec["status"]
        if spec.get("broken"):
            payloads.break_item(item, spec["broken"])
        return item

    # ------------------------------------------------------------------ injected faults
    def take_injected_fault(self, operation: str) -> dict | None:
        """Pop one pending fault for ``operation`` (plug-ins use their own names, e.g. 'dialogporten')."""
        with self.lock:
            for fault in self.faults:
                if fault["operation"] in (operation, "*"):
                    fault["remaining"] -= 1
                    if fault["remaining"] <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def log_call(self, operation: str, status: int, error_id: int | None = None, path: str = "") -> None:
        self.calls.append(
            {
                "at": self.now().isoformat(),
                "operation": operation,
                "status": status,
                "error_id": error_id,
                "path": path,
            }
        )

    # ------------------------------------------------------------------ SMS outbox
    def sms_for(self, identifier: str | None) -> list[dict]:
        person = self.find_person(identifier) if identifier else None
        if identifier and person is None:
            raise KeyError(identifier)
        with self.lock:
            messages = [m for m in self.outbox if person is None or m.person_fnr == person.fnr]
        return [
            {
                "code": m.code,
                "sent_at": m.sent_at.isoformat(),
                "to": m.to,
                "text": m.text,
                "valid_to": m.valid_to.isoformat(),
                "system": m.system,
                "user": m.person_fnr,
            }
            for m in reversed(messages)
        ]


def _set_archived(item: Item, archived: bool) -> None:
    if archived and not item.archived:
        item.archived_at = item.last_changed
        item.status = MSG_ARCHIVED if item.kind == KIND_MESSAGE else "Archive"
    elif not archived and item.archived:
        item.archived_at = None
        item.status = MSG_CREATED if item.kind == KIND_MESSAGE else "FillIn"


def _parse_datetime(value) -> datetime | None:
    if not value:
        return None
    if isinstance(value, datetime):
        return to_oslo(value)
    text = str(value)
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), time(0), OSLO)
    return to_oslo(datetime.fromisoformat(text.replace("Z", "+00:00")))


def _parse_date(value) -> date | None:
    if not value:
        return None
    return date.fromisoformat(str(value)[:10])
