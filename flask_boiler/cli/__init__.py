"""Command line: ``python -m flask_boiler <command>`` (also installed as ``flask-boiler``).

One module per concern registers its subcommands:

* :mod:`.dev`: ``dev`` (the local stack with the example app) and ``demo`` (a scripted walk
  through domain writes and the views they change).
* :mod:`.deploy`: ``manifest``, ``rules``, ``indexes``, ``check``, ``bundle``.
* :mod:`.views`: ``rebuild``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import deploy, dev, views


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="flask-boiler", description="flask-boiler for Cloud Functions.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    for module in (dev, deploy, views):
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
