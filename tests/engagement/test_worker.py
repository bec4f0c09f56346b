"""End to end on real services: page views posted to the public endpoint become events in a real
Celery worker on Redis, drained by the coalesced task."""

import json

import pytest

from engagement.models import EngagementEvent, TrackingIntake
from tests.waiting import wait_until

from .conftest import VISITOR


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_turns_posted_page_views_into_events(client, celery_worker_process):
    for path in ("/", "/pricing", "/contact"):
        body = json.dumps({"type": "page_view", "vid": VISITOR, "url": f"https://www.example.com{path}"})
        assert client.post("/t/events/", data=body, content_type="text/plain").status_code == 204

    assert wait_until(lambda: EngagementEvent.objects.count() == 3), "the worker made no events"
    assert set(EngagementEvent.objects.values_list("visitor_id", flat=True)) == {VISITOR}
    assert not TrackingIntake.objects.filter(outcome=TrackingIntake.Outcome.RECEIVED).exists()
