"""Typed exceptions raised by flask-boiler.

Every error a user can act on has its own type, so callers (and the REST layer)
can tell a bad configuration from bad input from a missing document.
"""

from __future__ import annotations

__all__ = [
    "ConfigurationError",
    "DocumentAlreadyExists",
    "DocumentNotFound",
    "FlaskBoilerError",
    "InvalidCursorError",
    "InvalidSourceDocument",
    "ModelDefinitionError",
    "PathError",
    "QueryError",
    "UnknownFieldError",
    "UnknownModelTypeError",
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


class ValidationError(FlaskBoilerError, ValueError):
    """Data for a model is invalid. Raised once, listing *every* bad field.

    ``errors`` maps the Python attribute name of each bad field to its messages (a list
    of strings, or a nested dict for embedded models, lists and maps). Schema-level
    errors are under ``"_schema"``.
    """

    def __init__(self, errors: dict, model: str | None = None) -> None:
        self.errors = dict(errors)
        self.model = model
        where = f" for {model}" if model else ""
        fields = ", ".join(sorted(str(name) for name in self.errors))
        super().__init__(f"Invalid data{where}: {fields}: {self.errors!r}")

    @property
    def fields(self) -> list[str]:
        """Names of the attributes that failed validation."""
        return sorted(str(name) for name in self.errors)


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

    def __init__(self, path: str, model: str, errors: dict) -> None:
        super().__init__(f"{path} is not a valid {model}: {errors}")
        self.path = path
        self.model = model
        self.errors = errors


class ContentionError(FlaskBoilerError):
    """A transaction gave up after every attempt aborted on contention (a hot document).

    Retrying later usually succeeds: the REST layer answers 503 with ``Retry-After``.
    Prefer writes that do not read-modify-write a hot document (``ArrayUnion``,
    ``Increment``) where the change allows it.
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

    def __init__(self, view: str, path: str, errors: dict) -> None:
        fields = ", ".join(sorted(str(name) for name in errors))
        super().__init__(f"{view} computed an invalid view {path} ({fields}): {errors}")
        self.view = view
        self.path = path
        self.errors = errors


class UnknownViewError(FlaskBoilerError, LookupError):
    """No single registered view model goes by that name (none, or several: qualify it)."""
