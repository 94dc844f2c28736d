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

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar, cast

from .config import Config
from .errors import ConfigurationError

if TYPE_CHECKING:  # pragma: no cover - imports for type checkers only
    import firebase_admin
    from google.cloud import firestore

__all__ = ["ConfigurationError", "Context"]

T = TypeVar("T")


class _ContextMeta(type):
    """Gives the ``Context`` class itself lazily-built properties, so ``Context.db`` works."""

    @property
    def config(cls) -> Config:
        return _as_context(cls)._current_config()

    @property
    def project_id(cls) -> str:
        return _as_context(cls)._current_config().resolve_project_id()

    @property
    def db(cls) -> firestore.Client:
        context = _as_context(cls)
        return context._lazy("_db", context._make_db)

    @property
    def firebase_app(cls) -> firebase_admin.App:
        context = _as_context(cls)
        return context._lazy("_firebase_app", context._make_firebase_app)


def _as_context(cls: _ContextMeta) -> type[Context]:
    # The metaclass has one instance, Context; this tells the type checker so.
    return cast("type[Context]", cls)


class Context(metaclass=_ContextMeta):
    """Process-wide access to the configured Firestore client and Firebase app.

    Use the class itself (``Context.db``), as flask-boiler always did; it is never
    instantiated.
    """

    _lock = threading.RLock()
    _config: Config | None = None
    _db: Any = None
    _firebase_app: Any = None
    #: Bumped by every ``read``/``reset``, so a ``using_db`` block knows whether to restore.
    _generation = 0
    #: The client lent by ``using_db``: never closed here, it belongs to the lender.
    _borrowed: Any = None

    def __new__(cls, *args: Any, **kwargs: Any) -> Context:
        raise ConfigurationError("Context is used as a class: call Context.read(config), then use Context.db.")

    @classmethod
    def read(cls, config: Config) -> type[Context]:
        """Use ``config`` from now on. Validates it at once; clients are built on first use."""
        if not isinstance(config, Config):
            raise ConfigurationError(f"Context.read expects a flask_boiler.config.Config, got {type(config).__name__}.")
        config.resolve_project_id()  # fails now, with advice, rather than at the first client
        with cls._lock:
            cls._close_clients()
            cls._config = config
            cls._generation += 1
        return cls

    @classmethod
    @contextlib.contextmanager
    def using_db(cls, db: firestore.Client) -> Iterator[firestore.Client]:
        """``Context.db`` is ``db`` inside the block, for every thread; the usual client after.

        For tools that need the code under test to talk through another client (e.g.
        :func:`flask_boiler.testing.costs.count_operations`, whose client is connected
        through a counting proxy). ``db`` stays the caller's to close. If the block calls
        :meth:`read` or :meth:`reset`, that configuration wins and nothing is restored.
        """
        with cls._lock:
            cls._current_config()
            saved, generation = cls._db, cls._generation
            cls._db = cls._borrowed = db
        try:
            yield db
        finally:
            with cls._lock:
                if cls._generation == generation:
                    cls._db = saved
                cls._borrowed = None

    @classmethod
    def reset(cls) -> None:
        """Forget the configuration and close clients (tests, or a process switching projects)."""
        with cls._lock:
            cls._close_clients()
            cls._config = None
            cls._generation += 1

    # -- internals --------------------------------------------------------------------

    @classmethod
    def _current_config(cls) -> Config:
        with cls._lock:
            if cls._config is None:
                cls.read(Config.from_env())
            assert cls._config is not None
            return cls._config

    @classmethod
    def _lazy(cls, attribute: str, factory: Callable[[Config], T]) -> T:
        value = getattr(cls, attribute)
        if value is not None:
            return cast(T, value)
        with cls._lock:
            value = getattr(cls, attribute)
            if value is None:
                value = factory(cls._current_config())
                setattr(cls, attribute, value)
            return cast(T, value)

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
        if db is not None and db is not cls._borrowed:
            db.close()
        if app is not None:
            import firebase_admin

            firebase_admin.delete_app(app)
