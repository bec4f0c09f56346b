"""The Redis cache, made to degrade instead of fail when Redis is unreachable.

The cache holds only what can be lost (rate-limit and login-throttle counters, snapshots): while
Redis is out, a request must not answer 500, nor wait seconds on timeouts, because of it. So a
connection error or timeout opens a circuit breaker (``core.breaker``); while it is open, and for
the call that failed, the cache behaves as an empty cache that keeps nothing (as Django's
DummyCache does): reads answer the default, writes do nothing, ``incr`` raises ``ValueError`` as for
a missing key.
"""

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .breaker import breaker_for

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    """Django's RedisCache that answers as an empty cache while Redis is unreachable."""

    def __init__(self, server, params):
        super().__init__(server, params)
        # Django makes a cache object per thread; the breaker is one per server and process.
        self.breaker = breaker_for(",".join(self._servers), kind="Redis cache")

    def _call(self, method: str, fallback, *args, **kwargs):
        if self.breaker.is_open:
            return fallback()
        call = getattr(super(), method)
        try:
            try:
                result = call(*args, **kwargs)
            except UNREACHABLE:
                # Once more on a new connection: after Redis restarted, every pooled connection
                # fails once although Redis is back.
                result = call(*args, **kwargs)
        except UNREACHABLE as exc:
            self.breaker.record_failure(exc)
            return fallback()
        self.breaker.record_success()
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", lambda: True, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", lambda: default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", lambda: None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", lambda: False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", lambda: False, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", dict, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", lambda: False, key, version)

    def incr(self, key, delta=1, version=None):
        def missing():
            raise ValueError(f"Key '{key}' not found.")

        return self._call("incr", missing, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", lambda: [], data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", lambda: None, keys, version)

    def clear(self):
        return self._call("clear", lambda: False)
