"""Path params from the URL, checked before they reach Firestore.

Flask already refuses empty segments and ``/``; Firestore also refuses ids that are
``.``, ``..``, ``__...__`` or longer than 1500 bytes, and would answer such a request
with an error. No document can have such an id, so it is a 404, never a 500.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .errors import ApiError

__all__ = ["checked_key"]

_RESERVED_ID = re.compile(r"^__.*__$")
_MAX_ID_BYTES = 1500


def checked_key(values: Mapping[str, str]) -> dict[str, str]:
    for value in values.values():
        if value in (".", "..") or _RESERVED_ID.match(value) or len(value.encode("utf-8")) > _MAX_ID_BYTES:
            raise ApiError(404, "No such resource.")
    return dict(values)
