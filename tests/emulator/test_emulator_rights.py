"""Who may read what: a company's own datasystem, an accounting firm's datasystem, the person's rights."""

import re

from soaphelp import (
    Creds,
    archived_correspondence,
    archived_form_task,
    attachment_data,
    challenge,
    challenge_fields,
    correspondence,
    element_list,
    elements,
    form_set_data,
    login,
)

from altinn_emulator import defaults as D

FIRM = {"system": D.FIRM_SYSTEM_ID, "system_password": D.FIRM_SYSTEM_PASSWORD}


def _status(answer):
    return 200 if answer.status == 200 else answer.error_id


def test_company_datasystem_serves_only_its_owner(altinn_emulator):
    emu = altinn_emulator
    creds = login(emu)
    assert _status(element_list(emu.url, creds, D.COMPANY)) == 200
    for other in (D.CLIENT_COMPANY, D.FIRM, D.UNDELEGATED_COMPANY):
        answer = element_list(emu.url, creds, other)
        assert _status(answer) == 5
        assert "not authorized" in answer.fault("AltinnErrorMessage")


def test_firm_datasystem_serves_its_delegating_clients(altinn_emulator):
    emu = altinn_emulator
    creds = login(emu, **FIRM)
    for reportee in (D.FIRM, D.COMPANY, D.CLIENT_COMPANY):
        answer = element_list(emu.url, creds, reportee)
        assert answer.status == 200, answer.text
        assert len(elements(answer)) == 7
    answer = element_list(emu.url, creds, D.UNDELEGATED_COMPANY)  # person has rights, the firm does not
    assert _status(answer) == 5 and "not authorized" in answer.fault("AltinnErrorMessage")


def test_person_without_rights_gets_14(altinn_emulator):
    emu = altinn_emulator
    fields = challenge_fields(
        challenge(emu.url, "AltinnPin", D.FIRM_SYSTEM_ID, D.NOMOBILE_USERNAME, D.NOMOBILE_PASSWORD)
    )
    index = int(re.search(r"engangskode (\d+)", fields["Message"]).group(1))
    creds = Creds(
        D.FIRM_SYSTEM_ID,
        D.FIRM_SYSTEM_PASSWORD,
        D.NOMOBILE_USERNAME,
        D.NOMOBILE_PASSWORD,
        emu.pin_letter_code(D.NOMOBILE_USERNAME, index),
        "AltinnPin",
    )
    assert _status(element_list(emu.url, creds, D.COMPANY)) == 200
    answer = element_list(emu.url, creds, D.CLIENT_COMPANY)
    assert _status(answer) == 14
    assert answer.fault("AltinnErrorMessage") == "The user does not have the required rights for the reportee"
    assert answer.fault("UserId") == str(D.NOMOBILE_USER_ID)


def test_wrong_system_credentials_give_5(altinn_emulator):
    emu = altinn_emulator
    creds = login(emu)
    for bad in (
        creds.with_(system_password="feil"),
        creds.with_(system="999999"),
        creds.with_(system_password=D.FIRM_SYSTEM_PASSWORD),
    ):
        answer = element_list(emu.url, bad)
        assert _status(answer) == 5
        assert answer.fault("AltinnErrorMessage") == "Incorrect username/password given for system"
    assert _status(challenge(emu.url, system="999999")) == 5


def test_persons_own_username_as_system(altinn_emulator):
    emu = altinn_emulator
    creds = login(emu, system=D.PERSON_USERNAME, system_password=D.PERSON_PASSWORD)
    for reportee in (D.COMPANY, D.CLIENT_COMPANY, D.UNDELEGATED_COMPANY):
        assert _status(element_list(emu.url, creds, reportee)) == 200
    # another person's login cannot borrow demo's system access
    assert _status(element_list(emu.url, creds.with_(user=D.NOMOBILE_FNR, password=D.NOMOBILE_PASSWORD))) == 5


def test_downloads_are_checked_against_the_element_owner(altinn_emulator):
    emu = altinn_emulator
    firm = login(emu, **FIRM)
    own = firm.with_(system=D.SYSTEM_ID, system_password=D.SYSTEM_PASSWORD)  # same person, same code session
    client_items = emu.items(D.CLIENT_COMPANY)
    form = next(i for i in client_items if i.kind == "form" and i.archived)
    draft = next(i for i in client_items if i.kind == "form" and not i.archived)
    message = next(i for i in client_items if i.kind == "message" and not i.archived and i.attachments)
    archived_message = next(i for i in client_items if i.kind == "message" and i.archived)
    calls = [
        lambda c: archived_form_task(emu.url, c, form.archive_id),
        lambda c: form_set_data(emu.url, c, draft.reportee_element_id),
        lambda c: correspondence(emu.url, c, message.reportee_element_id),
        lambda c: archived_correspondence(emu.url, c, archived_message.archive_id),
        lambda c: attachment_data(emu.url, c, form.attachments[0].attachment_id),
    ]
    for make in calls:
        assert _status(make(own)) == 5  # 955044 does not serve 313367002
        assert _status(make(firm)) == 200


def test_unknown_or_wrong_kind_of_element(altinn_emulator):
    emu = altinn_emulator
    creds = login(emu)
    items = emu.items(D.COMPANY)
    message = next(i for i in items if i.kind == "message" and not i.archived)
    archived_message = next(i for i in items if i.kind == "message" and i.archived)
    form = next(i for i in items if i.kind == "form" and i.archived)
    assert _status(archived_form_task(emu.url, creds, 1)) == 60016
    assert _status(form_set_data(emu.url, creds, message.reportee_element_id)) == 60016
    assert _status(archived_form_task(emu.url, creds, archived_message.archive_id)) == 60016
    assert _status(archived_correspondence(emu.url, creds, form.archive_id)) == 60016
    assert _status(attachment_data(emu.url, creds, 123)) == 60016
    # an archived message is only reachable through the archive
    answer = correspondence(emu.url, creds, archived_message.reportee_element_id)
    assert _status(answer) == 60019 and answer.fault("AltinnErrorMessage") == "The element is archived"
    assert _status(archived_correspondence(emu.url, creds, archived_message.archive_id)) == 200


def test_reading_marks_the_message_read(altinn_emulator):
    emu = altinn_emulator
    creds = login(emu)
    message = next(i for i in emu.items(D.COMPANY) if i.kind == "message" and i.status == "Created")
    before = {int(e["ReporteeElementId"]): e for e in elements(element_list(emu.url, creds))}
    assert before[message.reportee_element_id]["CorrespondenceStatus"] == "Created"
    answer = correspondence(emu.url, creds, message.reportee_element_id)
    assert answer.result.findtext("{*}Correspondence/{*}CorrespondenceStatus") == "Read"
    after = {int(e["ReporteeElementId"]): e for e in elements(element_list(emu.url, creds))}
    assert after[message.reportee_element_id]["CorrespondenceStatus"] == "Read"
    assert after[message.reportee_element_id]["Status"] == "OpenedNoConfirmedReq"
