"""End to end on real services: an event reported through the API changes the lead's stored score
in a real Celery worker on Redis, within seconds."""

import pytest

from scoring.models import LeadScore
from tests.waiting import wait_until


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_rescores_a_lead_after_an_engagement_event(api, rep, model, lead, celery_worker_process):
    response = api.as_user(rep).post(
        "/api/engagement-events/",
        {"lead": lead.pk, "event_type": "page_view", "url": "https://www.example.com/pricing"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert wait_until(lambda: LeadScore.objects.filter(lead=lead, model=model, score=45).exists()), (
        "the worker did not rescore the lead"
    )
    assert LeadScore.objects.get(lead=lead, model=model).explanation["behaviour"][0]["events"] == 1
