"""Altinn3Transport end to end against the emulator: the same Skatteetaten items as the SOAP side,
stable references, incremental sync, Selskap and Klient level, and every failure class."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from a3_testlib import CLIENT_COMPANY, COMPANY, FIRM, UNDELEGATED, new_key, pem_of

from prisolve_altinn.altinn import errors
from prisolve_altinn.altinn.identifiers import org_number_valid
from prisolve_altinn.altinn.transport import Transport
from prisolve_altinn.altinn.types import (
    MISSING_UNAVAILABLE,
    ROLE_BODY,
    ROLE_FORM_DATA,
    AltinnItem,
    FetchFailure,
)

EPOCH = datetime(2000, 1, 1)


def now():
    return datetime.now(timezone.utc).replace(tzinfo=None)


def fetch_all(transport, reportee=COMPANY, since=EPOCH, until=None):
    return list(transport.fetch(reportee, since, until or now()))


def emulator_files(item):
    files = {att.filename: att.data for att in item.attachments}
    files.update({f.name: f.xml.encode() for f in item.forms})
    return files


def test_selskap_fetch_serves_the_soap_items(emu, transport_for):
    transport = transport_for()
    assert (
        isinstance(transport, Transport) and transport.needs_person is False and transport.name == "altinn3"
    )
    result = fetch_all(transport)
    assert all(isinstance(r, AltinnItem) for r in result)
    source = [i for i in emu.handle.items(COMPANY) if not i.deleted]
    assert len(result) == len(source) >= 7
    by_title = {i.title: i for i in source}
    for item in result:
        assert item.transport == "altinn3" and item.reportee == COMPANY
        origin = by_title[item.title]
        assert item.kind == origin.kind
        assert item.sender == "Skatteetaten"
        expected = emulator_files(origin)
        got = {f.name: f.data for f in item.files if f.role != ROLE_BODY}
        assert sorted(got.values()) == sorted(expected.values()), item.title  # byte for byte
        assert item.created is not None and item.created.utcoffset() == timedelta(0)  # aware UTC
        raw = json.loads(item.raw)
        assert "dialogToken" not in raw["dialog"]
        if item.reference.startswith("correspondence:"):
            assert raw["correspondence"]["altinn2CorrespondenceId"] == origin.reportee_element_id
            assert item.files[0].role == ROLE_BODY
        if item.kind == "form":
            assert any(f.role == ROLE_FORM_DATA and f.mimetype == "application/xml" for f in item.files)
        # A form not sent (FillIn: the app dialog InProgress) is a draft; a sent one and messages are not.
        assert item.unsent == (item.kind == "form" and origin.status == "FillIn" and not origin.archived)
    assert any(item.unsent for item in result), "the default data has an unsent VAT return"
    refs = [i.reference for i in result]
    assert len(set(refs)) == len(refs)
    kinds = {r.split(":")[0] for r in refs}
    assert kinds == {"correspondence", "dialog"}


def test_each_api_gets_the_right_token(emu, transport_for):
    fetch_all(transport_for())
    calls = emu.calls()
    by_prefix = {}
    for call in calls:
        prefix = call["path"].split("/")[1]
        by_prefix.setdefault(prefix, set()).add(call["token"])
    assert by_prefix["dialogporten"] == {"maskinporten"}
    assert by_prefix["correspondence"] == {"altinn"}
    assert by_prefix["storage"] == {"altinn"}
    assert by_prefix["skatteetaten"] == {"dialog"}
    assert all(c["status"] == 200 for c in calls if c["path"] != "/token")


def test_refetch_gives_the_same_references(emu, transport_for):
    first = fetch_all(transport_for())
    second = fetch_all(transport_for())
    assert [i.reference for i in first] == [i.reference for i in second]
    assert [[f.sha256 for f in i.files] for i in first] == [[f.sha256 for f in i.files] for i in second]


def test_incremental_sync_with_the_marker(emu, transport_for):
    transport = transport_for()
    until = now()
    assert fetch_all(transport, until=until)
    marker = transport.sync_marker(COMPANY)
    assert marker == until
    assert fetch_all(transport, since=marker) == []  # nothing changed since
    emu.handle.add_items(
        {
            "reportee": COMPANY,
            "items": [
                {
                    "kind": "message",
                    "title": "Ny melding",
                    "body": "Hei",
                    "attachments": [{"name": "brev.txt", "mimetype": "text/plain", "text": "innhold"}],
                }
            ],
        }
    )
    new = fetch_all(transport, since=marker - timedelta(minutes=10))
    assert [i.title for i in new] == ["Ny melding"]
    assert {f.name: f.data for f in new[0].files}["brev.txt"] == b"innhold"


def test_marker_stays_before_a_failed_item(emu, transport_for):
    transport = transport_for()
    listed = sorted(emu.dialogs(COMPANY), key=lambda d: d["content_updated_at"])
    victim = listed[2]
    emu.fault(path=f"/dialogs/{victim['dialog_id']}$", status=404, count=1)
    result = fetch_all(transport)
    failures = [r for r in result if isinstance(r, FetchFailure)]
    assert len(failures) == 1 and isinstance(failures[0].error, errors.ElementNotFound)
    assert failures[0].reference == f"dialog:{victim['dialog_id']}"
    assert len(result) == len(listed)  # the batch went on
    marker = transport.sync_marker(COMPANY)
    assert marker < datetime.fromisoformat(victim["content_updated_at"].replace("Z", "+00:00")).replace(
        tzinfo=None
    )
    retry = fetch_all(transport, since=marker)
    assert victim["title"] in [i.title for i in retry if isinstance(i, AltinnItem)]


def test_mark_seen_only_when_asked(emu, transport_for):
    unread = [d["dialog_id"] for d in emu.dialogs(COMPANY) if d["correspondence_status"] == "Published"]
    assert unread
    fetch_all(transport_for())
    after = {d["dialog_id"]: d["correspondence_status"] for d in emu.dialogs(COMPANY)}
    assert {after[d] for d in unread} == {"Fetched"}  # fetched by the import, not marked as read
    emu.handle.reset()
    fetch_all(transport_for(mark_seen=True))
    after = {d["dialog_id"]: d["correspondence_status"] for d in emu.dialogs(COMPANY)}
    assert {after[d] for d in unread} == {"Read"}
    assert emu.handle.state.by_uuid[unread[0]].status == "Read"  # and so does the Altinn 2 view


def test_a_pool_of_threads_asks_for_the_parties_once(emu, transport_for):
    from concurrent.futures import ThreadPoolExecutor

    transport = transport_for(FIRM, "firm")
    before = len(emu.calls("/parties"))
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _n: transport.parties(), range(8)))
    assert all(answer is answers[0] for answer in answers) and CLIENT_COMPANY in answers[0]
    assert len(emu.calls("/parties")) == before + 1
    transport.parties(refresh=True)
    assert len(emu.calls("/parties")) == before + 2


def test_klient_level_reads_delegated_clients(emu, transport_for, nb):
    transport = transport_for(FIRM, "firm")
    assert set(transport.parties()) == {FIRM, COMPANY, CLIENT_COMPANY}
    clients = transport.clients()
    assert [c.org_number for c in clients] == sorted([COMPANY, CLIENT_COMPANY])  # the firm is no client
    assert clients[0].name and clients[0].party_uuid
    for client in (COMPANY, CLIENT_COMPANY):
        result = fetch_all(transport, client)
        assert result and all(isinstance(i, AltinnItem) and i.reportee == client for i in result)
    with pytest.raises(errors.ClientNotDelegated) as info:
        fetch_all(transport, UNDELEGATED)
    assert UNDELEGATED in info.value.detail and FIRM in info.value.detail
    assert "klientadministrator" in info.value.text(nb)


def test_client_added_and_removed(emu, transport_for):
    agent = emu.system_user(FIRM, agent=True)["id"]
    emu.post(f"/_emulator/altinn3/systemusers/{agent}/clients", {"org": UNDELEGATED})
    assert fetch_all(transport_for(FIRM, "firm"), UNDELEGATED)
    emu.delete(f"/_emulator/altinn3/systemusers/{agent}/clients/{CLIENT_COMPANY}")
    with pytest.raises(errors.ClientNotDelegated):
        fetch_all(transport_for(FIRM, "firm"), CLIENT_COMPANY)


def test_selskap_system_user_cannot_read_another_company(emu, transport_for):
    with pytest.raises(errors.NoRights) as info:
        fetch_all(transport_for(), CLIENT_COMPANY)
    assert not isinstance(info.value, errors.ClientNotDelegated)
    assert CLIENT_COMPANY in info.value.detail


def test_never_approved_company(emu, transport_for):
    with pytest.raises(errors.SystemUserNotApproved):
        fetch_all(transport_for(UNDELEGATED), UNDELEGATED)


def test_revoked_while_a_token_is_cached(emu, transport_for):
    from prisolve_altinn.altinn.altinn3.tokens import TokenCache

    cache = TokenCache()
    assert fetch_all(transport_for(cache=cache))
    emu.post(f"/_emulator/altinn3/systemusers/{emu.system_user(COMPANY)['id']}/revoke")
    with pytest.raises(errors.SystemUserNotApproved):
        fetch_all(transport_for(cache=cache))  # 403 with the cached token → fresh grant → MP-303


def test_wrong_key(emu, transport_for):
    with pytest.raises(errors.InvalidClientKey):
        fetch_all(transport_for(private_key_pem=pem_of(new_key())))


def test_clock_skew(emu, transport_for):
    import time

    with pytest.raises(errors.ClockSkew):
        fetch_all(transport_for(clock=lambda: time.time() - 300))


def test_one_401_is_refreshed(emu, transport_for):
    emu.fault(path="/dialogporten/api/v1/enduser/dialogs$", status=401, count=1)
    assert fetch_all(transport_for())
    assert [c["status"] for c in emu.calls("/enduser/dialogs")][:2] == [401, 200]


def test_persistent_401(emu, transport_for):
    emu.fault(path="/dialogporten/api/v1/enduser/parties$", status=401, count=5)
    with pytest.raises(errors.TokenRejected):
        fetch_all(transport_for())


def test_403_from_dialogporten(emu, transport_for):
    emu.fault(path="/dialogporten/api/v1/enduser/parties$", status=403, count=5)
    with pytest.raises(errors.NoRights) as info:
        fetch_all(transport_for())
    assert "scope" in info.value.detail


def test_rate_limited(emu, transport_for, sleeps, nb):
    emu.fault(path="/dialogporten/api/v1/enduser/dialogs$", status=429, retry_after=2, count=10)
    with pytest.raises(errors.RateLimited) as info:
        fetch_all(transport_for())
    assert info.value.retry_after == 2 and "neste kjøring" in info.value.text(nb)
    assert sleeps == [2.0, 2.0]


def test_long_retry_after_is_not_slept(emu, transport_for, sleeps):
    emu.fault(path="/dialogporten/api/v1/enduser/dialogs$", status=429, retry_after=3600, count=1)
    with pytest.raises(errors.RateLimited):
        fetch_all(transport_for())
    assert sleeps == []


def test_maintenance_503_and_recovery(emu, transport_for):
    emu.fault(path="/dialogporten/api/v1/enduser/dialogs$", status=503, retry_after=1, count=10)
    with pytest.raises(errors.ServiceUnavailable) as info:
        fetch_all(transport_for())
    assert "nothing was lost" in info.value.text()
    emu.delete("/_emulator/altinn3/faults")
    emu.fault(path="/correspondence/api/v1/correspondence/[^/]+/attachment/", status=502, count=1)
    assert all(isinstance(i, AltinnItem) for i in fetch_all(transport_for()))


@pytest.mark.parametrize("status", [500, 502, 504])
def test_server_errors_stop_the_batch(emu, transport_for, status):
    emu.fault(path="/dialogporten/api/v1/enduser/dialogs/", status=status, count=10)
    with pytest.raises(errors.ServiceUnavailable):
        fetch_all(transport_for())


def test_timeout(emu, settings_for):
    from prisolve_altinn.altinn.altinn3 import Altinn3Transport
    from prisolve_altinn.altinn.altinn3.httpclient import Http
    from prisolve_altinn.altinn.altinn3.tokens import TokenCache

    emu.fault(path="/dialogporten/api/v1/enduser/dialogs$", status=200, json={"items": []}, delay_seconds=1.0)
    transport = Altinn3Transport(
        settings_for(), http=Http(timeout=(1.0, 0.3), max_retries=0), cache=TokenCache()
    )
    with pytest.raises(errors.AltinnTimeout):
        fetch_all(transport)
    transport.close()


def test_owner_api_failure_is_per_file(emu, transport_for):
    """The service owner's server failing costs its documents, not the dialog (its text was read)."""
    emu.fault(path="^/skatteetaten/", status=500, count=10)
    result = fetch_all(transport_for())
    assert all(isinstance(r, AltinnItem) for r in result)
    settlement = next(r for r in result if "Skatteoppgjør" in r.title)
    assert settlement.missing_files and {m.reason for m in settlement.missing_files} == {MISSING_UNAVAILABLE}
    assert all(isinstance(m.error, errors.ServiceOwnerUnavailable) for m in settlement.missing_files)
    assert [f.role for f in settlement.files] == [ROLE_BODY]
    assert all(not r.missing_files for r in result if r is not settlement)


