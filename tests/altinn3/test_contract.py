"""The emulator against Altinn's published contracts (altinn_emulator/altinn3/contract.py), Altinn's
behaviour where the contracts are silent, and a contract test of the protocol layer's own requests."""

from __future__ import annotations

import email.utils
import re
from datetime import datetime, timedelta, timezone

import pytest
import requests
from a3_testlib import CLIENT_COMPANY, COMPANY, FIRM, UNDELEGATED

from altinn_emulator.altinn3 import contract, views
from altinn_emulator.altinn3.schemacheck import Validator
from prisolve_altinn.altinn import errors
from prisolve_altinn.altinn.altinn3.dialogporten import DialogportenClient
from prisolve_altinn.altinn.altinn3.httpclient import Response, retry_after_seconds
from prisolve_altinn.altinn.types import AltinnItem

DP = "/dialogporten/api/v1/enduser"
ORG = "urn:altinn:organization:identifier-no:"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def get(emu, path, token, **params):
    return requests.get(
        emu.url + path, params=params, headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


def search(emu, token, **params):
    params.setdefault("party", ORG + COMPANY)
    return get(emu, DP + "/dialogs", token, **params)


# ---------------------------------------------------------------------------------------- the check itself
def test_an_answer_that_breaks_the_contract_fails_the_test(emu, tokens_for, monkeypatch):
    """A member the schema does not have: the emulator answers 500 naming it and records the violation
    (the ``emu`` fixture fails the test on any record; this test clears it after looking)."""
    original = views.list_item

    def with_extra_member(ctx, item):
        return {**original(ctx, item), "unreadCount": 1}

    monkeypatch.setattr(views, "list_item", with_extra_member)
    token = tokens_for(COMPANY).maskinporten_token()
    answer = search(emu, token)
    assert answer.status_code == 500 and "unreadCount" in answer.json()["detail"]
    found = emu.handle.contract_violations(clear=True)
    assert (
        found and found[0]["path"] == DP + "/dialogs" and "'unreadCount' is not in the schema" in str(found)
    )
    with pytest.raises(AssertionError, match="broke Altinn's contract"):
        emu.handle.state.contract_violations.append(found[0])
        emu.handle.assert_contract()


def test_a_status_the_operation_does_not_list_is_a_violation():
    spec = contract.spec()
    assert spec.operation("GET", "/api/v1/enduser/parties")
    teapot = type("R", (), {"status": 418, "body": b"", "content_type": "text/plain", "headers": {}})()
    assert (
        "status 418 is not listed"
        in contract.check_response("GET", "/dialogporten/api/v1/enduser/parties", teapot)[0]
    )


def test_the_validator_checks_every_keyword_the_spec_uses():
    root = {
        "components": {
            "schemas": {
                "Kind": {"type": "string", "enum": ["A", "B"]},
                "Thing": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["id"],
                    "properties": {
                        "id": {"type": "string", "format": "guid"},
                        "at": {"type": "string", "format": "date-time", "nullable": True},
                        "kind": {"oneOf": [{"$ref": "#/components/schemas/Kind"}]},
                        "n": {"type": "integer", "format": "int32"},
                        "tags": {"type": "array", "items": {"type": "string"}},
                    },
                },
            }
        }
    }
    check = Validator(root)
    ref = {"$ref": "#/components/schemas/Thing"}
    good = {"id": "3f2a7c1e-0000-4000-8000-000000000001", "at": None, "kind": "A", "n": 5, "tags": ["x"]}
    assert check.errors(ref, good) == []
    bad = {"at": "2026-01-01T10:00:00", "kind": "C", "n": 2**40, "tags": [1], "extra": True}
    problems = "\n".join(check.errors(ref, bad))
    for expected in ("'id' is missing", "date-time", "not one of", "int32", "not of type string", "'extra'"):
        assert expected in problems
    with_unknown_keyword = {"type": "string", "minProperties": 1}
    assert "unsupported keywords" in check.errors(with_unknown_keyword, "x")[0]


# ------------------------------------------------------------------------------ Dialogporten's rules
def test_party_failing_mod11_is_refused(emu, tokens_for):
    token = tokens_for(COMPANY).maskinporten_token()
    wrong = COMPANY[:8] + str((int(COMPANY[8]) + 1) % 10)
    answer = search(emu, token, party=ORG + wrong)
    assert answer.status_code == 400
    assert list(answer.json()["errors"]) == ["Party[0]"]
    assert search(emu, token).status_code == 200


