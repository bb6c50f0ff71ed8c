"""Recording: a transport's items into the ledger (``altinn.document``), one row per item and company.

``record_items`` is what the fetch service does with what a transport yields (the wizard, the scheduled
fetch and the upload alike). It is idempotent: a reference the company already holds (its own, or another
one of the same item: an Altinn 2 archive reference, an Altinn 3 dialog, an upload of the same file) is
known, not recorded again; a row whose download failed earlier is completed. Items are read lazily, a
chunk at a time, and each chunk's new rows are created together (one ``create`` per table, one
savepoint); if that fails, the chunk is recorded item by item so that only the culprit fails. The row keeps
the item's files as ``ir.attachment`` records, made by ``ir.attachment.create`` (so every module's own
create steps see them), with the file's role and Altinn's mimetype in the description.
"""

import dataclasses
import logging
import re
from types import SimpleNamespace

from psycopg2 import errors as pg_errors

from odoo import fields
from odoo.tools import split_every, unique

from ..altinn.types import ROLE_ATTACHMENT, ROLE_BODY, AltinnItem, FetchFailure
from ..altinn.upload import upload_reference
from .chatter import post_note
from .texts import error_message, error_text, to_utc_naive

_logger = logging.getLogger(__name__)

# How a ledger attachment says what it is: the file's role and the mimetype Altinn sent (Odoo stores
# XML/HTML as text/plain for a user who may not edit views), or Altinn's raw description of the item.
ROLE_PREFIX = "altinn_role:"
MIMETYPE_PREFIX = "mimetype:"
RAW_DESCRIPTION = "altinn_raw"
# Altinn 2's archive reference in an element's raw description (``<ArchiveReference>AR5276000</…>``).
ARCHIVE_REFERENCE = re.compile(rb"ArchiveReference>\s*(AR\d+)\s*<")
# Items recorded per chunk: bounded memory, and one create per table for up to this many.
RECORD_CHUNK_SIZE = 100
# Characters a file name cannot hold on Windows (and ":" also not on macOS): a downloaded voucher keeps its
# name.
UNSAFE_FILE_CHARS = re.compile(r'[<>:"/\\|?*]+')


def record_items(documents, company, items):
    """Record ``items`` (AltinnItem | FetchFailure) for ``company`` with ``documents`` (the
    ``altinn.document`` model in the caller's context), idempotently.

    Known references are skipped; an incomplete row (its download failed earlier) is completed. ``items``
    is read lazily, ``RECORD_CHUNK_SIZE`` at a time; one bad item never aborts the others. Returns ``(new,
    known, failures)``: two ``altinn.document`` recordsets and a list of ``FetchFailure``.
    """
    company.ensure_one()
    documents = documents.with_company(company)
    # Ids only: the records of a chunk leave the cache once it is written.
    new_ids, known_ids, failures = [], [], []
    for chunk in split_every(RECORD_CHUNK_SIZE, items):
        outcomes = _record_chunk(documents, company, chunk, failures)
        new_ids += [doc_id for outcome, doc_id in outcomes if outcome == "new"]
        known_ids += [doc_id for outcome, doc_id in outcomes if outcome == "known"]
    return documents.browse(unique(new_ids)), documents.browse(unique(known_ids)), failures


