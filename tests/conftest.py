"""Suite-wide collection order: the longest test files first.

`make test` runs the suite on two pytest-xdist workers, each with its own emulator stack, and
distributes whole files (``--dist loadfile``: a file's module fixtures set up once). A worker
takes the next file when it is free, so a long file collected last would run alone at the
end; starting with the longest ones keeps both workers busy until the end.

One file goes first, before the property histories: the remote rebuild kills a task
function's worker mid-page, and the transaction that worker had open keeps its locks for a
minute (the Firestore emulator's timeout for an abandoned transaction). Meanwhile the
emulator refuses to clear that database, so the next test on that worker waited 20-72 s in
``clean_firestore``, and a redelivered page may wait in the rebuild itself (88 s once, when
the file ran last, with the other worker idle). The property histories that follow it clear
only databases of their own (a lock in one database does not block clearing another,
measured), so the minute passes while both workers compute.
"""

from __future__ import annotations

import pytest

#: Files (or folders) that take tens of seconds each, longest first (`--durations` shows them),
#: but for the first one.
LONGEST_FIRST = (
    "tests/integration/tasks/test_remote_rebuild.py",  # first: see the module docs
    "tests/integration/views/test_properties_example.py",
    "tests/integration/views/test_properties_props.py",
    "tests/integration/scaffold/",
    "tests/integration/rest/test_chain_concurrency.py",
    "tests/integration/rest/test_contract.py",
    "tests/integration/rest/test_hostile.py",
    "tests/integration/tasks/",
    "tests/e2e/",
)


def _rank(item: pytest.Item) -> int:
    path = item.nodeid.split("::", 1)[0]
    return next((rank for rank, prefix in enumerate(LONGEST_FIRST) if path.startswith(prefix)), len(LONGEST_FIRST))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_rank)  # stable: the order inside a file, and of the other files, is kept
