"""Task-queue functions in the manifest: firebase-tools' v1alpha1 keys, checked options, queue-safe names."""

from __future__ import annotations

from types import ModuleType

import functions_framework
import pytest

from flask_boiler.deploy.manifest import build_manifest
from flask_boiler.endpoints import DeployOptionError, RateLimits, RetryConfig, task_queue_endpoint
from flask_boiler.tasks import ViewTasks
from flask_boiler.tasks.functions import view_task_function
from flask_boiler.triggers.view_triggers import export_view_triggers
from flask_boiler.views.fanout import FanoutPolicy
from tests.unit.deploy.sample_app import SAMPLE_VIEWS


def task_fn(name: str = "workQueue"):
    def handler(request):
        return "ok"

    handler.__name__ = name
    return functions_framework.http(handler)


def manifest_of(**names) -> dict:
    module = ModuleType("main")
    module.__dict__.update(names)
    return build_manifest(module)["endpoints"]


def test_task_queue_endpoint_renders_firebase_tools_keys():
    fn = task_queue_endpoint(
        task_fn(),
        retry_config=RetryConfig(
            max_attempts=5, max_retry_seconds=600, min_backoff_seconds=0.5, max_backoff_seconds=30, max_doublings=4
        ),
        rate_limits=RateLimits(max_concurrent_dispatches=20, max_dispatches_per_second=2.5),
        timeout=1800,
        invoker=["enqueuer@demo.iam.gserviceaccount.com"],
    )
    endpoint = manifest_of(workQueue=fn)["workQueue"]
    assert endpoint["timeoutSeconds"] == 1800  # task-queue functions may run 30 minutes
    assert endpoint["taskQueueTrigger"] == {
        "retryConfig": {
            "maxAttempts": 5,
            "maxRetrySeconds": 600,
            "minBackoffSeconds": 0.5,
            "maxBackoffSeconds": 30,
            "maxDoublings": 4,
        },
        "rateLimits": {"maxConcurrentDispatches": 20, "maxDispatchesPerSecond": 2.5},
        "invoker": ["enqueuer@demo.iam.gserviceaccount.com"],
    }
    assert "httpsTrigger" not in endpoint and "eventTrigger" not in endpoint
    assert manifest_of(workQueue=task_queue_endpoint(task_fn()))["workQueue"]["taskQueueTrigger"] == {}


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"retry_config": RetryConfig(max_attempts=0)}, "max_attempts"),
        ({"retry_config": RetryConfig(max_attempts=True)}, "whole number"),
        ({"retry_config": RetryConfig(min_backoff_seconds=-1)}, "min_backoff_seconds"),
        ({"retry_config": RetryConfig(min_backoff_seconds=10, max_backoff_seconds=5)}, "exceeds"),
        ({"retry_config": RetryConfig(max_doublings=17)}, "max_doublings"),
        ({"rate_limits": RateLimits(max_dispatches_per_second=501)}, "max_dispatches_per_second"),
        ({"rate_limits": RateLimits(max_concurrent_dispatches=5001)}, "max_concurrent_dispatches"),
        ({"rate_limits": RateLimits(max_dispatches_per_second="5")}, "expected a number"),
        ({"max_instance": 3}, "unknown option"),
    ],
)
def test_bad_queue_settings_fail_when_declared(kwargs, fragment):
    with pytest.raises(DeployOptionError, match=fragment):
        task_queue_endpoint(task_fn(), **kwargs)


@pytest.mark.parametrize("name", ["view_tasks", "1tasks", "tasks.x", "t" * 64])
def test_names_cloud_tasks_cannot_use_as_queue_ids_are_refused(name):
    with pytest.raises(DeployOptionError, match="queue"):
        task_queue_endpoint(task_fn(name))


def test_a_public_task_queue_is_refused_at_manifest_time():
    fn = task_queue_endpoint(task_fn(), invoker="public")
    with pytest.raises(DeployOptionError, match="cannot be public"):
        manifest_of(workQueue=fn)


def test_export_view_triggers_deploys_the_view_tasks_by_default_and_not_when_told():
    namespace: dict = {}
    exported = export_view_triggers(namespace, SAMPLE_VIEWS)
    assert exported["viewTasks"] == "(task queue)"
    endpoints = manifest_of(**namespace)
    tasks = endpoints["viewTasks"]
    assert tasks["region"] == ["us-central1"]
    assert tasks["taskQueueTrigger"]["rateLimits"] == {"maxConcurrentDispatches": 4, "maxDispatchesPerSecond": 5}
    assert tasks["taskQueueTrigger"]["retryConfig"]["maxAttempts"] == 10
    starter = endpoints["on_view_rebuild_requested"]["eventTrigger"]
    assert starter["eventType"] == "google.cloud.firestore.document.v1.created"  # updates do not wake it
    assert starter["eventFilterPathPatterns"] == {"document": "flaskBoilerRebuildRuns/{run_id}"}

    custom: dict = {}
    export_view_triggers(
        custom, SAMPLE_VIEWS, tasks=ViewTasks(name="rtTasks", region="europe-west1", options={"timeout": 300})
    )
    endpoint = manifest_of(**custom)["rtTasks"]
    assert endpoint["region"] == ["europe-west1"] and endpoint["timeoutSeconds"] == 300

    plain: dict = {}
    export_view_triggers(plain, SAMPLE_VIEWS, tasks=None)
    assert "viewTasks" not in plain and "on_view_rebuild_requested" not in plain


def test_view_tasks_settings_are_checked():
    with pytest.raises(DeployOptionError, match="ViewTasks\\(region"):
        ViewTasks(options={"region": ["europe-west1"]})
    with pytest.raises(Exception, match="slice_size"):
        view_task_function(SAMPLE_VIEWS, ViewTasks(fanout=FanoutPolicy(slice_size=5000)))
    with pytest.raises(Exception, match="positive whole number"):
        FanoutPolicy(threshold=0)
