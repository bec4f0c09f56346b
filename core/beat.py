"""One beat at a time: a second ``celery beat`` started by mistake must not publish every periodic
task twice.

``SingleBeatScheduler`` (``CELERY_BEAT_SCHEDULER``) publishes only while it holds the beat lock. A
beat that cannot take it waits as a standby, trying again every few seconds, and takes over when
the holder stops (released at a clean stop) or dies (the lock expires ``BEAT_LOCK_SECONDS`` after
its last tick). The lock is a Redis key (``SET NX`` with an expiry, renewed by its holder only)
when the broker is Redis; with the embedded folder broker, which serves one machine, it is an
exclusive lock on a file beside the schedule.
"""

import contextlib
import fcntl
import logging
import os
import uuid
from pathlib import Path

from celery.beat import PersistentScheduler
from django.conf import settings

from . import heartbeat

logger = logging.getLogger(__name__)

LOCK_KEY = "leadcrm:beat:lock"
_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class RedisBeatLock:
    def __init__(self, url: str, *, seconds: float) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_connect_timeout=2.0, socket_timeout=2.0)
        self.token = uuid.uuid4().hex
        self.milliseconds = int(seconds * 1000)

    def hold(self) -> bool:
        """Take the lock or renew it; False when another beat holds it or Redis cannot be asked."""
        try:
            if self.client.eval(_RENEW, 1, LOCK_KEY, self.token, self.milliseconds):
                return True
            return bool(self.client.set(LOCK_KEY, self.token, nx=True, px=self.milliseconds))
        except Exception as exc:  # Redis down: publishing fails anyway; do not claim to lead
            logger.warning("beat lock: Redis unreachable (%s); not publishing", type(exc).__name__)
            return False

    def release(self) -> None:
        with contextlib.suppress(Exception):  # the lock expires on its own
            self.client.eval(_RELEASE, 1, LOCK_KEY, self.token)


class FileBeatLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = None

    def hold(self) -> bool:
        if self.file is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self.file = handle
        return True

    def release(self) -> None:
        if self.file is not None:
            fcntl.flock(self.file, fcntl.LOCK_UN)
            self.file.close()
            self.file = None


def beat_lock():
    seconds = float(getattr(settings, "BEAT_LOCK_SECONDS", 30.0))
    url = settings.CELERY_BROKER_URL
    if url.startswith(("redis://", "rediss://")):
        return RedisBeatLock(url, seconds=seconds)
    return FileBeatLock(Path(settings.VAR_DIR) / "celerybeat.lock")


class SingleBeatScheduler(PersistentScheduler):
    """Celery's file-backed scheduler, publishing only while this beat holds the beat lock."""

    def __init__(self, *args, **kwargs):
        self.beat_lock = beat_lock()
        self.leading: bool | None = None
        self.beat_name = heartbeat.process_name("beat")
        self.lock_seconds = float(getattr(settings, "BEAT_LOCK_SECONDS", 30.0))
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs):
        leading = self.beat_lock.hold()
        if leading != self.leading:
            if leading:
                logger.warning("beat %s holds the beat lock: publishing periodic tasks", self.beat_name)
            else:
                logger.warning("beat %s: another beat holds the beat lock; standing by", self.beat_name)
            self.leading = leading
        with contextlib.suppress(Exception):  # the cache is optional; scheduling is not
            heartbeat.record("beat", self.beat_name, leader=leading, pid=os.getpid())
        # Renew the lock well before it expires, however far the next task is.
        interval = self.lock_seconds / 3
        if not leading:
            return interval
        return min(super().tick(*args, **kwargs), interval)

    def close(self):
        super().close()
        self.beat_lock.release()