def test_content_updated_after_later_than_before_is_refused(emu, tokens_for):
    token = tokens_for(COMPANY).maskinporten_token()
    answer = search(
        emu, token, contentUpdatedAfter="2026-05-02T00:00:00Z", contentUpdatedBefore="2026-05-01T00:00:00Z"
    )
    assert answer.status_code == 400 and "ContentUpdatedAfter" in answer.json()["errors"]
    same = "2026-05-01T00:00:00Z"
    assert search(emu, token, contentUpdatedAfter=same, contentUpdatedBefore=same).status_code == 200


def test_order_by_without_direction_is_descending(emu, tokens_for):
    token = tokens_for(COMPANY).maskinporten_token()
    page = search(emu, token, orderBy="createdAt").json()
    assert page["orderBy"] == "createdat_desc,id_desc"
    stamps = [item["createdAt"] for item in page["items"]]
    assert stamps == sorted(stamps, reverse=True)


def test_continuation_token_is_altinns_and_refused_only_when_order_changes(emu, tokens_for, transport_for):
    token = tokens_for(COMPANY).maskinporten_token()
    first = search(emu, token, orderBy="contentupdatedat_asc", limit=2).json()
    assert first["hasNextPage"]
    key, ident = first["continuationToken"].split(",")
    last = first["items"][-1]
    assert key.startswith("contentupdatedat_") and ident == "id_" + last["id"]
    assert re.fullmatch(r"contentupdatedat_\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z", key)
    emu.handle.advance_clock(hours=24 * 30)  # a month later the token still works
    later = transport_for(clock=lambda: emu.handle.now().timestamp())
    token = later.tokens.maskinporten_token()
    nxt = search(
        emu, token, orderBy="contentupdatedat_asc", limit=2, continuationToken=first["continuationToken"]
    )
    assert nxt.status_code == 200 and nxt.json()["items"][0]["id"] not in {i["id"] for i in first["items"]}
    other_order = search(
        emu, token, orderBy="createdat_asc", limit=2, continuationToken=first["continuationToken"]
    )
    assert other_order.status_code == 400 and list(other_order.json()["errors"]) == ["ContinuationToken"]


def test_nulls_are_omitted(emu, tokens_for):
    token = tokens_for(COMPANY).maskinporten_token()
    party = get(emu, DP + "/parties", token).json()["authorizedParties"][0]
    assert "dateOfBirth" not in party
    item = search(emu, token).json()["items"][0]
    assert contract.nulls(item) == [] and "process" not in item


def test_etag_is_a_bare_guid_on_get_and_put(emu, tokens_for):
    dp = DialogportenClient(tokens_for(COMPANY))
    dialog_id = emu.dialogs(COMPANY)[0]["dialog_id"]
    token = tokens_for(COMPANY).maskinporten_token()
    answer = get(emu, f"{DP}/dialogs/{dialog_id}", token)
    etag = answer.headers["ETag"]
    assert GUID.match(etag) and etag == answer.json()["revision"]
    new = dp.set_system_labels(dialog_id, add=["Archive"], if_match=etag)
    assert GUID.match(new) and new != etag
    with pytest.raises(errors.AltinnError):
        dp.set_system_labels(dialog_id, add=["Bin"], if_match=etag)  # stale revision: 412


def test_retry_after_in_both_forms(emu, tokens_for, sleeps, http):
    emu.fault(path=DP + "/dialogs$", status=503, retry_after=2, count=1)
    token = tokens_for(COMPANY).maskinporten_token()
    maintenance = search(emu, token)
    header = maintenance.headers["Retry-After"]
    assert email.utils.parsedate_to_datetime(header).tzinfo is not None  # RFC 1123, as the spec says
    emu.fault(path=DP + "/dialogs$", status=429, retry_after=3, count=1)
    assert search(emu, token).headers["Retry-After"] == "3"
    # The client reads both forms as seconds.
    base = datetime(2026, 5, 1, 10, 0, tzinfo=timezone.utc)
    dated = Response(
        503, {"Retry-After": email.utils.format_datetime(base + timedelta(seconds=30), usegmt=True)}, b""
    )
    assert retry_after_seconds(dated, now=lambda: base.timestamp()) == 30
    assert retry_after_seconds(Response(429, {"Retry-After": "7"}, b"")) == 7
    # A maintenance answer with a dated Retry-After is waited for and retried, then the fetch goes on.
    emu.fault(path=DP + "/dialogs$", status=503, retry_after=1, count=1)
    assert DialogportenClient(tokens_for(COMPANY)).search_page({"party": [ORG + COMPANY]})["items"]


def test_correspondence_shapes_written_from_the_dtos(emu, tokens_for):
    """BaseCorrespondenceExt's notification and ignoreReservation, written as null when not set."""
    token = tokens_for(COMPANY).maskinporten_token()
    cid = next(d["correspondence_id"] for d in emu.dialogs(COMPANY) if d["correspondence_id"])
    for suffix in ("", "/details"):
        body = get(emu, f"/correspondence/api/v1/correspondence/{cid}{suffix}", token).json()
        assert body["notification"] is None and body["ignoreReservation"] is None


