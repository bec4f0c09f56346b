"""Real headless Chromium: an admin sets a step's guidance and key fields, a rep reads the guidance
and fills a key field under the path, and closing a lead as Unqualified asks for the reason."""

import importlib

import pytest
from django.apps import apps

from core.models import RecordType
from leads.models import Lead
from leads.processes.services import lead_record_type_create
from tests.factories import LeadFactory
from tests.seeding import seed_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _seeded(transactional_db):
    # Transactional tests flush the database between tests, seeded rows included.
    seed_fields("leads")
    importlib.import_module("leads.migrations.0013_lead_record_types").forwards(apps, None)


def test_admin_sets_guidance_and_a_rep_fills_a_key_field_under_the_path(page, login, marketing_admin, rep):
    inbound = lead_record_type_create(
        name="Inbound", statuses=["New", "Working", "Unqualified", "Qualified"], acting_user=marketing_admin
    )
    lead = LeadFactory(owner_user=rep, status="Working", record_type=inbound, title="")

    # The admin writes the Working step's guidance and picks Title as its key field.
    login(marketing_admin)
    page.goto("/leads/record-types/")
    page.get_by_test_id(f"path-setup-{inbound.pk}").click()
    step = page.get_by_test_id("step-form-working")
    step.get_by_label("Guidance for Success").fill("Ask who signs. <b>Always</b> log the call.")
    step.get_by_label("Title", exact=True).check()
    with page.expect_navigation():
        step.get_by_role("button", name="Save Working").click()
    assert "The guidance of Working was saved." in page.locator("#messages").inner_text()
    page.context.clear_cookies()

    # The rep sees the guidance (escaped) and fills Title right under the path.
    login(rep)
    page.goto(f"/leads/{lead.pk}/")
    assert page.get_by_test_id("guidance-text").inner_text() == "Ask who signs. <b>Always</b> log the call."
    form = page.get_by_test_id("key-fields-form")
    form.get_by_label("Title").fill("Head of Finance")
    form.get_by_role("button", name="Save").click()
    page.get_by_test_id("value-title").filter(has_text="Head of Finance").wait_for()
    assert Lead.objects.get(pk=lead.pk).title == "Head of Finance"


def test_closing_as_unqualified_asks_for_the_reason(page, login, rep):
    lead = LeadFactory(owner_user=rep, status="Working", record_type=RecordType.objects.get(name="General"))
    login(rep)
    page.goto(f"/leads/{lead.pk}/")

    page.get_by_test_id("path-closed").click()
    close = page.get_by_test_id("path-close-form")
    reason = close.get_by_label("Unqualified Reason")
    reason.wait_for()
    # The browser asks for the reason before anything is sent.
    close.get_by_role("button", name="Mark as Unqualified").click()
    assert reason.evaluate("el => el.validity.valueMissing") is True
    assert Lead.objects.get(pk=lead.pk).status == "Working"

    reason.select_option("No Budget")
    with page.expect_navigation():
        close.get_by_role("button", name="Mark as Unqualified").click()

    lead.refresh_from_db()
    assert (lead.status, lead.unqualified_reason) == ("Unqualified", "No Budget")
    assert page.get_by_test_id("path-closed").inner_text().strip() == "Unqualified"
