"""Testing helpers for flask-boiler projects: real emulators, clean state, deadlines instead of sleeps.

* :mod:`.emulators`: start, find, reset and stop the local emulator stack; :mod:`.pytest_plugin`
  its fixtures (``emulators``, ``clean_firestore``, ``clean_auth``).
* :mod:`.waiting`: :func:`wait_for` a condition with a deadline.
* :mod:`.events`: real Firestore CloudEvents for handler tests.
* :mod:`.costs`: :func:`~.costs.count_operations`, the billed operations counted at the wire.
* :mod:`.logs`: the structured records deployed code logs (e.g. what each trigger run cost).
* :mod:`.watch`: snapshot listeners that see view documents change as a front end does.
* :mod:`.web`: serve a front end against the stack (``make dev``, browser tests).
"""

from .emulators import EmulatorStack, EmulatorStartError, clear_auth, clear_firestore, start_stack
from .logs import EmulatorLog, TriggerRun, wait_for_trigger_runs
from .waiting import DeadlineExceeded, wait_for
from .watch import ViewWatcher

__all__ = [
    "DeadlineExceeded",
    "EmulatorLog",
    "EmulatorStack",
    "EmulatorStartError",
    "TriggerRun",
    "ViewWatcher",
    "clear_auth",
    "clear_firestore",
    "start_stack",
    "wait_for",
    "wait_for_trigger_runs",
]
