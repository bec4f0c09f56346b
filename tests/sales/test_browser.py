"""Real headless Chromium against the live server: an account, a contact under it and an
opportunity with a product and a contact role, checked through the related lists."""

import re

import pytest
from playwright.sync_api import expect

from sales.models import Account, Contact, Opportunity
from tests.factories import ProductFactory
from tests.seeding import seed_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _seeded_metadata(transactional_db):
    # Transactional tests flush the database between tests, seeded rows included.
    seed_fields("sales")


def test_rep_builds_an_account_with_contact_and_opportunity(page, login, rep):
    ProductFactory(name="Arc Reactor", product_code="ARC-1", list_price=250)
    login(rep)

    # The account.
    page.goto("/accounts/")
    page.get_by_role("link", name="New Account").first.click()
    page.wait_for_url("**/accounts/new/")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    assert "This field is required." in page.locator("#div_id_name").inner_text()
    page.fill("#id_name", "Stark Industries")
    page.fill("#id_website", "https://www.stark.example")
    page.select_option("#id_industry", "Manufacturing")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/accounts/*/")
    account = Account.objects.get(name="Stark Industries")
    assert page.get_by_test_id("record-name").inner_text() == "Stark Industries"
    assert "was created" in page.locator("#messages").inner_text()
    assert "No contacts at this account yet." in page.get_by_test_id("related-contacts").inner_text()

    # A contact under it, from the account's related list.
    page.get_by_test_id("related-contacts").get_by_role("link", name="New Contact").click()
    page.wait_for_url("**/contacts/new/?account=*")
    assert page.input_value("#id_account") == str(account.pk)
    page.fill("#id_first_name", "Pepper")
    page.fill("#id_last_name", "Potts")
    page.fill("#id_email", "pepper@stark.example")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/contacts/*/")
    contact = Contact.objects.get(last_name="Potts")
    assert contact.account == account

    # An opportunity, from the account page.
    page.goto(f"/accounts/{account.pk}/")
    page.get_by_test_id("related-opportunities").get_by_role("link", name="New Opportunity").click()
    page.wait_for_url("**/opportunities/new/?account=*")
    page.fill("#id_name", "Stark - Reactors")
    page.fill("#id_close_date", "2030-05-01")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/opportunities/*/")
    opportunity = Opportunity.objects.get(name="Stark - Reactors")
    assert (opportunity.stage, opportunity.probability) == ("Prospecting", 10)
    assert "path-step current" in page.get_by_test_id("stage-path").inner_html()

    # A product: the amount becomes the products' total.
    page.get_by_role("button", name="Add Product").click()
    form = page.get_by_test_id("add-product-form")
    expect(form).to_be_visible()  # the panel has opened
    expect(page.locator("#add-product")).not_to_have_class(re.compile(r"\bcollapsing\b"))
    form.locator("select[name=product]").select_option(label="Arc Reactor")
    form.locator("input[name=quantity]").fill("2")
    with page.expect_navigation(url=re.compile(rf"/opportunities/{opportunity.pk}/(#.*)?$")):
        form.get_by_role("button", name="Add").click()
    products = page.get_by_test_id("related-products")
    assert "Arc Reactor" in products.locator("tbody").inner_text()
    assert page.get_by_test_id("products-total").inner_text() == "500.00"
    assert "500.00" in page.get_by_test_id("highlights").inner_text()

    # A contact role.
    page.get_by_role("button", name="Add Contact Role").click()
    role_form = page.get_by_test_id("add-role-form")
    expect(role_form).to_be_visible()
    expect(page.locator("#add-role")).not_to_have_class(re.compile(r"\bcollapsing\b"))
    role_form.locator("select[name=contact]").select_option(label="Pepper Potts")
    role_form.locator("select[name=role]").select_option("Decision Maker")
    with page.expect_navigation(url=re.compile(rf"/opportunities/{opportunity.pk}/(#.*)?$")):
        role_form.get_by_role("button", name="Add").click()
    assert "Pepper Potts" in page.get_by_test_id("related-contact-roles").locator("tbody").inner_text()

    # Related lists on the account and the contact.
    page.goto(f"/accounts/{account.pk}/")
    assert "Pepper Potts" in page.get_by_test_id("related-contacts").inner_text()
    assert "Stark - Reactors" in page.get_by_test_id("related-opportunities").inner_text()
    page.get_by_test_id("related-contacts").get_by_role("link", name="Pepper Potts").click()
    page.wait_for_url(f"**/contacts/{contact.pk}/")
    related = page.get_by_test_id("related-opportunities").inner_text()
    assert "Stark - Reactors" in related
    assert "Decision Maker" in related
    assert "Created" in page.get_by_test_id("history").inner_text()


def test_inline_edit_on_the_record_page_with_escape_and_enter(page, login, rep, other_rep):
    from tests.factories import AccountFactory

    mine = AccountFactory(owner=rep, name="Wayne Enterprises", phone="1")
    theirs = AccountFactory(owner=other_rep, name="Oscorp")
    login(rep)

    page.goto(f"/accounts/{mine.pk}/")
    page.hover("#field-phone")
    page.click("#field-phone .inline-edit-btn")
    page.wait_for_selector("form#field-phone input[name=phone]")
    page.keyboard.press("Escape")
    page.wait_for_selector("div#field-phone")
    page.hover("#field-phone")
    page.click("#field-phone .inline-edit-btn")
    page.fill("form#field-phone input[name=phone]", "+1 555 0142")
    page.keyboard.press("Enter")
    page.wait_for_selector("#messages .alert-success")
    assert page.get_by_test_id("value-phone").inner_text() == "+1 555 0142"
    assert "+1 555 0142" in page.get_by_test_id("history").inner_text()

    # Another rep's account is read-only: no pencils, no Edit button.
    page.goto(f"/accounts/{theirs.pk}/")
    assert page.locator(".inline-edit-btn").count() == 0
    assert page.get_by_role("link", name="Edit").count() == 0


def test_rep_deletes_an_opportunity_and_restores_it_from_the_recycle_bin(page, login, rep):
    from tests.factories import AccountFactory, OpportunityFactory

    account = AccountFactory(owner=rep, name="Wayne Enterprises")
    opportunity = OpportunityFactory(account=account, owner=rep, name="Wayne - Armour")
    login(rep)

    page.goto(f"/opportunities/{opportunity.pk}/")
    page.get_by_test_id("delete-record").click()
    page.get_by_test_id("confirm-delete").click()
    page.wait_for_url("**/opportunities/")
    assert "was moved to the Recycle Bin" in page.locator("#messages").inner_text()
    assert not Opportunity.objects.filter(pk=opportunity.pk).exists()

    page.get_by_test_id("nav-more").click()
    page.get_by_role("link", name="Recycle Bin").first.click()
    page.wait_for_url("**/recycle-bin/")
    row = page.get_by_test_id(f"bin-row-opportunity-{opportunity.pk}")
    assert "Wayne Enterprises" in row.inner_text()
    row.get_by_role("button", name="Restore").click()
    page.wait_for_url(f"**/opportunities/{opportunity.pk}/")

    assert "was restored" in page.locator("#messages").inner_text()
    assert page.get_by_test_id("record-name").inner_text() == "Wayne - Armour"
    assert "Restored" in page.get_by_test_id("history").inner_text()
