"""Celery tasks of nurture sequences: thin, take ids, safe to run twice."""

from celery import shared_task

from emails.services import outbound_email_deliver

from .services import nurture_tick


@shared_task(name="nurture.tick", ignore_result=True)
def tick(now: str | None = None) -> dict:
    """Every minute (celery beat): run the due enrolments. ``now`` (ISO time) runs them as of
    another time (tests that move the clock forward)."""
    from django.utils.dateparse import parse_datetime

    result = nurture_tick(now=parse_datetime(now) if now else None)
    return {"processed": result.processed, "sent": result.sent, "exited": result.exited}


@shared_task(name="nurture.deliver_emails", ignore_result=True)
def deliver_nurture_emails(email_ids: list[int]) -> int:
    """Send a chunk of outbox rows written by the scheduler (each claimed by the outbox as usual:
    a row already sent or claimed is left alone)."""
    return sum(outbound_email_deliver(email_id=pk) == "sent" for pk in email_ids)
