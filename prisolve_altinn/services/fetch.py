"""The fetch service: one way to fetch a company, for the wizard, the upload and the scheduled fetch.

    provider.transport ─▶ transport.fetch ─▶ services/recording.record_items ─▶ sync point
                                                      └─▶ FetchResult ─▶ company, fetch log, failures

Each company runs in its own savepoint: an error of one company (Altinn's, a bug) never stops the others,
and the items recorded before a transport broke off stay recorded. The references the ledger already holds
complete are passed to the transport, which need not download them again. The sync point moves in one
place (``move_sync_point``). Companies that share credentials (one SMS session, one firm's client system
user) share one transport. For an accounting firm with many clients, the clients' items are downloaded by
a bounded pool of threads (network only); every ORM write stays in the caller's thread. The scheduled
fetch (claims, budget, commits) is ``services/fetch_cron.py``.
"""

import logging
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from odoo import fields
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..altinn import errors as altinn_errors
from ..altinn.types import AltinnItem
from . import failures, recording
from .handover import hand_over
from .texts import company_lang, error_message

_logger = logging.getLogger(__name__)

TRIGGERS = ("wizard", "cron", "upload")
# First unattended fetch of a company: this far back (the ledger skips what it already has).
FIRST_FETCH_DAYS = 365
# Errors that go away by themselves: an activity only once they have lasted this long.
TRANSIENT_GRACE = timedelta(hours=24)
# Dialogporten keeps a system user's authorized parties for 15 minutes (dialogporten
# InfrastructureExtensions.cs, AuthorizedPartiesResult cache): a client added in Altinn a moment ago is
# "not delegated" until then. The sync point does not move meanwhile, so nothing is lost; nobody is asked
# to act before this has lasted longer than the cache.
PARTIES_CACHE_GRACE = timedelta(minutes=20)
# Errors about the person, the datasystem or the SMS session: the other companies of the session fail the same
# way, so they are not tried.
SESSION_ERRORS = (
    altinn_errors.InvalidUserCredentials,
    altinn_errors.InvalidSystemCredentials,
    altinn_errors.PinSessionExpired,
    altinn_errors.UserLockedOut,
    altinn_errors.NoPhoneNumber,
    altinn_errors.ConfigurationError,
    # Maskinporten gives no token for the system user (MP-303): the same for every company it serves.
    altinn_errors.SystemUserNotApproved,
)
# Documents of a dialog read in part: tried again by each fetch, this many per company and run, and no
# more than this many times (each read adds a seen-log entry in the customer's inbox).
MISSING_RETRY_BATCH = 20
MISSING_RETRY_LIMIT = 48


def guarded(items, errors):
    """Yield from a transport's iterator; a failure ends it and lands in ``errors``.

    The items already yielded stay recorded: a fetch that breaks halfway loses nothing.
    """
    try:
        yield from items
    except altinn_errors.AltinnError as exc:
        errors.append(exc)
    except Exception as exc:  # an untranslated transport failure must not lose the items already recorded
        _logger.warning("Altinn fetch stopped by %s", exc.__class__.__name__, exc_info=True)
        errors.append(exc)


@dataclass
class FetchResult:
    """What fetching one company did: the wizard shows it, the scheduled fetch stores it."""

    company_id: int
    trigger: str
    started: datetime
    new_ids: list = field(default_factory=list)
    known_ids: list = field(default_factory=list)
    failures: list = field(default_factory=list)  # FetchFailure
    error: Exception | None = None
    synced_until: datetime | None = None  # the new sync point (None: it did not move)
    completed_ids: list = field(default_factory=list)  # documents whose missing files were read now
    finished: datetime | None = None
    skipped: bool = False  # not tried: an earlier company of the same session failed for all of them
    system_user_id: int | None = None  # the Altinn 3 system user the fetch went through (for the log)

    @property
    def status(self):
        if self.error is not None:
            return "error"
        return "warning" if self.failures else "ok"

    @property
    def session_error(self):
        return isinstance(self.error, SESSION_ERRORS)


@dataclass
class Plan:
    """What the ORM's thread reads for one company before its items are downloaded (maybe by a pool thread,
    maybe after the cache was emptied by the commit of another company)."""

    reportee: str
    since: datetime
    until: datetime
    known: set
    lang: str
    system_user_id: int | None
    moves_sync_point: bool
    # False when it is known that no document of the company waits for files read again (asked for a whole
    # group at once); True: ask (``retry_missing_files``).
    missing_files: bool = True


