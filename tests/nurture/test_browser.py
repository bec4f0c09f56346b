"""Real headless Chromium against the live server: a marketing admin builds a sequence in Setup
(steps added with the keyboard, reordered, one deleted), activates it, enrols leads from a lead
list selection and sees them on the sequence page; pausing the sequence shows them exited."""

import re

import pytest
from playwright.sync_api import expect

from emails.services import email_template_create
from nurture.models import NurtureEnrolment, NurtureSequence
from tests.factories import LeadFactory
from tests.seeding import seed_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _seeded_metadata(transactional_db):
    # Transactional tests flush the database between tests, seeded rows included.
    seed_fields("leads")


def test_admin_builds_a_sequence_and_enrols_leads_from_the_list(page, login, marketing_admin):
    template = email_template_create(
        data={"name": "Welcome drip", "subject": "Hi {{Lead.FirstName}}", "body_text": "Hello."},
        acting_user=marketing_admin,
    )
    ada = LeadFactory(owner_user=marketing_admin, first_name="Ada", last_name="Lovelace", company="Engines Ltd")
    alan = LeadFactory(owner_user=marketing_admin, first_name="Alan", last_name="Turing", company="Bletchley Co")
    login(marketing_admin)

    # Setup → Nurture Sequences, from the menu.
    page.goto("/leads/")
    entry = page.locator("a", has_text="Nurture Sequences").first
    expect(entry).to_have_attribute("href", "/setup/nurture-sequences/")
    page.goto(entry.get_attribute("href"))
    expect(page.get_by_text("No nurture sequence yet.")).to_be_visible()
    page.get_by_test_id("new-sequence").click()
    page.fill("#id_name", "Welcome series")
    page.get_by_test_id("save-sequence").click()
    page.wait_for_url(re.compile(r".*/nurture-sequences/\d+/steps/$"))

    # The builder: only the chosen kind's fields show; steps are added with the keyboard.
    expect(page.locator("fieldset[data-kind=wait]")).to_be_hidden()
    page.select_option("#id_kind", "wait")
    expect(page.locator("fieldset[data-kind=wait]")).to_be_visible()
    expect(page.locator("fieldset[data-kind=email]")).to_be_hidden()
    page.fill("#id_wait_days", "2")
    with page.expect_navigation():
        page.press("#id_wait_days", "Enter")
    expect(page.get_by_test_id("step-item")).to_have_count(1, timeout=15_000)
    page.select_option("#id_kind", "email")
    page.select_option("#id_template", str(template.pk))
    with page.expect_navigation():
        page.get_by_test_id("save-step").click()
    page.select_option("#id_kind", "action")
    page.select_option("#id_action", "notify_owner")
    with page.expect_navigation():
        page.get_by_test_id("save-step").click()
    expect(page.get_by_test_id("step-item")).to_have_count(3, timeout=15_000)
    # The email goes first: moved up with its button, reached with the keyboard.
    page.get_by_test_id("step-item").nth(1).get_by_test_id("step-up").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("step-item").first).to_contain_text("Send “Welcome drip”", timeout=15_000)
    with page.expect_navigation():
        page.get_by_test_id("step-item").nth(2).get_by_test_id("step-delete").click()
    expect(page.get_by_test_id("step-item")).to_have_count(2, timeout=15_000)
    page.get_by_test_id("done-building").click()
    page.get_by_test_id("activate-sequence").click()
    expect(page.get_by_test_id("highlights")).to_contain_text("Active")
    sequence = NurtureSequence.objects.get(name="Welcome series")
    assert sequence.status == "active"

    # Enrol two leads from a lead list selection.
    page.goto("/leads/")
    page.locator(f"input.lead-select[value='{ada.pk}']").check()
    page.locator(f"input.lead-select[value='{alan.pk}']").check()
    page.get_by_test_id("mass-enrol-in-sequence").click()
    page.wait_for_url("**/enrol-leads/")
    page.select_option("#id_sequence", str(sequence.pk))
    page.get_by_test_id("enrol-submit").click()
    page.wait_for_url("**/leads/**")
    expect(page.get_by_text("2 enrolled in “Welcome series”")).to_be_visible()

    # On the sequence page, with their current step; and on the lead page.
    page.goto(f"/setup/nurture-sequences/{sequence.pk}/")
    rows = page.get_by_test_id("enrolments")
    expect(rows.get_by_role("link", name="Ada Lovelace")).to_be_visible()
    expect(rows.get_by_role("link", name="Alan Turing")).to_be_visible()
    page.goto(f"/leads/{ada.pk}/")
    expect(page.get_by_test_id("nurture-sequences")).to_contain_text("Welcome series")
    assert NurtureEnrolment.objects.filter(sequence=sequence, source="bulk").count() == 2

    # Pausing the sequence ends both enrolments; the sequence page lists them exited, with the reason.
    page.goto(f"/setup/nurture-sequences/{sequence.pk}/")
    page.get_by_test_id("pause-sequence").click()
    expect(page.get_by_text("its enrolled leads exited")).to_be_visible()
    expect(page.get_by_test_id("activate-sequence")).to_contain_text("Resume")
    rows = page.get_by_test_id("enrolment-row")
    expect(rows).to_have_count(2)
    for n in range(2):
        expect(rows.nth(n)).to_contain_text("Exited")
        expect(rows.nth(n)).to_contain_text("Sequence paused")
    assert set(NurtureEnrolment.objects.filter(sequence=sequence).values_list("exit_reason", flat=True)) == {
        "sequence_paused"
    }
