"""A call run in a thread beside the build (a rebuild's search index, while the manifest is written): the
build takes its result, or what it raised, in its own thread, and never leaves it running behind.

The call mostly waits (on Pagefind's answers): while it runs, Python hands its one lock between the threads
every SWITCH seconds instead of 5 ms, so that an answer is read at once, not after the build's thread has
had its 5 ms (a rebuild's index waits for three answers a bundle).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
SWITCH = 0.0005  # seconds (sys.setswitchinterval) while a call runs beside the build


class Beside(Generic[T]):
    """`call` started at once in a thread of its own; `result` waits for it."""

    def __init__(self, call: Callable[[], T], name: str) -> None:
        self._value: T | None = None
        self._failure: BaseException | None = None
        self._switch = sys.getswitchinterval()
        sys.setswitchinterval(min(SWITCH, self._switch))
        self._thread = threading.Thread(target=self._run, args=(call,), name=name, daemon=True)
        self._thread.start()

    def _run(self, call: Callable[[], T]) -> None:
        try:
            self._value = call()
        except BaseException as exc:  # raised in the build's thread, by result
            self._failure = exc

    def result(self) -> T:
        """What the call returned, once it has; what it raised is raised here."""
        self.wait()
        if self._failure is not None:
            raise self._failure
        return self._value

    def wait(self) -> None:
        """Wait for the call to end (the build failed: nothing of it may go on), even through a Ctrl-C: the
        folder it writes into is removed next."""
        while self._thread.is_alive():
            try:
                self._thread.join()
            except KeyboardInterrupt:
                self.wait()
                raise
        sys.setswitchinterval(self._switch)
