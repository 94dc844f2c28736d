"""Declaring deployable functions: what ``functions/main.py`` marks and the manifest reads.

``http_endpoint(fn, **options)``, ``document_trigger(fn, pattern, **options)`` and
``task_queue_endpoint(fn, retry_config=..., rate_limits=..., **options)`` attach an
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
    TASK,
    DeployOptionError,
    FunctionOptions,
    merge_options,
    parse_options,
    trigger_options_of,
)
from .targets import serving
from .task_queues import RateLimits, RetryConfig, task_queue_endpoint

__all__ = [
    "BUILTIN_DEFAULTS",
    "CREATED",
    "DELETED",
    "DOCUMENT_EVENT_TYPES",
    "EVENT",
    "HTTP",
    "MEMORY_OPTIONS_MB",
    "TASK",
    "UPDATED",
    "WRITTEN",
    "DeployOptionError",
    "EndpointSpec",
    "FunctionOptions",
    "RateLimits",
    "RetryConfig",
    "behind_hosting",
    "document_trigger",
    "endpoint_of",
    "http_endpoint",
    "merge_options",
    "parse_options",
    "serving",
    "task_queue_endpoint",
    "trigger_options_of",
]
