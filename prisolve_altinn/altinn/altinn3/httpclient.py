"""One place for HTTP: explicit (connect, read) timeouts, bounded retries, Altinn error mapping.

Tokens travel only in the Authorization header and never appear in exception texts or logs.

A firm's clients are fetched by a pool of threads in one process, where every request's CPU holds the
interpreter lock, so a request must cost little CPU: ``requests`` (preparing, re-parsing and re-encoding each
URL, merging settings, hooks, cookies) cost as much as the HTTP exchange itself, and urllib3's pools still
re-encode every target byte by byte and check the connection per request (675 µs of CPU per request
against 262 µs for the bare exchange, measured on the emulator). A direct origin therefore gets a small
keep-alive pool of the standard library's ``http.client`` connections (``OriginPool``); through a proxy,
urllib3's ``ProxyManager`` does the CONNECT tunnels, proxy authentication and HTTPS proxies. What the
environment asks of ``requests`` is kept: ``HTTPS_PROXY``/``NO_PROXY``, the CA bundle of
``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` (else certifi's), gzip answers.
"""

from __future__ import annotations

import contextlib
import email.utils
import gzip
import http.client
import json as jsonlib
import logging
import os
import select
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit
from urllib.request import getproxies, proxy_bypass

import certifi
import urllib3
from urllib3 import exceptions as urllib3_errors

from .. import errors

_logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = (5.0, 30.0)
RETRY_STATUSES = frozenset({429, 502, 503, 504})
USER_AGENT = "prisolve-altinn/18.0 (+Altinn 3 SBS)"
# Idle connections kept per host: more than the fetch's threads, so none is thrown away.
POOL_MAXSIZE = 32
# Methods sent again at once on a fresh connection when a kept-alive one turns out closed by the server
# before it answered (it cannot have acted on them twice).
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


_LOCAL = threading.local()  # read_timeout: a shorter read timeout for this thread's current request


@contextlib.contextmanager
def _read_timeout(seconds: float):
    """Reads of this thread's requests on a direct origin wait at most ``seconds`` meanwhile."""
    before = getattr(_LOCAL, "read_timeout", None)
    _LOCAL.read_timeout = seconds
    try:
        yield
    finally:
        _LOCAL.read_timeout = before


class Response:
    """An answer read whole: the part of ``requests.Response``'s shape the Altinn 3 clients read."""

    __slots__ = ("content", "headers", "status_code")

    def __init__(self, status_code: int, headers, content: bytes):
        self.status_code = status_code
        self.headers = headers  # case-insensitive
        self.content = content

    @property
    def text(self) -> str:
        charset = "utf-8"
        for part in self.headers.get("Content-Type", "").split(";")[1:]:
            name, _sep, value = part.strip().partition("=")
            if name.lower() == "charset" and value:
                charset = value.strip("\"'")
        try:
            return self.content.decode(charset, errors="replace")
        except LookupError:  # an unknown charset name
            return self.content.decode("utf-8", errors="replace")

    def json(self):
        """The body as JSON; ``ValueError`` when it is not."""
        return jsonlib.loads(self.content)

    def close(self) -> None:
        """Nothing to release: the body is read and the connection back in its pool."""


def retry_after_seconds(response: Response, now: Callable[[], float] = time.time) -> float | None:
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


def problem_of(response: Response) -> dict:
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


def error_for(response: Response, what: str) -> errors.AltinnError:
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
        err = errors.ServiceUnavailable(detail, **kwargs)
        err.retry_after = retry_after_seconds(response)  # Dialogporten's maintenance: an HTTP date
        return err
    fields = rejected_fields(problem) if status == 400 else []
    if fields:
        # A validation problem names the field: the sentence names it too, not "HTTP 400".
        kind = (
            errors.InvalidOrganisationNumber
            if errors.field_key(fields[0]) == "party"
            else errors.RequestRejected
        )
        return kind(f"{detail} ({fields[0]})", field=fields[0], **kwargs)
    return errors.AltinnError(detail, **kwargs)


