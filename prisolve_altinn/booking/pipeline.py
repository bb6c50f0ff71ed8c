# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Parse and book ledger documents: every document in one batch, or one by one when the batch fails.

``book_documents`` is the one way documents are booked (the booking cron, the hand-over after a fetch, the
Book button): in the company's language, every document ends imported, duplicate, to read (a letter) or
failed with its error, and the responsible person hears of failures and letters. ``process`` holds the one
"together, then one by one" fallback: one document's failure never stops the others, and a document
another transaction holds is left for a later run.
"""

import logging

from markupsafe import Markup
from psycopg2 import errors as pg_errors
from psycopg2.extensions import TransactionRollbackError

from odoo.exceptions import UserError, ValidationError

from ..altinn.parsers import DOC_MVA_RETURN, DOC_OTHER, DOC_VAT_PAYMENT, ParseError, parse_files
from ..exceptions import AltinnBookingRefusal
from ..services import failures
from ..services.texts import in_company_lang, render
from .batch import BookingBatch
from .context import Booking, Outcome, summary_of
from .registry import booker

_logger = logging.getLogger(__name__)


def bookable(documents):
    return documents.filtered(lambda d: d.state in ("new", "failed") and not d.incomplete)


def book_documents(documents):
    """Book these documents of one company as one batch, in the company's language; each document's
    failure stays on it and reaches the responsible person, and each letter gets its "read the letter"
    activity. Returns the documents left for a later run (another transaction held them)."""
    company = documents.company_id
    company.ensure_one()
    documents = in_company_lang(documents)
    retried = documents.filtered(lambda d: d.state == "failed")
    later = process(documents)
    fixed = (retried - later).filtered(lambda d: d.state != "failed")
    failures.resolve(fixed, failures.BOOKING, documents.env._("Booked after a new try."))
    after_booking(documents - later)
    return later


def process(documents):
    """Book ``documents`` (those new or failed, complete): together, else one by one. Returns the
    documents left for a later run: another transaction changed them meanwhile (serialization failure,
    deadlock), nothing wrong with them."""
    todo = bookable(documents)
    if len(todo) > 1:
        try:
            with todo.env.cr.savepoint():
                book_together(todo)
            return todo.browse()
        except Exception as exc:
            _logger.log(
                logging.INFO if isinstance(exc, TransactionRollbackError) else logging.WARNING,
                "Altinn: a batch of %s documents failed as a whole; booking them one by one",
                len(todo),
                exc_info=not isinstance(exc, TransactionRollbackError),
            )
    later = todo.browse()
    for doc in todo:
        try:
            process_one(doc)
        except TransactionRollbackError:
            _logger.info("Altinn document %s: concurrent update, left for the next run", doc.id)
            later |= doc
    return later


def after_booking(documents):
    """A document still new was not handled by booking: fail it (visibly) instead of retrying it forever;
    then tell the responsible person about every failure and every letter to read."""
    documents.filtered(lambda d: d.state == "to_read")._altinn_ask_to_read()
    untouched = documents.filtered(lambda d: d.state == "new")
    if untouched:
        untouched.write(
            {
                "state": "failed",
                "error": documents.env._(
                    "The document was not processed. Open it and click Book to try again."
                ),
            }
        )
    users = {}
    for document in documents.filtered(lambda d: d.state == "failed"):
        key = (document.company_id.id, document.create_uid.id)
        if key not in users:
            users[key] = failures.responsible_user(document.company_id, document)
        failures.report(
            document,
            failures.BOOKING,
            [document.error or documents.env._("The document could not be booked.")],
            users[key],
        )


def book_together(documents):
    """Plan every document, then write all their entries, lines and values at once (BookingBatch).

    A document's own failure (unreadable, refused) is planned as its failure; anything else raises and the
    caller books the documents one by one.
    """
    batch = BookingBatch(documents.env)
    parsed = prefetch(documents, batch)
    # What others compute from first: a settlement reads the advance tax planned in the same batch.
    for doc in sorted(documents, key=lambda d: (_priority(parsed.get(d.id)), d.id)):
        plan(doc, batch)
    batch.flush()


def _priority(parsed):
    handler = booker(parsed.doc_type) if parsed is not None else None
    return handler.priority if handler else 0


def prefetch(documents, batch):
    """Parse the documents and ask the database once, per company, for what their bookings will look up."""
    wanted = {}
    parsed_by_id = {}
    for doc in documents:
        try:
            parsed = parsed_files(doc, batch)
        except Exception:  # planning the document reports it
            continue
        parsed_by_id[doc.id] = parsed
        _add_lookups(wanted.setdefault(doc.company_id, _no_lookups()), parsed)
    for company, lookups in wanted.items():
        batch.prefetch(company, **lookups)
    return parsed_by_id


def _no_lookups():
    return {"keys": set(), "slots": set(), "kids": set(), "refs": set()}


def _add_lookups(lookups, parsed):
    for document in [parsed, *parsed.related]:
        handler = booker(document.doc_type)
        if handler:
            for name, values in handler.lookups(document).items():
                lookups[name].update(value for value in values if value)


def process_one(doc):
    """Parse and book one document; whatever goes wrong stays on this document."""
    doc.ensure_one()
    batch = BookingBatch(doc.env)
    try:
        with doc.env.cr.savepoint():
            plan(doc, batch)
            batch.flush()
    except pg_errors.UniqueViolation:
        # Another run booked the same debt at the same moment; booking again shows it as a duplicate.
        set_failed(
            doc,
            in_company_lang(doc).env._(
                "The same claim was being booked by another process at "
                "the same time. Book this document again."
            ),
            **_planned_type(batch, doc),
        )
    except TransactionRollbackError:
        raise  # a concurrent transaction, nothing wrong with the document: the caller retries later
    except Exception as exc:
        _logger.warning("Altinn document %s could not be booked", doc.id, exc_info=True)
        set_failed(
            doc,
            in_company_lang(doc).env._("The document could not be booked: %(error)s", error=exc),
            **_planned_type(batch, doc),
        )


def _planned_type(batch, doc):
    planned = batch.documents.get(doc, {})
    return {"doc_type": planned.get("doc_type"), "summary": planned.get("summary")}


def plan(doc, batch):
    """Parse ``doc`` and plan its booking in ``batch``; a refusal is planned as its failure."""
    doc.ensure_one()
    env = batch.memo(("env", doc.company_id.id), lambda: in_company_lang(doc).env)
    lang = env.lang
    try:
        parsed = parsed_files(doc, batch)
    except ParseError as exc:
        batch.set_values(doc, failed_vals(render(env, exc.message, lang)))
        return
    except Exception as exc:
        _logger.warning("Altinn document %s could not be parsed", doc.id, exc_info=True)
        batch.set_values(doc, failed_vals(env._("The document could not be read: %(error)s", error=exc)))
        return
    summary = summary_of(batch, doc, parsed, env, lang)
    batch.set_values(
        doc,
        {
            "summary": summary,
            "doc_type": parsed.doc_type,
            "period_start": parsed.period_start or False,
            "period_end": parsed.period_end or False,
        },
    )
    mark = batch.mark()
    try:
        vals = book(doc, batch, parsed)
    except (AltinnBookingRefusal, UserError, ValidationError) as exc:
        batch.discard(mark)
        batch.set_values(doc, failed_vals(exc.args[0], parsed.doc_type, summary))
        return
    batch.set_values(doc, {"error": False, **vals})


def parsed_files(doc, batch):
    """The document's files, parsed once per batch."""
    return batch.memo(
        ("parsed", doc.id),
        lambda: parse_files(batch.files(doc), service_code=doc.service_code or None, title=doc.title or None),
    )


