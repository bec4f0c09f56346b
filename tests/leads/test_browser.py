"""Real headless Chromium against the live server: the lead record page and the list view."""

import re

import pytest

from core.models import FieldHistory
from leads.models import Lead
from tests.factories import LeadFactory
from tests.seeding import seed_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _seeded_picklists(transactional_db):
    # Transactional tests flush the database between tests, seeded rows included.
    seed_fields("leads")


def test_rep_creates_a_lead_fixes_an_error_and_edits_a_field_inline(page, login, rep):
    login(rep)
    page.goto("/leads/")
    page.get_by_role("link", name="New Lead").click()
    page.wait_for_url("**/leads/new/")

    # Company left empty: the page stays in edit mode with the error beside the field.
    page.fill("#id_first_name", "Ada")
    page.fill("#id_last_name", "Lovelace")
    page.fill("#id_email", "ada@engines.example")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    assert page.url.endswith("/leads/new/")
    company_error = page.locator("#div_id_company .invalid-feedback, #error_1_id_company")
    assert "This field is required." in company_error.first.inner_text()
    assert page.input_value("#id_last_name") == "Lovelace"

    page.fill("#id_company", "Analytical Engines")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(re.compile(r"/leads/\d+/$"))
    lead = Lead.objects.get()
    assert "was created" in page.locator("#messages").inner_text()
    assert page.get_by_test_id("record-name").inner_text() == "Ada Lovelace"
    assert lead.owner_user == rep

    # Inline edit of Title through the pencil, saved with Enter.
    page.hover("#field-title")
    page.get_by_role("link", name="Edit Title").click()
    page.wait_for_selector("form#field-title input[name=title]")
    page.fill("form#field-title input[name=title]", "Countess")
    page.press("form#field-title input[name=title]", "Enter")
    page.wait_for_selector("div#field-title")
    assert page.get_by_test_id("value-title").inner_text() == "Countess"

    history = page.locator("#lead-history")
    history.get_by_text("Countess").wait_for()
    assert "Title" in history.inner_text()
    assert FieldHistory.objects.filter(record_id=lead.pk, field_name="title", new_value="Countess").exists()


def test_inline_edit_escape_restores_the_saved_value(page, login, rep):
    lead = LeadFactory(owner_user=rep, title="Engineer")
    login(rep)
    page.goto(f"/leads/{lead.pk}/")

    page.hover("#field-title")
    page.get_by_role("link", name="Edit Title").click()
    page.fill("form#field-title input[name=title]", "Changed my mind")
    page.press("form#field-title input[name=title]", "Escape")
    page.wait_for_selector("div#field-title")

    assert page.get_by_test_id("value-title").inner_text() == "Engineer"
    assert Lead.objects.get(pk=lead.pk).title == "Engineer"


def test_list_view_search_sort_and_mass_change_status(page, login, rep, other_rep):
    LeadFactory(owner_user=rep, last_name="Hopper", company="Navy", status="New")
    LeadFactory(owner_user=rep, last_name="Lovelace", company="Engines", status="New")
    LeadFactory(owner_user=rep, last_name="Turing", company="Bletchley", status="New")
    LeadFactory(owner_user=other_rep, last_name="Private", company="Elsewhere", status="New")
    login(rep)
    page.goto("/leads/?view=my")

    # Search
    page.get_by_label("Search leads").fill("hop")
    page.get_by_label("Search leads").press("Enter")
    page.wait_for_url(re.compile(r"q=hop"))
    rows = page.locator("table.list-view-table tbody tr")
    assert rows.count() == 1
    assert "Hopper" in rows.first.inner_text()

    # Sort by company, then the other way round
    page.get_by_role("link", name="Clear search and filters").first.click()
    page.get_by_role("columnheader", name="Company").get_by_role("link").click()
    page.wait_for_url(re.compile(r"ordering=company"))
    assert _column(page, 2) == ["Bletchley", "Engines", "Navy"]
    page.get_by_role("columnheader", name="Company").get_by_role("link").click()
    page.wait_for_url(re.compile(r"ordering=-company"))
    assert _column(page, 2) == ["Navy", "Engines", "Bletchley"]
    assert "Private" not in page.locator("table.list-view-table").inner_text()

    # Mass change status of two leads
    boxes = page.locator("input.lead-select")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_test_id("mass-change_status").click()
    page.locator("#mass-status").select_option("Working")
    with page.expect_navigation():
        page.locator("#mass-change_status").get_by_role("button", name="Change Status").click()
    assert "Changed the status of 2 leads." in page.locator("#messages").inner_text()
    assert sorted(Lead.objects.filter(status="Working").values_list("last_name", flat=True)) == [
        "Hopper",
        "Lovelace",
    ]
    assert "ordering=-company" in page.url


