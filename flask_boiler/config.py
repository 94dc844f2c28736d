"""Project configuration, as in the original flask-boiler: ``Config(app_name=..., ...)``.

A :class:`Config` is plain data. It is validated when it is created, so a wrong
certificate path or a missing project id is reported where the configuration is
written, not at the first Firestore call deep inside a request handler.

Credentials are resolved in this order (see :mod:`flask_boiler._private.credentials`):

1. Emulators (``FIRESTORE_EMULATOR_HOST`` is set): anonymous credentials, no files.
2. ``certificate_path``: a service-account JSON key (the original's way; still works).
3. Application Default Credentials: what Cloud Functions provides at run time.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigurationError

__all__ = ["DEMO_PROJECT_ID", "Config", "ConfigurationError"]

#: Project id used when only emulators are in play. ``demo-`` projects are never
#: resolved against real Google Cloud resources by the emulators.
DEMO_PROJECT_ID = "demo-flask-boiler"

_PROJECT_ENV_VARS = ("FLASK_BOILER_PROJECT_ID", "GCLOUD_PROJECT", "GOOGLE_CLOUD_PROJECT")


@dataclass(frozen=True)
class Config:
    """How to reach Firebase.

    ``app_name``, ``debug``, ``testing`` and ``certificate_path`` keep the meaning
    they had in flask-boiler 0.0.1. ``project_id`` is optional: it is taken from
    the certificate, then from the environment (``GCLOUD_PROJECT`` is set by Cloud
    Functions and by the Functions emulator), then, with emulators, a demo id.
    """

    app_name: str = "flask-boiler"
    debug: bool = False
    testing: bool = False
    certificate_path: str | None = None
    project_id: str | None = None
    #: Firestore database id; ``"(default)"`` unless the project uses named databases.
    database: str = "(default)"
    #: Extra options passed to ``firebase_admin.initialize_app`` (e.g. ``storageBucket``).
    firebase_options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.app_name or not isinstance(self.app_name, str):
            raise ConfigurationError("Config.app_name must be a non-empty string.")
        if self.certificate_path is not None:
            path = Path(self.certificate_path)
            if not path.is_file():
                raise ConfigurationError(
                    f"Config.certificate_path points to {str(path)!r}, which is not a file. "
                    "Remove certificate_path to use emulators or Application Default Credentials."
                )

    # -- derived values ---------------------------------------------------------------

    @property
    def emulator_host(self) -> str | None:
        """``host:port`` of the Firestore emulator, when one is configured in the environment."""
        return os.environ.get("FIRESTORE_EMULATOR_HOST") or None

    @property
    def uses_emulators(self) -> bool:
        return self.emulator_host is not None

    def certificate_info(self) -> dict[str, Any] | None:
        """The parsed service-account key, or ``None`` when no certificate is configured."""
        if self.certificate_path is None:
            return None
        try:
            info = json.loads(Path(self.certificate_path).read_text())
        except (OSError, ValueError) as exc:
            raise ConfigurationError(
                f"Config.certificate_path {self.certificate_path!r} is not a readable JSON key: {exc}"
            ) from exc
        if not isinstance(info, dict) or info.get("type") != "service_account":
            raise ConfigurationError(
                f"Config.certificate_path {self.certificate_path!r} is not a service-account key "
                '(expected a JSON object with "type": "service_account").'
            )
        return info

    def resolve_project_id(self) -> str:
        """The Google Cloud project id to use, or a :class:`ConfigurationError` saying how to set one."""
        if self.project_id:
            return self.project_id
        info = self.certificate_info()
        if info and info.get("project_id"):
            return str(info["project_id"])
        for name in _PROJECT_ENV_VARS:
            value = os.environ.get(name)
            if value:
                return value
        config_json = os.environ.get("FIREBASE_CONFIG", "")
        if config_json.strip().startswith("{"):
            try:
                project = json.loads(config_json).get("projectId")
            except ValueError:
                project = None
            if project:
                return str(project)
        if self.uses_emulators:
            return DEMO_PROJECT_ID
        raise ConfigurationError(
            "No Google Cloud project id: pass Config(project_id=...), set GOOGLE_CLOUD_PROJECT, "
            "or set FIRESTORE_EMULATOR_HOST to use the local emulators."
        )

    @classmethod
    def from_env(cls, **overrides: Any) -> Config:
        """A config built from the environment only; what a deployed function uses by default."""
        values: dict[str, Any] = {
            "app_name": os.environ.get("FLASK_BOILER_APP_NAME", "flask-boiler"),
            "debug": os.environ.get("FLASK_BOILER_DEBUG", "") == "1",
            "testing": os.environ.get("FLASK_BOILER_TESTING", "") == "1",
            "certificate_path": os.environ.get("FLASK_BOILER_CERTIFICATE_PATH") or None,
        }
        values.update(overrides)
        return cls(**values)
