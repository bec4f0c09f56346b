"""Celery tasks of lead routing: thin, take ids, re-read, safe to run twice."""

from celery import shared_task

from ..models import Lead
from .models import RuleEntry
from .services.notification import assignment_notification_enqueue


@shared_task(name="leads.routing.assignment_notify", ignore_result=True)
def assignment_notify(*, lead_id: int, entry_id: int, lead_version: int) -> int:
    """Write the new owner's notification to the outbox. Assignment writes it in its own
    transaction now; the task stays for messages published before that, and writes nothing more
    (the idempotency key is per lead version and address). A lead that moved on is left alone."""
    lead = Lead.objects.select_related("owner_user", "owner_queue").filter(pk=lead_id).first()
    entry = RuleEntry.objects.filter(pk=entry_id).first()
    if lead is None or entry is None or lead.version != lead_version:
        return 0
    return len(assignment_notification_enqueue(lead=lead, entry=entry))
