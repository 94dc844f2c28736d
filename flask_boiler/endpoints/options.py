"""Per-function deploy options (region, memory, timeout, CPU, instances, concurrency, secrets...).

One vocabulary for every layer that can set them, from least to most specific:

1. built-in :data:`BUILTIN_DEFAULTS` (what firebase-tools would pick anyway, made explicit);
2. the project's defaults, the settings' ``[functions]`` table (``flask-boiler.toml``, or
   ``[tool.flask-boiler.functions]`` in ``pyproject.toml``; :mod:`flask_boiler.deploy.defaults`);
3. the declaration: ``http_endpoint(fn, memory="512MiB")``, ``document_trigger(fn, pattern,
   timeout=120)``, ``export_view_triggers(globals(), VIEW_MODELS, max_instances=20)``;
4. a view model's ``Meta.trigger_options`` (applies to the triggers its sources need).

Values are checked when they are declared (so a typo fails at import time with the
name of the option and where it came from), and the merged result is checked again
against the cross-option limits firebase-tools and Cloud Functions enforce (CPU vs.
memory, concurrency vs. CPU, timeout per trigger kind), so a manifest that the platform
would reject is never written. Every error is a :class:`DeployOptionError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from ..errors import FlaskBoilerError
from ..models.options import meta_option

__all__ = [
    "BUILTIN_DEFAULTS",
    "EVENT",
    "HTTP",
    "MEMORY_OPTIONS_MB",
    "TASK",
    "DeployOptionError",
    "FunctionOptions",
    "merge_options",
    "parse_options",
    "trigger_options_of",
]

HTTP = "http"
EVENT = "event"
#: A task-queue function: Cloud Tasks calls it over HTTP (private: only with an OIDC token of an invoker).
TASK = "task"

#: Memory sizes Cloud Functions (gen 2) accepts, in MB (firebase-tools' ``allMemoryOptions``).
MEMORY_OPTIONS_MB = (128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768)
_GEN2_CPU_FOR_MEMORY = {128: 1, 256: 1, 512: 1, 1024: 1, 2048: 1, 4096: 2, 8192: 2, 16384: 4, 32768: 8}
_GEN1_CPU_FOR_MEMORY = {
    128: 0.0833,
    256: 0.1666,
    512: 0.3333,
    1024: 0.5833,
    2048: 1,
    4096: 2,
    8192: 2,
    16384: 4,
    32768: 8,
}
_MAX_TIMEOUT = {HTTP: 3600, EVENT: 540, TASK: 1800}
_KIND_NAMES = {HTTP: "HTTP functions", EVENT: "event-triggered functions", TASK: "task-queue functions"}
_INGRESS = ("ALLOW_ALL", "ALLOW_INTERNAL_ONLY", "ALLOW_INTERNAL_AND_GCLB")
_REGION = re.compile(r"^[a-z]+-[a-z]+[0-9]+$")
_SECRET = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_SERVICE_ACCOUNT = re.compile(r"^[a-z0-9][a-z0-9._-]*@([a-z0-9-]+(\.[a-z0-9-]+)+)?$")
_MEMORY_TEXT = re.compile(r"^\s*(\d+)\s*(MiB|MB|Mi|M|GiB|GB|Gi|G)\s*$")
_TIMEOUT_TEXT = re.compile(r"^\s*(\d+)\s*s\s*$")


class DeployOptionError(FlaskBoilerError, ValueError):
    """A deploy option has a value Cloud Functions or firebase-tools would reject.

    ``option`` names the option, ``where`` says which declaration set it (a function name,
    ``pyproject.toml [tool.flask-boiler.functions]``, ``flask-boiler.toml [functions]``, a view model's Meta...).
    """

    def __init__(self, option: str, message: str, where: str = "") -> None:
        self.option = option
        self.where = where
        prefix = f"{where}: " if where else ""
        super().__init__(f"{prefix}option {option!r}: {message}")


#: Option -> its key in firebase-tools' v1alpha1 endpoint (secrets have a shape of their own).
_MANIFEST_KEYS = {
    "region": "region",
    "memory": "availableMemoryMb",
    "timeout": "timeoutSeconds",
    "cpu": "cpu",
    "min_instances": "minInstances",
    "max_instances": "maxInstances",
    "concurrency": "concurrency",
    "service_account": "serviceAccount",
    "ingress": "ingressSettings",
}


@dataclass(frozen=True)
class FunctionOptions:
    """Deploy options of one function; ``None`` means "not set at this layer".

    Units are the ones people say: ``memory`` in MB (``512`` or ``"512MiB"``/``"1GiB"``),
    ``timeout`` in seconds, ``cpu`` in vCPUs (``0.5``, ``1``, ``2``... or ``"gcf_gen1"``).
    ``secrets`` are Secret Manager secret names, exposed to the function as environment
    variables of the same name. ``invoker``: who may call an HTTP function (``"public"``,
    ``"private"`` or service-account emails), or enqueue into a task-queue function's queue
    (service-account emails: firebase-tools grants them Cloud Tasks Enqueuer on the queue
    and Cloud Run Invoker on the function).
    """

    region: tuple[str, ...] | None = None
    memory: int | None = None
    timeout: int | None = None
    cpu: float | int | str | None = None
    min_instances: int | None = None
    max_instances: int | None = None
    concurrency: int | None = None
    secrets: tuple[str, ...] | None = None
    service_account: str | None = None
    ingress: str | None = None
    invoker: tuple[str, ...] | None = None

    def merged(self, override: FunctionOptions) -> FunctionOptions:
        """These options with every option ``override`` sets replacing ours."""
        changes = {f.name: getattr(override, f.name) for f in fields(self) if getattr(override, f.name) is not None}
        return replace(self, **changes)

    def set_options(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}

    # -- the merged options of one function, as firebase-tools' v1alpha1 manifest keys ----

    def effective_cpu(self) -> float:
        """The CPU Cloud Functions will give the function (firebase-tools' own rule)."""
        memory = self.memory or 256
        if self.cpu == "gcf_gen1":
            return _GEN1_CPU_FOR_MEMORY[memory]
        if self.cpu is None:
            return _GEN2_CPU_FOR_MEMORY[memory]
        return float(self.cpu)

    def check_complete(self, kind: str, where: str) -> None:
        """Cross-option limits, checked on the merged options of one function of ``kind``."""
        if kind not in _MAX_TIMEOUT:
            kinds = ", ".join(repr(name) for name in _MAX_TIMEOUT)
            raise DeployOptionError("kind", f"{kind!r} is not a function kind ({kinds}).", where)
        if not self.region:
            raise DeployOptionError("region", "no region is set (set it in the settings' [functions] table).", where)
        if self.timeout is not None and self.timeout > _MAX_TIMEOUT[kind]:
            raise DeployOptionError(
                "timeout", f"{self.timeout}s exceeds the {_MAX_TIMEOUT[kind]}s limit of {_KIND_NAMES[kind]}.", where
            )
        if self.invoker is not None and kind == EVENT:
            raise DeployOptionError(
                "invoker", "only HTTP and task-queue functions have invokers; Eventarc calls triggers.", where
            )
        if self.invoker is not None and kind == TASK and "public" in self.invoker:
            raise DeployOptionError(
                "invoker", "a task-queue function cannot be public: name the service accounts that enqueue.", where
            )
        if (
            self.min_instances is not None
            and self.max_instances is not None
            and self.min_instances > self.max_instances
        ):
            raise DeployOptionError(
                "min_instances", f"{self.min_instances} is more than max_instances={self.max_instances}.", where
            )
        memory = self.memory or 256
        cpu = self.effective_cpu()
        if (self.concurrency or 1) > 1 and cpu < 1:
            raise DeployOptionError(
                "concurrency",
                f"concurrency {self.concurrency} needs at least 1 CPU (this function has {cpu:g}).",
                where,
            )
        if memory > 512 and cpu < 0.5:
            raise DeployOptionError("cpu", f"{memory}MB of memory needs at least 0.5 CPU (set cpu).", where)
        if memory > 1024 and cpu < 1:
            raise DeployOptionError("cpu", f"{memory}MB of memory needs at least 1 CPU (set cpu).", where)
        for cpus, minimum in ((4, 2048), (6, 3072), (8, 4096)):
            if cpu == cpus and memory < minimum:
                raise DeployOptionError("memory", f"{cpus} CPUs need at least {minimum}MB of memory.", where)

    def manifest_fields(self) -> dict[str, Any]:
        """The endpoint keys of firebase-tools' v1alpha1 build spec these options set."""
        out: dict[str, Any] = {"platform": "gcfv2"}
        for option, key in _MANIFEST_KEYS.items():
            value = getattr(self, option)
            if value is not None:
                out[key] = list(value) if option == "region" else value
        if self.secrets:
            out["secretEnvironmentVariables"] = [{"key": name, "secret": name} for name in self.secrets]
        return out


#: What the manifest says when neither the project nor the declaration says anything.
BUILTIN_DEFAULTS = FunctionOptions(region=("us-central1",), memory=256, timeout=60)


# -- parsing one layer ------------------------------------------------------------------------


def _int(option: str, value: Any, where: str, minimum: int, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DeployOptionError(option, f"expected a whole number, got {value!r}.", where)
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise DeployOptionError(option, f"{value} must be {bound}.", where)
    return value


def _memory(value: Any, where: str) -> int:
    if isinstance(value, str):
        match = _MEMORY_TEXT.match(value)
        if not match:
            raise DeployOptionError("memory", f"{value!r} is not a size like '512MiB' or '1GiB'.", where)
        number, unit = int(match.group(1)), match.group(2)
        value = number * 1024 if unit.startswith("G") else number
    elif isinstance(value, bool) or not isinstance(value, int):
        raise DeployOptionError("memory", f"expected MB (e.g. 512) or a size like '1GiB', got {value!r}.", where)
    if value not in MEMORY_OPTIONS_MB:
        allowed = ", ".join(str(m) for m in MEMORY_OPTIONS_MB)
        raise DeployOptionError("memory", f"{value}MB is not a Cloud Functions size; use one of {allowed} (MB).", where)
    return int(value)


def _timeout(value: Any, where: str) -> int:
    if isinstance(value, str):
        match = _TIMEOUT_TEXT.match(value)
        if not match:
            raise DeployOptionError("timeout", f"{value!r} is not seconds like 60 or '60s'.", where)
        value = int(match.group(1))
    return _int("timeout", value, where, 1, _MAX_TIMEOUT[HTTP])


def _cpu(value: Any, where: str) -> float | int | str:
    if value == "gcf_gen1":
        return "gcf_gen1"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DeployOptionError("cpu", f"expected a number of CPUs or 'gcf_gen1', got {value!r}.", where)
    if not (0.08 <= value <= 1 or value in (2, 4, 6, 8)):
        raise DeployOptionError("cpu", f"{value} is not valid; use a fraction in [0.08, 1], or 2, 4, 6, 8.", where)
    return int(value) if float(value).is_integer() else float(value)


def _strings(option: str, value: Any, where: str, *, if_empty: str | None = None) -> tuple[str, ...]:
    """A name or a list of distinct names; ``if_empty``: the complaint when none is a mistake."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) for item in value):
        raise DeployOptionError(option, f"expected a name or a list of names, got {value!r}.", where)
    if len(set(value)) != len(value):
        raise DeployOptionError(option, f"{list(value)!r} repeats a value.", where)
    if if_empty is not None and not value:
        raise DeployOptionError(option, if_empty, where)
    return tuple(value)


def _regions(value: Any, where: str) -> tuple[str, ...]:
    regions = _strings("region", value, where, if_empty="needs at least one region.")
    for region in regions:
        if not _REGION.match(region):
            raise DeployOptionError("region", f"{region!r} is not a region name like 'europe-west1'.", where)
    return regions


def _secrets(value: Any, where: str) -> tuple[str, ...]:
    secrets = _strings("secrets", value, where)
    for name in secrets:
        if not _SECRET.match(name):
            raise DeployOptionError(
                "secrets", f"{name!r} must be an upper-case environment variable name (A-Z, 0-9, _).", where
            )
        if name.startswith(("X_GOOGLE_", "FIREBASE_", "EXT_")):
            raise DeployOptionError("secrets", f"{name!r} starts with a prefix reserved by Cloud Functions.", where)
    return secrets


def _service_account(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _SERVICE_ACCOUNT.match(value):
        raise DeployOptionError(
            "service_account",
            f"{value!r} is not a service-account email ('name@project.iam.gserviceaccount.com', or 'name@' "
            "for one in the deployed project).",
            where,
        )
    return value


def _ingress(value: Any, where: str) -> str:
    if value not in _INGRESS:
        raise DeployOptionError("ingress", f"{value!r} is not one of {', '.join(_INGRESS)}.", where)
    return str(value)


def _invoker(value: Any, where: str) -> tuple[str, ...]:
    invokers = _strings("invoker", value, where, if_empty="needs 'public', 'private' or service-account emails.")
    for invoker in invokers:
        if invoker not in ("public", "private") and "@" not in invoker:
            raise DeployOptionError("invoker", f"{invoker!r} is not 'public', 'private' or an email.", where)
    if len(invokers) > 1 and ({"public", "private"} & set(invokers)):
        raise DeployOptionError("invoker", "'public' and 'private' cannot be combined with other invokers.", where)
    return invokers


_PARSERS = {
    "region": _regions,
    "memory": _memory,
    "timeout": _timeout,
    "cpu": _cpu,
    "min_instances": lambda v, w: _int("min_instances", v, w, 0, 1000),
    "max_instances": lambda v, w: _int("max_instances", v, w, 1, 3000),
    "concurrency": lambda v, w: _int("concurrency", v, w, 1, 1000),
    "secrets": _secrets,
    "service_account": _service_account,
    "ingress": _ingress,
    "invoker": _invoker,
}
_ALIASES = {"memory_mb": "memory", "timeout_seconds": "timeout", "regions": "region"}


def parse_options(values: Mapping[str, Any] | FunctionOptions | None, where: str = "") -> FunctionOptions:
    """Check one layer of options (keyword arguments, a TOML table, a Meta attribute).

    Keys may be written ``snake_case`` or ``kebab-case`` (TOML style). Unknown keys are
    errors: a misspelt ``max_instance`` must not silently deploy unlimited instances.
    """
    if values is None:
        return FunctionOptions()
    if isinstance(values, FunctionOptions):
        values = values.set_options()
    if not isinstance(values, Mapping):
        raise DeployOptionError("options", f"expected a mapping of option names to values, got {values!r}.", where)
    parsed: dict[str, Any] = {}
    for raw_key, value in values.items():
        key = _ALIASES.get(str(raw_key).replace("-", "_"), str(raw_key).replace("-", "_"))
        if key == "env":
            raise DeployOptionError(
                "env",
                "firebase-tools replaces per-function environment variables with the codebase's functions/.env "
                "on deploy; set plain variables in the settings' [functions.env] (written to functions/.env) "
                "and sensitive ones as secrets=[...].",
                where,
            )
        if key not in _PARSERS:
            known = ", ".join(sorted(_PARSERS))
            raise DeployOptionError(str(raw_key), f"unknown option; known options: {known}.", where)
        if value is None:
            continue
        parsed[key] = _PARSERS[key](value, where)
    return FunctionOptions(**parsed)


def merge_options(layers: Iterable[FunctionOptions]) -> FunctionOptions:
    """Later layers win, option by option."""
    result = FunctionOptions()
    for layer in layers:
        result = result.merged(layer)
    return result


def trigger_options_of(views: Sequence[type], pattern: str) -> FunctionOptions:
    """The options the view models refreshed by one trigger ask for (``Meta.trigger_options``).

    A trigger serves every view model that reads ``pattern``; when two of them set the
    same option to different values there is no right answer, so it is an error naming
    both (set it once, or in ``export_view_triggers(..., option=...)``).
    """
    combined: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for view in views:
        raw = meta_option(view, "trigger_options")
        if raw is None:
            continue
        where = f"{view.__name__}.Meta.trigger_options"
        for name, value in parse_options(raw, where).set_options().items():
            if name in combined and combined[name] != value:
                raise DeployOptionError(
                    name,
                    f"the trigger on {pattern!r} serves {origin[name]} ({combined[name]!r}) and {view.__name__} "
                    f"({value!r}); they must agree.",
                    where,
                )
            combined[name] = value
            origin[name] = view.__name__
    return FunctionOptions(**combined)
