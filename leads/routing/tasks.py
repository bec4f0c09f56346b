"""Celery tasks of lead routing: thin, take ids, re-read, safe to run twice."""

from celery import shared_task
from django.db import transaction

from ..models import Lead
from .models import RuleEntry


def assignment_recipients(lead: Lead) -> list[str]:
    """The new owner's address; for a queue, its email, or else every member's address."""
    if lead.owner_user_id:
        return [lead.owner_user.email] if lead.owner_user.email else []
    queue = lead.owner_queue
    if queue.email:
        return [queue.email]
    addresses = {u.email for u in queue.members.filter(is_active=True) if u.email}
    for group in queue.member_groups.all():
        addresses.update(u.email for u in group.user_set.filter(is_active=True) if u.email)
    return sorted(addresses)


@shared_task(name="leads.routing.assignment_notify", ignore_result=True)
def assignment_notify(*, lead_id: int, entry_id: int, lead_version: int) -> int:
    """Email the new owner (or the queue) with the entry's template. The idempotency key is per
    lead version and address, so running twice sends nothing more; a lead that moved on since is
    left alone."""
    from emails.services import email_enqueue_from_template

    lead = Lead.objects.select_related("owner_user", "owner_queue").filter(pk=lead_id).first()
    entry = RuleEntry.objects.select_related("notification_template").filter(pk=entry_id).first()
    if lead is None or entry is None or entry.notification_template is None or lead.version != lead_version:
        return 0
    sent = 0
    with transaction.atomic():
        for address in assignment_recipients(lead):
            email_enqueue_from_template(
                template=entry.notification_template,
                record=lead,
                object_name="lead",
                to=address,
                kind="assignment_notification",
                idempotency_key=f"lead-assignment:{lead.pk}:{lead_version}:{address.lower()}",
            )
            sent += 1
    return sent
