"""The Open Activities and Activity History related lists that activities adds to the record pages
of leads, contacts, accounts and opportunities (through ``core.registry``)."""

from django.template.loader import render_to_string
from django.urls import reverse

from .selectors import OBJECTS, activity_history, open_activities

__all__ = ["OBJECTS", "activity_history_part", "my_tasks_card", "open_activities_part", "part_context"]


def part_context(request, object_name: str, record) -> dict:
    user = request.user
    # A converted lead is read-only here: its activities now live on the contact.
    can_add = not (object_name == "lead" and record.is_converted)
    args = [object_name, record.pk]
    return {
        "object_name": object_name,
        "record": record,
        "can_add": can_add,
        "open_rows": None,
        "new_task_url": reverse("activities:task_new", args=args),
        "new_event_url": reverse("activities:event_new", args=args),
        "log_call_url": reverse("activities:call_new", args=args),
        "open_url": reverse("activities:part", args=[*args, "open"]),
        "history_url": reverse("activities:part", args=[*args, "history"]),
        "user": user,
    }


def render_open(request, object_name: str, record) -> str:
    context = part_context(request, object_name, record)
    context["rows"] = open_activities(user=request.user, object_name=object_name, record=record)
    return render_to_string("activities/partials/open_activities.html", context, request=request)


def render_history(request, object_name: str, record) -> str:
    context = part_context(request, object_name, record)
    context["rows"] = activity_history(user=request.user, object_name=object_name, record=record)
    return render_to_string("activities/partials/activity_history.html", context, request=request)


def _object_name_of(record) -> str:
    return record._meta.model_name


def open_activities_part(request, record) -> str:
    if request is None or not request.user.is_authenticated:
        return ""
    return render_open(request, _object_name_of(record), record)


def activity_history_part(request, record) -> str:
    if request is None or not request.user.is_authenticated:
        return ""
    return render_history(request, _object_name_of(record), record)


def my_tasks_card(request, *, limit: int = 5) -> str:
    """The "My Tasks" card (overdue and today's open tasks) for the home page."""
    from django.utils import timezone

    from .selectors import my_task_counts, my_tasks

    today = timezone.localdate()
    overdue = list(my_tasks(user=request.user, view="overdue", today=today)[:limit])
    due_today = list(my_tasks(user=request.user, view="today", today=today)[: max(limit - len(overdue), 0)])
    context = {"tasks": overdue + due_today, "counts": my_task_counts(user=request.user, today=today), "today": today}
    return render_to_string("activities/partials/my_tasks_card.html", context, request=request)
