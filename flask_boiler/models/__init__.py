"""Model machinery: base classes, options, paths, serialization, references.

Public names: :class:`Model`, :class:`EmbeddedModel`, :class:`DocumentModel`,
:func:`prefetch`, :class:`PathTemplate`.
"""

from .base import EmbeddedModel, Model
from .document import DocumentModel
from .paths import PathTemplate
from .references import prefetch

__all__ = ["DocumentModel", "EmbeddedModel", "Model", "PathTemplate", "prefetch"]
