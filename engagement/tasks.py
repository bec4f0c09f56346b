"""Engagement background work: stored tracking requests become page-view events."""

from celery import shared_task

from core.followups import followups_inline

from .services import tracking_process


@shared_task(name="engagement.process_tracking", ignore_result=True)
def process_tracking() -> int:
    """Published (coalesced) after tracking requests and run by beat; idempotent: a processed
    row is no longer received. The leads of each drained batch are scored again right after its
    commit, in this task (``core.followups``): an event's score is then up to date within a batch
    or two of the drain, however many tracking requests come in."""
    with followups_inline():
        return tracking_process()
