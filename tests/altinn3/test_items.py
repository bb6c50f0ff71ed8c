"""Items read in part, re-read by reference, their Altinn 2 aliases, resource types in any case, and one
transport serving several reportees from a pool of threads."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest
from a3_testlib import CLIENT_COMPANY, COMPANY, FIRM, UNDELEGATED

from prisolve_altinn.altinn import errors
from prisolve_altinn.altinn.altinn3.items import is_app_dialog
from prisolve_altinn.altinn.soap.models import ReporteeElement
from prisolve_altinn.altinn.soap.transport import item_reference
from prisolve_altinn.altinn.types import (
    MISSING_REFUSED,
    MISSING_UNAUTHORIZED,
    ROLE_BODY,
    AltinnItem,
    FetchFailure,
)

EPOCH = datetime(2000, 1, 1)


def now():
    return datetime.now(timezone.utc).replace(tzinfo=None)


def fetch_all(transport, reportee=COMPANY, since=EPOCH):
    return list(transport.fetch(reportee, since, now()))


def dialog(emu, party, document_type):
    source = next(i for i in emu.handle.items(party) if i.document_type == document_type)
    return next(d for d in emu.dialogs(party) if d["dialog_id"] == source.uuid), source


def set_mode(emu, dialog_id, mode, name="*"):
    emu.post(f"/_emulator/altinn3/dialogs/{dialog_id}/attachments", {"name": name, "mode": mode})


def test_unauthorized_attachment_leaves_the_rest_of_the_dialog(emu, transport_for):
    target, source = dialog(emu, COMPANY, "forskuddsskatt")
    set_mode(emu, target["dialog_id"], "unauthorized", "forskuddsskatt_2025.pdf")
    transport = transport_for()
    result = fetch_all(transport)
    assert all(isinstance(r, AltinnItem) for r in result)  # no FetchFailure for it
    item = next(r for r in result if r.reference == f"correspondence:{target['correspondence_id']}")
    assert [f.name for f in item.files if f.role != ROLE_BODY] == ["forskuddsskatt_2025.xml"]
    assert [(m.name, m.reason) for m in item.missing_files] == [
        ("forskuddsskatt_2025.pdf", MISSING_UNAUTHORIZED)
    ]
    assert isinstance(item.missing_files[0].error, errors.AttachmentUnauthorized)
    # the marker is not held back by a dialog read in part
    last_change = max(datetime.fromisoformat(d["content_updated_at"][:-1]) for d in emu.dialogs(COMPANY))
    assert transport.sync_marker(COMPANY) >= last_change
    # once Altinn lets it through, fetch_item reads the whole item again by its ledger reference
    set_mode(emu, target["dialog_id"], "ok", "forskuddsskatt_2025.pdf")
    again = transport.fetch_item(COMPANY, item.reference)
    assert isinstance(again, AltinnItem) and not again.missing_files and again.reference == item.reference
    assert {f.name for f in again.files} >= {"forskuddsskatt_2025.xml", "forskuddsskatt_2025.pdf"}
    assert source.attachments[1].data in [f.data for f in again.files]


def test_dialogporten_marks_the_url_unauthorized(emu, tokens_for):
    from prisolve_altinn.altinn.altinn3.dialogporten import DialogportenClient

    target, _source = dialog(emu, COMPANY, "skatteoppgjoer")
    set_mode(emu, target["dialog_id"], "unauthorized", "beregnetSkatt_2025.xml")
    shown = DialogportenClient(tokens_for(COMPANY)).dialog(target["dialog_id"])
    urls = {a["name"]: a["urls"][0]["url"] for a in shown["transmissions"][0]["attachments"]}
    assert urls["beregnetSkatt_2025.xml"] == "urn:dialogporten:unauthorized"
    assert urls["skatteoppgjoer_2025.pdf"].startswith("http")


def test_refused_by_the_service_owner(emu, transport_for):
    target, _source = dialog(emu, COMPANY, "skatteoppgjoer")
    set_mode(emu, target["dialog_id"], "refused", "beregnetSkatt_2025.xml")
    transport = transport_for()
    item = transport.fetch_item(COMPANY, f"dialog:{target['dialog_id']}")
    assert isinstance(item, AltinnItem)
    assert [(m.name, m.reason) for m in item.missing_files] == [("beregnetSkatt_2025.xml", MISSING_REFUSED)]
    assert isinstance(item.missing_files[0].error, errors.ServiceOwnerRefused)
    assert "skatteoppgjoer_2025.pdf" in [f.name for f in item.files]


def test_nothing_readable_is_still_a_fetch_failure(emu, transport_for):
    """A form without text whose files are all refused has nothing worth importing: FetchFailure."""
    target, source = dialog(emu, COMPANY, "mva_melding")
    assert not source.body
    set_mode(emu, target["dialog_id"], "unauthorized")
    transport = transport_for()
    result = fetch_all(transport)
    failures = [r for r in result if isinstance(r, FetchFailure)]
    assert [f.reference for f in failures] == [f"dialog:{target['dialog_id']}"]
    assert isinstance(failures[0].error, errors.AttachmentUnauthorized)
    assert len(result) == len([i for i in emu.handle.items(COMPANY) if not i.deleted])


def test_fetch_item_checks_reference_and_party(emu, transport_for):
    transport = transport_for()
    with pytest.raises(ValueError):
        transport.fetch_item(COMPANY, "C7012001")  # an Altinn 2 reference
    foreign, _ = dialog(emu, CLIENT_COMPANY, "brev")
    failure = transport.fetch_item(COMPANY, f"dialog:{foreign['dialog_id']}")
    assert isinstance(failure, FetchFailure) and isinstance(failure.error, errors.NoRights)
    firm = transport_for(FIRM, "firm")
    own, _ = dialog(emu, COMPANY, "brev")
    failure = firm.fetch_item(CLIENT_COMPANY, f"dialog:{own['dialog_id']}")  # a client's dialog, other party
    assert isinstance(failure, FetchFailure) and isinstance(failure.error, errors.ElementNotFound)
    missing = transport.fetch_item(COMPANY, "correspondence:00000000-0000-4000-8000-000000000000")
    assert isinstance(missing, FetchFailure) and isinstance(missing.error, errors.ElementNotFound)


def test_aliases_are_the_altinn2_references(emu, transport_for):
    """A migrated message carries its Altinn 2 reference (Correspondence altinn2CorrespondenceId) and an
    archived form its Altinn 2 ArchiveReference (Storage dataValues.A2ArchRef), exactly as the Altinn 2
    transport records them for the same emulator item."""
    result = {i.reference: i for i in fetch_all(transport_for())}
    by_uuid = {i.uuid: i for i in emu.handle.items(COMPANY)}
    seen_message = seen_form = False
    for listed in emu.dialogs(COMPANY):
        source = by_uuid[listed["dialog_id"]]
        archived = source.archived
        element = ReporteeElement(
            reportee_element_id=0 if archived else source.reportee_element_id,
            archive_id=source.archive_id if archived else None,
            archive_reference=f"AR{source.archive_id}" if archived and source.kind == "form" else None,
            se_reportee_element_id=source.reportee_element_id if archived else 0,
            element_type="FormTask" if source.kind == "form" else "Correspondence",
            title=source.title,
            status="",
            status_name=None,
            correspondence_status="",
            last_changed=None,
            last_changed_by=None,
            due_date=None,
            service_code=None,
            service_edition=None,
            service_owner_code=None,
            reportee_name=None,
            reportee_element_owner=None,
        )
        if listed["kind"] == "correspondence":
            item = result[f"correspondence:{listed['correspondence_id']}"]
            assert item.aliases == (item_reference(element),)  # C<id>
            seen_message = True
        elif source.kind == "form" and archived:
            item = result[f"dialog:{listed['dialog_id']}"]
            assert item.aliases == (element.archive_reference,)  # AR<id>
            seen_form = True
        else:
            assert result[f"dialog:{listed['dialog_id']}"].aliases == ()
    assert seen_message and seen_form


def test_service_resource_type_in_any_case():
    assert is_app_dialog({"serviceResourceType": "altinnapp"})
    assert is_app_dialog({"serviceResourceType": "AltinnApp"})
    assert not is_app_dialog({"serviceResourceType": "correspondenceservice"})
    assert not is_app_dialog({})


def test_dialogporten_gives_resource_types_in_lower_case(emu, tokens_for):
    from prisolve_altinn.altinn.altinn3.dialogporten import DialogportenClient

    types = {d["serviceResourceType"] for d in DialogportenClient(tokens_for(COMPANY)).iter_dialogs(COMPANY)}
    assert types == {"altinnapp", "correspondenceservice", "genericaccessresource"}


def _summary(items):
    return sorted(
        (i.reference, i.title, tuple(sorted((f.name, f.sha256) for f in i.files)), i.aliases) for i in items
    )


def test_parallel_reportees_match_sequential(emu, transport_for):
    """One transport, a pool of threads, one reportee each: the same items and markers as one by one."""
    agent = emu.system_user(FIRM, agent=True)["id"]
    emu.post(f"/_emulator/altinn3/systemusers/{agent}/clients", {"org": UNDELEGATED})
    emu.handle.add_items({"reportee": UNDELEGATED, "count": 30, "template": "brev"})
    emu.handle.add_items({"reportee": CLIENT_COMPANY, "count": 30, "template": "brev"})
    reportees = [COMPANY, CLIENT_COMPANY, UNDELEGATED]
    until = now()
    sequential = transport_for(FIRM, "firm")
    expected = {r: _summary(sequential.fetch(r, EPOCH, until)) for r in reportees}
    markers = {r: sequential.sync_marker(r) for r in reportees}
    parallel = transport_for(FIRM, "firm")

    def run(reportee):
        return reportee, _summary(parallel.fetch(reportee, EPOCH, until))

    emu.post("/_emulator/altinn3/config", {"latency_ms": 5})  # interleave the threads' calls
    with ThreadPoolExecutor(max_workers=3) as pool:
        got = dict(pool.map(run, reportees * 2))
    assert got == expected and all(expected.values())
    assert {r: parallel.sync_marker(r) for r in reportees} == markers


def test_latency_control(emu, tokens_for):
    from prisolve_altinn.altinn.altinn3.dialogporten import DialogportenClient

    client = DialogportenClient(tokens_for(COMPANY))
    client.parties()
    emu.post("/_emulator/altinn3/config", {"latency_ms": 200})
    start = time.monotonic()
    client.parties()
    assert time.monotonic() - start >= 0.2
    assert emu.post("/_emulator/altinn3/config", {"latency_ms": 0})["latency_ms"] == 0
