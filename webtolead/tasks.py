"""Web-to-Lead background work: stored submissions become leads."""

from celery import shared_task

from .services import submissions_process


@shared_task(name="webtolead.process_submissions", ignore_result=True)
def process_submissions() -> int:
    """Published (coalesced) after public submissions and run by beat; idempotent: a processed row
    is neither received nor pending any more."""
    return submissions_process()