def test_agent_system_user_does_not_read_the_firm_itself(emu, transport_for):
    with pytest.raises(errors.WrongSystemUserKind):
        fetch_all(transport_for(FIRM, "firm"), FIRM)


def test_malformed_answer(emu, transport_for):
    emu.fault(
        path="/dialogporten/api/v1/enduser/dialogs$",
        status=200,
        text="<html>oops</html>",
        content_type="text/html",
        count=1,
    )
    with pytest.raises(errors.MalformedResponse):
        fetch_all(transport_for())


def test_thousands_of_dialogs_through_the_transport(emu, transport_for):
    emu.handle.add_items({"reportee": CLIENT_COMPANY, "count": 1200, "template": "brev"})
    transport = transport_for(FIRM, "firm", page_size=500)
    result = fetch_all(transport, CLIENT_COMPANY)
    refs = [r.reference for r in result]
    assert len(refs) == len(set(refs)) == len([i for i in emu.handle.items(CLIENT_COMPANY) if not i.deleted])
    assert len(refs) > 1200


def test_an_app_instance_is_found_under_its_own_party_only(emu, transport_for, tokens_for):
    """Storage answers an instance id under the party that owns it; under another party it is not found."""
    import requests

    fetch_all(transport_for())
    instance_path = next(
        c["path"] for c in emu.calls("/storage/api/v1/instances/") if "/data/" not in c["path"]
    )
    prefix, party, guid = instance_path.rsplit("/", 2)
    other_party = next(
        str(emu.state.party_id(org))
        for org in emu.state.items_by_reportee
        if str(emu.state.party_id(org)) != party
    )
    headers = {"Authorization": f"Bearer {tokens_for().altinn_token()}"}

    def status(party_id):
        return requests.get(f"{emu.url}{prefix}/{party_id}/{guid}", headers=headers, timeout=10).status_code

    assert status(party) == 200
    assert status(other_party) == 404
    assert status("1") == 404  # no such party


