"""The owner mechanism: a record is owned by exactly one of a user or a queue."""

from django.contrib.auth import get_user_model
from django.utils import timezone

from core.roles import display_name

from .models import Queue


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


def set_owner(record, owner, *, at=None) -> None:
    """Set the owner fields of an unsaved or locked record (the caller saves it)."""
    if owner is None:
        raise ValueError("A record needs an owner.")
    if isinstance(owner, Queue):
        record.owner_user, record.owner_queue = None, owner
    else:
        record.owner_user, record.owner_queue = owner, None
    if hasattr(record, "owner_assigned_at"):
        record.owner_assigned_at = at or timezone.now()
