"""System-user onboarding: request → confirmUrl → approval state, agent requests, revocation, listing."""

from __future__ import annotations

import pytest
from a3_testlib import COMPANY, FIRM, UNDELEGATED

from prisolve_altinn.altinn import errors
from prisolve_altinn.altinn.altinn3 import (
    STATE_APPROVED,
    STATE_EXPIRED,
    STATE_MISSING,
    STATE_REJECTED,
    STATE_REQUESTED,
)
from prisolve_altinn.altinn.altinn3.maskinporten import READ_SCOPES


def test_standard_request_until_approved(emu, admin, tokens_for):
    assert admin.status(UNDELEGATED).state == STATE_MISSING
    request = admin.request_system_user(
        UNDELEGATED, redirect_url="http://localhost/altinn/receipt", integration_title="Prisolve – Udelegert"
    )
    assert request.status == "New" and request.state == STATE_REQUESTED and not request.agent
    assert "/accessmanagement/ui/systemuser/request?id=" + request.id in request.confirm_url
    assert "DONTCHOOSEREPORTEE=true" in request.confirm_url
    again = admin.request_system_user(UNDELEGATED)  # idempotent while open
    assert again.id == request.id
    status = admin.status(UNDELEGATED, request_id=request.id)
    assert (status.state, status.confirm_url) == (STATE_REQUESTED, request.confirm_url)
    with pytest.raises(errors.SystemUserNotApproved):
        tokens_for(UNDELEGATED).maskinporten_token()
    emu.post(f"/_emulator/altinn3/requests/{request.id}/approve")
    status = admin.status(UNDELEGATED, request_id=request.id)
    assert status.state == STATE_APPROVED and status.approved and status.system_user_id
    assert status.confirm_url is None
    assert tokens_for(UNDELEGATED).maskinporten_token()
    assert admin.get_system_user(UNDELEGATED)["userType"] == "standard"


@pytest.mark.parametrize(
    ("action", "state"), [("reject", STATE_REJECTED), ("deny", STATE_REJECTED), ("timeout", STATE_EXPIRED)]
)
def test_request_outcomes(emu, admin, action, state):
    request = admin.request_system_user(UNDELEGATED)
    emu.post(f"/_emulator/altinn3/requests/{request.id}/{action}")
    assert admin.status(UNDELEGATED, request_id=request.id).state == state
    # found without the request id too (byexternalref)
    assert admin.status(UNDELEGATED).state == state
    if state == STATE_EXPIRED:
        fresh = admin.request_system_user(UNDELEGATED)
        assert fresh.id != request.id and fresh.status == "New"


def test_agent_request_for_the_firm(emu, admin, tokens_for):
    emu.post(f"/_emulator/altinn3/systemusers/{emu.system_user(FIRM, agent=True)['id']}/revoke")
    request = admin.request_system_user(FIRM, agent=True)
    assert request.agent and "/systemuser/agentrequest?id=" + request.id in request.confirm_url
    assert request.raw["accessPackages"] == [
        {"urn": "urn:altinn:accesspackage:regnskapsforer-med-signeringsrettighet"}
    ]
    assert admin.status(FIRM, agent=True, request_id=request.id).state == STATE_REQUESTED
    emu.post(f"/_emulator/altinn3/requests/{request.id}/approve")
    assert admin.status(FIRM, agent=True).state == STATE_APPROVED
    assert admin.get_system_user(FIRM)["userType"] == "agent"
    assert tokens_for(FIRM, "firm").maskinporten_token()


def test_agent_requests_take_packages_only(admin):
    with pytest.raises(errors.ConfigurationError):
        admin.request_system_user(FIRM, agent=True, rights=["ske-krav-og-betalinger"])
    with pytest.raises(errors.ConfigurationError):
        admin.request_system_user(FIRM, agent=True, access_packages=[])


def test_revoked_system_user_reads_as_missing(emu, admin, tokens_for, nb):
    tokens = tokens_for(COMPANY)
    assert tokens.maskinporten_token()
    emu.post(f"/_emulator/altinn3/systemusers/{emu.system_user(COMPANY)['id']}/revoke")
    status = admin.status(COMPANY)
    assert status.state == STATE_MISSING and status.request_status == "Accepted"
    tokens.invalidate()
    with pytest.raises(errors.SystemUserNotApproved) as info:
        tokens.maskinporten_token()
    assert "approve" in info.value.text().lower() and "godkjenningslenken" in info.value.text(nb)


def test_existing_system_user_and_bad_requests(admin):
    with pytest.raises(errors.AltinnError, match="already exists"):
        admin.request_system_user(COMPANY)
    with pytest.raises(errors.ConfigurationError) as info:
        admin.request_system_user(UNDELEGATED, access_packages=["urn:altinn:accesspackage:ukjent-pakke"])
    assert "ukjent-pakke" in info.value.altinn_message
    with pytest.raises(errors.ConfigurationError):
        admin.request_system_user(UNDELEGATED, redirect_url="https://evil.example/")
    with pytest.raises(errors.ConfigurationError):
        admin.request_system_user("12345")


def test_admin_needs_its_own_scopes(emu, settings_for, http, rsa_key):
    from prisolve_altinn.altinn.altinn3 import make_admin
    from prisolve_altinn.altinn.altinn3.tokens import TokenCache

    emu.register_key(rsa_key, kid="reader", scopes=list(READ_SCOPES))
    limited = make_admin(
        settings_for(private_key_pem=_pem(rsa_key), key_id="reader"), http=http, cache=TokenCache()
    )
    with pytest.raises(errors.ScopeNotGranted):
        limited.request_system_user(UNDELEGATED)


def test_listing_follows_links_next(emu, admin):
    orgs = [f"{n:09d}" for n in range(320000001, 320000121)]
    for org in orgs:
        request = admin.request_system_user(org)
        emu.post(f"/_emulator/altinn3/requests/{request.id}/approve")
    users = list(admin.iter_system_users())
    owners = [u["reporteeOrgNo"] for u in users]
    assert len(users) == len({u["id"] for u in users}) == 122  # 120 new + company + firm
    assert set(orgs) <= set(owners)
    assert len(emu.calls("/vendor/bysystem/")) == 3  # pages of 50


def _pem(key):
    from a3_testlib import pem_of

    return pem_of(key)


def test_confirm_url_page_approves(emu, admin):
    import requests

    request = admin.request_system_user(UNDELEGATED)
    page = requests.get(request.confirm_url, timeout=5)
    assert page.status_code == 200 and "Godkjenn" in page.text and UNDELEGATED in page.text
    assert requests.post(emu.url + f"/_emulator/altinn3/requests/{request.id}/approve", timeout=5).ok
    again = requests.post(emu.url + f"/_emulator/altinn3/requests/{request.id}/reject", timeout=5)
    assert again.status_code == 409
    assert admin.status(UNDELEGATED).state == STATE_APPROVED
