"""A lead's website visits, form submissions and email opens and clicks, as items of its activity
timeline. Emails sent are the emails' own items; machine opens are left out."""

from django.utils.translation import gettext as _

from core.registry import TimelineItem

from .models import EngagementEvent

ICONS = {
    EngagementEvent.Type.PAGE_VIEW: "globe",
    EngagementEvent.Type.FORM_SUBMIT: "ui-checks",
    EngagementEvent.Type.EMAIL_OPEN: "envelope-open",
    EngagementEvent.Type.EMAIL_CLICK: "cursor",
    EngagementEvent.Type.UNSUBSCRIBE: "envelope-x",
    EngagementEvent.Type.STATUS_CHANGE: "signpost",
    EngagementEvent.Type.CUSTOM: "lightning",
}


def lead_events_source(*, record, user, limit: int) -> list[TimelineItem]:
    events = (
        EngagementEvent.objects.filter(lead=record, is_machine=False)
        .exclude(event_type=EngagementEvent.Type.EMAIL_SENT)
        .order_by("-occurred_at", "-id")[:limit]
    )
    return [
        TimelineItem(
            at=event.occurred_at,
            kind="engagement",
            icon=ICONS.get(event.event_type, "activity"),
            title=event.get_event_type_display(),
            detail=event.title or event.url or event.campaign or "",
            who=_("Website") if event.event_type == EngagementEvent.Type.PAGE_VIEW else "",
        )
        for event in events
    ]
