"""The owner mechanism: a record is owned by exactly one of a user or a queue."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from core.roles import display_name

from .models import OWNER_SORT_NAME_LENGTH, Lead, Queue


def owner_label(owner) -> str:
    if owner is None:
        return ""
    if isinstance(owner, Queue):
        return f"Queue: {owner.name}"
    return display_name(owner)


def owner_key(owner) -> str:
    """A stable text form, ``user:<id>`` or ``queue:<id>``, used in forms, filters and history."""
    if owner is None:
        return ""
    return f"queue:{owner.pk}" if isinstance(owner, Queue) else f"user:{owner.pk}"


def owner_from_key(key: str):
    """``user:<id>`` / ``queue:<id>`` -> the active user or the queue; ``None`` when unknown."""
    kind, _, raw_id = (key or "").partition(":")
    if not raw_id.isdigit():
        return None
    if kind == "user":
        return get_user_model().objects.filter(pk=int(raw_id), is_active=True).first()
    if kind == "queue":
        return Queue.objects.filter(pk=int(raw_id)).first()
    return None


def owner_sort_name(owner) -> str:
    """What the lead list sorts the Owner column by: a user's last then first name (else their
    username), a queue's name. Kept on the lead row (``Lead.owner_sort_name``) so that the sort
    is read off an index; the list compares it ignoring case."""
    if owner is None:
        return ""
    if isinstance(owner, Queue):
        name = owner.name
    else:
        name = " ".join(part for part in (owner.last_name, owner.first_name) if part) or owner.get_username()
    return name[:OWNER_SORT_NAME_LENGTH]


def set_owner(record, owner, *, at=None) -> None:
    """Set the owner fields of an unsaved or locked record (the caller saves it), with the owner's
    sort name where the record keeps one."""
    if owner is None:
        raise ValueError("A record needs an owner.")
    if isinstance(owner, Queue):
        record.owner_user, record.owner_queue = None, owner
    else:
        record.owner_user, record.owner_queue = owner, None
    if hasattr(record, "owner_assigned_at"):
        record.owner_assigned_at = at or timezone.now()
    if hasattr(record, "owner_sort_name"):
        record.owner_sort_name = owner_sort_name(owner)


def owner_sort_name_refresh(owner) -> int:
    """A user or queue was renamed: every lead it owns takes its new sort name, in one statement
    (leads already holding it are not written). Answers how many leads changed. No edit of the
    leads: no version, no history."""
    if owner is None or not owner.pk:
        return 0
    name = owner_sort_name(owner)
    owned = Q(owner_queue_id=owner.pk) if isinstance(owner, Queue) else Q(owner_user_id=owner.pk)
    return Lead.objects.filter(owned).exclude(owner_sort_name=name).update(owner_sort_name=name)


def user_renamed(*, user) -> None:
    """A user's name changed (``core.registry.register_user_rename_hook``)."""
    owner_sort_name_refresh(user)
