# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL

from ..altinn.parsers import accounts as acc
from ..exceptions import AltinnBookingRefusal

# The lines that state a debt (its payments are lines of their own).
DEBT_KINDS = ("vat_payment", "claim", "instalment", "correction")


class AltinnDocumentLine(models.Model):
    """What a document said, line by line: debts (VAT terms, instalments, claims), payments, VAT figures, the
    settlement's computation.

    A line that produced a journal entry carries a ``booking_key`` that is unique per company for good: the
    same debt is never booked twice, whichever document or transport brings it again, even after its draft
    entry was deleted. The lines of one debt share its ``debt_key`` (docs/DESIGN-NOTES.md, "Debt identity
    and booking"); its slot, KID and claim reference find it again.
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
            ("correction", "Correction"),
        ],
        required=True,
        readonly=True,
    )
    state = fields.Selection(
        [
            ("booked", "Entry made"),
            ("duplicate", "Already booked"),
            ("recorded", "Recorded"),
            ("skipped", "Not booked"),
        ],
        required=True,
        default="recorded",
        readonly=True,
    )
    # What is true of the line now, for a person: "booked" says posted to an accountant, but booking makes
    # drafts; the entry's own state decides.
    status = fields.Selection(
        [
            ("draft", "Draft entry created"),
            ("posted", "Posted"),
            ("cancel", "Entry cancelled"),
            ("removed", "Entry deleted"),
            ("duplicate", "Already in an entry"),
            ("recorded", "Recorded"),
            ("skipped", "Not booked"),
        ],
        compute="_compute_status",
        help="Draft entry created: the entry waits for an accountant to check and post it. Posted: it is in "
        "the accounts. Already in an entry: another document's entry holds it.",
    )
    name = fields.Char(string="Description", readonly=True)
    identifier = fields.Char(
        readonly=True,
        index=True,
        help="Claim identifier, payment identifier or VAT term as Skatteetaten sends it.",
    )
    booking_key = fields.Char(string="Booking key", readonly=True, copy=False, index=True)
    debt_key = fields.Char(
        string="Debt", readonly=True, copy=False, index=True, help="The same for every line of one debt."
    )
    debt_slot = fields.Char(
        string="Debt slot", readonly=True, copy=False, index=True, help="Category and due date of the debt."
    )
    claim_ref = fields.Char(
        string="Claim reference",
        readonly=True,
        index=True,
        help="Skatteetaten's identifier of the claim's due date (kravforfallsidentifikator), once seen.",
    )
    category = fields.Char(readonly=True)
    period = fields.Char(readonly=True, help="VAT term, income year or claim period as the document says it.")
    document_date = fields.Date(
        string="Document date", readonly=True, help="The date of the document this line comes from."
    )
    amount = fields.Monetary(readonly=True, help="Positive: the company pays; negative: til gode.")
    booked_amount = fields.Monetary(
        string="Amount in entry",
        readonly=True,
        help="What this line's journal entry booked (a correction: the difference).",
    )
    open_amount = fields.Monetary(string="Open amount", readonly=True)
    due_date = fields.Date(readonly=True)
    payment_date = fields.Date(readonly=True)
    kid = fields.Char(string="KID", readonly=True, index=True)
    refund_kid = fields.Char(
        string="Refund KID", readonly=True, help="The company's own KID for receiving a refund (MVA-melding)."
    )
    bank_account = fields.Char(string="Bank account", readonly=True)
    account_code = fields.Char(string="Account", readonly=True)
    move_id = fields.Many2one(
        "account.move", string="Journal entry", readonly=True, ondelete="set null", check_company=True
    )
    duplicate_of_id = fields.Many2one(
        "altinn.document.line", string="Booked by", readonly=True, ondelete="set null"
    )
    note = fields.Char(readonly=True)
    debt_open_amount = fields.Monetary(
        string="Open in Odoo",
        compute="_compute_debt_standing",
        help="What is still open of this line's debt in Odoo: its entries on the payable to Skatteetaten and "
        "the refund receivable (drafts included) less what is reconciled with them. Negative: to be "
        "refunded.",
    )
    debt_status = fields.Selection(
        [("open", "Open"), ("overdue", "Overdue"), ("paid", "Paid"), ("refund", "To be refunded")],
        string="Debt status",
        compute="_compute_debt_standing",
    )

    @api.depends("state", "move_id.state")
    def _compute_status(self):
        for line in self:
            if line.state != "booked":
                line.status = line.state
            elif not line.move_id:
                line.status = "removed"
            else:
                line.status = line.move_id.state

    def init(self):
        # The idempotency guarantee, also under concurrent runs.
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS altinn_document_line_booking_key_uniq "
            "ON altinn_document_line (company_id, booking_key) WHERE booking_key IS NOT NULL"
        )

    @api.model
    def _altinn_insert(self, vals_list):
        """The lines of a booking batch as ``create`` makes them, with one INSERT.

        The generic create cost about 0.6 ms a line (a new record per amount to find a currency, the
        related company computed and written by a second UPDATE, defaults per row), more than parsing and
        planning the document. The rows get what create gives them: the model's defaults (read once), the
        document's company, each value converted as the ORM converts it (NULL for a field not given), the
        same access check (rules included) and company check. Nothing else depends on the lines in stored
        fields; the documents' cached ``line_ids`` are dropped."""
        if not vals_list:
            return self.browse()
        self.check_access("create")
        documents = self.env["altinn.document"].browse({vals["document_id"] for vals in vals_list})
        company_of = {document.id: document.company_id for document in documents.sudo()}
        columns = [
            field
            for name, field in self._fields.items()
            if field.store and field.column_type and name not in models.MAGIC_COLUMNS
        ]
        # The company is the document's, written below; create would compute any other stored computed field
        # (one another module adds, say): a row without its value is not the row create makes.
        computed = [field.name for field in columns if field.compute and field.name != "company_id"]
        if computed:
            raise NotImplementedError(
                f"Computed line fields not written by _altinn_insert: {', '.join(computed)}"
            )
        names = {field.name for field in columns}
        defaults = self.default_get(list(names))
        rows = []
        for vals in vals_list:
            if not vals.keys() <= names:  # create would write them another way: never drop one silently
                raise ValueError(f"Not stored line fields: {', '.join(sorted(vals.keys() - names))}")
            vals = {**defaults, **vals, "company_id": company_of[vals["document_id"]].id}
            rows.append(
                SQL(
                    "(%s, %s, now() at time zone 'UTC', %s, now() at time zone 'UTC')",
                    SQL(", ").join(
                        _column_value(field, vals[field.name]) if field.name in vals else SQL("NULL")
                        for field in columns
                    ),
                    self.env.uid,
                    self.env.uid,
                )
            )
        self.flush_model()
        self.env.cr.execute(
            SQL(
                "INSERT INTO altinn_document_line (%s, create_uid, create_date, write_uid, write_date) "
                "VALUES %s RETURNING id",
                SQL(", ").join(SQL.identifier(field.name) for field in columns),
                SQL(", ").join(rows),
            )
        )
        # VALUES ... RETURNING gives the ids in the order of the rows, as the ORM's own INSERT relies on.
        lines = self.browse([row[0] for row in self.env.cr.fetchall()])
        lines.check_access("create")
        lines._check_company()
        documents.invalidate_recordset(["line_ids", "duplicate_move_ids"])
        return lines

    # ------------------------------------------------------------------
    # Where each debt stands
    # ------------------------------------------------------------------
    def _compute_debt_standing(self):
        """Open amount and status of each line's debt, from its entries (one query per company)."""
        debts = self.filtered(
            lambda line: line.debt_key and line.kind in DEBT_KINDS and line.state != "skipped"
        )
        (self - debts).debt_open_amount = False
        (self - debts).debt_status = False
        today = fields.Date.context_today(self)
        for company in debts.company_id:
            lines = debts.filtered(lambda line, company=company: line.company_id == company)
            open_by_debt = self._altinn_debt_open(company, set(lines.mapped("debt_key")))
            for line in lines:
                amount = open_by_debt.get(line.debt_key, 0.0)
                line.debt_open_amount = amount
                if company.currency_id.is_zero(amount):
                    line.debt_status = "paid"
                elif amount < 0:
                    line.debt_status = "refund"
                elif line.due_date and line.due_date < today:
                    line.debt_status = "overdue"
                else:
                    line.debt_status = "open"

    @api.model
    def _altinn_debt_open(self, company, debt_keys):
        """{debt key: open amount} of ``company``'s debts: minus the residual of their entries' lines on the
        payable and the refund receivable (placed payments included), entries not cancelled."""
        Map = self.env["altinn.account.map"]
        accounts = []
        for role in (acc.ROLE_PAYABLE, acc.ROLE_TAX_RECEIVABLE):
            try:
                accounts.append(Map._altinn_account(company, role).id)
            except AltinnBookingRefusal:
                continue
        if not debt_keys or not accounts:
            return {}
        self.env["account.move.line"].flush_model(
            ["amount_residual", "account_id", "move_id", "parent_state"]
        )
        self.flush_model(["debt_key", "move_id", "company_id"])
        self.env.cr.execute(
            SQL(
                """SELECT d.debt_key, -SUM(aml.amount_residual)
                     FROM (SELECT DISTINCT debt_key, move_id FROM altinn_document_line
                            WHERE company_id = %(company)s AND debt_key = ANY(%(keys)s)
                              AND move_id IS NOT NULL) d
                     JOIN account_move_line aml ON aml.move_id = d.move_id
                    WHERE aml.account_id = ANY(%(accounts)s) AND aml.parent_state != 'cancel'
                 GROUP BY d.debt_key""",
                company=company.id,
                keys=list(debt_keys),
                accounts=accounts,
            )
        )
        return {key: company.currency_id.round(amount or 0.0) for key, amount in self.env.cr.fetchall()}


def _column_value(field, value):
    """``value`` as the ORM's create writes it into ``field``'s column (the field types of this model)."""
    if field.type == "monetary":
        # Unrounded, as create writes it: the currency is related to the company, unknown to the INSERT.
        return SQL("%s", float(value or 0.0))
    if field.type == "integer":
        return SQL("%s", int(value or 0))
    if field.type == "many2one":
        return SQL("%s", value.id if isinstance(value, models.BaseModel) else value or None)
    if field.type in ("char", "selection"):
        return SQL("%s", str(value) if value else None)
    if field.type == "date":
        return SQL("%s", fields.Date.to_date(value) or None)
    raise NotImplementedError(f"{field.name}: {field.type} fields are not written by _altinn_insert")
