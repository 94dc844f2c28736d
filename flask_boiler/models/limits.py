"""Firestore's storage limits, checked before a write so that nothing invalid is sent.

Firestore refuses some data only when it arrives, and the client library reports other
cases with errors that name nothing (a lone surrogate is a ``UnicodeEncodeError`` from
protobuf, an integer past 64 bits a ``ValueError``, a document over 1 MiB a bare
``InvalidArgument``). Checking here, before any request, means a write either passes
every check or sends nothing, and the error names the field:
:class:`~flask_boiler.errors.EncodingError` for strings that UTF-8 cannot encode,
:class:`~flask_boiler.errors.StorageLimitError` for everything else below.

The numbers are Firestore's documented limits (https://firebase.google.com/docs/firestore/quotas);
the emulator enforces them identically, byte for byte, which
``tests/integration/orm/test_orm_limits.py`` checks at each boundary:

=============================  ==========================================================
document size                  1,048,576 bytes, counted as Firestore counts storage
                               (https://firebase.google.com/docs/firestore/storage-size)
one string or bytes value      1,048,487 bytes (UTF-8)
nesting of maps and arrays     20 levels below a top-level field
field path                     1,500 bytes: the map keys from the top, joined with ``.``
                               (arrays add no segment)
map keys                       not empty, not ``__like_this__``
arrays                         no array directly inside an array; no server value inside
integers                       64-bit signed
timestamps                     years 1 to 9999 in UTC
document ids                   at most 1,500 bytes, no ``/``, not ``.``/``..``/``__x__``
writes per commit              500 (:data:`MAX_WRITES_PER_COMMIT`, for batches and the view
                               writer)
=============================  ==========================================================

Not checked: the 40,000 index entries per document (exceeded only by maps with tens of
thousands of keys, and then reported by Firestore at commit), and the 1,500-byte prefix
of a string that indexes and range queries consider (longer strings are stored whole;
queries compare their first 1,500 bytes).

Everything here is a pure function of Python values; nothing reads or writes.
"""

from __future__ import annotations

import datetime as _dt
import enum
import re
from collections.abc import Callable, Mapping
from typing import Any

from .._private.firestore_types import document_reference_type, geo_point_type, is_server_value, vector_type
from ..errors import EncodingError, StorageLimitError, ValidationError

__all__ = [
    "MAX_DEPTH",
    "MAX_DOCUMENT_BYTES",
    "MAX_FIELD_PATH_BYTES",
    "MAX_ID_BYTES",
    "MAX_VALUE_BYTES",
    "MAX_WRITES_PER_COMMIT",
    "check_storable",
    "document_id_problem",
    "document_name_size",
    "document_size",
    "int64_problem",
    "map_key_problem",
    "storage_problems",
    "unicode_problem",
    "value_problems",
]

#: Writes in one commit (a batch or a transaction).
MAX_WRITES_PER_COMMIT = 500
#: A whole document, as :func:`document_size` counts it.
MAX_DOCUMENT_BYTES = 1_048_576
#: One string (UTF-8) or bytes value.
MAX_VALUE_BYTES = 1_048_487
#: A field path: the map keys from the top of the document, joined with ``.``.
MAX_FIELD_PATH_BYTES = 1_500
#: Levels of maps and arrays below a top-level field.
MAX_DEPTH = 20
#: A document id (one path segment).
MAX_ID_BYTES = 1_500

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

_RESERVED = re.compile(r"__.*__", re.DOTALL)

# Problem kinds, each raised as its own error type.
TYPE = "type"
ENCODING = "encoding"
LIMIT = "limit"


# -- single values --------------------------------------------------------------------------


def unicode_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored as UTF-8 (a lone surrogate), or ``None``."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return (
            f"Not valid Unicode: lone surrogate {text[exc.start]!r} at index {exc.start} "
            "(Firestore stores strings as UTF-8)."
        )
    return None


def int64_problem(number: int) -> str | None:
    """Why ``number`` does not fit Firestore's 64-bit integers, or ``None``."""
    if INT64_MIN <= number <= INT64_MAX:
        return None
    return f"Integer {number} is outside the 64-bit range Firestore stores ({INT64_MIN} to {INT64_MAX})."


