"""Heartbeats of the Celery workers and beats, kept in the cache for the System health page,
``/metrics`` and the beat's healthcheck.

A worker writes its heartbeat when it is ready and then at most every ``WORKER_HEARTBEAT_SECONDS``
(on Celery's own heartbeat signal, every two seconds); a beat at each of its ticks. Each process
has its own cache key, so concurrent writers never overwrite each other; a list of the names seen
lets the page find them. A worker that stops cleanly removes its own heartbeat; a dead one grows
old and is shown as late.
"""

import os
import socket
import time

from django.core.cache import cache

WORKER_HEARTBEAT_SECONDS = 10.0
# A heartbeat older than this is shown as late; entries are forgotten after a day.
LATE_AFTER_SECONDS = 60.0
KEEP_SECONDS = 24 * 3600

_NAMES_KEY = "health:{kind}:names"
_ENTRY_KEY = "health:{kind}:{name}"


def process_name(prefix: str) -> str:
    return f"{prefix}@{socket.gethostname()}:{os.getpid()}"


def record(kind: str, name: str, **details) -> None:
    """Write the heartbeat of ``name`` (``kind``: "worker" or "beat") with ``details``."""
    cache.set(_ENTRY_KEY.format(kind=kind, name=name), {"seen": time.time(), **details}, KEEP_SECONDS)
    names = cache.get(_NAMES_KEY.format(kind=kind)) or []
    if name not in names:
        cache.set(_NAMES_KEY.format(kind=kind), [*names[-99:], name], KEEP_SECONDS)


def forget(kind: str, name: str) -> None:
    cache.delete(_ENTRY_KEY.format(kind=kind, name=name))


def entries(kind: str) -> list[dict]:
    """``[{"name", "age" (seconds), "late", ...details}]``, youngest first."""
    names = cache.get(_NAMES_KEY.format(kind=kind)) or []
    found = cache.get_many([_ENTRY_KEY.format(kind=kind, name=name) for name in names])
    now = time.time()
    result = []
    for name in names:
        entry = found.get(_ENTRY_KEY.format(kind=kind, name=name))
        if entry is None:
            continue
        age = max(now - entry["seen"], 0.0)
        result.append({**entry, "name": name, "age": age, "late": age > LATE_AFTER_SECONDS})
    return sorted(result, key=lambda entry: entry["age"])


class WorkerHeartbeat:
    """State of this worker process's heartbeat (connected to Celery's signals in leadcrm.celery)."""

    def __init__(self) -> None:
        self.name: str | None = None
        self.queues: list[str] = []
        self.last = 0.0

    def ready(self, name: str, queues: list[str]) -> None:
        self.name, self.queues = name, sorted(queues)
        self.beat(force=True)

    def beat(self, *, force: bool = False) -> None:
        if self.name is None:
            return
        now = time.monotonic()
        if not force and now - self.last < WORKER_HEARTBEAT_SECONDS:
            return
        self.last = now
        record("worker", self.name, queues=self.queues, pid=os.getpid())

    def stopped(self) -> None:
        if self.name is not None:
            forget("worker", self.name)


WORKER = WorkerHeartbeat()
