"""Velocity and status-progression rules on PostgreSQL: their services (field errors), scores
from real events and Field History rows, a rule naming a deleted status flagged and skipped, the
score history (one row per change) and the periodic decay."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.history import Change, history_record
from core.models import PicklistValue
from core.services import picklist_value_delete
from engagement.services import engagement_event_record
from scoring import services, timing_rules
from scoring.decay import decay_apply
from scoring.models import LeadScore, LeadScoreHistory, ScoringModel
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def behaviour_model(marketing_admin):
    return services.scoring_model_create(
        data={"name": "Behaviour", "fit_weight": 0, "behaviour_weight": 100, "decay_half_life_days": 0},
        acting_user=marketing_admin,
    )


def _visits(lead, count, *, hours_apart=1.0, start=None):
    start = start or timezone.now() - timedelta(hours=hours_apart * count)
    for i in range(count):
        engagement_event_record(
            event_type="page_view",
            source="api",
            lead=lead,
            url="https://example.com/pricing",
            occurred_at=start + timedelta(hours=hours_apart * i),
        )


def test_eight_visits_in_four_days_score_the_velocity_points(behaviour_model, marketing_admin, rep):
    timing_rules.velocity_rule_create(
        model=behaviour_model,
        data={"label": "Hot streak", "event_type": "page_view", "min_events": 8, "window_days": 4, "points": 40},
        acting_user=marketing_admin,
    )
    hot, cold = LeadFactory(owner_user=rep), LeadFactory(owner_user=rep)
    _visits(hot, 8, hours_apart=10)
    _visits(cold, 8, hours_apart=24)

    (hot_score,) = services.lead_score_recompute(lead_id=hot.pk)
    (cold_score,) = services.lead_score_recompute(lead_id=cold.pk)

    assert hot_score.score == 40
    assert hot_score.explanation["velocity"][0]["rule"] == "Hot streak"
    assert (cold_score.score, cold_score.explanation["velocity"]) == (0, [])


def test_bad_timing_rule_input_is_field_errors(behaviour_model, marketing_admin):
    with pytest.raises(ValidationError) as velocity:
        timing_rules.velocity_rule_create(
            model=behaviour_model,
            data={"event_type": "warp", "min_events": 1, "window_days": 0, "points": 0},
            acting_user=marketing_admin,
        )
    with pytest.raises(ValidationError) as progression:
        timing_rules.progression_rule_create(
            model=behaviour_model,
            data={"from_status": "New", "to_status": "Nope", "comparison": "sideways", "threshold": 0, "points": 500},
            acting_user=marketing_admin,
        )
    with pytest.raises(ValidationError) as same:
        timing_rules.progression_rule_create(
            model=behaviour_model,
            data={"from_status": "New", "to_status": "New", "comparison": "within", "threshold": 2, "points": 5},
            acting_user=marketing_admin,
        )

    assert set(velocity.value.message_dict) == {"event_type", "min_events", "window_days", "points"}
    assert set(progression.value.message_dict) == {"to_status", "comparison", "threshold", "points"}
    assert set(same.value.message_dict) == {"to_status"}


def test_a_rep_may_not_change_timing_rules(behaviour_model, rep):
    with pytest.raises(PermissionError):
        timing_rules.velocity_rule_create(
            model=behaviour_model,
            data={"event_type": "page_view", "min_events": 3, "window_days": 1, "points": 5},
            acting_user=rep,
        )


def _moved(lead, *steps):
    """Field History of the lead's status: (old, new, hours after creation)."""
    for old, new, hours in steps:
        history_record(
            object_name="lead",
            record_id=lead.pk,
            changes=[Change("status", "Lead Status", old, new)],
            acting_user=None,
            at=lead.created_at + timedelta(hours=hours),
        )


def test_two_days_between_statuses_score_from_the_field_history(behaviour_model, marketing_admin, rep):
    rule = timing_rules.progression_rule_create(
        model=behaviour_model,
        data={
            "label": "Fast mover",
            "from_status": "New",
            "to_status": "Working",
            "comparison": "within",
            "threshold": 2,
            "unit": "days",
            "points": 25,
        },
        acting_user=marketing_admin,
    )
    created = timezone.now() - timedelta(days=5)
    fast = LeadFactory(owner_user=rep, status="Working", created_at=created)
    slow = LeadFactory(owner_user=rep, status="Working", created_at=created)
    _moved(fast, ("New", "Working", 40))
    _moved(slow, ("New", "Nurturing", 10), ("Nurturing", "Working", 60))

    (fast_score,) = services.lead_score_recompute(lead_id=fast.pk)
    (slow_score,) = services.lead_score_recompute(lead_id=slow.pk)
    batch = services.model_recompute(model_id=behaviour_model.pk)

    assert rule.threshold_hours == 48
    assert fast_score.score == 25
    assert fast_score.explanation["progression"] == [{"rule": "Fast mover", "points": 25, "hours": 40.0}]
    assert slow_score.score == 0
    assert batch == 2
    assert LeadScore.objects.get(lead=fast, model=behaviour_model).score == 25


