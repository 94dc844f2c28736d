"""Declaring deployable functions: what ``functions/main.py`` marks and the manifest reads.

``http_endpoint(fn, **options)`` and ``document_trigger(fn, pattern, **options)`` attach an
:class:`EndpointSpec` (trigger and deploy options) to a functions-framework function
(``behind_hosting(fn, "/api")`` lets an HTTP function answer under a Hosting rewrite's path);
:mod:`flask_boiler.deploy.manifest` turns every exported spec into ``functions.yaml``.
This package sits below ``triggers``, ``rest`` and ``deploy``: the first two declare
functions with it, the last reads the declarations, and none of them imports another
for it.
"""

from .declarations import (
    CREATED,
    DELETED,
    DOCUMENT_EVENT_TYPES,
    UPDATED,
    WRITTEN,
    EndpointSpec,
    document_trigger,
    endpoint_of,
    http_endpoint,
)
from .hosting import behind_hosting
from .options import (
    BUILTIN_DEFAULTS,
    EVENT,
    HTTP,
    MEMORY_OPTIONS_MB,
    DeployOptionError,
    FunctionOptions,
    merge_options,
    parse_options,
    trigger_options_of,
)

__all__ = [
    "BUILTIN_DEFAULTS",
    "CREATED",
    "DELETED",
    "DOCUMENT_EVENT_TYPES",
    "EVENT",
    "HTTP",
    "MEMORY_OPTIONS_MB",
    "UPDATED",
    "WRITTEN",
    "DeployOptionError",
    "EndpointSpec",
    "FunctionOptions",
    "behind_hosting",
    "document_trigger",
    "endpoint_of",
    "http_endpoint",
    "merge_options",
    "parse_options",
    "trigger_options_of",
]
