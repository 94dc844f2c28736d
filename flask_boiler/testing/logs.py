"""Read the structured records that deployed code logs, from the emulator stack's log.

The framework logs one JSON object per line (:mod:`flask_boiler.log`: ``severity``,
``message`` and the record's fields), the format Cloud Logging parses. The Functions
emulator copies what its Python workers write into the stack's log, each line prefixed
with ``>  ``. :class:`EmulatorLog` follows that file and hands back the records as
dictionaries, so a test or a demo picks records by their fields, never by the wording
of a message::

    log = EmulatorLog(stack.log_path)       # from the current end of the file
    ...                                     # a domain write
    runs = wait_for_trigger_runs(log, "users/bob")
    assert sum(run.writes for run in runs) == 2
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .waiting import wait_for

__all__ = ["EmulatorLog", "TriggerRun", "parse_record", "wait_for_trigger_runs"]

#: What the Functions emulator puts before each line its workers write.
_WORKER_PREFIX = ">"


def parse_record(line: str) -> dict[str, Any] | None:
    """The JSON object logged on ``line`` (emulator prefix allowed), or ``None`` for other text."""
    text = line.strip()
    if text.startswith(_WORKER_PREFIX):
        text = text[len(_WORKER_PREFIX) :].lstrip()
    if not text.startswith("{"):
        return None
    try:
        record = json.loads(text)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


class EmulatorLog:
    """Follows a stack's log file from where it ended when this object was made."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._offset = path.stat().st_size if path.exists() else 0

    def new_records(self) -> list[dict[str, Any]]:
        """The structured records of the complete lines written since the last call."""
        with self.path.open("rb") as log:
            log.seek(self._offset)
            data = log.read()
        complete, newline, _ = data.rpartition(b"\n")
        if not newline:
            return []
        self._offset += len(complete) + 1
        lines = complete.decode("utf-8", errors="replace").splitlines()
        return [record for record in map(parse_record, lines) if record is not None]


@dataclass(frozen=True)
class TriggerRun:
    """What one view trigger run reported: the document it handled and what it cost."""

    document: str
    event_id: str
    reads: int
    writes: int
    deletes: int
    unchanged: int
    stale: bool

    #: The fields a view trigger's report carries (and that pick it out among other records).
    FIELDS = ("document", "eventId", "reads", "writes", "deletes", "unchanged", "stale")

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> TriggerRun | None:
        """The run ``record`` reports, or ``None`` when it is not a view trigger's report."""
        if not all(name in record for name in cls.FIELDS):
            return None
        return cls(
            document=str(record["document"]),
            event_id=str(record["eventId"]),
            reads=int(record["reads"]),
            writes=int(record["writes"]),
            deletes=int(record["deletes"]),
            unchanged=int(record["unchanged"]),
            stale=bool(record["stale"]),
        )

    @classmethod
    def all_in(cls, records: Iterable[Mapping[str, Any]]) -> list[TriggerRun]:
        return [run for run in map(cls.from_record, records) if run is not None]


def wait_for_trigger_runs(log: EmulatorLog, document: str, timeout: float = 60.0) -> list[TriggerRun]:
    """The trigger runs reported for ``document`` from now on (waits until there is at least one)."""
    runs: list[TriggerRun] = []

    def probe() -> list[TriggerRun]:
        runs.extend(run for run in TriggerRun.all_in(log.new_records()) if run.document == document)
        return runs

    return wait_for(probe, timeout=timeout, message=f"a trigger run reported for {document}")
