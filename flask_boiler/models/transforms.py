"""Server values applied locally: what Firestore will make of a field, from the value we hold.

``meeting.update(attendees=ArrayUnion([user]))`` writes a *transform*: Firestore adds
``user`` to whatever the document holds at commit time, so concurrent joins never
overwrite each other (no read-modify-write). The instance cannot know what other
writers did meanwhile, so afterwards it holds the transform applied to the value *it*
last read (or was given) — the value Firestore computes when nobody else wrote; call
``reload()`` for the stored truth. Applying it here also keeps a later ``update()``
without arguments from writing the whole list back (it compares against this value).

The rules mirror Firestore's (https://firebase.google.com/docs/firestore/manage-data/add-data#update_elements_in_an_array,
#increment_a_numeric_value): ``ArrayUnion`` appends each element not already present,
``ArrayRemove`` removes every occurrence, ``Increment``/``Maximum``/``Minimum`` on a
missing or non-numeric value set it to the operand, integer sums saturate at 64 bits.
"""

from __future__ import annotations

from typing import Any

from .._private.firestore_types import (
    ARRAY_REMOVE,
    ARRAY_UNION,
    DELETE_FIELD,
    INCREMENT,
    MAXIMUM,
    NUMERIC_TRANSFORMS,
    server_value_kind,
)
from .limits import INT64_MAX, INT64_MIN

__all__ = ["UNKNOWN", "apply_stored"]


class _Unknown:
    """Marker: the server computes the value and we cannot tell it (``SERVER_TIMESTAMP``)."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()
#: Marker: the field is removed (``DELETE_FIELD``).
DELETED: Any = object()


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _add(current: Any, operand: Any) -> Any:
    if isinstance(current, int) and isinstance(operand, int):
        return min(max(current + operand, INT64_MIN), INT64_MAX)
    return float(current) + float(operand)


def apply_stored(current: Any, transform: Any, *, present: bool = True) -> Any:
    """The stored value after ``transform`` (a server value, already converted by its field) on ``current``.

    ``present=False`` when the field is absent from the document. Returns :data:`UNKNOWN`
    for ``SERVER_TIMESTAMP`` and :data:`DELETED` for ``DELETE_FIELD``.
    """
    kind = server_value_kind(transform)
    if kind == ARRAY_UNION:
        result = list(current) if present and isinstance(current, list) else []
        for element in transform.values:
            if element not in result:
                result.append(element)
        return result
    if kind == ARRAY_REMOVE:
        if not (present and isinstance(current, list)):
            return []
        return [element for element in current if element not in transform.values]
    if kind in NUMERIC_TRANSFORMS:
        operand = transform.value
        if not (present and _is_number(current)):
            return operand
        if kind == INCREMENT:
            return _add(current, operand)
        if kind == MAXIMUM:
            return operand if operand > current else current
        return operand if operand < current else current
    if kind == DELETE_FIELD:
        return DELETED
    return UNKNOWN