@dataclass
class Download:
    """One company's items, downloaded by a pool thread (no ORM there)."""

    items: list
    errors: list
    marker: datetime | None


# ----------------------------------------------------------------------
# Fetching companies
# ----------------------------------------------------------------------
def fetch_companies(
    companies, *, since=None, until=None, credentials=None, trigger="wizard", transport=None, pool_size=1
):
    """Fetch and record ``companies`` (one ``FetchResult`` each, in order); never raises for a company.

    ``since``/``until`` default to each company's sync point and now. ``transport`` (an upload's files) is
    used as given; otherwise each group of companies that share credentials gets one transport from the seam
    ``res.company._altinn_transport()``. ``pool_size`` > 1 downloads the companies of a group in parallel.
    """
    assert trigger in TRIGGERS, trigger
    results = {}
    for group in session_groups(companies):
        for result in fetch_group(group, since, until, credentials, trigger, transport, pool_size):
            results[result.company_id] = result
    return [results[company.id] for company in companies]


def session_groups(companies):
    """``companies`` split by shared credentials (the provider's session key), in their order."""
    groups = {}
    for company in companies:
        groups.setdefault(company._altinn_session_key(), []).append(company.id)
    return [companies.browse(ids) for ids in groups.values()]


def _limit(transport, budget):
    """Network calls of ``transport`` give up (and back off) within the budget's hard deadline."""
    if budget is not None and budget.hard_at is not None:
        transport.set_deadline(budget.hard_at)


def fetch_group(
    group, since, until, credentials, trigger, transport, pool_size, budget=None, transports=None
):
    """Yield the result of each company of ``group`` as soon as it is recorded (the cron commits it).

    ``budget``: no company is started once it is spent (the caller releases the rest). ``transports``:
    the call's transports by session key, kept over its rounds (one token and one parties call per firm
    and call); the caller closes them."""
    own_transport = transport is None and transports is None
    try:
        if transport is None:
            key = group[0]._altinn_session_key()
            try:
                transport = transports.get(key) if transports is not None else None
                if transport is None:
                    transport = group[0]._altinn_transport()
                    _limit(transport, budget)
                    if transports is not None:
                        transports[key] = transport
            except (altinn_errors.AltinnError, UserError) as exc:
                # The credentials of the whole group are incomplete: say so for each company.
                transport = None
                for company in group:
                    yield _failed(company, trigger, exc)
                return
        if pool_size > 1 and len(group) > 1 and not transport.needs_person:
            yield from _fetch_parallel(group, transport, since, until, trigger, pool_size, budget)
            return
        session_error = None
        explained = {}
        for company in group:
            if budget is not None and not budget.allows():
                return
            if session_error is not None:
                yield _failed(company, trigger, session_error, skipped=True)
                continue
            result = fetch_company(
                company,
                transport,
                since=since,
                until=until,
                credentials=credentials,
                trigger=trigger,
                explained=explained,
            )
            if result.session_error:
                session_error = result.error
            yield result
    finally:
        if own_transport and transport is not None:
            transport.close_quietly()


def _fetch_parallel(group, transport, since, until, trigger, pool_size, budget=None):
    """Download the group's companies in threads; record each in this thread as soon as it is downloaded.

    With a ``budget``, a download starts only while the budget allows one (companies not started are
    left to the caller, which releases their claims); at most ``pool_size`` are in flight, so the budget's
    margin covers what is running when it ends."""
    plans = {company: _plan(company, since, until) for company in group}  # read together, while cached
    waiting = _with_missing_files(group)
    for company, plan in plans.items():
        plan.missing_files = company.id in waiting
    # Dialogporten: one search for up to 20 of the clients, in this order (other transports: nothing).
    transport.search_together({plan.reportee: (plan.since, plan.until) for plan in plans.values()})
    explained = {}
    queue = list(plans.items())
    queue.reverse()
    with ThreadPoolExecutor(max_workers=pool_size, thread_name_prefix="altinn-fetch") as pool:
        futures = {}

        def submit():
            while queue and len(futures) < pool_size and (budget is None or budget.allows()):
                company, plan = queue.pop()
                futures[pool.submit(_download, transport, plan)] = company

        submit()
        while futures:
            done, _pending = wait(futures, return_when=FIRST_COMPLETED)
            for future in done:
                company = futures.pop(future)
                submit()
                yield fetch_company(
                    company,
                    transport,
                    trigger=trigger,
                    plan=plans[company],
                    download=future.result(),
                    explained=explained,
                )


