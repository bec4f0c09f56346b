"""Real headless Chromium: a report's chart and table, at desktop and phone width, and a drill-down."""

import re

import pytest

from tests.seeding import seed_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

QUERY = "created_from=2026-11-02&created_to=2026-11-15&by=lead_source"


@pytest.fixture(autouse=True)
def _seeded_picklists(transactional_db):
    # Transactional tests flush the database between tests, seeded rows included.
    seed_fields("leads")


def test_funnel_report_draws_its_chart_and_drills_down_to_the_lead_list(page, login, marketing_admin, known_leads):
    login(marketing_admin)
    page.get_by_role("link", name="Reports").first.click()
    page.wait_for_url("**/reports/")
    page.goto(f"/reports/funnel/?{QUERY}")

    page.wait_for_selector("#report-chart[data-ready='1']")
    assert page.locator("#report-chart").bounding_box()["height"] > 100
    table = page.get_by_test_id("report-table")
    assert "Created → Working %" in table.inner_text()
    website = table.locator("tr", has_text="Website")
    assert website.locator("td").first.inner_text() == "3"

    website.get_by_role("link", name="3").click()
    page.wait_for_url(re.compile(r"/leads/\?"))
    assert "lead_source=Website" in page.url
    listing = page.locator("main").inner_text()
    assert known_leads["L1"].last_name in listing
    assert known_leads["L2"].last_name in listing
    assert known_leads["L5"].last_name not in listing


def test_report_is_readable_at_phone_width(page, login, marketing_admin, known_leads):
    page.set_viewport_size({"width": 390, "height": 844})
    login(marketing_admin)
    page.goto(f"/reports/funnel/?{QUERY}")

    page.wait_for_selector("#report-chart[data-ready='1']")
    assert page.locator("#report-chart").bounding_box()["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.get_by_test_id("report-table").is_visible()


def test_clicking_a_chart_bar_opens_the_leads_behind_it(page, login, marketing_admin, known_leads):
    login(marketing_admin)
    page.goto("/reports/leads-created/?created_from=2026-11-02&created_to=2026-11-15&period=week&group=lead_source")
    page.wait_for_selector("#report-chart[data-ready='1']")

    # The Website bar of the first week: L1 and L2.
    bar = page.evaluate(
        """() => {
          const el = Chart.getChart(document.getElementById('report-chart')).getDatasetMeta(0).data[0];
          return {x: el.x, y: (el.y + el.base) / 2};
        }"""
    )
    box = page.locator("#report-chart").bounding_box()
    page.mouse.click(box["x"] + bar["x"], box["y"] + bar["y"])

    page.wait_for_url(re.compile(r"/leads/\?"))
    assert "lead_source=Website" in page.url
    assert "created_from=2026-11-02" in page.url
    assert "created_to=2026-11-08" in page.url
    listing = page.locator("main").inner_text()
    assert known_leads["L1"].last_name in listing
    assert known_leads["L2"].last_name in listing
