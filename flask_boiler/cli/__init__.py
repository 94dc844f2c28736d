"""Command line: ``python -m flask_boiler <command>`` (also installed as ``flask-boiler``).

One module per concern registers its subcommands:

* :mod:`.scaffold`: ``new`` (a project: app package, functions, settings, tests, Makefile).
* :mod:`.dev`: ``dev`` (the local stack with the app) and ``demo`` (a scripted walk
  through domain writes and the views they change).
* :mod:`.deploy`: ``generate``, ``check``, ``manifest``, ``rules``, ``indexes``, ``bundle``.
* :mod:`.views`: ``rebuild``.

Results and errors are printed for the person at the terminal; progress and warnings go
through :mod:`flask_boiler.log` (one readable line each here, JSON on Cloud Functions).
A command imports the parts of the framework it uses when it runs, so ``--help`` and
``bundle --remove`` (run before every ``make test``) stay a fraction of a second.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from ..log import ConsoleFormatter, configure
from . import deploy, dev, scaffold, views


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="flask-boiler", description="flask-boiler for Cloud Functions.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    for module in (scaffold, dev, deploy, views):
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure(logging.INFO, formatter=ConsoleFormatter())
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
