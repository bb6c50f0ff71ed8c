"""The one failure path: who is told, how, and when the telling stops.

A failure reaches a person as ONE open activity of a dedicated type per kind (a fetch that failed, a
document that could not be booked) on the record concerned; it is found again by its type, updated while
the failure lasts, and marked done when the work succeeds again. One rule picks the responsible user.
"""

import logging

from markupsafe import Markup, escape

_logger = logging.getLogger(__name__)

FETCH = "prisolve_altinn.mail_activity_type_altinn_fetch_failure"
BOOKING = "prisolve_altinn.mail_activity_type_altinn_failure"
# Not a failure, but the same path: a letter someone must read.
LETTER = "prisolve_altinn.mail_activity_type_altinn_letter"


def responsible_user(company, document=None):
    """Who is told about a failure of ``company`` (and of ``document``): an empty recordset when nobody fits.

    In order: the company's Altinn responsible; who requested the system user in use; who fetched the
    document; an Altinn administrator of the company; a Settings administrator of the company. Always an
    active internal user of the company who may read the Altinn ledger.
    """
    env = company.env
    company = company.sudo()
    Users = env["res.users"].sudo()

    def fits(user):
        return (
            user
            and user.active
            and not user.share
            and company in user.company_ids
            and user.has_group("prisolve_altinn.group_altinn_user")
        )

    system_user = company._altinn_resolve().system_user
    candidates = [
        company.altinn_responsible_user_id,
        system_user.requested_by_id if system_user else Users,
        document.sudo().create_uid if document else Users,
    ]
    for user in candidates:
        if fits(user):
            return user
    for group in ("prisolve_altinn.group_altinn_manager", "base.group_system"):
        domain = [
            ("share", "=", False),
            ("company_ids", "in", company.id),
            ("groups_id", "in", env.ref(group).id),
        ]
        user = next((user for user in Users.search(domain, order="id") if fits(user)), None)
        if user:
            return user
    return Users


def report(record, kind, lines, user):
    """Give ``record`` one open activity of ``kind`` for ``user`` (updated, not repeated, while it fails)."""
    if not user:
        return None
    activity_type = record.env.ref(kind, raise_if_not_found=False)
    if not activity_type:
        return None
    note = Markup("<br/>").join(escape(line) for line in lines if line)
    Activity = record.env["mail.activity"].sudo()
    existing = Activity.search(
        [
            ("res_model", "=", record._name),
            ("res_id", "=", record.id),
            ("activity_type_id", "=", activity_type.id),
        ],
        limit=1,
    )
    try:
        with record.env.cr.savepoint():
            if existing:
                existing.write({"note": note, "user_id": user.id})
                return existing
            return record.sudo().activity_schedule(kind, note=note, user_id=user.id)
    except Exception:  # telling someone must never undo the work it reports on
        _logger.warning("Altinn: no activity for %s %s", record._name, record.id, exc_info=True)
        return None


def resolve(records, kind, feedback):
    """The work succeeded again: the open activities of ``kind`` on ``records`` are done."""
    if not records:
        return
    activity_type = records.env.ref(kind, raise_if_not_found=False)
    if not activity_type:
        return
    activities = (
        records.env["mail.activity"]
        .sudo()
        .search(
            [
                ("res_model", "=", records._name),
                ("res_id", "in", records.ids),
                ("activity_type_id", "=", activity_type.id),
            ]
        )
    )
    if activities:
        activities.action_feedback(feedback=feedback)
