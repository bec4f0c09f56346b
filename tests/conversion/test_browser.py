"""Converting leads in a real headless Chromium, then checking the accounts' related lists."""

import re

import pytest
from playwright.sync_api import expect

from sales import services as sales_services
from tests.factories import LeadFactory
from tests.seeding import seed_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _seeded_metadata(transactional_db):
    # Transactional tests flush the database between tests, seeded fields and picklists included.
    seed_fields("leads", "sales")


def test_convert_a_lead_with_a_product_then_another_into_an_existing_account(page, login, rep, product):
    # given two leads: one of a new company, one whose email domain matches an existing account
    first = LeadFactory(
        owner_user=rep, first_name="Ann", last_name="Archer", company="Acme Corp", email="ann@acme-corp.example"
    )
    second = LeadFactory(
        owner_user=rep, first_name="Bob", last_name="Baker", company="Globex Inc", email="bob@globex.example"
    )
    globex = sales_services.account_create(
        data={"name": "Globex", "website": "https://www.globex.example"}, acting_user=rep, owner=rep
    )
    sales_services.contact_create(data={"first_name": "Carla", "last_name": "Cole"}, account=globex, acting_user=rep)
    login(rep)

    # when the first lead is converted into a new account, contact and opportunity with a product
    page.goto(f"/leads/{first.pk}/")
    page.get_by_test_id("convert-lead").click()
    expect(page.locator("#account-new")).to_be_checked()
    page.select_option("#id_products-0-product", str(product.pk))
    page.fill("#id_products-0-quantity", "3")
    page.get_by_test_id("preview-button").click()
    preview = page.get_by_test_id("convert-preview")
    expect(preview).to_contain_text("Account — new")
    expect(preview).to_contain_text("Widget Pro")
    page.get_by_test_id("convert-button").click()
    page.wait_for_url(re.compile(rf"/leads/{first.pk}/converted/$"))
    expect(page.locator("#messages")).to_contain_text("was converted")
    expect(page.get_by_test_id("converted-opportunity")).to_have_text("Acme Corp-")
    page.get_by_test_id("converted-account").click()
    expect(page.get_by_test_id("related-contacts")).to_contain_text("Ann Archer")
    expect(page.get_by_test_id("related-opportunities")).to_contain_text("Acme Corp-")
    expect(page.get_by_test_id("related-opportunities")).to_contain_text("300.00")

    # and the second lead joins the suggested existing account without an opportunity
    page.goto(f"/leads/{second.pk}/convert/")
    page.check(f"#account-{globex.pk}")
    expect(page.get_by_test_id("no-contact-matches")).to_be_visible()
    page.check("#id_no_opportunity")
    expect(page.locator("#id_opportunity_name")).to_be_disabled()
    page.get_by_test_id("convert-button").click()
    page.wait_for_url(re.compile(rf"/leads/{second.pk}/converted/$"))
    expect(page.get_by_test_id("conversion-result")).to_contain_text("None created")

    # then the existing account lists both its contacts and still no opportunity
    page.get_by_test_id("converted-account").click()
    expect(page.get_by_test_id("related-contacts")).to_contain_text("Bob Baker")
    expect(page.get_by_test_id("related-contacts")).to_contain_text("Carla Cole")
    expect(page.get_by_test_id("related-opportunities")).to_contain_text("No opportunities")
    # and neither lead is in the lead list any more
    page.goto("/leads/?view=all")
    expect(page.locator("main")).not_to_contain_text("Archer")
    expect(page.locator("main")).not_to_contain_text("Baker")
