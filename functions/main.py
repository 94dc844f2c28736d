"""Deploy entry points: every function firebase-tools deploys or emulates is a name here.

``functions/functions.yaml`` lists them with their triggers. Keep this module cheap to
import (cold starts): it only binds names; clients are created on first use.
"""

import functions_framework

from flask_boiler import diagnostics

health = functions_framework.http(diagnostics.health)
ping_pong = functions_framework.cloud_event(diagnostics.ping_pong)
