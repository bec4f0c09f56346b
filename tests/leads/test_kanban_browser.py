"""Real headless Chromium on the lead Kanban board: drag and drop, the Move to menu, converting."""

import pytest

from leads.models import Lead
from tests.factories import LeadFactory
from tests.seeding import seed_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _seeded_picklists(transactional_db):
    # Transactional tests flush the database between tests, seeded rows included.
    seed_fields("leads")


def test_rep_drags_a_card_across_the_board_and_moves_another_with_the_keyboard(page, login, rep):
    dragged = LeadFactory(owner_user=rep, last_name="Hopper", status="New")
    keyed = LeadFactory(owner_user=rep, last_name="Lovelace", status="New")
    arrowed = LeadFactory(owner_user=rep, last_name="Turing", status="New")
    login(rep)
    page.goto("/leads/")
    page.get_by_test_id("kanban-toggle").click()
    page.wait_for_url("**/leads/kanban/**")

    page.drag_and_drop(f"#kanban-card-{dragged.pk}", 'section[data-value="Working"] .kanban-cards')
    page.wait_for_selector(f'section[data-value="Working"] #kanban-card-{dragged.pk}[data-version="2"]')
    assert Lead.objects.get(pk=dragged.pk).status == "Working"

    # Keyboard: the card's Move to menu, opened and chosen with Enter.
    page.locator(f"#kanban-card-{keyed.pk} [data-testid=kanban-move-menu]").focus()
    page.keyboard.press("Enter")
    page.locator(f"#kanban-card-{keyed.pk} .dropdown-menu").get_by_role("button", name="Nurturing").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector(f'section[data-value="Nurturing"] #kanban-card-{keyed.pk}')
    assert Lead.objects.get(pk=keyed.pk).status == "Nurturing"
    assert "moved to Nurturing" in page.locator("#messages").inner_text()

    # Keyboard: a focused card moves to the next column with the right arrow and keeps the focus.
    page.locator(f"#kanban-card-{arrowed.pk}").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_selector(f'section[data-value="Working"] #kanban-card-{arrowed.pk}[data-version="2"]')
    assert page.evaluate("document.activeElement.id") == f"kanban-card-{arrowed.pk}"
    assert Lead.objects.get(pk=arrowed.pk).status == "Working"


def test_dropping_a_card_on_a_converted_status_opens_the_convert_page(page, login, rep):
    lead = LeadFactory(owner_user=rep, last_name="Turing", status="Working")
    login(rep)
    page.goto("/leads/kanban/?view=my")

    page.drag_and_drop(f"#kanban-card-{lead.pk}", 'section[data-converted="true"] .kanban-cards')

    page.wait_for_url(f"**/leads/{lead.pk}/convert/")
    assert Lead.objects.get(pk=lead.pk).status == "Working"
