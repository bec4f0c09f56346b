"""Real headless Chromium: the header's search box, focused with "/"."""

import pytest

from tests.factories import LeadFactory
from tests.seeding import seed_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _seeded_picklists(transactional_db):
    seed_fields("leads")


def test_rep_searches_from_the_header_with_the_slash_key(page, login, rep):
    lead = LeadFactory(owner_user=rep, first_name="Zoë", last_name="Ångström", company="Crème SA")
    login(rep)
    page.goto("/leads/")

    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "global-search"
    page.keyboard.type("zoe ang")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    group = page.get_by_test_id("search-group-lead")
    assert "Zoë Ångström" in group.inner_text()
    group.get_by_role("link", name="Zoë Ångström").click()
    page.wait_for_url(f"**/leads/{lead.pk}/")


def test_searching_for_nothing_known_says_so(page, login, rep):
    login(rep)
    page.goto("/search/?q=zzyzx")

    assert "No results for “zzyzx”." in page.get_by_test_id("search-empty").inner_text()
