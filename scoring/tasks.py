"""Scoring background work: a lead's score after an event or a change; a model's leads after the
model changed. Both are idempotent (scores are overwritten, never added to)."""

from datetime import UTC, datetime

from celery import shared_task

from . import alerts, bulk, services


def _still_due(lead_ids: list[int], queued_at: float | None) -> list[int]:
    """The leads not scored again since the task was queued (by a task queued later)."""
    if queued_at is None:
        return lead_ids
    since = datetime.fromtimestamp(queued_at, tz=UTC)
    done = services.leads_scored_since(lead_ids=lead_ids, since=since)
    return [pk for pk in lead_ids if pk not in done]


@shared_task(name="scoring.recompute_lead", ignore_result=True)
def recompute_lead(lead_id: int, queued_at: float | None = None) -> int:
    """The lead's scores (with any MQL hand-off) and its alert rules, after its events or fields
    changed (``queued_at``: when the changes were committed; nothing to do when a later task
    scored the lead since)."""
    if not _still_due([lead_id], queued_at):
        return 0
    scored = len(services.lead_score_recompute(lead_id=lead_id))
    alerts.lead_alerts_evaluate(lead_id=lead_id)
    return scored


@shared_task(name="scoring.recompute_leads", ignore_result=True)
def recompute_leads(lead_ids: list[int], queued_at: float | None = None) -> int:
    """Many leads' scores and alert rules at once, after one transaction changed them all."""
    lead_ids = _still_due(lead_ids, queued_at)
    if not lead_ids:
        return 0
    scored = services.leads_score_recompute(lead_ids=lead_ids)
    alerts.leads_alerts_evaluate(lead_ids=lead_ids)
    return scored


@shared_task(name="scoring.recompute_model", ignore_result=True)
def recompute_model(model_id: int) -> int:
    """Every open lead by the model: set-based SQL on PostgreSQL, batches of leads elsewhere."""
    return bulk.model_recompute_full(model_id=model_id)


@shared_task(name="scoring.apply_decay", ignore_result=True)
def apply_decay() -> int:
    """Hourly (beat): stored scores that time alone changed are computed again."""
    from .decay import decay_apply

    return decay_apply()


@shared_task(name="scoring.sync_default_scores", ignore_result=True)
def sync_default_scores() -> int:
    """After another model became the default: its stored scores onto the lead rows."""
    return services.default_scores_sync()
