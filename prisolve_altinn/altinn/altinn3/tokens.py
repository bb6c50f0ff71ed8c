"""Access tokens and a thread-safe cache that renews them shortly before they expire."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class AccessToken:
    value: str = field(repr=False)
    expires_at: float  # epoch seconds, by our own clock
    issued_at: float
    scope: str = ""
    kind: str = "maskinporten"  # "maskinporten" | "altinn"

    @property
    def lifetime(self) -> float:
        return max(0.0, self.expires_at - self.issued_at)

    def fresh(self, now: float, margin: float) -> bool:
        """Usable for at least ``margin`` more seconds (at most a quarter of its lifetime)."""
        return now < self.expires_at - min(margin, self.lifetime / 4)

    def __str__(self) -> str:  # never print the token itself
        return f"AccessToken({self.kind}, expires_at={self.expires_at:.0f})"


class TokenCache:
    """Tokens by key, e.g. (token URL, client_id, scopes, system-user org, externalRef).

    One lock guards the dict; a per-key lock makes concurrent callers of the same key wait for a
    single fetch instead of each asking Maskinporten (grants are single-use, fetches cost).
    """

    def __init__(self, margin: float = 30.0, clock: Callable[[], float] = time.time):
        self.margin = margin
        self.clock = clock
        self._tokens: dict[Hashable, AccessToken] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, fetch: Callable[[], AccessToken]) -> AccessToken:
        with self._lock:
            token = self._tokens.get(key)
            if token is not None and token.fresh(self.clock(), self.margin):
                return token
            key_lock = self._locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                token = self._tokens.get(key)
            if token is not None and token.fresh(self.clock(), self.margin):
                return token  # another thread fetched it while we waited
            token = fetch()
            with self._lock:
                self._tokens[key] = token
            return token

    def peek(self, key: Hashable) -> AccessToken | None:
        with self._lock:
            return self._tokens.get(key)

    def invalidate(self, key: Hashable | None = None, *, value: str | None = None) -> None:
        """Forget ``key``, or every entry holding the token ``value``, or (no argument) everything."""
        with self._lock:
            if key is None and value is None:
                self._tokens.clear()
            elif key is not None:
                self._tokens.pop(key, None)
            else:
                for k in [k for k, t in self._tokens.items() if t.value == value]:
                    del self._tokens[k]

    def __len__(self) -> int:
        with self._lock:
            return len(self._tokens)


#: Shared by every client in the process (crons build one transport per company and batch).
DEFAULT_CACHE = TokenCache()
