"""Remote rebuilds: the pages of a rebuild, run one after another by Cloud Tasks.

``flask-boiler rebuild View --remote`` creates a *run* document, ``flaskBoilerRebuildRuns/{run}``;
a Firestore trigger (``on_view_rebuild_requested``) enqueues its first page, and each page task
reconciles one page of roots (then, with orphan deletion on, one page of views), records its
progress in the run document and enqueues the next page — a chain of tasks, like the backfill of
Firebase's extensions. The command only reads the run document to draw its progress bar, so it
needs the same access as a local rebuild (Firestore), not Cloud Tasks rights; it can be stopped
and started again at any time (it attaches to the running run).

**Exactly once, over at-least-once tasks.** The run document holds the one cursor (``after``:
the last document name of the last finished page) and the number of finished pages (``step``).
The task for page ``n`` does its page only while ``step == n``; it then advances ``step``, the
cursor and the counters in a transaction that checks ``step`` is still ``n`` — so a page
delivered twice (a duplicate, or a retry of a task killed after its commit) is counted once, and
since only that transaction moves the cursor, no page is skipped. The next task is enqueued only
after the commit, under a name derived from (run, n+1): a redelivered task ``n`` that finds
``step == n+1`` enqueues it again — Cloud Tasks keeps one — in case the first delivery died in
between. Reconciling a page twice writes nothing the second time.

**Resumable.** A chain that stopped (a page failed on every attempt: see the queue's
``retryConfig``) leaves its run ``running`` with an old ``updatedAt``; the command then starts a
new run from the old one's cursor and counters and marks the old one ``superseded`` (any task of
it still around stops there). ``--restart`` supersedes whatever runs and starts from scratch.

**Paced.** Each page's task is scheduled so the run's writes so far stay within the 500/50/5
ramp counted from the run's start (:mod:`.ramp`).
"""

from __future__ import annotations

import datetime
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from google.cloud.firestore_v1 import Increment
from google.cloud.firestore_v1.base_query import FieldFilter

from ..log import get_logger
from ..transactions import run_in_transaction
from ..views.fanout import FanoutPolicy, Slice, plan_fanout
from ..views.pages import count_documents, document_page
from ..views.rebuild import delete_orphans, orphan_page_size, record_skipped, view_name
from ..views.reconcile import reconcile
from ..views.sources import SourceReader
from ..views.view_model import ViewModel
from .payloads import PageTask, page_payload
from .queue import TaskQueue, task_name
from .ramp import Ramp
from .slices import enqueue_slices

__all__ = ["RUNS", "STALL_AFTER", "PageOutcome", "follow_run", "request_run", "run_page", "start_run"]

logger = get_logger("tasks")

RUNS = "flaskBoilerRebuildRuns"
#: A running run whose progress is older than this is taken for stopped and resumed anew.
STALL_AFTER = datetime.timedelta(minutes=10)

_COUNTERS = (
    "roots",
    "views",
    "written",
    "deleted",
    "unchanged",
    "orphans",
    "reads",
    "blocked",
    "failedRoots",
    "deferred",
)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@dataclass(frozen=True)
class PageOutcome:
    """What one page task did: ``done`` the page (and counted it), or nothing because it was a
    ``duplicate`` or the run is over (``reason`` says which)."""

    done: bool
    reason: str = ""
    step: int | None = None


# -- starting -----------------------------------------------------------------------------------


def request_run(
    db: Any,
    view_cls: type[ViewModel],
    *,
    page_size: int,
    delete_orphans: bool = True,
    restart: bool = False,
    now: datetime.datetime | None = None,
) -> tuple[str, bool]:
    """Start a remote rebuild of ``view_cls``, or attach to the one under way.

    Returns ``(run id, attached)``. Creating the run document is the request: the deployed
    trigger enqueues its first page.
    """
    now = now or _now()
    name = view_name(view_cls)
    active = list(
        db.collection(RUNS)
        .where(filter=FieldFilter("view", "==", name))
        .where(filter=FieldFilter("state", "==", "running"))
        .stream()
    )
    active.sort(key=lambda snapshot: snapshot.get("updatedAt") or now, reverse=True)
    resume_from: dict[str, Any] | None = None
    run_id = f"{view_cls.__name__}-{uuid.uuid4().hex[:12]}"
    for snapshot in active:
        updated = snapshot.get("updatedAt")
        if not restart and updated is not None and now - updated < STALL_AFTER:
            return snapshot.id, True
        if not restart and resume_from is None:
            resume_from = {**(snapshot.to_dict() or {}), "id": snapshot.id}
        snapshot.reference.update({"state": "superseded", "supersededBy": run_id, "updatedAt": now})
    data: dict[str, Any] = {
        "view": name,
        "state": "running",
        "phase": "roots",
        "step": 0,
        "after": None,
        "pageSize": page_size,
        "deleteOrphans": delete_orphans,
        "total": count_documents(db, view_cls.declaration().root_path),
        "orphanTotal": None,
        **dict.fromkeys(_COUNTERS, 0),
        "ops": 0,
        "redelivered": 0,
        "duplicates": 0,
        "createdAt": now,
        "updatedAt": now,
        "finishedAt": None,
        "resumedFrom": None,
    }
    if resume_from is not None:
        for key in ("phase", "step", "after", "total", "orphanTotal", *_COUNTERS):
            data[key] = resume_from.get(key, data[key])
        data["resumedFrom"] = resume_from["id"]
    db.collection(RUNS).document(run_id).create(data)
    return run_id, False


