"""Typed exceptions raised by flask-boiler.

Every error a user can act on has its own type, so callers (and the REST layer)
can tell a bad configuration from bad input from a missing document.
"""

from __future__ import annotations

from typing import Any

import marshmallow

__all__ = [
    "ConfigurationError",
    "ContentionError",
    "DocumentAlreadyExists",
    "DocumentNotFound",
    "EncodingError",
    "FlaskBoilerError",
    "InvalidCursorError",
    "InvalidSourceDocument",
    "ModelDefinitionError",
    "PathError",
    "QueryError",
    "ReadOnlyAttributeError",
    "StorageLimitError",
    "UnknownFieldError",
    "UnknownModelTypeError",
    "UsageError",
    "ValidationError",
]


class FlaskBoilerError(Exception):
    """Base class of every exception flask-boiler raises on purpose."""


class ConfigurationError(FlaskBoilerError):
    """The project is not configured well enough to reach Firebase; the message says what to set."""


# -- ORM errors ---------------------------------------------------------------------------


class ModelDefinitionError(FlaskBoilerError, TypeError):
    """A model or schema class is declared inconsistently (raised at class creation / first use).

    Examples: ``load_from`` and ``dump_to`` naming different keys, a field named like a
    model method (``save``), a path template without a document id placeholder.
    """


class UsageError(FlaskBoilerError, TypeError, ValueError):
    """An ORM call whose arguments contradict each other or are out of range.

    Examples: ``save(transaction=t, batch=b)``, ``save(merge=True, create_only=True)``,
    ``prefetch(depth=-1)``, instantiating an abstract model. It subclasses both
    ``TypeError`` and ``ValueError``, which such mistakes raised before.
    """


class ValidationError(FlaskBoilerError, marshmallow.ValidationError, ValueError):
    """Data for a model is invalid. Raised once, listing *every* bad field; nothing is written.

    ``errors`` maps the Python attribute name of each bad field to its messages (a list
    of strings, or a nested dict for embedded models, lists and maps). Schema-level
    errors are under ``"_schema"``.

    It *is* marshmallow's ``ValidationError`` too (``messages`` is ``errors``), so there
    is one class to catch and nothing to convert: marshmallow stores it like its own when
    a field or validator raises it, and code written for marshmallow keeps working.
    """

    def __init__(self, errors: dict[Any, Any] | list[Any] | str, model: str | None = None) -> None:
        if not isinstance(errors, dict):
            errors = {"_schema": [errors] if isinstance(errors, str) else list(errors)}
        where = f" for {model}" if model else ""
        names = ", ".join(sorted(str(name) for name in errors))
        marshmallow.ValidationError.__init__(self, dict(errors))
        self.args = (f"Invalid data{where}: {names}: {errors!r}",)
        self.model = model

    @property
    def errors(self) -> dict[Any, Any]:
        """Attribute name -> messages (the same object as marshmallow's ``messages``)."""
        messages = self.messages
        assert isinstance(messages, dict)  # always a dict: see __init__
        return messages

    @property
    def fields(self) -> list[str]:
        """Names of the attributes that failed validation."""
        return sorted(str(name) for name in self.errors)

    def __str__(self) -> str:
        return str(self.args[0])


class EncodingError(ValidationError):
    """A string (a value or a map key) is not valid Unicode and cannot be stored as UTF-8.

    Python strings may hold lone surrogates (``"\\ud800"``, e.g. from a ``surrogateescape``
    decode or JSON's ``"\\ud800"`` escape); Firestore stores UTF-8, which cannot encode
    them. ``errors`` names each field, with the position of the first bad character.
    """


class StorageLimitError(ValidationError):
    """Data is well typed but beyond one of Firestore's storage limits; nothing is written.

    The limits checked before sending (``flask_boiler.models.limits``): a document of at
    most 1 MiB (1,048,576 bytes, counted the way Firestore counts), a string or bytes value
    of at most 1,048,487 bytes, maps and arrays nested at most 20 deep, field paths of at
    most 1,500 bytes, map keys that are not empty or ``__reserved__``, no array directly
    inside an array, integers within 64 bits, timestamps within years 1-9999.
    ``errors`` names each offending field (for the size limit: the largest fields).
    """


