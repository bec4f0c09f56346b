"""Reads of activities, always scoped to the user asking: a user sees an activity when they may see
the record it relates to, or when it is assigned to them (events: or they attend it)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, F, Model, Q, QuerySet, When
from django.utils import timezone

from leads.selectors import lead_is_editable_by, leads_visible_to
from sales import selectors as sales_selectors

from .models import Activity, Call, Event, Task

OBJECTS = ("lead", "contact", "account", "opportunity")


def related_visible_to(user) -> dict[str, QuerySet]:
    """The records of each related object that the user may see, by object name."""
    return {
        "lead": leads_visible_to(user, include_converted=True),
        "contact": sales_selectors.contacts_visible_to(user),
        "account": sales_selectors.accounts_visible_to(user),
        "opportunity": sales_selectors.opportunities_visible_to(user),
    }


def related_record_for(*, user, object_name: str, pk) -> Model | None:
    """The lead, contact, account or opportunity ``pk`` if the user may see it, else None."""
    visible = related_visible_to(user).get(object_name)
    if visible is None:
        return None
    try:
        return visible.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def _visible(qs: QuerySet, user, *, attendees: bool = False) -> QuerySet:
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    condition = Q(assigned_to=user)
    for name, records in related_visible_to(user).items():
        condition |= Q(**{f"{name}__in": records.values("pk")})
    if attendees:
        condition |= Q(pk__in=Event.attendees.through.objects.filter(user=user).values("event_id"))
    return qs.filter(condition)


def _related(qs: QuerySet) -> QuerySet:
    return qs.select_related("assigned_to", "lead", "contact", "account", "opportunity")


def tasks_visible_to(user) -> QuerySet[Task]:
    return _related(_visible(Task.objects.all(), user))


def events_visible_to(user) -> QuerySet[Event]:
    return _related(_visible(Event.objects.all(), user, attendees=True)).prefetch_related("attendees")


def calls_visible_to(user) -> QuerySet[Call]:
    return _related(_visible(Call.objects.all(), user))


def activity_is_editable_by(activity: Activity, user) -> bool:
    """Its assignee, its creator, admins and whoever may edit the related record change an activity."""
    from core.roles import sees_all_records

    if not getattr(user, "is_authenticated", False):
        return False
    if sees_all_records(user) or user.pk in (activity.assigned_to_id, activity.created_by_id):
        return True
    record = activity.related_record
    if activity.related_name == "lead":
        return lead_is_editable_by(record, user)
    return sales_selectors.record_is_editable_by(record, user)


# Related lists ---------------------------------------------------------------------------------


def _of_record(qs: QuerySet, object_name: str, record) -> QuerySet:
    condition = Q(**{object_name: record})
    if object_name == "lead":
        # A converted lead still lists what followed it to the contact.
        condition |= Q(converted_lead=record)
    elif object_name == "opportunity":
        condition |= Q(converted_lead__conversion__opportunity=record)
    return qs.filter(condition)


@dataclass(frozen=True)
class ActivityRow:
    kind: str  # "task" | "event" | "call"
    activity: Activity
    when: dt.datetime | dt.date | None


def open_activities(*, user, object_name: str, record, limit: int = 20) -> list[ActivityRow]:
    """Open tasks (by due date, undated last) and events not yet over (soonest first) of a record
    the caller has checked ``user`` may see: whoever sees a record sees its activities."""
    now = timezone.now()
    tasks = _of_record(_related(Task.objects.all()), object_name, record).exclude(status=Task.Status.COMPLETED)
    events = _of_record(_related(Event.objects.all()), object_name, record).filter(end_at__gte=now)
    rows = [ActivityRow("task", t, t.due_date) for t in tasks.order_by("due_date", "pk")[:limit]]
    rows += [ActivityRow("event", e, e.start_at) for e in events.order_by("start_at", "pk")[:limit]]
    rows.sort(key=lambda row: _sort_key(row.when) if row.when else dt.datetime.max.replace(tzinfo=dt.UTC))
    return rows[:limit]


def activity_history(*, user, object_name: str, record, limit: int = 20) -> list[ActivityRow]:
    """Completed tasks, past events and logged calls of a record ``user`` may see, latest first."""
    now = timezone.now()
    tasks = _of_record(_related(Task.objects.all()), object_name, record).filter(status=Task.Status.COMPLETED)
    events = _of_record(_related(Event.objects.all()), object_name, record).filter(end_at__lt=now)
    calls = _of_record(_related(Call.objects.all()), object_name, record)
    rows = [ActivityRow("task", t, t.completed_at) for t in tasks.order_by("-completed_at", "-pk")[:limit]]
    rows += [ActivityRow("event", e, e.end_at) for e in events.order_by("-end_at", "-pk")[:limit]]
    rows += [ActivityRow("call", c, c.called_at) for c in calls.order_by("-called_at", "-pk")[:limit]]
    rows.sort(key=lambda row: _sort_key(row.when), reverse=True)
    return rows[:limit]


def _sort_key(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time.min, tzinfo=timezone.get_current_timezone())


# My Tasks --------------------------------------------------------------------------------------

MY_TASK_VIEWS = ("overdue", "today", "week", "all")


def my_tasks(*, user, view: str = "today", today: dt.date | None = None) -> QuerySet[Task]:
    """The user's open tasks: overdue, due today, due this week (today to Sunday) or all open."""
    today = today or timezone.localdate()
    qs = tasks_visible_to(user).filter(assigned_to=user).exclude(status=Task.Status.COMPLETED)
    if view == "overdue":
        qs = qs.filter(due_date__lt=today)
    elif view == "today":
        qs = qs.filter(due_date=today)
    elif view == "week":
        qs = qs.filter(due_date__gte=today, due_date__lte=today + dt.timedelta(days=6 - today.weekday()))
    rank = Case(When(priority=Task.Priority.HIGH, then=0), When(priority=Task.Priority.NORMAL, then=1), default=2)
    return qs.annotate(priority_rank=rank).order_by(F("due_date").asc(nulls_last=True), "priority_rank", "pk")


def my_task_counts(*, user, today: dt.date | None = None) -> dict[str, int]:
    return {view: my_tasks(user=user, view=view, today=today).count() for view in ("overdue", "today", "week")}
