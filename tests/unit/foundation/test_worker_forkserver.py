"""The fork server for the Functions emulator's Python workers: a forked worker must behave like
the ``functions-framework`` process firebase-tools would have started (environment, directory,
streams, signals, exit, a crash killing it mid-request), and the preload must route only worker
commands through it. Real processes, a real functions-framework app; no emulator needed."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from flask_boiler._private import worker_forkserver
from flask_boiler.testing.emulators import FORKED_WORKERS_PRELOAD, NODE_PRELOADS, free_port

SCRIPT = worker_forkserver.__file__
APP = """
import os, time
import functions_framework

@functions_framework.http
def hello(request):
    if request.path == "/slow":
        print("slow", flush=True)
        time.sleep(60)
    print("served", request.path, flush=True)
    return {"pid": os.getpid(), "arbiter": os.getppid(), "greeting": os.environ.get("GREETING"), "cwd": os.getcwd()}
"""


@pytest.fixture
def app(tmp_path: Path) -> Path:
    (tmp_path / "main.py").write_text(APP)
    return tmp_path


@pytest.fixture
def server(app: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    path = str(app / "workers.sock")
    process = subprocess.Popen([sys.executable, SCRIPT, "serve", path], stdin=subprocess.PIPE, cwd=app)
    yield process, path
    process.kill()
    process.wait()


def _stand_in(app: Path, socket_path: str | None, port: int) -> subprocess.Popen[bytes]:
    env = {
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "FUNCTION_TARGET": "hello",
        "FUNCTION_SIGNATURE_TYPE": "http",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "GREETING": "héllo",
        "PYTHONUNBUFFERED": "1",
        **({worker_forkserver.SOCKET_ENV: socket_path} if socket_path else {}),
    }
    return subprocess.Popen(
        [sys.executable, "-I", "-S", SCRIPT, "run"], env=env, cwd=app, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )


def _answer(port: int, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return requests.get(f"http://127.0.0.1:{port}/", timeout=5).json()
        except requests.ConnectionError:
            assert time.monotonic() < deadline, f"nothing answered on port {port}"
            time.sleep(0.05)


def _parent(pid: int) -> int:
    text = Path(f"/proc/{pid}/stat").read_text()
    return int(text[text.rindex(")") + 2 :].split()[1])


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_a_forked_worker_runs_with_the_stand_ins_environment_directory_and_streams(app, server):
    process, path = server
    port = free_port()
    stand_in = _stand_in(app, path, port)
    try:
        answer = _answer(port)
        assert answer["greeting"] == "héllo" and answer["cwd"] == str(app)
        assert answer["pid"] != stand_in.pid  # not the stand-in itself: ...
        assert _parent(answer["arbiter"]) == process.pid  # ... gunicorn's arbiter, forked by the server
        assert stand_in.stdout is not None
        assert stand_in.stdout.readline() == b"served /\n"  # its print reaches the stand-in's stdout
        stand_in.send_signal(signal.SIGTERM)  # passed on: gunicorn stops, and says how
        assert stand_in.wait(timeout=20) == 0
        assert _gone_within(answer["arbiter"], 5) and _gone_within(answer["pid"], 5)
    finally:
        stand_in.kill()


def test_a_killed_stand_in_takes_its_worker_down_mid_request(app, server):
    """What a crashed instance looks like: the request in flight gets no answer."""
    _, path = server
    port = free_port()
    stand_in = _stand_in(app, path, port)
    answer = _answer(port)
    with socket.create_connection(("127.0.0.1", port)) as slow:
        slow.sendall(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        assert stand_in.stdout is not None
        assert stand_in.stdout.readline() == b"served /\n"  # the first request's line
        assert stand_in.stdout.readline() == b"slow\n"  # the request is in the function now
        stand_in.kill()
        assert _gone_within(answer["arbiter"], 5) and _gone_within(answer["pid"], 5)
        slow.settimeout(5)
        with contextlib.suppress(ConnectionResetError):
            assert slow.recv(100) == b""  # closed, never answered
    stand_in.wait()


def test_without_a_server_the_stand_in_is_functions_framework_itself(app):
    port = free_port()
    stand_in = _stand_in(app, None, port)
    try:
        answer = _answer(port)
        assert answer["arbiter"] == stand_in.pid  # exec'd: gunicorn's arbiter is the spawned process
        assert answer["greeting"] == "héllo"
    finally:
        stand_in.kill()
        stand_in.wait()


def test_the_server_stops_and_removes_its_socket_when_its_input_closes(server):
    process, path = server
    deadline = time.monotonic() + 30
    while not Path(path).exists():
        assert time.monotonic() < deadline, "the server never listened"
        time.sleep(0.05)
    assert process.stdin is not None
    process.stdin.close()  # firebase-tools, which started it, is gone
    assert process.wait(timeout=10) == 0
    assert not Path(path).exists()


def test_the_preload_routes_only_worker_commands_through_the_fork_server(app):
    """firebase-tools' own runWithVirtualEnv, wrapped: `functions-framework` becomes the
    stand-in (which finds the server the preload started), other commands are untouched."""
    from .test_emulator_setup import _node

    assert FORKED_WORKERS_PRELOAD in NODE_PRELOADS
    (app / "venv").symlink_to(Path(sys.executable).parent.parent)  # a venv where firebase-tools looks
    port = free_port()
    script = f"""
    const python = require("firebase-tools/lib/functions/python");
    const env = {{FUNCTION_TARGET: "hello", FUNCTION_SIGNATURE_TYPE: "http", HOST: "127.0.0.1",
                  PORT: "{port}", GREETING: "hi", PYTHONUNBUFFERED: "1"}};
    const worker = python.runWithVirtualEnv(["functions-framework"], {json.dumps(str(app))}, env);
    const other = python.runWithVirtualEnv(["python", "-c", "'print(42)'"], {json.dumps(str(app))}, {{}});
    let out = "", said = "";
    other.stdout.on("data", (d) => (said += d));
    worker.stdout.on("data", (d) => (out += d));
    const poll = () => require("http").get({{host: "127.0.0.1", port: {port}, path: "/"}}, (r) => {{
        let body = ""; r.on("data", (d) => (body += d));
        r.on("end", () => setTimeout(() => {{
          const answer = JSON.parse(body), fs = require("fs");
          const stat = fs.readFileSync(`/proc/${{answer.arbiter}}/stat`, "utf8");
          const forker = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1];
          const forkerCommand = fs.readFileSync(`/proc/${{forker}}/cmdline`, "utf8").split("\\0");
          const directory = require("path").dirname(forkerCommand[3]);
          const mode = fs.statSync(directory).mode & 0o777;
          process.stdout.write(JSON.stringify([answer, out, said, Number(forker), forkerCommand, mode]));
          process.exit(0);
        }}, 200));
      }}).on("error", () => setTimeout(poll, 50));
    poll();
    setTimeout(() => process.exit(3), 30000);
    """
    answer, out, said, server, command, mode = json.loads(_node("--require", str(FORKED_WORKERS_PRELOAD), "-e", script))
    assert answer["greeting"] == "hi" and out == "served /\n" and said == "42\n"
    assert command[1:3] == [SCRIPT, "serve"]  # the worker was forked by the server the preload started
    socket_directory = Path(command[3]).parent
    assert socket_directory.name.startswith(worker_forkserver.PRIVATE_DIRECTORY_PREFIX)
    assert mode == 0o700  # no other user can put a socket there
    assert _gone_within(server, 10)  # node is gone, so its input closed
    assert not socket_directory.exists()  # and it removed its socket and their directory
    stand_ins = _running(SCRIPT, "run")  # like functions-framework, it outlives a shell killed alone
    assert stand_ins
    for pid in stand_ins:
        os.kill(pid, signal.SIGKILL)
    assert _gone_within(answer["arbiter"], 5) and _gone_within(answer["pid"], 5)


def _running(*words: str) -> list[int]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            if all(word.encode() in cmdline.read_bytes().split(b"\0") for word in words):
                found.append(int(cmdline.parent.name))
    return found


def test_the_fork_server_can_be_turned_off_for_a_stack():
    from flask_boiler.testing.emulators import FORKED_WORKERS_ENV, node_preloads

    assert FORKED_WORKERS_PRELOAD in node_preloads({})
    assert FORKED_WORKERS_PRELOAD not in node_preloads({FORKED_WORKERS_ENV: "0"})
    assert set(node_preloads({FORKED_WORKERS_ENV: "0"})) == set(NODE_PRELOADS) - {FORKED_WORKERS_PRELOAD}


def test_a_malformed_request_is_dropped_and_the_server_goes_on(app, server):
    process, path = server
    deadline = time.monotonic() + 30
    while not Path(path).exists():
        assert time.monotonic() < deadline, "the server never listened"
        time.sleep(0.05)
    garbage_requests = (
        b"",
        b"\x00" * 8,
        b"\x00" * 3,
        (5).to_bytes(8, "big") + b"{nope",
        (2).to_bytes(8, "big") + b"[]",
        b"\xff" * 8,  # announces more bytes than a C size holds
    )
    for garbage in garbage_requests:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as raw:
            raw.connect(path)
            raw.sendall(garbage)
            raw.shutdown(socket.SHUT_WR)
            raw.settimeout(10)
            with contextlib.suppress(ConnectionResetError):  # closed with our bytes unread: refused all the same
                assert raw.recv(8) == b""  # closed: no worker forked for it
    assert process.poll() is None  # still serving
    port = free_port()
    stand_in = _stand_in(app, path, port)
    try:
        answer = _answer(port)
        assert answer["greeting"] == "héllo"
        assert _parent(answer["arbiter"]) == process.pid  # forked by it, not the fallback
    finally:
        stand_in.kill()
        stand_in.wait()