# ---------------------------------------------------------------------------------------- parties cache
def test_parties_cache_delays_a_new_client_and_nothing_is_lost(emu, transport_for):
    """Dialogporten keeps a system user's authorized parties for 15 minutes: a client the firm added a
    minute ago is neither in /parties nor searchable yet. The fetch says so without moving its sync point,
    and the run after the cache expired reads everything from the same point."""
    emu.post("/_emulator/altinn3/config", {"parties_cache_seconds": 900})
    firm = transport_for(FIRM, "firm")
    assert UNDELEGATED not in firm.parties()  # the cache is filled now
    agent = emu.system_user(FIRM, agent=True)["id"]
    emu.post(f"/_emulator/altinn3/systemusers/{agent}/clients", {"org": UNDELEGATED})
    since = datetime(2000, 1, 1)
    until = datetime.now(timezone.utc).replace(tzinfo=None)
    soon = transport_for(FIRM, "firm")
    with pytest.raises(errors.ClientNotDelegated):
        list(soon.fetch(UNDELEGATED, since, until))
    assert soon.sync_marker(UNDELEGATED) is None  # the sync point stays where it was
    emu.handle.advance_clock(minutes=16)
    later = transport_for(FIRM, "firm", clock=lambda: emu.handle.now().timestamp())
    assert UNDELEGATED in later.parties()
    items = list(later.fetch(UNDELEGATED, since, until))
    source = [i for i in emu.handle.items(UNDELEGATED) if not i.deleted]
    assert len(items) == len(source) and all(isinstance(i, AltinnItem) for i in items)


def test_without_the_cache_a_new_client_shows_at_once(emu, transport_for):
    agent = emu.system_user(FIRM, agent=True)["id"]
    emu.post(f"/_emulator/altinn3/systemusers/{agent}/clients", {"org": UNDELEGATED})
    assert UNDELEGATED in transport_for(FIRM, "firm").parties()


# ---------------------------------------------------------------------------------------- our own requests
def test_the_protocol_layers_requests_hold_dialogporten_s_contract(emu, transport_for):
    """Every request a full fetch sends to Dialogporten (Selskap and Klient, several pages, labels)
    validates against the OpenAPI: path and method, declared parameter names, types and formats,
    Dialogporten's bounds; a later change of the client cannot drift from the contract unnoticed."""
    emu.handle.add_items({"reportee": COMPANY, "count": 30})
    emu.delete("/_emulator/altinn3/calls")
    own = transport_for(page_size=10)
    items = [i for i in own.fetch(COMPANY, datetime(2000, 1, 1), None) if isinstance(i, AltinnItem)]
    assert len(items) > 10
    firm = transport_for(FIRM, "firm", page_size=5)
    assert list(firm.fetch(CLIENT_COMPANY, datetime(2020, 1, 1), datetime.now(timezone.utc)))
    dialog_id = emu.dialogs(COMPANY)[0]["dialog_id"]
    own.dialogporten.set_system_labels(dialog_id, add=["Archive"])
    calls = [c for c in emu.calls("/dialogporten/") if c["path"].startswith("/dialogporten/api/v1/")]
    paths = {c["path"].rsplit("/", 1)[-1] if "/dialogs/" not in c["path"] else "dialog" for c in calls}
    assert {"parties", "dialogs", "dialog"} <= paths
    assert any("continuationToken" in c["query"] for c in calls)
    problems = [
        (c["method"], c["path"], p)
        for c in calls
        for p in contract.check_request(c["method"], c["path"], c["query"], body=c["json"])
    ]
    assert problems == []


def test_the_request_check_catches_drift():
    check = contract.check_request
    base = "/dialogporten/api/v1/enduser/dialogs"
    assert check("GET", base, {"party": [ORG + COMPANY]}) == []
    assert "not declared" in check("GET", base, {"party": [ORG + COMPANY], "partyId": ["1"]})[0]
    assert "date-time" in check("GET", base, {"party": [ORG + COMPANY], "createdAfter": ["2026-01-01"]})[0]
    assert "integer" in check("GET", base, {"party": [ORG + COMPANY], "limit": ["many"]})[0]
    assert "1-1000" in " ".join(check("GET", base, {"party": [ORG + COMPANY], "limit": ["5000"]}))
    assert "MOD11" in " ".join(check("GET", base, {"party": [ORG + "911158613"]}))
    assert "orderBy" in " ".join(check("GET", base, {"party": [ORG + COMPANY], "orderBy": ["title_asc"]}))
    assert "not one of" in " ".join(check("GET", base, {"party": [ORG + COMPANY], "status": ["Open"]}))
    assert "not an operation" in check("DELETE", base, {})[0]
    labels = base + "/3f2a7c1e-0000-4000-8000-000000000001/context/systemlabels"
    assert check("PUT", labels, {}, body={"addLabels": ["Archive"], "removeLabels": []}) == []
    assert "not one of" in " ".join(check("PUT", labels, {}, body={"addLabels": ["Done"]}))


