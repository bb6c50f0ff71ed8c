# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Documents booked together: planned one by one, written with one ``create`` per model.

Creating journal entries is most of the cost of booking, and ``account.move.create`` of a whole list costs a
fraction per entry of one call per entry. So the bookers do not write while they work through a document:
they add planned entries, document lines and document values to a ``BookingBatch``, which writes everything
at the end. Planned lines are visible to the later documents of the same batch (a debt two documents of one
batch bring is still booked once). A document whose booking is refused is taken out of the batch again
(``mark``/``discard``) and only its failure is written.

The batch also knows what is already booked: ``prefetch`` asks the database once for every line the
documents' debts and keys could find, and ``DebtLedger`` answers from those and the planned lines.
"""

import logging
from collections import defaultdict
from datetime import date

from odoo import models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..altinn.parsers.base import CAT_OTHER
from ..services.chatter import post_note
from ..services.texts import in_company_lang

_logger = logging.getLogger(__name__)


class PendingMove:
    """A planned journal entry; ``record`` is the ``account.move`` once the batch is written."""

    __slots__ = ("vals", "vouchers", "record")

    def __init__(self, vals, vouchers):
        self.vals = vals
        self.vouchers = vouchers  # ledger attachments the entry gets a copy of
        self.record = None

    @property
    def display_name(self):
        # Before it exists the entry is known by its reference, which is what a note about it needs.
        return self.record.display_name if self.record else self.vals.get("ref") or ""


class PendingLine:
    """A planned ``altinn.document.line``; reads like a stored one to the lookups (same attribute names)."""

    __slots__ = ("vals", "document", "record")

    def __init__(self, vals, document):
        self.vals = vals
        self.document = document
        self.record = None

    def __getattr__(self, name):
        if name == "document_id":
            return self.document
        if name in ("amount", "booked_amount"):
            return self.vals.get(name) or 0.0
        if name in LINE_FIELDS:
            return self.vals.get(name) or False
        raise AttributeError(name)


# The line fields the lookups read, on stored and planned lines alike.
LINE_FIELDS = (
    "kind",
    "state",
    "booking_key",
    "debt_key",
    "debt_slot",
    "kid",
    "claim_ref",
    "amount",
    "booked_amount",
    "document_date",
    "move_id",
    "document_id",
)


def resolve(value):
    """The database id behind a planned or real record (``False`` for nothing)."""
    if isinstance(value, PendingMove | PendingLine):
        return value.record.id if value.record else False
    if isinstance(value, models.BaseModel):
        return value.id
    return value or False


def stored_lines(Line, company, keys, slots, kids, refs):
    """The ``altinn.document.line`` records (``Line``: the model, in the caller's environment) of ``company``
    with one of these booking keys, debt slots, KIDs (of a debt) or claim references, and every other line
    of the debts they belong to, with ``LINE_FIELDS`` read; one query for a batch."""
    Line.flush_model(["company_id", "booking_key", "debt_key", "debt_slot", "kid", "claim_ref"])
    Line.env.cr.execute(
        SQL(
            """WITH hit AS (
                   SELECT id, debt_key FROM altinn_document_line
                    WHERE company_id = %(company)s
                      AND (booking_key = ANY(%(keys)s::varchar[])
                           OR debt_slot = ANY(%(slots)s::varchar[])
                           OR (kid = ANY(%(kids)s::varchar[]) AND debt_key IS NOT NULL)
                           OR claim_ref = ANY(%(refs)s::varchar[])))
               SELECT id FROM altinn_document_line
                WHERE company_id = %(company)s
                  AND (id IN (SELECT id FROM hit) OR debt_key IN (SELECT debt_key FROM hit))
             ORDER BY id""",
            company=company.id,
            keys=list(keys),
            slots=list(slots),
            kids=list(kids),
            refs=list(refs),
        )
    )
    lines = Line.browse(row[0] for row in Line.env.cr.fetchall())
    lines.fetch(LINE_FIELDS)
    return lines


class DebtLedger:
    """What one company has booked (stored and planned lines), found by booking key, debt and payment."""

    def __init__(self):
        self.lines = []  # every line known, in the order they were found or planned
        self._index()

    def _index(self):
        self.by_key = {}  # booking_key -> the line that booked it
        self.by_debt = defaultdict(list)  # debt_key -> its lines, in order
        self.by_ref = {}  # claim_ref -> debt_key
        self.by_kid = {}  # (category, KID) -> debt_key
        self.by_slot = defaultdict(dict)  # "category:due date" -> {debt_key: None}, in order
        for line in self.lines:
            self._add_to_index(line)

    def add(self, line):
        self.lines.append(line)
        self._add_to_index(line)

    def _add_to_index(self, line):
        if line.booking_key and line.state == "booked":
            self.by_key.setdefault(line.booking_key, line)
        debt_key = line.debt_key
        if not debt_key:
            return
        self.by_debt[debt_key].append(line)
        if line.claim_ref:
            self.by_ref.setdefault(line.claim_ref, debt_key)
        if line.debt_slot:
            if line.kid:
                self.by_kid.setdefault((category_of(line.debt_slot), line.kid), debt_key)
            self.by_slot[line.debt_slot].setdefault(debt_key)

    def forget(self, lines):
        """Drop ``lines`` (planned, then discarded) from every index."""
        dropped = {id(line) for line in lines}
        if dropped & {id(line) for line in self.lines}:
            self.lines = [line for line in self.lines if id(line) not in dropped]
            self._index()


def slot_of(category, due):
    return f"{category}:{due.isoformat() if isinstance(due, date) else due}"


def category_of(slot):
    return slot.partition(":")[0] or CAT_OTHER


class BookingBatch:
    """Planned entries, lines and document values of documents booked together."""

    def __init__(self, env):
        self.env = env
        self.moves = []
        self.lines = []
        self.documents = {}  # document -> values to write
        self.messages = []  # (document, body)
        # (entry or PendingMove, ledger attachments): the readable voucher of a debt that another document
        # booked, given to its entry when it has none (``add_vouchers``).
        self.extra_vouchers = []
        self._memo = {}
        self._files = {}  # ledger attachment id -> its AltinnFile, as read for this batch
        self._ledgers = defaultdict(DebtLedger)  # company id -> DebtLedger
        self._asked = defaultdict(set)  # company id -> {("key"|"slot"|"kid"|"ref", value)} asked already
        self._stored = defaultdict(set)  # company id -> ids of the stored lines in its ledger

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
        return [file for _attachment, file in self.stored_files(document)]

    def stored_files(self, document):
        """The document's (ledger attachment, ``AltinnFile``) pairs, read once per batch."""
        return self.memo(("files", document.id), lambda: self._keep_files(document._altinn_stored_files()))

    def _keep_files(self, stored_files):
        # The entries' copies of these attachments are made of the files read here (``_copy_attachments``).
        self._files.update((attachment.id, file) for attachment, file in stored_files)
        return stored_files

    def add_move(self, vals, vouchers=()):
        """Plan an entry; ``vouchers``: the ledger attachments it gets a copy of."""
        move = PendingMove(vals, list(vouchers))
        self.moves.append(move)
        return move

    def add_line(self, document, vals):
        line = PendingLine(vals, document)
        self.lines.append(line)
        self._ledgers[document.company_id.id].add(line)
        return line

    def set_values(self, document, vals):
        self.documents.setdefault(document, {}).update(vals)

    def post(self, document, body):
        self.messages.append((document, body))

    def add_vouchers(self, move, attachments):
        """Give ``move`` (an entry or a planned one) ``attachments`` too, if it has no readable voucher (PDF)
        yet when the batch is written: the voucher of a debt follows the debt, whichever document booked
        it."""
        if move and attachments:
            self.extra_vouchers.append((move, list(attachments)))

    def mark(self):
        return len(self.moves), len(self.lines), len(self.messages)

    def discard(self, mark):
        """Forget what was planned since ``mark`` (a document whose booking was refused halfway)."""
        moves, lines, messages = mark
        dropped = self.lines[lines:]
        del self.moves[moves:]
        del self.lines[lines:]
        del self.messages[messages:]
        for ledger in self._ledgers.values():
            ledger.forget(dropped)

    # ------------------------------------------------------------------
    # What is booked already
    # ------------------------------------------------------------------
    def prefetch(self, company, *, keys=(), slots=(), kids=(), refs=()):
        """Load, with one query, the stored lines these booking keys, debt slots, KIDs and claim references
        could find, and every line of the debts they belong to. Asked values are not asked again."""
        asked = self._asked[company.id]
        wanted = {
            "key": {k for k in keys if k and ("key", k) not in asked},
            "slot": {s for s in slots if s and ("slot", s) not in asked},
            "kid": {k for k in kids if k and ("kid", k) not in asked},
            "ref": {r for r in refs if r and ("ref", r) not in asked},
        }
        if not any(wanted.values()):
            return
        for kind, values in wanted.items():
            asked.update((kind, value) for value in values)
        stored = stored_lines(
            self.env["altinn.document.line"],
            company,
            wanted["key"],
            wanted["slot"],
            wanted["kid"],
            wanted["ref"],
        )
        ledger, stored_ids = self._ledgers[company.id], self._stored[company.id]
        for line in stored:
            if line.id not in stored_ids:
                stored_ids.add(line.id)
                ledger.add(line)

    def ledger(self, company):
        return self._ledgers[company.id]

    def planned_balance(self, company, account, date_from=None, date_to=None):
        """Debit minus credit on ``account`` of the entries planned in this batch between the dates."""
        total = 0.0
        for move in self.moves:
            vals = move.vals
            if vals["company_id"] != company.id:
                continue
            if (date_from and vals["date"] < date_from) or (date_to and vals["date"] > date_to):
                continue
            for command in vals["line_ids"]:
                line = command[2]
                if line["account_id"] == account.id:
                    total += line["debit"] - line["credit"]
        return total

    # ------------------------------------------------------------------
    # Writing
    # ------------------------------------------------------------------
    def flush(self):
        """Write the batch: entries, their files, the document lines, then the documents."""
        self._create_moves()
        self._attach_files()
        self._create_lines()
        # After the lines: posting a placed payment settles its debt, found through them.
        self._post_certain()
        for document, vals in self.documents.items():
            # No tracking message per document: the entries, lines and notes are its history.
            document.with_context(tracking_disable=True).write(
                {name: resolve(value) for name, value in vals.items()}
            )
        for document, body in self.messages:
            post_note(document, body)

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

    def _post_certain(self):
        """Post the entries the addon is sure of, for the companies that asked for it; an entry Odoo refuses
        to post (a lock date, a closed period) stays a draft and says why."""
        certain = self.env["account.move"]
        for move in self.moves:
            record = move.record
            if record.altinn_review_reason or not record.company_id.altinn_post_certain:
                continue
            if record.company_id._get_violated_lock_dates(move.vals["date"], False, record.journal_id):
                # Posting would move the entry out of its period (Odoo's lock-date rule): a person decides.
                record.altinn_review_reason = in_company_lang(record).env._(
                    "Its date %(date)s is in a locked period; posting would move it to another date.",
                    date=move.vals["date"],
                )
                continue
            certain |= record
        if not certain:
            return
        try:
            with self.env.cr.savepoint():
                certain._post(soft=False)
            return
        except (UserError, ValidationError) as exc:
            _logger.info(
                "Altinn: posting %s entries together failed (%s); posting them one by one", len(certain), exc
            )
        for record in certain:
            try:
                with self.env.cr.savepoint():
                    record._post(soft=False)
            except (UserError, ValidationError) as exc:
                record.altinn_review_reason = in_company_lang(record).env._(
                    "Odoo refused to post it: %(error)s", error=exc.args[0]
                )

    def _attach_files(self):
        """Give each entry a copy of its vouchers, and the readable voucher of a debt another document booked
        (``add_vouchers``): one ``ir.attachment.create`` for the batch."""
        copies = [(move.record, attachment) for move in self.moves for attachment in move.vouchers]
        copies += self._extra_voucher_copies(copies)
        self._copy_attachments(copies)

    def _extra_voucher_copies(self, planned):
        """The readable voucher (PDF) of a debt for the entry that booked it from another document (a claims
        list, a receipt without its PDF): once, when the entry has no PDF yet (stored, or among the
        ``planned`` copies), with the document's data files it does not hold. (entry, attachment) pairs."""
        targets = []
        for target, attachments in self.extra_vouchers:
            move = target.record if isinstance(target, PendingMove) else target
            if move and any(a.mimetype == "application/pdf" for a in attachments):
                targets.append((move, attachments))
        if not targets:
            return []
        held = defaultdict(list)  # entry id -> (mimetype, checksum) of each file it holds or gets now
        # sudo: which files the entries hold decides only what to copy; the copies check access themselves.
        for attachment in (
            self.env["ir.attachment"]
            .sudo()
            .search_fetch(
                [("res_model", "=", "account.move"), ("res_id", "in", list({m.id for m, _a in targets}))],
                ["res_id", "mimetype", "checksum"],
            )
        ):
            held[attachment.res_id].append((attachment.mimetype, attachment.checksum))
        for move, attachment in planned:
            held[move.id].append((attachment.mimetype, attachment.checksum))
        copies = []
        for move, attachments in targets:
            if any(mimetype == "application/pdf" for mimetype, _checksum in held[move.id]):
                continue
            have = {checksum for _mimetype, checksum in held[move.id]}
            added = [(move, attachment) for attachment in attachments if attachment.checksum not in have]
            held[move.id] += [(attachment.mimetype, attachment.checksum) for _move, attachment in added]
            copies += added
        return copies

    def _copy_attachments(self, copies):
        """The entries' copies of ledger attachments (``copies``: (entry, attachment) pairs), with one
        ``ir.attachment.create``: each what uploading the file to the entry makes (its name, the mimetype
        Altinn gave it, its content), seen by every module that extends ``create``. The content is the one
        the batch read to parse the document (not read from the filestore again); the filestore keeps one
        file per content, so the copy shares the ledger's stored file."""
        if not copies:
            return
        entries = self.env["account.move"].browse(list(dict.fromkeys(move.id for move, _a in copies)))
        entries.check_access("write")  # what ir.attachment.create asks of a record it attaches to
        vals_list = []
        for move, attachment in copies:
            file = self._files.get(attachment.id)
            vals_list.append(
                {
                    "name": attachment.name,
                    "raw": file.data if file else attachment.raw,
                    "mimetype": file.mimetype if file else attachment.mimetype,
                    "res_model": "account.move",
                    "res_id": move.id,
                    "company_id": move.company_id.id,
                }
            )
        # sudo: ir.attachment's own check would ask the same (write access on the entry) for each entry
        # apart, two queries an entry; it is asked above once for the batch. The booking user stays the
        # author and Odoo's rule on XML for users who may not edit views still applies to them. No image
        # post-processing: the voucher is the file Altinn sent, byte for byte, as the ledger keeps it.
        self.env["ir.attachment"].sudo().with_context(image_no_postprocess=True).create(vals_list)

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
        records = self.env["altinn.document.line"]._altinn_insert(vals_list)
        for line, record in zip(self.lines, records, strict=True):
            line.record = record
        for line in later:
            line.record.duplicate_of_id = resolve(line.vals["duplicate_of_id"])
