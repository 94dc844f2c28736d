"""Flask-As-View: serve view models as REST, with OpenAPI docs and Firebase Auth.

Declare on a view model how it is served::

    class MeetingSession(ViewModel):
        class Meta:
            ...
            access = owner("uid")
            rest = RestOptions(mode="stored", list=True, filters=("status",))

and export one HTTP function for all served views in ``functions/main.py``::

    api = http_endpoint(functions_framework.http(api_function(shared_models.REST_VIEWS)))

It is built on flask-smorest (blueprints, ``MethodView`` routes, webargs parsing, apispec
documents, ETags), flask-cors and the ``swagger-ui-bundle`` package. Small modules with
one job each: :mod:`.options` (the declaration), :mod:`.resource` (checking it, URLs),
:mod:`.schemas` and :mod:`.strict` (wire schemas, strict types), :mod:`.keys` (path
ids), :mod:`.bodies` (reading bodies), :mod:`.blueprint` (flask-smorest adapted),
:mod:`.routes` (the views), :mod:`.auth`, :mod:`.reads`, :mod:`.writes`,
:mod:`.serialization`, :mod:`.errors`, :mod:`.openapi` and :mod:`.examples`, :mod:`.docs`,
:mod:`.cors`, :mod:`.hosting` (functions-framework), :mod:`.app` (assembly) and
:mod:`.function` (the HTTP function, light to import).
"""

from typing import TYPE_CHECKING, Any

from .errors import ApiError
from .flask_as_view import FlaskAsView
from .function import api_function
from .options import Change, RestOptions, Writes, rest_options_of

if TYPE_CHECKING:
    from .app import create_api


def __getattr__(name: str) -> Any:
    """``create_api`` loads flask-smorest and friends: only when asked for (cold starts)."""
    if name == "create_api":
        from .app import create_api

        return create_api
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ApiError",
    "Change",
    "FlaskAsView",
    "RestOptions",
    "Writes",
    "api_function",
    "create_api",
    "rest_options_of",
]
