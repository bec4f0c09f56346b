"""In real headless Chromium: a rep adds the Score and Grade columns to the lead list, sorts it by
score, opens the top lead and sees its score history drawn as a sparkline."""

from datetime import timedelta

import pytest
from django.utils import timezone

from engagement.services import engagement_event_record
from scoring import services
from tests.factories import LeadFactory
from tests.seeding import seed_fields


@pytest.fixture(autouse=True)
def _seeded_lead_fields(transactional_db):
    # Transactional tests flush the database between tests, seeded rows included.
    seed_fields("leads")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rep_sorts_the_lead_list_by_score_and_sees_the_sparkline(page, login, marketing_admin, rep):
    # given a behaviour model and three leads, the hottest one scored three times as it engaged
    model = services.scoring_model_create(
        data={"name": "Behaviour", "fit_weight": 0, "behaviour_weight": 100, "decay_half_life_days": 0},
        acting_user=marketing_admin,
    )
    services.behaviour_rule_create(
        model=model, data={"event_type": "page_view", "points": 20}, acting_user=marketing_admin
    )
    visits = {"Curie": 1, "Noether": 3, "Hopper": 0}
    leads = {name: LeadFactory(owner_user=rep, last_name=name) for name in visits}
    for name, count in visits.items():
        services.lead_score_recompute(lead_id=leads[name].pk)
        for i in range(count):
            engagement_event_record(
                event_type="page_view",
                source="api",
                lead=leads[name],
                url="https://example.com/pricing",
                occurred_at=timezone.now() - timedelta(minutes=10 - i),
            )
            services.lead_score_recompute(lead_id=leads[name].pk)

    # when the rep adds the Score and Grade columns and sorts by score, highest first
    login(rep)
    page.goto("/leads/?view=my")
    page.get_by_role("button", name="Choose Columns").click()
    for label in ("Score", "Grade", "Last Activity"):
        page.locator("#columns-modal").get_by_label(label, exact=True).check()
    page.locator("#columns-modal button[type=submit]").click()
    page.get_by_role("link", name="Score", exact=True).click()  # lowest first
    page.get_by_role("link", name="Score").first.click()  # highest first

    # then the leads come by score, highest first, with their scores in the column
    assert "ordering=-score" in page.url
    rows = page.locator("table.list-view-table tbody tr")
    names = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(3)]
    assert [n.split()[-1] for n in names] == ["Noether", "Curie", "Hopper"]
    assert "60" in rows.nth(0).inner_text()

    # and the top lead's page draws its score history (0, 20, 40, 60) as a sparkline
    rows.nth(0).locator("td").nth(1).locator("a").click()
    sparkline = page.get_by_test_id("score-sparkline")
    assert sparkline.locator("svg polyline").count() == 1
    points = sparkline.locator("svg polyline").get_attribute("points").split()
    assert len(points) == 4
    assert "from 0 to 60" in sparkline.locator("svg title").text_content()
