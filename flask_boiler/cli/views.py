"""``rebuild``: recompute every view of a view model from current domain data, or
``rebuild --skipped``: exactly the refreshes triggers gave up on."""

from __future__ import annotations

import argparse
import sys

from ..testing.emulators import find_project_root


def _rebuild(args: argparse.Namespace) -> int:
    from ..context import Context
    from ..deploy.defaults import load_settings
    from ..views.rebuild import DEFAULT_PAGE_SIZE, find_view, rebuild, repair_skipped

    root = find_project_root()
    sys.path.insert(0, str(root))
    app_module = args.app or load_settings(root).view_models.split(":")[0]
    if args.skipped:
        __import__(app_module)
        repaired = repair_skipped(Context.db, progress=not args.quiet)
        print(
            f"{repaired.records} skipped refreshes repaired: {repaired.roots} roots reconciled"
            + (f", rebuilt {', '.join(repaired.rebuilt_views)}" if repaired.rebuilt_views else "")
            + "."
        )
        return 0
    if not args.view:
        print("error: name a view model, or pass --skipped", file=sys.stderr)
        return 2
    try:
        view_cls = find_view(args.view, app_module)
    except (LookupError, ImportError, AttributeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.remote:
        return _rebuild_remote(view_cls, args)
    report = rebuild(
        view_cls,
        Context.db,
        page_size=args.page_size or DEFAULT_PAGE_SIZE,
        restart=args.restart,
        delete_orphans=not args.keep_orphans,
        progress=not args.quiet,
    )
    cost = report.cost
    print(
        f"{view_cls.__name__}: {report.roots} roots{' (resumed)' if report.resumed else ''}, "
        f"{cost.writes} views written, {cost.unchanged} unchanged, {report.orphans_deleted} orphans deleted; "
        f"{cost.reads} reads, {cost.writes + cost.deletes} writes."
    )
    return 0


def _rebuild_remote(view_cls: type, args: argparse.Namespace) -> int:
    """Start (or attach to) a rebuild run by Cloud Tasks, and follow its progress document."""
    from ..context import Context
    from ..tasks.runs import follow_run, request_run
    from ..views.rebuild import DEFAULT_PAGE_SIZE

    db = Context.db
    run_id, attached = request_run(
        db,
        view_cls,
        page_size=args.page_size or DEFAULT_PAGE_SIZE,
        delete_orphans=not args.keep_orphans,
        restart=args.restart,
    )
    print(f"{'following the running' if attached else 'started'} rebuild run {run_id} on Cloud Tasks", flush=True)
    try:
        run = follow_run(db, run_id, progress=not args.quiet, give_up_after=args.wait)
    except TimeoutError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"\nstopped following; run {run_id} goes on in the cloud (run the same command to follow it again)")
        return 130
    print(
        f"{view_cls.__name__}: run {run_id} {run.get('state')}: {run.get('roots', 0)} roots, "
        f"{run.get('written', 0)} views written, {run.get('unchanged', 0)} unchanged, "
        f"{run.get('orphans', 0)} orphans deleted; {run.get('reads', 0)} reads, "
        f"{run.get('written', 0) + run.get('deleted', 0)} writes"
        + (f"; {run.get('failedRoots')} roots failed: fix, then `rebuild --skipped`" if run.get("failedRoots") else "")
        + "."
    )
    return 0 if run.get("state") == "done" else 1


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rebuild = commands.add_parser(
        "rebuild",
        help="recompute all views of a view model (after adding or changing it); resumable",
        description="Uses the Firestore the environment points at (FIRESTORE_EMULATOR_HOST, or the "
        "project's Application Default Credentials).",
    )
    rebuild.add_argument("view", nargs="?", help="the view model: package.module.Class, or a class name from --app")
    rebuild.add_argument(
        "--skipped", action="store_true", help="repair what triggers gave up on (flaskBoilerSkipped), then clear it"
    )
    rebuild.add_argument("--app", help="module that registers the view models (default: from the view-models setting)")
    rebuild.add_argument("--page-size", type=int, help="roots per page (and per transaction)")
    rebuild.add_argument("--restart", action="store_true", help="ignore the checkpoint of an unfinished rebuild")
    rebuild.add_argument("--keep-orphans", action="store_true", help="skip deleting views that should not exist")
    rebuild.add_argument("--quiet", action="store_true", help="no progress bar")
    rebuild.add_argument(
        "--remote",
        action="store_true",
        help="run the pages on Cloud Tasks (the deployed viewTasks function) and follow the progress here",
    )
    rebuild.add_argument(
        "--wait", type=float, default=120.0, metavar="SECONDS", help="--remote: give up following after no progress"
    )
    rebuild.set_defaults(handler=_rebuild)