def _record_chunk(documents, company, chunk, failures):
    """Record one chunk of items; returns ``("new" | "known", id)`` in the chunk's order.

    The first sighting of each unknown reference is created in one batch; if the batch fails, it is redone
    one savepoint per item. Known references, incomplete rows and fetch failures take the per-item path
    after the batch, in their order, so a reference seen twice is recorded as before.
    """
    env = documents.env
    # The ledger row is the record of the import: no creation message, follower or tracking.
    recorder = documents.with_context(tracking_disable=True)
    existing = _existing_documents(
        recorder, company, {key for item in chunk for key in (*_item_keys(item), *_content_keys(item))}
    )
    # An item known under another reference (another transport, Altinn's cross-reference), or else by the
    # same document file recorded from another transport, is that row: it gets the item's references too,
    # so it is found directly next time.
    late_aliases, claimed = [], set()
    for item in chunk:
        if item.reference in existing:
            continue
        doc = _match(existing, item) or _match_content(env, existing, item, claimed)
        if doc:
            existing[item.reference] = doc
            claimed.add((doc.id, item.transport))
            late_aliases += [(doc, key, item.transport, "reference") for key in _item_keys(item)]
    outcomes = [None] * len(chunk)
    batched, one_by_one, seen = [], [], set()
    for position, item in enumerate(chunk):
        keys = _item_keys(item)
        unknown = item.reference not in existing and not seen.intersection(keys)
        seen.update(keys)
        (batched if unknown and not isinstance(item, FetchFailure) else one_by_one).append(position)
    if batched:
        created = _create_batch(recorder, company, [chunk[position] for position in batched])
        if created:
            for position, doc in zip(batched, created, strict=True):
                outcomes[position] = ("new", doc.id)
                for key in (*_item_keys(chunk[position]), *_content_keys(chunk[position])):
                    existing.setdefault(key, doc)
        else:
            one_by_one = sorted(batched + one_by_one)
    if late_aliases:
        env["altinn.document.alias"].sudo()._altinn_link(late_aliases)
    lang = env.lang or "en_US"
    for position in one_by_one:
        item = chunk[position]
        if item.reference not in existing and _match(existing, item):
            existing[item.reference] = _match(existing, item)  # an alias created earlier in the chunk
        outcomes[position] = _record_one(recorder, company, item, existing, failures, lang)
    outcomes = [outcome for outcome in outcomes if outcome]
    # Written: the chunk leaves the cache, so memory does not grow with the number of items.
    env.flush_all()
    touched = documents.browse({doc_id for _kind, doc_id in outcomes}).union(*existing.values())
    touched.invalidate_recordset()
    env["ir.attachment"].invalidate_model()
    return outcomes


def known_references(company):
    """References ``company`` already holds complete, its rows' other references included: a transport
    need not download them again."""
    env = company.env
    # A draft not sent is read again: once sent, the same item is the return.
    env["altinn.document"].flush_model(["company_id", "reference", "incomplete", "state"])
    env["altinn.document.alias"].flush_model()
    env.cr.execute(
        """SELECT reference FROM altinn_document
            WHERE company_id = %s AND incomplete IS NOT TRUE AND state != 'unsent'
           UNION
           SELECT alias.reference FROM altinn_document_alias alias
             JOIN altinn_document doc ON doc.id = alias.document_id
            WHERE alias.company_id = %s AND doc.incomplete IS NOT TRUE AND doc.state != 'unsent'""",
        [company.id, company.id],
    )
    return frozenset(row[0] for row in env.cr.fetchall())


def _existing_documents(documents, company, references):
    """The company's rows for ``references``, by reference: their own or another one (two queries)."""
    env = documents.env
    references = list(references)
    env["altinn.document.alias"].flush_model()
    env.cr.execute(
        "SELECT reference, document_id FROM altinn_document_alias "
        "WHERE company_id = %s AND reference = ANY(%s)",
        [company.id, references],
    )
    aliases = dict(env.cr.fetchall())
    domain = [("company_id", "=", company.id), ("reference", "in", references)]
    if aliases:
        domain = ["|", ("id", "in", list(aliases.values())), *domain]
    docs = documents.search_fetch(domain, ["reference", "incomplete", "has_missing_files", "unsent", "state"])
    found = {reference: docs.browse(doc_id) for reference, doc_id in aliases.items()}
    found.update((doc.reference, doc) for doc in docs)
    return found


def _create_batch(documents, company, items):
    """Create new ``items`` in one savepoint; an empty recordset if any of them fails."""
    try:
        with documents.env.cr.savepoint():
            return _create_from_items(documents, company, items)
    except Exception as exc:  # the per-item path finds the culprit and records the others
        _logger.info(
            "Recording %s Altinn items of company %s in one batch failed (%s); recording them one by one",
            len(items),
            company.id,
            exc.__class__.__name__,
        )
        return documents.browse()


