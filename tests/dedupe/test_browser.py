"""Real headless Chromium: the new-lead page and the lead page's inline edit show a possible
duplicate before saving, and two leads are merged side by side from the lead page's Possible
Duplicates list."""

import pytest

from leads.models import Lead
from tests.seeding import seed_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _seeded_picklists(transactional_db):
    # Transactional tests flush the database between tests, seeded rows included.
    seed_fields("leads")


def test_the_new_lead_page_shows_a_possible_duplicate_before_saving(page, login, rep, duplicate_rule, make_lead):
    duplicate_rule(action_page="alert")
    existing = make_lead(first_name="Ada", last_name="Lovelace", email="ada@engines.example", owner_user=rep)
    login(rep)
    page.goto("/leads/new/")
    page.fill("#id_first_name", "Ada")
    page.fill("#id_last_name", "Lovelace")
    page.fill("#id_company", "Analytical Engines")
    page.fill("#id_email", "ADA+web@engines.example")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    panel = page.get_by_test_id("possible-duplicates")
    assert "looks like existing records" in panel.inner_text()
    assert panel.get_by_role("link", name="Ada Lovelace").get_attribute("href") == f"/leads/{existing.pk}/"
    assert Lead.objects.count() == 1
    with page.expect_navigation():
        page.get_by_test_id("save-anyway").click()
    assert Lead.objects.count() == 2


def test_an_inline_edit_shows_the_possible_duplicate_and_saves_when_confirmed(
    page, login, rep, duplicate_rule, make_lead
):
    duplicate_rule(action_page="alert")
    existing = make_lead(first_name="Ada", last_name="Lovelace", email="ada@engines.example", owner_user=rep)
    lead = make_lead(first_name="Bob", last_name="Babbage", email="bob@engines.example", owner_user=rep)
    login(rep)
    page.goto(f"/leads/{lead.pk}/")

    page.hover("#field-email")
    page.get_by_role("link", name="Edit Email").click()
    page.fill("form#field-email input[name=email]", "ADA+web@engines.example")
    page.locator("form#field-email").get_by_role("button", name="Save", exact=True).click()

    panel = page.locator("form#field-email").get_by_test_id("possible-duplicates")
    panel.wait_for()
    assert "looks like existing records" in panel.inner_text()
    assert panel.get_by_role("link", name="Ada Lovelace").get_attribute("href") == f"/leads/{existing.pk}/"
    assert Lead.objects.get(pk=lead.pk).email == "bob@engines.example"

    panel.get_by_test_id("save-anyway").click()
    page.wait_for_selector("div#field-email")
    assert page.get_by_test_id("value-email").inner_text() == "ADA+web@engines.example"
    assert Lead.objects.get(pk=lead.pk).email == "ADA+web@engines.example"


def test_two_leads_are_merged_side_by_side_and_the_merge_undone(page, login, rep, email_rule, make_lead):
    master = make_lead(first_name="Ada", last_name="Lovelace", email="ada@engines.example", title="", owner_user=rep)
    other = make_lead(
        first_name="Ada", last_name="Lovelace", email="ada+2@engines.example", title="Countess", owner_user=rep
    )
    login(rep)
    page.goto(f"/leads/{master.pk}/")
    duplicates = page.get_by_test_id("lead-duplicates")
    duplicates.get_by_role("checkbox").check()
    with page.expect_navigation():
        duplicates.get_by_test_id("merge-duplicates").click()
    assert "/duplicates/merge/" in page.url
    page.get_by_test_id(f"master-{master.pk}").check()
    page.get_by_test_id(f"field-title-{other.pk}").check()
    with page.expect_navigation():
        page.get_by_test_id("merge-submit").click()
    assert page.url.split("?")[0].endswith(f"/leads/{master.pk}/")
    master.refresh_from_db()
    assert master.title == "Countess"
    assert not Lead.objects.filter(pk=other.pk).exists()
    with page.expect_navigation():
        page.get_by_test_id("undo-merge").click()
    assert Lead.objects.filter(pk=other.pk).exists()
    master.refresh_from_db()
    assert master.title == ""
