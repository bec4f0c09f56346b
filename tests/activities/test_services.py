"""Activity services: validation as field errors, access, completion and history."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from activities import services
from activities.models import Event, Task
from core.models import FieldHistory
from tests.factories import ContactFactory, LeadFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def test_task_create_on_a_lead_defaults_to_the_acting_user(rep):
    lead = LeadFactory(owner_user=rep)

    task = services.task_create(
        data={"lead": lead.pk, "subject": "  Call back   Thursday ", "due_date": dt.date(2030, 1, 3)}, acting_user=rep
    )

    assert (task.lead, task.assigned_to, task.created_by) == (lead, rep, rep)
    assert task.subject == "Call back Thursday"
    assert (task.status, task.priority, task.completed_at) == ("not_started", "normal", None)


def test_task_create_reports_each_problem_as_a_field_error(rep):
    with pytest.raises(ValidationError) as caught:
        services.task_create(data={"subject": "", "priority": "urgent"}, acting_user=rep)

    errors = caught.value.message_dict
    assert set(errors) == {"related", "subject", "priority"}


def test_task_on_two_records_is_refused(rep):
    lead, contact = LeadFactory(owner_user=rep), ContactFactory()

    with pytest.raises(ValidationError) as caught:
        services.task_create(data={"lead": lead.pk, "contact": contact.pk, "subject": "x"}, acting_user=rep)

    assert "related" in caught.value.message_dict


def test_task_on_a_lead_the_user_may_not_see_is_a_field_error(rep, other_rep, private_sharing):
    foreign = LeadFactory(owner_user=other_rep)

    with pytest.raises(ValidationError) as caught:
        services.task_create(data={"lead": foreign.pk, "subject": "Peek"}, acting_user=rep)

    assert "lead" in caught.value.message_dict
    assert not Task.objects.exists()


def test_the_database_holds_exactly_one_related_record(rep):
    lead, contact = LeadFactory(owner_user=rep), ContactFactory()
    now = timezone.now()

    with pytest.raises(IntegrityError):
        Task.objects.create(
            lead=lead, contact=contact, subject="x", assigned_to=rep, created_at=now, last_modified_at=now
        )


def test_complete_sets_completed_at_and_writes_history(rep):
    task = services.task_create(data={"lead": LeadFactory(owner_user=rep).pk, "subject": "Send quote"}, acting_user=rep)

    done = services.task_complete(task=task, acting_user=rep)

    assert done.status == Task.Status.COMPLETED
    assert done.completed_at is not None
    row = FieldHistory.objects.get(object_name="task", record_id=task.pk, field_name="status")
    assert (row.old_value, row.new_value, row.changed_by) == ("not_started", "completed", rep)


def test_reopening_clears_completed_at_and_a_new_reminder_is_sent_again(rep):
    lead = LeadFactory(owner_user=rep)
    task = services.task_create(
        data={"lead": lead.pk, "subject": "x", "status": "completed", "reminder_at": timezone.now()}, acting_user=rep
    )
    Task.objects.filter(pk=task.pk).update(reminder_sent_at=timezone.now())

    task = services.task_update(
        task=task,
        data={"status": "in_progress", "reminder_at": timezone.now() + dt.timedelta(days=1)},
        acting_user=rep,
    )

    assert task.completed_at is None
    assert task.reminder_sent_at is None


def test_another_rep_may_not_change_a_task_on_a_lead_they_only_read(rep, other_rep):
    task = services.task_create(data={"lead": LeadFactory(owner_user=rep).pk, "subject": "Mine"}, acting_user=rep)

    with pytest.raises(PermissionError):
        services.task_update(task=task, data={"subject": "Theirs"}, acting_user=other_rep)


def test_event_end_before_start_is_a_field_error_and_a_constraint(rep):
    start = timezone.now()
    with pytest.raises(ValidationError) as caught:
        services.event_create(
            data={
                "contact": ContactFactory().pk,
                "subject": "Demo",
                "start_at": start,
                "end_at": start - dt.timedelta(hours=1),
            },
            acting_user=rep,
        )
    assert "end_at" in caught.value.message_dict

    event = services.event_create(
        data={
            "opportunity": OpportunityFactory().pk,
            "subject": "Demo",
            "start_at": start,
            "end_at": start + dt.timedelta(hours=1),
            "attendees": [rep.pk],
        },
        acting_user=rep,
    )
    assert list(event.attendees.all()) == [rep]
    with pytest.raises(IntegrityError):
        Event.objects.filter(pk=event.pk).update(end_at=start - dt.timedelta(hours=1))


def test_call_log_validates_outcome_duration_and_time(rep):
    lead = LeadFactory(owner_user=rep)
    with pytest.raises(ValidationError) as caught:
        services.call_log(
            data={
                "lead": lead.pk,
                "subject": "Call",
                "outcome": "maybe",
                "duration_seconds": -1,
                "called_at": timezone.now() + dt.timedelta(days=1),
            },
            acting_user=rep,
        )
    assert set(caught.value.message_dict) == {"outcome", "duration_seconds", "called_at"}

    call = services.call_log(
        data={"lead": lead.pk, "subject": "Call", "outcome": "left_voicemail", "duration_seconds": 30}, acting_user=rep
    )
    assert call.called_at is not None
    assert call.duration_seconds == 30
