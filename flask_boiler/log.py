"""Structured logging for Cloud Logging, through the standard :mod:`logging` module.

Cloud Functions (2nd gen, on Cloud Run) turn every line a function writes to stdout or
stderr into a log entry, and when the line is a JSON object they read ``severity`` and
``message`` from it and keep the other keys as the entry's ``jsonPayload``. So the
framework logs through ordinary :class:`logging.Logger` objects (named ``flask_boiler.*``:
silence, route or capture them like any other logger, ``caplog`` included) and one
handler, installed by :func:`configure`, renders each record as such a line.

Structured fields travel in ``extra={"fields": {...}}``; :func:`log` is the short form::

    log(logger, logging.ERROR, "MeetingSession not refreshed", view="MeetingSession", document="users/ann")

Nothing here runs at import: the entry points (triggers, the ``api`` function, the CLI)
call :func:`configure` once, and an application that configured logging itself keeps its own
set-up (``configure`` adds a handler only when the ``flask_boiler`` logger has none).
"""

from __future__ import annotations

import datetime
import json
import logging
import sys
from collections.abc import Mapping
from typing import IO, Any

__all__ = ["ROOT_LOGGER", "CloudLoggingFormatter", "ConsoleFormatter", "configure", "fields_of", "get_logger", "log"]

#: Every logger of the framework is a child of this one.
ROOT_LOGGER = "flask_boiler"

#: Python level name -> Cloud Logging ``LogSeverity``.
_SEVERITY = {"DEBUG": "DEBUG", "INFO": "INFO", "WARNING": "WARNING", "ERROR": "ERROR", "CRITICAL": "CRITICAL"}

#: Keys a record's fields may not overwrite (Cloud Logging reads them).
_RESERVED = frozenset({"severity", "message", "time", "logger"})


def get_logger(name: str) -> logging.Logger:
    """The framework logger ``flask_boiler.<name>`` (``name`` may already carry the prefix)."""
    return logging.getLogger(name if name.startswith(ROOT_LOGGER) else f"{ROOT_LOGGER}.{name}")


def log(logger: logging.Logger, level: int, message: str, /, **fields: Any) -> None:
    """Log ``message`` with structured ``fields`` (kept as separate keys of the JSON entry)."""
    logger.log(level, message, extra={"fields": fields})


def fields_of(record: logging.LogRecord) -> dict[str, Any]:
    """The structured fields a record was logged with (``{}`` if none): what tests and tools read."""
    fields = getattr(record, "fields", None)
    return dict(fields) if isinstance(fields, Mapping) else {}


class CloudLoggingFormatter(logging.Formatter):
    """One JSON object per record: ``severity``, ``message``, ``logger``, ``time`` and the fields.

    Values JSON cannot encode (datetimes, references) are written with ``str``. An exception
    attached to the record (``logger.exception``) is appended to ``message`` as its traceback,
    which is how Error Reporting recognises an error entry.
    """

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info:
            message = f"{message}\n{self.formatException(record.exc_info)}"
        entry: dict[str, Any] = {
            "severity": _SEVERITY.get(record.levelname, "DEFAULT"),
            "message": message,
            "logger": record.name,
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(),
        }
        for key, value in fields_of(record).items():
            entry[f"field_{key}" if key in _RESERVED else key] = value
        return json.dumps(entry, default=str, ensure_ascii=False)


class ConsoleFormatter(logging.Formatter):
    """One readable line per record, for a person at a terminal (the command line).

    ``message (key=value, ...)``, prefixed with the level from WARNING up; the same
    records a deployed function writes as JSON.
    """

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        fields = fields_of(record)
        if fields:
            message += " (" + ", ".join(f"{key}={value}" for key, value in fields.items()) + ")"
        if record.levelno >= logging.WARNING:
            message = f"{record.levelname.lower()}: {message}"
        if record.exc_info:
            message = f"{message}\n{self.formatException(record.exc_info)}"
        return message


def configure(
    level: int = logging.INFO, stream: IO[str] | None = None, formatter: logging.Formatter | None = None
) -> logging.Logger:
    """Send the framework's records to ``stream`` (stderr), once: Cloud Logging JSON lines
    unless another ``formatter`` is given (the CLI passes :class:`ConsoleFormatter`).

    Idempotent, and a no-op when the ``flask_boiler`` logger already has a handler (the
    application configured logging its own way). Returns the framework's root logger.
    """
    root = logging.getLogger(ROOT_LOGGER)
    if not root.handlers:
        handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
        handler.setFormatter(formatter if formatter is not None else CloudLoggingFormatter())
        root.addHandler(handler)
        root.setLevel(level)
        root.propagate = True  # caplog and application handlers on the root logger still see records
    return root
