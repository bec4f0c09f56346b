"""The reminder beat task writes one outbox row per task and reminder time, however often it runs."""

import datetime as dt

import pytest
from django.utils import timezone

from activities import services
from activities.tasks import send_task_reminders
from emails.models import OutboundEmail
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_reminder_runs_twice_and_writes_one_outbox_row(rep):
    task = services.task_create(
        data={
            "lead": LeadFactory(owner_user=rep).pk,
            "subject": "Call back",
            "reminder_at": timezone.now() - dt.timedelta(minutes=1),
        },
        acting_user=rep,
    )
    services.task_create(
        data={"lead": task.lead_id, "subject": "Later", "reminder_at": timezone.now() + dt.timedelta(hours=1)},
        acting_user=rep,
    )

    first, second = send_task_reminders(), send_task_reminders()

    assert (first, second) == (1, 0)
    email = OutboundEmail.objects.get()
    assert email.to_address == rep.email
    assert "Call back" in email.subject
    assert email.idempotency_key.startswith(f"task-reminder-{task.pk}-")


def test_the_outbox_key_holds_even_when_the_claim_is_lost(rep):
    task = services.task_create(
        data={"lead": LeadFactory(owner_user=rep).pk, "subject": "x", "reminder_at": timezone.now()}, acting_user=rep
    )
    services.task_reminders_send()
    # As if a second beat had read the task before the first one marked it.
    type(task).objects.filter(pk=task.pk).update(reminder_sent_at=None)

    services.task_reminders_send()

    assert OutboundEmail.objects.count() == 1


def test_completed_tasks_get_no_reminder(rep):
    services.task_create(
        data={
            "lead": LeadFactory(owner_user=rep).pk,
            "subject": "x",
            "status": "completed",
            "reminder_at": timezone.now(),
        },
        acting_user=rep,
    )

    assert send_task_reminders() == 0
    assert not OutboundEmail.objects.exists()
