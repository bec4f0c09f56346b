"""Queues: create, rename, set members, delete."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.db import unique_as_field_error
from core.fields import validate_email
from core.roles import require_setup_admin

from ...models import Lead, Queue
from ...ownership import owner_sort_name_refresh
from ..models import LeadSettings, RuleEntry


def _queue_exists(name: str) -> str:
    return _("A queue named “%(name)s” already exists.") % {"name": name}


def _unique_queue_name(name: str):
    """A concurrent create or rename to the same name ends in the same field error."""
    message = _queue_exists(name)
    return unique_as_field_error(dict.fromkeys(("leads_queue_name_ci", "leads_queue_name_key"), ("name", message)))


def _queue_values(*, name: str, email: str, exclude_pk: int | None) -> dict:
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Enter a name.")]
    elif len(name) > 120:
        errors["name"] = [_("Use at most 120 characters.")]
    elif Queue.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
        errors["name"] = [_queue_exists(name)]
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Enter a valid email address.")]
    if errors:
        raise ValidationError(errors)
    return {"name": name, "email": email}


@transaction.atomic
def queue_create(*, name: str, email: str = "", members=(), member_groups=(), acting_user) -> Queue:
    require_setup_admin(acting_user)
    values = _queue_values(name=name, email=email, exclude_pk=None)
    with _unique_queue_name(values["name"]):
        queue = Queue.objects.create(**values)
    queue.members.set(members)
    queue.member_groups.set(member_groups)
    return queue


@transaction.atomic
def queue_update(*, queue: Queue, name: str, email: str = "", members=(), member_groups=(), acting_user) -> Queue:
    """Rename a queue and set its members; membership changes apply to visibility at once."""
    require_setup_admin(acting_user)
    locked = Queue.objects.select_for_update().get(pk=queue.pk)
    old_name = locked.name
    for key, value in _queue_values(name=name, email=email, exclude_pk=locked.pk).items():
        setattr(locked, key, value)
    with _unique_queue_name(locked.name):
        locked.save()
    if locked.name != old_name:
        owner_sort_name_refresh(locked)
    locked.members.set(members)
    locked.member_groups.set(member_groups)
    return locked


@transaction.atomic
def queue_delete(*, queue: Queue, acting_user) -> None:
    require_setup_admin(acting_user)
    problems = []
    waiting = Lead.objects.filter(owner_queue=queue).count()
    if waiting:
        problems.append(f"It owns {waiting} lead{'s' if waiting != 1 else ''}: move them to another owner first.")
    for entry in RuleEntry.objects.filter(assign_queue=queue).select_related("rule"):
        problems.append(f"Assignment rule “{entry.rule.name}”, entry {entry.sort_order} assigns to it.")
    if LeadSettings.objects.filter(default_owner_queue=queue).exists():
        problems.append("It is the default lead owner in Lead Settings.")
    if problems:
        raise ValidationError({"__all__": problems})
    queue.delete()
