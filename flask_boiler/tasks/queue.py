"""Enqueueing into a task-queue function with firebase-admin's task queue API.

``firebase_admin.functions.task_queue(...)`` creates Cloud Tasks tasks for a Firebase task-queue
function, authenticated as the running service account (the task carries an OIDC token of it,
which the private function checks); with ``CLOUD_TASKS_EMULATOR_HOST`` set it talks to
firebase-tools' Cloud Tasks emulator instead. :class:`TaskQueue` adds what the framework needs:

* **Named tasks**: a task's id is derived from what it does (a hash: Cloud Tasks stores
  uniformly spread ids best), so enqueueing the same work twice — a trigger redelivered, a
  task retried after it enqueued its successor — creates it once: Cloud Tasks refuses a name
  it has seen in about the last hour, and :meth:`TaskQueue.enqueue` reports that as ``False``.
* **The target URL** of a 2nd-gen function is its Cloud Run URL, which Cloud Tasks must call
  (the OIDC token's audience); it is looked up once per process with the Cloud Functions API
  (``serviceConfig.uri``), as Firebase's documentation does for Python task functions.
* **A schedule** (``delay_seconds``) and the longest dispatch deadline (30 minutes), so Cloud
  Tasks never gives up on a call the function is still running — which would run it twice.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..context import Context
from ..errors import ConfigurationError

__all__ = ["DISPATCH_DEADLINE_SECONDS", "TaskQueue", "task_name"]

#: The longest Cloud Tasks allows: a call is never abandoned while the function still runs.
DISPATCH_DEADLINE_SECONDS = 1800
EMULATOR_HOST_ENV = "CLOUD_TASKS_EMULATOR_HOST"


def task_name(*parts: object) -> str:
    """A Cloud Tasks task id for the work ``parts`` describe (hashed: ids spread uniformly)."""
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()[:40]


@functools.lru_cache(maxsize=32)
def function_url(project: str, region: str, function: str) -> str:
    """The Cloud Run URL of a deployed 2nd-gen function (Cloud Functions API, ``serviceConfig.uri``).

    Needs ``cloudfunctions.functions.get`` (Cloud Functions Viewer) on the running account.
    """
    import google.auth
    from google.auth.transport.requests import AuthorizedSession

    credentials, _ = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
    url = f"https://cloudfunctions.googleapis.com/v2/projects/{project}/locations/{region}/functions/{function}"
    response = AuthorizedSession(credentials).get(url, timeout=30)
    if response.status_code != 200:
        raise ConfigurationError(
            f"cannot look up the URL of the task-queue function {function!r} in {region} ({response.status_code}: "
            f"{response.text[:300]}); is it deployed, and may this account read it (Cloud Functions Viewer)?"
        )
    uri = response.json().get("serviceConfig", {}).get("uri")
    if not isinstance(uri, str) or not uri.startswith("https://"):
        raise ConfigurationError(f"the Cloud Functions API gave no URL for {function!r}: {response.text[:300]}")
    return uri


@dataclass(frozen=True)
class TaskQueue:
    """The queue of one task-queue function (``function`` in ``region``)."""

    function: str
    region: str = "us-central1"

    @property
    def emulated(self) -> bool:
        return bool(os.environ.get(EMULATOR_HOST_ENV))

    def enqueue(self, data: Mapping[str, Any], *, name: str, delay_seconds: float = 0.0) -> bool:
        """Add a task calling the function with ``{"data": data}`` (the callable protocol the
        Firebase SDKs use). ``False``: a task of that ``name`` exists already (a duplicate)."""
        from firebase_admin import exceptions, functions

        app = Context.firebase_app
        queue = functions.task_queue(f"locations/{self.region}/functions/{self.function}", app=app)
        uri = None if self.emulated else function_url(app.project_id, self.region, self.function)
        options = functions.TaskOptions(
            task_id=name,
            schedule_delay_seconds=math.ceil(delay_seconds) if delay_seconds > 0 else None,
            dispatch_deadline_seconds=DISPATCH_DEADLINE_SECONDS,
            uri=uri,
        )
        try:
            queue.enqueue({"data": dict(data)}, options)
        except (exceptions.AlreadyExistsError, exceptions.ConflictError):
            return False
        except ValueError as exc:
            # firebase-admin (7.x) reads back the emulator's answer to a *named* task as if it
            # started with "/" like its generated names do, and fails after the task was created.
            if not (self.emulated and "resource name" in str(exc)):
                raise
        return True
