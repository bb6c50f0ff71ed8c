"""Plug-in point for extra HTTP routes (Altinn 3 REST, …) and reset hooks.

    from altinn_emulator import routes
    routes.register("POST", r"^/token$", handler)   # handler(state, request) -> routes.Response

Routes are global to the process and tried in registration order, before the built-in SOAP paths.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs

_lock = threading.Lock()
_routes: list[tuple[str, re.Pattern, Callable]] = []
_reset_hooks: list[Callable] = []


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    match: re.Match | None = None
    client: tuple | None = None

    @classmethod
    def build(cls, method: str, raw_path: str, headers, body: bytes, client=None) -> Request:
        path, _, query = raw_path.partition("?")
        return cls(
            method.upper(),
            path,
            parse_qs(query, keep_blank_values=True),
            {k.lower(): v for k, v in headers.items()},
            body,
            None,
            client,
        )

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def json(self):
        """The JSON body ({} when empty). Raises ValueError when it is not valid JSON."""
        if not self.body.strip():
            return {}
        return json.loads(self.body.decode("utf-8"))

    @property
    def raw_query(self) -> str:
        return "&".join(f"{k}={v}" for k, values in self.query.items() for v in values)


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (injected slowness)

    @classmethod
    def json(cls, data, status: int = 200, headers: dict | None = None) -> Response:
        body = json.dumps(data, ensure_ascii=False, indent=None, default=str).encode("utf-8")
        return cls(status, body, "application/json; charset=utf-8", headers or {})

    @classmethod
    def xml(cls, body: bytes | str, status: int = 200) -> Response:
        if isinstance(body, str):
            body = body.encode("utf-8")
        return cls(status, body, "text/xml; charset=utf-8")

    @classmethod
    def text(cls, text: str, status: int = 200, content_type: str = "text/plain; charset=utf-8") -> Response:
        return cls(status, text.encode("utf-8"), content_type)


def register(method: str, path_regex: str, handler: Callable) -> None:
    """Add a route. ``method`` is an HTTP method or "*"; ``path_regex`` is re.match'ed against the path."""
    with _lock:
        _routes.append((method.upper(), re.compile(path_regex), handler))


def unregister(path_regex: str) -> None:
    with _lock:
        _routes[:] = [r for r in _routes if r[1].pattern != path_regex]


def find(method: str, path: str) -> tuple[Callable, re.Match] | tuple[None, bool]:
    """(handler, match) for the first matching route; (None, True) when only the method differs."""
    path_matched = False
    with _lock:
        candidates = list(_routes)
    for route_method, pattern, handler in candidates:
        match = pattern.match(path)
        if match is None:
            continue
        if route_method in ("*", method.upper()):
            return handler, match
        path_matched = True
    return None, path_matched


def on_reset(hook: Callable) -> None:
    """``hook(state)`` runs after every (re)seed of the state, with ``state.lock`` held."""
    with _lock:
        if hook not in _reset_hooks:
            _reset_hooks.append(hook)


def run_reset_hooks(state) -> None:
    with _lock:
        hooks = list(_reset_hooks)
    for hook in hooks:
        hook(state)
