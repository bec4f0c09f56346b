"""Web-to-Lead background work: pending submissions become leads when the daily window allows."""

from celery import shared_task

from .services import pending_process


@shared_task(name="webtolead.process_pending_submissions", ignore_result=True)
def process_pending_submissions() -> int:
    """Run by beat every few minutes; idempotent (a processed row is no longer pending)."""
    return pending_process()
