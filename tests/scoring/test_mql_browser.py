"""In real headless Chromium: a marketing admin sets a model's MQL hand-off and an alert rule from
Setup; a lead that crosses the threshold shows its MQL date on the Score panel."""

import pytest
from playwright.sync_api import expect

from engagement.services import engagement_event_record
from scoring import services
from scoring.models import AlertRule, ScoringModel
from tests.factories import LeadFactory
from tests.seeding import seed_fields

from .conftest import MQL, mql_status


@pytest.fixture(autouse=True)
def _seeded_lead_fields(transactional_db):
    # Transactional tests flush the database between tests, seeded rows included.
    seed_fields("leads")
    mql_status()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_admin_sets_the_mql_hand_off_and_an_alert_rule(page, login, marketing_admin, rep):
    model = services.scoring_model_create(
        data={"name": "Visits", "fit_weight": 0, "behaviour_weight": 100, "decay_half_life_days": 0},
        acting_user=marketing_admin,
    )
    services.behaviour_rule_create(
        model=model, data={"event_type": "page_view", "points": 50}, acting_user=marketing_admin
    )
    lead = LeadFactory(owner_user=rep, last_name="Hopper")

    # when the admin sets the threshold and the status on the model's form
    login(marketing_admin)
    page.goto(f"/setup/scoring-models/{model.pk}/")
    page.get_by_test_id("mql-settings").get_by_role("link", name="Edit").click()
    page.fill("input[name=mql_threshold]", "50")
    page.select_option("select[name=mql_status]", MQL)
    page.check("input[name=mql_notify_owner]")
    page.click("form[data-cancel-url] button[type=submit]")
    expect(page.get_by_test_id("mql-settings")).to_contain_text("Score 50 or more")
    model = ScoringModel.objects.get(pk=model.pk)
    assert (model.mql_threshold, model.mql_status, model.mql_notify_owner) == (50, MQL, True)

    # and builds an alert rule
    page.goto("/setup/alert-rules/")
    page.get_by_test_id("new-alert-rule").click()
    page.fill("input[name=name]", "Call now")
    page.select_option("select[name=event_type]", "email_open")
    page.fill("input[name=min_events]", "5")
    page.fill("input[name=window_hours]", "24")
    page.get_by_test_id("save-alert-rule").click()
    assert "5 × Email open within 24 hours" in page.get_by_test_id("alert-condition").inner_text()
    assert AlertRule.objects.get().is_active

    # then a visit qualifies the lead, and its Score panel shows the MQL date
    engagement_event_record(event_type="page_view", source="api", lead=lead)
    services.lead_score_recompute(lead_id=lead.pk)
    page.goto(f"/leads/{lead.pk}/")
    assert "qualified" in page.get_by_test_id("score-mql").inner_text()
