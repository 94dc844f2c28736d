"""Transactions: run a function in a Firestore transaction, again from the start on contention.

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

Each attempt runs in a fresh transaction begun by its first read
(:mod:`flask_boiler._private.inline_begin`: one round trip less than the client's own
``transactional``), retried as the client retries: an aborted commit at once, with the first
attempt's id so the retry keeps its place in line, up to ``max_attempts`` times; a read that
aborts on a lock from a new transaction, after a jittered exponential pause, up to
``max_attempts`` times. When every attempt aborted, the error is
:class:`~flask_boiler.errors.ContentionError` with the number of attempts, which callers
(and the REST layer: 503 with ``Retry-After``) can tell from a bug. A transaction that
is contended by design (many writers on one document) is better written without a read:
``update(attendees=ArrayUnion([...]))``, ``update(count=Increment(1))``.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar, overload

from google.api_core.exceptions import Aborted, GoogleAPICallError
from google.api_core.retry import exponential_sleep_generator

from ._private.inline_begin import InlineBeginTransaction
from .context import Context
from .errors import ContentionError
from .log import get_logger, log

__all__ = ["DEFAULT_MAX_ATTEMPTS", "run_in_transaction", "transactional"]

#: Attempts of a transaction before :class:`~flask_boiler.errors.ContentionError` (the client's default).
DEFAULT_MAX_ATTEMPTS = 5

R = TypeVar("R")
logger = get_logger("transactions")


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
    db = client if client is not None else Context.db
    name = getattr(func, "__qualname__", func)
    pauses = exponential_sleep_generator(initial=0.05, maximum=1.0, multiplier=2.0)
    aborted: Aborted | None = None
    for attempt in range(max_attempts):  # a read that aborted on a lock: a new transaction, after a pause
        if attempt:
            time.sleep(next(pauses))
        retry_id: bytes | None = None
        for _ in range(max_attempts):  # a commit that aborted: again at once, keeping its place in line
            transaction = InlineBeginTransaction(db, max_attempts=max_attempts, read_only=read_only, retry_id=retry_id)
            try:
                result = func(transaction, *args, **kwargs)
            except Aborted as exc:
                aborted = exc
                _roll_back(transaction, name)
                break
            except BaseException:
                _roll_back(transaction, name)
                raise
            try:
                transaction._commit()
                return result
            except Aborted as exc:
                aborted = exc
                retry_id = retry_id or transaction.begun_id
            except BaseException:
                _roll_back(transaction, name)
                raise
        else:
            _roll_back(transaction, name)
            break  # every commit aborted: as contended as it gets
    raise ContentionError(
        f"The transaction {name!r} aborted on contention {max_attempts} times; retry later, or avoid "
        "reading a hot document (ArrayUnion, Increment).",
        attempts=max_attempts,
    ) from aborted


def _roll_back(transaction: InlineBeginTransaction, name: object) -> None:
    """Release the transaction's locks; a failed rollback (the server expires the transaction
    anyway) must not hide the error that led here."""
    try:
        transaction._rollback()
    except GoogleAPICallError as exc:
        log(logger, logging.WARNING, f"rollback of the transaction {name!r} failed: {exc}", transaction=str(name))
