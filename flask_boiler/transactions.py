"""Transactions: a thin layer over ``google.cloud.firestore.transactional``.

::

    from flask_boiler.transactions import transactional

    @transactional
    def transfer(transaction, src_id, dst_id, amount):
        src = Account.get_or_raise(src_id, transaction=transaction)
        dst = Account.get_or_raise(dst_id, transaction=transaction)
        src.update(balance=src.balance - amount, transaction=transaction)
        dst.update(balance=dst.balance + amount, transaction=transaction)

    transfer("a", "b", 10)        # the transaction argument is supplied

The function runs in a fresh transaction and is re-run from the start when Firestore
reports contention (up to ``max_attempts`` times), so it must only have effects through
the transaction. All reads must come before writes (a Firestore rule).

The retrying is the client library's own (``google.cloud.firestore.transactional``,
which re-runs with the failed transaction's id so the retry keeps its place in line).
When every attempt aborted, the library raises a bare ``ValueError``; here that becomes
:class:`~flask_boiler.errors.ContentionError` with the number of attempts, which callers
(and the REST layer: 503 with ``Retry-After``) can tell from a bug. A transaction that
is contended by design (many writers on one document) is better written without a read:
``update(attendees=ArrayUnion([...]))``, ``update(count=Increment(1))``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, overload

from .context import Context
from .errors import ContentionError

__all__ = ["DEFAULT_MAX_ATTEMPTS", "run_in_transaction", "transactional"]

#: Attempts of a transaction before :class:`~flask_boiler.errors.ContentionError` (the client's default).
DEFAULT_MAX_ATTEMPTS = 5

R = TypeVar("R")


@overload
def transactional(func: Callable[..., R]) -> Callable[..., R]: ...


@overload
def transactional(
    *, max_attempts: int = DEFAULT_MAX_ATTEMPTS, read_only: bool = False
) -> Callable[[Callable[..., R]], Callable[..., R]]: ...


def transactional(
    func: Callable[..., R] | None = None, *, max_attempts: int = DEFAULT_MAX_ATTEMPTS, read_only: bool = False
) -> Any:
    """Decorate ``func(transaction, *args, **kwargs)`` so calling ``func(*args, **kwargs)`` runs it in a transaction.

    Usable bare (``@transactional``) or with options (``@transactional(max_attempts=10)``).
    Raises :class:`~flask_boiler.errors.ContentionError` when every attempt aborted.
    """

    def decorate(inner: Callable[..., R]) -> Callable[..., R]:
        @functools.wraps(inner)
        def wrapper(*args: Any, **kwargs: Any) -> R:
            return run_in_transaction(inner, *args, max_attempts=max_attempts, read_only=read_only, **kwargs)

        return wrapper

    return decorate(func) if func is not None else decorate


def run_in_transaction(
    func: Callable[..., R],
    *args: Any,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    read_only: bool = False,
    client: Any = None,
    **kwargs: Any,
) -> R:
    """Call ``func(transaction, *args, **kwargs)`` in a new transaction, retried on contention.

    ``client``: the Firestore client to use (default: ``Context.db``).

    :class:`~flask_boiler.errors.ContentionError` (``attempts`` = ``max_attempts``) when
    every attempt aborted; any other exception from ``func`` propagates unchanged, after
    the transaction is rolled back.
    """
    from google.api_core.exceptions import Aborted
    from google.api_core.retry import Retry, if_exception_type
    from google.cloud import firestore

    db = client if client is not None else Context.db
    name = getattr(func, "__qualname__", func)

    def attempt() -> R:
        transaction = db.transaction(max_attempts=max_attempts, read_only=read_only)
        outcome: R = firestore.transactional(func)(transaction, *args, **kwargs)
        return outcome

    # The client retries an aborted *commit* itself (keeping the transaction's place in line);
    # a read that aborts on a lock inside the transaction propagates instead, so that case is
    # retried here, from a new transaction, with api_core's own jittered backoff.
    retrying = Retry(predicate=if_exception_type(Aborted), initial=0.05, maximum=1.0, multiplier=2.0, timeout=None)
    attempts = 0

    def counted() -> R:
        nonlocal attempts
        attempts += 1
        if attempts > max_attempts:
            raise ContentionError(
                f"The transaction {name!r} aborted on contention {max_attempts} times; retry later, or avoid "
                "reading a hot document (ArrayUnion, Increment).",
                attempts=max_attempts,
            )
        return attempt()

    try:
        result: R = retrying(counted)()
    except ValueError as exc:
        if isinstance(exc.__cause__, Aborted):  # the client's "Failed to commit transaction in N attempts."
            raise ContentionError(
                f"The transaction {name!r} aborted on contention {max_attempts} times; retry later, or avoid "
                "reading a hot document (ArrayUnion, Increment).",
                attempts=max_attempts,
            ) from exc.__cause__
        raise
    return result
