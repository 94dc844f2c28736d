"""Flask-As-View: serve view models as REST, with OpenAPI docs and Firebase Auth.

Declare on a view model how it is served::

    class MeetingSession(ViewModel):
        class Meta:
            ...
            access = owner("uid")
            rest = RestOptions(mode="stored", filters=("status",))

and export one HTTP function for all served views in ``functions/main.py``::

    api = http_endpoint(functions_framework.http(api_function(shared_models.REST_VIEWS)))

The package is composed of small modules with one job each: :mod:`.options` (the
declaration), :mod:`.resource` (checking it, URLs), :mod:`.schemas` (wire schemas),
:mod:`.auth`, :mod:`.bodies`, :mod:`.pagination`, :mod:`.reads`, :mod:`.writes`,
:mod:`.errors`, :mod:`.openapi`, :mod:`.docs` and :mod:`.app` (routing).
"""

from .app import api_function, create_api
from .errors import ApiError
from .flask_as_view import FlaskAsView
from .options import Change, RestOptions, Writes, rest_options_of

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