def test_a_firms_clients_are_searched_twenty_at_a_time(emu, transport_for):
    """Dialogporten's search takes up to 20 parties: 25 clients cost 2 searches instead of 25, each client
    gets exactly the items its own search gives (in its own window), and a client the system user may
    not read still fails alone."""
    agent = emu.system_user(FIRM, agent=True)["id"]
    # Organisation numbers that pass MOD11: Dialogporten refuses a whole search for one that does not.
    extra = [org for org in (f"4{n:08d}" for n in range(400)) if org_number_valid(org)][:22]
    for org in extra:
        emu.post("/_emulator/items", {"reportee": org, "count": 2, "template": "mixed"})
        emu.post(f"/_emulator/altinn3/systemusers/{agent}/clients", {"org": org})
    reportees = [COMPANY, CLIENT_COMPANY, *extra, UNDELEGATED]
    assert len(reportees) == 25
    later = now() - timedelta(days=1)  # one client's own window starts later: nothing older for it
    windows = {org: (later if org == extra[0] else EPOCH, now()) for org in reportees}

    def searches():
        return [c for c in emu.calls("/dialogs") if c["path"].rstrip("/").endswith("/enduser/dialogs")]

    one_by_one = transport_for(FIRM, "firm")
    expected, before = {}, len(searches())
    for org in reportees:
        try:
            expected[org] = sorted(i.reference for i in one_by_one.fetch(org, *windows[org]))
        except errors.ClientNotDelegated:
            expected[org] = "not delegated"
    assert len(searches()) - before == 25
    grouped = transport_for(FIRM, "firm")
    grouped.search_together(windows)
    got, before = {}, len(searches())
    for org in reportees:
        try:
            got[org] = sorted(i.reference for i in grouped.fetch(org, *windows[org]))
        except errors.ClientNotDelegated:
            got[org] = "not delegated"
    assert len(searches()) - before == 2
    assert got == expected
    assert expected[UNDELEGATED] == "not delegated" and all(expected[org] for org in extra[1:])
    assert grouped.sync_marker(extra[1]) is not None


def test_a_deadline_already_past_sends_nothing(emu, transport_for):
    """``set_deadline``: the scheduled run's hard deadline reaches every call of the transport (tokens,
    parties, dialogs): past it, nothing is sent and the fetch stops with a timeout."""
    import time

    transport = transport_for()
    transport.set_deadline(time.monotonic() - 0.1)
    before = len(emu.calls())
    with pytest.raises(errors.AltinnTimeout):
        fetch_all(transport)
    assert len(emu.calls()) == before
    transport.set_deadline(None)
    assert fetch_all(transport)
