"""Declaring a view model's inputs: its root, the references it follows, its back-references.

A single-source view takes three lines beyond its schema::

    class TodoView(ViewModel):
        class Meta:
            schema_cls = TodoViewSchema
            path = "todoViews/{todo_id}"
        todo = source(Todo, "todos/{todo_id}")
        def compute(self):
            return {"title": self.todo.title.upper()}

A view has exactly one **root source**, named with a path template; every change to a
root document recomputes the views keyed by it. Two more kinds of sources hang off it:

* **followed references** (``via="meeting.location"``): documents reached from the root by
  following reference fields, one hop or several (``via="flight.bags.owner"``: the flight's
  ``bags``, then each bag's ``owner``). ``many=True`` when any hop is a list. Computing a
  view reads each hop with one batched ``get_all``; a change to a document at any hop finds
  the roots that reach it with one reverse query per hop back to the root
  (``owner == ref``, then ``bags array-contains`` each bag found).
* **back-references** (``backref="attendees"``): documents of another model whose
  reference field points at the root, e.g. a user's meetings. Computing the view runs that
  query; a change to one of those documents refreshes the roots it points at before and
  after the change (read from the event, no query needed).

A followed source whose document is missing is ``None`` in ``compute`` (a ``many`` source
just lacks it); ``compute`` must allow for that.

Reverse queries cost one read per dependent root (a minimum of one per query) and need
no bookkeeping writes, which is why they are preferred over a framework-maintained
dependency index (a write on every view write, forever). The same :class:`ReverseQuery`
objects drive the refresh engine and the generated ``firestore.indexes.json``, so the
indexes always match the queries.

``fields=("name",)`` on a source declares which of its fields ``compute`` (and ``keys``)
read. Usually it is not needed: :mod:`.dependencies` infers it from the code and falls back
to "every field" when it cannot be sure. A change touching none of the fields any dependent
view reads costs nothing at all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from google.cloud.firestore_v1 import DocumentReference
from google.cloud.firestore_v1.base_query import FieldFilter

from ..errors import ModelDefinitionError
from ..fields import Reference
from ..models.paths import PathTemplate
from ..schema import stored_key
from .stamp import snapshot_data

if TYPE_CHECKING:  # pragma: no cover
    from ..models.document import DocumentModel

__all__ = [
    "Hop",
    "ReverseQuery",
    "Source",
    "SourceKind",
    "ViewDeclaration",
    "collect_declaration",
    "reference_paths",
    "source",
]

SourceKind = Literal["root", "followed", "backref"]

#: Firestore's largest ``in`` / ``array-contains-any`` value list.
MAX_DISJUNCTION = 30


def _path_of(value: Any) -> str | None:
    if isinstance(value, DocumentReference):
        return str(value.path)
    doc_path = getattr(value, "doc_path", None)
    if isinstance(doc_path, str):
        return doc_path
    if isinstance(value, str) and value:
        return value.strip("/")
    return None


def reference_paths(value: Any) -> list[str]:
    """The document paths a reference attribute (or a raw stored reference value) points at, in order."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return [path for path in (_path_of(item) for item in value) if path]
    path = _path_of(value)
    return [path] if path else []


@dataclass(frozen=True)
class ReverseQuery:
    """Documents of ``model`` whose reference field ``attribute`` points at given documents.

    The one description of every dependency look-up the engine issues: :meth:`query`
    builds it, and :func:`flask_boiler.deploy.indexes.required_indexes` derives the indexes
    it needs from the same object.
    """

    model: type[DocumentModel]
    attribute: str

    @property
    def reference_field(self) -> Reference:
        found = self.model._meta.schema.fields[self.attribute]
        assert isinstance(found, Reference)
        return found

    @property
    def stored_key(self) -> str:
        return stored_key(self.attribute, self.reference_field)

    @property
    def many(self) -> bool:
        return bool(self.reference_field.many)

    @property
    def operator(self) -> str:
        """``"=="`` for a single reference, ``"array_contains"`` for a list of references."""
        return "array_contains" if self.many else "=="

    @property
    def collection_group(self) -> bool:
        """Models under parent documents are queried across every parent."""
        return bool(self.model.path_template().parent_params)

    @property
    def collection_id(self) -> str:
        return self.model.path_template().collection_id

    @property
    def max_targets(self) -> int:
        return MAX_DISJUNCTION

    def targets_of(self, snapshot: Any) -> list[str]:
        """Which targets a result document points at (one query may serve several)."""
        return reference_paths(snapshot_data(snapshot).get(self.stored_key))

    def query(self, db: Any, targets: Sequence[str]) -> Any:
        """The Firestore query for documents pointing at any of ``targets`` (at most
        :data:`MAX_DISJUNCTION` paths: ``in`` / ``array-contains-any`` for several)."""
        if not 1 <= len(targets) <= MAX_DISJUNCTION:
            raise ValueError(f"a reverse query takes 1 to {MAX_DISJUNCTION} targets, got {len(targets)}")
        template = self.model.path_template()
        collection = (
            db.collection_group(template.collection_id)
            if self.collection_group
            else db.collection(template.collection_path({}))
        )
        refs = [db.document(path) for path in targets]
        if len(refs) == 1:
            condition = FieldFilter(self.stored_key, self.operator, refs[0])
        else:
            condition = FieldFilter(self.stored_key, "array_contains_any" if self.many else "in", refs)
        return collection.where(filter=condition)


