"""Real headless Chromium: a marketing admin composes a dashboard from a saved builder report, and
clicking its chart's bar opens the leads behind it."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from dashboards.models import Dashboard
from reports.services import saved_report_create
from tests.dashboards.test_browser import BAR_CENTRE
from tests.factories import LeadFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_admin_composes_a_dashboard_from_a_saved_report_and_clicks_through(page, login, marketing_admin, rep):
    report = saved_report_create(
        data={
            "name": "Leads by source",
            "object_name": "lead",
            "columns": [],
            "groupings": [{"field": "lead_source"}],
            "chart_type": "bar",
            "new_folder": "Marketing",
        },
        acting_user=marketing_admin,
    )
    dashboard = Dashboard.objects.create(name="Composed", role="")
    LeadFactory(owner_user=rep, lead_source="Website", last_name="Webster")
    LeadFactory(owner_user=rep, lead_source="Phone Inquiry", last_name="Caller")
    login(marketing_admin)

    page.goto(reverse("dashboards:edit_components", args=[dashboard.pk]))
    page.get_by_label("Title").fill("Sources")
    page.get_by_label("Report").select_option(f"saved:{report.pk}")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("component-list")).to_contain_text("Saved report: Leads by source")

    page.goto(reverse("dashboards:detail", args=[dashboard.pk]))
    component = dashboard.components.get()
    page.wait_for_selector(f"#chart-{component.pk}[data-ready='1']")
    bar = page.evaluate(BAR_CENTRE, f"chart-{component.pk}")
    box = page.locator(f"#chart-{component.pk}").bounding_box()
    page.mouse.click(box["x"] + bar["x"], box["y"] + bar["y"])

    page.wait_for_url(re.compile(r"/leads/\?"))
    # Groups come in order of their value: the first bar is Phone Inquiry.
    assert "lead_source=Phone+Inquiry" in page.url
    listing = page.locator("main").inner_text()
    assert "Caller" in listing
    assert "Webster" not in listing
