"""Celery tasks of lead imports: thin, take ids, re-read, safe to run twice."""

from celery import shared_task

from .services import lead_import_process, lead_imports_requeue_stalled


@shared_task(name="leads.imports.process_lead_import", ignore_result=True)
def process_lead_import(import_id: int) -> int:
    """Create the leads of the rows still pending; rows already processed are left alone."""
    lead_import = lead_import_process(lead_import_id=import_id)
    return 0 if lead_import is None else lead_import.created_count


@shared_task(name="leads.imports.requeue_stalled_imports", ignore_result=True)
def requeue_stalled_imports() -> int:
    """Run by beat: imports left with pending rows (dead worker or broker) are queued again."""
    return len(lead_imports_requeue_stalled())
