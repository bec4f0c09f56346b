"""The Open Activities and Activity History related lists that activities adds to the record pages
of leads, contacts, accounts and opportunities (through ``core.registry``)."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _lazy

from core.registry import timeline_items

from .selectors import OBJECTS, open_activities

__all__ = [
    "HISTORY_FILTERS",
    "OBJECTS",
    "activity_history_part",
    "my_tasks_card",
    "open_activities_part",
    "part_context",
]


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


# The kinds of timeline items the Activity History can be narrowed to, with their labels.
HISTORY_FILTERS = (
    ("", _lazy("All")),
    ("activities", _lazy("Tasks, events and calls")),
    ("email", _lazy("Emails")),
    ("note", _lazy("Notes")),
    ("engagement", _lazy("Web and email engagement")),
)
ACTIVITY_KINDS = {"task", "event", "call"}
HISTORY_LIMIT = 25
HISTORY_MAX = 200


def render_history(request, object_name: str, record) -> str:
    """The Activity History: one timeline of what happened to the record, whichever app holds it
    (tasks, events and calls here; notes, emails and engagement registered by their apps)."""
    context = part_context(request, object_name, record)
    kind = request.GET.get("kind", "")
    if kind not in dict(HISTORY_FILTERS):
        kind = ""
    show_all = request.GET.get("all") == "1"
    limit = HISTORY_MAX if show_all else HISTORY_LIMIT
    # Each source gives up to ``limit`` items; a narrowed list asks for more so it still fills up.
    items = timeline_items(object_name, record=record, user=request.user, limit=HISTORY_MAX if kind else limit + 1)
    if kind == "activities":
        items = [item for item in items if item.kind in ACTIVITY_KINDS]
    elif kind:
        items = [item for item in items if item.kind == kind]
    context.update(
        items=items[:limit],
        has_more=len(items) > limit and not show_all,
        kind=kind,
        filters=HISTORY_FILTERS,
        show_all=show_all,
    )
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
