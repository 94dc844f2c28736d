"""The Cloud Logging formatter and the framework's logger set-up."""

from __future__ import annotations

import datetime
import io
import json
import logging

from flask_boiler.log import CloudLoggingFormatter, ConsoleFormatter, configure, fields_of, get_logger, log


def _record(level: int, text: str, **fields: object) -> logging.LogRecord:
    record = logging.LogRecord("flask_boiler.test", level, __file__, 1, text, None, None)
    record.fields = fields
    return record


def test_a_record_becomes_one_json_line_with_severity_message_and_fields():
    line = CloudLoggingFormatter().format(
        _record(logging.ERROR, "not refreshed", document="users/ann", when=datetime.date(2026, 1, 2))
    )
    entry = json.loads(line)
    assert "\n" not in line
    assert entry["severity"] == "ERROR"
    assert entry["message"] == "not refreshed"
    assert entry["logger"] == "flask_boiler.test"
    assert entry["document"] == "users/ann"
    assert entry["when"] == "2026-01-02"  # not JSON-encodable values are written with str()


def test_fields_cannot_overwrite_the_keys_cloud_logging_reads():
    entry = json.loads(CloudLoggingFormatter().format(_record(logging.INFO, "hello", severity="DEBUG", message="x")))
    assert entry["severity"] == "INFO" and entry["message"] == "hello"
    assert entry["field_severity"] == "DEBUG" and entry["field_message"] == "x"


def test_an_exception_is_appended_as_its_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = _record(logging.ERROR, "failed")
        record.exc_info = sys.exc_info()
    entry = json.loads(CloudLoggingFormatter().format(record))
    assert entry["message"].startswith("failed\nTraceback")
    assert "ValueError: boom" in entry["message"]


def test_configure_installs_one_handler_and_records_stay_visible_to_the_logging_module(caplog):
    root = logging.getLogger("flask_boiler")
    saved = list(root.handlers)
    for handler in saved:
        root.removeHandler(handler)
    try:
        stream = io.StringIO()
        configure(stream=stream)
        configure(stream=io.StringIO())  # idempotent: still one handler, the first one
        assert len(root.handlers) == 1
        with caplog.at_level(logging.INFO, logger="flask_boiler"):
            log(get_logger("triggers"), logging.WARNING, "slow", millis=12)
        assert json.loads(stream.getvalue())["millis"] == 12
        (record,) = [r for r in caplog.records if r.name == "flask_boiler.triggers"]
        assert fields_of(record) == {"millis": 12}
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved:
            root.addHandler(handler)


def test_the_console_formatter_writes_one_readable_line_with_the_fields():
    formatter = ConsoleFormatter()
    assert formatter.format(_record(logging.INFO, "Seeding example data")) == "Seeding example data"
    line = formatter.format(_record(logging.WARNING, "removed a vendored copy", path="functions/flask_boiler"))
    assert line == "warning: removed a vendored copy (path=functions/flask_boiler)"
