"""View models: documents computed from domain models and kept true by triggers.

Public API::

    from flask_boiler.views import ViewModel, source, owner, public, signed_in, role
    from flask_boiler.views import refresh, reconcile, DocumentChange   # the engine, for tools and tests
"""

from .access import Access, owner, public, role, signed_in
from .change import DocumentChange
from .declaration import source
from .reconcile import reconcile
from .refresh import RefreshReport, refresh
from .registry import registry
from .view_model import DocumentAsView, ViewModel

__all__ = [
    "Access",
    "DocumentAsView",
    "DocumentChange",
    "RefreshReport",
    "ViewModel",
    "owner",
    "public",
    "reconcile",
    "refresh",
    "registry",
    "role",
    "signed_in",
    "source",
]
