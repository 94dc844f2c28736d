"""Queries over a model's collection, in Python attribute names.

::

    City.where("population", ">", 1_000_000).order_by("name").limit(10)
    City.where(state="CA")                                   # equality shortcut
    City.where(Or(("state", "==", "CA"), ("capital", "==", True)))
    Ticket.query(uid="u1").where("address.city", "==", "Paris")   # subcollection, nested attribute
    Ticket.collection_group().where("status", "in", ["open", "new"])

    for city in query: ...                 # streams
    query.get() / query.first() / query.count()
    page = query.page(limit=20, cursor=token); page.items; page.next_cursor

Attribute names (also nested ``"a.b"`` through embedded models) are translated to stored
keys; names the schema does not declare raise :class:`UnknownFieldError` immediately,
when the filter is added. Values are converted like on save (enums by value, models to
``DocumentReference``, aware datetimes). ``"doc_id"`` filters/orders by document id.

Queries are immutable: every method returns a new query.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, Self, TypeVar

import marshmallow

from ._private.cursor import decode_cursor, encode_cursor, query_fingerprint
from ._private.firestore_types import document_reference_type, field_path_repr
from .context import Context
from .errors import InvalidCursorError, PathError, QueryError, UnknownFieldError, ValidationError
from .models.limits import check_storable, document_id_problem
from .models.options import ModelOptions
from .models.references import is_document
from .models.serialization import element_to_storage, storage_field, to_storage
from .schema import stored_key

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import DocumentSnapshot, Transaction

__all__ = ["OPERATORS", "And", "Filter", "Or", "Page", "Query", "QueryableModel", "resolve_attribute"]


class QueryableModel(Protocol):
    """What a query needs of a model class (``DocumentModel`` subclasses are queryable)."""

    _meta: ClassVar[ModelOptions]

    @classmethod
    def from_snapshot(cls, snapshot: DocumentSnapshot[Any]) -> Self: ...


M = TypeVar("M", bound=QueryableModel)

OPERATORS = frozenset(["==", "!=", "<", "<=", ">", ">=", "in", "not-in", "array-contains", "array-contains-any"])
_INEQUALITIES = frozenset(["<", "<=", ">", ">=", "!=", "not-in"])
_LIST_OPERATORS = frozenset(["in", "not-in", "array-contains-any"])
_ELEMENT_OPERATORS = frozenset(["array-contains", "array-contains-any"])
#: Our spelling (Firestore's docs, other SDKs) -> the Python client's spelling.
_CLIENT_OPS = {"array-contains": "array_contains", "array-contains-any": "array_contains_any"}
_ALIASES = {"array_contains": "array-contains", "array_contains_any": "array-contains-any", "not_in": "not-in"}
_DIRECTIONS = {"asc": "ASCENDING", "ascending": "ASCENDING", "desc": "DESCENDING", "descending": "DESCENDING"}
DOCUMENT_ID = "__name__"
_DOC_ID_NAMES = ("doc_id", DOCUMENT_ID)


# -- filters -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filter:
    """``attribute op value`` in Python attribute names."""

    attribute: str
    op: str
    value: Any


class _Composite:
    kind = ""

    def __init__(self, *filters: FilterLike) -> None:
        if not filters:
            raise QueryError(f"{type(self).__name__}() needs at least one filter.")
        self.filters = tuple(_as_filter(item) for item in filters)

    def __repr__(self) -> str:
        return f"{type(self).__name__}{self.filters!r}"


class And(_Composite):
    """All of the filters (``And(("a", "==", 1), ("b", ">", 2))``)."""

    kind = "AND"


class Or(_Composite):
    """Any of the filters (``Or(("state", "==", "CA"), ("capital", "==", True))``)."""

    kind = "OR"


FilterLike = Filter | And | Or | tuple[str, str, Any]


def _as_filter(item: Any) -> Filter | And | Or:
    if isinstance(item, (Filter, _Composite)):
        return item  # type: ignore[return-value]
    if isinstance(item, tuple) and len(item) == 3:
        return Filter(*item)
    raise QueryError(f"Expected a Filter, And, Or or an (attribute, op, value) tuple, got {item!r}.")


# -- attribute -> stored path ---------------------------------------------------------------------


def resolve_attribute(model: type[QueryableModel], attribute: str) -> tuple[str, marshmallow.fields.Field[Any] | None]:
    """``"address.city"`` -> (stored field path, field or ``None`` when the value is free-form).

    ``"doc_id"`` resolves to Firestore's document-id path ``__name__``.
    """
    if attribute in _DOC_ID_NAMES:
        return DOCUMENT_ID, None
    schema = model._meta.schema
    parts = attribute.split(".")
    name = parts[0]
    current = schema.fields.get(name)
    if current is None or current.load_only:
        raise UnknownFieldError(model.__name__, attribute, list(schema.fields))
    stored: list[str] = [stored_key(name, current)]
    field_obj: marshmallow.fields.Field[Any] | None = current
    for index, part in enumerate(parts[1:], start=1):
        if field_obj is None:  # inside a free-form value (Raw, Dict): the rest is stored as written
            stored.extend(parts[index:])
            break
        protocol = storage_field(field_obj)
        child = protocol.child_field(part) if protocol is not None else None
        if child is None and isinstance(field_obj, marshmallow.fields.Dict):
            child = (part, None)
        if child is None:
            raise UnknownFieldError(model.__name__, attribute)
        key, field_obj = child
        stored.append(key)
    return field_path_repr(stored), field_obj


def _convert(field_obj: marshmallow.fields.Field[Any] | None, op: str, value: Any) -> Any:
    """A filter value as stored: each element for ``array-contains(-any)``, each item for ``in``/``not-in``."""

    def one(item: Any) -> Any:
        if field_obj is None:
            return item
        if op in _ELEMENT_OPERATORS:
            return element_to_storage(field_obj, item)
        return to_storage(field_obj, item)

    if op in _LIST_OPERATORS:
        if not isinstance(value, (list, tuple, set, frozenset)):
            raise QueryError(f"Operator {op!r} needs a list of values, got {type(value).__name__}.")
        return [one(item) for item in value]
    return one(value)


# -- the query ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page(Generic[M]):
    """One page of results; pass ``next_cursor`` to :meth:`Query.page` for the next (``None`` at the end)."""

    items: list[M]
    next_cursor: str | None

    def __iter__(self) -> Iterator[M]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class _Order:
    path: str
    direction: str  # "ASCENDING" | "DESCENDING"


@dataclass(frozen=True)
class _State:
    parent_params: tuple[tuple[str, str], ...] = ()
    group: bool = False
    filters: tuple[Any, ...] = ()  # (Filter | And | Or, translated firestore filter)
    orders: tuple[_Order, ...] = ()
    limit: int | None = None
    inequality_paths: frozenset[str] = field(default_factory=frozenset)


class Query(Generic[M]):
    """An immutable query for model ``model`` (built by ``Model.query()``/``where``/``collection_group``)."""

    def __init__(
        self,
        model: type[M],
        *,
        parent_params: dict[str, str] | None = None,
        group: bool = False,
        _state: _State | None = None,
    ) -> None:
        self.model = model
        self._state = _state or _State(parent_params=tuple(sorted((parent_params or {}).items())), group=group)
        if not group and _state is None:
            template = model._meta.document_path
            missing = [name for name in template.parent_params if name not in dict(self._state.parent_params)]
            if missing:
                raise PathError(
                    f"{model.__name__} lives at {template.template!r}: pass {', '.join(missing)} to "
                    f"{model.__name__}.query(...) or use {model.__name__}.collection_group()."
                )

    def _with(self, **changes: Any) -> Query[M]:
        return Query(self.model, _state=replace(self._state, **changes))

    # -- building ---------------------------------------------------------------------------

    def where(self, *args: Any, **equals: Any) -> Query[M]:
        """Add filters: ``where("a", "==", 1)``, ``where(Filter/And/Or)``, ``where(a=1, b=2)`` (all AND-ed)."""
        filters: list[Filter | And | Or] = []
        if len(args) == 3 and isinstance(args[0], str):
            filters.append(Filter(*args))
        elif args:
            filters.extend(_as_filter(item) for item in args)
        filters.extend(Filter(name, "==", value) for name, value in equals.items())
        if not filters:
            raise QueryError("where() needs a filter.")
        translated = list(self._state.filters)
        inequality = set(self._state.inequality_paths)
        for item in filters:
            translated.append(self._translate(item, inequality))
        return self._with(filters=tuple(translated), inequality_paths=frozenset(inequality))

    def _translate(self, item: Filter | And | Or, inequality: set[str]) -> Any:
        from google.cloud.firestore_v1.base_query import And as FsAnd
        from google.cloud.firestore_v1.base_query import FieldFilter
        from google.cloud.firestore_v1.base_query import Or as FsOr

        if isinstance(item, _Composite):
            parts = [self._translate(child, inequality) for child in item.filters]
            return (FsOr if item.kind == "OR" else FsAnd)(filters=parts)
        op = _ALIASES.get(item.op, item.op)
        if op not in OPERATORS:
            raise QueryError(f"Unknown operator {item.op!r}; use one of {', '.join(sorted(OPERATORS))}.")
        path, field_obj = resolve_attribute(self.model, item.attribute)
        if path == DOCUMENT_ID:
            value: Any = self._doc_id_value(op, item.value)
        else:
            try:
                value = _convert(field_obj, op, item.value)
            except marshmallow.ValidationError as exc:
                raise ValidationError({item.attribute: exc.messages}, model=self.model.__name__) from None
            # A lone surrogate or a 65-bit integer would fail inside the client, naming nothing.
            check_storable({item.attribute: value}, model=self.model.__name__)
        if op in _INEQUALITIES:
            inequality.add(path)
        return FieldFilter(path, _CLIENT_OPS.get(op, op), value)

    def _doc_id_value(self, op: str, value: Any) -> Any:
        def ref(item: Any) -> Any:
            if is_document(item):
                return item.doc_ref
            if isinstance(item, document_reference_type()):
                return item
            if isinstance(item, str):
                segments = item.strip("/").split("/")
                problem = next(filter(None, map(document_id_problem, segments)), None)
                if problem is not None:
                    raise QueryError(f"Cannot filter by document id {item!r}: {problem}")
                if len(segments) > 1:
                    return Context.db.document(item.strip("/"))
                if self._state.group:
                    raise QueryError("Collection-group queries filter by document id with full document paths.")
                return self._collection().document(item)
            raise QueryError(f"A document id filter needs ids, paths, references or models, got {item!r}.")

        if op in _LIST_OPERATORS:
            if not isinstance(value, Iterable) or isinstance(value, str):
                raise QueryError(f"Operator {op!r} needs a list of values, got {type(value).__name__}.")
            return [ref(item) for item in value]
        return ref(value)

    def order_by(self, attribute: str, direction: str = "asc") -> Query[M]:
        """Order by ``attribute`` (``"asc"``/``"desc"``); call again for secondary orders."""
        resolved = _DIRECTIONS.get(direction.lower()) if isinstance(direction, str) else None
        if resolved is None:
            raise QueryError(f"Order direction must be 'asc' or 'desc', got {direction!r}.")
        path, _ = resolve_attribute(self.model, attribute)
        return self._with(orders=(*self._state.orders, _Order(path, resolved)))

    def limit(self, count: int) -> Query[M]:
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise QueryError(f"limit must be a positive integer, got {count!r}.")
        return self._with(limit=count)

    # -- Firestore query --------------------------------------------------------------------------

    def _collection(self) -> Any:
        template = self.model._meta.document_path
        return Context.db.collection(template.collection_path(dict(self._state.parent_params)))

    def _scope(self) -> str:
        template = self.model._meta.document_path
        if self._state.group:
            return f"group:{template.collection_id}"
        return template.collection_path(dict(self._state.parent_params))

    def _type_filter(self) -> Any:
        options = self.model._meta
        if options.type_field is None or options.type_root is self.model:
            return None
        from google.cloud.firestore_v1.base_query import FieldFilter

        names = options.type_names()
        if len(names) == 1:
            return FieldFilter(options.type_field, "==", names[0])
        return FieldFilter(options.type_field, "in", names)

    def _build(self, orders: Sequence[_Order], limit: int | None) -> Any:
        if self._state.group:
            query = Context.db.collection_group(self.model._meta.document_path.collection_id)
        else:
            query = self._collection()
        type_filter = self._type_filter()
        if type_filter is not None:
            query = query.where(filter=type_filter)
        for translated in self._state.filters:
            query = query.where(filter=translated)
        for order in orders:
            query = query.order_by(order.path, direction=order.direction)
        if limit is not None:
            query = query.limit(limit)
        return query

    def to_firestore(self) -> Any:
        """The equivalent ``google.cloud.firestore`` query (for features not wrapped here)."""
        return self._build(self._state.orders, self._state.limit)

    # -- running -----------------------------------------------------------------------------------

    def _models(self, snapshots: Any) -> Iterator[M]:
        for snapshot in snapshots:
            yield self.model.from_snapshot(snapshot)

    def stream(self, *, transaction: Transaction | None = None) -> Iterator[M]:
        """Results one by one as Firestore streams them."""
        return self._models(self.to_firestore().stream(transaction=transaction))

    def __iter__(self) -> Iterator[M]:
        return self.stream()

    def get(self, *, transaction: Transaction | None = None) -> list[M]:
        """All results as a list."""
        return list(self.stream(transaction=transaction))

    fetch = get

    def first(self, *, transaction: Transaction | None = None) -> M | None:
        """The first result, or ``None``."""
        return next(iter(self._with(limit=1).stream(transaction=transaction)), None)

    def count(self, *, transaction: Transaction | None = None) -> int:
        """Number of matching documents, counted by Firestore (an aggregation query, no documents read)."""
        result = self.to_firestore().count(alias="count").get(transaction=transaction)
        return int(result[0][0].value)

    # -- pagination ----------------------------------------------------------------------------------

    def _page_orders(self) -> list[_Order]:
        """Explicit orders, then inequality fields and the document id, as Firestore orders them."""
        orders = list(self._state.orders)
        ordered = {order.path for order in orders}
        direction = orders[-1].direction if orders else "ASCENDING"
        for path in sorted(self._state.inequality_paths - ordered - {DOCUMENT_ID}):
            orders.append(_Order(path, direction))
        if DOCUMENT_ID not in ordered:
            orders.append(_Order(DOCUMENT_ID, direction))
        return orders

    def page(self, limit: int, cursor: str | None = None, *, transaction: Transaction | None = None) -> Page[M]:
        """Up to ``limit`` results after ``cursor`` (a token from a previous page's ``next_cursor``).

        Cursors are opaque URL-safe strings; a malformed cursor or one issued by a different
        query raises :class:`~flask_boiler.errors.InvalidCursorError`.
        """
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise QueryError(f"page limit must be a positive integer, got {limit!r}.")
        orders = self._page_orders()
        fingerprint = query_fingerprint(self._scope(), [(order.path, order.direction) for order in orders])
        value_paths = [order.path for order in orders if order.path != DOCUMENT_ID]
        query = self._build(orders, limit + 1)
        if cursor is not None:
            path, values = decode_cursor(
                cursor, fingerprint=fingerprint, value_count=len(value_paths), make_ref=Context.db.document
            )
            self._check_cursor_path(path)
            document = Context.db.document(path)
            remaining = iter(values)
            start = [document if order.path == DOCUMENT_ID else next(remaining) for order in orders]
            query = query.start_after(start)
        snapshots = list(query.stream(transaction=transaction))
        has_more = len(snapshots) > limit
        snapshots = snapshots[:limit]
        next_cursor = None
        if has_more and snapshots:
            last = snapshots[-1]
            next_cursor = encode_cursor(fingerprint, last.reference.path, [last.get(path) for path in value_paths])
        return Page(items=list(self._models(snapshots)), next_cursor=next_cursor)

    def _check_cursor_path(self, path: str) -> None:
        template = self.model._meta.document_path
        parent, _, _doc = path.rpartition("/")
        if self._state.group:
            if parent.rsplit("/", 1)[-1] != template.collection_id:
                raise InvalidCursorError("The cursor names a document outside this collection group.")
        elif parent != self._scope():
            raise InvalidCursorError("The cursor names a document outside this collection.")

    def __repr__(self) -> str:
        return f"<Query {self.model.__name__} {self._scope()} filters={len(self._state.filters)} orders={[(o.path, o.direction) for o in self._state.orders]} limit={self._state.limit}>"
