"""Records are read from the emulator log by their fields, whatever else the log holds."""

from __future__ import annotations

import json

from flask_boiler.testing.logs import EmulatorLog, TriggerRun, parse_record

RUN = {
    "severity": "INFO",
    "message": "refreshed views for users/bob",
    "logger": "flask_boiler.triggers",
    "document": "users/bob",
    "eventId": "e1",
    "reads": 15,
    "writes": 2,
    "deletes": 0,
    "unchanged": 2,
    "stale": False,
}


def test_json_lines_are_records_with_or_without_the_emulator_prefix():
    assert parse_record(">  " + json.dumps(RUN)) == RUN
    assert parse_record(json.dumps(RUN)) == RUN
    assert parse_record("i  functions: Beginning execution of on_users_written") is None
    assert parse_record('>  {"not": json') is None
    assert parse_record(">  [1, 2]") is None  # JSON, but not a record


def test_a_trigger_run_is_picked_by_its_fields_not_its_message():
    run = TriggerRun.from_record({**RUN, "message": "worded differently"})
    assert run == TriggerRun("users/bob", "e1", reads=15, writes=2, deletes=0, unchanged=2, stale=False)
    assert TriggerRun.from_record({k: v for k, v in RUN.items() if k != "stale"}) is None
    assert TriggerRun.from_record({"severity": "ERROR", "message": "refreshed views for x", "document": "x"}) is None


def test_the_log_is_followed_from_its_end_and_a_partial_line_waits(tmp_path):
    path = tmp_path / "emulators.log"
    path.write_text(">  " + json.dumps({**RUN, "document": "old"}) + "\n")
    log = EmulatorLog(path)
    assert log.new_records() == []
    line = ">  " + json.dumps(RUN)
    with path.open("a") as out:
        out.write("i  functions: finished\n" + line[:20])
    assert log.new_records() == []  # the record's line is not complete yet
    with path.open("a") as out:
        out.write(line[20:] + "\n")
    assert TriggerRun.all_in(log.new_records()) == [TriggerRun.from_record(RUN)]
    assert log.new_records() == []
