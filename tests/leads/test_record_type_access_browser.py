"""Real headless Chromium: an admin lets the Sales rep role use two of three lead record types, with
one as its default, and a rep's New Lead page then offers only those two, the default chosen."""

import importlib

import pytest
from django.apps import apps

from core.models import RecordType
from leads.models import Lead
from leads.processes.services import lead_record_type_create
from tests.seeding import seed_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _seeded(transactional_db):
    # Transactional tests flush the database between tests, seeded rows included.
    seed_fields("leads")
    importlib.import_module("leads.migrations.0013_lead_record_types").forwards(apps, None)


def test_admin_restricts_a_role_and_the_reps_new_lead_page_offers_only_those(page, login, marketing_admin, rep):
    lead_record_type_create(name="Inbound", acting_user=marketing_admin)
    lead_record_type_create(name="Partner", acting_user=marketing_admin)

    # The admin ticks Inbound and Partner for Sales rep, Partner its default.
    login(marketing_admin)
    page.goto("/leads/record-types/")
    role = page.get_by_test_id("role-record-types-sales-rep")
    role.get_by_label("Inbound").check()
    role.get_by_label("Partner").check()
    role.get_by_label("Default record type").select_option(label="Partner")
    with page.expect_navigation():
        role.get_by_role("button", name="Save").click()
    assert "The lead record types of Sales rep were saved." in page.locator("#messages").inner_text()
    page.context.clear_cookies()

    # The rep is offered Inbound and Partner only, Partner chosen, and makes a Partner lead.
    login(rep)
    page.goto("/leads/new/")
    choice = page.get_by_test_id("record-type-choice")
    assert choice.get_by_role("radio").count() == 2
    assert choice.get_by_label("General").count() == 0
    assert choice.get_by_label("Partner").is_checked()
    with page.expect_navigation():
        choice.get_by_role("button", name="Next").click()
    page.get_by_label("Last Name").fill("Lovelace")
    page.get_by_label("Company").fill("Engines")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()

    assert Lead.objects.get(last_name="Lovelace").record_type == RecordType.objects.get(name="Partner")
