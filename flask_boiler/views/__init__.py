"""View models: documents computed from domain models and kept true by triggers.

Public API::

    from flask_boiler.views import ViewModel, source, owner, public, signed_in, role
"""

from .access import Access, owner, public, role, signed_in
from .declaration import source
from .view_model import DocumentAsView, ViewModel

__all__ = ["Access", "DocumentAsView", "ViewModel", "owner", "public", "role", "signed_in", "source"]
