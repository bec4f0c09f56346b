"""Leads waiting in a queue: a member accepts one (or the next), or a lead is sent to a queue."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ...models import Lead, Queue
from ...selectors import lead_is_editable_by, queue_ids_of
from ...services import lead_change_owner


def is_queue_member(queue: Queue, user) -> bool:
    return queue.pk in queue_ids_of(user)


@transaction.atomic
def lead_accept(*, lead: Lead, acting_user) -> Lead:
    """A queue member takes a lead owned by the queue: they become its owner."""
    locked = Lead.objects.select_for_update(of=("self",)).select_related("owner_queue").get(pk=lead.pk)
    if locked.owner_queue_id is None:
        raise ValidationError({"__all__": [_("This lead is not in a queue any more: someone may have accepted it.")]})
    if not is_queue_member(locked.owner_queue, acting_user):
        raise PermissionError("Only members of the queue may accept its leads.")
    if locked.is_converted:
        raise ValidationError({"__all__": [_("A converted lead cannot be accepted.")]})
    return lead_change_owner(
        lead=locked,
        owner=acting_user,
        acting_user=acting_user,
        note=f"Accepted from queue “{locked.owner_queue.name}”",
        check_access=False,
    )


@transaction.atomic
def queue_accept_next(*, queue: Queue, acting_user) -> Lead | None:
    """Give the member the queue's oldest waiting lead, or ``None`` when the queue is empty.

    Rows another member is accepting at this moment are locked; ``SKIP LOCKED`` moves on to the
    next one, so two members never get the same lead and no lead is passed over for good.
    """
    if not is_queue_member(queue, acting_user):
        raise PermissionError("Only members of the queue may accept its leads.")
    lead = (
        Lead.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(owner_queue=queue, is_converted=False)
        .order_by("owner_assigned_at", "id")
        .first()
    )
    if lead is None:
        return None
    return lead_change_owner(
        lead=lead,
        owner=acting_user,
        acting_user=acting_user,
        note=f"Accepted from queue “{queue.name}”",
        check_access=False,
    )


@transaction.atomic
def lead_send_to_queue(*, lead: Lead, queue: Queue, acting_user) -> Lead:
    """Send a lead (back) to a queue: it waits there for a member to accept it."""
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    if not lead_is_editable_by(locked, acting_user):
        raise PermissionError("You may not change the owner of this lead.")
    if locked.owner_queue_id == queue.pk:
        raise ValidationError({"queue": [_("The lead is already in the queue “%(name)s”.") % {"name": queue.name}]})
    return lead_change_owner(
        lead=locked, owner=queue, acting_user=acting_user, note=f"Sent to queue “{queue.name}”", check_access=False
    )
