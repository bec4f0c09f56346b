"""Each lead's last activity time (its newest engagement event), kept in one row per lead so the
lead list sorts and filters by it through an index."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max

from ..models import EngagementEvent, LeadLastActivity


def lead_last_activity_touch(*, lead_id: int, at: datetime) -> None:
    """Move the lead's last activity to ``at`` unless it is already later: a conditional UPDATE,
    or the first row (a concurrent first insert loses and updates instead)."""
    if LeadLastActivity.objects.filter(lead_id=lead_id, last_activity_at__lt=at).update(last_activity_at=at):
        return
    if LeadLastActivity.objects.filter(lead_id=lead_id).exists():
        return
    try:
        with transaction.atomic():
            LeadLastActivity.objects.create(lead_id=lead_id, last_activity_at=at)
    except IntegrityError:
        LeadLastActivity.objects.filter(lead_id=lead_id, last_activity_at__lt=at).update(last_activity_at=at)


def lead_last_activity_refresh(*, lead_ids) -> int:
    """Set the leads' last activity from their events (after events were moved to them)."""
    rows = (
        EngagementEvent.objects.filter(lead_id__in=list(lead_ids))
        .values("lead_id")
        .annotate(at=Max("occurred_at"))
        .order_by()
    )
    for row in rows:
        lead_last_activity_touch(lead_id=row["lead_id"], at=row["at"])
    return len(rows)


def on_lead_touch(*, lead_id: int, at: datetime, acting_user=None) -> None:
    """Lead-touch hook: a note, a logged call or a completed task is activity too."""
    if lead_id and at:
        lead_last_activity_touch(lead_id=lead_id, at=at)
