"""functions.yaml is generated from functions/main.py and the committed copy is current."""

from __future__ import annotations

from pathlib import Path

from flask_boiler.deploy.manifest import build_manifest, load_main, render

ROOT = Path(__file__).resolve().parents[3]


def test_committed_manifest_is_up_to_date():
    expected = render(build_manifest(load_main(ROOT / "functions")))
    assert (ROOT / "functions" / "functions.yaml").read_text() == expected, (
        "functions/functions.yaml is stale: run `.venv/bin/python -m flask_boiler manifest`"
    )


def test_every_view_source_pattern_has_a_retrying_trigger():
    manifest = build_manifest(load_main(ROOT / "functions"))
    patterns = {
        endpoint["eventTrigger"]["eventFilterPathPatterns"]["document"]: endpoint
        for endpoint in manifest["endpoints"].values()
        if "eventTrigger" in endpoint
    }
    assert {"meetings/{doc_id}", "users/{doc_id}", "locations/{doc_id}"} <= set(patterns)
    assert all(endpoint["eventTrigger"]["retry"] is True for endpoint in patterns.values())
    assert manifest["endpoints"]["health"]["httpsTrigger"] == {}