def timestamp_problem(value: _dt.datetime) -> str | None:
    """Why the aware datetime ``value`` is outside Firestore's timestamps (years 1-9999 UTC), or ``None``."""
    try:
        value.astimezone(_dt.UTC)
    except OverflowError:
        return "Timestamp is outside Firestore's range (0001-01-01 to 9999-12-31 UTC)."
    return None


def map_key_problem(key: object) -> tuple[str, str] | None:
    """``(kind, message)`` when ``key`` cannot be a Firestore map key / field name, else ``None``."""
    if not isinstance(key, str):
        return TYPE, f"Map keys must be strings, got {type(key).__name__}."
    if not key:
        return LIMIT, "Map keys must not be empty."
    problem = unicode_problem(key)
    if problem is not None:
        return ENCODING, f"Map key {key!r}: {problem}"
    if _RESERVED.fullmatch(key):
        return LIMIT, f"Map key {key!r} is reserved by Firestore (names like __this__)."
    return None


def document_id_problem(doc_id: str) -> str | None:
    """Why ``doc_id`` cannot be a document id (one path segment), or ``None``."""
    if not doc_id:
        return "A document id must not be empty."
    if "/" in doc_id or doc_id in (".", ".."):
        return f"A document id must not contain '/' or be '.' or '..' (got {doc_id!r})."
    problem = unicode_problem(doc_id)
    if problem is not None:
        return f"Document id {doc_id!r}: {problem}"
    if _RESERVED.fullmatch(doc_id):
        return f"Document id {doc_id!r} is reserved by Firestore (ids like __this__)."
    if len(doc_id.encode("utf-8")) > MAX_ID_BYTES:
        return f"A document id must be at most {MAX_ID_BYTES} bytes (UTF-8)."
    return None


# -- sizes ----------------------------------------------------------------------------------------


def _text_size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass")) + 1


def document_name_size(path: str) -> int:
    """Storage size of a document name (also of a reference value): segments + 1 each, + 16."""
    return sum(_text_size(segment) for segment in path.strip("/").split("/")) + 16


def document_size(path: str, data: Mapping[str, Any]) -> int:
    """The size Firestore counts for document ``path`` holding ``data`` (stored keys, stored values)."""
    walk = _Walk()
    return document_name_size(path) + sum(walk.field(key, value) for key, value in data.items()) + 32


def _text_array_size(value: list[Any]) -> int | None:
    """The size of an array of plain, storable strings, measured in one pass in C; ``None``
    when it is anything else (or a string has a problem), for the element-by-element walk.

    Views list names by the thousand; checking each one in Python dominated writing them.
    """
    if not value or {*map(type, value)} != {str}:  # the types collected in C, not tested one by one
        return None
    joined = "\x00".join(value)
    if not joined.isascii():
        try:
            encoded = joined.encode("utf-8")  # strict: a lone surrogate raises
        except UnicodeEncodeError:
            return None
        if max(map(len, value)) * 4 > MAX_VALUE_BYTES:
            return None  # one may be over the per-string limit: let the walk say which
        return len(encoded) + 1  # the n - 1 separators stand for n - 1 of the n terminators
    if max(map(len, value)) > MAX_VALUE_BYTES:
        return None
    return len(joined) + 1


# -- the walk ---------------------------------------------------------------------------------------

Report = Callable[[str, str, str], None]
"""``report(kind, location inside the value, message)``."""


