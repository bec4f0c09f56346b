"""A scope in which configuration is read once.

Field definitions, the picklist values a record type offers and users' record-type defaults change
rarely, yet one long write (a bulk conversion creates an account, a contact and an opportunity per
lead) asks for them again and again. Inside ``config_scope()`` each such read made through
``memoized`` runs once and its answer is kept until the scope ends; outside a scope, every call
reads afresh, so admin pages always see their own changes.

Only reads of configuration belong here, never records: a scope must not outlive a request or a
task, and nothing in it may change the configuration it reads.

A ``SharedConfig`` is the one exception, for a hot public path that must not read configuration
on every request: its scope reuses the same answers across requests of one process for at most
``ttl`` seconds. A saved or deleted configuration row (see ``forget_on_change``) empties every
shared snapshot of the process at once; other processes see the change when their snapshot ages
out. Whatever relies on such a snapshot must check again, afresh, before it writes a record.
"""

import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_store: ContextVar[dict | None] = ContextVar("leadcrm_config_scope", default=None)


@contextmanager
def config_scope(store: dict | None = None) -> Iterator[None]:
    """Keep configuration reads for the duration of the block (nested scopes share the outer one);
    ``store`` continues an earlier snapshot instead of starting an empty one."""
    if _store.get() is not None:
        yield
        return
    token = _store.set({} if store is None else store)
    try:
        yield
    finally:
        _store.reset(token)


class SharedConfig:
    """A configuration snapshot shared by the requests of one process, renewed after ``ttl`` s."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._store: dict = {}
        self._born = float("-inf")
        _shared.add(self)

    def forget(self) -> None:
        self._born = float("-inf")

    @contextmanager
    def scope(self) -> Iterator[None]:
        now = time.monotonic()
        if now - self._born > self.ttl:
            # A new dict rather than clear(): a request still reading the old one keeps it whole.
            self._store, self._born = {}, now
        with config_scope(self._store):
            yield


_shared: set[SharedConfig] = set()


def forget_shared() -> None:
    """Empty every shared snapshot of this process (configuration was saved or deleted)."""
    for snapshot in _shared:
        snapshot.forget()


def forget_on_change(*models) -> None:
    """Empty the shared snapshots whenever a row of one of ``models`` is saved or deleted."""
    from django.db.models.signals import post_delete, post_save

    for model in models:
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(_forget_receiver, sender=model, dispatch_uid=f"forget-shared-{model._meta.label}-{name}")


def _forget_receiver(**kwargs) -> None:
    forget_shared()


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
