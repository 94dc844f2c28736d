"""Testing helpers for flask-boiler projects: real emulators, clean state, deadlines instead of sleeps."""

from .emulators import EmulatorStack, EmulatorStartError, clear_auth, clear_firestore, start_stack
from .waiting import DeadlineExceeded, wait_for

__all__ = [
    "DeadlineExceeded",
    "EmulatorStack",
    "EmulatorStartError",
    "clear_auth",
    "clear_firestore",
    "start_stack",
    "wait_for",
]
