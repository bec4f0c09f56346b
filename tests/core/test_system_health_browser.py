"""Real headless Chromium: a marketing admin opens Setup -> System Health and sees the backlog and
the workers that reported in."""

import pytest
from playwright.sync_api import expect

from core import heartbeat

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_admin_opens_system_health_from_the_setup_menu(page, login, marketing_admin):
    heartbeat.record("worker", "celery@host-b", queues=["default", "emails"])
    login(marketing_admin)

    menu = page.locator(".app-navbar .nav-item.dropdown", has_text="Setup")
    menu.locator(".dropdown-toggle").click()
    menu.locator("a.dropdown-item", has_text="System Health").click()
    page.wait_for_url("**/setup/system-health/")

    expect(page.get_by_role("heading", name="System Health")).to_be_visible()
    expect(page.get_by_test_id("check-database")).to_contain_text("OK")
    expect(page.get_by_test_id("backlog-webtolead")).to_contain_text("Every submission has been processed.")
    expect(page.get_by_test_id("worker-row")).to_contain_text("celery@host-b")
    expect(page.get_by_test_id("empty-beats")).to_be_visible()
