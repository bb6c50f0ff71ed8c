"""One place for HTTP: explicit (connect, read) timeouts, bounded retries, Altinn error mapping.

Tokens travel only in the Authorization header and never appear in exception texts or logs.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import requests

from .. import errors

_logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = (5.0, 30.0)
RETRY_STATUSES = frozenset({429, 502, 503, 504})
USER_AGENT = "prisolve-altinn/18.0 (+Altinn 3 SBS)"


def retry_after_seconds(response: requests.Response, now: Callable[[], float] = time.time) -> float | None:
    """``Retry-After`` as seconds (delta-seconds or an HTTP date), else None."""
    value = (response.headers.get("Retry-After") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - now())


def problem_of(response: requests.Response) -> dict:
    """RFC 7807 body (Dialogporten/Correspondence/authentication), or {} when there is none."""
    ctype = response.headers.get("Content-Type", "")
    if "json" not in ctype:
        return {}
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def problem_code(problem: dict) -> str:
    """Altinn's error code of a problem: ``code`` (authentication/access management, e.g. AUTH-00004),
    else the code in ``type`` (``urn:altinn:error:AUTH-00004``), else Correspondence's ``errorCode``."""
    code = problem.get("code")
    if isinstance(code, str) and code:
        return code
    kind = str(problem.get("type") or "")
    if kind.startswith("urn:altinn:error:"):
        return kind.rsplit(":", 1)[-1]
    return str(problem["errorCode"]) if problem.get("errorCode") is not None else ""


def problem_text(problem: dict) -> str:
    parts = []
    for key in ("title", "detail"):
        if problem.get(key) and problem[key] not in parts:
            parts.append(str(problem[key]))
    for err in problem.get("validationErrors") or []:
        if isinstance(err, dict) and err.get("title"):
            parts.append(str(err["title"]))
    for field_errors in (
        (problem.get("errors") or {}).values() if isinstance(problem.get("errors"), dict) else []
    ):
        parts.extend(str(e) for e in (field_errors or [])[:3])
    if problem.get("errorCode") is not None:
        parts.append(f"errorCode {problem['errorCode']}")
    return "; ".join(parts)[:500]


def error_for(response: requests.Response, what: str) -> errors.AltinnError:
    """The typed error for a non-2xx answer of an Altinn platform API."""
    problem = problem_of(response)
    text = problem_text(problem) or None
    guid = problem.get("traceId") or response.headers.get("traceparent") or None
    status = response.status_code
    detail = f"{what}: HTTP {status}"
    kwargs = {"error_guid": guid, "altinn_message": text}
    if status == 401:
        return errors.TokenRejected(detail, **kwargs)
    if status == 403:
        return errors.NoRights(detail, **kwargs)
    if status in (404, 410):
        return errors.ElementNotFound(detail, **kwargs)
    if status == 429:
        err = errors.RateLimited(detail, **kwargs)
        err.retry_after = retry_after_seconds(response)
        return err
    if status >= 500:
        return errors.ServiceUnavailable(detail, **kwargs)
    return errors.AltinnError(detail, **kwargs)


def json_of(response: requests.Response, what: str):
    try:
        return response.json()
    except ValueError as exc:
        raise errors.MalformedResponse(f"{what}: the answer is not JSON") from exc


class _Session(requests.Session):
    """A ``requests.Session`` that reads the environment's proxy and CA settings once per scheme and host.

    requests reads them again for every request (``os.environ`` scanned twice, each time): a sixth of the
    client's CPU when a firm's clients are fetched in parallel.
    """

    def __init__(self):
        super().__init__()
        self._environment: dict = {}

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        if proxies or stream is not None or verify is not None or cert is not None:
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        origin = urlsplit(url)[:2]
        settings = self._environment.get(origin)
        if settings is None:
            settings = self._environment[origin] = super().merge_environment_settings(
                url, proxies, stream, verify, cert
            )
        return {**settings, "proxies": dict(settings["proxies"])}


class Http:
    """``requests`` with the rules above. One per transport/batch; ``close()`` it.

    Safe to share between threads: each thread gets its own ``requests.Session`` (a session is not
    thread-safe), unless one ``session`` is given, which is then used by every thread.
    """

    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        max_retry_wait: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._given_session = session
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()
        self.timeout = tuple(timeout)
        self.max_retries = max(0, int(max_retries))
        self.max_retry_wait = float(max_retry_wait)
        self.sleep = sleep

    @property
    def session(self) -> requests.Session:
        """The calling thread's session."""
        if self._given_session is not None:
            return self._given_session
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = _Session()
            with self._lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        """Close every session this object made (in any thread)."""
        with self._lock:
            sessions, self._sessions = self._sessions, []
            self._local = threading.local()
        for session in sessions:
            session.close()

    def send(
        self,
        method: str,
        url: str,
        *,
        what: str,
        token: str | None = None,
        params=None,
        data=None,
        json=None,
        headers: dict | None = None,
        retry: bool = True,
    ) -> requests.Response:
        """The response (any status) after bounded retries of 429/502/503/504 and network errors.

        Timeouts raise ``AltinnTimeout``, connection failures ``ServiceUnavailable``.
        """
        hdrs = {"User-Agent": USER_AGENT, "Accept-Language": "nb"}
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        hdrs.update(headers or {})
        attempts = 1 + (self.max_retries if retry else 0)
        for attempt in range(1, attempts + 1):
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    data=data,
                    json=json,
                    headers=hdrs,
                    timeout=self.timeout,
                    allow_redirects=False,
                )
            except requests.Timeout as exc:
                if attempt < attempts:
                    self._wait(attempt, None)
                    continue
                raise errors.AltinnTimeout(f"{what}: no answer within {self.timeout[1]:.0f} s") from exc
            except requests.ConnectionError as exc:
                if attempt < attempts:
                    self._wait(attempt, None)
                    continue
                raise errors.ServiceUnavailable(f"{what}: could not connect") from exc
            except requests.RequestException as exc:
                raise errors.ServiceUnavailable(f"{what}: {type(exc).__name__}") from exc
            if response.status_code in RETRY_STATUSES and attempt < attempts:
                wait = retry_after_seconds(response)
                if wait is not None and wait > self.max_retry_wait:
                    return response  # Altinn wants a longer pause than a batch should sleep
                _logger.info("%s: HTTP %s, retry %s/%s", what, response.status_code, attempt, attempts - 1)
                response.close()
                self._wait(attempt, wait)
                continue
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait(self, attempt: int, suggested: float | None) -> None:
        delay = suggested if suggested is not None else min(2.0 ** (attempt - 1), self.max_retry_wait)
        self.sleep(min(max(delay, 0.0), self.max_retry_wait))
