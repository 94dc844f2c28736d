"""Pure pieces of the emulator set-up: Java detection, launcher jar, port overrides, path matching."""

from __future__ import annotations

import json
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from flask_boiler._private.emulator_runtime import FIRESTORE_MAIN_CLASS, parse_java_version, write_launcher_jar
from flask_boiler.errors import ModelDefinitionError
from flask_boiler.models.paths import PathTemplate
from flask_boiler.testing.emulators import (
    WEBSOCKET,
    configured_ports,
    emulator_config,
    free_ports,
    running_stack_from_env,
)


@pytest.mark.parametrize(
    "text, major",
    [
        ('openjdk version "21.0.8" 2025-07-15 LTS', 21),
        ('openjdk version "17.0.15" 2025-04-15', 17),
        ('java version "1.8.0_382"', 8),
        ("no java here", None),
    ],
)
def test_parse_java_version(text, major):
    assert parse_java_version(text) == major


def test_launcher_jar_points_at_the_sdk_jar(tmp_path):
    sdk_jar = tmp_path / "sdk" / "cloud-firestore-emulator.jar"
    sdk_jar.parent.mkdir()
    sdk_jar.write_bytes(b"")
    launcher = write_launcher_jar(sdk_jar, tmp_path / "out" / "launcher.jar")
    with zipfile.ZipFile(launcher) as jar:
        manifest = jar.read("META-INF/MANIFEST.MF").decode()
    assert f"Main-Class: {FIRESTORE_MAIN_CLASS}" in manifest
    assert f"Class-Path: {sdk_jar.resolve().as_uri()}" in manifest


def test_launcher_jars_written_at_once_by_several_workers_all_land(tmp_path):
    """Two test workers start their stacks together and write the same launcher (a CI run
    failed when both used one temporary name and the second rename found nothing)."""
    sdk_jar = tmp_path / "cloud-firestore-emulator.jar"
    sdk_jar.write_bytes(b"")
    destination = tmp_path / "out" / "launcher.jar"
    barrier = threading.Barrier(8)

    def write_repeatedly(_: int) -> None:
        barrier.wait()
        for _ in range(25):
            write_launcher_jar(sdk_jar, destination)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write_repeatedly, range(8)))  # re-raises any writer's error
    with zipfile.ZipFile(destination) as jar:
        assert FIRESTORE_MAIN_CLASS in jar.read("META-INF/MANIFEST.MF").decode()
    assert sorted(path.name for path in destination.parent.iterdir()) == ["launcher.jar"], "no temporary left behind"


def test_emulator_config_overrides_ports_and_keeps_the_rest():
    base = {"functions": [{"source": "functions"}], "emulators": {"firestore": {"port": 8080}, "ui": {"enabled": True}}}
    config = emulator_config(base, {"firestore": 1234, "auth": 2345})
    assert config["functions"] == [{"source": "functions"}]
    assert config["emulators"]["firestore"] == {"host": "127.0.0.1", "port": 1234}
    assert config["emulators"]["auth"]["port"] == 2345
    assert config["emulators"]["ui"]["enabled"] is False
    assert base["emulators"]["firestore"]["port"] == 8080, "the base config must not be mutated"
    assert configured_ports(config) == {"firestore": 1234, "auth": 2345}


def test_a_free_port_stack_fixes_the_firestore_websocket_port_too():
    config = emulator_config({}, {"firestore": 1234, WEBSOCKET: 3456})
    assert config["emulators"]["firestore"] == {"host": "127.0.0.1", "port": 1234, "websocketPort": 3456}
    assert configured_ports(config) == {"firestore": 1234}


def test_a_free_port_stack_binds_nothing_at_a_default_port():
    # Two stacks start at once under pytest-xdist: any listener left at firebase-tools' fixed
    # default (the Eventarc emulator's 9299 was) is bound by one and fails the other.
    ports = free_ports()
    every_listener = {"firestore", WEBSOCKET, "functions", "eventarc", "tasks", "auth", "hosting", "hub", "logging"}
    assert every_listener <= set(ports)
    config = emulator_config({}, ports)
    assert config["emulators"]["eventarc"] == {"host": "127.0.0.1", "port": ports["eventarc"]}


def test_running_stack_is_read_from_environment():
    assert running_stack_from_env({}) is None
    stack = running_stack_from_env(
        {
            "FIRESTORE_EMULATOR_HOST": "127.0.0.1:1",
            "GCLOUD_PROJECT": "demo-x",
            "FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:2",
        }
    )
    assert (stack.project_id, stack.firestore_host, stack.auth_host, stack.functions_host) == (
        "demo-x",
        "127.0.0.1:1",
        "127.0.0.1:2",
        None,
    )


@pytest.mark.parametrize(
    "template, path, expected",
    [
        ("users/{uid}", "users/abc", {"uid": "abc"}),
        ("users/{uid}/tickets/{ticket_id}", "users/u1/tickets/t9", {"uid": "u1", "ticket_id": "t9"}),
        ("users/{uid}", "users/abc/tickets/t", None),
        ("users/{uid}", "people/abc", None),
    ],
)
def test_match_path(template, path, expected):
    assert PathTemplate.parse(template).match(path) == expected


def test_bad_template_is_rejected():
    with pytest.raises(ModelDefinitionError, match="placeholder must be a whole segment"):
        PathTemplate.parse("users/x{uid}")


