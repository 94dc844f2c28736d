"""Deploy entry points: every function firebase-tools deploys or emulates is a name here.

``functions/functions.yaml`` is generated from this module (``python -m flask_boiler
manifest``). Keep it cheap to import (cold starts): it only binds names; Firestore
clients are created on first use.

Functions written with the official firebase-functions SDK (``next_meeting`` below) live
here too: the manifest generator asks the SDK to describe them and deploys them beside the
framework's functions. They are defined only where ``serving(...)`` says so: the SDK adds
about 100 ms of imports that the instances of the other functions need not pay.
"""

import contextlib

import functions_framework

import shared_models
from flask_boiler import diagnostics
from flask_boiler.endpoints import behind_hosting, document_trigger, http_endpoint, serving
from flask_boiler.rest import api_function
from flask_boiler.triggers.view_triggers import export_view_triggers
from shared_models import agenda

health = http_endpoint(functions_framework.http(diagnostics.health))
ping_pong = document_trigger(functions_framework.cloud_event(diagnostics.ping_pong), diagnostics.PING_PATTERN)

# Document-As-View: one trigger per domain document pattern the view models read.
export_view_triggers(globals(), shared_models.VIEW_MODELS)

# Flask-As-View: one HTTP function routes every REST resource (/openapi.json, /docs included),
# also under /api, the path Firebase Hosting rewrites to it (firebase.json) for the web page.
api = http_endpoint(
    functions_framework.http(behind_hosting(api_function(shared_models.REST_VIEWS, title="Meeting rooms API"), "/api"))
)

# Written with the official SDK, imported only by the instances serving it (and by tooling).
if serving("next_meeting"):
    import firebase_admin
    from firebase_functions import https_fn

    # The SDK's callables verify the caller's ID token with the default Firebase app
    # (ValueError: it exists already, when tooling imports main.py twice in one process).
    with contextlib.suppress(ValueError):
        firebase_admin.initialize_app()

    @https_fn.on_call()
    def next_meeting(request: https_fn.CallableRequest) -> dict | None:
        """The signed-in user's next meeting, from their agenda view (a callable, written with the SDK)."""
        if request.auth is None:
            raise https_fn.HttpsError(https_fn.FunctionsErrorCode.UNAUTHENTICATED, "Sign in to see your agenda.")
        return agenda.next_meeting(request.auth.uid)