def _record_one(documents, company, item, existing, failures, lang):
    """Record one item in its own savepoint; returns ``("new" | "known", id)`` or None if it failed."""
    doc = existing.get(item.reference)
    if doc and doc.unsent and isinstance(item, AltinnItem) and not item.unsent and doc.state == "unsent":
        # The draft was sent meanwhile (the same Altinn 3 dialog, now completed): it is the return now.
        with documents.env.cr.savepoint():
            complete_from_item(doc, item)
        return ("new", doc.id)
    if doc and not doc.incomplete:
        if doc.has_missing_files and isinstance(item, AltinnItem):
            add_late_files(doc, item)  # listed again: what was missing may be readable now
        return ("known", doc.id)
    if isinstance(item, FetchFailure):
        failures.append(item)
        existing[item.reference] = record_failure(
            documents,
            company,
            item.reference,
            item.title,
            error_message(item.error, lang),
            doc,
            raw=getattr(item.error, "raw", None),
        )
        return None
    try:
        with documents.env.cr.savepoint():
            if doc:
                complete_from_item(doc, item)
            else:
                doc = _create_from_items(documents, company, [item])
    except pg_errors.UniqueViolation:
        # A concurrent update recorded it between our search and insert.
        doc = documents.search([("company_id", "=", company.id), ("reference", "=", item.reference)])
        existing[item.reference] = doc
        return ("known", doc.id) if doc else None
    except Exception as exc:  # one bad item must not stop the others
        _logger.warning(
            "Altinn item %s of company %s could not be recorded: %s",
            item.reference,
            company.id,
            exc,
            exc_info=True,
        )
        failures.append(FetchFailure(reference=item.reference, title=item.title or "", error=exc))
        existing[item.reference] = record_failure(
            documents, company, item.reference, item.title, error_message(exc, lang), doc
        )
        return None
    existing[item.reference] = doc
    return ("new", doc.id)


def _match_content(env, existing, item, claimed):
    """The row recorded from another transport that holds one of ``item``'s document files (XML/JSON, byte
    for byte), when no Altinn reference links them (an upload; a notice Altinn 2 sent as a message and
    Altinn 3 as the sender's own dialog). A row takes one item per transport: once an item of this
    transport is linked to it, another one with the same file is a document of its own."""
    if isinstance(item, FetchFailure):
        return None
    Alias = env["altinn.document.alias"].sudo()
    for key in _content_keys(item):
        doc = existing.get(key)
        if not doc or doc.transport == item.transport or (doc.id, item.transport) in claimed:
            continue
        linked = Alias.search_count(
            [("document_id", "=", doc.id), ("source", "=", item.transport), ("kind", "=", "reference")],
            limit=1,
        )
        if not linked:
            return doc
    return None


def item_vals(env, item):
    """The ledger row's values of ``item`` (texts in ``env``'s language)."""
    return {
        **missing_vals(env, item),
        "reference": item.reference,
        "kind": item.kind if item.kind in ("form", "message") else "message",
        "transport": item.transport or "altinn2",
        "reportee": item.reportee,
        "service_code": item.service_code or False,
        "service_edition": item.service_edition or 0,
        "title": item.title or item.reference,
        "sender": item.sender or False,
        "date_created": to_utc_naive(item.created),
        "date_archived": to_utc_naive(item.archived),
        "due_date": item.due_date or False,
        "unsent": bool(getattr(item, "unsent", False)),
    }


def missing_vals(env, item):
    """What the row says about the files of ``item`` that could not be read (in ``env``'s language)."""
    missing = getattr(item, "missing_files", None) or []
    lang = env.lang or "en_US"
    lines = [
        env._(
            "%(file)s: %(reason)s",
            file=file.name,
            reason=error_text(file.error, lang) if file.error is not None else file.reason,
        )
        for file in missing
    ]
    return {"has_missing_files": bool(missing), "missing_files": "\n".join(lines) or False}