def rejected_fields(problem: dict) -> list[str]:
    """The fields a validation problem names: the keys of ``errors`` (ASP.NET ``ValidationProblemDetails``:
    Dialogporten, Correspondence), else the ``paths`` of ``validationErrors``."""
    found = list(problem.get("errors") or {}) if isinstance(problem.get("errors"), dict) else []
    if not found:
        for err in problem.get("validationErrors") or []:
            if isinstance(err, dict):
                found += [str(path) for path in err.get("paths") or [] if path]
    return [str(name) for name in found if str(name).strip()]


def json_of(response: Response, what: str):
    try:
        return response.json()
    except ValueError as exc:
        raise errors.MalformedResponse(f"{what}: the answer is not JSON") from exc


def _readable(sock) -> bool:
    """Whether an idle connection has something to read: the server closed it (EOF) or broke the protocol.
    ``poll`` where there is one: ``select`` cannot watch descriptors above 1023."""
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    return bool(select.select([sock], [], [], 0)[0])


def _decoded(content: bytes, headers) -> bytes:
    """The body without its gzip/deflate content coding; a body that does not decode is a broken answer."""
    encoding = (headers.get("Content-Encoding") or "").strip().lower()
    if not content or encoding not in ("gzip", "deflate"):
        return content
    try:
        if encoding == "gzip":
            return gzip.decompress(content)
        try:
            return zlib.decompress(content)
        except zlib.error:  # raw deflate, without the zlib header
            return zlib.decompress(content, -zlib.MAX_WBITS)
    except (OSError, EOFError, zlib.error) as exc:  # cut off or corrupt
        raise http.client.HTTPException(f"the {encoding} body does not decode") from exc


class ConnectFailed(OSError):
    """No connection to the origin (refused, no route, TLS handshake, connect timeout)."""


class OriginPool:
    """Keep-alive ``http.client`` connections to one origin, reused last-in first-out; thread-safe.

    A connection is taken by one thread for one whole exchange, then given back unless the server said it
    closes it. One the server closed while it was idle is noticed before use (readable socket), as urllib3
    does, and an idempotent request on a kept connection the server dropped meanwhile goes once more on a
    new one.
    """

    def __init__(self, scheme: str, host: str, port: int | None, timeout, ssl_context=None):
        self.scheme, self.host, self.port = scheme, host, port
        self.connect_timeout, self.read_timeout = timeout
        self.ssl_context = ssl_context
        self._idle: list = []
        self._lock = threading.Lock()

    def _new(self):
        if self.scheme == "https":
            conn = http.client.HTTPSConnection(
                self.host, self.port, timeout=self.connect_timeout, context=self.ssl_context
            )
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=self.connect_timeout)
        try:
            conn.connect()
        except (OSError, ValueError) as exc:
            conn.close()
            raise ConnectFailed(str(exc)) from exc
        conn.sock.settimeout(self.read_timeout)
        return conn

    def _take(self):
        """A kept connection still open (and True), else a new one (and False)."""
        while True:
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                return self._new(), False
            if conn.sock is not None and not _readable(conn.sock):
                return conn, True
            conn.close()  # closed by the server while idle (readable: EOF), or already closed

    def _give_back(self, conn, response) -> None:
        if response.will_close or conn.sock is None:
            conn.close()
            return
        with self._lock:
            if len(self._idle) < POOL_MAXSIZE:
                self._idle.append(conn)
                return
        conn.close()

    def exchange(self, method: str, target: str, body, headers: dict) -> Response:
        """One request and its whole answer, gzip/deflate decoded."""
        conn, reused = self._take()
        conn.sock.settimeout(getattr(_LOCAL, "read_timeout", None) or self.read_timeout)
        try:
            try:
                conn.request(method, target, body=body, headers=headers)
                response = conn.getresponse()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                if not (reused and method in IDEMPOTENT):
                    raise
                conn.close()
                conn = self._new()
                conn.sock.settimeout(getattr(_LOCAL, "read_timeout", None) or self.read_timeout)
                conn.request(method, target, body=body, headers=headers)
                response = conn.getresponse()
            content = response.read()
        except BaseException:
            conn.close()
            raise
        self._give_back(conn, response)
        return Response(response.status, response.headers, _decoded(content, response.headers))

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


