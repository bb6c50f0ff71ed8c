"""The ``Transport`` contract: what a caller may ask of any transport, and the documented defaults of what
only some transports can do (callers ask the ``can_*`` flags; they never probe with ``getattr``)."""

from __future__ import annotations

import importlib
import logging
import pkgutil
from datetime import datetime, timezone

import pytest

import prisolve_altinn.altinn as protocol
from prisolve_altinn.altinn.transport import NotSupported, Transport
from prisolve_altinn.altinn.types import AltinnItem

# (flag, the method the flag promises)
CAPABILITIES = (("can_fetch_item", "fetch_item"), ("can_mark_seen", "mark_seen"))
# Every transport answers these, whatever it can do.
CONTRACT = ("fetch", "sync_marker", "fetch_item", "mark_seen", "search_together", "set_deadline", "close")


def _transport_classes():
    for info in pkgutil.walk_packages(protocol.__path__, f"{protocol.__name__}."):
        importlib.import_module(info.name)
    found, todo = set(), [Transport]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub.__module__.startswith(protocol.__name__) and sub not in found:
                found.add(sub)
                todo.append(sub)
    return sorted(found, key=lambda cls: cls.__qualname__)


TRANSPORTS = _transport_classes()


class Plain(Transport):
    """A transport that only fetches: every default of the base."""

    name = "plain"

    def __init__(self, fail_close=False):
        self.fail_close = fail_close
        self.closed = 0

    def fetch(self, reportee, since, until, credentials=None, known=None):
        yield from ()

    def close(self):
        self.closed += 1
        if self.fail_close:
            raise OSError("connection reset")


def test_the_package_has_its_three_transports():
    assert {cls.__name__ for cls in TRANSPORTS} >= {"Altinn2Transport", "Altinn3Transport", "UploadTransport"}


@pytest.mark.parametrize("cls", TRANSPORTS, ids=lambda cls: cls.__name__)
def test_every_transport_answers_the_whole_contract(cls):
    for method in CONTRACT:
        assert callable(getattr(cls, method, None)), f"{cls.__name__}.{method}"
    assert not getattr(cls, "__abstractmethods__", None), cls.__abstractmethods__


@pytest.mark.parametrize("cls", TRANSPORTS, ids=lambda cls: cls.__name__)
def test_a_capability_flag_is_set_exactly_when_the_transport_implements_it(cls):
    for flag, method in CAPABILITIES:
        implemented = getattr(cls, method) is not getattr(Transport, method)
        assert getattr(cls, flag) is implemented, f"{cls.__name__}.{flag} and {method}"


def test_altinn3_reads_items_again_and_marks_them_seen():
    altinn3 = next(cls for cls in TRANSPORTS if cls.__name__ == "Altinn3Transport")
    assert altinn3.can_fetch_item and altinn3.can_mark_seen
    assert altinn3.set_deadline is not Transport.set_deadline
    assert altinn3.search_together is not Transport.search_together


def test_what_a_transport_cannot_do_raises_not_supported():
    transport = Plain()
    assert not transport.can_fetch_item and not transport.can_mark_seen
    with pytest.raises(NotSupported):
        transport.fetch_item("310000001", "correspondence:1")
    item = AltinnItem(
        reference="correspondence:1",
        kind="correspondence",
        reportee="310000001",
        title="x",
        transport="plain",
    )
    with pytest.raises(NotSupported):
        transport.mark_seen(item)
    assert issubclass(NotSupported, NotImplementedError)


def test_search_together_and_set_deadline_change_nothing_by_default():
    transport = Plain()
    now = datetime.now(timezone.utc)
    assert transport.search_together({"310000001": (now, now)}) is None
    assert transport.set_deadline(0.0) is None
    assert transport.set_deadline(None) is None
    assert list(transport.fetch("310000001", now, now)) == []


def test_close_quietly_logs_a_failing_close_and_never_raises(caplog):
    transport = Plain(fail_close=True)
    with caplog.at_level(logging.WARNING, logger="prisolve_altinn.altinn.transport"):
        transport.close_quietly()
    assert transport.closed == 1
    assert "Closing the Altinn transport plain failed" in caplog.text
    assert "connection reset" in caplog.text  # with the traceback


def test_the_context_manager_closes_once_and_keeps_the_blocks_error(caplog):
    with Plain() as transport:
        pass
    assert transport.closed == 1
    failing = Plain(fail_close=True)
    with pytest.raises(ValueError, match="the block's own"), caplog.at_level(logging.WARNING):
        with failing:
            raise ValueError("the block's own")
    assert failing.closed == 1
    assert "Closing the Altinn transport plain failed" in caplog.text