# ---------------------------------------------------------------------------------------- the client's words
def test_a_refused_org_number_is_named_not_http_400(emu, tokens_for, nb):
    wrong = COMPANY[:8] + str((int(COMPANY[8]) + 1) % 10)
    dp = DialogportenClient(tokens_for(COMPANY))
    with pytest.raises(errors.InvalidOrganisationNumber) as info:
        list(dp.iter_dialogs(wrong))
    text = info.value.text(nb)
    assert wrong in text and "organisasjonsnummer" in text and "400" not in text
    assert info.value.field == "Party[0]"


def test_a_refused_field_is_named(emu, tokens_for, nb):
    dp = DialogportenClient(tokens_for(COMPANY))
    later, earlier = datetime(2026, 5, 2, tzinfo=timezone.utc), datetime(2026, 5, 1, tzinfo=timezone.utc)
    with pytest.raises(errors.RequestRejected) as info:
        list(dp.iter_dialogs(COMPANY, since=later, until=earlier))
    assert not isinstance(info.value, errors.InvalidOrganisationNumber)
    assert "tidsrommet" in info.value.text(nb) and "HTTP 400" not in info.value.text(nb)
    assert "ContentUpdatedAfter" in info.value.details


# ---------------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "breakage, expected",
    [
        (lambda d: d.pop("status"), "status"),
        (lambda d: d.__setitem__("status", "Archived"), "Archived"),
        (lambda d: d.__setitem__("attachments", {"not": "a list"}), "attachments"),
    ],
)
def test_an_answer_that_breaks_the_contract_is_a_typed_failure_for_that_dialog(
    emu, transport_for, tokens_for, nb, breakage, expected
):
    """In production Altinn may answer outside its contract: that dialog becomes a FetchFailure that says
    so in Norwegian and keeps the raw answer; the other dialogs are imported; nothing crashes."""
    import json

    target = next(d for d in emu.dialogs(COMPANY) if d["kind"] == "correspondence")
    token = tokens_for(COMPANY).maskinporten_token()
    broken = get(emu, f"{DP}/dialogs/{target['dialog_id']}", token).json()
    breakage(broken)
    emu.fault(path=f"{DP}/dialogs/{target['dialog_id']}$", method="GET", status=200, json=broken, count=5)
    results = list(transport_for().fetch(COMPANY, datetime(2000, 1, 1), None))
    failures = [r for r in results if not isinstance(r, AltinnItem)]
    assert len(failures) == 1 and len(results) == len([i for i in emu.handle.items(COMPANY) if not i.deleted])
    error = failures[0].error
    assert isinstance(error, errors.UnexpectedAnswer) and expected in error.text(nb)
    assert "kontrakt" in error.text(nb) and "ble ikke importert" in error.text(nb)
    assert json.loads(error.raw)["id"] == target["dialog_id"]


def test_every_dialogporten_route_answers_within_the_contract(emu, tokens_for):
    """Each operation the emulator serves, success and refusal; the ``emu`` fixture fails on a violation."""
    token = tokens_for(COMPANY).maskinporten_token()
    owner = next(d for d in emu.dialogs(COMPANY) if d["kind"] == "owner")["dialog_id"]
    transmissions = get(emu, f"{DP}/dialogs/{owner}/transmissions", token).json()
    answers = [
        get(emu, DP + "/parties", token),
        search(emu, token),
        search(emu, token, limit=0),
        get(emu, f"{DP}/dialogs/{owner}", token),
        get(emu, f"{DP}/dialogs/{owner}/transmissions/{transmissions[0]['id']}", token),
        get(emu, f"{DP}/dialogs/{owner}/transmissions/{owner}", token),
        get(emu, f"{DP}/dialogs/{owner}/seenlog", token),
        get(emu, f"{DP}/dialogs/3f2a7c1e-0000-4000-8000-000000000001", token),
        get(emu, "/dialogporten/api/v1/metadata/limits", token),
        requests.put(
            f"{emu.url}{DP}/dialogs/{owner}/context/systemlabels",
            json={"addLabels": ["Archive"]},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        ),
    ]
    assert [a.status_code for a in answers] == [200, 200, 400, 200, 200, 404, 200, 404, 200, 204]
    assert emu.handle.contract_violations() == []
