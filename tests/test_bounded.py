"""A bounded call returns, raises or gives up within its time, whatever the call waits on."""

import threading
import time

import pytest

from zaitun.bounded import Overdue, call_within


def test_a_call_that_never_returns_is_given_up_after_its_time():
    release = threading.Event()
    started = time.monotonic()
    with pytest.raises(Overdue, match="no answer within 0.2 s"):
        call_within(0.2, release.wait, "hangs")
    assert time.monotonic() - started < 2
    release.set()


def test_a_call_returns_its_value_and_raises_its_own_error():
    assert call_within(5, lambda: "sent", "quick") == "sent"
    with pytest.raises(ConnectionRefusedError):
        call_within(5, lambda: (_ for _ in ()).throw(ConnectionRefusedError()), "refused")
