"""Celery tasks of lead imports: thin, take ids, re-read, safe to run twice."""

from celery import shared_task

from .processing import lead_import_dry_run, lead_import_process
from .services import lead_imports_purge_files, lead_imports_requeue_stalled


@shared_task(name="leads.imports.process_lead_import", ignore_result=True)
def process_lead_import(import_id: int) -> int:
    """Import the batches after the last committed one; committed batches are left alone."""
    lead_import = lead_import_process(lead_import_id=import_id)
    return 0 if lead_import is None else lead_import.created_count


@shared_task(name="leads.imports.dry_run_lead_import", ignore_result=True)
def dry_run_lead_import(import_id: int) -> int:
    """Count what the import would do, writing nothing (each batch is rolled back)."""
    lead_import = lead_import_dry_run(lead_import_id=import_id)
    return 0 if lead_import is None else int((lead_import.dry_run or {}).get("rows", 0))


@shared_task(name="leads.imports.requeue_stalled_imports", ignore_result=True)
def requeue_stalled_imports() -> int:
    """Run by beat: imports that went quiet (dead worker or broker) are queued again."""
    return len(lead_imports_requeue_stalled())


@shared_task(name="leads.imports.purge_import_files", ignore_result=True)
def purge_import_files() -> int:
    """Run by beat: the uploaded files of ended imports are removed once nothing reads them."""
    return lead_imports_purge_files()