class _Walk:
    """One pass over a value: its storage size, and every problem with where it is.

    The walk never goes deeper than :data:`MAX_DEPTH` + 1 levels, so hostile nesting
    (thousands of levels) is reported, not a ``RecursionError``.
    """

    def __init__(self, report: Report | None = None) -> None:
        self._report: Report = report or (lambda kind, where, message: None)

    def field(self, key: str, value: Any) -> int:
        """Size of top-level field ``key`` (name and value)."""
        problem = map_key_problem(key)
        if problem is not None:
            self._report(problem[0], "", problem[1])
        return _text_size(key) + self.value(value, "", len(key.encode("utf-8", "surrogatepass")), 0, False)

    def value(self, value: Any, where: str, path_bytes: int, depth: int, in_array: bool) -> int:
        if value is None:
            return 1
        if isinstance(value, bool):
            return 1
        if isinstance(value, enum.Enum):
            self._report(TYPE, where, f"{value!r} is an enum member; store its value (or use fields.Enum).")
            return 8
        if isinstance(value, int):
            problem = int64_problem(value)
            if problem is not None:
                self._report(LIMIT, where, problem)
            return 8
        if isinstance(value, float):
            return 8
        if isinstance(value, str):
            problem = unicode_problem(value)
            if problem is not None:
                self._report(ENCODING, where, problem)
            size = _text_size(value)
            if size - 1 > MAX_VALUE_BYTES:
                self._report(
                    LIMIT, where, f"A string may hold at most {MAX_VALUE_BYTES} bytes (UTF-8); this one has {size - 1}."
                )
            return size
        if isinstance(value, bytes):
            if len(value) > MAX_VALUE_BYTES:
                self._report(
                    LIMIT, where, f"A bytes value may hold at most {MAX_VALUE_BYTES} bytes; this one has {len(value)}."
                )
            return len(value)
        if isinstance(value, _dt.datetime):
            if value.tzinfo is None or value.utcoffset() is None:
                self._report(TYPE, where, "Naive datetime; attach a tzinfo (e.g. datetime.timezone.utc).")
            else:
                problem = timestamp_problem(value)
                if problem is not None:
                    self._report(LIMIT, where, problem)
            return 8
        if isinstance(value, list):
            return self._array(value, where, path_bytes, depth, in_array)
        if isinstance(value, dict):
            return self._map(value, where, path_bytes, depth)
        if isinstance(value, document_reference_type()):
            return document_name_size(value.path)
        if isinstance(value, geo_point_type()):
            self._geo_point(value, where)
            return 16
        if is_server_value(value):
            return self._server_value(value, where, path_bytes, depth, in_array)
        if isinstance(value, vector_type()):
            return 8 * len(value) + 64
        if isinstance(value, (tuple, set, frozenset)):
            self._report(
                TYPE, where, f"A {type(value).__name__} would be stored as an array and load as a list; use a list."
            )
            return 0
        if isinstance(value, (bytearray, memoryview)):
            self._report(TYPE, where, f"Use bytes, not {type(value).__name__}.")
            return 0
        self._report(TYPE, where, f"Firestore cannot store a {type(value).__name__}.")
        return 0

    def _nested(self, where: str, depth: int) -> bool:
        if depth + 1 > MAX_DEPTH:
            self._report(LIMIT, where, f"Maps and arrays may be nested at most {MAX_DEPTH} levels deep.")
            return False
        return True

    def _array(self, value: list[Any], where: str, path_bytes: int, depth: int, in_array: bool) -> int:
        if in_array:
            self._report(LIMIT, where, "An array cannot directly contain another array (Firestore refuses it).")
            return 0
        if not self._nested(where, depth):
            return 0
        fast = _text_array_size(value)
        if fast is not None:
            return fast
        return sum(
            self.value(item, f"{where}[{index}]", path_bytes, depth + 1, True) for index, item in enumerate(value)
        )

    def _map(self, value: dict[Any, Any], where: str, path_bytes: int, depth: int) -> int:
        if not self._nested(where, depth):
            return 0
        size = 0
        for key, item in value.items():
            inner = f"{where}.{key}" if isinstance(key, str) else f"{where}[{key!r}]"
            problem = map_key_problem(key)
            if problem is not None:
                self._report(problem[0], where, problem[1])
                continue
            key_bytes = len(key.encode("utf-8", "surrogatepass"))
            if path_bytes + 1 + key_bytes > MAX_FIELD_PATH_BYTES:
                self._report(
                    LIMIT, inner, f"The field path is longer than {MAX_FIELD_PATH_BYTES} bytes (keys joined with '.')."
                )
            size += _text_size(key) + self.value(item, inner, path_bytes + 1 + key_bytes, depth + 1, False)
        return size

    def _geo_point(self, value: Any, where: str) -> None:
        latitude, longitude = value.latitude, value.longitude
        if not all(isinstance(part, (int, float)) and not isinstance(part, bool) for part in (latitude, longitude)):
            self._report(TYPE, where, "A GeoPoint's latitude and longitude must be numbers.")
        elif not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            self._report(LIMIT, where, "Latitude must be within [-90, 90] and longitude within [-180, 180].")

    def _server_value(self, value: Any, where: str, path_bytes: int, depth: int, in_array: bool) -> int:
        if in_array:
            self._report(TYPE, where, "Server values (Increment, ArrayUnion...) cannot be inside an array.")
            return 0
        elements = getattr(value, "values", None)
        if isinstance(elements, list):  # ArrayUnion / ArrayRemove: the elements must be storable too
            added = self._array(elements, where, path_bytes, depth, False)
            return added if type(value).__name__ == "ArrayUnion" else 0
        number = getattr(value, "value", None)
        if isinstance(number, int) and not isinstance(number, bool):  # Increment / Maximum / Minimum
            problem = int64_problem(number)
            if problem is not None:
                self._report(LIMIT, where, problem)
        return 8