def failed_vals(message, doc_type=None, summary=None):
    vals = {"state": "failed", "error": message, "booking_note": False}
    if doc_type:
        vals["doc_type"] = doc_type
    if summary:
        vals["summary"] = summary
    return vals


def set_failed(doc, message, doc_type=None, summary=None):
    doc.write(failed_vals(message, doc_type, summary))


def other_document_vals(doc, parsed):
    """What a document that is not a tax document (a letter) becomes: its one place, kept small on purpose."""
    return {"state": "to_read", "booking_note": False}  # a letter: someone reads it


def check_organisation(ctx):
    """Refuse a document (or a file of it) for another organisation than the company's."""
    own = ctx.company.altinn_org_number
    parsed = ctx.parsed
    for document in [parsed, *parsed.related]:
        other = document.org_number
        if not other or other == own:
            continue
        if not own:
            raise AltinnBookingRefusal(
                ctx._(
                    "The document is for organisation %(org)s, but "
                    "%(company)s has no organisation number; enter "
                    "it on the company's Altinn tab.",
                    org=other,
                    company=ctx.company.display_name,
                )
            )
        raise AltinnBookingRefusal(
            ctx._(
                "The document is for organisation %(org)s, not for %(company)s (%(own)s); nothing is booked.",
                org=other,
                company=ctx.company.display_name,
                own=own,
            )
        )