def _with_missing_files(companies):
    """Ids of ``companies`` with documents ``retry_missing_files`` would read again: one query for a group
    (its domain in SQL; an unset retry count is 0, as the ORM reads it)."""
    companies.env["altinn.document"].flush_model(
        ["company_id", "has_missing_files", "transport", "missing_retry_count"]
    )
    companies.env.cr.execute(
        SQL(
            "SELECT DISTINCT company_id FROM altinn_document WHERE company_id = ANY(%s) "
            "AND has_missing_files AND transport = 'altinn3' AND COALESCE(missing_retry_count, 0) < %s",
            companies.ids,
            MISSING_RETRY_LIMIT,
        )
    )
    return {row[0] for row in companies.env.cr.fetchall()}


def _plan(company, since, until):
    """The ``Plan`` of ``company``, read in the ORM's thread."""
    now = fields.Datetime.now()
    start = since or company.sudo().altinn_synced_until or now - timedelta(days=FIRST_FETCH_DAYS)
    end = until or now
    known = recording.known_references(company)
    system_user = company._altinn_resolve().system_user if company.altinn_transport == "altinn3" else None
    return Plan(
        company.altinn_org_number,
        _aware(start),
        _aware(end),
        known,
        company_lang(company),
        system_user.id if system_user else None,
        company._altinn_provider().moves_sync_point,
    )


def _download(transport, plan):
    """A pool thread: the company's items, downloaded; no ORM here."""
    errors = []
    items = list(
        guarded(transport.fetch(plan.reportee, plan.since, plan.until, known=plan.known.__contains__), errors)
    )
    try:
        marker = None if errors else transport.sync_marker(plan.reportee)
    except Exception as exc:  # the company fails alone, in the ORM's thread
        errors.append(exc)
        marker = None
    return Download(items, errors, marker)


def fetch_company(
    company,
    transport,
    *,
    since=None,
    until=None,
    credentials=None,
    trigger="wizard",
    plan=None,
    download=None,
    explained=None,
):
    """Fetch ``company`` through ``transport`` and record its items, in its own savepoint; then read again
    the documents whose files were missing.

    ``plan``: what was read for it beforehand (``_plan``); ``download``: the items a pool thread already
    downloaded for that plan.
    ``explained``: the group's cache of explained token failures (one diagnosis per system user).
    """
    # Alone in its prefetch set: the cron commits after each company, which empties the cache, and a company
    # browsed among hundreds would read all their rows again at each first access.
    company = company.with_prefetch()
    env = company.env
    plan = plan or _plan(company, since, until)
    reportee, start, end, lang = plan.reportee, plan.since, plan.until, plan.lang
    result = FetchResult(company.id, trigger, fields.Datetime.now(), system_user_id=plan.system_user_id)
    documents = (
        env["altinn.document"]
        .with_company(company)
        .with_context(mail_create_nolog=True, mail_create_nosubscribe=True, mail_notrack=True, lang=lang)
    )
    errors = []
    try:
        with env.cr.savepoint():
            if download is None:
                items = transport.fetch(
                    reportee,
                    start,
                    end,
                    credentials=credentials if transport.needs_person else None,
                    known=plan.known.__contains__,
                )
                items = guarded(items, errors)
            else:
                items, errors = download.items, list(download.errors)
            new, known_docs, result.failures = recording.record_items(documents, company, items)
            result.new_ids, result.known_ids = new.ids, known_docs.ids
            if not errors and trigger != "upload" and plan.moves_sync_point:
                marker = download.marker if download is not None else transport.sync_marker(reportee)
                result.synced_until = move_sync_point(company, start, end, marker)
    except (altinn_errors.AltinnError, UserError) as exc:
        errors.append(exc)
    except Exception as exc:  # a bug for one company must not stop the others
        _logger.warning("Altinn fetch of company %s failed", company.id, exc_info=True)
        errors.append(exc)
        result.new_ids, result.known_ids = [], []  # rolled back with the savepoint
    if not errors and trigger != "upload" and plan.missing_files:
        result.completed_ids = retry_missing_files(documents, company, transport, exclude=result.new_ids)
    result.error = _explain(company, errors[0], explained) if errors else None
    result.finished = fields.Datetime.now()
    _store(company, result, lang)
    return result


