"""In a real browser: an admin translates a lead status into Spanish on the Translations setup
page, and a rep whose language is Spanish sees it on the lead page."""

import pytest

from core.preferences import user_profile_update
from tests.factories import LeadFactory
from tests.seeding import seed_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _seeded_picklists(transactional_db):
    # Transactional tests flush the database between tests, seeded rows included.
    seed_fields("leads")


def test_an_admin_translates_a_status_and_a_spanish_rep_sees_it_on_the_lead_page(
    browser, live_server, page, login, marketing_admin, rep
):
    lead = LeadFactory(owner_user=rep, first_name="Ada", last_name="Lovelace", company="Engines", status="Working")
    user_profile_update(user=rep, data={"language": "es"}, acting_user=rep)

    login(marketing_admin)
    page.goto("/setup/translations/")
    page.select_option("#tr-language", "es")
    page.select_option("#tr-object", "lead")
    page.select_option("#tr-kind", "picklist_value")
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    row = page.locator('[data-testid="translation-row"][data-key="picklist_value|lead|status|Working"]')
    assert "Working" in row.inner_text()
    row.get_by_role("textbox").fill("Trabajando a fondo")
    with page.expect_navigation():
        page.get_by_test_id("save-translations").click()
    assert "1 translation saved." in page.locator("#messages").inner_text()

    context = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 900})
    try:
        rep_page = context.new_page()
        rep_page.goto("/login/")
        rep_page.fill("input[name=username]", rep.username)
        rep_page.fill("input[name=password]", "demo-pass-123")
        rep_page.click("button[type=submit]")
        rep_page.wait_for_url(lambda url: "/login" not in url)
        rep_page.goto(f"/leads/{lead.pk}/")

        assert rep_page.locator("html").get_attribute("lang") == "es"
        assert rep_page.get_by_text("Trabajando a fondo").first.is_visible()
    finally:
        context.close()
