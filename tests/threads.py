"""Running work on several threads at once, for tests of concurrent transactions and deliveries."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

Item = TypeVar("Item")


def run_together(work: Callable[[Item], object], items: Sequence[Item], timeout: float = 120) -> list[BaseException]:
    """Run ``work(item)`` for each of ``items``, each on a thread of its own, released together
    (a barrier), and return what they raised: an exception on a thread is lost unless collected,
    so the test asserts on the list in its own thread."""
    errors: list[BaseException] = []
    start = threading.Barrier(len(items))

    def run(item: Item) -> None:
        try:
            start.wait(timeout=30)
            work(item)
        except BaseException as exc:  # noqa: BLE001 - collected and returned to the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return errors
