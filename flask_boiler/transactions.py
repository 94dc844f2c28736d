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
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, overload

__all__ = ["run_in_transaction", "transactional"]

R = TypeVar("R")


@overload
def transactional(func: Callable[..., R]) -> Callable[..., R]: ...


@overload
def transactional(
    *, max_attempts: int = 5, read_only: bool = False
) -> Callable[[Callable[..., R]], Callable[..., R]]: ...


def transactional(func: Callable[..., R] | None = None, *, max_attempts: int = 5, read_only: bool = False) -> Any:
    """Decorate ``func(transaction, *args, **kwargs)`` so calling ``func(*args, **kwargs)`` runs it in a transaction.

    Usable bare (``@transactional``) or with options (``@transactional(max_attempts=10)``).
    """

    def decorate(inner: Callable[..., R]) -> Callable[..., R]:
        @functools.wraps(inner)
        def wrapper(*args: Any, **kwargs: Any) -> R:
            return run_in_transaction(inner, *args, max_attempts=max_attempts, read_only=read_only, **kwargs)

        return wrapper

    return decorate(func) if func is not None else decorate


def run_in_transaction(
    func: Callable[..., R], *args: Any, max_attempts: int = 5, read_only: bool = False, **kwargs: Any
) -> R:
    """Call ``func(transaction, *args, **kwargs)`` in a new transaction, retried on contention."""
    from google.cloud import firestore

    from .context import Context

    transaction = Context.db.transaction(max_attempts=max_attempts, read_only=read_only)
    return firestore.transactional(func)(transaction, *args, **kwargs)
