"""Compile a view model's declaration into a :class:`Resource`: its URLs, policies and schemas.

Everything that can be wrong with a declaration is found here, when the API is built
(at the first request of a cold instance, and in the unit tests), with a
:class:`~flask_boiler.errors.ModelDefinitionError` naming the view and the fix.

URLs mirror the view's document path: ``users/{uid}/meetingSessions/{meeting_id}`` is
served at ``/users/{uid}/meetingSessions/{meeting_id}`` and listed at
``/users/{uid}/meetingSessions``. A top-level view ``cards/{card_id}`` is thus
``GET /cards`` and ``GET /cards/{card_id}``. The URL a client reads is the document a
Firestore listener would watch, and owner params keep their names.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import marshmallow

from ..errors import ModelDefinitionError
from ..models.paths import PathTemplate
from ..views.access import Access, Owner, Public, access_of
from ..views.view_model import ViewModel
from .options import RestOptions, Writes, rest_options_of
from .schemas import body_schema, filter_field, key_json_names, list_query_schema, representation_schema
from .serialization import representation_keys

__all__ = ["Resource", "compile_resource"]


@dataclass(frozen=True)
class Resource:
    """One served view model, ready for routing, auth and documentation."""

    view_cls: type[ViewModel]
    options: RestOptions
    read_access: Access
    write_access: Access
    template: PathTemplate
    #: view attribute -> its query-string parser (``data_key``: the stored key)
    filters: dict[str, marshmallow.fields.Field[Any]] = field(default_factory=dict)

    # -- names and URLs --------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.view_cls.__name__

    @property
    def tag(self) -> str:
        return self.options.tag or self.name

    @property
    def description(self) -> str:
        """The view's docstring (the OpenAPI tag's description)."""
        return inspect.cleandoc(self.view_cls.__doc__ or "")

    @property
    def params(self) -> tuple[str, ...]:
        return self.template.params

    @property
    def parent_params(self) -> tuple[str, ...]:
        return self.template.parent_params

    @property
    def id_param(self) -> str:
        return self.template.id_param

    def url(self, *, item: bool, flask: bool = False) -> str:
        """``/users/{uid}/meetingSessions[/{meeting_id}]`` (``<docid:uid>`` for Flask's router)."""
        segments = self.template.segments if item else self.template.segments[:-1]
        parts = []
        for segment in segments:
            if segment.startswith("{") and flask:
                segment = f"<docid:{segment[1:-1]}>"
            parts.append(segment)
        return "/" + "/".join(parts)

    # -- what is served ----------------------------------------------------------------

    @property
    def writes(self) -> Writes | None:
        return self.options.writes

    def supports(self, operation: str) -> bool:
        """``get``, ``list``, ``create``, ``update`` or ``delete``."""
        if operation == "get":
            return True
        if operation == "list":
            return self.options.list
        return self.writes is not None and self.writes.supports(operation)

    # -- wire schemas (built once per resource) ----------------------------------------

    @cached_property
    def key_json_names(self) -> dict[str, str]:
        return key_json_names(self.view_cls)

    @cached_property
    def representation_keys(self) -> tuple[str, ...]:
        """The stored keys the view's JSON carries (besides its key params)."""
        return representation_keys(self.view_cls)

    @cached_property
    def representation(self) -> marshmallow.Schema:
        return representation_schema(self.view_cls)()

    @cached_property
    def create_schema(self) -> marshmallow.Schema:
        writes = self.writes
        assert writes is not None
        id_param = self.id_param if writes.client_ids else None
        return body_schema(self.view_cls, writes.fields, required=writes.required, id_param=id_param, suffix="Create")()

    @cached_property
    def update_schema(self) -> marshmallow.Schema:
        writes = self.writes
        assert writes is not None
        return body_schema(self.view_cls, writes.fields, suffix="Update")(partial=True)

    @cached_property
    def list_query_schema(self) -> marshmallow.Schema:
        return list_query_schema(
            self.name, self.filters, page_size=self.options.page_size, max_page_size=self.options.max_page_size
        )()


def _root_params(view_cls: type[ViewModel]) -> tuple[str, ...]:
    return view_cls.declaration().root_path.params


def _check_owner(view_cls: type[ViewModel], policy: Access, template: PathTemplate, what: str) -> None:
    if isinstance(policy, Owner) and policy.param not in template.params:
        raise ModelDefinitionError(
            f"{view_cls.__name__}: {what} owner({policy.param!r}) needs {{{policy.param}}} in {template.template!r}."
        )


def _write_access(view_cls: type[ViewModel], options: RestOptions, read_access: Access) -> Access:
    if options.write_access is not None:
        return options.write_access
    if options.writes is not None and isinstance(read_access, Public):
        raise ModelDefinitionError(
            f"{view_cls.__name__} is readable by anyone; say who may write it: RestOptions(write_access=...) "
            "(role(...), owner(...), signed_in(), or public() if anyone may)."
        )
    return read_access


def _check_listable(
    view_cls: type[ViewModel], options: RestOptions, read_access: Access, template: PathTemplate
) -> None:
    """A list shows only what its caller may read: owner lists live under the owner's parent URL."""
    if isinstance(read_access, Owner) and read_access.param == template.id_param:
        raise ModelDefinitionError(
            f"{view_cls.__name__}: owner({read_access.param!r}) is the view's id, so a list of "
            f"{'/'.join(template.segments[:-1])!r} could only ever hold "
            "the caller's own view; serve the item alone (drop list=True)."
        )
    if options.mode == "computed" and (
        set(_root_params(view_cls)) != set(template.params) or _root_params(view_cls)[-1] != template.id_param
    ):
        raise ModelDefinitionError(
            f"{view_cls.__name__}: a computed list pages over the root documents, so the view path "
            f"{template.template!r} must use exactly the root's params {_root_params(view_cls)} (same id param). "
            "Drop list=True or use mode='stored'."
        )


def compile_resource(view_cls: type[ViewModel]) -> Resource:
    """Check ``view_cls``'s REST declaration and build its :class:`Resource`."""
    options = rest_options_of(view_cls)
    if options is None:
        raise ModelDefinitionError(f"{view_cls.__name__} has no Meta.rest = RestOptions(...); it is not served.")
    if not (isinstance(view_cls, type) and issubclass(view_cls, ViewModel)):
        raise ModelDefinitionError(f"{view_cls!r} is not a ViewModel.")
    view_cls.declaration()  # ModelDefinitionError for an abstract one (it declares no sources)
    template = view_cls.path_template()
    read_access = access_of(view_cls)
    write_access = _write_access(view_cls, options, read_access)
    _check_owner(view_cls, write_access, template, "RestOptions(write_access=...)")
    key_json_names(view_cls)  # raises on a clash

    if options.filters and options.mode != "stored":
        raise ModelDefinitionError(
            f"{view_cls.__name__}: list filters are Firestore queries on stored views; use "
            "RestOptions(mode='stored') or drop filters."
        )
    if options.filters and not options.list:
        raise ModelDefinitionError(f"{view_cls.__name__}: RestOptions(filters=...) filter lists; add list=True.")
    if options.list:
        _check_listable(view_cls, options, read_access, template)
    filters = {attribute: filter_field(view_cls, attribute) for attribute in options.filters}

    writes = options.writes
    if writes is not None:
        fields = view_cls._meta.schema.fields
        unknown = [name for name in (*writes.fields, *writes.required) if name not in fields]
        if unknown:
            raise ModelDefinitionError(f"{view_cls.__name__}: Writes names unknown field(s) {', '.join(unknown)}.")
        if not set(writes.required) <= set(writes.fields):
            raise ModelDefinitionError(f"{view_cls.__name__}: Writes.required must be a subset of Writes.fields.")
        if (
            writes.supports("create")
            and not writes.client_ids
            and isinstance(write_access, Owner)
            and write_access.param == template.id_param
        ):
            raise ModelDefinitionError(
                f"{view_cls.__name__}: owner({write_access.param!r}) is the id of new views, so it must come from the "
                "client to be checked before the write: set Writes.client_ids = True."
            )
    resource = Resource(
        view_cls=view_cls,
        options=options,
        read_access=read_access,
        write_access=write_access,
        template=template,
        filters=filters,
    )
    _ = resource.representation, resource.representation_keys  # build the schemas now: declaration errors surface here
    if options.list:
        _ = resource.list_query_schema
    if writes is not None:
        _ = resource.create_schema, resource.update_schema
    return resource
