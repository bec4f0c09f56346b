"""Circuit breakers: after a service fails, skip it for a few seconds instead of waiting on it again.

During a Redis outage every request would otherwise pay a connection attempt, with its timeouts,
for each cache read and each task it publishes. A breaker opens at the first failure: for
``CIRCUIT_BREAKER_SECONDS`` callers are answered at once (the cache as if empty, publishing with
``BrokerUnavailable``), then the next call tries the service again. Skipping loses no work: every
piece of work is a database row before its task is published (received intake rows, queued outbox
rows, pending import rows) and beat's sweeps publish it again once the broker is back.

One breaker per service and process, shared by its threads. An outage is logged as one line when
the breaker opens and one when the service answers again, not once per skipped call.
"""

import logging
import threading
import time

from celery import Task
from django.conf import settings
from kombu.exceptions import OperationalError
from kombu.utils.url import maybe_sanitize_url

logger = logging.getLogger(__name__)


class CircuitBreaker:
    def __init__(self, name: str, *, seconds: float | None = None, clock=time.monotonic) -> None:
        """``seconds``: how long the breaker stays open (default: ``CIRCUIT_BREAKER_SECONDS``)."""
        self.name = name
        self._seconds = seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._open_until = float("-inf")
        self._failing_since: float | None = None

    @property
    def seconds(self) -> float:
        if self._seconds is not None:
            return self._seconds
        return float(getattr(settings, "CIRCUIT_BREAKER_SECONDS", 5.0))

    @property
    def is_open(self) -> bool:
        """True while callers should not try the service."""
        return self._clock() < self._open_until

    def record_failure(self, exc: BaseException) -> None:
        """The service failed: open the breaker (again) for ``seconds``."""
        with self._lock:
            now = self._clock()
            self._open_until = now + self.seconds
            first = self._failing_since is None
            if first:
                self._failing_since = now
        if first:
            logger.warning(
                "%s unreachable (%s: %s); not tried again for %g s",
                self.name,
                type(exc).__name__,
                " ".join(str(exc).split())[:200],
                self.seconds,
            )

    def record_success(self) -> None:
        """The service answered: close the breaker."""
        if self._failing_since is None:  # the common case, without taking the lock
            return
        with self._lock:
            since, self._failing_since = self._failing_since, None
            self._open_until = float("-inf")
        if since is not None:
            logger.warning("%s reachable again after %.0f s", self.name, self._clock() - since)

    def reset(self) -> None:
        with self._lock:
            self._open_until = float("-inf")
            self._failing_since = None


# One breaker per service (named by its URL, without its password) and process.
_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(url: str, *, kind: str) -> CircuitBreaker:
    name = f"{kind} at {maybe_sanitize_url(url)}"
    with _breakers_lock:
        if name not in _breakers:
            _breakers[name] = CircuitBreaker(name)
        return _breakers[name]


def reset_breakers() -> None:
    """Close every breaker (tests start afresh)."""
    with _breakers_lock:
        for breaker in _breakers.values():
            breaker.reset()


# Publishing tasks ------------------------------------------------------------------------------


class BrokerUnavailable(OperationalError):
    """Raised at once, without trying the broker, while its breaker is open."""


def _broker_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [OperationalError, OSError]
    try:
        import redis.exceptions

        errors += [redis.exceptions.ConnectionError, redis.exceptions.TimeoutError]
    except ImportError:  # pragma: no cover - redis is a requirement; the embedded broker needs none
        pass
    return tuple(errors)


BROKER_ERRORS = _broker_errors()


def broker_breaker(app) -> CircuitBreaker:
    return breaker_for(app.conf.broker_url or "", kind="Celery broker")


class BrokerGuardedTask(Task):
    """The base of every task of the project (``leadcrm.celery``): publishing goes through the
    broker's breaker. Tasks run inline (``task_always_eager``) never touch the broker."""

    abstract = True

    def apply_async(self, args=None, kwargs=None, task_id=None, producer=None, link=None, link_error=None, **options):
        if self.app.conf.task_always_eager:
            return super().apply_async(args, kwargs, task_id, producer, link, link_error, **options)
        breaker = broker_breaker(self.app)
        if breaker.is_open:
            raise BrokerUnavailable(f"{breaker.name} skipped for a few seconds after a failure")
        try:
            result = super().apply_async(args, kwargs, task_id, producer, link, link_error, **options)
        except BROKER_ERRORS as exc:
            breaker.record_failure(exc)
            raise
        breaker.record_success()
        return result


def publish_or_leave(task, *args, what: str, swept: bool = True, quiet_when_open: bool = False) -> bool:
    """Hand ``task(*args)`` to the broker and answer whether it took it. Never raises: the work is
    a database row already, and beat's sweep publishes it again once the broker is back. ``what``
    names the work in the warning logged otherwise; ``swept=False`` for work that no sweep
    publishes again (the warning then promises no retry). ``quiet_when_open``: no warning while the
    broker's breaker is open (it logged the outage once), for work asked for too often to log each
    time."""
    try:
        task.delay(*args)
    except Exception as exc:
        if quiet_when_open and isinstance(exc, BrokerUnavailable):
            return False
        if swept:
            logger.warning("Could not hand %s to the broker; the sweeper will retry.", what, exc_info=True)
        else:
            logger.warning("Could not hand %s to the broker.", what, exc_info=True)
        return False
    return True
