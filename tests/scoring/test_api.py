"""The scoring API: models read by every user and changed by marketing admins (400 with field
errors), and a lead's score with its breakdown for those who can see the lead."""

import pytest

from engagement.services import engagement_event_record
from scoring.models import ScoringModel
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db
URL = "/api/scoring-models/"


def test_models_are_listed_with_their_rules(api, rep, model):
    response = api.as_user(rep).get(URL)

    assert response.status_code == 200
    (body,) = response.json()
    assert (body["name"], body["is_default"]) == ("Main", True)
    assert body["fit_rules"][0]["points"] == 80
    assert body["behaviour_rules"][0]["event_type"] == "page_view"


def test_a_marketing_admin_creates_and_changes_a_model(api, marketing_admin, model):
    client = api.as_user(marketing_admin)

    created = client.post(URL, {"name": "Product B", "fit_weight": 30, "behaviour_weight": 70}, format="json")
    changed = client.put(
        f"{URL}{created.json()['id']}/",
        {"name": "Product B", "is_default": True, "decay_half_life_days": 14},
        format="json",
    )

    assert created.status_code == 201, created.json()
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["is_default"], changed.json()["decay_half_life_days"]) == (True, 14)
    assert not ScoringModel.objects.get(pk=model.pk).is_default


def test_bad_input_is_a_400_with_field_errors(api, marketing_admin, model):
    client = api.as_user(marketing_admin)

    duplicate = client.post(URL, {"name": "main"}, format="json")
    out_of_range = client.post(URL, {"name": "X", "fit_weight": 300}, format="json")
    no_weight = client.put(f"{URL}{model.pk}/", {"name": "Main", "fit_weight": 0, "behaviour_weight": 0}, format="json")

    assert (duplicate.status_code, list(duplicate.json())) == (400, ["name"])
    assert out_of_range.status_code == 400
    assert "fit_weight" in out_of_range.json()
    assert no_weight.status_code == 400
    assert "fit_weight" in no_weight.json()


def test_a_sales_rep_may_not_change_models(api, rep, model):
    response = api.as_user(rep).put(f"{URL}{model.pk}/", {"name": "Mine"}, format="json")

    assert response.status_code == 403
    assert ScoringModel.objects.get(pk=model.pk).name == "Main"


def test_a_leads_score_comes_with_its_breakdown(api, rep, model, lead):
    engagement_event_record(event_type="page_view", source="api", lead=lead, url="https://a.example/pricing")

    response = api.as_user(rep).get(f"/api/leads/{lead.pk}/score/")

    assert response.status_code == 200
    (score,) = response.json()["scores"]
    assert (score["model_name"], score["score"], score["grade"]) == ("Main", 45, "A")
    assert score["fit"] == [{"rule": "Based in Berlin", "points": 80}]
    assert score["behaviour"][0]["events"] == 1


def test_the_score_of_a_lead_one_cannot_see_is_404(api, other_rep, rep, model):
    hidden = LeadFactory(owner_user=rep)

    assert api.as_user(other_rep).get(f"/api/leads/{hidden.pk}/score/").status_code == 404
    assert api.as_user(other_rep).get("/api/leads/999999/score/").status_code == 404


def test_the_schema_describes_the_scoring_endpoints(api, rep):
    schema = api.as_user(rep).get("/api/schema/?format=json").json()

    assert "/api/scoring-models/" in schema["paths"]
    assert "/api/leads/{id}/score/" in schema["paths"]
