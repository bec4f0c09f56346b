"""The scoring tasks, run eagerly: an engagement event rescoring its lead, and a model's leads
rescored after a change of the model."""

import pytest

from engagement.services import engagement_event_record
from scoring import tasks
from scoring.models import LeadScore

pytestmark = pytest.mark.django_db


def test_an_engagement_event_rescores_its_lead_through_the_task(model, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        engagement_event_record(event_type="page_view", source="api", lead=lead, url="https://a.example/pricing")
        engagement_event_record(event_type="page_view", source="api", lead=lead, url="https://a.example/pricing/b")

    score = LeadScore.objects.get(lead=lead, model=model)
    assert len(queued) == 2
    assert (score.score, score.grade) == (50, "A")
    assert score.explanation["behaviour"][0]["events"] == 2


def test_the_model_task_rescores_every_open_lead_and_is_idempotent(model, lead):
    LeadScore.objects.all().delete()

    first = tasks.recompute_model.delay(model.pk).get()
    again = tasks.recompute_model.delay(model.pk).get()

    assert first == again == 1
    assert LeadScore.objects.get(lead=lead, model=model).score == 40


def test_a_broker_outage_leaves_the_event_recorded(model, lead, broker_down, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event, created = engagement_event_record(event_type="page_view", source="api", lead=lead)

    assert created
    assert event.lead == lead
    assert not LeadScore.objects.filter(lead=lead).exists()
