"""The system register (vendor API), its client-id gate on Maskinporten, client delegation of agent system
users, the grant diagnosis, and the setup assistant's protocol steps end to end."""

from __future__ import annotations

import pytest
import requests
from a3_testlib import CLIENT_COMPANY, COMPANY, FIRM, UNDELEGATED, new_key, pem_of

from prisolve_altinn.altinn import errors
from prisolve_altinn.altinn.altinn3 import (
    CHECK_SYSTEM,
    CHECK_SYSTEM_USER,
    CHECK_SYSTEM_USER_TOKEN,
    CHECK_VENDOR_TOKEN,
    OUTCOME_APPROVED,
    OUTCOME_REQUESTED,
    STATE_APPROVED,
    Altinn3Transport,
    RegisteredSystem,
    diagnose_grant,
    make_admin,
    make_client_delegation,
    make_register,
    make_tokens,
)
from prisolve_altinn.altinn.altinn3.diagnosis import (
    PROBLEM_CLIENT_ID,
    PROBLEM_CLOCK,
    PROBLEM_EXTERNAL_REF,
    PROBLEM_KEY_REJECTED,
    PROBLEM_SCOPE,
    PROBLEM_SYSTEM_NOT_REGISTERED,
    PROBLEM_SYSTEM_USER_MISSING,
    PROBLEM_WRONG_KIND,
)
from prisolve_altinn.altinn.altinn3.maskinporten import READ_SCOPES
from prisolve_altinn.altinn.altinn3.register import ENSURE_CREATED, ENSURE_UNCHANGED, ENSURE_UPDATED
from prisolve_altinn.altinn.altinn3.tokens import TokenCache

OTHER_VENDOR = "999888777"
PKG = "urn:altinn:accesspackage:"


@pytest.fixture
def register(settings_for, http):
    return make_register(settings_for(), http=http, cache=TokenCache())


def new_client(emu, *, consumer_org=None, system_id=None, scopes=None):
    """A second Maskinporten integration (own key), optionally of another vendor / on no system."""
    key = new_key()
    client_id = f"client-{id(key)}"
    body = {
        "client_id": client_id,
        "public_key_pem": pem_of(key),  # the emulator keeps only the public half
        "kid": "k",
        "system_id": system_id,
    }
    if consumer_org:
        body["consumer_org"] = consumer_org
    if scopes is not None:
        body["scopes"] = scopes
    emu.post("/_emulator/altinn3/clients", body)
    return client_id, pem_of(key)


def test_read_the_vendors_system(emu, register):
    system = register.get(emu.vendor()["system_id"])
    assert system.vendor_org == emu.vendor()["vendor_org"] and emu.vendor()["client_id"] in system.client_ids
    assert f"{PKG}regnskapsforer-med-signeringsrettighet" in system.access_packages
    assert system.is_visible is False  # client packages may not be on a visible system
    assert register.get(emu.vendor()["vendor_org"] + "_finnesikke") is None


def test_create_update_and_ensure(emu, register):
    vendor_org = emu.vendor()["vendor_org"]
    system = RegisteredSystem(
        id=f"{vendor_org}_nytt",
        vendor_org=vendor_org,
        name={"nb": "Nytt", "nn": "Nytt", "en": "New"},
        description={"nb": "Test", "nn": "Test", "en": "Test"},
        client_ids=["nytt-klient-1"],
        access_packages=[f"{PKG}skattegrunnlag"],
        allowed_redirect_urls=["https://odoo.example/altinn/receipt"],
        is_visible=True,
    )
    guid = register.create(system)
    assert guid and register.get(system.id).client_ids == ["nytt-klient-1"]
    with pytest.raises(errors.SystemRegisterRejected) as info:
        register.create(system)  # AUTH.VLD-00002
    assert "already exists" in info.value.altinn_message
    got, what = register.ensure(system.id, client_id="nytt-klient-2", access_packages=["merverdiavgift"])
    assert what == ENSURE_UPDATED and got.client_ids == ["nytt-klient-1", "nytt-klient-2"]
    assert register.get(system.id).access_packages == [f"{PKG}skattegrunnlag", f"{PKG}merverdiavgift"]
    assert register.ensure(system.id, client_id="nytt-klient-2")[1] == ENSURE_UNCHANGED
    # a client package turns the system invisible (AUTH.VLD-00018 otherwise)
    got, what = register.ensure(system.id, client_id="nytt-klient-2", access_packages=["regnskapsforer-lonn"])
    assert what == ENSURE_UPDATED and register.get(system.id).is_visible is False
    created, what = register.ensure(f"{vendor_org}_tredje", client_id="tredje-klient")
    assert what == ENSURE_CREATED and register.get(created.id).client_ids == ["tredje-klient"]