def book(doc, batch, parsed):
    """Plan the booking of ``parsed`` and its related documents in ``batch``; return the values to write on
    the document."""
    doc.ensure_one()
    if doc.unsent:
        return unsent_vals(doc, batch, parsed)
    if parsed.doc_type == DOC_OTHER:
        return other_document_vals(doc, parsed)
    ctx = Booking(batch, doc, parsed, Outcome())
    check_organisation(ctx)
    # Alone, one query for everything it looks up; in a batch this was asked already (no query).
    lookups = _no_lookups()
    _add_lookups(lookups, parsed)
    batch.prefetch(doc.company_id, **lookups)
    outcome = ctx.outcome
    for document in sorted([parsed, *parsed.related], key=_priority):
        handler = booker(document.doc_type)
        if handler:
            handler.book(ctx if document is parsed else ctx.about(document))
    if outcome.moves:
        state = "imported"
    elif outcome.duplicates and not outcome.informational:
        state = "duplicate"
    else:
        state = "imported"
    notes = list(dict.fromkeys(note for note in outcome.notes if note))
    vals = {"state": state, "booking_note": "\n".join(notes) or False, **outcome.document_vals}
    if outcome.moves:
        vals["move_id"] = outcome.moves[0]  # the first planned is the first created
    if notes:
        batch.post(doc, Markup("<br/>").join(notes))
    replace_drafts(doc, batch, parsed)
    return vals


def unsent_vals(doc, batch, parsed):
    """A form Altinn holds as a draft that was never sent: a draft, not a return. Nothing is booked and no
    VAT check is made; the submitted return of the same period replaces it (``replace_drafts``)."""
    env = batch.memo(("env", doc.company_id.id), lambda: in_company_lang(doc).env)
    submitted = _submitted_returns(doc, batch, parsed)
    if submitted:
        return {"state": "replaced", "booking_note": _replaced_note(env, submitted[0]), "vat_checked": False}
    note = env._(
        "Draft – not submitted: Altinn holds this form as a draft that was never sent. Nothing is booked "
        "and no VAT check is made from it; when the submitted return arrives, this draft is marked as "
        "replaced by it."
    )
    summary = env._(
        "Draft – not submitted: %(summary)s", summary=summary_of(batch, doc, parsed, env, env.lang)
    )
    return {"state": "unsent", "booking_note": note, "summary": summary, "vat_checked": False}


def _is_return_of(vals, doc_type, start, end):
    return (
        vals.get("doc_type") == doc_type
        and vals.get("period_start") == start
        and vals.get("period_end") == end
    )


def _submitted_returns(draft, batch, parsed):
    """The submitted returns (or receipts) of the draft's period, booked before or planned in ``batch``."""
    if parsed.doc_type != DOC_MVA_RETURN or not parsed.period_start:
        return []
    start, end = parsed.period_start, parsed.period_end
    planned = [
        doc
        for doc, vals in batch.documents.items()
        if vals.get("state") not in (None, "failed")
        and any(_is_return_of(vals, kind, start, end) for kind in (DOC_MVA_RETURN, DOC_VAT_PAYMENT))
        and doc != draft
        and doc.company_id == draft.company_id
        and not doc.unsent
    ]
    stored = draft.search(
        [
            ("company_id", "=", draft.company_id.id),
            ("unsent", "=", False),
            ("state", "in", ("imported", "duplicate")),
            ("doc_type", "in", (DOC_MVA_RETURN, DOC_VAT_PAYMENT)),
            ("period_start", "=", start),
            ("period_end", "=", end),
        ],
        limit=1,
    )
    return planned + list(stored)


def _replaced_note(env, submitted):
    return env._(
        "Replaced by the submitted return: %(document)s. This draft was never sent; nothing was booked "
        "from it.",
        document=submitted.display_name,
    )


def replace_drafts(doc, batch, parsed):
    """The submitted VAT return (or its receipt) of a period replaces the drafts of that period."""
    if parsed.doc_type not in (DOC_MVA_RETURN, DOC_VAT_PAYMENT) or not parsed.period_start:
        return
    period = (parsed.period_start, parsed.period_end)
    # A draft the batch replaced already (the period's return and its receipt together) is replaced once.
    drafts = [
        draft
        for draft in _stored_drafts(doc, batch).get(period, ())
        if draft != doc and batch.documents.get(draft, {}).get("state") != "replaced"
    ]
    # Drafts planned in this batch before it (their state is not written yet); the state is asked first,
    # it rules out nearly every document of a batch without reading a field.
    drafts += [
        draft
        for draft, vals in batch.documents.items()
        if vals.get("state") == "unsent"
        and _is_return_of(vals, DOC_MVA_RETURN, *period)
        and draft != doc
        and draft.company_id == doc.company_id
        and draft not in drafts
    ]
    env = batch.memo(("env", doc.company_id.id), lambda: in_company_lang(doc).env)
    for draft in drafts:
        note = _replaced_note(env, doc)
        batch.set_values(draft, {"state": "replaced", "booking_note": note})
        batch.post(draft, note)


def _stored_drafts(doc, batch):
    """The company's stored drafts (never sent) by VAT period: one query per batch, not one per return."""

    def by_period():
        drafts = {}
        for draft in doc.search([("company_id", "=", doc.company_id.id), ("state", "=", "unsent")]):
            drafts.setdefault((draft.period_start, draft.period_end), []).append(draft)
        return drafts

    return batch.memo(("unsent drafts", doc.company_id.id), by_period)