def _create_from_items(documents, company, items):
    """Create the rows of new ``items``, their files and other references: one create per table."""
    env = documents.env
    docs = documents.create(
        [{**item_vals(env, item), "company_id": company.id, "state": "new"} for item in items]
    )
    attach_items(docs, items)
    aliases = [
        (doc, key, item.transport, kind)
        for doc, item in zip(docs, items, strict=True)
        for kind, keys in (("reference", _item_keys(item)), ("content", _content_keys(item)))
        for key in keys
    ]
    env["altinn.document.alias"].sudo()._altinn_link(aliases)
    return docs


def complete_from_item(doc, item: AltinnItem):
    """Complete the row ``doc`` (its download failed earlier, or a draft now sent) from ``item``."""
    doc.ensure_one()
    doc.attachment_ids.unlink()
    vals = item_vals(doc.env, item)
    if item.reference != doc.reference:
        # Completed by the same item from another transport: the row keeps its reference.
        del vals["reference"], vals["transport"]
    doc.write({**vals, "state": "new", "error": False, "incomplete": False})
    attach_items(doc, [item])
    doc.env["altinn.document.alias"].sudo()._altinn_link(
        [(doc, key, item.transport, "reference") for key in _item_keys(item)]
    )


def add_late_files(doc, item: AltinnItem):
    """The item read again (``Transport.fetch_item`` or listed again): keep the files that were missing and
    are readable now, note what is still missing, and book again when the first booking had no entry to
    make. Returns the attachments added."""
    doc.ensure_one()
    env = doc.env
    have = set(doc.attachment_ids.mapped("checksum"))
    late = [file for file in item.files if env["ir.attachment"]._compute_checksum(file.data) not in have]
    vals = {**missing_vals(env, item), "missing_checked_at": fields.Datetime.now()}
    if not vals["has_missing_files"]:
        vals["missing_retry_count"] = 0
    added = env["ir.attachment"]
    if late:
        added = attach_items(doc, [dataclasses.replace(item, files=late, raw=None)])
        rebook = not (doc.move_id or doc.move_ids) and (
            doc.state in ("new", "failed") or (doc.state == "ignored" and doc.doc_type in (False, "other"))
        )
        if rebook:
            vals.update(state="new", error=False)
    doc.write(vals)
    if late:
        post_note(
            doc,
            env._(
                "Files that could not be read before were fetched now: %(files)s",
                files=", ".join(added.mapped("name")),
            ),
        )
    return added


def attach_items(docs, items):
    """Keep the files and raw descriptions of ``items`` (one per record of ``docs``) with one
    ``ir.attachment.create``; returns the attachments."""
    vals_list = [vals for doc, item in zip(docs, items, strict=True) for vals in attachment_vals(doc, item)]
    if not vals_list:
        return docs.env["ir.attachment"]
    docs.check_access("write")  # the files are created as superuser: the documents' own rights decide
    attachments = ledger_attachments(docs.env).create(vals_list)
    for vals, attachment in zip(vals_list, attachments, strict=True):
        if vals["description"] == RAW_DESCRIPTION:
            # Differing values of many rows are still flushed as one UPDATE.
            docs.browse(vals["res_id"]).sudo().raw_attachment_id = attachment
    docs.invalidate_recordset(["attachment_ids"])
    return attachments.sudo(False)


def ledger_attachments(env):
    """``ir.attachment`` to keep Altinn's files with: as superuser (the caller checked write access on the
    documents), byte for byte (Odoo would shrink a large image; the ledger keeps what Altinn sent)."""
    return env["ir.attachment"].sudo().with_context(image_no_postprocess=True)