class DocumentNotFound(FlaskBoilerError, LookupError):
    """The document that was asked for (``get_or_raise``, ``update``, a lazy reference) does not exist."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"Document {path!r} does not exist.")


class DocumentAlreadyExists(FlaskBoilerError):
    """A create-only write (``insert()`` / ``save(create_only=True)``) found the document already there."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"Document {path!r} already exists.")


class UnknownFieldError(FlaskBoilerError, AttributeError):
    """An attribute name that the model's schema does not declare (in a query, ``create`` or an assignment)."""

    def __init__(self, model: str, name: str, known: list[str] | None = None) -> None:
        self.model = model
        self.field = name
        hint = f" Known fields: {', '.join(sorted(known))}." if known else ""
        super().__init__(f"{model} has no field {name!r}.{hint}")


class ReadOnlyAttributeError(FlaskBoilerError, AttributeError):
    """An attribute that cannot be assigned: a path parameter (``ticket.uid``) is part of the document's path."""


class PathError(FlaskBoilerError, ValueError):
    """A document path cannot be built (missing path parameter) or does not match a model's template."""


class InvalidCursorError(FlaskBoilerError, ValueError):
    """A pagination cursor token is malformed, tampered with, or belongs to a different query."""


class UnknownModelTypeError(FlaskBoilerError, LookupError):
    """A stored type discriminator names no model registered under the class being loaded."""


class QueryError(FlaskBoilerError, ValueError):
    """A query is malformed: unknown operator, wrong value shape for ``in``, bad limit..."""


class InvalidSourceDocument(FlaskBoilerError):
    """A domain document a view is computed from does not load as its model.

    Retrying cannot fix stored data, so view triggers report it (severity ERROR, naming
    the document and its bad fields) and acknowledge the event instead of retrying it
    forever; correcting the document emits a new event that refreshes the views.
    """

    def __init__(self, path: str, model: str, errors: dict[Any, Any]) -> None:
        super().__init__(f"{path} is not a valid {model}: {errors}")
        self.path = path
        self.model = model
        self.errors = errors


class ContentionError(FlaskBoilerError):
    """A transaction gave up after every attempt aborted on contention (a hot document).

    ``attempts`` is how many times it ran. Retrying later usually succeeds: the REST layer
    answers 503 with ``Retry-After``. Prefer writes that do not read-modify-write a hot
    document (``update(tags=ArrayUnion([...]))``, ``update(count=Increment(1))``) where
    the change allows it.
    """

    def __init__(self, message: str, *, attempts: int | None = None) -> None:
        super().__init__(message)
        self.attempts = attempts


# -- view engine errors ---------------------------------------------------------------------


class UndeclaredSourceRead(FlaskBoilerError, AttributeError):
    """``compute`` read a source field outside the fields the engine knows it reads.

    The engine skips changes to fields no view reads, so this set must be complete; it is
    inferred from the code or declared with ``source(..., fields=(...))``, and enforced.
    """

    def __init__(self, view: str, source: str, attribute: str) -> None:
        super().__init__(
            f"{view}.compute read {source}.{attribute}, which is not among the fields the engine tracks for "
            f"{source!r}; declare it: {source} = source(..., fields=(..., {attribute!r}))."
        )
        self.view = view
        self.source = source
        self.attribute = attribute


class InvalidView(FlaskBoilerError, ValueError):
    """A view computed by ``compute`` does not pass its own schema's validation; nothing is written."""

    def __init__(self, view: str, path: str, errors: dict[str, Any]) -> None:
        fields = ", ".join(sorted(str(name) for name in errors))
        super().__init__(f"{view} computed an invalid view {path} ({fields}): {errors}")
        self.view = view
        self.path = path
        self.errors = errors


class UnknownViewError(FlaskBoilerError, LookupError):
    """No single registered view model goes by that name (none, or several: qualify it)."""
