# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the entries of a company are booked with: its Altinn journal, Skatteetaten as partner and
Skatteetaten's bank account."""

SKATTEETATEN_ORG_NUMBER = "974761076"
ALTINN_JOURNAL_CODE = "ALTN"


def booking_journal(company):
    """The company's Altinn journal; created (and remembered) the first time it is needed."""
    company.ensure_one()
    if company.altinn_journal_id:
        return company.altinn_journal_id
    Journal = company.env["account.journal"].sudo()
    journal = Journal.search(
        [
            *Journal._check_company_domain(company),
            ("type", "=", "general"),
            ("code", "=", ALTINN_JOURNAL_CODE),
        ],
        limit=1,
    )
    if not journal:
        journal = Journal.create(
            {
                "name": "Altinn",
                "code": ALTINN_JOURNAL_CODE,
                "type": "general",
                "company_id": company.id,
                "show_on_dashboard": False,
            }
        )
    company.sudo().altinn_journal_id = journal
    return journal.sudo(False)


def tax_partner(company):
    """Skatteetaten (org. nr. 974761076): found by organisation number, created when missing."""
    company.ensure_one()
    Partner = company.env["res.partner"].sudo().with_context(active_test=False)
    partner = Partner.search(
        [
            "|",
            ("company_id", "=", False),
            ("company_id", "=", company.id),
            "|",
            "|",
            ("l10n_no_bronnoysund_number", "=", SKATTEETATEN_ORG_NUMBER),
            ("company_registry", "=", SKATTEETATEN_ORG_NUMBER),
            ("vat", "in", (f"NO{SKATTEETATEN_ORG_NUMBER}MVA", SKATTEETATEN_ORG_NUMBER)),
        ],
        order="active desc, company_id, id",
        limit=1,
    )
    if not partner:
        partner = Partner.create(
            {
                "name": "Skatteetaten",
                "is_company": True,
                "company_registry": SKATTEETATEN_ORG_NUMBER,
                "l10n_no_bronnoysund_number": SKATTEETATEN_ORG_NUMBER,
                "country_id": company.env.ref("base.no").id,
                "website": "https://www.skatteetaten.no",
            }
        )
    return partner.sudo(False)


def partner_bank(company, partner, account_number):
    """The bank account ``account_number`` of ``partner`` (created when missing), for payments."""
    company.ensure_one()
    if not account_number:
        return company.env["res.partner.bank"]
    Bank = company.env["res.partner.bank"].sudo().with_context(active_test=False)
    bank = Bank.search(
        [
            ("partner_id", "=", partner.id),
            ("sanitized_acc_number", "=", account_number),
            "|",
            ("company_id", "=", False),
            ("company_id", "=", company.id),
        ],
        limit=1,
    )
    if not bank:
        bank = Bank.create({"partner_id": partner.id, "acc_number": account_number})
    return bank.sudo(False)