def _column(page, index: int) -> list[str]:
    cells = page.locator(f"table.list-view-table tbody tr td:nth-child({index + 1})")
    return [c.strip() for c in cells.all_inner_texts()]


def test_rep_deletes_a_lead_and_restores_it_from_the_recycle_bin(page, login, rep):
    lead = LeadFactory(owner_user=rep, first_name="Grace", last_name="Hopper", company="Navy")
    login(rep)

    page.goto(f"/leads/{lead.pk}/")
    page.get_by_test_id("delete-lead").click()
    page.wait_for_url(f"**/leads/{lead.pk}/delete/")
    page.get_by_test_id("confirm-delete").click()
    page.wait_for_url("**/leads/")
    assert "was moved to the Recycle Bin" in page.locator("#messages").inner_text()
    assert not Lead.objects.filter(pk=lead.pk).exists()

    page.get_by_test_id("recycle-bin-link").click()
    page.wait_for_url("**/recycle-bin/?object=lead")
    row = page.get_by_test_id(f"bin-row-lead-{lead.pk}")
    assert "Navy" in row.inner_text()
    row.get_by_role("button", name="Restore").click()
    page.wait_for_url(f"**/leads/{lead.pk}/")

    assert "was restored" in page.locator("#messages").inner_text()
    assert page.get_by_test_id("record-name").inner_text() == "Grace Hopper"
    history = page.locator("#lead-history").inner_text()
    assert "Restored" in history
    assert "Deleted" in history


def test_enter_saves_the_lead_form_and_the_header_follows_an_inline_edit(page, login, rep):
    login(rep)

    # Enter in a field of a new lead saves it (it does not open another new lead form).
    page.goto("/leads/new/")
    page.fill("#id_last_name", "Lovelace")
    page.fill("#id_company", "Engines")
    with page.expect_navigation():
        page.press("#id_company", "Enter")
    assert re.search(r"/leads/\d+/$", page.url)
    lead = Lead.objects.get(last_name="Lovelace")

    # Enter in a field of the edit form saves too.
    page.goto(f"/leads/{lead.pk}/edit/")
    page.fill("#id_title", "Countess")
    with page.expect_navigation():
        page.press("#id_title", "Enter")
    assert page.url.endswith(f"/leads/{lead.pk}/")
    assert Lead.objects.get(pk=lead.pk).title == "Countess"

    # An inline edit of the company shows in the header and the highlights without a reload.
    page.hover("#field-company")
    page.get_by_role("link", name="Edit Company").click()
    page.fill("form#field-company input[name=company]", "Difference Engines")
    page.press("form#field-company input[name=company]", "Enter")
    page.wait_for_selector("div#field-company")
    page.get_by_test_id("record-subtitle").get_by_text("Countess · Difference Engines").wait_for()
    assert "Difference Engines" in page.locator("#lead-highlights").inner_text()


def test_mass_change_skips_a_lead_someone_changed_after_the_list_was_opened(page, login, rep, other_rep):
    from leads.services import lead_update

    LeadFactory(owner_user=rep, last_name="Hopper", company="Navy", status="New")
    changed = LeadFactory(owner_user=rep, last_name="Lovelace", company="Engines", status="New")
    login(rep)
    page.goto("/leads/?view=my&ordering=last_name")

    # While the list is open, the lead's owner changes its status in another tab.
    lead_update(lead=changed, data={"status": "Nurturing"}, acting_user=rep)
    boxes = page.locator("input.lead-select")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_test_id("mass-change_status").click()
    page.locator("#mass-status").select_option("Working")
    with page.expect_navigation():
        page.locator("#mass-change_status").get_by_role("button", name="Change Status").click()

    messages = page.locator("#messages").inner_text()
    assert "Changed the status of 1 lead." in messages
    assert "someone else changed it after you opened the list" in messages
    assert dict(Lead.objects.values_list("last_name", "status")) == {"Hopper": "Working", "Lovelace": "Nurturing"}


def test_the_converted_step_of_the_path_opens_the_convert_page(page, login, rep):
    lead = LeadFactory(owner_user=rep, status="Working")
    login(rep)
    page.goto(f"/leads/{lead.pk}/")

    # The converted status is one of the choices of the path's closing step.
    page.get_by_test_id("path-closed").click()
    with page.expect_navigation():
        page.get_by_test_id("path-convert").click()

    assert page.url.endswith(f"/leads/{lead.pk}/convert/")
    assert Lead.objects.get(pk=lead.pk).status == "Working"
