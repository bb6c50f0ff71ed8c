# ruff: noqa: F821 - `env` is given by odoo-bin shell
# Run inside `odoo-bin shell` by scripts/demo (env is given): a Norwegian company with the
# l10n_no chart configured against the emulator, then one full "Oppdater fra Altinn".
import json
import os
import urllib.request

EMU_URL = os.environ["EMU_URL"]
ORG = "911158612"
PERSON, PASSWORD = "30014500525", "Brukerpassord-1"

env["res.users"].browse(2).password = "admin"
norway = env.ref("base.no")
company = env["res.company"].search([("vat", "=", f"NO{ORG}MVA")], limit=1)
if not company:
    company = env["res.company"].create(
        {
            "name": "Solbakken Holding AS",
            "country_id": norway.id,
            "vat": f"NO{ORG}MVA",
            "company_registry": ORG,
            "currency_id": env.ref("base.NOK").id,
        }
    )
# A Norwegian bookkeeper works in Norwegian: Bokmål with every installed module's translations, for the
# admin and for the company (whose language the generated texts follow).
env["base.language.install"].create({"lang_ids": [(6, 0, [env.ref("base.lang_nb_NO").id])]}).lang_install()
company.partner_id.lang = "nb_NO"
admin = env["res.users"].browse(2)
admin.write({"company_ids": [(4, company.id)], "company_id": company.id, "lang": "nb_NO"})
env["account.chart.template"].with_company(company).try_loading("no", company, install_demo=False)
company.write(
    {
        "altinn_environment": "custom",
        "altinn_base_url": EMU_URL,
        "altinn_system_id": "955044",
        "altinn_system_password": "Systempassord-955044",
    }
)
if "altinn_transport" in company._fields:
    company.altinn_transport = "altinn2"
env.cr.commit()

wizard_model = (
    env["altinn.update.wizard"]
    .with_user(admin)
    .with_company(company)
    .with_context(allowed_company_ids=[company.id])
)
wizard = wizard_model.create({"company_id": company.id})
secrets = {"altinn_username": PERSON, "altinn_password": PASSWORD}
answer = wizard.with_context(**secrets).action_request_pin()
print("Hent SMS-kode:", answer.get("params", {}).get("message", answer))
with urllib.request.urlopen(f"{EMU_URL}/_emulator/sms?user={PERSON}", timeout=10) as response:
    code = json.load(response)[0]["code"]
print("SMS-kode read from the emulator's outbox")
wizard.with_context(**secrets, altinn_pin_code=code).action_update()
env.cr.commit()
# The wizard only records; booking is the scheduled action's job, run here at once.
cron = env.ref("prisolve_altinn.ir_cron_altinn_process", raise_if_not_found=False)
if cron:
    cron.method_direct_trigger()
else:
    env["altinn.document"]._cron_altinn_process()
env.cr.commit()

print("\nOppdater i Odoo:")
wizard.invalidate_recordset()
print("  " + (wizard.summary or "").replace("\n", "\n  "))
for line in wizard.line_ids:
    print(
        f"  {line.company_id.name}: {line.new_count} new, {line.known_count} already known, "
        f"{line.failed_count} failed"
    )
    if line.message:
        print("    " + line.message.replace("\n", "\n    "))
documents = env["altinn.document"].search([("company_id", "=", company.id)])
for doc in documents:
    print(f"  [{doc.state:9}] {doc.reference:10} {doc.title[:58]:58}")
    for move in doc.move_ids.with_company(company):  # account codes are per company in Odoo 18
        print(
            f"      draft entry {move.ref or move.name}: {move.amount_total:>12,.2f} NOK, "
            + ", ".join(f"{line.account_id.code} {line.balance:,.2f}" for line in move.line_ids)
        )
    if doc.booking_note:
        print("      " + doc.booking_note.splitlines()[0])
    if doc.error:
        print("      " + doc.error.splitlines()[0])
print(
    f"\n{len(documents)} documents in the ledger, "
    f"{len(documents.mapped('move_ids'))} draft journal entries."
)
