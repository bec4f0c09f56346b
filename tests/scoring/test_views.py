"""Scoring pages: the Score panel of the lead page and the Setup pages of models and rules."""

import pytest

from scoring.models import BehaviourRule, FitRule, LeadScore, ScoringModel

pytestmark = pytest.mark.django_db


def test_the_lead_page_shows_the_score_grade_and_why(client, rep, model, lead):
    client.force_login(rep)

    html = client.get(f"/leads/{lead.pk}/").content.decode()

    assert 'data-testid="lead-score"' in html
    assert 'data-testid="score-value">40<' in html
    assert 'data-testid="score-grade"' in html
    assert "Based in Berlin" in html


def test_the_lead_page_has_no_score_panel_without_an_active_model(client, rep, lead):
    client.force_login(rep)

    assert 'data-testid="lead-score"' not in client.get(f"/leads/{lead.pk}/").content.decode()


def test_a_marketing_admin_builds_a_model_from_the_setup_pages(client, marketing_admin):
    client.force_login(marketing_admin)

    created = client.post(
        "/setup/scoring-models/new/",
        {"name": "Main", "fit_weight": 60, "behaviour_weight": 40, "decay_half_life_days": 30, "is_active": "on"},
    )
    model = ScoringModel.objects.get()
    fit = client.post(
        f"/setup/scoring-models/{model.pk}/fit-rules/new/",
        {"rows": 5, "field_1": "city", "operator_1": "equals", "value_1": "Berlin", "points": 20, "label": "Berlin"},
    )
    behaviour = client.post(
        f"/setup/scoring-models/{model.pk}/behaviour-rules/new/",
        {"event_type": "email_open", "points": 5, "daily_cap": 15},
    )
    page = client.get(f"/setup/scoring-models/{model.pk}/").content.decode()

    assert (created.status_code, fit.status_code, behaviour.status_code) == (302, 302, 302)
    assert model.is_default
    assert FitRule.objects.get().points == 20
    assert BehaviourRule.objects.get().daily_cap == 15
    assert "Berlin" in page
    assert "Email open" in page


def test_setup_form_errors_are_shown_on_the_field(client, marketing_admin, model):
    client.force_login(marketing_admin)

    response = client.post(
        "/setup/scoring-models/new/",
        {"name": "MAIN", "fit_weight": 50, "behaviour_weight": 50, "decay_half_life_days": 1},
    )

    assert response.status_code == 200
    assert "already exists" in response.content.decode()


def test_sales_reps_do_not_reach_the_setup_pages(client, rep, model):
    client.force_login(rep)

    assert client.get("/setup/scoring-models/").status_code in (302, 403)
    assert client.get(f"/setup/scoring-models/{model.pk}/").status_code in (302, 403)


def test_a_fit_rule_on_a_deleted_field_is_flagged_on_the_model_page(client, marketing_admin, model):
    model.entries.update(criteria=[{"field": "custom__gone", "operator": "equals", "value": "x"}])
    client.force_login(marketing_admin)

    html = client.get(f"/setup/scoring-models/{model.pk}/").content.decode()

    assert 'data-testid="rule-problems"' in html


def test_an_admin_has_every_lead_scored_again_from_the_model_page(
    client, marketing_admin, model, lead, django_capture_on_commit_callbacks
):
    client.force_login(marketing_admin)
    assert 'data-testid="recompute-model"' in client.get(f"/setup/scoring-models/{model.pk}/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/setup/scoring-models/{model.pk}/recompute/")

    assert response.status_code == 302
    assert LeadScore.objects.get(lead=lead, model=model).score == 40
