"""Real headless Chromium: an admin saves a list view with chosen columns and sort, shares it with
the sales reps' role and exports it; a rep finds it in the view picker."""

import csv
import io
import re
from pathlib import Path

import pytest

from leads.listviews.models import ListView
from tests.factories import LeadFactory
from tests.seeding import seed_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _seeded_picklists(transactional_db):
    # Transactional tests flush the database between tests, seeded rows included.
    seed_fields("leads")


def _headers(page) -> list[str]:
    return [h.strip() for h in page.locator("table.list-view-table thead th").all_inner_texts()][1:]


def test_admin_saves_shares_and_exports_a_list_view_that_a_rep_then_picks(
    browser, live_server, page, login, marketing_admin, rep
):
    LeadFactory(owner_user=rep, last_name="Hopper", company="Navy", status="Working")
    LeadFactory(owner_user=rep, last_name="Turing", company="Bletchley", status="Working")
    LeadFactory(owner_user=rep, last_name="Lovelace", company="Engines", status="New")
    login(marketing_admin)
    page.goto("/leads/?view=all&status=Working")

    page.get_by_test_id("list-view-save").click()
    dialog = page.locator("#list-view-save-modal")
    dialog.get_by_label("List view name").fill("Working by company")
    # Columns: Company before Name, no Email.
    dialog.get_by_role("button", name="Move Company up").click()
    dialog.get_by_label("Email", exact=True).uncheck()
    dialog.get_by_label("Sort by").select_option("company")
    dialog.get_by_label("Direction").select_option("desc")
    dialog.locator("select[name=sharing]").select_option("role")
    dialog.get_by_label("Role (when shared with a role)").select_option(label="Sales rep")
    with page.expect_navigation():
        dialog.get_by_role("button", name="Save", exact=True).click()

    assert "saved" in page.locator("#messages").inner_text()
    view = ListView.objects.get()
    assert page.url.endswith(f"?list_view={view.pk}")
    assert (view.sharing, view.shared_role.name, view.ordering) == ("role", "Sales rep", "-company")
    assert view.columns[:2] == ["company", "name"]
    assert "email" not in view.columns
    assert _headers(page)[:2] == ["Company", "Name"]
    assert "2 leads" in page.get_by_test_id("list-count").inner_text()

    # The export downloads the view's rows, columns and sort as CSV.
    with page.expect_download() as download_info:
        page.get_by_test_id("list-export").click()
    body = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:2] == ["Company", "Name"]
    assert [r[0] for r in rows[1:]] == ["Navy", "Bletchley"]

    # A sales rep sees it under Shared in the picker and opens it.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15000)
    rep_page = context.new_page()
    rep_page.goto("/login/")
    rep_page.fill("input[name=username]", rep.username)
    rep_page.fill("input[name=password]", "demo-pass-123")
    rep_page.click("button[type=submit]")
    rep_page.wait_for_url(lambda url: "/login" not in url)
    rep_page.goto("/leads/?view=my")
    rep_page.get_by_test_id("list-view-switcher").click()
    picker = rep_page.get_by_test_id("list-view-picker")
    assert "Shared list views" in picker.inner_text()
    picker.get_by_role("link", name=re.compile("Working by company")).click()
    rep_page.wait_for_url(re.compile(rf"list_view={view.pk}"))
    cells = rep_page.locator("table.list-view-table tbody tr td:nth-child(2)").all_inner_texts()
    assert [c.strip() for c in cells] == ["Navy", "Bletchley"]
    assert rep_page.get_by_test_id("list-view-edit").count() == 0
    context.close()
