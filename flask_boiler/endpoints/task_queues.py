"""Declaring task-queue functions: a Cloud Tasks queue and the private function it calls.

``task_queue_endpoint(fn, retry_config=..., rate_limits=..., **options)`` marks a
functions-framework HTTP function as a ``taskQueueTrigger`` endpoint of the manifest
(firebase-tools' v1alpha1 keys, checked by its own parser in ``make check``). On deploy,
firebase-tools creates (or updates) a Cloud Tasks queue named like the function with these
settings; the function itself is private: only Cloud Tasks, calling with an OIDC token of an
account that may invoke it, reaches it. Locally, the Functions emulator registers the same
queue with firebase-tools' Cloud Tasks emulator, which honours the rate limits and retries.

Why our own declaration rather than ``firebase_functions.tasks_fn.on_task_dispatched``: the
framework's functions are plain functions-framework functions listed in a manifest it
generates (:mod:`flask_boiler.deploy.manifest`); one declaration style for every kind keeps
the options layering (project defaults, then the declaration) and its checks in one place.
The request body follows the callable protocol the SDK uses (``{"data": ...}``), so a task
enqueued by either side is understood by the other.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from .declarations import EndpointSpec, attach
from .options import TASK, DeployOptionError, parse_options

__all__ = ["QUEUE_ID", "RateLimits", "RetryConfig", "task_queue_endpoint"]

F = TypeVar("F", bound=Callable[..., Any])

#: Cloud Tasks queue ids (the queue is named like the function): letters, digits and hyphens.
QUEUE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,62}$")


def _number(option: str, value: Any, where: str, minimum: float, maximum: float | None = None) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DeployOptionError(option, f"expected a number, got {value!r}.", where)
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum:g} and {maximum:g}" if maximum is not None else f"at least {minimum:g}"
        raise DeployOptionError(option, f"{value!r} must be {bound}.", where)
    return value


def _whole(option: str, value: Any, where: str, minimum: int, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DeployOptionError(option, f"expected a whole number, got {value!r}.", where)
    return int(_number(option, value, where, minimum, maximum))


@dataclass(frozen=True)
class RetryConfig:
    """How Cloud Tasks retries a task whose call failed (not 2xx, or no answer).

    ``max_attempts`` counts the first one (``-1``: no limit; Cloud Tasks' default is 100, the
    Firebase default 3); the pause starts at ``min_backoff_seconds``, doubles ``max_doublings``
    times, then grows linearly up to ``max_backoff_seconds``; ``max_retry_seconds`` bounds the
    whole retry window (0: no bound).
    """

    max_attempts: int | None = None
    max_retry_seconds: int | None = None
    min_backoff_seconds: float | None = None
    max_backoff_seconds: float | None = None
    max_doublings: int | None = None

    def checked(self, where: str) -> RetryConfig:
        if self.max_attempts is not None and self.max_attempts != -1:
            _whole("retry_config.max_attempts", self.max_attempts, where, 1, 100)
        if self.max_retry_seconds is not None:
            _whole("retry_config.max_retry_seconds", self.max_retry_seconds, where, 0)
        for name in ("min_backoff_seconds", "max_backoff_seconds"):
            if getattr(self, name) is not None:
                _number(f"retry_config.{name}", getattr(self, name), where, 0, 3600)
        if self.max_doublings is not None:
            _whole("retry_config.max_doublings", self.max_doublings, where, 0, 16)
        low, high = self.min_backoff_seconds, self.max_backoff_seconds
        if low is not None and high is not None and low > high:
            raise DeployOptionError(
                "retry_config", f"min_backoff_seconds {low} exceeds max_backoff_seconds {high}.", where
            )
        return self

    def manifest(self) -> dict[str, Any]:
        keys = {
            "max_attempts": "maxAttempts",
            "max_retry_seconds": "maxRetrySeconds",
            "min_backoff_seconds": "minBackoffSeconds",
            "max_backoff_seconds": "maxBackoffSeconds",
            "max_doublings": "maxDoublings",
        }
        return {key: getattr(self, name) for name, key in keys.items() if getattr(self, name) is not None}


@dataclass(frozen=True)
class RateLimits:
    """How fast Cloud Tasks dispatches: at most ``max_dispatches_per_second`` (Cloud Tasks
    allows up to 500) and ``max_concurrent_dispatches`` calls under way at once (up to 5,000;
    keep it at or below ``max_instances`` × ``concurrency``, or calls beyond are refused and
    retried)."""

    max_concurrent_dispatches: int | None = None
    max_dispatches_per_second: float | None = None

    def checked(self, where: str) -> RateLimits:
        if self.max_concurrent_dispatches is not None:
            _whole("rate_limits.max_concurrent_dispatches", self.max_concurrent_dispatches, where, 1, 5000)
        if self.max_dispatches_per_second is not None:
            _number("rate_limits.max_dispatches_per_second", self.max_dispatches_per_second, where, 0.001, 500)
        return self

    def manifest(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.max_concurrent_dispatches is not None:
            out["maxConcurrentDispatches"] = self.max_concurrent_dispatches
        if self.max_dispatches_per_second is not None:
            out["maxDispatchesPerSecond"] = self.max_dispatches_per_second
        return out


def task_queue_endpoint(
    function: F,
    *,
    retry_config: RetryConfig | None = None,
    rate_limits: RateLimits | None = None,
    **options: Any,
) -> F:
    """Declare ``function`` (an HTTP function: ``functions_framework.http(...)``) as a task-queue
    function; its queue is named like it, so the name may use letters, digits and hyphens only.

    ``options`` are deploy options (:class:`~.options.FunctionOptions`); ``invoker`` names the
    service accounts that may enqueue (never ``"public"``).
    """
    where = getattr(function, "__name__", repr(function))
    if not QUEUE_ID.match(where):
        raise DeployOptionError(
            "name",
            "a task-queue function names its Cloud Tasks queue, whose id allows only letters, digits and hyphens "
            "(no '_'); call it e.g. 'viewTasks'.",
            where,
        )
    trigger: dict[str, Any] = {}
    if retry_config is not None:
        trigger["retryConfig"] = retry_config.checked(where).manifest()
    if rate_limits is not None:
        trigger["rateLimits"] = rate_limits.checked(where).manifest()
    parsed = parse_options(options, where=where)
    return attach(function, EndpointSpec(TASK, {"taskQueueTrigger": trigger}, parsed))
