"""Writes of activities: tasks, events and logged calls. The pages, the API and the conversion hook
all call these functions; each checks access and validates, and raises ``ValidationError`` with
field errors or ``PermissionError``."""

import datetime as dt
import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.history import diff, history_record
from core.registry import run_lead_touch_hooks

from .models import RELATED_FIELDS, Activity, Call, Event, Task
from .selectors import activity_is_editable_by, related_record_for

User = get_user_model()
logger = logging.getLogger(__name__)

SUBJECT_MAX = 255
TASK_FIELDS = ("subject", "due_date", "priority", "status", "description", "reminder_at", "assigned_to")
EVENT_FIELDS = ("subject", "start_at", "end_at", "location", "description", "assigned_to")
CALL_FIELDS = ("subject", "outcome", "duration_seconds", "notes", "called_at", "assigned_to")
LABELS = {
    "subject": "Subject",
    "due_date": "Due Date",
    "priority": "Priority",
    "status": "Status",
    "description": "Description",
    "reminder_at": "Reminder",
    "assigned_to": "Assigned To",
    "start_at": "Start",
    "end_at": "End",
    "location": "Location",
    "outcome": "Outcome",
    "duration_seconds": "Duration (seconds)",
    "notes": "Notes",
    "called_at": "Called At",
}


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _related(*, acting_user, related: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    """Resolve ``{"lead": id-or-record, ...}`` to exactly one record the user may see."""
    given = {name: value for name, value in related.items() if name in RELATED_FIELDS and value not in (None, "")}
    if len(given) != 1:
        _add(errors, "related", _("Relate the activity to exactly one lead, contact, account or opportunity."))
        return {}
    name, value = next(iter(given.items()))
    pk = getattr(value, "pk", value)
    record = related_record_for(user=acting_user, object_name=name, pk=pk)
    if record is None:
        _add(errors, name, _("No such record, or you may not see it."))
        return {}
    if name == "lead" and getattr(record, "is_converted", False):
        _add(errors, name, _("This lead was converted: add activities to its contact."))
        return {}
    return {name: record}


def _user(value, errors: dict[str, list[str]], field: str = "assigned_to"):
    if isinstance(value, User):
        user = value if value.is_active else None
    else:
        try:
            user = User.objects.filter(pk=int(value), is_active=True).first()
        except (TypeError, ValueError):
            user = None
    if user is None:
        _add(errors, field, _("Choose an active user."))
    return user


def _subject(data: dict, errors: dict[str, list[str]]) -> None:
    subject = " ".join(str(data.get("subject") or "").split())
    if not subject:
        _add(errors, "subject", _("Enter a subject."))
    elif len(subject) > SUBJECT_MAX:
        _add(errors, "subject", _("Use at most %(max)d characters.") % {"max": SUBJECT_MAX})
    data["subject"] = subject


def _aware(value, field: str, errors: dict[str, list[str]], *, required: bool):
    if value in (None, ""):
        if required:
            _add(errors, field, _("Enter a date and time."))
        return None
    if not isinstance(value, dt.datetime):
        _add(errors, field, _("Enter a date and time."))
        return None
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _snapshot(activity: Activity, fields) -> dict[str, Any]:
    return {name: getattr(activity, name) for name in fields}


def _check_editable(activity: Activity, acting_user) -> None:
    if not activity_is_editable_by(activity, acting_user):
        raise PermissionError(_("You may not change this activity."))


def _history(activity: Activity, object_name: str, before: dict, fields, acting_user, note: str = "") -> None:
    changes = diff(before, _snapshot(activity, fields), LABELS)
    if changes:
        history_record(
            object_name=object_name, record_id=activity.pk, changes=changes, acting_user=acting_user, note=note
        )


# Tasks -----------------------------------------------------------------------------------------


def _validate_task(data: dict, errors: dict[str, list[str]]) -> None:
    _subject(data, errors)
    if data.get("priority") not in Task.Priority.values:
        _add(errors, "priority", _("Choose High, Normal or Low."))
    if data.get("status") not in Task.Status.values:
        _add(errors, "status", _("Choose a valid status."))
    due = data.get("due_date")
    if due not in (None, "") and not isinstance(due, dt.date):
        _add(errors, "due_date", _("Enter a date."))
    data["due_date"] = due or None
    data["reminder_at"] = _aware(data.get("reminder_at"), "reminder_at", errors, required=False)
    data["description"] = data.get("description") or ""


@transaction.atomic
def task_create(*, data: dict[str, Any], acting_user) -> Task:
    """Create a task on one record the user may see; ``data`` holds the task's fields plus one of
    ``lead``, ``contact``, ``account``, ``opportunity`` (record or id) and ``assigned_to`` (user or
    id, default the acting user)."""
    errors: dict[str, list[str]] = {}
    data = {"priority": Task.Priority.NORMAL, "status": Task.Status.NOT_STARTED, **data}
    related = _related(acting_user=acting_user, related=data, errors=errors)
    assignee = _user(data.get("assigned_to") or acting_user, errors)
    _validate_task(data, errors)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    task = Task.objects.create(
        **related,
        subject=data["subject"],
        due_date=data["due_date"],
        priority=data["priority"],
        status=data["status"],
        description=data["description"],
        reminder_at=data["reminder_at"],
        completed_at=now if data["status"] == Task.Status.COMPLETED else None,
        assigned_to=assignee,
        created_by=acting_user,
        created_at=now,
        last_modified_by=acting_user,
        last_modified_at=now,
    )
    if task.lead_id and task.completed_at is not None:  # a task logged as done is work on the lead
        run_lead_touch_hooks(lead_id=task.lead_id, at=task.completed_at, acting_user=acting_user)
    return task


@transaction.atomic
def task_update(*, task: Task, data: dict[str, Any], acting_user) -> Task:
    """Change a task's fields (those given in ``data``); history records what changed. Completing
    sets ``completed_at``, reopening clears it; a new reminder time is sent again."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    _check_editable(task, acting_user)
    before = _snapshot(task, TASK_FIELDS)
    merged = {**before, **{k: v for k, v in data.items() if k in TASK_FIELDS}}
    errors: dict[str, list[str]] = {}
    merged["assigned_to"] = _user(merged["assigned_to"], errors)
    _validate_task(merged, errors)
    if errors:
        raise ValidationError(errors)
    for name in TASK_FIELDS:
        setattr(task, name, merged[name])
    if task.status == Task.Status.COMPLETED and task.completed_at is None:
        task.completed_at = timezone.now()
    elif task.status != Task.Status.COMPLETED:
        task.completed_at = None
    if task.reminder_at != before["reminder_at"]:
        task.reminder_sent_at = None
    task.last_modified_by, task.last_modified_at = acting_user, timezone.now()
    task.save()
    _history(task, "task", before, TASK_FIELDS, acting_user)
    if task.lead_id and task.completed_at is not None and before["status"] != Task.Status.COMPLETED:
        run_lead_touch_hooks(lead_id=task.lead_id, at=task.completed_at, acting_user=acting_user)
    return task


def task_complete(*, task: Task, acting_user) -> Task:
    """Mark a task completed (a completed one stays as it is)."""
    if task.status == Task.Status.COMPLETED:
        _check_editable(task, acting_user)
        return task
    return task_update(task=task, data={"status": Task.Status.COMPLETED}, acting_user=acting_user)


@transaction.atomic
def task_delete(*, task: Task, acting_user) -> None:
    _check_editable(task, acting_user)
    Task.objects.filter(pk=task.pk).delete()


# Events ----------------------------------------------------------------------------------------


def _validate_event(data: dict, errors: dict[str, list[str]]) -> None:
    _subject(data, errors)
    data["start_at"] = _aware(data.get("start_at"), "start_at", errors, required=True)
    data["end_at"] = _aware(data.get("end_at"), "end_at", errors, required=True)
    if data["start_at"] and data["end_at"] and data["end_at"] < data["start_at"]:
        _add(errors, "end_at", _("The end must not be before the start."))
    data["location"] = " ".join(str(data.get("location") or "").split())
    if len(data["location"]) > 255:
        _add(errors, "location", _("Use at most %(max)d characters.") % {"max": 255})
    data["description"] = data.get("description") or ""


def _attendees(values, errors: dict[str, list[str]]) -> list:
    users = []
    for value in values or []:
        user = _user(value, errors, field="attendees")
        if user is not None and user not in users:
            users.append(user)
    return users


@transaction.atomic
def event_create(*, data: dict[str, Any], acting_user) -> Event:
    """Create an event on one record the user may see, with ``attendees`` (users or ids)."""
    errors: dict[str, list[str]] = {}
    data = dict(data)
    related = _related(acting_user=acting_user, related=data, errors=errors)
    assignee = _user(data.get("assigned_to") or acting_user, errors)
    attendees = _attendees(data.get("attendees"), errors)
    _validate_event(data, errors)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    event = Event.objects.create(
        **related,
        subject=data["subject"],
        start_at=data["start_at"],
        end_at=data["end_at"],
        location=data["location"],
        description=data["description"],
        assigned_to=assignee,
        created_by=acting_user,
        created_at=now,
        last_modified_by=acting_user,
        last_modified_at=now,
    )
    event.attendees.set(attendees)
    return event


@transaction.atomic
def event_update(*, event: Event, data: dict[str, Any], acting_user) -> Event:
    event = Event.objects.select_for_update().get(pk=event.pk)
    _check_editable(event, acting_user)
    before = _snapshot(event, EVENT_FIELDS)
    merged = {**before, **{k: v for k, v in data.items() if k in EVENT_FIELDS}}
    errors: dict[str, list[str]] = {}
    merged["assigned_to"] = _user(merged["assigned_to"], errors)
    attendees = _attendees(data["attendees"], errors) if "attendees" in data else None
    _validate_event(merged, errors)
    if errors:
        raise ValidationError(errors)
    for name in EVENT_FIELDS:
        setattr(event, name, merged[name])
    event.last_modified_by, event.last_modified_at = acting_user, timezone.now()
    event.save()
    if attendees is not None:
        event.attendees.set(attendees)
    _history(event, "event", before, EVENT_FIELDS, acting_user)
    return event


@transaction.atomic
def event_delete(*, event: Event, acting_user) -> None:
    _check_editable(event, acting_user)
    Event.objects.filter(pk=event.pk).delete()


# Calls -----------------------------------------------------------------------------------------


def _validate_call(data: dict, errors: dict[str, list[str]]) -> None:
    _subject(data, errors)
    if data.get("outcome") not in Call.Outcome.values:
        _add(errors, "outcome", _("Choose a valid outcome."))
    try:
        data["duration_seconds"] = int(data.get("duration_seconds") or 0)
    except (TypeError, ValueError):
        _add(errors, "duration_seconds", _("Enter a whole number of seconds."))
    else:
        if not 0 <= data["duration_seconds"] <= 24 * 3600:
            _add(errors, "duration_seconds", _("Enter between 0 and 86400 seconds."))
    data["called_at"] = _aware(data.get("called_at") or timezone.now(), "called_at", errors, required=True)
    if data["called_at"] and data["called_at"] > timezone.now() + dt.timedelta(minutes=5):
        _add(errors, "called_at", _("A logged call cannot be in the future."))
    data["notes"] = data.get("notes") or ""


@transaction.atomic
def call_log(*, data: dict[str, Any], acting_user) -> Call:
    """Log a call that took place, on one record the user may see (``called_at`` defaults to now)."""
    errors: dict[str, list[str]] = {}
    data = {"outcome": Call.Outcome.CONNECTED, **data}
    related = _related(acting_user=acting_user, related=data, errors=errors)
    assignee = _user(data.get("assigned_to") or acting_user, errors)
    _validate_call(data, errors)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    call = Call.objects.create(
        **related,
        subject=data["subject"],
        outcome=data["outcome"],
        duration_seconds=data["duration_seconds"],
        notes=data["notes"],
        called_at=data["called_at"],
        assigned_to=assignee,
        created_by=acting_user,
        created_at=now,
        last_modified_by=acting_user,
        last_modified_at=now,
    )
    if call.lead_id:
        run_lead_touch_hooks(lead_id=call.lead_id, at=call.called_at, acting_user=acting_user)
    return call


@transaction.atomic
def call_update(*, call: Call, data: dict[str, Any], acting_user) -> Call:
    call = Call.objects.select_for_update().get(pk=call.pk)
    _check_editable(call, acting_user)
    before = _snapshot(call, CALL_FIELDS)
    merged = {**before, **{k: v for k, v in data.items() if k in CALL_FIELDS}}
    errors: dict[str, list[str]] = {}
    merged["assigned_to"] = _user(merged["assigned_to"], errors)
    _validate_call(merged, errors)
    if errors:
        raise ValidationError(errors)
    for name in CALL_FIELDS:
        setattr(call, name, merged[name])
    call.last_modified_by, call.last_modified_at = acting_user, timezone.now()
    call.save()
    _history(call, "call", before, CALL_FIELDS, acting_user)
    return call


@transaction.atomic
def call_delete(*, call: Call, acting_user) -> None:
    _check_editable(call, acting_user)
    Call.objects.filter(pk=call.pk).delete()


# Conversion and reminders ----------------------------------------------------------------------


def activities_follow_conversion(*, conversion, acting_user) -> int:
    """Move the converted lead's tasks, events and calls to its contact (keeping the lead in
    ``converted_lead``, through which the lead and the new opportunity still list them). Runs
    inside the conversion's transaction; answers how many activities moved."""
    if conversion.contact_id is None:
        return 0
    moved = 0
    now = timezone.now()
    for model in (Task, Event, Call):
        moved += model.objects.filter(lead_id=conversion.lead_id).update(
            lead=None,
            contact_id=conversion.contact_id,
            converted_lead_id=conversion.lead_id,
            last_modified_by=acting_user,
            last_modified_at=now,
        )
    return moved


