"""``FlaskAsView``: flask-boiler 0.0.1's name for a view computed on each request.

It is a :class:`~flask_boiler.views.ViewModel` whose ``Meta.rest`` defaults to
``RestOptions(mode="computed")``: nothing is persisted, the domain documents are read when
a client asks (cheaper when views are read less often than the domain changes). Its
counterpart :class:`~flask_boiler.views.DocumentAsView` persists views for listeners.
"""

from __future__ import annotations

from ..views.view_model import ViewModel
from .options import RestOptions


class FlaskAsView(ViewModel):
    """A view model served as REST, computed on request (override ``Meta.rest`` to tune it)."""

    class Meta:
        abstract = True
        rest = RestOptions(mode="computed")