def start_run(db: Any, queue: TaskQueue, run_id: str, ramp: Ramp | None = None) -> bool:
    """Enqueue the next page of a run that is running (what the request trigger does)."""
    snapshot = db.collection(RUNS).document(run_id).get()
    if not snapshot.exists or snapshot.get("state") != "running":
        return False
    return _enqueue_page(queue, run_id, snapshot.to_dict(), ramp or Ramp())


def _enqueue_page(queue: TaskQueue, run_id: str, run: Mapping[str, Any], ramp: Ramp) -> bool:
    step = int(run["step"])
    created = run.get("createdAt") or _now()
    delay = (created + datetime.timedelta(seconds=ramp.seconds_for(int(run.get("ops", 0)))) - _now()).total_seconds()
    return queue.enqueue(
        page_payload(PageTask(run_id, step)), name=task_name("page", run_id, step), delay_seconds=delay
    )


# -- one page ---------------------------------------------------------------------------------


def run_page(
    db: Any,
    queue: TaskQueue,
    views: Sequence[type[ViewModel]],
    task: PageTask,
    *,
    ramp: Ramp | None = None,
    retried: bool = False,
    fanout: FanoutPolicy | None = None,
) -> PageOutcome:
    """Do page ``task.step`` of run ``task.run``, count it once, enqueue the next (module docs).

    ``fanout``: roots on the page with more views than its threshold are handed to slice tasks
    (counted when enqueued), so no page grows with one root's fan-out.
    ``retried``: Cloud Tasks says this is not the first delivery (counted in ``redelivered``;
    a delivery finding its page already counted is also counted in ``duplicates``).
    Raises on a transient failure, so the task is retried.
    """
    ramp = ramp or Ramp()
    ref = db.collection(RUNS).document(task.run)
    snapshot = ref.get()
    if not snapshot.exists:
        return PageOutcome(False, "no such run")
    run = snapshot.to_dict() or {}
    if run.get("state") != "running":
        return PageOutcome(False, f"run {run.get('state')}")
    view_cls = {view_name(view): view for view in views}.get(str(run.get("view")))
    if view_cls is None:
        return PageOutcome(False, f"{run.get('view')} is not served by this function")
    step = int(run.get("step", 0))
    if step > task.step:
        ref.update({"duplicates": Increment(1), **({"redelivered": Increment(1)} if retried else {})})
        if step == task.step + 1:
            _enqueue_page(queue, task.run, run, ramp)  # in case the first delivery died before it did
        return PageOutcome(False, "duplicate", step)
    if step < task.step:
        return PageOutcome(False, f"page {task.step} of a run at page {step}")

    counts, moves = _do_page(db, queue, view_cls, run, task, fanout, ramp)
    if retried:
        counts["redelivered"] = 1

    def advance(transaction: Any) -> Mapping[str, Any] | None:
        current = ref.get(transaction=transaction)
        state = current.to_dict() or {}
        if state.get("state") != "running" or state.get("step") != task.step:
            return None  # another delivery of this page counted it first
        update = {**moves, "step": task.step + 1, "updatedAt": _now()}
        for key, value in counts.items():
            update[key] = int(state.get(key) or 0) + value
        transaction.update(ref, update)
        return {**state, **update}

    advanced = run_in_transaction(advance, client=db)
    if advanced is None:
        return PageOutcome(False, "duplicate", task.step + 1)
    if advanced["state"] == "running":
        _enqueue_page(queue, task.run, advanced, ramp)
    return PageOutcome(True, str(advanced["state"]), task.step + 1)


