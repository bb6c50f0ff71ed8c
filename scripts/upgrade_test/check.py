"""Runs in ``odoo-bin shell`` on the working tree after ``-u prisolve_altinn`` (scripts/upgrade_test/run.py).

Compares with what the oldest release showed (the baseline), then fetches the same items again, uploads the
same files again and runs the booking job twice, and compares again. Raises with every difference found.
"""

import base64
import json
from datetime import timezone

from odoo import fields

from odoo.addons.prisolve_altinn.altinn.transport import Transport

from .common import A2_ITEMS, FAILED_ITEM, UPLOAD_IGNORED, UPLOAD_LATER, UPLOADS, a2_item, fixture, snapshot

STALE_CRON = "ir_cron_altinn_book_documents"


class SameItems(Transport):
    """Altinn 2 as it answers the next update: the items it listed before, the failed one now complete.

    Stands where ``res.company._altinn_transport()`` puts the SOAP client (the seam the Odoo tests use); it
    records the start of the period each company is fetched from.
    """

    needs_person = True
    name = "altinn2"

    def __init__(self, items):
        self.items = items
        self.since = {}

    def fetch(self, reportee, since, until, credentials=None, known=None):
        self.since[reportee] = since
        yield from self.items.get(reportee, [])


class Checks:
    def __init__(self):
        self.problems = []

    def equal(self, what, got, expected):
        if got != expected:
            self.problems.append(f"{what}: {got!r}, expected {expected!r}")

    def true(self, what, value):
        if not value:
            self.problems.append(what)


def expected_state(doc):
    # 18.0.1.2.0: letters booking had set aside ("ignored", type other) are to read; the rest keep theirs.
    if doc["state"] == "ignored" and doc["doc_type"] == "other":
        return "to_read"
    return doc["state"]


def compare_ledger(check, when, base, now):
    """Every row and entry of the baseline is still there, with its files; entries with the same lines."""
    for doc_id, doc in base["documents"].items():
        after = now["documents"].get(doc_id)
        if after is None:
            check.problems.append(f"{when}: document {doc['reference']} (id {doc_id}) is gone")
            continue
        for key in ("company_id", "reference", "transport"):
            check.equal(f"{when}: document {doc['reference']} {key}", after[key], doc[key])
        missing = set(map(tuple, doc["files"])) - set(map(tuple, after["files"]))
        check.true(f"{when}: document {doc['reference']} lost files {sorted(missing)}", not missing)
        if doc["move_ids"]:
            check.equal(f"{when}: entries of {doc['reference']}", after["move_ids"], doc["move_ids"])
    extra = sorted(
        (d["reference"], doc_id) for doc_id, d in now["documents"].items() if doc_id not in base["documents"]
    )
    check.true(f"{when}: documents recorded a second time: {extra}", not extra)
    for move_id, move in base["moves"].items():
        after = now["moves"].get(move_id)
        if after is None:
            check.problems.append(f"{when}: entry {move['name']} (id {move_id}) is gone")
            continue
        # Drafts may be renumbered by Odoo on posting only; nothing here posts them, so all must be equal.
        check.equal(f"{when}: entry {move['name']} (id {move_id}, {move['state']})", after, move)


