"""What a view model says about its REST resource: ``class Meta: rest = RestOptions(...)``.

The declaration lives next to ``Meta.access`` so one class says what a view is, who may
read it, and how HTTP clients reach it. A view without ``Meta.rest`` is not served.

::

    class MeetingSession(ViewModel):
        class Meta:
            path = "users/{uid}/meetingSessions/{meeting_id}"
            access = owner("uid")
            rest = RestOptions(mode="stored", list=True, filters=("status",))

Secure by default: a resource serves ``GET`` of one item and nothing else unless
declared. A list endpoint exists only with ``list=True`` (a list is a different promise
than an item: it enumerates whatever the caller may read); writes only with ``writes=``;
and a write needs ``If-Match`` with the ETag of what the client last read unless
``require_if_match=False`` says that last-writer-wins is the intended behaviour.

Modes:

``"computed"`` (Flask-As-View)
    ``GET`` computes the view from current domain documents on each request
    (:func:`flask_boiler.views.compute.compute_view`); nothing is persisted, so it is
    always current and needs no trigger. Lists page over the root documents, so they are
    offered only when each root has exactly the one view keyed by its own path params.
``"stored"`` (Document-As-View)
    ``GET`` reads the view documents the triggers keep fresh: one document read per item,
    Firestore queries (and the ORM's cursor tokens) for lists and filters. The view
    model must be deployed with triggers (listed in ``VIEW_MODELS``).

Writes (:class:`Writes`) are the same in both modes: they change *domain* documents in
one transaction; views follow (computed at once, stored through the triggers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ..errors import ModelDefinitionError
from ..models.options import meta_option
from ..views.access import Access

__all__ = ["Change", "RestOptions", "Writes", "rest_options_of"]

Mode = Literal["computed", "stored"]


@dataclass(frozen=True)
class Change:
    """One client write, as a :class:`Writes` method receives it.

    ``key``: the view's path params (for a create without client-chosen ids, only the
    parent params). ``values``: validated writable fields, by *attribute* name (empty
    for a delete). ``caller``: the verified Firebase ID token claims (``None`` when the
    write policy is public).
    """

    key: Mapping[str, str]
    values: Mapping[str, Any]
    caller: Mapping[str, Any] | None


class Writes:
    """How a client's change to a view maps to domain documents (subclass it).

    A view's data is derived, so the framework cannot know how a write should be
    applied; the subclass says it, in terms of domain models. Each method runs inside a
    Firestore transaction (``transaction`` argument; pass it to every ORM read and
    write, and do all reads before writes). Raising any exception rolls the whole
    change back: :class:`~flask_boiler.errors.ValidationError` answers 400,
    :class:`~flask_boiler.errors.DocumentNotFound` 404,
    :class:`~flask_boiler.errors.DocumentAlreadyExists` 409.

    Only the methods a subclass defines are routed (others answer 405 with ``Allow``).
    A method's docstring describes its operation in the OpenAPI document.

    Attributes:
        fields: view attributes a client may send; anything else is a 400 (no mass
            assignment).
        required: of ``fields``, those a create (``POST``) must carry.
        client_ids: the ``POST`` body names the new view's id param (e.g. ``"uid"``),
            so access is checked against the full key before anything is written.
            Otherwise :meth:`create` chooses the id and returns the new key.
    """

    fields: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    client_ids: bool = False

    def create(self, transaction: Any, change: Change) -> Mapping[str, str] | None:
        """Create the domain data behind a new view; return its key (``None``: ``change.key``)."""
        raise NotImplementedError

    def update(self, transaction: Any, change: Change) -> None:
        """Apply ``change.values`` (only the fields the client sent) to the domain data."""
        raise NotImplementedError

    def delete(self, transaction: Any, change: Change) -> None:
        """Remove the domain data that makes the view at ``change.key`` exist."""
        raise NotImplementedError

    def supports(self, operation: str) -> bool:
        """Does this subclass define ``operation`` (``"create"``, ``"update"``, ``"delete"``)?"""
        return getattr(type(self), operation) is not getattr(Writes, operation)


@dataclass(frozen=True)
class RestOptions:
    """A view model's REST declaration (``Meta.rest``).

    Attributes:
        mode: ``"computed"`` or ``"stored"`` (see the module docs).
        list: serve ``GET`` on the collection URL (paginated); off unless declared. A
            list returns only views the caller may read: an ``owner("uid")`` view is
            listed under its owner's parent URL (``/users/{uid}/...``, 403 for anyone
            else), and a list of views whose *id* is the owner's uid is refused at
            declaration time (it could only ever hold the caller's own view).
        filters: view attributes clients may filter lists by (equality, ``?status=open``);
            stored mode only, since they are Firestore queries on the view documents.
        page_size / max_page_size: default and largest ``?limit=``.
        writes: a :class:`Writes` instance, or ``None`` for a read-only resource.
        write_access: who may write. Default: the view's read policy (``Meta.access``),
            except that ``public()`` reads never make writes public by omission: say
            ``write_access=public()`` if anyone may write.
        require_if_match: ``PATCH`` and ``DELETE`` must carry ``If-Match`` (428 without
            it; 412 when it does not match the current ETag). ``False`` makes it optional
            (checked when sent): for writes whose last-writer-wins outcome is intended.
        tag: the OpenAPI tag grouping the resource's operations (default: class name).
    """

    mode: Mode = "computed"
    list: bool = False
    filters: tuple[str, ...] = ()
    page_size: int = 20
    max_page_size: int = 100
    writes: Writes | None = None
    write_access: Access | None = None
    require_if_match: bool = True
    tag: str | None = None

    def __post_init__(self) -> None:
        if self.mode not in ("computed", "stored"):
            raise ModelDefinitionError(f"RestOptions(mode={self.mode!r}): use 'computed' or 'stored'.")
        if isinstance(self.filters, str):
            raise ModelDefinitionError("RestOptions(filters=...) takes a tuple of attribute names, not a string.")
        if not (1 <= self.page_size <= self.max_page_size):
            raise ModelDefinitionError("RestOptions: need 1 <= page_size <= max_page_size.")
        if self.writes is not None and not isinstance(self.writes, Writes):
            raise ModelDefinitionError("RestOptions(writes=...) takes an instance of a Writes subclass.")
        if self.write_access is not None and not isinstance(self.write_access, Access):
            raise ModelDefinitionError("RestOptions(write_access=...) takes public(), signed_in(), owner() or role().")
        if not isinstance(self.list, bool) or not isinstance(self.require_if_match, bool):
            raise ModelDefinitionError("RestOptions(list=..., require_if_match=...) take True or False.")


def rest_options_of(view_cls: type) -> RestOptions | None:
    """The view's ``Meta.rest`` (inherited like other Meta options), or ``None`` if not served."""
    options = meta_option(view_cls, "rest")
    if options is not None and not isinstance(options, RestOptions):
        raise ModelDefinitionError(f"{view_cls.__name__}.Meta.rest must be a RestOptions(...).")
    return options