def _do_page(
    db: Any,
    queue: TaskQueue,
    view_cls: type[ViewModel],
    run: Mapping[str, Any],
    task: PageTask,
    fanout: FanoutPolicy | None,
    ramp: Ramp,
) -> tuple[dict[str, int], dict[str, Any]]:
    """Reconcile one page of roots (or delete one page's orphans): (counters to add, fields to set)."""
    size = int(run["pageSize"])
    after = run.get("after")
    counts = dict.fromkeys(_COUNTERS, 0)
    if run.get("phase") == "orphans":
        page = document_page(db, view_cls.path_template(), after, orphan_page_size(size))
        orphans = delete_orphans(db, view_cls, page.snapshots)
        counts.update(views=len(page.snapshots), orphans=orphans.deleted, deleted=orphans.deleted)
        counts["reads"] = orphans.reads + page.scanned
    else:
        page = document_page(db, view_cls.declaration().root_path, after, size)
        roots: list[str] = page.paths
        slices: list[Slice] = []
        if fanout is not None and roots and view_cls.declaration().keys is not None:
            reader = SourceReader(db)
            kept, slices = plan_fanout(fanout, reader, {view_cls: roots}, many_roots=False)
            roots = kept.get(view_cls, [])
            counts["reads"] += reader.reads
            enqueue_slices(queue, slices, origin=f"{task.run}:{task.step}", ramp=ramp)
        report = reconcile(db, view_cls, roots) if roots else None
        counts["roots"] = len(page.paths)
        counts["deferred"] = sum(work.size for work in slices)
        counts["reads"] += page.scanned
        if report is not None:
            counts.update(written=report.writes, deleted=report.deletes, unchanged=report.unchanged)
            counts["reads"] += report.reads
            counts["blocked"] = len(report.blocked)
            for failure in report.failures:
                counts["failedRoots"] += len(failure.roots)
                record_skipped(
                    db,
                    failure.view,
                    failure.roots,
                    document=f"{RUNS}/{task.run}",
                    event_id=f"{task.run}:{task.step}",
                    error=failure.error,
                )
    counts["ops"] = counts["written"] + counts["deleted"]
    moves: dict[str, Any] = {"after": page.next_after}
    if page.next_after is None:
        if run.get("phase") != "orphans" and run.get("deleteOrphans"):
            moves.update(phase="orphans", orphanTotal=count_documents(db, view_cls.path_template()))
        else:
            moves.update(state="done", finishedAt=_now())
    return counts, moves


# -- following ------------------------------------------------------------------------------------


def follow_run(
    db: Any,
    run_id: str,
    *,
    progress: bool = True,
    poll_seconds: float = 0.5,
    give_up_after: float = 120.0,
    on_update: Callable[[Mapping[str, Any]], None] | None = None,
) -> Mapping[str, Any]:
    """Wait for run ``run_id`` to finish, drawing a progress bar per phase; returns the final run
    document. Raises :class:`TimeoutError` when it made no progress for ``give_up_after`` seconds
    (the run goes on in the cloud; following it again attaches to it)."""
    from tqdm import tqdm

    ref = db.collection(RUNS).document(run_id)
    bars: dict[str, Any] = {}
    last_step, last_change = -1, time.monotonic()
    try:
        while True:
            run = ref.get().to_dict() or {}
            if on_update is not None:
                on_update(run)
            phase = str(run.get("phase", "roots"))
            name = str(run.get("view", "")).rsplit(".", 1)[-1]
            if phase == "orphans" and "roots" in bars:
                bars["roots"].n = int(run.get("roots", 0))
                bars["roots"].close()
            if phase not in bars:
                total = run.get("total") if phase == "roots" else run.get("orphanTotal")
                label = f"{name}: roots (on Cloud Tasks)" if phase == "roots" else f"{name}: orphan check"
                bars[phase] = tqdm(total=total, desc=label, unit="doc", disable=not progress)
            bar = bars[phase]
            bar.n = int(run.get("roots" if phase == "roots" else "views", 0))
            bar.refresh()
            if run.get("state") != "running":
                return run
            step = int(run.get("step", 0))
            if step != last_step:
                last_step, last_change = step, time.monotonic()
            elif time.monotonic() - last_change > give_up_after:
                raise TimeoutError(
                    f"run {run_id} made no progress for {give_up_after:.0f}s (page {step}, phase {phase}); "
                    "it may be paced or retrying — follow it again with the same command"
                )
            time.sleep(poll_seconds)
    finally:
        for bar in bars.values():
            bar.close()
