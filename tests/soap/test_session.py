"""PIN session: Altinn's window, sliding 30 minutes per use, 8-hour cap, skew-free countdown."""

from datetime import datetime, timedelta, timezone

import pytest

from prisolve_altinn.altinn.errors import PinSessionExpired
from prisolve_altinn.altinn.soap.session import PinSession
from prisolve_altinn.altinn.transport import PinChallenge

OSLO = timezone(timedelta(hours=1))


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, **kw):
        self.now += timedelta(**kw)


def make(server_offset=timedelta(0)):
    clock = Clock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
    start = (clock.now + server_offset).astimezone(OSLO)
    challenge = PinChallenge("Ok", "", start, start + timedelta(minutes=30))
    return PinSession.from_challenge(challenge, clock=clock), clock


def test_window_from_challenge_and_expiry():
    session, clock = make()
    assert session.remaining() == timedelta(minutes=30)
    clock.advance(minutes=29, seconds=59)
    assert not session.expired()
    assert session.expired(margin=timedelta(seconds=30))
    with pytest.raises(PinSessionExpired):
        session.check(margin=timedelta(seconds=30))
    clock.advance(seconds=1)
    assert session.expired() and session.remaining() == timedelta(0)
    with pytest.raises(PinSessionExpired):
        session.touch()


def test_sliding_window():
    session, clock = make()
    clock.advance(minutes=20)
    session.touch()
    assert session.remaining() == timedelta(minutes=30)
    assert session.uses == 1
    clock.advance(minutes=25)
    assert session.remaining() == timedelta(minutes=5)
    session.touch(used_at=session.now() - timedelta(seconds=10))  # renewal counts from when the call was sent
    assert session.remaining() == timedelta(minutes=29, seconds=50)


def test_eight_hour_cap():
    session, clock = make()
    for _ in range(16 * 2):
        clock.advance(minutes=15)
        if session.expired():
            break
        session.touch()
    # 8 h after the start the session ends even though it was in constant use.
    assert session.now() - session.valid_from == timedelta(hours=8)
    assert session.expired()
    assert session.valid_to == session.hard_deadline == session.valid_from + timedelta(hours=8)


def test_cap_limits_the_last_renewal():
    session, clock = make()
    clock.advance(hours=7, minutes=50)
    session.valid_to = session.now() + timedelta(minutes=5)  # kept alive until here
    session.touch()
    assert session.remaining() == timedelta(minutes=10)
    assert session.remaining_total() == timedelta(minutes=10)


def test_server_clock_skew_does_not_shift_countdown():
    session, clock = make(server_offset=timedelta(minutes=-7))  # Altinn's clock 7 minutes behind ours
    assert session.remaining() == timedelta(minutes=30)
    clock.advance(minutes=10)
    assert session.remaining() == timedelta(minutes=20)


def test_expire_ends_session():
    session, _ = make()
    session.expire()
    assert session.expired()


def test_requires_aware_times_and_a_window():
    with pytest.raises(ValueError):
        PinSession(datetime(2026, 1, 1), datetime(2026, 1, 1, 0, 30))
    with pytest.raises(ValueError):
        PinSession.from_challenge(PinChallenge("NoPhoneNumber", "x"))
