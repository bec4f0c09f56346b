"""The email to a lead's new owner when an assignment rule entry gives it a notification template.

Written to the outbox in the assigning transaction, like every other email: it is sent when the
assignment commits, and the outbox sweeper sends it even when the broker was down at that moment.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction

from emails.models import EmailTemplate, OutboundEmail
from emails.services import email_enqueue_from_template

from ...fields import OBJECT_NAME
from ...models import Lead
from ..models import RuleEntry

logger = logging.getLogger(__name__)


def assignment_recipients(lead: Lead) -> list[str]:
    """The new owner's address; for a queue, its email, or else every member's address."""
    if lead.owner_user_id:
        return [lead.owner_user.email] if lead.owner_user.email else []
    queue = lead.owner_queue
    if queue is None:
        return []
    if queue.email:
        return [queue.email]
    addresses = {u.email for u in queue.members.filter(is_active=True) if u.email}
    for group in queue.member_groups.all():
        addresses.update(u.email for u in group.user_set.filter(is_active=True) if u.email)
    return sorted(addresses)


def assignment_notification_enqueue(*, lead: Lead, entry: RuleEntry, acting_user=None) -> list[OutboundEmail]:
    """Write the notification of the lead's new owner (one email per address) to the outbox.

    The idempotency key is per lead version and address: assigning the same version again writes
    nothing more. A notification that cannot be written (an address the outbox refuses) is logged
    and never undoes the assignment."""
    if entry.notification_template_id is None:
        return []
    # Read now: the entry may come from a compiled rule cached before the template was edited.
    template = EmailTemplate.objects.filter(pk=entry.notification_template_id, is_active=True).first()
    if template is None:
        return []
    emails = []
    for address in assignment_recipients(lead):
        try:
            with transaction.atomic():
                emails.append(
                    email_enqueue_from_template(
                        template=template,
                        record=lead,
                        object_name=OBJECT_NAME,
                        to=address,
                        kind=OutboundEmail.Kind.ASSIGNMENT,
                        idempotency_key=f"lead-assignment:{lead.pk}:{lead.version}:{address.lower()}",
                        acting_user=acting_user if getattr(acting_user, "pk", None) else None,
                    )
                )
        except ValidationError as exc:
            logger.warning("Assignment notification of lead %s to %s not queued: %s", lead.pk, address, exc.messages)
    return emails
