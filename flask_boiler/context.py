"""The one explicit piece of global state: which Firebase project this process talks to.

As in flask-boiler 0.0.1::

    from flask_boiler import context, config
    CTX = context.Context
    CTX.read(config.Config(app_name="my_app", debug=True, testing=True))
    CTX.db            # google.cloud.firestore.Client
    CTX.firebase_app  # firebase_admin.App

Differences that make it safe on Cloud Functions:

* Clients are created lazily, on first use, under a lock. Importing ``functions/main.py``
  creates nothing, which keeps cold starts short and lets a function that never touches
  Firestore skip the client entirely.
* ``read`` validates the configuration right away and raises :class:`ConfigurationError`
  with a sentence saying what to set; ``db`` is never left as ``None`` to fail later.
* Without ``read``, the first access configures from the environment
  (:meth:`Config.from_env`), which is what a deployed function wants.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from .config import Config
from .errors import ConfigurationError

if TYPE_CHECKING:  # pragma: no cover - imports for type checkers only
    import firebase_admin
    from google.cloud import firestore

__all__ = ["ConfigurationError", "Context"]


class _ContextMeta(type):
    """Gives the ``Context`` class itself lazily-built properties, so ``Context.db`` works."""

    @property
    def config(cls) -> Config:
        return cls._current_config()

    @property
    def project_id(cls) -> str:
        return cls._current_config().resolve_project_id()

    @property
    def db(cls) -> firestore.Client:
        return cls._lazy("_db", cls._make_db)

    @property
    def firebase_app(cls) -> firebase_admin.App:
        return cls._lazy("_firebase_app", cls._make_firebase_app)


class Context(metaclass=_ContextMeta):
    """Process-wide access to the configured Firestore client and Firebase app.

    Use the class itself (``Context.db``), as flask-boiler always did; it is never
    instantiated.
    """

    _lock = threading.RLock()
    _config: Config | None = None
    _project_id: str | None = None
    _db: Any = None
    _firebase_app: Any = None

    def __new__(cls, *args: Any, **kwargs: Any) -> Context:
        raise TypeError("Context is used as a class: call Context.read(config), then use Context.db.")

    @classmethod
    def read(cls, config: Config) -> type[Context]:
        """Use ``config`` from now on. Validates it at once; clients are built on first use."""
        if not isinstance(config, Config):
            raise ConfigurationError(f"Context.read expects a flask_boiler.config.Config, got {type(config).__name__}.")
        project_id = config.resolve_project_id()  # raises ConfigurationError with advice
        with cls._lock:
            cls._close_clients()
            cls._config = config
            cls._project_id = project_id
        return cls

    @classmethod
    def reset(cls) -> None:
        """Forget the configuration and close clients (tests, or a process switching projects)."""
        with cls._lock:
            cls._close_clients()
            cls._config = None
            cls._project_id = None

    # -- internals --------------------------------------------------------------------

    @classmethod
    def _current_config(cls) -> Config:
        with cls._lock:
            if cls._config is None:
                cls.read(Config.from_env())
            assert cls._config is not None
            return cls._config

    @classmethod
    def _lazy(cls, attribute: str, factory: Any) -> Any:
        value = getattr(cls, attribute)
        if value is not None:
            return value
        with cls._lock:
            value = getattr(cls, attribute)
            if value is None:
                value = factory(cls._current_config())
                setattr(cls, attribute, value)
            return value

    @classmethod
    def _make_db(cls, config: Config) -> firestore.Client:
        from google.cloud import firestore

        from ._private.credentials import google_credentials

        return firestore.Client(
            project=config.resolve_project_id(),
            credentials=google_credentials(config),
            database=config.database,
        )

    @classmethod
    def _make_firebase_app(cls, config: Config) -> firebase_admin.App:
        import firebase_admin

        from ._private.credentials import admin_credential

        options = {"projectId": config.resolve_project_id(), **dict(config.firebase_options)}
        name = config.app_name
        try:
            existing = firebase_admin.get_app(name)
        except ValueError:
            return firebase_admin.initialize_app(admin_credential(config), options=options, name=name)
        # Another Context.read of the same app name: replace the app so new settings apply.
        firebase_admin.delete_app(existing)
        return firebase_admin.initialize_app(admin_credential(config), options=options, name=name)

    @classmethod
    def _close_clients(cls) -> None:
        db, app = cls._db, cls._firebase_app
        cls._db = None
        cls._firebase_app = None
        if db is not None:
            db.close()
        if app is not None:
            import firebase_admin

            firebase_admin.delete_app(app)
