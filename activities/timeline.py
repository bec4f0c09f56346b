"""Completed tasks, past events and logged calls as items of a record's activity timeline."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.registry import TimelineItem
from core.roles import display_name

from .selectors import _sort_key, activity_history

ICONS = {"task": "check2-square", "event": "calendar-event", "call": "telephone"}


def _detail(row) -> str:
    activity = row.activity
    if row.kind == "task":
        return _("Task completed")
    if row.kind == "event":
        return " · ".join(p for p in (_("Event"), activity.location) if p)
    parts = [_("Call"), activity.get_outcome_display()]
    if activity.duration_seconds:
        parts.append(
            ngettext("%(seconds)s second", "%(seconds)s seconds", activity.duration_seconds)
            % {"seconds": activity.duration_seconds}
        )
    text = " · ".join(p for p in parts if p)
    return f"{text} — {activity.notes}" if activity.notes else text


def source_for(object_name: str):
    def activities_source(*, record, user, limit: int) -> list[TimelineItem]:
        return [
            TimelineItem(
                at=_sort_key(row.when),
                kind=row.kind,
                icon=ICONS[row.kind],
                title=row.activity.subject,
                detail=_detail(row),
                who=display_name(row.activity.assigned_to),
            )
            for row in activity_history(user=user, object_name=object_name, record=record, limit=limit)
            if row.when is not None
        ]

    activities_source.__name__ = f"activities_source_{object_name}"
    return activities_source