def test_a_rule_whose_status_was_deleted_is_flagged_and_skipped(behaviour_model, marketing_admin, rep, client):
    rule = timing_rules.progression_rule_create(
        model=behaviour_model,
        data={"from_status": "New", "to_status": "Nurturing", "comparison": "over", "threshold": 1, "points": 30},
        acting_user=marketing_admin,
    )
    lead = LeadFactory(owner_user=rep, created_at=timezone.now() - timedelta(days=3))
    assert services.lead_score_recompute(lead_id=lead.pk)[0].score == 30  # still waiting after 3 days

    value = PicklistValue.objects.get(object_name="lead", field_name="status", api_name="Nurturing")
    picklist_value_delete(value=value, replacement=None, acting_user=marketing_admin)
    ScoringModel.objects.filter(pk=behaviour_model.pk).update(version=behaviour_model.version + 1)
    client.force_login(marketing_admin)
    page = client.get(f"/setup/scoring-models/{behaviour_model.pk}/").content.decode()

    (score,) = services.lead_score_recompute(lead_id=lead.pk)
    assert score.score == 0
    assert score.explanation["progression"] == []
    assert timing_rules.progression_rule_problems(behaviour_model) == {
        rule.pk: "The Lead Status value “Nurturing” no longer exists; the rule is skipped."
    }
    assert 'data-testid="progression-problems"' in page
    assert 'data-testid="progression-skipped"' in page


def test_the_history_has_one_row_per_change_not_per_recompute(behaviour_model, marketing_admin, rep):
    services.behaviour_rule_create(
        model=behaviour_model, data={"event_type": "page_view", "points": 10}, acting_user=marketing_admin
    )
    lead = LeadFactory(owner_user=rep)

    services.lead_score_recompute(lead_id=lead.pk)  # first score: 0
    services.lead_score_recompute(lead_id=lead.pk)  # unchanged
    _visits(lead, 2)
    services.lead_score_recompute(lead_id=lead.pk)  # 20
    services.model_recompute(model_id=behaviour_model.pk)  # unchanged, in a batch
    _visits(lead, 1)
    services.model_recompute(model_id=behaviour_model.pk)  # 30, in a batch

    rows = LeadScoreHistory.objects.filter(lead=lead).order_by("changed_at", "id")
    assert [(r.score, r.grade, r.model_id) for r in rows] == [
        (0, "D", behaviour_model.pk),
        (20, "D", behaviour_model.pk),
        (30, "D", behaviour_model.pk),
    ]


def test_decay_reapplies_to_scores_time_alone_changed_once(marketing_admin, rep):
    model = services.scoring_model_create(
        data={"name": "Decaying", "fit_weight": 0, "behaviour_weight": 100, "decay_half_life_days": 10},
        acting_user=marketing_admin,
    )
    services.behaviour_rule_create(
        model=model, data={"event_type": "page_view", "points": 40}, acting_user=marketing_admin
    )
    engaged, idle = LeadFactory(owner_user=rep), LeadFactory(owner_user=rep)
    _visits(engaged, 2, hours_apart=0.1)
    start = timezone.now()
    services.lead_score_recompute(lead_id=engaged.pk, now=start)
    services.lead_score_recompute(lead_id=idle.pk, now=start)
    model.refresh_from_db()

    too_soon = decay_apply(now=start + timedelta(minutes=30))
    later = start + timedelta(days=10)
    first = decay_apply(now=later)
    second = decay_apply(now=later)

    score = LeadScore.objects.get(lead=engaged, model=model)
    assert (too_soon, first, second) == (0, 1, 0)  # the idle lead (no behaviour points) is never read
    assert score.score == 40  # 80 behaviour points, halved after ten days
    assert score.computed_at == later
    assert list(LeadScoreHistory.objects.filter(lead=engaged).values_list("score", flat=True).order_by("id")) == [
        80,
        40,
    ]


def test_decay_works_through_every_batch(marketing_admin, rep):
    model = services.scoring_model_create(
        data={"name": "Decaying", "fit_weight": 0, "behaviour_weight": 100, "decay_half_life_days": 1},
        acting_user=marketing_admin,
    )
    services.behaviour_rule_create(
        model=model, data={"event_type": "page_view", "points": 50}, acting_user=marketing_admin
    )
    leads = [LeadFactory(owner_user=rep) for _ in range(5)]
    for lead in leads:
        _visits(lead, 1, hours_apart=0.01)
    start = timezone.now()
    services.model_recompute(model_id=model.pk)

    assert decay_apply(now=start + timedelta(days=1), batch=2) == 5
    assert set(LeadScore.objects.filter(model=model).values_list("score", flat=True)) == {25}


def test_a_fit_rule_on_a_custom_field_removed_since_is_skipped_and_flagged(model, marketing_admin, rep, client):
    from core.models import FieldDefinition
    from core.services import custom_field_create, field_definition_update

    field = custom_field_create(object_name="lead", label="Tier", field_type="text", acting_user=marketing_admin)
    services.fit_rule_create(
        model=model,
        data={
            "label": "Gold tier",
            "points": 20,
            "criteria": [{"field": field.api_name, "operator": "equals", "value": "Gold"}],
        },
        acting_user=marketing_admin,
    )
    lead = LeadFactory(owner_user=rep, city="Berlin", custom_fields={field.api_name: "Gold"})
    before = services.lead_score_recompute(lead_id=lead.pk)[0].explanation["fit"]

    field_definition_update(definition=field, acting_user=marketing_admin, is_active=False)
    FieldDefinition.objects.filter(pk=field.pk).delete()
    ScoringModel.objects.filter(pk=model.pk).update(version=model.version + 1)
    (after,) = services.lead_score_recompute(lead_id=lead.pk)
    client.force_login(marketing_admin)
    page = client.get(f"/setup/scoring-models/{model.pk}/").content.decode()

    assert [line["rule"] for line in before] == ["Based in Berlin", "Gold tier"]
    assert [line["rule"] for line in after.explanation["fit"]] == ["Based in Berlin"]
    assert 'data-testid="rule-problems"' in page
