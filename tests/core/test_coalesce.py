"""Coalesced publishing: few tasks for many requests, none of them left without a run after it."""

import logging

import pytest

from core.breaker import BrokerUnavailable
from core.coalesce import Coalescer


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def make(fail=False):
    clock, published = Clock(), []

    def publish(delay):
        published.append((clock.now, delay))
        if fail:
            raise ConnectionError("broker down")

    return Coalescer(publish, interval=0.25, clock=clock), clock, published


class RecordedTask:
    """Stands for a Celery task: what it was asked to run."""

    def __init__(self):
        self.countdowns = []

    def apply_async(self, countdown=None):
        self.countdowns.append(countdown)


DRAIN_TASK = RecordedTask()


def test_the_first_request_publishes_at_once():
    coalescer, _clock, published = make()

    assert coalescer.request() is True
    assert published == [(100.0, 0.0)]


def test_requests_within_the_interval_share_one_delayed_run_that_starts_after_each_of_them():
    coalescer, clock, published = make()
    coalescer.request()

    for step in (0.05, 0.1, 0.2):
        clock.now = 100.0 + step
        assert coalescer.request() is True

    assert len(published) == 2
    at, delay = published[1]
    assert at == 100.05
    assert abs(delay - 0.2) < 1e-9
    assert at + delay >= 100.2  # the delayed run starts after the last request it covers


def test_after_the_interval_a_request_publishes_at_once_again():
    coalescer, clock, published = make()
    coalescer.request()
    clock.now = 100.1
    coalescer.request()
    clock.now = 100.4  # past the delayed run

    coalescer.request()

    assert [delay for _, delay in published][-1] == 0.0
    assert len(published) == 3


def test_under_steady_load_it_publishes_at_most_twice_per_interval():
    coalescer, clock, published = make()

    for n in range(1000):  # one request per millisecond for a second
        clock.now = 100.0 + n / 1000
        coalescer.request()

    assert len(published) <= 2 * (1 / 0.25) + 1
    assert len(published) >= 4


def test_a_failed_publish_answers_false_and_is_tried_again_by_the_next_request():
    coalescer, _clock, published = make(fail=True)

    assert coalescer.request() is False
    assert coalescer.request() is False
    assert [delay for _, delay in published] == [0.0, 0.0]  # nothing was taken as published


def test_reset_forgets_what_was_published():
    coalescer, clock, published = make()
    coalescer.request()
    clock.now = 100.1
    coalescer.request()

    coalescer.reset()
    coalescer.request()

    assert [delay for _, delay in published][-1] == 0.0


def test_a_coalescer_whose_broker_is_skipped_says_no_without_a_log_line(caplog):
    def publish(delay):
        raise BrokerUnavailable("skipped")

    with caplog.at_level(logging.DEBUG, logger="core.coalesce"):
        assert Coalescer(publish, interval=1.0).request() is False

    assert caplog.records == []


def test_a_coalescer_for_a_task_publishes_the_task_it_names_at_once_then_with_a_countdown():
    DRAIN_TASK.countdowns.clear()
    clock = Clock()
    coalescer = Coalescer.for_task(f"{__name__}.DRAIN_TASK", interval=0.25, clock=clock)

    coalescer.request()
    clock.now = 100.1
    coalescer.request()

    assert DRAIN_TASK.countdowns == [None, pytest.approx(0.15)]


def test_a_coalescer_for_a_task_that_does_not_exist_says_no():
    assert Coalescer.for_task(f"{__name__}.NO_SUCH_TASK", interval=1.0).request() is False
