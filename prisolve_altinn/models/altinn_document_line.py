# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL


class AltinnDocumentLine(models.Model):
    """What a document said, line by line: claims, instalments, payments, VAT figures.

    A line that produced a journal entry carries a ``booking_key`` (claim identifier, VAT term, income year…)
    that is unique per company for good: the same claim is never booked twice, whichever document or
    transport brings it again, even after its draft entry was deleted.
    """

    _name = "altinn.document.line"
    _description = "Altinn document line"
    _order = "document_id, sequence, id"
    _check_company_auto = True

    document_id = fields.Many2one(
        "altinn.document", required=True, index=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one(related="document_id.company_id", store=True, index=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    sequence = fields.Integer(default=10)
    kind = fields.Selection(
        [
            ("vat_payment", "VAT to pay or refund"),
            ("vat_return", "VAT return"),
            ("claim", "Claim"),
            ("payment", "Payment"),
            ("instalment", "Advance tax instalment"),
            ("settlement", "Tax settlement"),
        ],
        required=True,
        readonly=True,
    )
    state = fields.Selection(
        [
            ("booked", "Booked"),
            ("duplicate", "Already booked"),
            ("recorded", "Recorded"),
            ("skipped", "Not booked"),
        ],
        required=True,
        default="recorded",
        readonly=True,
    )
    name = fields.Char(string="Description", readonly=True)
    identifier = fields.Char(
        readonly=True,
        index=True,
        help="Claim identifier, payment identifier or VAT term as Skatteetaten sends it.",
    )
    booking_key = fields.Char(string="Booking key", readonly=True, copy=False, index=True)
    category = fields.Char(readonly=True)
    amount = fields.Monetary(readonly=True, help="Positive: the company pays; negative: til gode.")
    open_amount = fields.Monetary(string="Open amount", readonly=True)
    due_date = fields.Date(readonly=True)
    payment_date = fields.Date(readonly=True)
    kid = fields.Char(string="KID", readonly=True, index=True)
    bank_account = fields.Char(string="Bank account", readonly=True)
    account_code = fields.Char(string="Account", readonly=True)
    move_id = fields.Many2one(
        "account.move", string="Journal entry", readonly=True, ondelete="set null", check_company=True
    )
    duplicate_of_id = fields.Many2one(
        "altinn.document.line", string="Booked by", readonly=True, ondelete="set null"
    )
    note = fields.Char(readonly=True)

    def init(self):
        # The idempotency guarantee, also under concurrent runs.
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS altinn_document_line_booking_key_uniq "
            "ON altinn_document_line (company_id, booking_key) WHERE booking_key IS NOT NULL"
        )

    @api.model
    def _altinn_booked(self, company, key=None, kids=()):
        """The booked line of ``company`` with this booking key, else the first one with one of ``kids``.

        One indexed query (booking asks for every claim it books): the key wins, then the KIDs in order.
        """
        kids = [kid for kid in kids if kid]
        if not key and not kids:
            return self.browse()
        self.flush_model(["company_id", "booking_key", "kid", "state"])
        self.env.cr.execute(
            SQL(
                """SELECT id FROM altinn_document_line
                    WHERE company_id = %(company)s
                      AND (booking_key = %(key)s OR (kid = ANY(%(kids)s::varchar[]) AND state = 'booked'))
                 ORDER BY (booking_key = %(key)s) IS TRUE DESC, array_position(%(kids)s::varchar[], kid), id
                    LIMIT 1""",
                company=company.id,
                key=key,
                kids=kids,
            )
        )
        row = self.env.cr.fetchone()
        return self.browse(row[0]) if row else self.browse()

    @api.model
    def _altinn_booked_all(self, company, keys, kids):
        """The lines of ``company`` with one of ``keys``, or booked with one of ``kids`` (one query for a
        batch; in the order one by one lookups would find them first)."""
        self.flush_model(["company_id", "booking_key", "kid", "state"])
        self.env.cr.execute(
            SQL(
                """SELECT id FROM altinn_document_line
                    WHERE company_id = %(company)s
                      AND (booking_key = ANY(%(keys)s::varchar[])
                           OR (kid = ANY(%(kids)s::varchar[]) AND state = 'booked'))
                 ORDER BY id""",
                company=company.id,
                keys=list(keys),
                kids=list(kids),
            )
        )
        return self.browse(row[0] for row in self.env.cr.fetchall())
