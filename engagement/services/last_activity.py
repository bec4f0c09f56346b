"""Each lead's last activity time (its newest engagement event, status change, note, logged call or
completed task), kept on the lead row (``leads.sort_keys``) so that the lead list sorts and
filters by it through an index."""

from datetime import datetime

from django.db.models import Max

from leads.sort_keys import lead_last_activity_advance, leads_last_activity_advance

from ..models import EngagementEvent


def lead_last_activity_touch(*, lead_id: int, at: datetime) -> None:
    """Move the lead's last activity to ``at`` unless it is already later (a conditional UPDATE)."""
    lead_last_activity_advance(lead_id=lead_id, at=at)


def leads_last_activity_touch(*, times: dict[int, datetime]) -> int:
    """``lead_last_activity_touch`` for many leads in one statement; answers how many moved."""
    return leads_last_activity_advance(times=times)


def lead_last_activity_refresh(*, lead_ids) -> int:
    """Set the leads' last activity from their events (after events were moved to them)."""
    rows = (
        EngagementEvent.objects.filter(lead_id__in=list(lead_ids))
        .values("lead_id")
        .annotate(at=Max("occurred_at"))
        .order_by()
    )
    times = {row["lead_id"]: row["at"] for row in rows}
    leads_last_activity_advance(times=times)
    return len(times)


def on_lead_touch(*, lead_id: int, at: datetime, acting_user=None) -> None:
    """Lead-touch hook: a note, a logged call, a completed task or a status change is activity too."""
    if lead_id and at:
        lead_last_activity_touch(lead_id=lead_id, at=at)
