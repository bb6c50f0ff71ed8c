"""Runs in ``odoo-bin shell`` on the OLDEST release (scripts/upgrade_test/run.py): data as it made them.

Only that release's own API is used: its upload wizard, its ``_altinn_record_items`` (what its Altinn 2 wizard
called with the items it fetched), its booking. Writes what a person would see to the baseline file, for
``check.py`` to compare after the update.
"""

import base64
import json

from odoo.addons.prisolve_altinn.altinn.types import FetchFailure

from .common import (
    A2_ITEMS,
    COMPANIES,
    FAILED_ITEM,
    FIRM,
    UPLOAD_IGNORED,
    UPLOAD_LATER,
    UPLOADS_BOOKED,
    a2_item,
    fixture,
    snapshot,
)


def upload(env, company, name, *, book=True):
    wizard = (
        env["altinn.upload.wizard"]
        .with_company(company)
        .create(
            {
                "company_id": company.id,
                "file": base64.b64encode(fixture(name)),
                "filename": name,
                "process_now": book,
            }
        )
    )
    wizard.action_import()
    return env["altinn.document"].search([("company_id", "=", company.id), ("title", "=", name)])


def main(env, baseline_path):
    env = env(context=dict(env.context, tracking_disable=True, lang="en_US"))
    nok = env.ref("base.NOK")
    nok.active = True
    norway = env.ref("base.no")
    firm = env["res.partner"].create(
        {
            "name": FIRM["name"],
            "is_company": True,
            "altinn_system_id": FIRM["system_id"],
            "altinn_system_password": FIRM["system_password"],
        }
    )
    companies = {}
    for key, spec in COMPANIES.items():
        vals = {
            "name": spec["name"],
            "country_id": norway.id,
            "currency_id": nok.id,
            "company_registry": spec["org"],
            "altinn_system_id": spec.get("system_id") or False,
            "altinn_system_password": spec.get("system_password") or False,
            "altinn_client_id": firm.id if spec.get("via_firm") else False,
            "altinn_last_fetch": spec.get("last_fetch") or False,
        }
        company = env["res.company"].create(vals)
        env.user.company_ids |= company
        if spec.get("chart"):
            env["account.chart.template"].try_loading("no", company, install_demo=False)
        companies[key] = company
    env.user.company_id = companies["own"]
    env = env(context=dict(env.context, allowed_company_ids=[c.id for c in companies.values()]))

    # Fetched with Altinn 2 (company level and through the firm), booked at once as the wizard did; one item
    # whose download failed (a failed, incomplete row the next fetch completes).
    Document = env["altinn.document"]
    for key, items in A2_ITEMS.items():
        company = companies[key].with_env(env)
        org = company.altinn_org_number
        fetched = [a2_item(org, ref, name, org=org) for ref, name in items]
        if key == "own":
            fetched.append(
                FetchFailure(
                    reference=FAILED_ITEM[0], title=f"Melding {FAILED_ITEM[0]}", error=OSError("timeout")
                )
            )
        new, _known, _failures = Document.with_company(company)._altinn_record_items(company, fetched)
        new.with_company(company)._altinn_process()

    own = companies["own"].with_env(env)
    for name in UPLOADS_BOOKED:
        upload(env, own, name)
    upload(env, own, UPLOAD_LATER, book=False)  # left for the booking job
    upload(env, own, UPLOAD_IGNORED, book=False).action_ignore()  # set aside by hand

    docs = Document.search([("company_id", "in", own.ids)])
    # An accountant posts two of the entries.
    to_post = (docs.filtered(lambda d: d.doc_type in ("vat_payment", "tax_settlement")).move_ids).filtered(
        lambda m: m.state == "draft"
    )
    assert len(to_post) >= 2, f"expected entries to post, got {to_post}"
    to_post.action_post()
    env.flush_all()
    data = snapshot(env, companies, firm, old=True)
    with open(baseline_path, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=1, sort_keys=True, default=str)
    env.cr.commit()
    print(f"old_data: {len(data['documents'])} documents, {len(data['moves'])} entries")
