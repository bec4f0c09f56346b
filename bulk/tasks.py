"""Celery tasks of the bulk API: thin, take ids, re-read, safe to run twice."""

from celery import shared_task

from .services import bulk_jobs_sweep, ingest_job_run, query_job_run


@shared_task(name="bulk.run_ingest_job", ignore_result=True)
def run_ingest_job(job_id: int) -> str:
    """Hand an insert, update or upsert to the import pipeline, or run a delete's batches."""
    job = ingest_job_run(job_id=job_id)
    return "" if job is None else job.state


@shared_task(name="bulk.run_query_job", ignore_result=True)
def run_query_job(job_id: int) -> str:
    """Write a query job's CSV."""
    job = query_job_run(job_id=job_id)
    return "" if job is None else job.state


@shared_task(name="bulk.sweep_jobs", ignore_result=True)
def sweep_jobs() -> int:
    """Run by beat: jobs that went quiet are handed to a worker again."""
    return len(bulk_jobs_sweep())
