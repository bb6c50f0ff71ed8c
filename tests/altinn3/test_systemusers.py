"""System-user onboarding against Altinn's real rules: request → confirmUrl → approval state, the key
(system, org, externalRef) shared by both kinds, requests kept until deleted, agent requests, listing."""

from __future__ import annotations

import pytest
import requests
from a3_testlib import COMPANY, FIRM, UNDELEGATED, pem_of

from prisolve_altinn.altinn import errors
from prisolve_altinn.altinn.altinn3 import (
    OUTCOME_APPROVED,
    OUTCOME_CONFLICT,
    OUTCOME_PENDING,
    OUTCOME_RENEWED,
    OUTCOME_REQUESTED,
    STATE_APPROVED,
    STATE_CONFLICT,
    STATE_EXPIRED,
    STATE_MISSING,
    STATE_REJECTED,
    STATE_REQUESTED,
    external_ref,
    make_admin,
)
from prisolve_altinn.altinn.altinn3.maskinporten import ADMIN_SCOPES, READ_SCOPES
from prisolve_altinn.altinn.altinn3.tokens import TokenCache

AUTH = "/authentication/api/v1/systemuser/request/vendor"


def vendor_post(emu, admin, path, body):
    """The raw answer of Altinn's request API (status, headers, problem body)."""
    token = admin.mp.token(ADMIN_SCOPES).value
    return requests.post(emu.url + path, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_external_refs_differ_per_level():
    assert external_ref(COMPANY, False) == COMPANY  # Altinn's own default for a standard system user
    assert external_ref(FIRM, True) == f"{FIRM}-klient"
    assert external_ref(FIRM, True) != external_ref(FIRM, False)
    with pytest.raises(errors.ConfigurationError):
        external_ref("12345", False)


def test_standard_request_until_approved(emu, admin, tokens_for):
    assert admin.status(UNDELEGATED).state == STATE_MISSING
    request = admin.request_system_user(
        UNDELEGATED, redirect_url="http://localhost/altinn/receipt", integration_title="Prisolve – Udelegert"
    )
    assert request.status == "New" and request.state == STATE_REQUESTED and not request.agent
    assert request.is_new and request.external_ref == UNDELEGATED
    assert request.confirm_url.endswith(
        f"/accessmanagement/ui/systemuser/request?id={request.id}&DONTCHOOSEREPORTEE=true"
    )
    again = admin.request_system_user(UNDELEGATED)  # the open request comes back
    assert again.id == request.id and not again.is_new
    status = admin.status(UNDELEGATED, request_id=request.id)
    assert (status.state, status.confirm_url) == (STATE_REQUESTED, request.confirm_url)
    with pytest.raises(errors.SystemUserNotApproved):
        tokens_for(UNDELEGATED).maskinporten_token()
    emu.post(f"/_emulator/altinn3/requests/{request.id}/approve")
    status = admin.status(UNDELEGATED, request_id=request.id)
    assert status.state == STATE_APPROVED and status.approved and status.system_user_id
    assert status.confirm_url is None and status.system_user.kind == "standard"
    assert tokens_for(UNDELEGATED).maskinporten_token()
    user = admin.get_system_user(UNDELEGATED)
    assert (user.org, user.external_ref, user.agent) == (UNDELEGATED, UNDELEGATED, False)


def test_new_request_is_201_with_location_and_existing_one_200(emu, admin):
    body = {
        "systemId": admin.system_id,
        "partyOrgNo": UNDELEGATED,
        "accessPackages": [{"urn": "urn:altinn:accesspackage:skattegrunnlag"}],
    }
    first = vendor_post(emu, admin, AUTH, body)
    assert first.status_code == 201
    assert (
        first.headers["Location"]
        == f"{emu.url}/authentication/api/v1/systemuser/request/{first.json()['id']}"
    )
    assert first.json()["externalRef"] == UNDELEGATED  # externalRef defaults to partyOrgNo
    second = vendor_post(emu, admin, AUTH, body)
    assert second.status_code == 200 and second.json()["id"] == first.json()["id"]


def test_system_user_exists_is_auth_00004_across_kinds(emu, admin):
    """Altinn looks the key up without the kind: an agent request collides with a standard system user
    under the same reference, with Altinn's RFC 7807 problem AUTH-00004."""
    body = {
        "systemId": admin.system_id,
        "partyOrgNo": COMPANY,
        "externalRef": COMPANY,
        "accessPackages": [{"urn": "urn:altinn:accesspackage:regnskapsforer-med-signeringsrettighet"}],
    }
    answer = vendor_post(emu, admin, AUTH + "/agent", body)
    assert answer.status_code == 400
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["code"] == "AUTH-00004" and problem["type"] == "urn:altinn:error:AUTH-00004"
    assert (
        problem["title"]
        == "Failed to create new SystemUser, existing SystemUser tied to the given System-Id."
    )
    assert problem["status"] == 400
    with pytest.raises(errors.SystemUserExists):
        admin.request_system_user(COMPANY, agent=True, external_ref=COMPANY)
    with pytest.raises(errors.SystemUserExists):
        admin.request_system_user(COMPANY)  # the standard one itself
    # Under the agent's own reference there is no collision.
    assert admin.request_system_user(COMPANY, agent=True).state == STATE_REQUESTED


def test_rejected_request_comes_back_until_deleted(emu, admin):
    request = admin.request_system_user(UNDELEGATED)
    emu.post(f"/_emulator/altinn3/requests/{request.id}/reject")
    again = admin.request_system_user(UNDELEGATED)
    assert (again.id, again.status, again.is_new) == (request.id, "Rejected", False)
    assert admin.delete_request(request.id) is True
    assert admin.delete_request(request.id) is False  # gone: AUTH-00010
    assert admin.get_request(request.id) is None
    fresh = admin.request_system_user(UNDELEGATED)
    assert fresh.id != request.id and fresh.status == "New" and fresh.is_new


def test_delete_answers_202_without_body(emu, admin):
    request = admin.request_system_user(UNDELEGATED)
    token = admin.mp.token(ADMIN_SCOPES).value
    url = f"{emu.url}{AUTH}/{request.id}"
    answer = requests.delete(url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert answer.status_code == 202 and answer.content == b""
    again = requests.delete(url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert again.status_code == 404 and again.json()["code"] == "AUTH-00010"


@pytest.mark.parametrize(
    ("action", "state"), [("reject", STATE_REJECTED), ("deny", STATE_REJECTED), ("timeout", STATE_EXPIRED)]
)
def test_request_outcomes(emu, admin, action, state):
    request = admin.request_system_user(UNDELEGATED)
    emu.post(f"/_emulator/altinn3/requests/{request.id}/{action}")
    assert admin.status(UNDELEGATED, request_id=request.id).state == state
    assert admin.status(UNDELEGATED).state == state  # found without the id too (byexternalref)
    fresh = admin.request_system_user(UNDELEGATED)
    if state == STATE_EXPIRED:  # a timed-out request does not come back
        assert fresh.id != request.id and fresh.status == "New"
    else:
        assert fresh.id == request.id


def test_archived_request_is_gone(emu, admin):
    """Altinn's archiver soft-deletes requests after 28 days: the state reads as missing."""
    request = admin.request_system_user(UNDELEGATED)
    emu.post(f"/_emulator/altinn3/requests/{request.id}/archive")
    assert admin.status(UNDELEGATED).state == STATE_MISSING
    assert admin.request_system_user(UNDELEGATED).id != request.id


def test_requests_are_kept_per_kind(emu, admin):
    """Status by id and by reference only finds requests of the asked kind."""
    standard = admin.request_system_user(UNDELEGATED)
    assert admin.get_request(standard.id, agent=True) is None
    assert admin.find_request(UNDELEGATED, agent=True, external_ref=UNDELEGATED) is None
    # An agent request under the key of a pending standard request is refused (AUTH-00007).
    with pytest.raises(errors.SystemUserRequestBlocked):
        admin.request_system_user(UNDELEGATED, agent=True, external_ref=UNDELEGATED)


def test_agent_request_for_the_firm(emu, admin, tokens_for):
    emu.delete(f"/_emulator/altinn3/systemusers/{emu.system_user(FIRM, agent=True)['id']}")
    assert admin.status(FIRM, agent=True).state == STATE_MISSING
    setup = admin.ensure_system_user(FIRM, agent=True)
    assert setup.outcome == OUTCOME_REQUESTED
    request = setup.request
    assert request.agent and request.external_ref == f"{FIRM}-klient"
    assert request.confirm_url.endswith(
        f"/accessmanagement/ui/systemuser/agentrequest?id={request.id}&DONTCHOOSEREPORTEE=true"
    )
    assert request.raw["accessPackages"] == [
        {"urn": "urn:altinn:accesspackage:regnskapsforer-med-signeringsrettighet"}
    ]
    assert admin.status(FIRM, agent=True, request_id=request.id).state == STATE_REQUESTED
    emu.post(f"/_emulator/altinn3/requests/{request.id}/approve")
    status = admin.status(FIRM, agent=True)
    assert status.state == STATE_APPROVED and status.system_user.agent
    assert tokens_for(FIRM, "firm").maskinporten_token()


def test_status_never_takes_a_system_user_of_the_other_kind(emu, admin):
    """A standard system user under the agent's reference is a conflict, not an approved agent."""
    request = admin.request_system_user(UNDELEGATED, external_ref=f"{UNDELEGATED}-klient")
    emu.post(f"/_emulator/altinn3/requests/{request.id}/approve")
    status = admin.status(UNDELEGATED, agent=True)
    assert status.state == STATE_CONFLICT and not status.approved and status.system_user_id is None
    assert status.system_user.kind == "standard"
    setup = admin.ensure_system_user(UNDELEGATED, agent=True)
    assert setup.outcome == OUTCOME_CONFLICT


def test_ensure_outcomes(emu, admin):
    first = admin.ensure_system_user(UNDELEGATED)
    assert first.outcome == OUTCOME_REQUESTED and first.confirm_url
    again = admin.ensure_system_user(UNDELEGATED)
    assert again.outcome == OUTCOME_PENDING and again.confirm_url == first.confirm_url
    emu.post(f"/_emulator/altinn3/requests/{first.request.id}/reject")
    renewed = admin.ensure_system_user(UNDELEGATED)
    assert renewed.outcome == OUTCOME_RENEWED and renewed.request.id != first.request.id
    emu.post(f"/_emulator/altinn3/requests/{renewed.request.id}/approve")
    done = admin.ensure_system_user(UNDELEGATED)
    assert done.outcome == OUTCOME_APPROVED and done.status.approved and done.request is None


def test_agent_requests_take_packages_only(admin):
    with pytest.raises(errors.ConfigurationError):
        admin.request_system_user(FIRM, agent=True, rights=["ske-krav-og-betalinger"])
    with pytest.raises(errors.ConfigurationError):
        admin.request_system_user(FIRM, agent=True, access_packages=[])


def test_access_packages_must_be_on_the_system_and_fit_the_kind(emu, admin):
    with pytest.raises(errors.AccessPackageNotOnSystem) as info:
        admin.request_system_user(UNDELEGATED, access_packages=["urn:altinn:accesspackage:ukjent-pakke"])
    assert "ukjent-pakke" in info.value.detail
    answer = vendor_post(
        emu,
        admin,
        AUTH,
        {
            "systemId": admin.system_id,
            "partyOrgNo": UNDELEGATED,
            "accessPackages": [{"urn": "urn:altinn:accesspackage:ukjent-pakke"}],
        },
    )
    assert answer.json()["code"] == "AUTH-00063"
    assert answer.json()["NotFoundPackages"] == "urn:altinn:accesspackage:ukjent-pakke"
    with pytest.raises(errors.AccessPackageNotOnSystem):  # a client package on a standard system user
        admin.request_system_user(UNDELEGATED, access_packages=["regnskapsforer-med-signeringsrettighet"])


def test_redirect_url_and_system_rules(emu, admin, settings_for, http):
    with pytest.raises(errors.ConfigurationError):
        admin.request_system_user(UNDELEGATED, redirect_url="https://evil.example/")
    ok = admin.request_system_user(UNDELEGATED, redirect_url="http://localhost/altinn/receipt?state=1")
    assert ok.redirect_url  # the query does not matter (Uri.GetLeftPart(Path))
    with pytest.raises(errors.ConfigurationError):
        admin.request_system_user("12345")
    other = make_admin(settings_for(system_id="314159268_ukjent"), http=http, cache=TokenCache())
    with pytest.raises(errors.SystemNotRegistered):
        other.request_system_user(UNDELEGATED)


def test_admin_needs_its_own_scopes(emu, settings_for, http, rsa_key):
    emu.register_key(rsa_key, kid="reader", scopes=list(READ_SCOPES))
    limited = make_admin(
        settings_for(private_key_pem=pem_of(rsa_key), key_id="reader"), http=http, cache=TokenCache()
    )
    with pytest.raises(errors.ScopeNotGranted):
        limited.request_system_user(UNDELEGATED)


def test_listing_follows_links_next(emu, admin):
    orgs = [f"{n:09d}" for n in range(320000001, 320000121)]
    for org in orgs:
        request = admin.request_system_user(org)
        emu.post(f"/_emulator/altinn3/requests/{request.id}/approve")
    users = list(admin.iter_system_users())
    owners = [u.org for u in users]
    assert len(users) == len({u.id for u in users}) == 122  # 120 new + company + firm
    assert set(orgs) <= set(owners)
    assert len(emu.calls("/vendor/bysystem/")) == 3  # pages of 50


def test_confirm_url_page_approves(emu, admin):
    request = admin.request_system_user(UNDELEGATED)
    page = requests.get(request.confirm_url, timeout=5)
    assert page.status_code == 200 and "Godkjenn" in page.text and UNDELEGATED in page.text
    assert requests.post(emu.url + f"/_emulator/altinn3/requests/{request.id}/approve", timeout=5).ok
    again = requests.post(emu.url + f"/_emulator/altinn3/requests/{request.id}/reject", timeout=5)
    assert again.status_code == 409
    assert admin.status(UNDELEGATED).state == STATE_APPROVED
