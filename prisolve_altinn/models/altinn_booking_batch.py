# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Documents booked together: planned one by one, written with one ``create`` per model.

Creating journal entries is most of the cost of booking, and ``account.move.create`` of a whole list costs a
fraction per entry of one call per entry. So the builders do not write while they work through a
document: they add planned entries, document lines and document values to a ``BookingBatch``, which
writes everything at the end. Planned lines are visible to the later documents of the same batch, so a
claim that two documents of one batch bring is still booked once. A document whose booking is refused is
taken out of the batch again (``mark``/``discard``) and only its failure is written.
"""

from collections import defaultdict

from odoo import models


class PendingMove:
    """A planned journal entry; ``record`` is the ``account.move`` once the batch is written."""

    __slots__ = ("vals", "files", "record")

    def __init__(self, vals, files):
        self.vals = vals
        self.files = files
        self.record = None

    @property
    def display_name(self):
        # Before it exists the entry is known by its reference, which is what a note about it needs.
        return self.record.display_name if self.record else self.vals.get("ref") or ""


class PendingLine:
    """A planned ``altinn.document.line``; looks like a booked line to the duplicate checks."""

    __slots__ = ("vals", "document", "record")

    def __init__(self, vals, document):
        self.vals = vals
        self.document = document
        self.record = None

    @property
    def document_id(self):
        return self.document

    @property
    def move_id(self):
        return self.vals.get("move_id") or None

    @property
    def amount(self):
        return self.vals.get("amount") or 0.0


def resolve(value):
    """The database id behind a planned or real record (``False`` for nothing)."""
    if isinstance(value, PendingMove | PendingLine):
        return value.record.id if value.record else False
    if isinstance(value, models.BaseModel):
        return value.id
    return value or False


class BookingBatch:
    """Planned entries, lines and document values of documents booked together."""

    def __init__(self, env):
        self.env = env
        self.moves = []
        self.lines = []
        self.documents = {}  # document -> values to write
        self.messages = []  # (document, body)
        self._booked_keys = {}  # (company id, booking key) -> PendingLine
        self._booked_kids = {}  # (company id, KID) -> PendingLine
        self._memo = {}
        self._asked = set()  # (company id, "key"|"kid", value) asked of the database for the whole batch
        self._db_keys = {}  # (company id, booking key) -> booked altinn.document.line
        self._db_kids = {}  # (company id, KID) -> first booked altinn.document.line

    # ------------------------------------------------------------------
    # Planning
    # ------------------------------------------------------------------
    def memo(self, key, compute):
        """``compute()`` once per batch (accounts, partners, journals: the same for every document)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def files(self, document):
        """The document's files (``AltinnFile``), read once per batch: parsed, then attached as voucher."""
        return self.memo(("files", document.id), document._altinn_files)

    def add_move(self, vals, files=()):
        move = PendingMove(vals, list(files))
        self.moves.append(move)
        return move

    def add_line(self, document, vals):
        line = PendingLine(vals, document)
        self.lines.append(line)
        if vals.get("state") == "booked":
            company_id = document.company_id.id
            if vals.get("booking_key"):
                self._booked_keys.setdefault((company_id, vals["booking_key"]), line)
            if vals.get("kid"):
                self._booked_kids.setdefault((company_id, vals["kid"]), line)
        return line

    def booked(self, company, key=None, kid=None):
        """The line planned in this batch that booked ``key`` (or, without a key, this KID)."""
        if key:
            return self._booked_keys.get((company.id, key))
        if kid:
            return self._booked_kids.get((company.id, kid))
        return None

    def prefetch_booked(self, company, keys, kids):
        """Ask the database once for the lines already booked with any of these keys or KIDs."""
        keys, kids = set(keys), set(kids)
        if not keys and not kids:
            return
        for line in self.env["altinn.document.line"]._altinn_booked_all(company, keys, kids):
            if line.booking_key in keys:
                self._db_keys.setdefault((company.id, line.booking_key), line)
            if line.kid in kids and line.state == "booked":
                self._db_kids.setdefault((company.id, line.kid), line)
        self._asked.update((company.id, "key", key) for key in keys)
        self._asked.update((company.id, "kid", kid) for kid in kids)

    def prefetched_booked(self, company, key, kids):
        """The booked line for ``key``/``kids`` from the prefetch (the key first, then the KIDs in order),
        an empty recordset when none is booked, ``None`` when any of them was not prefetched."""
        asked = [(company.id, "key", key)] if key else []
        asked += [(company.id, "kid", kid) for kid in kids]
        if not asked or not self._asked.issuperset(asked):
            return None
        if key and (company.id, key) in self._db_keys:
            return self._db_keys[(company.id, key)]
        for kid in kids:
            if (company.id, kid) in self._db_kids:
                return self._db_kids[(company.id, kid)]
        return self.env["altinn.document.line"]

    def set_values(self, document, vals):
        self.documents.setdefault(document, {}).update(vals)

    def post(self, document, body):
        self.messages.append((document, body))

    def mark(self):
        return len(self.moves), len(self.lines), len(self.messages)

    def discard(self, mark):
        """Forget what was planned since ``mark`` (a document whose booking was refused halfway)."""
        moves, lines, messages = mark
        dropped = {id(line) for line in self.lines[lines:]}
        del self.moves[moves:]
        del self.lines[lines:]
        del self.messages[messages:]
        for index in (self._booked_keys, self._booked_kids):
            for key in [key for key, line in index.items() if id(line) in dropped]:
                del index[key]

    # ------------------------------------------------------------------
    # Writing
    # ------------------------------------------------------------------
    def flush(self):
        """Write the batch: entries, their files, the document lines, then the documents."""
        self._create_moves()
        self._attach_files()
        self._create_lines()
        for document, vals in self.documents.items():
            # No tracking message per document: the entries, lines and notes are its history.
            document.with_context(tracking_disable=True).write(
                {name: resolve(value) for name, value in vals.items()}
            )
        for document, body in self.messages:
            document.message_post(body=body)

    def _create_moves(self):
        by_company = defaultdict(list)
        for move in self.moves:
            by_company[move.vals["company_id"]].append(move)
        # The entry says where it comes from (narration, voucher, link to its Altinn document): no generic
        # "created" line in its chatter, and whoever books (often the scheduled action's OdooBot) does not
        # follow every entry it makes.
        Move = self.env["account.move"].with_context(mail_create_nolog=True, mail_create_nosubscribe=True)
        for company_id, moves in by_company.items():
            records = Move.with_company(company_id).create([move.vals for move in moves])
            for move, record in zip(moves, records, strict=True):
                move.record = record

    def _attach_files(self):
        attachments = [
            {
                "name": file.name or "file",
                "raw": file.data,
                "mimetype": file.mimetype or "application/octet-stream",
                "res_model": "account.move",
                "res_id": move.record.id,
                "company_id": move.vals["company_id"],
            }
            for move in self.moves
            for file in move.files
        ]
        if attachments:
            # As the ledger's own files: stored with the mimetype Altinn sent, whoever books.
            self.env["ir.attachment"].sudo().create(attachments)

    def _create_lines(self):
        if not self.lines:
            return
        later = []  # duplicates of a line of this very batch: its id is known only after the create
        vals_list = []
        for line in self.lines:
            vals = {name: resolve(value) for name, value in line.vals.items()}
            if isinstance(line.vals.get("duplicate_of_id"), PendingLine):
                later.append(line)
            vals_list.append(vals)
        records = self.env["altinn.document.line"].create(vals_list)
        for line, record in zip(self.lines, records, strict=True):
            line.record = record
        for line in later:
            line.record.duplicate_of_id = resolve(line.vals["duplicate_of_id"])
