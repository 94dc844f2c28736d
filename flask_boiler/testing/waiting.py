"""Wait for a condition with a deadline: triggers are asynchronous, fixed sleeps are flaky and slow."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from ..errors import FlaskBoilerError

T = TypeVar("T")


class DeadlineExceeded(FlaskBoilerError, AssertionError):
    """The condition did not hold before the deadline (an ``AssertionError``, so tests fail, not error)."""


def wait_for(
    probe: Callable[[], T | None],
    *,
    timeout: float = 30.0,
    interval: float = 0.1,
    message: str = "condition",
) -> T:
    """Call ``probe`` until it returns something truthy, and return that; else raise at the deadline."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while True:
        last = probe()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise DeadlineExceeded(f"{message} did not hold within {timeout:.1f}s (last value: {last!r}).")
        time.sleep(interval)
