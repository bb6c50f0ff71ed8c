"""The fetch service: one way to fetch a company, for the wizard, the upload and the scheduled fetch.

    provider.transport ─▶ transport.fetch ─▶ altinn.document._altinn_record_items ─▶ sync point
                                                              └─▶ FetchResult ─▶ company, fetch log, failures

Each company runs in its own savepoint: an error of one company (Altinn's, a bug) never stops the others,
and the items recorded before a transport broke off stay recorded. The references the ledger already holds
complete are passed to the transport, which need not download them again. The sync point moves in one
place (``move_sync_point``). Companies that share credentials (one SMS session, one firm's client system
user) share one transport.

The scheduled fetch claims companies with ``FOR UPDATE SKIP LOCKED`` and records the attempt (committed)
before it fetches them; each claimed company is held by a session-level advisory lock until it is
recorded, so workers of any number of servers split the companies, and a worker killed mid-company loses
only that company's uncommitted work (its sync point did not move either): PostgreSQL drops the dead
session's locks and the next run of any server takes its open claims, after the companies nobody tried
yet (one that kills every worker cannot starve the others). Each call stays inside the limits of the
server that runs it (``runtime.call_budget``). For an accounting firm with many clients, the clients' items
are downloaded by a bounded pool of threads (network only); every ORM write stays in the cron's thread.
"""

import logging
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import psycopg2
from psycopg2 import errors as pg_errors
from psycopg2.extensions import TransactionRollbackError

from odoo import fields, tools
from odoo.exceptions import UserError
from odoo.modules import module as odoo_module
from odoo.tools import SQL

from ..altinn import errors as altinn_errors
from ..altinn.types import AltinnItem
from . import copies, failures, runtime
from .handover import hand_over
from .texts import company_lang, error_message

_logger = logging.getLogger(__name__)

# Altinn writes database times without an offset, in Norwegian local time.
ALTINN_TZ = ZoneInfo("Europe/Oslo")
TRIGGERS = ("wizard", "cron", "upload")
# First unattended fetch of a company: this far back (the ledger skips what it already has).
FIRST_FETCH_DAYS = 365
# A company the scheduled fetch tried less than this ago waits for the next round.
DEFAULT_MIN_AGE_MINUTES = 10
# Seconds of work per call in threaded mode (tests, one process); a prefork worker's call ends by its
# server's limits instead (``runtime.call_budget``). The cron runner calls again at once while companies
# remain.
DEFAULT_TIME_BUDGET = 240
# Threads downloading a firm's clients at once, and companies claimed per round: a round ends when its
# last company is recorded, so a round of many times the pool keeps the threads busy; a worker killed
# mid-round sends at most this many companies to the back of the queue (none is lost).
DEFAULT_POOL_SIZE = 8
DEFAULT_CLAIM_SIZE = 32
# The advisory lock class of a claimed company (``pg_try_advisory_lock(FETCH_LOCK, company id)``), held by
# the claiming session until the company is recorded: when the worker dies, PostgreSQL frees it at once.
FETCH_LOCK = 0x50414631  # "PAF1"
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


def to_utc_naive(value):
    """A datetime from a transport as Odoo stores it (naive UTC); naive input is Altinn local time."""
    if not value:
        return False
    if not isinstance(value, datetime):  # a date
        return datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=ALTINN_TZ)
    return value.astimezone(timezone.utc).replace(tzinfo=None)


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


def can_commit():
    """Commit per company in a real cron run only; a test's transaction is rolled back."""
    return not tools.config["test_enable"] and not odoo_module.current_test


def commit(env):
    """Keep what is done so far (real cron run). The cache stays: recording already drops each chunk of
    documents and files from it (memory stays flat), and what the fetch reads again (companies, system
    users, partners) is the same for the whole call."""
    if can_commit():
        env.cr.commit()  # pylint: disable=invalid-commit
    else:
        env.flush_all()


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
    for group in _session_groups(companies):
        for result in _fetch_group(group, since, until, credentials, trigger, transport, pool_size):
            results[result.company_id] = result
    return [results[company.id] for company in companies]


def _session_groups(companies):
    """``companies`` split by shared credentials (the provider's session key), in their order."""
    groups = {}
    for company in companies:
        groups.setdefault(company._altinn_session_key(), []).append(company.id)
    return [companies.browse(ids) for ids in groups.values()]


