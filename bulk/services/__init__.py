"""Services of the bulk API: ingest jobs (``ingest``), query jobs (``query``), who may use them
(``access``), the CSV files (``files``) and the sweeper. Public names are re-exported here."""

from datetime import timedelta
from functools import partial

from django.db.models import Q
from django.utils import timezone

from ..models import ACTIVE_STATES, IngestJob, QueryJob
from .access import IMPORT_RECORDS, may_import, may_manage
from .ingest import (
    import_hooks_of,
    ingest_job_abort,
    ingest_job_close,
    ingest_job_create,
    ingest_job_delete,
    ingest_job_finish_from_import,
    ingest_job_run,
    ingest_job_upload,
    publish_ingest,
)
from .query import publish_query, query_job_abort, query_job_create, query_job_delete, query_job_run

# A job whose worker has been quiet this long is handed to a worker again.
STALL_AFTER = timedelta(minutes=2)


def bulk_jobs_sweep(*, now=None) -> list[tuple[str, int]]:
    """Hand to a worker again the jobs that went quiet: closed jobs never taken (broker down),
    deletes and queries whose worker died; and end the jobs whose import ended meanwhile. Imports
    that stall are the imports' sweeper's (it runs the same pipeline with the job's hooks)."""
    from django.db import transaction

    now = now or timezone.now()
    stale = Q(last_activity_at__lt=now - STALL_AFTER) | Q(last_activity_at__isnull=True)
    handed: list[tuple[str, int]] = []
    for job in IngestJob.objects.filter(stale, state__in=ACTIVE_STATES).select_related("lead_import"):
        if job.lead_import is not None:
            if not job.lead_import.is_active:
                ingest_job_finish_from_import(job.pk, job.lead_import)
            continue
        if IngestJob.objects.filter(pk=job.pk, state__in=ACTIVE_STATES).update(last_activity_at=now):
            transaction.on_commit(partial(publish_ingest, job.pk))
            handed.append(("ingest", job.pk))
    for pk in QueryJob.objects.filter(stale, state__in=ACTIVE_STATES).values_list("pk", flat=True):
        if QueryJob.objects.filter(pk=pk, state__in=ACTIVE_STATES).update(last_activity_at=now):
            transaction.on_commit(partial(publish_query, pk))
            handed.append(("query", pk))
    return handed


__all__ = [
    "IMPORT_RECORDS",
    "STALL_AFTER",
    "bulk_jobs_sweep",
    "import_hooks_of",
    "ingest_job_abort",
    "ingest_job_close",
    "ingest_job_create",
    "ingest_job_delete",
    "ingest_job_finish_from_import",
    "ingest_job_run",
    "ingest_job_upload",
    "may_import",
    "may_manage",
    "query_job_abort",
    "query_job_create",
    "query_job_delete",
    "query_job_run",
]
