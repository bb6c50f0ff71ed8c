"""Dialogporten / Correspondence / Storage: shapes, paging, seen log, dialog tokens and the token matrix."""

from __future__ import annotations

import itertools

import pytest
import requests
from a3_testlib import CLIENT_COMPANY, COMPANY, FIRM
from cryptography.hazmat.primitives.asymmetric import ed25519

from prisolve_altinn.altinn import errors
from prisolve_altinn.altinn.altinn3 import jws
from prisolve_altinn.altinn.altinn3.correspondence import CorrespondenceClient
from prisolve_altinn.altinn.altinn3.dialogporten import DialogportenClient, parse_time
from prisolve_altinn.altinn.altinn3.platform import (
    TOKEN_ALTINN,
    TOKEN_DIALOG,
    TOKEN_MASKINPORTEN,
    UNAUTHORIZED_URL,
    PlatformApi,
    unwrap_portal_url,
)
from prisolve_altinn.altinn.identifiers import org_number_valid

DP = "/dialogporten/api/v1/enduser"


def get(emu, path, token, **params):
    return requests.get(
        emu.url + path, params=params, headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


def dialog_of_kind(emu, party, kind):
    return next(d for d in emu.dialogs(party) if d["kind"] == kind)


def test_parties_standard_and_agent(tokens_for):
    """A standard system user sees its own organisation; an agent one the firm and its clients."""
    own = DialogportenClient(tokens_for(COMPANY)).parties()
    assert [p["party"] for p in own] == [f"urn:altinn:organization:identifier-no:{COMPANY}"]
    assert own[0]["name"] == "SOLBAKKEN HOLDING AS" and own[0]["partyType"] == "Organization"
    firm = DialogportenClient(tokens_for(FIRM, "firm")).parties()
    assert [p["party"].rsplit(":", 1)[1] for p in firm] == [FIRM, *sorted([COMPANY, CLIENT_COMPANY])]


def _valid_parties(count):
    """``count`` party URNs of organisation numbers that pass MOD11 (Dialogporten refuses the others)."""
    numbers = (str(n) for n in itertools.count(310000000) if org_number_valid(str(n)))
    return [f"urn:altinn:organization:identifier-no:{n}" for n in itertools.islice(numbers, count)]


def test_search_validation(emu, tokens_for):
    token = tokens_for(COMPANY).maskinporten_token()
    missing = get(emu, DP + "/dialogs", token)
    assert missing.status_code == 400 and "Party must be specified" in missing.text
    many = get(
        emu,
        DP + "/dialogs",
        token,
        party=_valid_parties(21),
    )
    assert many.status_code == 400
    assert many.json()["errors"] == {"Party.Count": ["'Party Count' must be less than or equal to '20'."]}
    twenty = get(
        emu,
        DP + "/dialogs",
        token,
        party=_valid_parties(20),
    )
    assert twenty.status_code == 200  # the limit itself is allowed
    assert (
        get(
            emu, DP + "/dialogs", token, party="urn:altinn:organization:identifier-no:" + COMPANY, limit=1001
        ).status_code
        == 400
    )
    naive = get(
        emu,
        DP + "/dialogs",
        token,
        party="urn:altinn:organization:identifier-no:" + COMPANY,
        contentUpdatedAfter="2026-01-01T00:00:00",
    )
    assert naive.status_code == 400  # a zone is required


def test_search_shape_matches_the_openapi_names(emu, tokens_for):
    token = tokens_for(COMPANY).maskinporten_token()
    page = get(emu, DP + "/dialogs", token, party="urn:altinn:organization:identifier-no:" + COMPANY).json()
    assert set(page) == {"items", "hasNextPage", "continuationToken", "orderBy"}
    item = page["items"][0]
    for key in (
        "id",
        "org",
        "serviceResource",
        "serviceResourceType",
        "party",
        "createdAt",
        "updatedAt",
        "contentUpdatedAt",
        "status",
        "isContentSeen",
        "hasUnopenedContent",
        "content",
        "endUserContext",
    ):
        assert key in item
    assert item["content"]["title"]["value"][0]["languageCode"] == "nb"
    stamps = [i["contentUpdatedAt"] for i in page["items"]]
    assert stamps == sorted(stamps, reverse=True)  # default order: contentupdatedat_desc


def test_unauthorized_party_is_filtered_not_refused(tokens_for):
    dp = DialogportenClient(tokens_for(COMPANY))
    assert list(dp.iter_dialogs(CLIENT_COMPANY)) == []


def test_paging_across_thousands_of_dialogs(emu, tokens_for):
    emu.handle.add_items({"reportee": COMPANY, "count": 3000})
    expected = {d["dialog_id"] for d in emu.dialogs(COMPANY)}
    assert len(expected) >= 3000
    dp = DialogportenClient(tokens_for(COMPANY))
    seen = list(dp.iter_dialogs(COMPANY, page_size=1000))
    ids = [d["id"] for d in seen]
    assert len(ids) == len(set(ids)) and set(ids) == expected
    stamps = [parse_time(d["contentUpdatedAt"]) for d in seen]
    assert stamps == sorted(stamps)  # oldest change first
    searches = emu.calls(DP + "/dialogs")
    assert len([c for c in searches if c["path"] == DP + "/dialogs"]) == -(-len(expected) // 1000)


def test_refused_continuation_token_restarts_without_loss(emu, tokens_for):
    # Altinn's tokens never expire; one refused anyway (a deploy that changes the order keys) restarts.
    emu.handle.add_items({"reportee": COMPANY, "count": 450})
    expected = {d["dialog_id"] for d in emu.dialogs(COMPANY)}
    dp = DialogportenClient(tokens_for(COMPANY))
    iterator = dp.iter_dialogs(COMPANY, page_size=100)
    first = list(itertools.islice(iterator, 150))  # inside the second page
    emu.fault(
        path=DP + "/dialogs$",
        query="continuationToken",
        status=400,
        count=1,
        json={
            "title": "One or more validation errors occurred.",
            "status": 400,
            "errors": {"ContinuationToken": ["Continuation Token does not match OrderBy."]},
        },
    )
    rest = list(iterator)
    ids = [d["id"] for d in first + rest]
    assert len(ids) == len(set(ids)) and set(ids) == expected
    refused = [c for c in emu.calls(DP + "/dialogs") if c["status"] == 400]
    assert len(refused) == 1


def test_continuation_token_that_never_works_is_a_typed_error(emu, tokens_for):
    # 250 dialogs changed at the same instant: a restart after the last change cannot make progress.
    same = "2026-03-02T10:00:00+01:00"
    emu.handle.add_items(
        {
            "reportee": COMPANY,
            "items": [
                {"kind": "message", "title": f"Brev {n}", "body": "Tekst", "created": same}
                for n in range(250)
            ],
        }
    )
    emu.fault(
        path=DP + "/dialogs$",
        query="continuationToken",
        status=400,
        count=50,
        json={
            "title": "Validation error",
            "validationErrors": [{"paths": ["continuationToken"], "title": "Invalid continuation token"}],
        },
    )
    dp = DialogportenClient(tokens_for(COMPANY))
    with pytest.raises(errors.ContinuationTokenExpired) as info:
        list(dp.iter_dialogs(COMPANY, page_size=100, max_restarts=2))
    assert "nothing was lost" in info.value.text()


def test_dialog_details_mark_seen_and_carry_a_dialog_token(emu, tokens_for):
    tokens = tokens_for(COMPANY)
    dp = DialogportenClient(tokens)
    target = dialog_of_kind(emu, COMPANY, "owner")
    assert target["seen"] == 0
    dialog = dp.dialog(target["dialog_id"])
    assert dialog["isContentSeen"] is True and dialog["seenSinceLastContentUpdate"]
    header, claims, signing_input, sig = jws.split(dialog["dialogToken"])
    assert header["alg"] == "EdDSA"
    assert claims["i"] == target["dialog_id"] and claims["p"].endswith(COMPANY) and "read" in claims["a"]
    # IDialogTokenGenerator: the vendor (consumer) in "c", the system user and its owner in "y"/"o"
    system_user = emu.system_user(COMPANY)["id"]
    assert claims["c"] == "urn:altinn:organization:identifier-no:" + emu.vendor()["vendor_org"]
    assert claims["y"] == f"urn:altinn:systemuser:uuid:{system_user}"
    assert claims["o"] == f"urn:altinn:organization:identifier-no:{COMPANY}"
    jwk = requests.get(emu.url + "/dialogporten/api/v1/.well-known/jwks.json", timeout=5).json()["keys"][0]
    ed25519.Ed25519PublicKey.from_public_bytes(jws.b64url_decode(jwk["x"])).verify(sig, signing_input)
    assert emu.dialogs(COMPANY) and dialog_of_kind(emu, COMPANY, "owner")["seen"] == 1
    transmissions = dp.transmissions(target["dialog_id"])
    # The details' copy has isOpened; the transmissions endpoint's schema does not.
    assert (
        transmissions == [{k: v for k, v in t.items() if k != "isOpened"} for t in dialog["transmissions"]]
        and transmissions[0]["attachments"]
    )
    assert "isOpened" in dialog["transmissions"][0] and "isOpened" not in transmissions[0]


def test_dialog_errors(emu, tokens_for):
    dp = DialogportenClient(tokens_for(COMPANY))
    with pytest.raises(errors.ElementNotFound):
        dp.dialog("01890000-0000-7000-8000-000000000000")
    foreign = emu.dialogs(CLIENT_COMPANY)[0]["dialog_id"]
    with pytest.raises(errors.NoRights):
        dp.dialog(foreign)


def test_system_labels_with_revision(emu, tokens_for):
    dp = DialogportenClient(tokens_for(COMPANY))
    target = emu.dialogs(COMPANY)[0]["dialog_id"]
    revision = dp.dialog(target)["endUserContext"]["revision"]
    with pytest.raises(errors.AltinnError) as info:
        dp.set_system_labels(target, add=["Archive"], if_match="00000000-0000-0000-0000-000000000000")
    assert "412" in info.value.detail
    new_revision = dp.set_system_labels(target, add=["Archive"], if_match=revision)
    assert new_revision and new_revision != revision
    assert dp.dialog(target)["endUserContext"]["systemLabels"] == ["Archive"]


def test_token_matrix(emu, tokens_for):
    """Raw Maskinporten tokens work for Dialogporten and Correspondence reads, not for recipient actions
    or downloads; those need the exchanged Altinn token (or the dialog token)."""
    tokens = tokens_for(COMPANY)
    mp, altinn = tokens.maskinporten_token(), tokens.altinn_token()
    corr = dialog_of_kind(emu, COMPANY, "correspondence")
    dialog = DialogportenClient(tokens).dialog(corr["dialog_id"])
    download = next(u["url"] for a in dialog["attachments"] for u in a["urls"])
    base = emu.url + "/correspondence/api/v1/correspondence/" + corr["correspondence_id"]

    def call(method, url, token):
        return requests.request(
            method, url, headers={"Authorization": f"Bearer {token}"}, timeout=10
        ).status_code

    assert call("GET", base, mp) == 200
    assert call("GET", download, mp) == 401
    assert call("POST", base + "/markasread", mp) == 401
    assert call("GET", download, altinn) == 200
    assert call("GET", download, dialog["dialogToken"]) == 200
    assert call("GET", emu.url + DP + "/parties", altinn) == 200  # Dialogporten takes both
    owner = DialogportenClient(tokens).dialog(dialog_of_kind(emu, COMPANY, "owner")["dialog_id"])
    owner_url = owner["transmissions"][0]["attachments"][0]["urls"][0]["url"]
    assert call("GET", owner_url, altinn) == 401
    assert call("GET", owner_url, owner["dialogToken"]) == 200
    app = DialogportenClient(tokens).dialog(dialog_of_kind(emu, COMPANY, "app")["dialog_id"])
    storage = next(u["url"] for a in app["attachments"] for u in a["urls"] if u["consumerType"] == "Api")
    assert call("GET", storage, mp) == 401 and call("GET", storage, altinn) == 200
    assert call("GET", base + "/attachment/" + dialog["attachments"][0]["id"] + "/download", "garbage") == 401


def test_exchange(emu, tokens_for):
    tokens = tokens_for(COMPANY)
    token = tokens.altinn_token()
    claims = jws.unverified_claims(token)
    assert claims["iss"] == emu.url + "/authentication/api/v1/openid/"
    assert claims["urn:altinn:orgNumber"] == emu.vendor()["vendor_org"]
    assert claims["urn:altinn:authlevel"] == 3 and claims["exp"] - claims["iat"] == 1800
    assert claims["authorization_details"][0]["systemuser_org"]["ID"] == "0192:" + COMPANY
    assert tokens.altinn_token() == token  # cached
    assert len(emu.calls("/exchange/maskinporten")) == 1
    gone = requests.get(
        emu.url + "/authentication/api/v1/exchange/maskinporten",
        timeout=5,
        headers={
            "Authorization": "Bearer " + tokens.maskinporten_token(),
            "X-Altinn-EnterpriseUser-Authentication": "x",
        },
    )
    assert gone.status_code == 410
    quoted = requests.get(
        emu.url + "/authentication/api/v1/exchange/maskinporten?quoted=1",
        timeout=5,
        headers={"Authorization": "Bearer " + tokens.maskinporten_token()},
    )
    emu.fault(path="/exchange/maskinporten$", status=200, text=quoted.text, count=1)
    tokens.invalidate()
    assert tokens.altinn_token() == quoted.text.strip('"')  # JSON-quoted body is unquoted


def test_exchange_refuses_a_bad_token(emu, tokens_for):
    emu.fault(path="/exchange/maskinporten$", status=401, count=5)
    with pytest.raises(errors.TokenRejected) as info:
        tokens_for(COMPANY).altinn_token()
    assert "TT02" in info.value.text()


def test_correspondence_status_flow(emu, tokens_for):
    tokens = tokens_for(COMPANY)
    corr = CorrespondenceClient(tokens)
    target = next(d for d in emu.dialogs(COMPANY) if d["correspondence_status"] == "Published")
    cid = target["correspondence_id"]
    overview = corr.overview(cid)
    assert overview["correspondenceId"] == cid and overview["altinn2CorrespondenceId"] == target["altinn2_id"]
    assert overview["status"] == "Fetched"
    corr.mark_as_read(cid)
    assert corr.details(cid)["status"] == "Read"
    assert [h["status"] for h in corr.details(cid)["statusHistory"]] == ["Published", "Fetched", "Read"]
    assert emu.handle.state.by_uuid[target["dialog_id"]].status == "Read"  # the Altinn 2 view follows
    corr.confirm(cid)
    assert corr.overview(cid)["status"] == "Confirmed"
    resource = overview["resourceId"]
    assert cid in corr.list_ids(resource, on_behalf_of=COMPANY)
    assert corr.list_ids(resource, altinn2_id=target["altinn2_id"]) == [cid]


def test_agent_lists_correspondence_only_on_behalf_of_a_client(emu, tokens_for):
    corr = CorrespondenceClient(tokens_for(FIRM, "firm"))
    target = dialog_of_kind(emu, CLIENT_COMPANY, "correspondence")
    resource = corr.overview(target["correspondence_id"])["resourceId"]
    assert target["correspondence_id"] in corr.list_ids(resource, on_behalf_of=CLIENT_COMPANY)
    with pytest.raises(errors.TokenRejected):
        corr.list_ids(resource)  # defaults to the firm itself, which is no client of its own system user


def test_token_routing_rules():
    class FakeTokens:
        class mp:
            class env:
                platform_url = "https://platform.tt02.altinn.no"

                @staticmethod
                def platform(path):
                    return "https://platform.tt02.altinn.no/" + path

            http = None

    api = PlatformApi(FakeTokens)
    p = "https://platform.tt02.altinn.no"
    assert api.token_kind_for(p + "/dialogporten/api/v1/enduser/dialogs") == TOKEN_MASKINPORTEN
    assert (
        api.token_kind_for(p + "/correspondence/api/v1/correspondence/x/attachment/y/download")
        == TOKEN_ALTINN
    )
    assert api.token_kind_for(p + "/storage/api/v1/instances/1/x/data/y") == TOKEN_ALTINN
    # a platform token never goes to another host, even one that looks alike
    assert api.token_kind_for("https://api.skatteetaten.no/api/skatt-dialog-dokumenter/v1/x") == TOKEN_DIALOG
    assert api.token_kind_for("https://platform.tt02.altinn.no.evil.example/correspondence/x") == TOKEN_DIALOG
    assert api.token_kind_for("http://platform.tt02.altinn.no/correspondence/x") == TOKEN_DIALOG
    wrapped = (
        p
        + "/authentication/api/v1/authentication?goto="
        + requests.utils.quote(
            p + "/storage/api/v1/instances/5/abc/data/def?dontChooseReportee=true", safe=""
        )
    )
    assert unwrap_portal_url(wrapped) == p + "/storage/api/v1/instances/5/abc/data/def"
    with pytest.raises(errors.NoRights):
        api.download(UNAUTHORIZED_URL, what="test")
    with pytest.raises(errors.NoRights):
        api.download("https://api.skatteetaten.no/doc", what="test", dialog_token=None)
