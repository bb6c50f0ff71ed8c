# Run inside `odoo-bin shell` by scripts/demo (env is given): a Norwegian company with the
# l10n_no chart configured against the emulator, then one full "Oppdater fra Altinn".
import json
import os
import urllib.request

EMU_URL = os.environ["EMU_URL"]
ORG = "911158612"
PERSON, PASSWORD = "30014500525", "Brukerpassord-1"

env["res.users"].browse(2).password = "admin"  # noqa: F821 - `env` comes from odoo-bin shell
norway = env.ref("base.no")  # noqa: F821
company = env["res.company"].search([("vat", "=", f"NO{ORG}MVA")], limit=1)  # noqa: F821
if not company:
    company = env["res.company"].create({  # noqa: F821
        "name": "Solbakken Holding AS",
        "country_id": norway.id,
        "vat": f"NO{ORG}MVA",
        "company_registry": ORG,
        "currency_id": env.ref("base.NOK").id,  # noqa: F821
    })
admin = env["res.users"].browse(2)  # noqa: F821
admin.write({"company_ids": [(4, company.id)], "company_id": company.id})
env["account.chart.template"].with_company(company).try_loading("no", company, install_demo=False)  # noqa: F821
company.write({
    "altinn_environment": "custom",
    "altinn_base_url": EMU_URL,
    "altinn_system_id": "955044",
    "altinn_system_password": "Systempassord-955044",
})
if "altinn_transport" in company._fields:
    company.altinn_transport = "altinn2"
env.cr.commit()  # noqa: F821

wizard_model = env["altinn.update.wizard"].with_user(admin).with_company(company).with_context(  # noqa: F821
    allowed_company_ids=[company.id]
)
wizard = wizard_model.create({"company_id": company.id})
secrets = {"altinn_username": PERSON, "altinn_password": PASSWORD}
answer = wizard.with_context(**secrets).action_request_pin()
print("Hent SMS-kode:", answer.get("params", {}).get("message", answer))
with urllib.request.urlopen(f"{EMU_URL}/_emulator/sms?user={PERSON}", timeout=10) as response:
    code = json.load(response)[0]["code"]
print("SMS-kode read from the emulator's outbox")
wizard.with_context(**secrets, altinn_pin_code=code).action_update()
env.cr.commit()  # noqa: F821

print("\nOppdater i Odoo:")
for line in wizard.line_ids:
    print(f"  {line.company_id.name}: {line.new_count} new, {line.known_count} already known, "
          f"{line.failed_count} failed")
    if line.message:
        print("    " + line.message.replace("\n", "\n    "))
documents = env["altinn.document"].search([("company_id", "=", company.id)])  # noqa: F821
for doc in documents:
    move = doc.move_id
    print(f"  [{doc.state:8}] {doc.reference:14} {doc.title[:60]:60} "
          f"{(move.name or '') if move else ''} {move.amount_total if move else ''}")
print(f"\n{len(documents)} documents in the ledger, "
      f"{len(documents.filtered('move_id'))} with a draft journal entry.")
