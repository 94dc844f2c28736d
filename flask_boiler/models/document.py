"""Models stored as Firestore documents: lifecycle (create/get/save/update/delete) and location.

Every read and write takes ``transaction=`` (a ``google.cloud.firestore.Transaction``,
e.g. from :func:`flask_boiler.transactions.transactional`); writes also take
``batch=`` (a Firestore ``WriteBatch`` or :class:`flask_boiler.batch.WriteBatch`).
Writes made through a transaction or batch happen at commit, so ``update_time`` is
unknown afterwards (``None``) until the next read.

Every write is checked completely before anything is sent: types, validators, then
Firestore's storage limits (:mod:`.limits`: encoding, 1 MiB, nesting, field paths), so a
write that fails leaves the document as it was and the error names the field.

**Contention.** ``update()`` takes Firestore's server values, checked against the field:
``meeting.update(attendees=ArrayUnion([user]))`` adds ``user`` without reading the list,
``counter.update(count=Increment(1))`` counts without reading the number, so writers on
one hot document never overwrite each other and never make a transaction retry. The
instance then holds the change applied to what it last read (:mod:`.transforms`).
"""

from __future__ import annotations

import datetime as _dt
import secrets
import string
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import marshmallow

from .._private.document_reads import read_many, read_one
from .._private.firestore_types import DELETE_FIELD, field_path_repr, firestore, is_server_value, server_value_kind
from ..batch import WriteBatch
from ..context import Context
from ..errors import (
    DocumentAlreadyExists,
    DocumentNotFound,
    PathError,
    ReadOnlyAttributeError,
    StorageLimitError,
    UnknownFieldError,
    UsageError,
    ValidationError,
)
from ..query import Query
from .base import Model, ModelAttribute
from .limits import MAX_WRITES_PER_COMMIT, check_storable
from .paths import PathTemplate, normalize_path
from .references import prefetch as _prefetch
from .serialization import dump_values, element_to_storage
from .transforms import DELETED, UNKNOWN, apply_stored

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import CollectionReference, DocumentReference, DocumentSnapshot, Transaction

__all__ = ["DocumentModel", "auto_id"]

D = TypeVar("D", bound="DocumentModel")

_ID_ALPHABET = string.ascii_letters + string.digits

# Instance states.
NEW = "new"  # built in memory; not known to exist in Firestore
LOADED = "loaded"  # read from, or written to, Firestore
STUB = "stub"  # referenced document whose data has not been read yet
MISSING = "missing"  # referenced document that turned out not to exist