def retry_missing_files(documents, company, transport, exclude=(), only=None):
    """Read again the company's documents whose files could not be read earlier (``Transport.fetch_item``),
    oldest try first, a bounded number per run (or ``only`` these); never fails the fetch. Returns the ids
    of the documents that got files."""
    if not transport.can_fetch_item:
        return []
    domain = [
        ("company_id", "=", company.id),
        ("has_missing_files", "=", True),
        ("transport", "=", "altinn3"),
        ("missing_retry_count", "<", MISSING_RETRY_LIMIT),
        ("id", "not in", list(exclude)),
    ]
    if only is not None:
        domain.append(("id", "in", only.ids))
    pending = documents.sudo().search(
        domain, order="missing_checked_at asc nulls first, id", limit=MISSING_RETRY_BATCH
    )
    completed, rebook = [], documents.browse()
    for doc in pending:
        try:
            with company.env.cr.savepoint():
                item = transport.fetch_item(company.altinn_org_number, doc.reference)
                vals = {
                    "missing_checked_at": fields.Datetime.now(),
                    "missing_retry_count": doc.missing_retry_count + 1,
                }
                if isinstance(item, AltinnItem):
                    if recording.add_late_files(doc, item):
                        completed.append(doc.id)
                        rebook |= doc.filtered(lambda d: d.state == "new")
                    if doc.has_missing_files:
                        doc.write(vals)
                else:
                    doc.write(vals)
        except altinn_errors.AltinnError as exc:
            # Altinn refused the whole reportee (or is down): the next run tries again.
            _logger.info("Altinn: missing files of company %s not tried again: %s", company.id, exc.code)
            break
        except Exception:
            _logger.warning("Altinn: reading document %s again failed", doc.id, exc_info=True)
    if rebook:
        hand_over(rebook)
    return completed


def _explain(company, error, explained):
    """Maskinporten answers every system-user mismatch the same way (MP-303): ask Altinn which part is
    missing (``altinn.system.user._altinn_explain_token_failure``), once per system user and run."""
    if type(error) is not altinn_errors.SystemUserNotApproved or company.altinn_transport != "altinn3":
        return error
    system_user = company._altinn_resolve().system_user
    if not system_user:
        return error
    cache = explained if explained is not None else {}
    if system_user.id not in cache:
        cache[system_user.id] = system_user.sudo()._altinn_explain_token_failure(error)
    return cache[system_user.id]


def move_sync_point(company, since, until, marker=None):
    """The one place the sync point moves: to the transport's marker, else to the end of a complete run.

    It never moves back, and never over a gap (a run that started after the current sync point).
    """
    # Read and written without res.company's ORM: its wide row and its write's accounting checks and related
    # fields cost more than the rest of a company's recording when the cron fetches hundreds of clients.
    company.flush_recordset(["altinn_synced_until"])
    start = _utc_naive(since)
    new = min(_utc_naive(marker or until), fields.Datetime.now())
    # One statement: moved forward only, and only from a run that began at or before the current point.
    company.env.cr.execute(
        SQL(
            "UPDATE res_company SET altinn_synced_until = %(new)s WHERE id = %(id)s AND (altinn_synced_until "
            "IS NULL OR (altinn_synced_until >= %(start)s AND altinn_synced_until < %(new)s))",
            new=new,
            id=company.id,
            start=start,
        )
    )
    company.invalidate_recordset(["altinn_synced_until"])
    return new if company.env.cr.rowcount else None


def _failed(company, trigger, error, skipped=False):
    now = fields.Datetime.now()
    result = FetchResult(company.id, trigger, now, error=error, finished=now, skipped=skipped)
    _store(company, result)
    return result


def _utc_naive(value):
    """Naive UTC, as Odoo stores datetimes (naive input already is)."""
    if value.tzinfo is None:
        return value
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def _aware(value):
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)  # Odoo's naive datetimes are UTC
    return value