@dataclass(frozen=True)
class Hop:
    """One reference followed on the way from the root to a followed source."""

    model: type[DocumentModel]  # the model holding the reference field
    attribute: str

    @property
    def reference_field(self) -> Reference:
        found = self.model._meta.schema.fields.get(self.attribute)
        if not isinstance(found, Reference):
            raise ModelDefinitionError(f"{self.model.__name__}.{self.attribute} is not a Reference field.")
        return found

    @property
    def target(self) -> type[DocumentModel]:
        target = self.reference_field.target
        if target is None:
            raise ModelDefinitionError(
                f"{self.model.__name__}.{self.attribute} is a Reference without a target model; "
                "name the model (fields.Reference(Model)) to follow it."
            )
        return target

    @property
    def many(self) -> bool:
        return bool(self.reference_field.many or self.reference_field.as_map)

    @property
    def reverse(self) -> ReverseQuery:
        return ReverseQuery(self.model, self.attribute)


@dataclass(eq=False)
class Source:
    """One domain input of a view model (use :func:`source` to declare it)."""

    model: type[DocumentModel]
    path: str | None = None
    via: str | None = None
    backref: str | None = None
    many: bool = False
    fields: tuple[str, ...] | None = None
    name: str = ""
    #: Set by :func:`collect_declaration`: the root model, where ``via`` chains start.
    root_model: type[DocumentModel] | None = field(default=None, repr=False)

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, view: Any, owner: type | None = None) -> Any:
        if view is None:
            return self
        try:
            return view._fb_sources[self.name]
        except (AttributeError, KeyError):
            raise AttributeError(f"Source {self.name!r} is only available inside compute().") from None

    @property
    def kind(self) -> SourceKind:
        if self.path is not None:
            return "root"
        return "backref" if self.backref is not None else "followed"

    @property
    def is_root(self) -> bool:
        return self.path is not None

    @property
    def is_backref(self) -> bool:
        return self.backref is not None

    @property
    def via_attributes(self) -> tuple[str, ...]:
        """The reference attributes followed from the root: ``("bags", "owner")`` for ``flight.bags.owner``."""
        assert self.via is not None
        return tuple(self.via.split(".")[1:])

    @cached_property
    def hops(self) -> tuple[Hop, ...]:
        """The references followed from the root, in order (empty unless ``via``)."""
        if self.via is None:
            return ()
        assert self.root_model is not None, "collect_declaration() sets the root model"
        hops: list[Hop] = []
        model = self.root_model
        for attribute in self.via_attributes:
            hop = Hop(model, attribute)
            hops.append(hop)
            model = hop.target
        return tuple(hops)

    @property
    def backref_query(self) -> ReverseQuery:
        """The query computing this back-reference for a root."""
        assert self.backref is not None
        return ReverseQuery(self.model, self.backref)

    def reverse_queries(self) -> tuple[ReverseQuery, ...]:
        """Every look-up the engine may run for this source: back from each hop towards the
        root (followed sources), or the back-reference query itself."""
        if self.backref is not None:
            return (self.backref_query,)
        return tuple(hop.reverse for hop in self.hops)


def source(
    model: type[DocumentModel],
    path: str | None = None,
    *,
    via: str | None = None,
    backref: str | None = None,
    many: bool = False,
    fields: Sequence[str] | None = None,
) -> Any:
    """Declare a view model's input: the root (``path=``), followed references (``via=``),
    or the documents of ``model`` whose reference field ``backref`` points at the root.

    ``fields``: the fields of ``model`` that ``compute``/``keys`` read, when the automatic
    inference (:mod:`.dependencies`) cannot see it; reading any other field then raises.
    """
    if sum(option is not None for option in (path, via, backref)) != 1:
        raise ModelDefinitionError(
            "source() takes exactly one of: a path template (the root), via='root.attribute', backref='attribute'."
        )
    if via is not None:
        parts = via.split(".")
        if len(parts) < 2 or not all(part.isidentifier() for part in parts):
            raise ModelDefinitionError(
                f"source(via={via!r}): expected 'root_source.reference' or 'root_source.reference.reference...'."
            )
    if backref is not None:
        many = True  # a back-reference is always a list of documents
    if isinstance(fields, str):
        raise ModelDefinitionError("source(fields=...) takes a sequence of field names, not a string.")
    return Source(
        model=model,
        path=path,
        via=via,
        backref=backref,
        many=many,
        fields=tuple(fields) if fields is not None else None,
    )


