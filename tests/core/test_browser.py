"""Real headless Chromium: a marketing admin sets up a picklist and a custom field, then sees them
on New Lead."""

import pytest
from playwright.sync_api import expect

from core.models import FieldDefinition, PicklistValue
from core.selectors import picklist_default
from tests.seeding import seed_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _seeded_picklists(transactional_db):
    # Transactional tests flush the database between tests, seeded rows included.
    seed_fields("leads")


def _open_setup(page, name: str) -> None:
    menu = page.locator(".app-navbar .nav-item.dropdown", has_text="Setup")
    menu.locator(".dropdown-toggle").click()
    # Icon glyphs are part of an accessible name, so the entry is found by its text.
    menu.locator("a.dropdown-item", has_text=name).click()


def test_marketing_admin_adds_a_lead_source_and_a_custom_picklist_then_sees_them_on_new_lead(
    page, login, marketing_admin
):
    login(marketing_admin)

    # Setup > Picklists > Lead Source: add "Podcast" with the keyboard.
    _open_setup(page, "Picklists")
    page.wait_for_url("**/setup/picklists/")
    page.get_by_role("link", name="Lead Source").first.click()
    page.wait_for_url("**/setup/picklists/lead/lead_source/")
    page.fill("#id_label", "Podcast")
    page.press("#id_label", "Enter")
    page.wait_for_url("**/setup/picklists/lead/lead_source/")
    expect(page.locator("#messages")).to_contain_text("Value “Podcast” added to Lead Source.")
    podcast_row = page.locator('tr[data-value="Podcast"]')
    expect(podcast_row).to_be_visible()

    # Make it the default: htmx swaps the table in place and keeps the focus on the row's button.
    page.get_by_role("button", name="Make Podcast the default").click()
    expect(podcast_row.locator(".badge", has_text="Default")).to_be_visible()
    expect(page.locator("#messages")).to_contain_text("“Podcast” is now the default Lead Source.")
    expect(
        page.locator(
            f"#default-{PicklistValue.objects.get(object_name='lead', field_name='lead_source', api_name='Podcast').pk}"
        )
    ).to_be_focused()
    assert page.url.endswith("/setup/picklists/lead/lead_source/")
    assert picklist_default(object_name="lead", field_name="lead_source") == "Podcast"

    # Setup > Fields & Help Text > New Custom Field: a picklist with help text.
    _open_setup(page, "Fields & Help Text")
    page.get_by_role("link", name="New Custom Field").click()
    page.wait_for_url("**/setup/fields/lead/new/")
    expect(page.locator("#picklist-values-group")).to_be_hidden()
    page.fill("#id_label", "Customer Tier")
    expect(page.locator("#id_api_name")).to_have_value("Customer_Tier__c")
    page.select_option("#id_field_type", "picklist")
    expect(page.locator("#picklist-values-group")).to_be_visible()
    page.fill("#id_picklist_values", "Gold\nSilver\nBronze")
    page.fill("#id_help_text", "How much the customer buys from us each year.")
    page.fill("#id_requested_by", "Head of Sales")
    page.fill("#id_purpose", "Route top-tier leads to senior reps")
    page.get_by_role("button", name="Create field").click()
    page.wait_for_url("**/setup/fields/lead/Customer_Tier__c/")
    expect(page.locator("#messages")).to_contain_text("Custom field “Customer Tier” (Customer_Tier__c) created.")
    expect(page.get_by_test_id("help-text")).to_have_text("How much the customer buys from us each year.")
    expect(page.get_by_text("Head of Sales")).to_be_visible()
    assert FieldDefinition.objects.get(object_name="lead", api_name="Customer_Tier__c").is_custom

    # New Lead shows the field with its help text and starts with the new default Lead Source.
    page.goto("/leads/new/")
    tier = page.locator("select[name=Customer_Tier__c]")
    expect(tier).to_be_visible()
    expect(page.get_by_label("Customer Tier")).to_be_visible()
    expect(page.get_by_text("How much the customer buys from us each year.")).to_be_visible()
    assert tier.locator("option").all_inner_texts()[1:] == ["Gold", "Silver", "Bronze"]
    source_options = page.locator("select[name=lead_source] option").all_inner_texts()
    assert "Podcast" in source_options
    expect(page.locator("select[name=lead_source]")).to_have_value("Podcast")