REMINDER_BATCH = 500


def task_reminders_send(*, now: dt.datetime | None = None, limit: int = REMINDER_BATCH) -> int:
    """Put a reminder email in the outbox for each open task whose reminder time has come. Each
    reminder is claimed with a conditional UPDATE and keyed by task and reminder time, so running
    twice (or two beats at once) writes one outbox row. Answers how many were written."""
    from emails.models import OutboundEmail
    from emails.services import email_enqueue

    now = now or timezone.now()
    due = list(
        Task.objects.filter(reminder_at__lte=now, reminder_sent_at__isnull=True)
        .exclude(status=Task.Status.COMPLETED)
        .order_by("reminder_at")
        .values_list("pk", "reminder_at")[:limit]
    )
    sent = 0
    for pk, reminder_at in due:
        if reminder_at is None:  # excluded by the filter; narrows the type
            continue
        with transaction.atomic():
            claimed = Task.objects.filter(pk=pk, reminder_at=reminder_at, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            )
            if not claimed:
                continue
            task = Task.objects.select_related("assigned_to").get(pk=pk)
            if not task.assigned_to.email:
                continue
            try:
                email_enqueue(
                    to=task.assigned_to.email,
                    subject=_("Reminder: %(subject)s") % {"subject": task.subject},
                    body_text=_reminder_text(task),
                    kind=OutboundEmail.Kind.NOTIFICATION,
                    idempotency_key=f"task-reminder-{task.pk}-{reminder_at.isoformat()}",
                    object_name="task",
                    record_id=task.pk,
                )
            except ValidationError:
                # An address the outbox refuses: the reminder stays claimed rather than retried forever.
                logger.warning("Reminder of task %s not sent: invalid address", task.pk)
                continue
            sent += 1
    return sent


def _reminder_text(task: Task) -> str:
    lines = [_("Reminder for your task: %(subject)s") % {"subject": task.subject}]
    if task.due_date:
        lines.append(_("Due: %(date)s") % {"date": task.due_date.isoformat()})
    lines.append(_("Related to: %(record)s") % {"record": task.related_record})
    if task.description:
        lines += ["", task.description]
    return "\n".join(lines)