# -- checks ----------------------------------------------------------------------------------------


def value_problems(value: Any) -> list[tuple[str, str, str]]:
    """Every ``(kind, location, message)`` that keeps ``value`` from being stored as one field's value.

    ``kind`` is ``"type"`` (not a Firestore value: a tuple, an object, a naive datetime),
    ``"encoding"`` or ``"limit"``. Used by ``fields.Raw`` for its type rule and by
    :func:`storage_problems` for whole documents.
    """
    found: list[tuple[str, str, str]] = []
    _Walk(lambda kind, where, message: found.append((kind, where, message))).value(value, "", 0, 0, False)
    return found


def storage_problems(data: Mapping[str, Any], *, path: str | None = None) -> dict[str, dict[str, list[str]]]:
    """Problems of a document's stored ``data``: ``{kind: {stored key: [messages]}}``.

    With ``path``, the document's size is checked too; when it is over the limit the
    largest top-level fields are named (those whose removal would make it fit, at most five).
    """
    found: dict[str, dict[str, list[str]]] = {}
    sizes: dict[str, int] = {}
    for key, value in data.items():

        def report(kind: str, where: str, message: str, key: str = key) -> None:
            text = f"{where.lstrip('.')}: {message}" if where else message
            found.setdefault(kind, {}).setdefault(key, []).append(text)

        sizes[key] = _Walk(report).field(key, value)
    if path is not None:
        total = document_name_size(path) + sum(sizes.values()) + 32
        if total > MAX_DOCUMENT_BYTES:
            excess = total - MAX_DOCUMENT_BYTES
            named = 0
            for key, size in sorted(sizes.items(), key=lambda item: -item[1])[:5]:
                found.setdefault(LIMIT, {}).setdefault(key, []).append(
                    f"The document would take {total:,} bytes, over Firestore's limit of {MAX_DOCUMENT_BYTES:,} "
                    f"(1 MiB); this field takes {size:,}."
                )
                named += size
                if named >= excess:
                    break
    return found


def check_storable(
    data: Mapping[str, Any],
    *,
    path: str | None = None,
    names: Mapping[str, str] | None = None,
    model: str | None = None,
    kinds: tuple[str, ...] = (ENCODING, LIMIT, TYPE),
) -> None:
    """Raise when Firestore would refuse ``data`` (stored keys) at document ``path``.

    Errors are keyed through ``names`` (stored key -> attribute name; other keys stay as
    they are): :class:`~flask_boiler.errors.EncodingError` if any string cannot be encoded,
    else :class:`~flask_boiler.errors.StorageLimitError` for limits, else
    :class:`~flask_boiler.errors.ValidationError` for values Firestore cannot store at all.
    ``kinds`` restricts which problems count (loading leaves types to the fields).
    Without ``path`` the document's total size is not checked.
    """
    found = storage_problems(data, path=path)
    if not found:
        return
    names = names or {}
    for kind, error_type in ((ENCODING, EncodingError), (LIMIT, StorageLimitError), (TYPE, ValidationError)):
        problems = found.get(kind) if kind in kinds else None
        if problems:
            raise error_type({names.get(key, key): messages for key, messages in problems.items()}, model=model)
