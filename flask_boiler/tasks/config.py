"""How the view tasks are deployed and paced: one :class:`ViewTasks` value.

``export_view_triggers(globals(), VIEW_MODELS)`` deploys, beside the triggers, one task-queue
function (``viewTasks``) and the trigger that starts remote rebuilds; ``tasks=ViewTasks(...)``
changes their settings and ``tasks=None`` leaves them out (then every fan-out is written in
its trigger, and ``rebuild --remote`` is unavailable).

The defaults, and why:

* **Fan-out threshold 1,000 views, slices of 500** (:mod:`flask_boiler.views.fanout`): up to a
  thousand views a trigger finishes in about a second; a slice of 500 is one transaction.
* **Queue rate limits: 5 dispatches/s, 4 at once.** A task writes at most about 500 documents
  (a slice, or a rebuild page of 200 roots) in a second or two, so two tasks at once already
  reach the 500 writes/s the 500/50/5 rule (:mod:`.ramp`) starts new traffic at, and 5/s caps
  a queue at ~2,500 writes/s — where the ramp arrives after 20 minutes; the ramp itself is kept
  by each task's schedule. 4 concurrent dispatches stay under the default ``max-instances = 10``
  (one request per instance), and under what the Functions emulator can start at once: it runs
  a Python process per concurrent call. Raise both once your traffic has ramped up.
* **Retries: 10 attempts, 1 s doubling to 60 s** (~5 minutes in all): a task killed mid-way or
  a transient error is redelivered within seconds; a slice that keeps failing (a bug in
  ``compute``) is recorded on its last attempt for ``rebuild --skipped``, like a trigger's
  event past its retry window.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..endpoints.options import DeployOptionError
from ..endpoints.task_queues import RateLimits, RetryConfig
from ..views.fanout import DEFAULT_SLICE_SIZE, DEFAULT_THRESHOLD, FanoutPolicy
from .ramp import Ramp

__all__ = ["DEFAULT_QUEUE", "ViewTasks"]

DEFAULT_QUEUE = "viewTasks"
DEFAULT_RETRY = RetryConfig(max_attempts=10, min_backoff_seconds=1, max_backoff_seconds=60, max_doublings=6)
DEFAULT_RATE_LIMITS = RateLimits(max_concurrent_dispatches=4, max_dispatches_per_second=5)


@dataclass(frozen=True)
class ViewTasks:
    """The view tasks' function, queue and pacing (see the module docs).

    ``options`` are the task function's deploy options (``timeout=300``, ``memory="512MiB"``...;
    the project's defaults otherwise); ``region`` is where it is deployed (the first region of
    the project's defaults when ``None``).
    """

    name: str = DEFAULT_QUEUE
    fanout: FanoutPolicy = field(default_factory=lambda: FanoutPolicy(DEFAULT_THRESHOLD, DEFAULT_SLICE_SIZE))
    retry_config: RetryConfig = DEFAULT_RETRY
    rate_limits: RateLimits = DEFAULT_RATE_LIMITS
    ramp: Ramp = field(default_factory=Ramp)
    region: str = "us-central1"
    options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if "region" in self.options or "regions" in self.options:
            raise DeployOptionError("region", "set it as ViewTasks(region=...): tasks are enqueued there.", self.name)

    @property
    def max_attempts(self) -> int | None:
        attempts = self.retry_config.max_attempts
        return None if attempts is None or attempts < 0 else attempts
