"""Pacing writes by Firestore's "500/50/5" rule for new traffic.

Firestore asks that traffic to a collection (or a range of document names) it has not seen
start at no more than 500 operations per second and grow by at most 50% every 5 minutes, so
it can split the load across servers in time. A rebuild writing a new view model's
collection, or a fan-out rewriting thousands of views, is such traffic.

:class:`Ramp` says, for work of a given size already handed out, when the next piece may
start: the earliest time at which the ramp's cumulative allowance (500 ops/s for 5 minutes,
then 750, then 1,125, ...) covers the operations before it. Tasks carry that time as their
``scheduleTime`` (Cloud Tasks holds them until then), and the queue's ``rateLimits`` cap what
runs at once. The Cloud Tasks emulator ignores ``scheduleTime``: locally nothing is held back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import UsageError

__all__ = ["Ramp"]


@dataclass(frozen=True)
class Ramp:
    """``start`` operations per second, times ``growth`` every ``period`` seconds."""

    start: float = 500.0
    growth: float = 1.5
    period: float = 300.0

    def __post_init__(self) -> None:
        if not (self.start > 0 and self.growth >= 1 and self.period > 0):
            raise UsageError(f"Ramp needs start > 0, growth >= 1 and period > 0, got {self}.")

    def rate_at(self, seconds: float) -> float:
        """Operations per second allowed ``seconds`` after the traffic began."""
        return self.start * self.growth ** math.floor(max(0.0, seconds) / self.period)

    def allowed_by(self, seconds: float) -> float:
        """Operations allowed in total in the first ``seconds``."""
        total, elapsed, rate = 0.0, 0.0, self.start
        while elapsed + self.period <= seconds:
            total += rate * self.period
            elapsed += self.period
            rate *= self.growth
        return total + rate * max(0.0, seconds - elapsed)

    def seconds_for(self, operations: float) -> float:
        """The earliest time (seconds after the start) by which ``operations`` are allowed:
        when the piece of work that comes after them may begin."""
        remaining, elapsed, rate = max(0.0, operations), 0.0, self.start
        while remaining > rate * self.period:
            remaining -= rate * self.period
            elapsed += self.period
            rate *= self.growth
        return elapsed + remaining / rate
