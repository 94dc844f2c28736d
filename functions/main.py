"""Deploy entry points: every function firebase-tools deploys or emulates is a name here.

``functions/functions.yaml`` is generated from this module (``python -m flask_boiler
manifest``). Keep it cheap to import (cold starts): it only binds names; Firestore
clients are created on first use.
"""

import functions_framework

import shared_models
from flask_boiler import diagnostics
from flask_boiler.endpoints import document_trigger, http_endpoint
from flask_boiler.rest import api_function
from flask_boiler.triggers.view_triggers import export_view_triggers

health = http_endpoint(functions_framework.http(diagnostics.health))
ping_pong = document_trigger(functions_framework.cloud_event(diagnostics.ping_pong), diagnostics.PING_PATTERN)

# Document-As-View: one trigger per domain document pattern the view models read.
export_view_triggers(globals(), shared_models.VIEW_MODELS)

# Flask-As-View: one HTTP function routes every REST resource (/openapi.json, /docs included).
api = http_endpoint(functions_framework.http(api_function(shared_models.REST_VIEWS, title="Meeting rooms API")))
