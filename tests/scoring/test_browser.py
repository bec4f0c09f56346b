"""In real headless Chromium: a marketing admin builds a scoring model from Setup, and the lead
page shows the lead's score, grade and why."""

import pytest

from scoring.models import LeadScore, ScoringModel
from tests.factories import LeadFactory
from tests.seeding import seed_fields


@pytest.fixture(autouse=True)
def _seeded_lead_fields(transactional_db):
    # Transactional tests flush the database between tests, seeded rows included.
    seed_fields("leads")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_admin_builds_a_model_and_the_lead_page_explains_the_score(page, login, marketing_admin, rep):
    # given a lead in Berlin
    lead = LeadFactory(owner_user=rep, city="Berlin", last_name="Meitner")

    # when the marketing admin builds a model with one fit rule
    login(marketing_admin)
    page.goto("/setup/scoring-models/")
    page.get_by_test_id("new-model").click()
    page.fill("input[name=name]", "Main model")
    page.fill("input[name=fit_weight]", "100")
    page.fill("input[name=behaviour_weight]", "0")
    page.click("form[data-cancel-url] button[type=submit]")
    page.get_by_test_id("new-entry").click()
    page.select_option("select[name=field_1]", "city")
    page.select_option("select[name=operator_1]", "equals")
    page.fill("input[name=value_1]", "Berlin")
    page.fill("input[name=label]", "Based in Berlin")
    page.fill("input[name=points]", "60")
    page.click("text=Save entry")
    assert "Based in Berlin" in page.get_by_test_id("entry-1").inner_text()

    # then the lead was scored again, and its page shows the score, the grade and why
    model = ScoringModel.objects.get(name="Main model")
    assert model.is_default
    assert LeadScore.objects.get(lead=lead, model=model).score == 60
    page.goto(f"/leads/{lead.pk}/")
    panel = page.get_by_test_id("lead-score")
    assert panel.get_by_test_id("score-value").inner_text() == "60"
    assert panel.get_by_test_id("score-grade").inner_text() == "B"
    panel.locator("summary").click()
    assert "Based in Berlin" in panel.inner_text()
