"""Real headless Chromium against the live server: a marketing admin creates a campaign, adds a
lead to it from the lead page and from the lead list, and sees them on the campaign page."""

import re

import pytest
from playwright.sync_api import expect

from campaigns.models import Campaign, CampaignMember
from tests.factories import LeadFactory
from tests.seeding import seed_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _seeded_metadata(transactional_db):
    # Transactional tests flush the database between tests, seeded rows included.
    seed_fields("leads", "sales", "campaigns")


def test_admin_creates_a_campaign_and_adds_leads_from_the_lead_page_and_the_list(page, login, marketing_admin):
    first = LeadFactory(owner_user=marketing_admin, first_name="Ada", last_name="Lovelace", company="Engines Ltd")
    second = LeadFactory(owner_user=marketing_admin, first_name="Alan", last_name="Turing", company="Bletchley Co")
    login(marketing_admin)

    # The campaign, from the Campaigns menu entry.
    page.goto("/campaigns/")
    expect(page.get_by_text("No campaigns yet.")).to_be_visible()
    page.get_by_test_id("new-campaign").click()
    page.wait_for_url("**/campaigns/new/")
    page.fill("#id_name", "Autumn Webinar")
    page.select_option("#id_type", "Webinar")
    page.fill("#id_start_date", "2026-10-01")
    page.fill("#id_end_date", "2026-09-01")
    page.get_by_test_id("save-campaign").click()
    expect(page.locator("#div_id_end_date")).to_contain_text("The end date cannot be before the start date.")
    page.fill("#id_end_date", "2026-10-31")
    page.fill("#id_actual_cost", "400")
    page.get_by_test_id("save-campaign").click()
    page.wait_for_url(re.compile(r".*/campaigns/\d+/$"))
    campaign = Campaign.objects.get(name="Autumn Webinar")
    expect(page.get_by_test_id("record-name")).to_have_text("Autumn Webinar")
    expect(page.get_by_test_id("related-members")).to_contain_text("No members yet.")

    # From the lead page's Campaign History.
    page.goto(f"/leads/{first.pk}/")
    history = page.get_by_test_id("campaign-history")
    expect(history).to_contain_text("This lead is in no campaign yet.")
    history.get_by_test_id("add-campaign-select").select_option(str(campaign.pk))
    history.get_by_test_id("add-to-campaign").click()
    expect(page.get_by_test_id("campaign-history").get_by_role("link", name="Autumn Webinar")).to_be_visible()

    # From a lead list selection.
    page.goto("/leads/")
    page.locator(f"input.lead-select[value='{second.pk}']").check()
    page.get_by_test_id("mass-add-to-campaign").click()
    page.wait_for_url("**/campaigns/add-leads/")
    page.select_option("#id_campaign", str(campaign.pk))
    page.fill("#id_status", "Responded")
    page.get_by_test_id("add-to-campaign-submit").click()
    page.wait_for_url("**/leads/**")

    # Both on the campaign page, with the results.
    page.goto(f"/campaigns/{campaign.pk}/")
    members = page.get_by_test_id("related-members")
    expect(members.get_by_role("link", name="Ada Lovelace")).to_be_visible()
    expect(members.get_by_role("link", name="Alan Turing")).to_be_visible()
    expect(page.get_by_test_id("stat-leads")).to_have_text("2")
    expect(page.get_by_test_id("stat-responses")).to_have_text("1")
    assert CampaignMember.objects.filter(campaign=campaign).count() == 2
