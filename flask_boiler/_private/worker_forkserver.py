"""A fork server for the Functions emulator's Python workers (local stacks only, never deployed).

**Why.** firebase-tools starts a new Python process per function and per concurrent request
(``functions-framework`` on gunicorn), and each one imports functions-framework, Flask, the
Firestore client and gRPC before it serves. Measured on this machine for the example app,
from cached bytecode: 0.38 s of CPU, the first answer 350 ms after the spawn; forked from a
server that has those libraries imported, 0.09 s of CPU (the app: ``main.py``,
``flask_boiler``, ``shared_models``) and 90 ms. Without bytecode caches (a new venv's first
workers, or ``PYTHONDONTWRITEBYTECODE`` set) it is 1.2 s against 0.2 s. A test run starts
about fifty workers, most while other tests compute, and a ``make dev`` stack under load as
many, each one holding up the request it was started for.

**How.** The kit's Node preload (``node/forked-python-workers.cjs``) starts, for each
functions directory, one ``serve`` process in that directory's venv: it imports those
third-party modules once (:data:`PRELOADED`, never the app's own) and listens on a Unix
socket. Each worker command firebase-tools runs is then this file's ``run`` instead of
``functions-framework``, spawned exactly the same way (environment, directory, pipes). It hands
its environment, working directory and standard streams to the server, which forks a child
that takes them over and runs functions-framework's CLI: the child imports only the app,
afresh each time (so an edited app is what a new worker runs, as ``make dev``'s reload
expects). The child is the worker; ``run`` stays as its stand-in, the process firebase-tools
knows.

**What stays as it was.** The worker sees the environment, directory, arguments and streams
of the process firebase-tools spawned. Signals that process receives (``SIGTERM``, ``SIGINT``,
``SIGHUP``, ``SIGQUIT``) go to the worker, and the worker's exit status is its own. Killed
outright (``SIGKILL``: a crash, or a test killing a worker mid-request), the worker's whole
process group (gunicorn's arbiter and its worker) is killed at once, mid-request, as an
instance crash would be. With no server (none listening after ten seconds, gone, or
anything failing before the fork), ``run`` becomes ``functions-framework`` itself (``exec``):
slower, never different.

The file runs as a script, by path, in the functions' venv (``python worker_forkserver.py
serve|run``): it imports nothing from ``flask_boiler``, and ``run`` imports only the standard
library, so the stand-in starts in milliseconds.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import selectors
import signal
import socket
import sys
import threading
import time
import traceback
from typing import Any, NoReturn

#: Environment variable naming the server's socket (set by the Node preload for ``run``).
SOCKET_ENV = "FLASK_BOILER_FORKSERVER_SOCKET"
#: The preload puts the socket in a new directory of mode 0700 named so; the server removes it.
PRIVATE_DIRECTORY_PREFIX = "flask-boiler-workers-"
#: Environment variable naming this file (the preload's, for the shell command); not passed on.
SCRIPT_ENV = "FLASK_BOILER_FORKSERVER"
#: What a Python Cloud Function's worker imports before the app: imported once, by the server.
#: A module a venv lacks is skipped (its workers would import it themselves, or not at all).
PRELOADED = (
    "functions_framework._cli",
    "functions_framework._http.gunicorn",
    "gunicorn.workers.gthread",
    "flask",
    "cloudevents.http",
    "google.cloud.firestore",
    "google.cloud.firestore_v1",
    "grpc",
    "marshmallow",
    "firebase_admin",
    "firebase_functions.https_fn",
)
#: Signals the stand-in passes on to its worker.
FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT)
#: How long ``run`` waits for a server being started (it imports :data:`PRELOADED` first).
CONNECT_SECONDS = 10.0
_HEADER = 8
#: A stand-in's request is its environment, directory and arguments: far below this.
MAX_REQUEST_BYTES = 16 * 1024 * 1024


# -- the stand-in (``run``) ------------------------------------------------------------------


def run(socket_path: str | None) -> NoReturn:
    """Be a worker: forked by the server at ``socket_path``, or ``functions-framework`` itself."""
    os.environ.pop(SOCKET_ENV, None)
    os.environ.pop(SCRIPT_ENV, None)
    conn = _connect(socket_path) if socket_path else None
    if conn is None:
        _become_functions_framework()
    try:
        request = json.dumps({"argv": _functions_framework_argv(), "env": dict(os.environ), "cwd": os.getcwd()})
        payload = request.encode("utf-8", "surrogateescape")
        socket.send_fds(conn, [len(payload).to_bytes(_HEADER, "big")], [0, 1, 2])
        conn.sendall(payload)
        worker = int.from_bytes(_read_exact(conn, _HEADER), "big")
    except OSError:
        conn.close()  # a child forked meanwhile sees this end close and kills itself
        _become_functions_framework()
    for number in FORWARDED:
        signal.signal(number, lambda received, _frame: _forward(worker, received))
    try:
        code = int.from_bytes(_read_exact(conn, _HEADER), "big", signed=True)
    except OSError:  # the server is gone: the worker cannot be waited for, so it goes too
        with contextlib.suppress(OSError):
            os.killpg(worker, signal.SIGKILL)
        sys.exit(1)
    if code < 0:  # killed by a signal: so is its stand-in
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    sys.exit(code)


def _connect(socket_path: str) -> socket.socket | None:
    deadline = time.monotonic() + CONNECT_SECONDS
    while True:
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            conn.connect(socket_path)
            return conn
        except (FileNotFoundError, ConnectionRefusedError):  # not listening yet
            conn.close()
            if time.monotonic() > deadline:
                return None
            time.sleep(0.02)
        except OSError:
            conn.close()
            return None


def _forward(worker: int, number: int) -> None:
    with contextlib.suppress(OSError):
        os.kill(worker, number)


def _functions_framework_argv() -> list[str]:
    """The command firebase-tools asked for (``run``'s own arguments follow ``run``)."""
    return ["functions-framework", *sys.argv[2:]]


def _become_functions_framework() -> NoReturn:
    os.execvp("functions-framework", _functions_framework_argv())


def _read_exact(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ConnectionResetError("the other end closed")
        data += chunk
    return data


# -- the server (``serve``) -----------------------------------------------------------------


def serve(socket_path: str) -> None:
    """Import :data:`PRELOADED`, then fork a worker for every ``run`` that connects, until
    standard input closes (firebase-tools, which started this, is gone)."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [os.path.dirname(sys.executable) if entry == here else entry for entry in sys.path]
    for name in PRELOADED:
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(socket_path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(64)
    wake_read, wake_write = socket.socketpair()
    wake_write.setblocking(False)
    signal.set_wakeup_fd(wake_write.fileno())
    signal.signal(signal.SIGCHLD, lambda *_: None)  # a handler, so that the wake-up fd is written
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(wake_read, selectors.EVENT_READ)
    selector.register(sys.stdin.fileno(), selectors.EVENT_READ)
    workers: dict[int, socket.socket] = {}
    try:
        while True:
            for key, _ in selector.select():
                if key.fileobj is listener:
                    conn, _address = listener.accept()
                    _fork_worker(conn, workers, (selector, listener, wake_read, wake_write))
                elif key.fileobj is wake_read:
                    wake_read.recv(4096)
                elif not os.read(sys.stdin.fileno(), 4096):
                    return
            _reap(workers)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(socket_path)
        directory = os.path.dirname(socket_path)
        if os.path.basename(directory).startswith(PRIVATE_DIRECTORY_PREFIX):  # made for it by the preload
            with contextlib.suppress(OSError):
                os.rmdir(directory)


def _fork_worker(conn: socket.socket, workers: dict[int, socket.socket], server_files: tuple[Any, ...]) -> None:
    fds: list[int] = []
    try:
        conn.settimeout(5)
        header, fds, _flags, _address = socket.recv_fds(conn, _HEADER, 3)
        size = int.from_bytes(header, "big")
        if len(fds) != 3 or len(header) != _HEADER or size > MAX_REQUEST_BYTES:
            raise ValueError(f"not a stand-in's request ({len(fds)} descriptors, {size} bytes announced)")
        request = json.loads(_read_exact(conn, size).decode("utf-8", "surrogateescape"))
        if not isinstance(request, dict):
            raise ValueError("not a stand-in's request")
    except (OSError, ValueError):
        _close(fds, conn)  # the stand-in falls back to functions-framework
        return
    try:
        pid = os.fork()
    except OSError:  # out of processes or memory: this stand-in falls back, the server goes on
        _close(fds, conn)
        return
    if pid == 0:
        for server_file in server_files:  # the worker keeps none of the server's own
            server_file.close()
        _be_worker(conn, fds, request)
    _close(fds)  # the worker has them now
    try:
        conn.sendall(pid.to_bytes(_HEADER, "big"))
    except OSError:  # the stand-in is gone already: so must the worker be
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
        conn.close()
        return
    workers[pid] = conn


def _close(fds: list[int], conn: socket.socket | None = None) -> None:
    for fd in fds:
        os.close(fd)
    if conn is not None:
        conn.close()


def _reap(workers: dict[int, socket.socket]) -> None:
    while workers:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        conn = workers.pop(pid, None)
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.sendall(os.waitstatus_to_exitcode(status).to_bytes(_HEADER, "big", signed=True))
            conn.close()


def _be_worker(conn: socket.socket, fds: list[int], request: dict[str, Any]) -> NoReturn:
    """In the forked child: take over the stand-in's streams, environment and directory, and
    run functions-framework's CLI; never return."""
    code: Any = 1
    try:
        os.setpgid(0, 0)  # one group with gunicorn's worker, killed together
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = list(request["argv"])
        if os.environ.get("PYTHONUNBUFFERED"):
            for stream in (sys.stdout, sys.stderr):
                if isinstance(stream, io.TextIOWrapper):
                    stream.reconfigure(write_through=True)
        threading.Thread(target=_die_with_stand_in, args=(conn,), daemon=True).start()
        from functions_framework._cli import _cli

        _cli.main(args=sys.argv[1:], prog_name="functions-framework")
        code = 0
    except SystemExit as exc:
        code = exc.code
    except BaseException:  # noqa: BLE001 - reported on the worker's stderr, as Python would
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
    os._exit(code if isinstance(code, int) else (0 if code is None else 1))


def _die_with_stand_in(conn: socket.socket) -> None:
    """The stand-in never writes after its request: its end closing means it was killed."""
    conn.settimeout(None)
    with contextlib.suppress(OSError):
        while conn.recv(64):
            pass
    os.killpg(0, signal.SIGKILL)


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"] and len(sys.argv) == 3:
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C in `make dev` reaches the whole group
            serve(sys.argv[2])
    elif sys.argv[1:2] == ["run"]:
        run(os.environ.get(SOCKET_ENV))
    else:
        sys.exit(f"usage: {sys.argv[0]} serve SOCKET | run [functions-framework arguments]")