def attachment_vals(doc, item: AltinnItem):
    """The ir.attachment values of the item's files, then of its raw description if any."""
    doc.ensure_one()
    base = {"res_model": doc._name, "res_id": doc.id, "company_id": doc.company_id.id}
    vals_list = []
    for file in item.files:
        mimetype = file.mimetype or "application/octet-stream"
        vals_list.append(
            {
                **base,
                "name": safe_file_name(file.name or "file"),
                "raw": file.data,
                "mimetype": mimetype,
                "description": f"{ROLE_PREFIX}{file.role or ROLE_ATTACHMENT} {MIMETYPE_PREFIX}{mimetype}",
            }
        )
    if item.raw:
        is_json = item.raw.lstrip()[:1] in (b"{", b"[")
        vals_list.append(
            {
                **base,
                "name": safe_file_name(f"altinn-{item.reference}.{'json' if is_json else 'xml'}"),
                "raw": item.raw,
                "mimetype": "application/json" if is_json else "application/xml",
                "description": RAW_DESCRIPTION,
            }
        )
    return vals_list


def record_failure(documents, company, reference, title, message, doc=None, raw=None):
    """Leave a visible, retryable 'failed' row; never let this raise. ``raw``: the answer Altinn sent for
    the item when it broke Altinn's contract, kept on the row for support."""
    vals = {"state": "failed", "error": message, "incomplete": True}
    try:
        with documents.env.cr.savepoint():
            if doc:
                doc.write(vals)
            else:
                doc = documents.create(
                    {
                        **vals,
                        "company_id": company.id,
                        "reference": reference,
                        "title": title or reference,
                        "reportee": company.altinn_org_number,
                    }
                )
            if raw:
                ledger_attachments(documents.env).create(
                    {
                        "name": f"altinn-{reference}-answer.json",
                        "res_model": documents._name,
                        "res_id": doc.id,
                        "company_id": company.id,
                        "raw": raw,
                        "mimetype": "application/json",
                    }
                )
            return doc
    except Exception:
        _logger.warning("Could not record the failure of Altinn item %s", reference, exc_info=True)
        return doc or documents.browse()


def backfill_references(docs):
    """Give rows recorded before references were kept (18.0.1.2.0) what recording now keeps: the content
    keys of their document files and, for Altinn 2 rows, the ArchiveReference in their raw description."""
    rows = []
    for doc in docs:
        item = SimpleNamespace(reference=doc.reference, files=doc._altinn_files())
        rows += [(doc, key, doc.transport, "content") for key in _content_keys(item)]
        raw = doc.raw_attachment_id.raw if doc.transport == "altinn2" and doc.raw_attachment_id else b""
        match = ARCHIVE_REFERENCE.search(raw or b"")
        if match:
            rows.append((doc, match.group(1).decode("ascii"), "altinn2", "reference"))
    docs.env["altinn.document.alias"].sudo()._altinn_link(rows)


def safe_file_name(name):
    """``name`` as any system can name a file: "altinn-dialog:7b3d.json" → "altinn-dialog-7b3d.json"."""
    return UNSAFE_FILE_CHARS.sub("-", name).strip(" .") or "file"


def _item_keys(item):
    """Every reference ``item`` may be known by: its own, then the other references Altinn gives it."""
    keys = [item.reference]
    for key in (*getattr(item, "aliases", ()), getattr(item, "archive_reference", None)):
        if key and key not in keys:
            keys.append(key)
    return keys


def _content_keys(item):
    """The item's document files (XML/JSON, not the message text) as content keys: the reference an upload
    of the same file gets (``upload_reference``), so uploads and items of any transport meet."""
    keys = []
    for file in getattr(item, "files", None) or []:
        if file.role == ROLE_BODY:
            continue
        mimetype = (file.mimetype or "").lower()
        if "xml" in mimetype or "json" in mimetype or (file.name or "").lower().endswith((".xml", ".json")):
            key = upload_reference(file)
            if key != item.reference and key not in keys:
                keys.append(key)
    return keys


def _match(existing, item):
    """The row ``existing`` (reference → row) holds for ``item``, by any of its references."""
    return next((existing[key] for key in _item_keys(item) if key in existing), None)
