"""Circuit breakers: the cache and task publishing skip an unreachable Redis for a few seconds,
answering at once, and say so in one log line."""

import logging
import time

import pytest
from django.core.cache import caches
from kombu.exceptions import OperationalError

from core.breaker import BrokerUnavailable, CircuitBreaker, broker_breaker, publish_or_leave, reset_breakers
from core.tasks import purge_recycle_bin
from leadcrm.celery import app as celery_app

CLOSED = "redis://127.0.0.1:6391/0"  # nobody listens here


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture(autouse=True)
def _closed_breakers():
    reset_breakers()
    yield
    reset_breakers()


def _use_broker(url: str) -> None:
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def closed_broker():
    """Tasks are published (not run inline) to a broker nobody listens on."""
    original = celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    _use_broker(CLOSED)
    yield
    _use_broker(original)


@pytest.fixture
def closed_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "down": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": CLOSED,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        },
    }
    return caches["down"]


def test_a_breaker_opens_at_a_failure_for_its_seconds_then_lets_one_try_through(caplog):
    clock = Clock()
    breaker = CircuitBreaker("Thing", seconds=5, clock=clock)

    with caplog.at_level(logging.WARNING, logger="core.breaker"):
        breaker.record_failure(ConnectionError("refused"))
        clock.now += 4.9
        assert breaker.is_open
        breaker.record_failure(ConnectionError("refused again"))  # a retry that failed: open again
        clock.now += 4.9
        assert breaker.is_open
        clock.now += 0.2
        assert not breaker.is_open
        breaker.record_success()
        breaker.record_success()

    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "Thing unreachable (ConnectionError: refused); not tried again for 5 s",
        "Thing reachable again after 10 s",
    ]


def test_the_cache_answers_as_an_empty_cache_at_once_while_redis_is_unreachable(closed_cache, caplog):
    with caplog.at_level(logging.WARNING, logger="core.breaker"):
        started = time.monotonic()
        assert closed_cache.get("key", "default") == "default"
        closed_cache.set("key", 1)
        assert closed_cache.add("key", 1) is True
        assert closed_cache.get_many(["a", "b"]) == {}
        assert closed_cache.get_or_set("key", 7) == 7
        assert closed_cache.has_key("key") is False
        assert closed_cache.touch("key") is False
        assert closed_cache.delete("key") is False
        assert closed_cache.set_many({"a": 1}) == []
        closed_cache.delete_many(["a"])
        with pytest.raises(ValueError):
            closed_cache.incr("key")
        elapsed = time.monotonic() - started

    assert elapsed < 0.5
    [record] = caplog.records
    assert record.getMessage().startswith("Redis cache at redis://127.0.0.1:6391/0 unreachable (ConnectionError")


def test_the_cache_tries_redis_again_once_the_breaker_closes(settings):
    settings.CACHES = {"default": {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": settings.REDIS_URL}}
    cache = caches["default"]
    cache.breaker.record_failure(ConnectionError("an earlier outage"))

    cache.set("kept", 1)  # skipped: the breaker is open
    assert cache.get("kept") is None
    cache.breaker.reset()
    cache.set("kept", 2)

    assert cache.get("kept") == 2
    assert cache.incr("kept") == 3


def test_the_configured_cache_is_the_resilient_one(settings):
    assert settings.CACHES["default"]["BACKEND"] == "core.cache.ResilientRedisCache"
    assert settings.CACHES["default"]["OPTIONS"]["socket_connect_timeout"] <= 0.5


@pytest.mark.django_db
def test_publishing_to_an_unreachable_broker_fails_fast_and_then_is_skipped(closed_broker, caplog):
    with caplog.at_level(logging.WARNING, logger="core.breaker"):
        started = time.monotonic()
        with pytest.raises(OperationalError):
            purge_recycle_bin.apply_async()
        first = time.monotonic() - started
        started = time.monotonic()
        with pytest.raises(BrokerUnavailable):
            purge_recycle_bin.delay()
        second = time.monotonic() - started

    assert first < 0.5
    assert second < 0.01
    assert broker_breaker(celery_app).is_open
    [record] = caplog.records
    assert "Celery broker at redis://127.0.0.1:6391/0 unreachable" in record.getMessage()


@pytest.mark.django_db
def test_tasks_run_inline_never_look_at_the_breaker(settings):
    breaker = broker_breaker(celery_app)
    breaker.record_failure(ConnectionError("down"))

    assert purge_recycle_bin.delay().get() == 0  # eager in unit tests


def test_the_worker_retries_the_broker_forever_and_publishing_tries_once():
    conf = celery_app.conf

    assert conf.broker_connection_retry is True
    assert conf.broker_connection_retry_on_startup is True
    assert conf.broker_connection_max_retries is None
    assert conf.broker_transport_options["max_retries"] == 0
    assert conf.broker_connection_timeout <= 1
    assert conf.task_publish_retry_policy["max_retries"] <= 1


def test_login_answers_at_once_while_the_configured_cache_cannot_reach_redis(client, rep, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": CLOSED,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
    started = time.monotonic()

    wrong = client.post("/login/", {"username": "rep", "password": "wrong"})
    right = client.post("/login/", {"username": "rep", "password": "demo-pass-123"})

    assert time.monotonic() - started < 1.0
    assert wrong.status_code == 200
    assert right.status_code == 302


def test_beat_sweeps_up_every_kind_of_work_left_for_a_worker(settings):
    swept = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert {
        "webtolead.process_submissions",  # submissions left received
        "emails.tasks.sweep_outbox",  # emails left queued
        "leads.imports.requeue_stalled_imports",  # imports left pending
    } <= swept


class Task:
    """Stands for a Celery task whose publishing answers ``outcome`` (an exception is raised)."""

    def __init__(self, outcome=None):
        self.outcome, self.published = outcome, []

    def delay(self, *args):
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        self.published.append(args)


def test_publish_or_leave_answers_whether_the_broker_took_the_task():
    task = Task()

    assert publish_or_leave(task, 7, "x", what="job 7") is True
    assert task.published == [(7, "x")]


def test_publish_or_leave_never_raises_and_says_the_sweeper_will_retry(caplog):
    with caplog.at_level(logging.WARNING, logger="core.breaker"):
        assert publish_or_leave(Task(OperationalError("refused")), 7, what="job 7") is False
        assert publish_or_leave(Task(BrokerUnavailable("skipped")), 8, what="job 8") is False

    assert [r.getMessage() for r in caplog.records] == [
        "Could not hand job 7 to the broker; the sweeper will retry.",
        "Could not hand job 8 to the broker; the sweeper will retry.",
    ]


def test_publish_or_leave_can_stay_quiet_while_the_breaker_is_open_and_promise_no_retry(caplog):
    with caplog.at_level(logging.WARNING, logger="core.breaker"):
        quiet = publish_or_leave(Task(BrokerUnavailable("skipped")), 7, what="x(7)", swept=False, quiet_when_open=True)
        said = publish_or_leave(Task(OperationalError("refused")), 8, what="x(8)", swept=False, quiet_when_open=True)

    assert (quiet, said) == (False, False)
    assert [r.getMessage() for r in caplog.records] == ["Could not hand x(8) to the broker."]
