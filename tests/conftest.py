"""Suite-wide collection order: the longest test files first.

`make test` runs the suite on two pytest-xdist workers, each with its own emulator stack, and
distributes whole files (``--dist loadfile``: a file's module fixtures set up once). A worker
takes the next file when it is free, so a long file collected last would run alone at the
end; starting with the longest ones keeps both workers busy until the end.

One file goes last instead: the remote rebuild kills a task function's worker mid-page, and
the transaction that worker had open keeps its locks for a minute (the Firestore emulator's
timeout for an abandoned transaction), during which the emulator refuses to clear the
database: the next test on that worker waited 20-72 s in ``clean_firestore`` (measured).
Last, nothing waits for it.
"""

from __future__ import annotations

import pytest

#: Files (or folders) that take tens of seconds each, longest first (`--durations` shows them).
LONGEST_FIRST = (
    "tests/integration/views/test_properties_example.py",
    "tests/integration/views/test_properties_props.py",
    "tests/integration/scaffold/",
    "tests/integration/rest/test_chain_concurrency.py",
    "tests/integration/rest/test_contract.py",
    "tests/integration/rest/test_hostile.py",
    "tests/integration/tasks/",
    "tests/e2e/",
)


#: Files that leave the stack's database locked for a while (see the module docs): after all others.
LAST = ("tests/integration/tasks/test_remote_rebuild.py",)


def _rank(item: pytest.Item) -> int:
    path = item.nodeid.split("::", 1)[0]
    if path.startswith(LAST):
        return len(LONGEST_FIRST) + 1
    return next((rank for rank, prefix in enumerate(LONGEST_FIRST) if path.startswith(prefix)), len(LONGEST_FIRST))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_rank)  # stable: the order inside a file, and of the other files, is kept
