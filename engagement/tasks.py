"""Engagement background work: stored tracking requests become page-view events."""

from celery import shared_task

from .services import tracking_process


@shared_task(name="engagement.process_tracking", ignore_result=True)
def process_tracking() -> int:
    """Published (coalesced) after tracking requests and run by beat; idempotent: a processed
    row is no longer received."""
    return tracking_process()
