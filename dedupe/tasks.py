"""Duplicate jobs in the background: the task takes the job's id and goes on from its cursor."""

from celery import shared_task

from .services.jobs import duplicate_job_run


@shared_task(name="dedupe.run_duplicate_job", acks_late=True)
def run_duplicate_job(job_id: int) -> None:
    duplicate_job_run(job_id=job_id)
