"""A real Celery worker on Redis drains stored tracking requests in batches: every page view
becomes exactly one event, and a worker killed in the middle of a batch loses and repeats nothing
(the batch rolls back; the next worker takes its rows)."""

import json
import os
import signal

import pytest
from django.utils import timezone

from engagement.models import EngagementEvent, TrackedVisitor, TrackingIntake
from engagement.tasks import process_tracking
from tests.factories import LeadFactory
from tests.waiting import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BATCH = 200  # tracking_process's batch size
VISITOR = "visitorworker0001"


@pytest.fixture
def stored(rep):
    """``stored(count)`` stores that many page views of a known visitor, as the endpoint would."""
    lead = LeadFactory(owner_user=rep)
    TrackedVisitor.objects.create(visitor_id=VISITOR, lead=lead, linked_at=timezone.now())

    def _store(count: int) -> None:
        now = timezone.now()
        TrackingIntake.objects.bulk_create(
            [
                TrackingIntake(
                    body=json.dumps({"vid": VISITOR, "url": f"https://www.example.com/page/{n}"}), received_at=now
                )
                for n in range(count)
            ],
            batch_size=1000,
        )

    _store.lead = lead
    return _store


def _recorded() -> int:
    return TrackingIntake.objects.filter(outcome=TrackingIntake.Outcome.RECORDED).count()


def _each_row_one_event(count: int, lead) -> None:
    event_ids = list(TrackingIntake.objects.values_list("event_id", flat=True))
    assert len(event_ids) == count
    assert None not in event_ids
    assert len(set(event_ids)) == count  # no event shared by two rows
    assert EngagementEvent.objects.filter(lead=lead, source="tracker").count() == count  # and none without its row


def test_a_worker_killed_in_the_middle_of_a_batch_loses_and_repeats_nothing(stored, celery_worker_starter):
    count = 40 * BATCH
    stored(count)
    first = celery_worker_starter()
    process_tracking.delay()
    # The first batch is committed; the worker is working on the next ones.
    assert wait_until(lambda: _recorded() >= BATCH, timeout=300), "the first batch never committed"

    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    at_kill = _recorded()
    assert at_kill < count, "the worker finished before it could be killed"
    assert at_kill % BATCH == 0  # whole batches only: the one in progress rolled back
    assert EngagementEvent.objects.count() == at_kill

    celery_worker_starter()
    process_tracking.delay()

    assert wait_until(lambda: _recorded() == count, timeout=600), f"only {_recorded()} of {count} recorded"
    _each_row_one_event(count, stored.lead)
