"""Scoring background work: a lead's score after an event or a change; a model's leads after the
model changed. Both are idempotent (scores are overwritten, never added to)."""

from celery import shared_task

from . import services


@shared_task(name="scoring.recompute_lead", ignore_result=True)
def recompute_lead(lead_id: int) -> int:
    return len(services.lead_score_recompute(lead_id=lead_id))


@shared_task(name="scoring.recompute_model", ignore_result=True)
def recompute_model(model_id: int) -> int:
    return services.model_recompute(model_id=model_id)
