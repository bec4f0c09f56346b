"""Real headless Chromium: the main pages run under the Content-Security-Policy without a single
violation (a blocked inline script, handler, eval or style would be reported on the console)."""

import pytest
from django.urls import reverse

from tests.factories import AccountFactory, LeadFactory
from tests.seeding import seed_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _seeded_metadata(transactional_db):
    # Transactional tests flush the database between tests, seeded fields and picklists included.
    seed_fields("leads", "sales")


def test_main_pages_raise_no_policy_violation(page, login, system_admin):
    lead = LeadFactory(owner_user=system_admin, created_by=system_admin, last_modified_by=system_admin)
    account = AccountFactory(owner=system_admin)
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: violations.append(f"{page.url}: {error}"))

    page.goto(reverse("password_reset"))
    page.goto(reverse("login"))
    login(system_admin)
    urls = [
        reverse("leads:list"),
        reverse("leads:detail", args=[lead.pk]),
        reverse("leads:create"),
        reverse("conversion:convert", args=[lead.pk]),
        reverse("sales:account_detail", args=[account.pk]),
        reverse("sales:account_create"),
        reverse("sales:product_list"),
        reverse("core:field_create", args=["lead"]),
        reverse("core:picklist_list"),
        reverse("core:recycle_bin"),
        reverse("webtolead:form_create"),
        reverse("leads:queue_setup"),
        reverse("leads:rule_list"),
        reverse("emails:template_list"),
        reverse("api_tokens"),
        "/api/docs/",
    ]
    for url in urls:
        page.goto(url)
        page.wait_for_load_state("networkidle")

    assert violations == []
