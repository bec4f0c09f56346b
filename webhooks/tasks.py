"""Celery tasks of the webhook outbox: thin, take ids, safe to run twice."""

from celery import shared_task

from .services import delivery_deliver, webhooks_sweep


@shared_task(name="webhooks.deliver", ignore_result=True)
def deliver_webhooks(delivery_ids: list[int]) -> dict[str, int]:
    """Send the deliveries written together, one after the other; each is claimed on its own."""
    outcomes: dict[str, int] = {}
    for delivery_id in delivery_ids:
        outcome = delivery_deliver(delivery_id=delivery_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@shared_task(name="webhooks.sweep", ignore_result=True)
def sweep_webhooks() -> dict[str, int]:
    """Every minute (celery beat): hand over deliveries that never reached the broker, and take
    back claims abandoned by a worker that died."""
    result = webhooks_sweep()
    return {"requeued": result.requeued, "published": result.published}
