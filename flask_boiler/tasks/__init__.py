"""Work beyond one invocation, on Cloud Tasks: huge fan-outs and remote rebuilds.

* :class:`ViewTasks`: the view task function's settings (queue, pacing, fan-out threshold);
  ``export_view_triggers(globals(), VIEW_MODELS, tasks=ViewTasks(...))`` deploys it.
* :mod:`.slices`: fan-out slices a trigger enqueues and the task reconciles.
* :mod:`.runs`: remote rebuilds, a chain of page tasks with progress in a run document.
* :mod:`.functions`: the task-queue function itself; :mod:`.payloads` what it accepts.
* :mod:`.queue`: enqueueing with firebase-admin's task queue API; :mod:`.ramp`: the 500/50/5 rule.

This package sits between ``views`` (whose reconciliation its tasks run) and ``triggers``
(which enqueue into it).
"""

from .config import ViewTasks
from .functions import handle_view_task, view_task_function
from .queue import TaskQueue
from .ramp import Ramp
from .runs import follow_run, request_run

__all__ = ["Ramp", "TaskQueue", "ViewTasks", "follow_run", "handle_view_task", "request_run", "view_task_function"]
