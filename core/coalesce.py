"""Coalesced publishing: many requests, few tasks.

A task that drains a table (every row committed before it starts) need not be published once per
row. ``Coalescer.request()`` publishes at most twice per ``interval`` in a process: at once when
nothing was published for an interval, else once with a countdown to the end of that interval,
which every request until then shares. Each request is thereby followed by a run that starts after
it, so it sees the row the request committed.
"""

import logging
import threading
import time
from collections.abc import Callable

from django.utils.module_loading import import_string

from .breaker import BrokerUnavailable

logger = logging.getLogger(__name__)


class Coalescer:
    def __init__(self, publish: Callable[[float], None], *, interval: float, clock=time.monotonic) -> None:
        """``publish(delay)`` publishes one run starting in ``delay`` seconds (0: now)."""
        self._publish = publish
        self.interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._last_immediate = float("-inf")
        self._delayed_until = float("-inf")

    @classmethod
    def for_task(cls, task_path: str, *, interval: float, clock=time.monotonic) -> "Coalescer":
        """Runs of the task at ``task_path`` ("app.tasks.name"), imported at each publish, not
        before: an app's tasks module imports its services, where the coalescer is made."""

        def publish(delay: float) -> None:
            import_string(task_path).apply_async(countdown=delay or None)

        return cls(publish, interval=interval, clock=clock)

    def request(self) -> bool:
        """Make sure a run starts after now; ``False`` when publishing failed (no broker)."""
        with self._lock:
            now = self._clock()
            if self._delayed_until >= now:
                return True  # a run already published starts later than now
            delay = max(0.0, self._last_immediate + self.interval - now)
            try:
                self._publish(delay)
            except BrokerUnavailable:
                return False  # the broker's breaker is open: it logged the outage once
            except Exception:
                logger.warning("Could not publish a task; the caller does the work itself", exc_info=True)
                return False
            if delay:
                self._delayed_until = now + delay
            else:
                self._last_immediate = now
            return True

    def reset(self) -> None:
        with self._lock:
            self._last_immediate = self._delayed_until = float("-inf")
