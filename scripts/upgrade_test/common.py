"""What the upgrade test makes on the oldest release and reads again after the update (both sides import it).

Plain data and one reader (``snapshot``) that works on every release's schema: it reads only what all of them
have, and the settings under their old or new names.
"""

import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path

FIXTURES = Path(
    os.environ.get("UPGRADE_FIXTURES", Path(__file__).resolve().parents[2] / "tests/parsers/fixtures")
)
FIXTURE_ORG = "926543210"  # Skatteetaten's samples are addressed to this organisation

FIRM = {"name": "Regnskapsbyrå AS", "system_id": "5454543", "system_password": "Systempassord-5454543"}
COMPANIES = {
    # Altinn 2, the company's own datasystem (Selskap level); the samples are addressed to it.
    "own": {
        "name": "Eget Selskap AS",
        "org": FIXTURE_ORG,
        "system_id": "955044",
        "system_password": "Systempassord-955044",
        "last_fetch": "2026-11-20 08:15:00",
        "chart": True,
    },
    # Altinn 2 through the accounting firm's datasystem (Klient level).
    "client": {
        "name": "Klient AS",
        "org": "312000001",
        "via_firm": True,
        "last_fetch": "2026-11-21 09:30:00",
        "chart": True,
    },
    # No datasystem: Altinn 3 after the update.
    "none": {"name": "Uten Datasystem AS", "org": "312000002"},
}
# (reference, fixture) fetched with Altinn 2 before the update, per company.
A2_ITEMS = {
    "own": [("AR1001", "vat_payment.xml"), ("AR1002", "mva_return.xml"), ("AR1003", "unknown_invoice.xml")],
    "client": [("AR2001", "vat_payment.xml")],
}
# Listed but not downloaded before the update (a failed row); the next fetch brings its file.
FAILED_ITEM = ("AR1004", "skattemelding_response.xml")
UPLOADS_BOOKED = ("krav_aapne.json", "beregnet_skatt.xml", "forskuddsskatt.xml", "xxe_file.xml")
UPLOAD_LATER = "innbetalinger.json"  # uploaded without booking: the booking job's
UPLOAD_IGNORED = "vat_refund.xml"  # set aside by hand
UPLOADS = (*UPLOADS_BOOKED, UPLOAD_LATER, UPLOAD_IGNORED)


def fixture(name, org=None):
    data = (FIXTURES / name).read_bytes()
    return data.replace(FIXTURE_ORG.encode(), org.encode()) if org else data


def mimetype(name):
    return {"json": "application/json", "txt": "text/plain"}.get(name.rsplit(".", 1)[-1], "application/xml")


def a2_item(reportee, reference, name, org=None):
    """An item as the Altinn 2 wizard fetches it: a Skatteetaten form set with its file and description (the
    same on every release: the types module of the release that runs)."""
    from odoo.addons.prisolve_altinn.altinn.types import ROLE_ATTACHMENT, AltinnFile, AltinnItem

    return AltinnItem(
        reference=reference,
        kind="message",
        reportee=reportee,
        title=f"Melding {reference}",
        transport="altinn2",
        service_code="4503",
        service_edition=2,
        sender="Skatteetaten",
        created=datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc),
        archived=datetime(2026, 11, 2, 10, 0),
        files=[AltinnFile(name=name, mimetype=mimetype(name), data=fixture(name, org), role=ROLE_ATTACHMENT)],
        raw=f"<ReporteeElementBEV2><ReporteeElementId>{reference}</ReporteeElementId></ReporteeElementBEV2>".encode(),
    )


def _sha(data):
    return hashlib.sha256(data or b"").hexdigest()


def snapshot(env, companies, firm, old):
    """What a person sees: settings, each ledger row with its files and entries, each entry with its lines."""
    Company = env["res.company"].with_context(active_test=False)
    company_ids = [company.id for company in companies.values()]
    settings = {}
    for key, company in companies.items():
        company = Company.browse(company.id)
        row = {
            "id": company.id,
            "org": company.altinn_org_number,
            "system_id": company.altinn_system_id or None,
            "system_password": company.sudo().altinn_system_password or None,
            "firm_id": (company.altinn_client_id if old else company.altinn_firm_id).id or None,
        }
        if old:
            row["last_fetch"] = str(company.altinn_last_fetch) if company.altinn_last_fetch else None
        else:
            row["transport"] = company.altinn_transport
            row["synced_until"] = str(company.altinn_synced_until) if company.altinn_synced_until else None
        settings[key] = row
    documents = {}
    moves = env["account.move"]
    for doc in (
        env["altinn.document"].with_context(active_test=False).search([("company_id", "in", company_ids)])
    ):
        doc_moves = doc.move_ids | doc.move_id
        moves |= doc_moves
        documents[str(doc.id)] = {
            "company_id": doc.company_id.id,
            "reference": doc.reference,
            "transport": doc.transport,
            "state": doc.state,
            "doc_type": doc.doc_type or None,
            "incomplete": doc.incomplete,
            "move_ids": sorted(doc_moves.ids),
            "files": sorted((att.name, _sha(att.raw)) for att in doc.attachment_ids),
        }
    entries = {}
    for move in moves:
        entries[str(move.id)] = {
            "company_id": move.company_id.id,
            "state": move.state,
            "name": move.name,
            "date": str(move.date),
            "ref": move.ref or None,
            "amount_total": move.amount_total,
            "lines": sorted(
                (line.account_id.with_company(move.company_id).code, line.debit, line.credit, line.name or "")
                for line in move.line_ids
            ),
        }
    data = {
        "firm": {
            "id": firm.id,
            "system_id": firm.altinn_system_id or None,
            "system_password": firm.sudo().altinn_system_password or None,
        },
        "companies": settings,
        "documents": documents,
        "moves": entries,
    }
    return json.loads(json.dumps(data, default=str))  # as the baseline file holds it (lists, text keys)