def test_an_offline_download_failure_becomes_one_sentence_saying_what_to_install():
    from flask_boiler._private.emulator_runtime import INSTALL_ADVICE, explain_failure

    # What firebase-tools 15 printed here with no Cloud SDK on PATH and no network.
    log = (
        "i  firestore: downloading cloud-firestore-emulator-v1.22.0.jar...\n"
        "i  emulators: Shutting down emulators.\n\n"
        "Error: Failed to make request to "
        "https://storage.googleapis.com/firebase-preview-drop/emulator/cloud-firestore-emulator-v1.22.0.jar\n"
    )
    assert explain_failure(log) == INSTALL_ADVICE
    assert "gcloud components install cloud-firestore-emulator" in INSTALL_ADVICE
    assert explain_failure("i  functions: Loaded functions definitions") is None


def test_descendants_are_found_through_parentage_even_in_other_process_groups():
    import subprocess
    import sys

    from flask_boiler.testing.emulators import descendants

    # A child that starts a grandchild in a new session, as firebase-tools does with the Java emulator.
    script = "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)'], start_new_session=True); time.sleep(30)"
    parent = subprocess.Popen([sys.executable, "-c", script])
    try:
        from flask_boiler.testing import wait_for

        family = wait_for(lambda: len(found := descendants(parent.pid)) == 1 and found, timeout=10)
        with open(f"/proc/{family[0]}/stat") as stat:
            assert int(stat.read().rsplit(")", 1)[1].split()[2]) != parent.pid  # another process group
    finally:
        for pid in descendants(parent.pid):
            subprocess.run(["kill", "-9", str(pid)])
        parent.kill()
        parent.wait()


def _node(*args: str) -> str:
    """What ``node *args`` prints, run in the checkout (so ``require`` finds firebase-tools' modules)."""
    import shutil
    import subprocess

    node = shutil.which("node")
    assert node, "node is not installed"
    root = Path(__file__).resolve().parents[3]
    return subprocess.run([node, *args], capture_output=True, text=True, check=True, cwd=root).stdout


def test_the_functions_emulator_preload_turns_off_keep_alive_towards_workers():
    from flask_boiler.testing.emulators import NO_KEEPALIVE_PRELOAD

    assert NO_KEEPALIVE_PRELOAD.is_file()
    script = "process.stdout.write(String(require('http').globalAgent.keepAlive))"
    assert _node("--require", str(NO_KEEPALIVE_PRELOAD), "-e", script) == "false"


def test_the_auth_emulator_preload_compiles_exegesis_validators_on_first_use():
    from flask_boiler.testing.emulators import LAZY_VALIDATORS_PRELOAD

    assert LAZY_VALIDATORS_PRELOAD.is_file()
    script = (
        "require('exegesis');"  # loads exegesis/lib/options the way firebase-tools does
        "const {compileOptions} = require('exegesis/lib/options');"
        "process.stdout.write(JSON.stringify(["
        "compileOptions({}).lazyCompileValidationSchemas,"
        "compileOptions({lazyCompileValidationSchemas: false}).lazyCompileValidationSchemas,"
        "compileOptions({defaultMaxBodySize: 7}).defaultMaxBodySize]))"
    )
    # lazy by default; a caller's own choice still wins; other options pass through
    assert _node("--require", str(LAZY_VALIDATORS_PRELOAD), "-e", script) == "[true,false,7]"
    assert _node("-e", script) == "[false,false,7]"  # what firebase-tools gets without the preload


def test_the_functions_emulator_preload_never_gives_two_workers_one_port():
    """firebase-tools asks portfinder for a Python worker's port, which the worker binds only
    after importing main.py: until then portfinder hands the same free port to the next
    worker, and the emulator sends one function's requests to the other's worker."""
    from flask_boiler.testing.emulators import DISTINCT_WORKER_PORTS_PRELOAD, NODE_PRELOADS

    assert DISTINCT_WORKER_PORTS_PRELOAD in NODE_PRELOADS
    one_by_one = (  # as the emulator starts workers: the ports stay unbound meanwhile
        "const portfinder = require('portfinder');"  # the copy firebase-tools loads
        "const asked = (i) => portfinder.getPortPromise({port: 8081 + (i % 3)});"
        "const oneByOne = async () => { const ports = [];"
        " for (let i = 0; i < 10; i++) ports.push(await asked(i)); return ports; };"
    )
    all_checks = one_by_one + (
        "(async () => {"
        "const first = await oneByOne();"
        "const together = await Promise.all(Array.from({length: 30}, (_, i) => asked(i)));"  # thirty requests at once
        "const inspector = await portfinder.getPortPromise({port: 9229});"  # not a worker's port
        "process.stdout.write(JSON.stringify([new Set(first).size, new Set([...first, ...together]).size, inspector]));"
        "})()"
    )
    distinct, in_all, inspector = json.loads(_node("--require", str(DISTINCT_WORKER_PORTS_PRELOAD), "-e", all_checks))
    assert (distinct, in_all) == (10, 40)
    assert 9229 <= inspector < 10000  # other callers get portfinder as it is
    without = json.loads(_node("-e", one_by_one + "oneByOne().then((p) => process.stdout.write(JSON.stringify(p)))"))
    assert len(set(without)) <= 3  # firebase-tools on its own: the same few ports, again and again
