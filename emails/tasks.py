"""Celery tasks of the outbox: thin, take ids, safe to run twice."""

from celery import shared_task

from .services.outbox import outbound_email_deliver, outbox_sweep


@shared_task(name="emails.tasks.deliver_outbound_email", ignore_result=True)
def deliver_outbound_email(email_id: int) -> str:
    """Send one outbox row; a row already claimed, sent or not yet due is left alone."""
    return outbound_email_deliver(email_id=email_id)


@shared_task(name="emails.tasks.sweep_outbox", ignore_result=True)
def sweep_outbox() -> dict:
    """Every minute (celery beat): re-publish rows left queued (say, while the broker was down) and
    re-queue claims abandoned by a worker that died."""
    result = outbox_sweep()
    return {"requeued": result.requeued, "failed": result.failed, "published": result.published}
