"""A scope in which configuration is read once.

Field definitions, the picklist values a record type offers and users' record-type defaults change
rarely, yet one long write (a bulk conversion creates an account, a contact and an opportunity per
lead) asks for them again and again. Inside ``config_scope()`` each such read made through
``memoized`` runs once and its answer is kept until the scope ends; outside a scope, every call
reads afresh, so admin pages always see their own changes.

Only reads of configuration belong here, never records: a scope must not outlive a request or a
task, and nothing in it may change the configuration it reads.
"""

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_store: ContextVar[dict | None] = ContextVar("leadcrm_config_scope", default=None)


@contextmanager
def config_scope() -> Iterator[None]:
    """Keep configuration reads for the duration of the block (nested scopes share the outer one)."""
    if _store.get() is not None:
        yield
        return
    token = _store.set({})
    try:
        yield
    finally:
        _store.reset(token)


def memoized(key: Hashable, read: Callable[[], T]) -> T:
    """``read()``, or within a scope the answer it gave the first time for ``key``. Callers must not
    change what they get back."""
    store = _store.get()
    if store is None:
        return read()
    try:
        return store[key]
    except KeyError:
        value = store[key] = read()
        return value


def in_scope() -> bool:
    return _store.get() is not None
