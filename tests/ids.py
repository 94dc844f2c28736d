"""Parametrize ids that are the same in every process (pytest-xdist workers must collect alike)."""

from __future__ import annotations

import re
from typing import Any

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def stable_id(item: Any, width: int = 40) -> str:
    """``repr(item)`` without memory addresses, cut to ``width`` characters."""
    return _ADDRESS.sub("", repr(item))[:width]
