"""The beat lock: one holder at a time, renewed by its holder only, taken over once it expires."""

import time

import pytest
import redis

from core.beat import LOCK_KEY, FileBeatLock, RedisBeatLock


@pytest.fixture
def redis_url(settings):
    redis.Redis.from_url(settings.REDIS_URL).delete(LOCK_KEY)
    yield settings.REDIS_URL
    redis.Redis.from_url(settings.REDIS_URL).delete(LOCK_KEY)


def test_a_second_beat_does_not_get_the_redis_lock_while_the_first_holds_it(redis_url):
    first, second = RedisBeatLock(redis_url, seconds=10), RedisBeatLock(redis_url, seconds=10)

    assert first.hold() is True
    assert second.hold() is False
    assert first.hold() is True  # renewing
    first.release()
    assert second.hold() is True
    assert first.hold() is False


def test_the_redis_lock_of_a_beat_that_stopped_ticking_expires(redis_url):
    first, second = RedisBeatLock(redis_url, seconds=0.3), RedisBeatLock(redis_url, seconds=0.3)
    assert first.hold() is True

    time.sleep(0.5)

    assert second.hold() is True
    assert first.hold() is False


def test_a_beat_that_cannot_reach_redis_does_not_claim_the_lock():
    assert RedisBeatLock("redis://127.0.0.1:6390/0", seconds=5).hold() is False


def test_the_file_lock_has_one_holder_until_released(tmp_path):
    first, second = FileBeatLock(tmp_path / "beat.lock"), FileBeatLock(tmp_path / "beat.lock")

    assert first.hold() is True
    assert second.hold() is False
    first.release()
    assert second.hold() is True