def main(env, baseline_path):
    with open(baseline_path, encoding="utf-8") as handle:
        base = json.loads(handle.read())
    check = Checks()
    env = env(context=dict(env.context, tracking_disable=True, lang="en_US"))
    Company = env["res.company"]
    companies = {key: Company.browse(row["id"]) for key, row in base["companies"].items()}
    firm = env["res.partner"].browse(base["firm"]["id"])
    env.user.company_ids |= Company.browse([c.id for c in companies.values()])
    env = env(context=dict(env.context, allowed_company_ids=[c.id for c in companies.values()]))
    now = snapshot(env, companies, firm, old=False)

    # Settings (issue 26 (6) and (7)): the datasystems, the connection they imply, the sync point.
    check.equal("firm's datasystem", now["firm"], base["firm"])
    for key, old in base["companies"].items():
        new = now["companies"][key]
        for field in ("org", "system_id", "system_password", "firm_id"):
            check.equal(f"{key}: {field}", new[field], old[field])
        has_datasystem = bool(old["system_id"] or (old["firm_id"] and base["firm"]["system_id"]))
        check.equal(f"{key}: connection", new["transport"], "altinn2" if has_datasystem else "altinn3")
        check.equal(f"{key}: sync point", new["synced_until"], old["last_fetch"])
    own, client = companies["own"], companies["client"]
    access = own._altinn_resolve()
    check.equal(
        "own: datasystem used",
        (access.transport, access.level, access.system_id),
        ("altinn2", "company", "955044"),
    )
    access = client._altinn_resolve()
    check.equal(
        "client: datasystem used",
        (access.transport, access.level, access.system_id),
        ("altinn2", "firm", "5454543"),
    )

    # Scheduled actions (issue 26 (8)): one booking job.
    stale = env["ir.model.data"].search_count(
        [("module", "=", "prisolve_altinn"), ("name", "like", STALE_CRON)]
    )
    check.equal(f"xmlids {STALE_CRON}*", stale, 0)
    jobs = env["ir.cron"].with_context(active_test=False).search([("code", "like", "_cron_altinn_process")])
    check.equal(
        "booking jobs", sorted(jobs.get_external_id().values()), ["prisolve_altinn.ir_cron_altinn_process"]
    )

    # Nothing lost, states as each release means them.
    compare_ledger(check, "after the update", base, now)
    for doc_id, doc in base["documents"].items():
        if doc_id in now["documents"]:
            got = now["documents"][doc_id]["state"]
            check.equal(f"after the update: state of {doc['reference']}", got, expected_state(doc))
    print(f"check: {len(now['documents'])} documents and {len(now['moves'])} entries after the update")

    # Fetch again (Altinn 2, each company from its sync point), upload again, book twice.
    items = {}
    for key, refs in A2_ITEMS.items():
        org = companies[key].altinn_org_number
        items[org] = [a2_item(org, ref, name, org=org) for ref, name in refs]
    items[own.altinn_org_number].append(a2_item(own.altinn_org_number, *FAILED_ITEM))
    transport = SameItems(items)
    for key in ("own", "client"):
        sync_point = companies[key].altinn_synced_until
        result = companies[key]._altinn_fetch(transport=transport, trigger="wizard")[0]
        check.true(f"fetch again, {key}: {result.error}", result.error is None)
        since = transport.since.get(companies[key].altinn_org_number)
        check.equal(
            f"fetch again, {key}: from",
            since and fields.Datetime.to_string(since.astimezone(timezone.utc).replace(tzinfo=None)),
            fields.Datetime.to_string(sync_point),
        )
    Document = env["altinn.document"]
    for name in UPLOADS:
        wizard = (
            env["altinn.upload.wizard"]
            .with_company(own)
            .create(
                {
                    "company_id": own.id,
                    "file": base64.b64encode(fixture(name)),
                    "filename": name,
                    "process_now": True,
                }
            )
        )
        wizard.action_import()
    Document._cron_altinn_process()
    first = snapshot(env, companies, firm, old=False)
    compare_ledger(check, "after fetching and uploading again", base, first)
    by_ref = {doc["reference"]: doc for doc in first["documents"].values()}
    done = by_ref.get(FAILED_ITEM[0])
    check.true(
        f"{FAILED_ITEM[0]} (failed before the update) completed and booked: {done}",
        done and not done["incomplete"] and done["state"] not in ("new", "failed") and done["files"],
    )
    later = [doc for doc in first["documents"].values() if any(f[0] == UPLOAD_LATER for f in doc["files"])]
    check.true(
        f"{UPLOAD_LATER} (left for the booking job) booked once: {later}",
        len(later) == 1 and later[0]["state"] not in ("new", "failed"),
    )
    ignored = [
        doc for doc in first["documents"].values() if any(f[0] == UPLOAD_IGNORED for f in doc["files"])
    ]
    check.true(
        f"{UPLOAD_IGNORED} (set aside by hand) stays aside: {ignored}",
        [d["state"] for d in ignored] == ["ignored"],
    )

    # The same again changes nothing: each document is booked once.
    transport = SameItems(items)
    for key in ("own", "client"):
        companies[key]._altinn_fetch(transport=transport, trigger="wizard")
    for name in UPLOADS:
        env["altinn.upload.wizard"].with_company(own).create(
            {
                "company_id": own.id,
                "file": base64.b64encode(fixture(name)),
                "filename": name,
                "process_now": True,
            }
        ).action_import()
    Document._cron_altinn_process()
    second = snapshot(env, companies, firm, old=False)
    for part in ("documents", "moves"):
        for key in sorted(set(first[part]) | set(second[part])):
            check.equal(
                f"second fetch, upload and booking: {part} {key}", second[part].get(key), first[part].get(key)
            )
    print(
        f"check: {len(second['documents'])} documents and {len(second['moves'])} entries after fetching again"
    )
    env.cr.rollback()
    if check.problems:
        raise AssertionError("upgrade check failed:\n- " + "\n- ".join(check.problems))
    print(
        "check: settings kept, one booking job, nothing lost, nothing booked twice, posted entries untouched"
    )
