"""The API of velocity and status-progression rules (marketing admins write, 400 with field
errors, 403 for others) and a lead's score with its velocity, progression and history."""

from datetime import timedelta

import pytest
from django.utils import timezone

from engagement.services import engagement_event_record
from scoring import services
from scoring.models import StatusProgressionRule, VelocityRule

pytestmark = pytest.mark.django_db
VELOCITY = {"label": "Streak", "event_type": "page_view", "min_events": 3, "window_days": 2, "points": 20}


def test_a_marketing_admin_adds_changes_and_deletes_a_velocity_rule(api, marketing_admin, model):
    client = api.as_user(marketing_admin)
    url = f"/api/scoring-models/{model.pk}/velocity-rules/"

    created = client.post(url, VELOCITY, format="json")
    rule_url = f"{url}{created.json()['id']}/"
    changed = client.put(rule_url, {**VELOCITY, "min_events": 8, "window_days": 4}, format="json")
    listed = client.get(url)
    shown = client.get(f"/api/scoring-models/{model.pk}/")
    deleted = client.delete(rule_url)

    assert created.status_code == 201, created.json()
    assert (changed.json()["min_events"], changed.json()["window_days"]) == (8, 4)
    assert [r["label"] for r in listed.json()] == ["Streak"]
    assert shown.json()["velocity_rules"][0]["min_events"] == 8
    assert deleted.status_code == 204
    assert not VelocityRule.objects.exists()


def test_progression_rules_through_the_api_check_the_statuses(api, marketing_admin, model):
    client = api.as_user(marketing_admin)
    url = f"/api/scoring-models/{model.pk}/progression-rules/"

    bad = client.post(
        url,
        {"from_status": "New", "to_status": "Gone", "comparison": "within", "threshold": 2, "points": 10},
        format="json",
    )
    wrong_types = client.post(url, {"from_status": "New", "comparison": "soon", "threshold": "x"}, format="json")
    good = client.post(
        url,
        {"from_status": "New", "to_status": "Working", "comparison": "within", "threshold": 2, "points": 10},
        format="json",
    )

    assert bad.status_code == 400
    assert list(bad.json()) == ["to_status"]
    assert wrong_types.status_code == 400
    assert {"to_status", "comparison", "threshold", "points"} <= set(wrong_types.json())
    assert good.status_code == 201, good.json()
    assert StatusProgressionRule.objects.get().unit == "days"


def test_a_rep_may_not_write_timing_rules_and_an_unknown_model_is_404(api, rep, model):
    client = api.as_user(rep)

    forbidden = client.post(f"/api/scoring-models/{model.pk}/velocity-rules/", VELOCITY, format="json")
    missing = client.post("/api/scoring-models/999999/velocity-rules/", VELOCITY, format="json")

    assert forbidden.status_code == 403
    assert missing.status_code == 404
    assert not VelocityRule.objects.exists()


def test_the_score_api_answers_velocity_lines_and_the_history(api, rep, marketing_admin, model, lead):
    services.scoring_model_update(model=model, data={"decay_half_life_days": 0}, acting_user=marketing_admin)
    api.as_user(marketing_admin).post(f"/api/scoring-models/{model.pk}/velocity-rules/", VELOCITY, format="json")
    services.lead_score_recompute(lead_id=lead.pk)
    for hours in (3, 2, 1):
        engagement_event_record(
            event_type="page_view",
            source="api",
            lead=lead,
            url="https://a.example/blog",
            occurred_at=timezone.now() - timedelta(hours=hours),
        )
    services.lead_score_recompute(lead_id=lead.pk)

    response = api.as_user(rep).get(f"/api/leads/{lead.pk}/score/")

    (score,) = response.json()["scores"]
    assert score["velocity"][0]["rule"] == "Streak"
    assert score["velocity"][0]["points"] == 20
    assert [h["score"] for h in score["history"]] == [40, 50]


def test_the_schema_describes_timing_rules_and_the_list_fields(api, rep):
    schema = api.as_user(rep).get("/api/schema/?format=json").json()

    assert "/api/scoring-models/{id}/velocity-rules/" in schema["paths"]
    assert "/api/scoring-models/{id}/progression-rules/{rule_pk}/" in schema["paths"]
    lead = schema["components"]["schemas"]["Lead"]["properties"]
    assert {"score", "grade", "score_updated_at", "last_activity_at"} <= set(lead)
    parameters = {p["name"] for p in schema["paths"]["/api/leads/"]["get"]["parameters"]}
    assert {"score_min", "score_max", "grade", "last_activity_from"} <= parameters
