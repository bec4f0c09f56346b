"""The related lists on record pages, the forms opened from them and My Tasks."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities import services
from activities.models import Call, Task
from tests.factories import AccountFactory, ContactFactory, LeadFactory

pytestmark = pytest.mark.django_db


def test_lead_page_shows_open_activities_and_activity_history(client, rep):
    lead = LeadFactory(owner_user=rep)
    services.task_create(data={"lead": lead.pk, "subject": "Send the quote"}, acting_user=rep)
    services.call_log(data={"lead": lead.pk, "subject": "Intro call", "notes": "Keen"}, acting_user=rep)
    client.force_login(rep)

    page = client.get(f"/leads/{lead.pk}/").content.decode()

    assert 'id="open-activities"' in page
    assert 'id="activity-history"' in page
    assert "Send the quote" in page
    assert "Intro call" in page
    assert 'accesskey="t"' in page
    assert "js/activities.js" in page


def test_empty_related_lists_say_so(client, rep):
    lead = LeadFactory(owner_user=rep)
    client.force_login(rep)

    page = client.get(f"/leads/{lead.pk}/").content.decode()

    assert "No open tasks or upcoming events." in page
    assert "No completed tasks, past events, logged calls, notes or emails yet." in page


def test_htmx_task_form_creates_the_task_and_asks_the_lists_to_refresh(client, rep):
    lead = LeadFactory(owner_user=rep)
    client.force_login(rep)
    url = f"/activities/lead/{lead.pk}/tasks/new/"

    form = client.get(url, headers={"HX-Request": "true"})
    assert form.status_code == 200
    assert 'name="subject"' in form.content.decode()

    invalid = client.post(url, {"subject": "", "priority": "normal"}, headers={"HX-Request": "true"})
    assert "is-invalid" in invalid.content.decode()
    assert not Task.objects.exists()

    saved = client.post(url, {"subject": "Call back", "priority": "high"}, headers={"HX-Request": "true"})
    assert saved["HX-Trigger"] == "activitiesChanged"
    assert Task.objects.get().lead == lead


def test_log_a_call_without_htmx_redirects_to_the_record(client, rep):
    account = AccountFactory(owner=rep)
    client.force_login(rep)

    answer = client.post(
        f"/activities/account/{account.pk}/calls/new/",
        {"subject": "Rang", "outcome": "no_answer", "duration_seconds": "0"},
    )

    assert answer.status_code == 302
    assert answer["Location"] == f"/accounts/{account.pk}/"
    assert Call.objects.get().account == account


def test_forms_of_an_unseen_lead_are_404(client, rep, other_rep, private_sharing):
    foreign = LeadFactory(owner_user=other_rep)
    client.force_login(rep)

    assert client.get(f"/activities/lead/{foreign.pk}/tasks/new/").status_code == 404
    assert client.get(f"/activities/lead/{foreign.pk}/open/").status_code == 404


def _task_today(lead, rep, subject):
    return services.task_create(
        data={"lead": lead.pk, "subject": subject, "due_date": timezone.localdate()}, acting_user=rep
    )


def test_my_tasks_lists_today_and_completes_in_place(client, rep):
    lead = LeadFactory(owner_user=rep)
    _task_today(lead, rep, "Today 0")
    client.force_login(rep)
    client.get("/activities/my-tasks/?view=today")
    with CaptureQueriesContext(connection) as one:
        client.get("/activities/my-tasks/?view=today")
    for n in range(1, 6):
        _task_today(lead, rep, f"Today {n}")

    # No query per row: six tasks cost what one does.
    with CaptureQueriesContext(connection) as six:
        page = client.get("/activities/my-tasks/?view=today").content.decode()
    assert "Today 5" in page
    assert len(six) == len(one)

    task = Task.objects.first()
    done = client.post(f"/activities/tasks/{task.pk}/complete/", headers={"HX-Request": "true"})
    assert f'data-testid="task-completed-{task.pk}"' in done.content.decode()
    task.refresh_from_db()
    assert task.status == Task.Status.COMPLETED


def test_my_tasks_empty_state(client, rep):
    client.force_login(rep)

    page = client.get("/activities/my-tasks/").content.decode()

    assert 'data-testid="no-tasks"' in page


def test_contact_page_lists_the_contacts_activities(client, rep):
    contact = ContactFactory()
    services.task_create(data={"contact": contact.pk, "subject": "Renewal call"}, acting_user=rep)
    client.force_login(rep)

    page = client.get(f"/contacts/{contact.pk}/").content.decode()

    assert 'id="open-activities"' in page
    assert "Renewal call" in page


def test_my_tasks_card_shows_overdue_and_todays_tasks(rf, rep):
    import datetime as dt

    from activities.parts import my_tasks_card

    lead = LeadFactory(owner_user=rep)
    today = timezone.localdate()
    services.task_create(
        data={"lead": lead.pk, "subject": "Late one", "due_date": today - dt.timedelta(days=2)}, acting_user=rep
    )
    services.task_create(
        data={"lead": lead.pk, "subject": "Next month", "due_date": today + dt.timedelta(days=40)}, acting_user=rep
    )
    request = rf.get("/")
    request.user = rep

    html = my_tasks_card(request)

    assert "Late one" in html
    assert "Next month" not in html
    assert "1 overdue" in html
