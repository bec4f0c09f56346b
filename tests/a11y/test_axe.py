"""Accessibility of the main pages, checked by axe-core in real headless Chromium, at desktop width
and at 390 px (a phone): no serious or critical violation, and no horizontal scroll of the page."""

from pathlib import Path

import pytest

from tests.factories import LeadFactory
from tests.seeding import seed_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
# WCAG 2.1 A and AA rules; "best-practice" rules are advice, not failures.
RUN = """async () => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


@pytest.fixture(autouse=True)
def _seeded_metadata(transactional_db):
    seed_fields("leads", "sales")


def _violations(page) -> list[dict]:
    # page.evaluate runs in the page without being a <script> element, so the Content-Security-Policy
    # that forbids inline scripts does not stop the checker.
    page.evaluate(AXE)
    return page.evaluate(RUN)


def _horizontal_overflow(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


@pytest.fixture
def lead(rep):
    return LeadFactory(
        owner_user=rep,
        first_name="Ada",
        last_name="Lovelace",
        company="Engines Ltd",
        status="Working",
        email="ada@example.com",
    )


PAGES = {
    "lead list": lambda lead: "/leads/",
    "lead page": lambda lead: f"/leads/{lead.pk}/",
    "lead edit page": lambda lead: f"/leads/{lead.pk}/edit/",
    "convert page": lambda lead: f"/leads/{lead.pk}/convert/",
    "new lead": lambda lead: "/leads/new/",
}


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("width", [1400, 390])
def test_main_pages_have_no_serious_accessibility_violation(page, login, rep, lead, name, width):
    page.set_viewport_size({"width": width, "height": 900})
    login(rep)

    page.goto(PAGES[name](lead))
    page.wait_for_load_state("networkidle")

    assert _violations(page) == []
    assert _horizontal_overflow(page) <= 0


def test_the_menu_bar_of_an_admin_fits_a_laptop_screen(page, login, system_admin):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(system_admin)

    page.goto("/leads/")

    assert _horizontal_overflow(page) <= 0
    page.get_by_test_id("nav-more").click()
    assert page.get_by_role("link", name="Recycle Bin").first.is_visible()