@dataclass(frozen=True)
class ViewDeclaration:
    """The checked, immutable description of a view model's inputs (``ViewModel.declaration()``)."""

    root: Source
    followed: tuple[Source, ...]
    backrefs: tuple[Source, ...]
    keys: Callable[[Any], Sequence[Mapping[str, str]]] | None

    @property
    def sources(self) -> tuple[Source, ...]:
        return (self.root, *self.followed, *self.backrefs)

    @property
    def root_path(self) -> PathTemplate:
        assert self.root.path is not None
        return PathTemplate.parse(self.root.path)

    def reverse_queries(self) -> tuple[ReverseQuery, ...]:
        """Every dependency look-up the engine may run for this view model."""
        found: dict[ReverseQuery, None] = {}
        for item in self.sources:
            for query in item.reverse_queries():
                found[query] = None
        return tuple(found)


def _same_shape(first: PathTemplate, second: PathTemplate) -> bool:
    a, b = first.shape, second.shape
    return len(a) == len(b) and all(
        a_param == b_param and (a_param or a_text == b_text) for (a_text, a_param), (b_text, b_param) in zip(a, b)
    )


def _inherited_sources(cls: type) -> list[Source]:
    for base in cls.__mro__[1:]:
        declaration = base.__dict__.get("_fb_declaration")
        if isinstance(declaration, ViewDeclaration):
            return list(declaration.sources)
    return []


def collect_declaration(cls: type) -> ViewDeclaration:
    """Find and check the sources declared on a view model class (and inherited ones)."""
    sources = [value for value in vars(cls).values() if isinstance(value, Source)]
    names = {item.name for item in sources}
    sources += [item for item in _inherited_sources(cls) if item.name not in names]
    roots = [item for item in sources if item.is_root]
    if len(roots) != 1:
        raise ModelDefinitionError(
            f"{cls.__name__} declares {len(roots)} root sources; a view model needs exactly one "
            "source(Model, 'collection/{id}') and may follow references from it with source(..., via=...)."
        )
    root = roots[0]
    assert root.path is not None
    if not _same_shape(PathTemplate.parse(root.path), root.model.path_template()):
        raise ModelDefinitionError(
            f"{cls.__name__}.{root.name}: the root path {root.path!r} does not name {root.model.__name__}'s "
            f"documents ({root.model.path_template().template!r}); only the wildcard names may differ."
        )
    followed = tuple(item for item in sources if item.via is not None)
    backrefs = tuple(item for item in sources if item.is_backref)
    for item in sources:
        item.root_model = root.model
        unknown = [name for name in item.fields or () if name not in item.model._meta.schema.fields]
        if unknown:
            raise ModelDefinitionError(
                f"{cls.__name__}.{item.name}: fields= names {', '.join(unknown)}, which "
                f"{item.model.__name__} does not declare."
            )
    for item in backrefs:
        assert item.backref is not None
        if not isinstance(item.model._meta.schema.fields.get(item.backref), Reference):
            raise ModelDefinitionError(
                f"{cls.__name__}.{item.name}: {item.model.__name__} has no reference field {item.backref!r} "
                "to look the root up by."
            )
    for item in followed:
        assert item.via is not None
        head = item.via.split(".", 1)[0]
        if head != root.name:
            raise ModelDefinitionError(
                f"{cls.__name__}.{item.name}: via={item.via!r} must start at the root source {root.name!r}."
            )
    keys = cls.__dict__.get("keys")
    if isinstance(keys, staticmethod):
        keys = keys.__func__
    return ViewDeclaration(root=root, followed=followed, backrefs=backrefs, keys=keys)


def check_hops(cls: type, declaration: ViewDeclaration) -> None:
    """Resolve every ``via`` chain (reference targets may be named lazily, so this runs when
    the view is first used, and in ``flask-boiler check``)."""
    for item in declaration.followed:
        hops = item.hops
        if hops[-1].target is not item.model and not issubclass(hops[-1].target, item.model):
            raise ModelDefinitionError(
                f"{cls.__name__}.{item.name}: via={item.via!r} reaches {hops[-1].target.__name__} documents, "
                f"not {item.model.__name__}."
            )
        if any(hop.many for hop in hops) and not item.many:
            raise ModelDefinitionError(
                f"{cls.__name__}.{item.name}: via={item.via!r} follows a list of references; declare many=True."
            )