def auto_id() -> str:
    """A 20-character random document id, like Firestore's own auto ids."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(20))


class _PathParam(ModelAttribute):
    """Read-only instance attribute for a path parameter (``ticket.uid``)."""

    __slots__ = ()

    def value_of(self, obj: Any) -> Any:
        return obj._fb_params.get(self.name)

    def __set__(self, obj: Any, value: Any) -> None:
        raise ReadOnlyAttributeError(
            f"Path parameter {self.name!r} is part of the document path and cannot be assigned."
        )


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, _dt.datetime) and isinstance(new, _dt.datetime):
        return old == new
    return type(old) is type(new) and old == new


def diff_stored(old: Any, new: Any, parts: tuple[str, ...], out: dict[str, Any]) -> None:
    """Field updates (dotted, quoted paths) that turn stored value ``old`` into ``new``."""
    if is_server_value(new):
        out[field_path_repr(parts)] = new
        return
    if isinstance(old, dict) and isinstance(new, dict) and old and new:
        for key, value in new.items():
            if key in old:
                diff_stored(old[key], value, (*parts, key), out)
            else:
                out[field_path_repr((*parts, key))] = value
        for key in old:
            if key not in new:
                out[field_path_repr((*parts, key))] = firestore().DELETE_FIELD
        return
    if not _same(old, new):
        out[field_path_repr(parts)] = new


_NO_MATCH: Any = object()


def _without_server_values(data: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if not is_server_value(value)}


class DocumentModel(Model):
    """A model whose instances are Firestore documents at ``Meta.path`` / ``Meta.collection_name``."""

    _fb_persistent: ClassVar[bool] = True

    # Instance state (set with object.__setattr__: assignment of other names is checked).
    _fb_state: str
    _fb_ref: DocumentReference | None
    _fb_path: str
    _fb_params: dict[str, str]
    _fb_stored: dict[str, Any] | None
    _fb_update_time: _dt.datetime | None
    _fb_create_time: _dt.datetime | None

    class Meta:
        abstract = True

    # -- class setup ----------------------------------------------------------------------

    @classmethod
    def _fb_extra_attribute_names(cls) -> set[str]:
        path = cls._meta.path
        return set(path.params) if path is not None else set()

    @classmethod
    def _fb_install_attributes(cls) -> None:
        path = cls._meta.path
        if path is not None:
            fields = set(cls._meta.field_names)
            for name in path.params:
                if name in fields:
                    raise PathError(f"{cls.__name__}: path parameter {name!r} is also a field name.")
                if name != "doc_id" and not isinstance(cls.__dict__.get(name), _PathParam):
                    if name in cls._fb_reserved_names() and not isinstance(getattr(cls, name, None), _PathParam):
                        raise PathError(f"{cls.__name__}: path parameter {name!r} clashes with a model attribute.")
                    setattr(cls, name, _PathParam(name))
        super()._fb_install_attributes()

    @classmethod
    def path_template(cls) -> PathTemplate:
        """Where this model's documents live (``users/{uid}/tickets/{ticket_id}``)."""
        return cls._fb_template()

    @classmethod
    def _fb_template(cls) -> PathTemplate:
        path = cls._meta.path
        if path is None:  # pragma: no cover - DocumentModel subclasses always get a path
            raise PathError(f"{cls.__name__} has no document path.")
        return path

    # -- construction -----------------------------------------------------------------------

    def __init__(self, doc_id: str | None = None, **values: Any) -> None:
        template = self._fb_template()
        params = {name: values.pop(name) for name in list(values) if name in template.params and name != "doc_id"}
        id_param = template.id_param
        if id_param in params:
            given = params.pop(id_param)
            if doc_id is not None and doc_id != given:
                raise PathError(f"doc_id={doc_id!r} and {id_param}={given!r} disagree.")
            doc_id = given
        params[id_param] = doc_id if doc_id is not None else auto_id()
        path = template.render(params)
        super().__init__(**values)
        self._fb_locate(path, None, params)
        object.__setattr__(self, "_fb_state", NEW)

    @classmethod
    def create(cls: type[D], doc_id: str | None = None, **values: Any) -> D:
        """A new, *unsaved* instance: defaults filled, an auto id when ``doc_id`` is None.

        ``values`` may hold field values and the path parameters of the template
        (``Ticket.create(uid="u1")``).
        """
        return cls(doc_id, **values)

    @classmethod
    def new(cls: type[D], doc_id: str | None = None, **values: Any) -> D:
        """Same as :meth:`create` (the 0.0.1 spelling for "instance with these values")."""
        return cls(doc_id, **values)

    def _fb_blank(self) -> None:
        super()._fb_blank()
        vars(self).update(  # plain instance state (no descriptors): one update, not seven setattr calls
            _fb_state=NEW,
            _fb_ref=None,
            _fb_path="",
            _fb_params={},
            _fb_stored=None,
            _fb_update_time=None,
            _fb_create_time=None,
        )

    def _fb_locate(self, path: str, ref: DocumentReference | None, params: dict[str, str] | None = None) -> None:
        path = normalize_path(path)
        if params is None:
            # Tolerant: a collection-group result may live under another parent layout.
            params = self._fb_template().match(path) or {}
        object.__setattr__(self, "_fb_path", path)
        object.__setattr__(self, "_fb_ref", ref)
        object.__setattr__(self, "_fb_params", dict(params))

    @classmethod
    def _fb_stub(cls: type[D], ref: DocumentReference, params: dict[str, str] | None = None) -> D:
        """An unloaded instance for a referenced document (read on first field access);
        ``params``: its path params when the caller matched ``ref`` to the template already."""
        obj = cls.__new__(cls)
        obj._fb_blank()
        obj._fb_locate(ref.path, ref, params)
        object.__setattr__(obj, "_fb_state", STUB)
        return obj

    @classmethod
    def from_snapshot(cls: type[D], snapshot: DocumentSnapshot[Any]) -> D:
        """The instance stored in ``snapshot`` (a subclass when a type discriminator says so).

        A snapshot is what Firestore holds, so it is loaded ``from_firestore`` (see
        :meth:`from_stored`): validated against the schema, without the walk for values
        Firestore would refuse to store.
        """
        if not snapshot.exists:
            raise DocumentNotFound(normalize_path(snapshot.reference.path))
        return cls.from_stored(
            snapshot.to_dict() or {},
            snapshot.reference,
            update_time=snapshot.update_time,
            create_time=snapshot.create_time,
            from_firestore=True,
        )

    @classmethod
    def from_stored(
        cls: type[D],
        data: Mapping[str, Any],
        doc_ref_or_path: DocumentReference | str,
        update_time: _dt.datetime | None = None,
        create_time: _dt.datetime | None = None,
        *,
        from_firestore: bool = False,
    ) -> D:
        """Build an instance from stored-key ``data`` at a known location, without reading.

        Used for trigger payloads and query results. The data is validated
        (:class:`~flask_boiler.errors.ValidationError`); unknown keys are kept.

        ``from_firestore=True`` says ``data`` is a document as Firestore returned it (a
        snapshot's, a trigger's image of it). Firestore stores nothing that breaks its own
        rules (strings that are not UTF-8, integers beyond 64 bits, arrays in arrays,
        reserved map keys...: :mod:`.limits`), so the walk that finds such values before a
        write cannot find any and is skipped; the schema's validation still runs, so a
        document that no longer fits its model still raises. Data from anywhere else (a
        client, a test, a dict built in code) must leave it ``False``.
        """
        target = cls._fb_resolve_type(data)
        obj = target.__new__(target)
        obj._fb_blank()
        if isinstance(doc_ref_or_path, str):
            obj._fb_locate(doc_ref_or_path, None)
        else:
            obj._fb_locate(doc_ref_or_path.path, doc_ref_or_path)
        obj._fb_loaded_from(data, update_time, create_time, from_firestore=from_firestore)
        return obj

    @classmethod
    def from_dict(cls: type[D], data: Mapping[str, Any], doc_id: str | None = None, **path_params: str) -> D:
        """An unsaved instance from stored-key ``data`` (validated), at ``doc_id`` / ``path_params``."""
        template = cls._fb_template()
        params = dict(path_params)
        params[template.id_param] = doc_id if doc_id is not None else params.get(template.id_param) or auto_id()
        target = cls._fb_resolve_type(data)
        obj = target.__new__(target)
        obj._fb_blank()
        obj._fb_locate(template.render(params), None, params)
        obj._fb_apply_stored(data)
        return obj

    def _fb_loaded_from(
        self,
        data: Mapping[str, Any],
        update_time: _dt.datetime | None,
        create_time: _dt.datetime | None,
        *,
        from_firestore: bool = False,
    ) -> None:
        self._fb_apply_stored(data, from_firestore=from_firestore)
        object.__setattr__(self, "_fb_stored", dict(data))
        object.__setattr__(self, "_fb_state", LOADED)
        object.__setattr__(self, "_fb_update_time", update_time)
        object.__setattr__(self, "_fb_create_time", create_time)

    def _fb_fill(self, snapshot: DocumentSnapshot[Any]) -> None:
        """Load a stub from ``snapshot`` (switching to the stored subclass if needed; what
        Firestore holds, so loaded ``from_firestore``: see :meth:`from_stored`)."""
        if not snapshot.exists:
            object.__setattr__(self, "_fb_state", MISSING)
            return
        data = snapshot.to_dict() or {}
        target = type(self)._fb_resolve_type(data)
        if target is not type(self):
            object.__setattr__(self, "__class__", target)
        if self._fb_ref is None:
            object.__setattr__(self, "_fb_ref", snapshot.reference)
        self._fb_loaded_from(data, snapshot.update_time, snapshot.create_time, from_firestore=True)

    def _fb_copy_from(self, other: DocumentModel) -> None:
        """Make this stub a loaded copy of ``other`` (same document), without reading."""
        if other._fb_state == MISSING:
            object.__setattr__(self, "_fb_state", MISSING)
            return
        if type(other) is not type(self):
            object.__setattr__(self, "__class__", type(other))
        self._fb_loaded_from(other._fb_stored or {}, other._fb_update_time, other._fb_create_time)

    def _fb_ensure_loaded(self) -> None:
        state = self._fb_state
        if state is NEW or state is LOADED:
            return
        if state is STUB:
            self._fb_fill(self.doc_ref.get())
        if self._fb_state is MISSING:
            raise DocumentNotFound(self._fb_path)

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails: a stub typed as a base class may turn out
        # to be a subclass (type discriminator) that has the attribute once loaded.
        if not name.startswith("_") and self.__dict__.get("_fb_state") is STUB:
            self._fb_ensure_loaded()
            return getattr(self, name)
        raise UnknownFieldError(type(self).__name__, name)

    # -- location -----------------------------------------------------------------------------

    @property
    def doc_id(self) -> str:
        return self._fb_path.rsplit("/", 1)[-1]

    @property
    def doc_path(self) -> str:
        """The document path relative to the database root (``"users/u1/tickets/t1"``)."""
        return self._fb_path

    @property
    def doc_ref(self) -> DocumentReference:
        ref = self._fb_ref
        if ref is None:
            ref = Context.db.document(self._fb_path)
            object.__setattr__(self, "_fb_ref", ref)
        return ref

    @property
    def path_params(self) -> dict[str, str]:
        """Placeholder values of the path template, id included (``{"uid": "u1", "ticket_id": "t1"}``)."""
        return dict(self._fb_params)

    @property
    def update_time(self) -> _dt.datetime | None:
        """When the document was last written, as of the last read or direct write (``None`` if unknown)."""
        return self._fb_update_time

    @property
    def create_time(self) -> _dt.datetime | None:
        return self._fb_create_time

    @property
    def is_loaded(self) -> bool:
        """False for a referenced document whose data has not been read yet."""
        return self._fb_state in (NEW, LOADED)

    @classmethod
    def ref_for(cls, doc_id: str | None = None, **path_params: str) -> DocumentReference:
        """The ``DocumentReference`` for ``doc_id`` under ``path_params`` (no read)."""
        template = cls._fb_template()
        params = dict(path_params)
        if doc_id is not None:
            params[template.id_param] = doc_id
        return Context.db.document(template.render(params))

    @classmethod
    def collection(cls, **parent_params: str) -> CollectionReference:
        """The collection holding this model's documents under ``parent_params`` (no read)."""
        return Context.db.collection(cls._fb_template().collection_path(parent_params))

    # -- reads ----------------------------------------------------------------------------------

    @classmethod
    def get(
        cls: type[D], doc_id: str | None = None, *, transaction: Transaction | None = None, **path_params: str
    ) -> D | None:
        """The stored document, or ``None`` when it does not exist."""
        snapshot = read_one(cls.ref_for(doc_id, **path_params), transaction)
        if not snapshot.exists:
            return None
        return cls.from_snapshot(snapshot)

    @classmethod
    def get_or_raise(
        cls: type[D], doc_id: str | None = None, *, transaction: Transaction | None = None, **path_params: str
    ) -> D:
        """The stored document; :class:`DocumentNotFound` when it does not exist."""
        obj = cls.get(doc_id, transaction=transaction, **path_params)
        if obj is None:
            raise DocumentNotFound(normalize_path(cls.ref_for(doc_id, **path_params).path))
        return obj

    @classmethod
    def get_many(
        cls: type[D], doc_ids: Iterable[str], *, transaction: Transaction | None = None, **path_params: str
    ) -> list[D | None]:
        """Several documents with one batched read, in the order asked (``None`` for missing ones)."""
        refs = [cls.ref_for(doc_id, **path_params) for doc_id in doc_ids]
        by_path = {snap.reference.path: snap for snap in read_many(Context.db, refs, transaction)}
        return [cls.from_snapshot(by_path[ref.path]) if by_path[ref.path].exists else None for ref in refs]

    def reload(self: D, *, transaction: Transaction | None = None) -> D:
        """Re-read the document (e.g. to see server-computed values)."""
        snapshot = read_one(self.doc_ref, transaction)
        if not snapshot.exists:
            raise DocumentNotFound(self._fb_path)
        self._fb_fill(snapshot)
        return self

    # -- writes ---------------------------------------------------------------------------------

    def _fb_check_storable(self, stored: dict[str, Any]) -> None:
        names = {key: name for name, key in self._meta.stored_keys.items()}
        check_storable(stored, path=self._fb_path, names=names, model=type(self).__name__)

    def _fb_write(self, op: str, data: Any = None, *, transaction: Any = None, batch: Any = None, **kwargs: Any) -> Any:
        if transaction is not None and batch is not None:
            raise UsageError("Pass transaction= or batch=, not both.")
        writer = transaction if transaction is not None else batch
        ref = self.doc_ref
        if writer is not None:
            if op == "delete":
                writer.delete(ref)
            else:
                getattr(writer, op)(ref, data, **kwargs)
            return None
        if op == "delete":
            return ref.delete()
        from google.api_core.exceptions import InvalidArgument

        try:
            return getattr(ref, op)(data, **kwargs)
        except InvalidArgument as exc:  # a limit the checks before sending do not know; nothing was written
            raise StorageLimitError(
                {"_schema": [f"Firestore refused the write: {exc.message}"]}, type(self).__name__
            ) from exc

    def _fb_written(self, result: Any, stored: dict[str, Any] | None) -> None:
        object.__setattr__(self, "_fb_state", LOADED)
        object.__setattr__(self, "_fb_stored", stored)
        object.__setattr__(self, "_fb_update_time", getattr(result, "update_time", None))

    def _fb_predict(
        self, base: Mapping[str, Any] | None, written: Mapping[str, Any], held: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The stored document after writing ``written`` over ``base``, and the attribute values to hold.

        Server values are applied as Firestore applies them (:func:`.transforms.apply_stored`);
        ``SERVER_TIMESTAMP`` stays unknown (absent from the prediction, the sentinel kept).
        ``held`` are the attribute values before the write (their instances are reused).
        """
        predicted = dict(base or {})
        values: dict[str, Any] = {}
        attributes = {key: name for name, key in self._meta.stored_keys.items()}
        for key, value in written.items():
            name = attributes.get(key)
            if not is_server_value(value):
                predicted[key] = value
                continue
            result = apply_stored(predicted.get(key), value, present=key in predicted)
            if result is UNKNOWN:
                predicted.pop(key, None)
                continue
            if result is DELETED:
                predicted.pop(key, None)
                if name is not None:
                    values[name] = None
                continue
            predicted[key] = result
            if name is not None:
                values[name] = self._fb_loaded_value(name, result, held.get(name))
        return predicted, values

    def _fb_loaded_value(self, name: str, stored: Any, current: Any) -> Any:
        """``stored`` as the attribute value, reusing the instances of ``current`` for equal elements."""
        field = self._meta.schema.fields[name]
        if not (isinstance(stored, list) and isinstance(current, (list, tuple))):
            return field.deserialize(stored)
        reusable: list[tuple[Any, Any]] = []
        for item in current:
            try:
                reusable.append((element_to_storage(field, item), item))
            except marshmallow.ValidationError:  # an element that no longer converts is just not reused
                continue
        result = []
        for element in stored:
            match = next((item for key, item in reusable if key == element), _NO_MATCH)
            result.append(match if match is not _NO_MATCH else field.deserialize([element])[0])
        return result

    def save(
        self: D,
        *,
        transaction: Transaction | None = None,
        batch: WriteBatch | Any | None = None,
        merge: bool = False,
        create_only: bool = False,
    ) -> D:
        """Validate, then write the whole document.

        ``merge=True`` merges into an existing document instead of replacing it;
        ``create_only=True`` (see :meth:`insert`) fails with
        :class:`DocumentAlreadyExists` if the document exists (atomic ``create``
        precondition; inside a transaction/batch the conflict surfaces at commit).
        Unknown stored keys read earlier are written back. Nothing is sent unless the
        whole document passes :meth:`validate`.
        """
        if merge and create_only:
            raise UsageError("save(merge=True, create_only=True) makes no sense; choose one.")
        self._fb_ensure_loaded()
        data = self._fb_with_type(self._fb_check())
        if not merge:
            deleted = [
                name for name, key in self._meta.stored_keys.items() if server_value_kind(data.get(key)) == DELETE_FIELD
            ]
            if deleted:
                raise ValidationError(
                    {name: ["DELETE_FIELD needs update() or save(merge=True)."] for name in deleted},
                    type(self).__name__,
                )
        base = self._fb_stored if merge else {}
        predicted, values = self._fb_predict(base, data, self._fb_values)
        self._fb_check_storable(predicted if merge and base is not None else data)
        if create_only:
            from google.api_core.exceptions import AlreadyExists

            try:
                result = self._fb_write("create", data, transaction=transaction, batch=batch)
            except AlreadyExists:
                raise DocumentAlreadyExists(self._fb_path) from None
        else:
            result = self._fb_write("set", data, transaction=transaction, batch=batch, merge=merge)
        self._fb_values.update(values)
        self._fb_written(result, predicted if not merge or base is not None else None)
        return self

    def insert(self: D, *, transaction: Transaction | None = None, batch: Any = None) -> D:
        """Create the document; :class:`DocumentAlreadyExists` if it is already there."""
        return self.save(transaction=transaction, batch=batch, create_only=True)

    def update(self: D, *, transaction: Transaction | None = None, batch: Any = None, **changes: Any) -> D:
        """Write only what changed, as field paths (``"address.city"``), to an existing document.

        With ``changes`` (attribute name -> value), those attributes are set and written;
        without, every attribute whose value differs from the last read/written state is.
        Only the written fields are validated (and the resulting document's limits, when
        it was read). Server values are checked against their field and applied to the
        value held (see the module docstring): ``update(tags=ArrayUnion(["x"]))``,
        ``update(count=Increment(1))``. :class:`DocumentNotFound` if the document does not
        exist. Nothing is written when a check fails, and the attributes keep their values.
        """
        self._fb_ensure_loaded()
        known = self._meta.field_names
        for name in changes:
            if name not in known:
                raise UnknownFieldError(type(self).__name__, name, list(known))
        previous = {name: self._fb_values.get(name) for name in changes}
        held = {**self._fb_values}
        self._fb_values.update(changes)
        try:
            stored = self._fb_check(only=list(changes) or list(known))
            old = self._fb_stored
            field_updates: dict[str, Any] = {}
            for key, value in stored.items():
                if old is not None and key in old:
                    diff_stored(old[key], value, (key,), field_updates)
                else:
                    field_updates[field_path_repr((key,))] = value
            if not field_updates:
                return self
            # Unread (new) instances: server values apply to the values held, as far as they convert.
            base = old if old is not None else dump_values(self._meta.schema, held, only=changes)[0]
            predicted, values = self._fb_predict(base, stored, held)
            self._fb_check_storable(predicted if old is not None else _without_server_values(stored))
        except BaseException:
            self._fb_values.update(previous)
            raise
        from google.api_core.exceptions import NotFound

        try:
            result = self._fb_write("update", field_updates, transaction=transaction, batch=batch)
        except NotFound:
            self._fb_values.update(previous)
            raise DocumentNotFound(self._fb_path) from None
        except BaseException:
            self._fb_values.update(previous)
            raise
        self._fb_values.update(values)
        self._fb_written(result, predicted if old is not None else None)
        return self

    def delete(self, *, transaction: Transaction | None = None, batch: Any = None) -> None:
        """Delete the document (no error if it does not exist). The instance may be saved again."""
        self._fb_write("delete", transaction=transaction, batch=batch)
        object.__setattr__(self, "_fb_state", NEW)
        object.__setattr__(self, "_fb_stored", None)
        object.__setattr__(self, "_fb_update_time", None)
        object.__setattr__(self, "_fb_create_time", None)

    # -- queries, batches, references --------------------------------------------------------------

    @classmethod
    def query(cls: type[D], **parent_params: str) -> Query[D]:
        """A query over this model's collection (``parent_params`` for subcollections)."""
        return Query(cls, parent_params=parent_params)

    @classmethod
    def collection_group(cls: type[D]) -> Query[D]:
        """A query over every collection with this model's collection id, under any parent."""
        return Query(cls, group=True)

    @classmethod
    def where(cls: type[D], *args: Any, **equals: Any) -> Query[D]:
        """Shortcut for ``cls.query().where(...)`` (top-level collections)."""
        return cls.query().where(*args, **equals)

    @classmethod
    def order_by(cls: type[D], attribute: str, direction: str = "asc") -> Query[D]:
        return cls.query().order_by(attribute, direction)

    @classmethod
    def batch(cls, *, chunk_size: int = MAX_WRITES_PER_COMMIT) -> WriteBatch:
        """A :class:`flask_boiler.batch.WriteBatch` (``with Model.batch() as b: obj.save(batch=b)``)."""
        return WriteBatch(chunk_size=chunk_size)

    @classmethod
    def prefetch(cls, objs: Iterable[DocumentModel], depth: int = 1, *, transaction: Transaction | None = None) -> None:
        """Load the documents ``objs`` reference, one batched read per level (see :func:`prefetch`)."""
        _prefetch(objs, depth=depth, transaction=transaction)

    # -- Python protocol ------------------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DocumentModel):
            return NotImplemented
        if self._fb_path != other._fb_path:
            return False
        if not (self.is_loaded and other.is_loaded):
            return True  # references to the same document
        if type(self) is not type(other):
            return False
        return self._fb_values == other._fb_values and self._fb_extra == other._fb_extra

    __hash__ = None

    def __repr__(self) -> str:
        if not self.is_loaded:
            return f"<{type(self).__name__} {self._fb_path!r} (not loaded)>"
        values = " ".join(f"{name}={value!r}" for name, value in self._fb_values.items())
        return f"<{type(self).__name__} {self._fb_path!r} {values}>"
