"""``ClsFactory``: build a model class from a schema at run time (flask-boiler 0.0.1 API)."""

from __future__ import annotations

from typing import Any

import marshmallow

from .errors import ModelDefinitionError
from .models.base import Model
from .primary_object import PrimaryObject

__all__ = ["ClsFactory"]


class ClsFactory:
    """Namespace for :meth:`create`."""

    @staticmethod
    def create(
        name: str,
        schema: type[marshmallow.Schema],
        base: type[Model] | None = None,
        *,
        module: str | None = None,
        **meta_options: Any,
    ) -> type[Any]:
        """A subclass of ``base`` (default :class:`~flask_boiler.primary_object.PrimaryObject`) named ``name``.

        ``meta_options`` become ``Meta`` options (``collection_name=...``, ``path=...``).
        The collection defaults to ``name``, as in 0.0.1.
        """
        if base is None:
            base = PrimaryObject
        if not (isinstance(base, type) and issubclass(base, Model)):
            raise ModelDefinitionError(f"ClsFactory.create(base=...) must be a model class, got {base!r}.")
        meta = type("Meta", (), {"schema_cls": schema, **meta_options})
        namespace = {"Meta": meta, "__module__": module or base.__module__, "__qualname__": name}
        return type(name, (base,), namespace)
