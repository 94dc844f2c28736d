"""A bounded HTTP load generator, run as a separate process: ``python -m bench.loadgen URL ...``.

``--concurrency`` threads, each with its own ``requests.Session`` (keep-alive), share a
budget of ``--requests`` GETs and stop early at ``--max-seconds``. Prints one JSON object:
per-request latencies (seconds), errors, elapsed wall time.
"""

from __future__ import annotations

import argparse
import json
import threading
import time

import requests


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--header", action="append", default=[])
    args = parser.parse_args()
    headers = dict(h.split(": ", 1) for h in args.header)
    remaining = [args.requests]
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    start = time.perf_counter()
    deadline = start + args.max_seconds

    def worker() -> None:
        session = requests.Session()
        while time.perf_counter() < deadline:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            t0 = time.perf_counter()
            try:
                response = session.get(args.url, headers=headers, timeout=30)
                ok = response.status_code == 200
                detail = f"{response.status_code} {response.text[:200]}"
            except requests.RequestException as exc:
                ok, detail = False, repr(exc)
            elapsed = time.perf_counter() - t0
            with lock:
                (latencies.append(elapsed) if ok else errors.append(detail))

    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(
        json.dumps(
            {
                "latencies": latencies,
                "errors": errors[:5],
                "error_count": len(errors),
                "elapsed": time.perf_counter() - start,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
