"""Which function this instance serves: import what only some functions need, only there.

Cloud Functions deploys every function of ``functions/main.py`` as a service of its own, and
each instance imports the whole module: a function's cold start pays for every import any
other function of the file needs. Each instance is told which function it serves by the
``FUNCTION_TARGET`` environment variable (so is each worker of the Functions emulator);
tooling that imports ``main.py`` to list its functions — the manifest generator, the SDK's
discovery, tests — runs without it and must see every function. :func:`serving` tells the two
apart, so ``main.py`` can keep an expensive import (the official SDK's ~100 ms and more) out of
the instances of the functions that don't use it::

    if serving("next_meeting"):
        from firebase_functions import https_fn

        @https_fn.on_call()
        def next_meeting(request): ...
"""

from __future__ import annotations

import os

__all__ = ["TARGET_ENV", "serving"]

#: Set by Cloud Functions (and by the Functions emulator, per worker) to the entry point served.
TARGET_ENV = "FUNCTION_TARGET"


def serving(*entry_points: str) -> bool:
    """Whether this process may serve one of ``entry_points``: true when it serves one of them,
    and when it serves none in particular (tooling listing every function)."""
    target = os.environ.get(TARGET_ENV)
    return not target or target in entry_points
