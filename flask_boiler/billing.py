"""What Firestore bills: the counters a refresh reports and the wire meter counts.

Firestore charges per document read (a lookup of a missing document too, a query at least
one), per document written and per document deleted (priced as a write). Two places count
them — :class:`~flask_boiler.views.refresh.RefreshReport` (what the engine says it did) and
:class:`~flask_boiler.testing.costs.OperationCount` (what crossed the wire) — and the
benchmark and the tests compare the two, so they share one definition of the counters and
of what a billed write is.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Billed"]


@dataclass
class Billed:
    """Billed operations, and the commits that carried the writes."""

    reads: int = 0
    writes: int = 0
    deletes: int = 0
    #: ``Commit`` (and ``BatchWrite``) calls.
    commits: int = 0

    @property
    def billed_writes(self) -> int:
        """Writes as Firestore prices them: a delete costs a write."""
        return self.writes + self.deletes

    def billing_fields(self) -> dict[str, int]:
        """The counters, as fields of a structured log record."""
        return {"reads": self.reads, "writes": self.writes, "deletes": self.deletes, "commits": self.commits}
