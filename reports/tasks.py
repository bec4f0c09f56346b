"""Celery tasks of reports: thin, idempotent, calling a service."""

from celery import shared_task

from .backlog import backlog_snapshot_take
from .intake_rollup import intake_counts_sweep
from .rollups import rollups_refresh, rollups_sweep
from .schedules import report_schedules_send


@shared_task(name="reports.refresh_lead_rollups")
def refresh_lead_rollups(lead_id: int | None = None, lead_ids: list[int] | None = None) -> int:
    """A changed lead's rollups, or a batch's (safe to run twice: the facts are rewritten from the
    leads)."""
    return rollups_refresh(lead_ids=[lead_id] if lead_id is not None else list(lead_ids or []))


@shared_task(name="reports.sweep_rollups")
def sweep_rollups() -> int:
    """Beat: leads created or changed since the last sweep reach the rollups, and submissions
    received or processed since then the daily intake counts."""
    leads = rollups_sweep()
    intake_counts_sweep()
    return leads


@shared_task(name="reports.send_scheduled_reports")
def send_scheduled_reports() -> int:
    """Beat: scheduled reports whose day or week has come go to the outbox (each period once)."""
    return report_schedules_send()


@shared_task(name="reports.snapshot_queue_backlog")
def snapshot_queue_backlog() -> int:
    """Beat: today's backlog of every queue (rewritten until the day ends)."""
    return backlog_snapshot_take()