def _limit(transport, budget):
    """Network calls of ``transport`` give up (and back off) within the budget's hard deadline."""
    if budget is not None and budget.hard_at is not None:
        transport.set_deadline(budget.hard_at)


def _fetch_group(
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
    known = company.env["altinn.document"]._altinn_known_references(company)
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
            new, known_docs, result.failures = documents._altinn_record_items(company, items)
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
                    if doc._altinn_add_late_files(item):
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


def _close(transport):
    # Left for run_cron (the scheduled fetch); new code calls ``transport.close_quietly()``.
    transport.close_quietly()


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


# ----------------------------------------------------------------------
# The scheduled fetch
# ----------------------------------------------------------------------
def run_cron(env, *, time_budget=None, pool_size=None, min_age_minutes=None, claim_size=None):
    """Fetch every company that needs no person, as many rounds as this call's budget allows.

    Each round claims up to ``claim_size`` due companies (row-locked while claimed, skipping those another
    worker holds; each then held by an advisory lock of this session until it is recorded), records the
    attempt and commits; then fetches them, committing after each company; then hands the new documents
    to booking. The budget is the server's (``runtime.call_budget``: in prefork, what the watchdog and the
    CPU limit leave of the worker's loop; ``prisolve_altinn.fetch_time_budget`` can only shorten it).
    Companies claimed but not started when it ends are released at once, and so are those of a worker
    that dies: PostgreSQL drops a dead session's locks, and a company whose claim is still open is due
    for the next run of any server. Reports progress so Odoo calls again while companies remain, and asks
    for the job again when the budget ends first. Returns the results of this call.
    """
    params = env["ir.config_parameter"].sudo()
    configured = time_budget or _int_param(params, "prisolve_altinn.fetch_time_budget", 0) or None
    budget = runtime.call_budget(configured, DEFAULT_TIME_BUDGET)
    pool_size = pool_size or _int_param(params, "prisolve_altinn.fetch_pool_size", DEFAULT_POOL_SIZE)
    claim_size = claim_size or _int_param(params, "prisolve_altinn.fetch_claim_size", DEFAULT_CLAIM_SIZE)
    min_age = timedelta(minutes=min_age_minutes if min_age_minutes is not None else DEFAULT_MIN_AGE_MINUTES)
    # Due: tried before this call began, less ``min_age``, or claimed by a worker that did not finish it;
    # a company is taken once per call.
    threshold = fields.Datetime.now() - min_age
    Company = env["res.company"].sudo()
    results, taken, held, transports = [], [], [], {}
    stopped = woken = False
    try:
        while True:
            if not budget.allows():
                stopped = True
                break
            claimed = claim(env, claim_size, threshold, taken, held)
            taken += claimed
            if not claimed:
                break
            if not woken and _count_due(env, threshold, taken):
                # More than this round: idle cron workers of every server join (copies of this action).
                copies.wake_others(env, copies.FETCH_CRON)
                woken = True
            commit(env)  # the attempt is kept even if this worker dies while it fetches
            new_ids, finished = [], []
            for group in _session_groups(Company.browse(claimed)):
                for result in _fetch_group(
                    group, None, None, None, "cron", None, pool_size, budget=budget, transports=transports
                ):
                    results.append(result)
                    new_ids += result.new_ids
                    finished.append(result.company_id)
                    _finish_claim(env, result.company_id)
                    commit(env)  # each company's documents are kept even if a later one is killed
            if new_ids:
                hand_over(env["altinn.document"].browse(new_ids))
                commit(env)
            _release(env, finished, held)  # recorded and committed: not due any more
            if len(finished) < len(claimed):
                stopped = True  # the budget ended inside the round
                break
            env["ir.cron"]._notify_progress(done=len(results), remaining=_count_due(env, threshold, taken))
    finally:
        _release_all(env, held)  # not started: free for the next run at once
        for transport in transports.values():
            _close(transport)
    remaining = _count_due(env, threshold, [r.company_id for r in results])
    env["ir.cron"]._notify_progress(done=len(results), remaining=remaining)
    if stopped and remaining:
        runtime.continue_soon(env)
    _logger.info(
        "Scheduled Altinn fetch: %s companies, %s new documents, %s with errors, %s due (%s)",
        len(results),
        sum(len(r.new_ids) for r in results),
        sum(1 for r in results if r.error is not None),
        remaining,
        budget,
    )
    return results


def _due_condition(threshold, taken):
    return SQL(
        "altinn_fetch_ready AND active AND id != ALL(%s) "
        "AND (altinn_fetch_attempt_at IS NULL OR altinn_fetch_attempt_at <= %s OR altinn_fetch_claimed)",
        list(taken),
        threshold,
    )


def _held_elsewhere(env):
    """Companies another live session holds (its claim's advisory lock): not due, whatever the row says."""
    env.cr.execute(
        SQL(
            "SELECT objid::integer FROM pg_locks WHERE locktype = 'advisory' AND classid = %s "
            "AND objsubid = 2 AND granted AND pid != pg_backend_pid()",
            FETCH_LOCK,
        )
    )
    return [row[0] for row in env.cr.fetchall()]


def claim(env, limit, threshold, taken=(), held=None, retries=3):
    """Lock up to ``limit`` due companies no other worker holds, take each one's advisory lock (kept in
    ``held`` until released) and stamp the attempt and the open claim; returns their ids."""
    held = [] if held is None else held
    env["res.company"].flush_model(
        ["altinn_fetch_ready", "altinn_fetch_attempt_at", "altinn_fetch_claimed", "active"]
    )
    query = SQL(
        "SELECT id FROM res_company WHERE %s AND id != ALL(%s) "
        "ORDER BY altinn_fetch_attempt_at ASC NULLS FIRST, id LIMIT %s FOR UPDATE SKIP LOCKED",
        _due_condition(threshold, taken),
        _held_elsewhere(env) + list(held),
        limit,
    )
    ids = []
    try:
        with env.cr.savepoint(flush=False):
            env.cr.execute(query, log_exceptions=False)  # expected when workers overlap
            candidates = [row[0] for row in env.cr.fetchall()]
            if candidates:
                # A claim whose holder is alive stays its own; a dead one's lock is free.
                env.cr.execute(
                    SQL(
                        "SELECT id FROM unnest(%s::integer[]) AS id WHERE pg_try_advisory_lock(%s, id)",
                        candidates,
                        FETCH_LOCK,
                    )
                )
                ids = [row[0] for row in env.cr.fetchall()]
                held += ids
            if ids:
                env.cr.execute(
                    SQL(
                        "UPDATE res_company SET altinn_fetch_attempt_at = %s, altinn_fetch_claimed = TRUE "
                        "WHERE id = ANY(%s)",
                        fields.Datetime.now(),
                        ids,
                    )
                )
    except (pg_errors.LockNotAvailable, TransactionRollbackError):
        # Changed by a worker that committed after our snapshot began: start a fresh snapshot and go on.
        _logger.info("Altinn fetch: companies claimed by another worker meanwhile; claiming again")
        _release(env, ids, held)
        if not can_commit() or not retries:
            return []
        env.cr.rollback()
        return claim(env, limit, threshold, taken, held, retries - 1)
    env["res.company"].invalidate_model(["altinn_fetch_attempt_at", "altinn_fetch_claimed"])
    return ids


def _release_all(env, held):
    """Release every claim of this call, also after an error (the session outlives the call: its
    connection goes back to Odoo's pool)."""
    try:
        _release(env, list(held), held)
    except psycopg2.Error:  # the transaction is aborted: the locks are the session's, they outlive it
        env.cr.rollback()
        _release(env, list(held), held)


def _finish_claim(env, company_id):
    """The company's fetch is recorded: its claim closes with the same commit."""
    env.cr.execute(
        SQL(
            "UPDATE res_company SET altinn_fetch_claimed = FALSE WHERE id = %s AND altinn_fetch_claimed",
            company_id,
        )
    )


def _release(env, ids, held):
    """Let other sessions claim ``ids`` (advisory locks are the session's, not the transaction's)."""
    ids = [company_id for company_id in ids if company_id in held]
    if not ids:
        return
    env.cr.execute(SQL("SELECT pg_advisory_unlock(%s, id) FROM unnest(%s::integer[]) AS id", FETCH_LOCK, ids))
    for company_id in ids:
        held.remove(company_id)


def _count_due(env, threshold, taken):
    env["res.company"].flush_model(
        ["altinn_fetch_ready", "altinn_fetch_attempt_at", "altinn_fetch_claimed", "active"]
    )
    env.cr.execute(SQL("SELECT count(*) FROM res_company WHERE %s", _due_condition(threshold, taken)))
    return env.cr.fetchone()[0]


def _int_param(params, key, default):
    try:
        value = int(params.get_param(key) or 0)
    except (TypeError, ValueError):
        return default
    return value if value > 0 else default
