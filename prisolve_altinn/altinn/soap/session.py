"""The lifetime of an Altinn 2 PIN (SMS code) authentication.

Altinn: valid 30 minutes from the challenge, renewed to "now + 30 minutes" by every call that uses it, never
beyond 8 hours after the start. The session keeps Altinn's own times (``valid_from``/``valid_to`` from
GetAuthenticationChallenge) and measures "now" on Altinn's clock (our clock + the skew seen when the
challenge arrived), so a countdown stays right even when the server clock differs from ours.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from ..errors import PinSessionExpired
from ..transport import PinChallenge

SLIDING = timedelta(minutes=30)
HARD_CAP = timedelta(hours=8)


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class PinSession:
    valid_from: datetime  # aware, as Altinn returned it
    valid_to: datetime  # aware; moves with every use
    skew: timedelta = timedelta(0)  # Altinn's clock minus ours
    sliding: timedelta = SLIDING
    cap: timedelta = HARD_CAP
    clock: Callable[[], datetime] = field(default=_utcnow, repr=False, compare=False)
    uses: int = 0

    def __post_init__(self):
        if self.valid_from.tzinfo is None or self.valid_to.tzinfo is None:
            raise ValueError("PinSession needs timezone-aware valid_from/valid_to")

    @classmethod
    def from_challenge(
        cls,
        challenge: PinChallenge,
        clock: Callable[[], datetime] = _utcnow,
        received_at: datetime | None = None,
    ) -> PinSession:
        """Session of an ``Ok`` challenge; the skew is taken from ``valid_from`` vs. our time of receipt."""
        if challenge.valid_from is None or challenge.valid_to is None:
            raise ValueError(f"challenge without a validity window (status {challenge.status!r})")
        received_at = received_at or clock()
        return cls(
            valid_from=challenge.valid_from,
            valid_to=challenge.valid_to,
            skew=challenge.valid_from - received_at,
            clock=clock,
        )

    # -- time on Altinn's clock --------
    def now(self) -> datetime:
        return self.clock() + self.skew

    @property
    def hard_deadline(self) -> datetime:
        return self.valid_from + self.cap

    @property
    def deadline(self) -> datetime:
        """When the session ends unless it is used again."""
        return min(self.valid_to, self.hard_deadline)

    def remaining(self, now: datetime | None = None) -> timedelta:
        """Time left before the session ends (never negative): what a countdown shows."""
        now = now or self.now()
        return max(self.deadline - now, timedelta(0))

    def remaining_total(self, now: datetime | None = None) -> timedelta:
        """Time left before the 8-hour cap, if the session is kept in use."""
        now = now or self.now()
        return max(self.hard_deadline - now, timedelta(0))

    def expired(self, now: datetime | None = None, margin: timedelta = timedelta(0)) -> bool:
        return self.remaining(now) <= margin

    def check(self, margin: timedelta = timedelta(0), now: datetime | None = None) -> None:
        """Raise ``PinSessionExpired`` when the session is over (or has less than ``margin`` left)."""
        if self.expired(now, margin):
            raise PinSessionExpired("the PIN session has run out (counted locally)")

    def touch(self, used_at: datetime | None = None) -> None:
        """A call that used the PIN succeeded: slide the window (from when the call was sent)."""
        used_at = used_at or self.now()
        self.check(now=used_at)
        self.valid_to = min(max(self.valid_to, used_at + self.sliding), self.hard_deadline)
        self.uses += 1

    def expire(self) -> None:
        """Altinn said the session is over: end it here too."""
        self.valid_to = min(self.valid_to, self.now())