class Http:
    """HTTP with the rules above. One per transport/batch; ``close()`` it. Safe to share between threads."""

    def __init__(
        self,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        max_retry_wait: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.timeout = tuple(timeout)
        self.max_retries = max(0, int(max_retries))
        self.max_retry_wait = float(max_retry_wait)
        self.sleep = sleep
        self._urllib3_timeout = urllib3.Timeout(connect=self.timeout[0], read=self.timeout[1])
        self._lock = threading.Lock()
        self._managers: dict = {}  # proxy URL -> urllib3 ProxyManager
        self._origins: dict = {}  # (scheme, host:port) -> OriginPool of a direct origin
        self._openers: dict = {}  # (scheme, host:port) -> how to send there
        self._ssl_context = None
        # time.monotonic() by which every call must be over (a scheduled run's budget), or None: no
        # request starts after it, reads wait no longer, and a retry (429/503 Retry-After) that would end
        # after it is not made (the answer goes to the caller, who tries in a later run).
        self.deadline: float | None = None

    def _time_left(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    def close(self) -> None:
        """Close every connection this object opened (in any thread)."""
        with self._lock:
            managers, origins = list(self._managers.values()), list(self._origins.values())
            self._managers, self._origins, self._openers = {}, {}, {}
        for manager in managers:
            manager.clear()
        for origin in origins:
            origin.close()

    @staticmethod
    def _ca_bundle() -> str:
        return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or certifi.where()

    def _opener(self, url: str) -> Callable:
        """How to send to ``url``'s origin, found once per origin: ``(method, url, body, headers) ->
        Response``, over its own keep-alive pool, or through the environment's proxy (a plain-HTTP origin
        behind a proxy is sent to the proxy whole, an HTTPS one through a CONNECT tunnel)."""
        parts = urlsplit(url)
        origin = (parts.scheme, parts.netloc)
        opener = self._openers.get(origin)
        if opener is not None:
            return opener
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an HTTP URL: {parts.scheme}://{parts.netloc}")
        proxies = {} if proxy_bypass(parts.hostname) else getproxies()
        proxy = proxies.get(parts.scheme) or proxies.get("all")
        skip = len(f"{parts.scheme}://{parts.netloc}")
        with self._lock:
            if not proxy:
                if parts.scheme == "https" and self._ssl_context is None:
                    self._ssl_context = ssl.create_default_context(cafile=self._ca_bundle())
                pool = self._origins.get(origin)
                if pool is None:
                    pool = OriginPool(
                        parts.scheme, parts.hostname, parts.port, self.timeout, self._ssl_context
                    )
                    self._origins[origin] = pool

                def opener(method, target, body, headers):
                    return pool.exchange(method, target[skip:] or "/", body, headers)

            else:
                manager = self._managers.get(proxy)
                if manager is None:
                    manager = urllib3.ProxyManager(
                        proxy, maxsize=POOL_MAXSIZE, cert_reqs="CERT_REQUIRED", ca_certs=self._ca_bundle()
                    )
                    self._managers[proxy] = manager
                if parts.scheme == "http":
                    send = manager.urlopen  # the whole URL to the proxy
                else:
                    tunnel = manager.connection_from_url(url)

                    def send(method, target, **options):
                        return tunnel.urlopen(method, target[skip:] or "/", assert_same_host=False, **options)

                def opener(method, target, body, headers):
                    answer = send(
                        method,
                        target,
                        body=body,
                        headers=headers,
                        timeout=self._urllib3_timeout,
                        retries=False,
                        redirect=False,
                        preload_content=True,
                        decode_content=True,
                    )
                    return Response(answer.status, answer.headers, answer.data)

            self._openers[origin] = opener
        return opener

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
    ) -> Response:
        """The response (any status) after bounded retries of 429/502/503/504 and network errors.

        Timeouts raise ``AltinnTimeout``, connection failures ``ServiceUnavailable``. ``params`` (a dict or
        pairs; a list value repeats the key, None leaves it out), ``data`` (a dict is form-encoded) and
        ``json`` are sent as ``requests`` would.
        """
        hdrs = {"User-Agent": USER_AGENT, "Accept-Language": "nb", "Accept": "*/*", "Accept-Encoding": "gzip"}
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        body = None
        if json is not None:
            body = jsonlib.dumps(json, allow_nan=False).encode()
            hdrs["Content-Type"] = "application/json"
        elif isinstance(data, dict):
            body = urlencode(data, doseq=True).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        elif data is not None:
            body = data.encode() if isinstance(data, str) else data
        hdrs.update(headers or {})
        query = query_string(params)
        if query:
            url = f"{url}{'&' if '?' in url else '?'}{query}"
        attempts = 1 + (self.max_retries if retry else 0)
        for attempt in range(1, attempts + 1):
            left = self._time_left()
            if left is not None and left <= 0:
                raise errors.AltinnTimeout(f"{what}: not sent, the run's time is up")
            try:
                response = self._exchange(method, url, body, hdrs, left)
            except (urllib3_errors.HTTPError, http.client.HTTPException, OSError, ValueError) as exc:
                failure, retryable = self._network_failure(what, exc)
                if retryable and attempt < attempts and self._fits(self._backoff(attempt, None)):
                    self._wait(attempt, None)
                    continue
                raise failure from exc
            if response.status_code in RETRY_STATUSES and attempt < attempts:
                wait = retry_after_seconds(response)
                if wait is not None and wait > self.max_retry_wait:
                    return response  # Altinn wants a longer pause than a batch should sleep
                if not self._fits(self._backoff(attempt, wait)):
                    return response  # the pause would end after the run's time: a later run tries again
                _logger.info("%s: HTTP %s, retry %s/%s", what, response.status_code, attempt, attempts - 1)
                self._wait(attempt, wait)
                continue
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _exchange(self, method: str, url: str, body, headers: dict, left: float | None = None) -> Response:
        """One request and its whole answer (no retry, no redirect); ``left``: seconds the read may take at
        most (the run's time left), else the read timeout."""
        if left is None or left >= self.timeout[1]:
            return self._opener(url)(method, url, body, headers)
        with _read_timeout(max(left, 0.1)):
            return self._opener(url)(method, url, body, headers)

    def _fits(self, pause: float) -> bool:
        left = self._time_left()
        return left is None or pause < left

    def _network_failure(self, what: str, exc: Exception) -> tuple[errors.AltinnError, bool]:
        """The typed error for a request that got no answer, and whether trying again may help."""
        # Connecting first: urllib3 1.26 makes NewConnectionError a TimeoutError too.
        if isinstance(exc, (ConnectFailed, urllib3_errors.NewConnectionError, urllib3_errors.ProxyError)):
            return errors.ServiceUnavailable(f"{what}: could not connect"), True
        if isinstance(exc, (urllib3_errors.TimeoutError, socket.timeout)):
            return errors.AltinnTimeout(f"{what}: no answer within {self.timeout[1]:.0f} s"), True
        broken = (
            urllib3_errors.ProtocolError,
            urllib3_errors.SSLError,
            http.client.HTTPException,  # a broken or cut-off answer
            ssl.SSLError,
            ConnectionError,  # reset, broken pipe
        )
        if isinstance(exc, broken):
            return errors.ServiceUnavailable(f"{what}: the connection broke off"), True
        # A bad URL, or nothing network-related: trying again would fail the same way.
        return errors.ServiceUnavailable(f"{what}: {type(exc).__name__}"), False

    def _backoff(self, attempt: int, suggested: float | None) -> float:
        delay = suggested if suggested is not None else min(2.0 ** (attempt - 1), self.max_retry_wait)
        return min(max(delay, 0.0), self.max_retry_wait)

    def _wait(self, attempt: int, suggested: float | None) -> None:
        self.sleep(self._backoff(attempt, suggested))


def query_string(params) -> str:
    """``params`` (a dict or (key, value) pairs) as ``requests`` encodes them: a list or tuple value
    repeats its key, None leaves the key out."""
    if not params:
        return ""
    pairs = params.items() if isinstance(params, dict) else params
    flat = []
    for key, value in pairs:
        for one in value if isinstance(value, (list, tuple)) else (value,):
            if one is not None:
                flat.append((key, one))
    return urlencode(flat)
