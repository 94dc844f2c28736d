"""Functions written with the official firebase-functions SDK deploy beside ours, described by the SDK."""

from __future__ import annotations

from types import ModuleType

import functions_framework
import pytest
from firebase_functions import https_fn, options, scheduler_fn, tasks_fn

from flask_boiler.deploy.manifest import build_manifest
from flask_boiler.endpoints import DeployOptionError, http_endpoint, parse_options


def sdk_module() -> ModuleType:
    module = ModuleType("main")

    @https_fn.on_call()
    def whoami(request: https_fn.CallableRequest) -> str:
        return request.auth.uid if request.auth else ""

    @scheduler_fn.on_schedule(schedule="every day 03:00", memory=options.MemoryOption.MB_512, region="europe-west1")
    def nightly(event: scheduler_fn.ScheduledEvent) -> None:
        return None

    @tasks_fn.on_task_dispatched(retry_config=options.RetryConfig(max_attempts=5))
    def resize(request: tasks_fn.CallableRequest) -> None:
        return None

    def health(request):
        return "ok"

    module.__dict__.update(
        whoami=whoami, nightly=nightly, resize=resize, health=http_endpoint(functions_framework.http(health))
    )
    return module


def test_sdk_endpoints_join_ours_with_their_triggers_and_required_apis():
    manifest = build_manifest(sdk_module(), parse_options({"memory": 256, "timeout": 60, "max_instances": 10}))
    endpoints = manifest["endpoints"]
    assert set(endpoints) == {"health", "whoami", "nightly", "resize"}
    assert endpoints["health"]["httpsTrigger"] == {}
    assert endpoints["whoami"]["callableTrigger"] == {}
    assert endpoints["nightly"]["scheduleTrigger"]["schedule"] == "every day 03:00"
    assert endpoints["resize"]["taskQueueTrigger"]["retryConfig"]["maxAttempts"] == 5
    assert {api["api"] for api in manifest["requiredAPIs"]} >= {
        "cloudscheduler.googleapis.com",
        "cloudtasks.googleapis.com",
    }
    assert all(endpoint["entryPoint"] == name for name, endpoint in endpoints.items())


def test_project_defaults_fill_what_an_sdk_function_leaves_unset_and_never_override_it():
    manifest = build_manifest(sdk_module(), parse_options({"memory": 256, "timeout": 60, "max_instances": 10}))
    nightly, whoami = manifest["endpoints"]["nightly"], manifest["endpoints"]["whoami"]
    assert nightly["availableMemoryMb"] == 512 and nightly["region"] == ["europe-west1"]  # set by the decorator
    assert nightly["timeoutSeconds"] == 60 and nightly["maxInstances"] == 10  # the project's
    assert whoami["availableMemoryMb"] == 256 and whoami["region"] == ["us-central1"]
    assert not any(value is None for endpoint in manifest["endpoints"].values() for value in endpoint.values())


def test_a_main_without_sdk_functions_has_no_sdk_keys():
    module = ModuleType("main")
    module.health = http_endpoint(functions_framework.http(lambda request: "ok"))
    module.health.__name__ = "health"
    manifest = build_manifest(module)
    assert set(manifest) == {"specVersion", "endpoints"}


def test_an_sdk_function_bound_under_another_name_is_refused():
    module = sdk_module()
    module.renamed = module.__dict__.pop("whoami")
    with pytest.raises(DeployOptionError, match="deploys it as 'whoami'"):
        build_manifest(module)
