"""Celery tasks of list email: thin, take ids, safe to run twice."""

from celery import shared_task

from .services import list_email_process, list_emails_sweep


@shared_task(name="listemail.tasks.process_list_email", ignore_result=True)
def process_list_email(send_id: int) -> int:
    """Write the outbox rows of a list email's pending recipients, in batches."""
    return list_email_process(send_id=send_id)


@shared_task(name="listemail.tasks.sweep_list_emails", ignore_result=True)
def sweep_list_emails() -> int:
    """Every minute (celery beat): start again the list emails that stopped moving."""
    return list_emails_sweep()
