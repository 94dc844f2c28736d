"""Benchmark-only deploy entry points (scenario 6): copied as main.py of the ``bench_tasks``
codebase of the benchmark stack (:mod:`bench.stack`); its functions.yaml is generated from it."""

from bench.tasks_app import VIEW_MODELS
from flask_boiler.tasks import ViewTasks
from flask_boiler.triggers.view_triggers import export_view_triggers

export_view_triggers(globals(), VIEW_MODELS, tasks=ViewTasks(name="benchTasks"))
