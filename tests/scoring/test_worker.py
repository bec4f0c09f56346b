"""End to end on real services: an event reported through the API changes the lead's stored score
in a real Celery worker on Redis, within seconds."""

import pytest

from scoring import services
from scoring.models import LeadScore
from tests.waiting import wait_until


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_rescores_a_lead_after_an_engagement_event(api, rep, marketing_admin, lead, celery_worker_process):
    model = services.scoring_model_create(
        data={"name": "Visits", "fit_weight": 0, "behaviour_weight": 100, "decay_half_life_days": 0},
        acting_user=marketing_admin,
    )
    services.behaviour_rule_create(
        model=model,
        data={"event_type": "page_view", "url_pattern": "/pricing", "points": 30},
        acting_user=marketing_admin,
    )

    response = api.as_user(rep).post(
        "/api/engagement-events/",
        {"lead": lead.pk, "event_type": "page_view", "url": "https://www.example.com/pricing"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert wait_until(lambda: LeadScore.objects.filter(lead=lead, model=model, score=30).exists()), (
        "the worker did not rescore the lead"
    )
    assert LeadScore.objects.get(lead=lead, model=model).explanation["behaviour"][0]["events"] == 1
