"""Controllable clock: real time plus an offset, or frozen. Tests move it instead of sleeping."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

try:
    from zoneinfo import ZoneInfo

    OSLO = ZoneInfo("Europe/Oslo")
except Exception:  # pragma: no cover - no tz database: Altinn's winter offset is close enough
    OSLO = timezone(timedelta(hours=1), "CET")


def to_oslo(value: datetime) -> datetime:
    """Aware datetime in Oslo time; naive values are taken as Oslo local time (as Altinn does)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=OSLO)
    return value.astimezone(OSLO)


class Clock:
    """``now()`` = real time + offset, unless frozen (then the frozen instant + offset)."""

    def __init__(self, start: datetime | None = None, frozen: bool = False):
        self._lock = threading.Lock()
        self._offset = timedelta(0)
        self._frozen_at: datetime | None = None
        self._initial = (start, frozen)
        self.reset()

    def reset(self) -> None:
        start, frozen = self._initial
        with self._lock:
            self._offset = timedelta(0)
            self._frozen_at = None
            if start is not None:
                self._offset = to_oslo(start) - datetime.now(OSLO)
            if frozen:
                self._frozen_at = datetime.now(OSLO)

    def now(self) -> datetime:
        with self._lock:
            base = self._frozen_at if self._frozen_at is not None else datetime.now(OSLO)
            return (base + self._offset).astimezone(OSLO)

    def advance(self, seconds: float = 0, *, minutes: float = 0, hours: float = 0) -> datetime:
        with self._lock:
            self._offset += timedelta(seconds=seconds, minutes=minutes, hours=hours)
        return self.now()

    def set(self, value: datetime) -> datetime:
        with self._lock:
            base = self._frozen_at if self._frozen_at is not None else datetime.now(OSLO)
            self._offset = to_oslo(value) - base
        return self.now()

    def freeze(self, frozen: bool = True) -> datetime:
        now = self.now()
        with self._lock:
            if frozen:
                self._frozen_at = now
                self._offset = timedelta(0)
            else:
                self._frozen_at = None
                self._offset = now - datetime.now(OSLO)
        return self.now()

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None
