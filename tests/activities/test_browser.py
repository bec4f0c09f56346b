"""Real headless Chromium: a task created from the lead page with one keystroke, completed from My Tasks."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from activities.models import Task
from tests.factories import LeadFactory
from tests.seeding import seed_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _seeded_picklists(transactional_db):
    # Transactional tests flush the database between tests, seeded rows included.
    seed_fields("leads")


def test_rep_creates_a_task_from_the_lead_page_and_completes_it_from_my_tasks(page, login, rep):
    lead = LeadFactory(owner_user=rep, last_name="Lovelace", company="Engines")
    login(rep)
    page.goto(f"/leads/{lead.pk}/")
    page.get_by_test_id("open-activities").wait_for()

    # "t" opens the task form in place, with the focus in its first field.
    page.locator("body").press("t")
    form = page.get_by_test_id("activity-form")
    form.wait_for()
    expect(form.locator("input[name=subject]")).to_be_focused()
    page.keyboard.type("Call back Thursday")
    form.locator("input[name=due_date]").fill(timezone.localdate().isoformat())
    form.get_by_role("button", name="Save").click()

    # The related list refreshes with the new task.
    open_list = page.get_by_test_id("open-activities")
    open_list.get_by_text("Call back Thursday").wait_for()
    task = Task.objects.get()
    assert (task.lead_id, task.assigned_to_id, task.due_date) == (lead.pk, rep.pk, timezone.localdate())

    # My Tasks (from the menu) lists it for today; completing it happens in place.
    page.get_by_role("link", name="My Tasks").first.click()
    page.wait_for_url("**/activities/my-tasks/")
    page.get_by_test_id(f"task-row-{task.pk}").get_by_text("Call back Thursday").wait_for()
    page.get_by_test_id(f"complete-task-{task.pk}").click()
    page.get_by_test_id(f"task-completed-{task.pk}").wait_for()

    task.refresh_from_db()
    assert task.status == Task.Status.COMPLETED
    assert task.completed_at is not None
