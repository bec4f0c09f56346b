"""Celery tasks of activities: thin, idempotent, calling a service."""

from celery import shared_task

from .services import task_reminders_send


@shared_task(name="activities.send_task_reminders")
def send_task_reminders() -> int:
    """Beat: reminder emails of the tasks whose reminder time has come (each one once)."""
    return task_reminders_send()