# ----------------------------------------------------------------------
# What a result leaves behind: the company's state, the fetch log, the failure activity
# ----------------------------------------------------------------------
def _store(company, result, lang=None):
    company = company.sudo()
    # Only what is read here: after the cron's commit, the first read would load res.company's whole wide row.
    company.fetch(["altinn_transport", "altinn_fetch_error"])
    lang = lang or company_lang(company)
    message = error_message(result.error, lang) if result.error is not None else ""
    company.env["altinn.fetch.log"].sudo()._altinn_log(company, result, message)
    if result.trigger == "upload":
        return
    if result.error is None:
        if company.altinn_fetch_error:  # a failure was recorded (and maybe reported): it is over
            company.write({"altinn_fetch_error": False, "altinn_fetch_error_since": False})
            failures.resolve(
                company.partner_id,
                failures.FETCH,
                company.with_context(lang=lang).env._("The Altinn fetch works again."),
            )
        return
    if result.trigger != "cron":
        return  # the person in the wizard sees the error
    company_l = company.with_context(lang=lang)
    advice = _advice(company_l, result.error)
    text = "\n".join(part for part in (message, advice) if part)
    now = fields.Datetime.now()
    since = company.altinn_fetch_error_since or now
    company.write({"altinn_fetch_error": text, "altinn_fetch_error_since": since})
    retryable = isinstance(result.error, altinn_errors.AltinnError) and result.error.retryable
    if retryable and now - since < TRANSIENT_GRACE:
        return  # Altinn is busy or down: the next run goes on; nobody needs to act yet
    if isinstance(result.error, altinn_errors.ClientNotDelegated) and now - since < PARTIES_CACHE_GRACE:
        return  # a client added a moment ago: Dialogporten lists it once its parties cache expires
    user = failures.responsible_user(company)
    _ = company_l.env._
    lines = [
        _(
            "The scheduled Altinn fetch for %(company)s (%(org)s) failed.",
            company=company.name,
            org=company.altinn_org_number or "-",
        ),
        *text.split("\n"),
    ]
    if result.failures:
        lines.append(
            _(
                "%(count)s documents could not be downloaded; they stay in the ledger as failed and are "
                "fetched "
                "again.",
                count=len(result.failures),
            )
        )
    failures.report(company.partner_id.with_context(lang=lang), failures.FETCH, lines, user)


def _advice(company, error):
    """Who must do what, in one sentence (on top of the error's own text)."""
    _ = company.env._
    access = company._altinn_resolve()
    firm_name = access.firm.display_name if access.firm else ""
    firm_level = access.level == "firm"
    if isinstance(error, altinn_errors.ExternalRefMismatch):
        return _(
            "An Altinn administrator must request the system user again (Settings → Altinn 3 → Setup "
            "assistant), so that Altinn and this database use the same reference."
        )
    if isinstance(error, altinn_errors.WrongSystemUserKind):
        owner = access.firm if firm_level else company.partner_id
        return _(
            "%(owner)s must delete that system user in Altinn (Tilgangsstyring → Systemtilganger); then an "
            "Altinn administrator requests the right one again (Settings → Altinn 3 → Setup assistant).",
            owner=owner.display_name,
        )
    if isinstance(
        error,
        (
            altinn_errors.ClientIdNotOnSystem,
            altinn_errors.SystemNotRegistered,
            altinn_errors.AccessPackageNotOnSystem,
        ),
    ):
        return _(
            "A Settings administrator must update the system in Altinn's system register (Settings → "
            "Altinn 3 → Setup assistant, step 3), or ask the system vendor to do it."
        )
    if isinstance(error, altinn_errors.SystemUserNotApproved):
        if firm_level:
            return _(
                "The accounting firm %(firm)s must approve its client system user again: on the firm's "
                "contact "
                '(Altinn tab) click "Request system user" and have the firm\'s daglig leder approve the '
                "link.",
                firm=firm_name,
            )
        return _(
            "The company must approve the system user again: on the company's Altinn tab click \"Request "
            "system "
            "user\" and send the approval link to the company's daglig leder."
        )
    if isinstance(error, altinn_errors.ClientNotDelegated):
        return " ".join(
            (
                _(
                    "The klientadministrator of %(firm)s must add %(company)s (%(org)s) as a client of the "
                    "firm's system "
                    "user in Altinn.",
                    firm=firm_name,
                    company=company.name,
                    org=company.altinn_org_number,
                ),
                _(
                    "If the client was added in Altinn within the last 15 minutes, nobody needs to act: "
                    "Dialogporten shows a new client after up to 15 minutes, and the next run fetches its "
                    "documents from where the last run stopped."
                ),
            )
        )
    if isinstance(error, altinn_errors.NoRights):
        return _(
            "The company must give the system the access packages it needs in Altinn (Tilgangsstyring → "
            "Systemtilganger)."
        )
    if isinstance(
        error, (altinn_errors.InvalidClientKey, altinn_errors.ScopeNotGranted, altinn_errors.TokenRejected)
    ):
        return _(
            "A Settings administrator must fix the Maskinporten client (Settings → Altinn 3): key, key ID, "
            "scopes and environment."
        )
    if isinstance(error, altinn_errors.ClockSkew):
        return _("The server administrator must synchronise the server clock (NTP).")
    if isinstance(error, altinn_errors.ServiceUnavailable):
        return _("Nothing was lost and nobody needs to act: the next scheduled run continues.")
    if isinstance(error, UserError):
        return ""
    return _("Nothing was lost: the next scheduled run tries again. If this persists, contact support.")
