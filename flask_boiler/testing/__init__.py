"""The testing kit: test a flask-boiler app against the real Firebase emulators.

Everything a project's tests need, importable from here (``from flask_boiler.testing
import wait_for, recorded_event, deliver, count_operations, FirestoreClient``); the pytest
fixtures are registered automatically wherever flask-boiler is installed
(:mod:`.pytest_plugin`: ``emulators``, ``clean_firestore``, ``clean_auth``, ``auth_emulator``,
``function_url``, ``hosting_url``, ``view_registry``).

* The stack (:mod:`.emulators`): :func:`start_stack`, :class:`EmulatorStack`, :func:`clear_firestore`,
  :func:`clear_auth`.
* Waiting (:mod:`.waiting`): :func:`wait_for` a condition with a deadline, never a fixed sleep.
* Events (:mod:`.events`): :func:`recorded_event` (the event of a real write),
  :func:`document_event` (built; its ``update_time`` read from Firestore by default),
  :func:`deliver` (to the view trigger, in this process).
* Costs (:mod:`.costs`): :func:`count_operations`, the billed reads and writes counted at the wire.
* Users (:mod:`.auth`): :class:`AuthEmulator` users and real ID tokens, :class:`SignedInUser`.
* Rules (:mod:`.rules`): :class:`FirestoreClient`, Firestore as a signed-in client sees it.
* Logs and views (:mod:`.logs`, :mod:`.watch`): the records deployed functions log
  (:func:`wait_for_trigger_runs`), :class:`ViewWatcher` (snapshot listeners, as a front end).

Names load on first use (PEP 562), so importing the package (the CLI does) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: Public name -> the module of this package that defines it.
_EXPORTS = {
    "EmulatorStack": "emulators",
    "EmulatorStartError": "emulators",
    "clear_auth": "emulators",
    "clear_firestore": "emulators",
    "start_stack": "emulators",
    "DeadlineExceeded": "waiting",
    "wait_for": "waiting",
    "RecordedEvent": "events",
    "deliver": "events",
    "document_event": "events",
    "recorded_event": "events",
    "FirestoreMeter": "costs",
    "MeterError": "costs",
    "OperationCount": "costs",
    "count_operations": "costs",
    "AuthEmulator": "auth",
    "AuthEmulatorError": "auth",
    "SignedInUser": "auth",
    "FirestoreClient": "rules",
    "unsigned_id_token": "rules",
    "EmulatorLog": "logs",
    "TriggerRun": "logs",
    "wait_for_trigger_runs": "logs",
    "ViewWatcher": "watch",
}

__all__ = [
    "AuthEmulator",
    "AuthEmulatorError",
    "DeadlineExceeded",
    "EmulatorLog",
    "EmulatorStack",
    "EmulatorStartError",
    "FirestoreClient",
    "FirestoreMeter",
    "MeterError",
    "OperationCount",
    "RecordedEvent",
    "SignedInUser",
    "TriggerRun",
    "ViewWatcher",
    "clear_auth",
    "clear_firestore",
    "count_operations",
    "deliver",
    "document_event",
    "recorded_event",
    "start_stack",
    "unsigned_id_token",
    "wait_for",
    "wait_for_trigger_runs",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:  # pragma: no cover - what type checkers and IDEs see
    from .auth import AuthEmulator, AuthEmulatorError, SignedInUser
    from .costs import FirestoreMeter, MeterError, OperationCount, count_operations
    from .emulators import EmulatorStack, EmulatorStartError, clear_auth, clear_firestore, start_stack
    from .events import RecordedEvent, deliver, document_event, recorded_event
    from .logs import EmulatorLog, TriggerRun, wait_for_trigger_runs
    from .rules import FirestoreClient, unsigned_id_token
    from .waiting import DeadlineExceeded, wait_for
    from .watch import ViewWatcher