def test_altinn_validation_texts(emu, register):
    vendor_org = emu.vendor()["vendor_org"]
    bad = RegisteredSystem(
        id="feil id",
        vendor_org=vendor_org,
        name={"nb": "x"},
        description={"nb": "x"},
        client_ids=[emu.vendor()["client_id"]],  # already on the vendor's system: AUTH.VLD-00004
        access_packages=[f"{PKG}regnskapsforer-lonn"],
        is_visible=True,  # with a client package: AUTH.VLD-00018
    )
    with pytest.raises(errors.SystemRegisterRejected) as info:
        register.create(bad)
    text = info.value.altinn_message
    for fragment in ("spaces", "orgnumber_xxxx", "client id is already tagged", "isVisible"):
        assert fragment in text, fragment
    token = register.mp.token(register.scopes).value
    raw = requests.post(
        emu.url + "/authentication/api/v1/systemregister/vendor",
        json=bad.to_json(),
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()
    assert raw["code"] == "STD-00000"
    assert {e["code"] for e in raw["validationErrors"]} >= {
        "AUTH.VLD-00001",
        "AUTH.VLD-00004",
        "AUTH.VLD-00013",
    }


def test_only_the_vendor_writes_its_systems(emu, settings_for, http):
    client_id, pem = new_client(emu, consumer_org=OTHER_VENDOR)
    stranger = make_register(
        settings_for(client_id=client_id, private_key_pem=pem, key_id="k"), http=http, cache=TokenCache()
    )
    with pytest.raises(errors.NotSystemVendor):
        stranger.get(emu.vendor()["system_id"])
    with pytest.raises(errors.NotSystemVendor):
        stranger.update(RegisteredSystem.from_json({"id": emu.vendor()["system_id"], "vendor": {}}))
    own = RegisteredSystem(
        id=f"{emu.vendor()['vendor_org']}_kapret",
        vendor_org=emu.vendor()["vendor_org"],
        name={"nb": "x"},
        description={"nb": "x"},
    )
    with pytest.raises(errors.NotSystemVendor):
        stranger.create(own)  # vendor.ID must be the token's consumer
    assert stranger.ensure(f"{OTHER_VENDOR}_eget", client_id=client_id)[1] == ENSURE_CREATED


def test_register_scope_is_needed(emu, settings_for, http):
    client_id, pem = new_client(emu, scopes=list(READ_SCOPES))
    limited = make_register(
        settings_for(client_id=client_id, private_key_pem=pem, key_id="k"), http=http, cache=TokenCache()
    )
    with pytest.raises(errors.ScopeNotGranted):
        limited.get(emu.vendor()["system_id"])


def test_system_user_token_needs_the_client_id_on_the_system(emu, settings_for, http, register):
    """Maskinporten issues a system-user token only to a client listed on the system (MP-303 else)."""
    client_id, pem = new_client(emu, system_id=None)
    settings = settings_for(client_id=client_id, private_key_pem=pem, key_id="k")
    with pytest.raises(errors.SystemUserNotApproved):
        make_tokens(settings, http=http, cache=TokenCache()).maskinporten_token()
    register.ensure(emu.vendor()["system_id"], client_id=client_id)
    assert make_tokens(settings, http=http, cache=TokenCache()).maskinporten_token()


# ---------------------------------------------------------------------------------------- clients
def client_admin(emu, settings_for, http):
    """The firm's own standard system user with the klientadministrator package."""
    admin = make_admin(settings_for(FIRM), http=http, cache=TokenCache())
    setup = admin.ensure_system_user(FIRM, access_packages=["skattegrunnlag", "klientadministrator"])
    emu.post(f"/_emulator/altinn3/requests/{setup.request.id}/approve")
    return make_client_delegation(settings_for(FIRM), http=http, cache=TokenCache())


def test_client_delegation_api(emu, settings_for, http, transport_for):
    api = client_admin(emu, settings_for, http)
    agents = api.agents(FIRM)
    assert [a.external_ref for a in agents] == [f"{FIRM}-klient"] and agents[0].agent
    agent = agents[0].id
    assert [c.org_number for c in api.clients(agent)] == sorted([COMPANY, CLIENT_COMPANY])
    available = {c.org_number: c for c in api.available_clients(agent)}
    assert set(available) == {COMPANY, CLIENT_COMPANY, UNDELEGATED}
    api.add_client(agent, available[UNDELEGATED])
    assert UNDELEGATED in [c.org_number for c in api.clients(agent)]
    assert UNDELEGATED in [c.org_number for c in transport_for(FIRM, "firm").clients()]
    api.remove_client(agent, available[CLIENT_COMPANY].party_uuid)
    assert CLIENT_COMPANY not in [c.org_number for c in api.clients(agent)]
    with pytest.raises(errors.AltinnError):
        api.clients(emu.system_user(COMPANY)["id"])  # a standard system user has no clients


def test_client_delegation_needs_a_client_administrator(emu, settings_for, http):
    plain = make_client_delegation(settings_for(COMPANY), http=http, cache=TokenCache())
    with pytest.raises(errors.NoRights):  # the company's system user has no klientadministrator package
        plain.clients(emu.system_user(FIRM, agent=True)["id"])
    with pytest.raises(ValueError):
        make_client_delegation(settings_for(FIRM, "firm"))


def test_customer_deletes_a_system_user(emu, admin):
    """Deleting a system user in Altinn deletes its request too: the next request is a new one."""
    agent = emu.system_user(FIRM, agent=True)["id"]
    assert emu.delete(f"/_emulator/altinn3/systemusers/{agent}")["deleted"] is True
    assert admin.status(FIRM, agent=True).state == "missing"
    fresh = admin.request_system_user(FIRM, agent=True)
    assert fresh.is_new and fresh.status == "New"


# ---------------------------------------------------------------------------------------- diagnosis
def test_diagnosis_of_unusable_settings(settings_for, http):
    broken = diagnose_grant(settings_for(private_key_pem="not a key"), http=http)
    assert (broken.failed.name, broken.failed.problem) == (CHECK_VENDOR_TOKEN, PROBLEM_KEY_REJECTED)
    no_system = diagnose_grant(settings_for(system_id=None), http=http)
    assert no_system.failed.name == CHECK_VENDOR_TOKEN and not no_system.ok


def test_diagnosis_all_good(emu, settings_for, http):
    diagnosis = diagnose_grant(settings_for(), http=http)
    assert diagnosis.ok and [c.name for c in diagnosis.checks] == [
        CHECK_VENDOR_TOKEN,
        CHECK_SYSTEM,
        CHECK_SYSTEM_USER,
        CHECK_SYSTEM_USER_TOKEN,
    ]
    assert diagnose_grant(settings_for(FIRM, "firm"), http=http).ok
    assert diagnose_grant(settings_for(UNDELEGATED), system_user=False, http=http).ok


@pytest.mark.parametrize(
    ("case", "check", "problem"),
    [
        ("key", CHECK_VENDOR_TOKEN, PROBLEM_KEY_REJECTED),
        ("clock", CHECK_VENDOR_TOKEN, PROBLEM_CLOCK),
        ("scope", CHECK_VENDOR_TOKEN, PROBLEM_SCOPE),
        ("system", CHECK_SYSTEM, PROBLEM_SYSTEM_NOT_REGISTERED),
        ("client_id", CHECK_SYSTEM, PROBLEM_CLIENT_ID),
        ("missing", CHECK_SYSTEM_USER, PROBLEM_SYSTEM_USER_MISSING),
        ("ref", CHECK_SYSTEM_USER, PROBLEM_EXTERNAL_REF),
        ("kind", CHECK_SYSTEM_USER, PROBLEM_WRONG_KIND),
    ],
)
def test_diagnosis_names_the_failed_check(emu, settings_for, http, case, check, problem):
    import time

    values = {}
    clock = time.time
    if case == "key":
        values = {"private_key_pem": pem_of(new_key())}
    elif case == "clock":
        clock = lambda: time.time() + 120  # noqa: E731
    elif case == "scope":
        client_id, pem = new_client(emu, scopes=list(READ_SCOPES))
        values = {"client_id": client_id, "private_key_pem": pem, "key_id": "k"}
    elif case == "system":
        values = {"system_id": emu.vendor()["vendor_org"] + "_ukjent"}
    elif case == "client_id":
        client_id, pem = new_client(emu, system_id=None)
        values = {"client_id": client_id, "private_key_pem": pem, "key_id": "k"}
    elif case == "missing":
        values = {"owner_org": UNDELEGATED}
    elif case == "ref":
        values = {"external_ref": "en-annen-ref"}
    elif case == "kind":  # an agent system user under the reference a standard one should have
        admin = make_admin(settings_for(), http=http, cache=TokenCache())
        request = admin.request_system_user(FIRM, agent=True, external_ref=COMPANY)
        emu.post(f"/_emulator/altinn3/requests/{request.id}/approve")
        values = {"owner_org": FIRM, "external_ref": COMPANY}
    owner = values.pop("owner_org", COMPANY)
    diagnosis = diagnose_grant(settings_for(owner, **values), http=http, clock=clock)
    assert not diagnosis.ok
    failed = diagnosis.failed
    assert (failed.name, failed.problem) == (check, problem)
    assert isinstance(failed.error, errors.AltinnError) and failed.error.text("en")


# ---------------------------------------------------------------------------------------- assistant
def test_setup_assistant_for_a_firm_that_keeps_its_own_books(emu, settings_for, http):
    """Register the system → test the grant → request both system users of a firm that also keeps its
    own books here → approve → both approved with the right kinds → list its clients."""
    vendor = emu.vendor()
    register = make_register(settings_for(), http=http, cache=TokenCache())
    system, _ = register.ensure(
        vendor["system_id"],
        client_id=vendor["client_id"],
        access_packages=["skattegrunnlag", "regnskapsforer-med-signeringsrettighet"],
        redirect_urls=["http://localhost/altinn/receipt"],
    )
    assert vendor["client_id"] in system.client_ids
    assert diagnose_grant(settings_for(), system_user=False, http=http).ok
    # A new firm: its agent system user does not exist yet.
    for user in emu.get("/_emulator/altinn3/systemusers"):
        if user["owner_org"] == FIRM and not user["deleted"]:
            emu.post(f"/_emulator/altinn3/systemusers/{user['id']}/revoke")
    admin = make_admin(settings_for(FIRM), http=http, cache=TokenCache())
    own = admin.ensure_system_user(FIRM, redirect_url="http://localhost/altinn/receipt")
    clients = admin.ensure_system_user(FIRM, agent=True, redirect_url="http://localhost/altinn/receipt")
    assert own.outcome == OUTCOME_REQUESTED
    assert clients.outcome == OUTCOME_REQUESTED
    assert own.request.id != clients.request.id
    assert (
        "/systemuser/request?id=" in own.confirm_url and "/systemuser/agentrequest?id=" in clients.confirm_url
    )
    for setup in (own, clients):
        emu.post(f"/_emulator/altinn3/requests/{setup.request.id}/approve")
    standard, agent = admin.status(FIRM), admin.status(FIRM, agent=True)
    assert (standard.state, agent.state) == (STATE_APPROVED, STATE_APPROVED)
    assert (standard.system_user.kind, agent.system_user.kind) == ("standard", "agent")
    assert standard.system_user_id != agent.system_user_id
    assert admin.ensure_system_user(FIRM).outcome == OUTCOME_APPROVED
    assert diagnose_grant(settings_for(FIRM), http=http).ok
    assert diagnose_grant(settings_for(FIRM, "firm"), http=http).ok
    # The klientadministrator adds a client in Altinn; the firm's client list shows it.
    emu.post(f"/_emulator/altinn3/systemusers/{agent.system_user_id}/clients", {"org": CLIENT_COMPANY})
    transport = Altinn3Transport(settings_for(FIRM, "firm"), http=http, cache=TokenCache())
    assert [(c.org_number, c.name) for c in transport.clients()] == [
        (CLIENT_COMPANY, "FJORDKANTEN EIENDOM AS")
    ]
    own_books = Altinn3Transport(settings_for(FIRM), http=http, cache=TokenCache())
    assert own_books.clients() == []  # a standard system user has no clients
