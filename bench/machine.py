"""The machine a run measured on, from /proc (written next to every figure)."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def describe() -> dict:
    return {
        "nproc": os.cpu_count() or 0,
        "cpu_model": _cpu_model(),
        "memory_gib": round(_memory_gib(), 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def one_line(info: dict) -> str:
    return f"{info['nproc']} CPUs ({info['cpu_model']}), {info['memory_gib']} GiB RAM, Python {info['python']}"
