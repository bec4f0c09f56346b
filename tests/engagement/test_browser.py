"""A visitor browses pages of the company's website carrying the tracking script and the generated
form, submits the form, and the new lead's Engagement timeline shows the visits before it."""

import pytest

from engagement.models import EngagementEvent
from leads.models import Lead
from tests.waiting import wait_until
from webtolead.models import WebToLeadSettings


@pytest.mark.browser
@pytest.mark.urls("tests.engagement.browser_urls")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_visitors_page_views_show_on_the_lead_it_becomes(page, login, web_form, marketing_admin):
    WebToLeadSettings.objects.update(min_fill_seconds=1)

    # a visitor reads two pages; the script records each page view under its visitor id
    page.goto("/site/pricing/")
    assert wait_until(lambda: EngagementEvent.objects.filter(event_type="page_view").count() == 1, timeout=15)
    page.goto("/site/contact/?utm_source=newsletter")
    assert wait_until(lambda: EngagementEvent.objects.filter(event_type="page_view").count() == 2, timeout=15)
    visitor = page.evaluate("window.localStorage.getItem('lcrm_vid')")
    assert EngagementEvent.objects.filter(visitor_id=visitor, lead__isnull=True).count() == 2
    assert page.input_value("input[name=lcrm_vid]") == visitor

    # and submits the form on the second page
    page.fill("#first_name", "Vera")
    page.fill("#last_name", "Visitor")
    page.fill("#email", "vera@visitor.example")
    page.fill("#company", "Visiting Co")
    page.wait_for_timeout(1200)  # slower than the minimum fill time, as a person is
    page.locator("input[type=submit]").click()
    page.locator("text=Thank you").wait_for()

    # the lead's timeline shows the two visits and the submission
    lead = Lead.objects.get(last_name="Visitor")
    login(marketing_admin)
    page.goto(f"/leads/{lead.pk}/")
    timeline = page.locator("[data-testid=engagement-timeline]")
    timeline.wait_for()
    assert timeline.locator("[data-event-type=page_view]").count() == 2
    assert timeline.locator("[data-event-type=form_submit]").count() == 1
    assert "Acme contact" in timeline.inner_text()
    assert EngagementEvent.objects.get(title="Acme contact").properties["utm_source"] == "newsletter"
