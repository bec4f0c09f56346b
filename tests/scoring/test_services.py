"""Scoring services on PostgreSQL: models and their rules, scores stored per lead and model, and
the recompute queued on commit after an engagement event or a change of the lead."""

import logging

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from core.breaker import broker_breaker, reset_breakers
from core.models import PicklistValue
from core.services import picklist_value_delete
from engagement.services import engagement_event_record
from leadcrm.celery import app as celery_app
from leads.services import lead_update
from scoring import services, tasks
from scoring.models import LeadScore, ScoringModel

pytestmark = pytest.mark.django_db


def test_the_first_model_is_the_default_and_names_are_unique_without_case(model, marketing_admin):
    other = services.scoring_model_create(data={"name": "Product B"}, acting_user=marketing_admin)

    with pytest.raises(ValidationError) as exc:
        services.scoring_model_create(data={"name": "MAIN"}, acting_user=marketing_admin)

    assert model.is_default
    assert not other.is_default
    assert "name" in exc.value.message_dict


def test_making_a_model_the_default_takes_it_from_the_previous_one(model, marketing_admin):
    other = services.scoring_model_create(data={"name": "Product B"}, acting_user=marketing_admin)

    services.scoring_model_update(model=other, data={"is_default": True}, acting_user=marketing_admin)

    assert list(ScoringModel.objects.filter(is_default=True)) == [other]


def test_the_database_holds_one_default_model(model):
    with pytest.raises(IntegrityError):
        ScoringModel.objects.create(name="Second", is_active=True, is_default=True)


def test_bad_model_and_rule_input_are_field_errors(model, marketing_admin):
    with pytest.raises(ValidationError) as bad_model:
        services.scoring_model_update(
            model=model, data={"fit_weight": 0, "behaviour_weight": 0, "is_active": False}, acting_user=marketing_admin
        )
    with pytest.raises(ValidationError) as bad_fit:
        services.fit_rule_create(
            model=model,
            data={"points": 500, "criteria": [{"field": "nope", "operator": "equals", "value": "x"}]},
            acting_user=marketing_admin,
        )
    with pytest.raises(ValidationError) as bad_behaviour:
        services.behaviour_rule_create(
            model=model, data={"event_type": "warp", "points": 0, "daily_cap": "-1"}, acting_user=marketing_admin
        )

    assert {"fit_weight", "is_default"} <= set(bad_model.value.message_dict)
    assert {"points", "criteria"} <= set(bad_fit.value.message_dict)
    assert {"event_type", "points", "daily_cap"} <= set(bad_behaviour.value.message_dict)


def test_a_sales_rep_cannot_change_models(model, rep):
    with pytest.raises(PermissionError):
        services.scoring_model_update(model=model, data={"name": "Mine"}, acting_user=rep)


def test_a_lead_is_scored_with_each_rule_that_contributed(model, lead):
    engagement_event_record(event_type="page_view", source="api", lead=lead, url="https://a.example/pricing")
    engagement_event_record(event_type="page_view", source="api", lead=lead, url="https://a.example/blog")

    result = services.lead_score_compute(lead=lead, model=model)

    assert (result.fit_score, result.behaviour_score, result.score, result.grade) == (80, 10, 45, "A")
    assert result.fit == [{"rule": "Based in Berlin", "points": 80}]
    assert result.behaviour[0]["events"] == 1


def test_recomputing_is_idempotent(model, lead):
    services.lead_score_recompute(lead_id=lead.pk)
    services.lead_score_recompute(lead_id=lead.pk)

    score = LeadScore.objects.get(lead=lead)
    assert (score.model, score.score, score.grade) == (model, 40, "A")
    assert score.explanation["fit"][0]["points"] == 80


def test_an_engagement_event_rescores_the_lead_on_commit(model, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        engagement_event_record(event_type="page_view", source="api", lead=lead, url="https://a.example/pricing")

    assert LeadScore.objects.get(lead=lead, model=model).score == 45


def test_a_change_of_the_lead_rescores_it_on_commit(model, lead, rep, django_capture_on_commit_callbacks):
    services.lead_score_recompute(lead_id=lead.pk)

    with django_capture_on_commit_callbacks(execute=True):
        lead_update(lead=lead, data={"city": "Paris"}, acting_user=rep)

    score = LeadScore.objects.get(lead=lead, model=model)
    assert (score.score, score.grade) == (0, "D")


def test_changing_a_rule_rescores_the_models_leads(model, lead, marketing_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.fit_rule_update(
            rule=model.entries.get(),
            data={
                "label": "Berlin",
                "points": 40,
                "criteria": [{"field": "city", "operator": "equals", "value": "Berlin"}],
            },
            acting_user=marketing_admin,
        )

    assert LeadScore.objects.get(lead=lead, model=model).score == 20


def test_a_fit_rule_on_a_deleted_field_never_matches_and_does_not_crash(model, lead, marketing_admin):
    model.entries.update(criteria=[{"field": "custom__gone", "operator": "equals", "value": "x"}])
    ScoringModel.objects.filter(pk=model.pk).update(version=model.version + 1)
    model.refresh_from_db()

    result = services.lead_score_compute(lead=lead, model=model)

    assert result.fit == []


def test_a_picklist_value_used_by_a_fit_rule_cannot_be_deleted(model, marketing_admin):
    services.fit_rule_create(
        model=model,
        data={"points": 10, "criteria": [{"field": "lead_source", "operator": "includes", "value": ["Webinar"]}]},
        acting_user=marketing_admin,
    )
    value = PicklistValue.objects.get(object_name="lead", field_name="lead_source", api_name="Webinar")

    with pytest.raises(ValidationError, match="Scoring model “Main”, entry 2 uses it"):
        picklist_value_delete(value=value, replacement=None, acting_user=marketing_admin)


def test_no_recompute_is_queued_while_no_model_is_active(
    model, lead, rep, monkeypatch, django_capture_on_commit_callbacks
):
    published = []
    monkeypatch.setattr(services, "_publish", lambda task, object_id, *_args: published.append((task.name, object_id)))

    # Given an active model, a change queues the lead's recompute
    with django_capture_on_commit_callbacks(execute=True):
        lead_update(lead=lead, data={"city": "Paris"}, acting_user=rep)
    assert ("scoring.recompute_lead", lead.pk) in published

    # When no model is active any more, a change queues nothing
    published.clear()
    ScoringModel.objects.update(is_active=False, is_default=False)
    with django_capture_on_commit_callbacks(execute=True):
        lead_update(lead=lead, data={"city": "Lyon"}, acting_user=rep)

    assert published == []


def test_a_recompute_the_broker_cannot_take_adds_no_line_to_the_outage_the_breaker_logged(model, caplog):
    breaker = broker_breaker(celery_app)
    celery_app.conf.task_always_eager = False
    try:
        with caplog.at_level(logging.WARNING):
            breaker.record_failure(ConnectionError("broker down"))
            left = services._publish(tasks.recompute_model, model.pk)
    finally:
        celery_app.conf.task_always_eager = True
        reset_breakers()

    assert left is False
    assert [r.name for r in caplog.records] == ["core.breaker"]  # the breaker's one line
