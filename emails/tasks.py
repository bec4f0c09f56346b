"""Celery tasks of the outbox: thin, take ids, safe to run twice."""

from celery import shared_task

from .services.outbox import outbound_email_deliver, outbox_sweep


@shared_task(name="emails.tasks.deliver_outbound_email", ignore_result=True)
def deliver_outbound_email(email_id: int) -> str:
    """Send one outbox row; a row already claimed, sent or not yet due is left alone."""
    return outbound_email_deliver(email_id=email_id)


@shared_task(name="emails.tasks.deliver_outbound_emails", ignore_result=True)
def deliver_outbound_emails(email_ids: list[int]) -> dict[str, int]:
    """Send the outbox rows a batch queued together, one after the other; each row is claimed on
    its own, so a row already sent or taken by another worker is left alone."""
    outcomes: dict[str, int] = {}
    for email_id in email_ids:
        outcome = outbound_email_deliver(email_id=email_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@shared_task(name="emails.tasks.sweep_outbox", ignore_result=True)
def sweep_outbox() -> dict:
    """Every minute (celery beat): re-publish rows left queued (say, while the broker was down) and
    re-queue claims abandoned by a worker that died."""
    result = outbox_sweep()
    return {"requeued": result.requeued, "failed": result.failed, "published": result.published}
