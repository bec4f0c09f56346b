"""End to end on real services: the decay task, sent to a real Celery worker on Redis, lowers a
score stored ten days ago to what ten days of decay leave, and records the change once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from engagement.services import engagement_event_record
from scoring import services, tasks
from scoring.models import LeadScore, LeadScoreHistory
from tests.waiting import wait_until


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_applies_decay_to_a_score_stored_days_ago(rep, marketing_admin, lead, celery_worker_process):
    model = services.scoring_model_create(
        data={"name": "Decaying", "fit_weight": 0, "behaviour_weight": 100, "decay_half_life_days": 10},
        acting_user=marketing_admin,
    )
    services.behaviour_rule_create(
        model=model, data={"event_type": "page_view", "points": 80}, acting_user=marketing_admin
    )
    ten_days_ago = timezone.now() - timedelta(days=10)
    engagement_event_record(
        event_type="page_view", source="api", lead=lead, url="https://example.com/", occurred_at=ten_days_ago
    )
    # The score as it was stored ten days ago, when the visit was fresh.
    services.lead_score_recompute(lead_id=lead.pk, now=ten_days_ago)
    assert LeadScore.objects.get(lead=lead, model=model).score == 80

    tasks.apply_decay.delay()

    assert wait_until(lambda: LeadScore.objects.filter(lead=lead, model=model, score=40).exists()), (
        "the worker did not apply the decay"
    )
    assert list(
        LeadScoreHistory.objects.filter(lead=lead, model=model).order_by("changed_at").values_list("score", flat=True)
    ) == [80, 40]
