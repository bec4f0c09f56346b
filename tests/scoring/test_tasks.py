"""The scoring tasks, run eagerly: an engagement event rescoring its lead, and a model's leads
rescored after a change of the model."""

from datetime import timedelta

import pytest
from django.utils import timezone

from engagement.services import engagement_event_record
from leads.models import Lead
from scoring import services, tasks
from scoring.models import LeadScore
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_an_engagement_event_rescores_its_lead_through_the_task(model, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        engagement_event_record(event_type="page_view", source="api", lead=lead, url="https://a.example/pricing")
        engagement_event_record(event_type="page_view", source="api", lead=lead, url="https://a.example/pricing/b")

    score = LeadScore.objects.get(lead=lead, model=model)
    assert len(queued) == 1  # one rescore of the lead for the transaction, not one per event
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


def test_the_model_recompute_scores_leads_in_batches_like_one_by_one(model, lead, rep, django_assert_max_num_queries):
    others = [LeadFactory(owner_user=rep, city=city) for city in ("Berlin", "Paris", "Rome", "Berlin")]
    for target in (lead, others[1]):
        engagement_event_record(event_type="page_view", source="api", lead=target, url="https://a.example/pricing")
    one_by_one = {target.pk: services.lead_score_compute(lead=target, model=model).score for target in (lead, *others)}

    # Per model: the model, its field metadata and its three kinds of rules; per batch: the leads,
    # their events, their scores before, one upsert, one insert of the changed scores' history and,
    # for the default model, one update of the scores on the lead rows.
    with django_assert_max_num_queries(12):
        count = services.model_recompute(model_id=model.pk, batch=10)
    again = services.model_recompute(model_id=model.pk, batch=2)

    assert count == again == 5
    assert dict(LeadScore.objects.filter(model=model).values_list("lead_id", "score")) == one_by_one
    assert dict(Lead.objects.filter(pk__in=one_by_one).values_list("pk", "score")) == one_by_one
    assert one_by_one[lead.pk] == 45
    assert one_by_one[others[1].pk] == 5


def test_a_rescoring_queued_before_the_lead_was_scored_again_has_nothing_left_to_do(model, lead):
    queued_at = timezone.now() - timedelta(seconds=5)
    services.lead_score_recompute(lead_id=lead.pk)  # a later task scored the lead meanwhile
    stored = LeadScore.objects.get(lead=lead, model=model).computed_at

    skipped = tasks.recompute_leads(lead_ids=[lead.pk], queued_at=queued_at.timestamp())
    scored = tasks.recompute_leads(lead_ids=[lead.pk], queued_at=timezone.now().timestamp())

    assert (skipped, scored) == (0, 1)
    assert LeadScore.objects.get(lead=lead, model=model).computed_at > stored
