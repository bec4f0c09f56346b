"""The Recycle Bin: deleted records kept whole, so that they can be restored for RECYCLE_BIN_DAYS.

An object's delete service checks what only it knows (access, what may not be deleted), then calls
``recycle_bin_move`` in its transaction: the record gets a "Deleted" history line and the entry keeps
the record, the rows its deletion takes with it (``dependents``, such as a lead's notes) and the ids
of the rows that only lose their link to it (foreign keys set to null), so that a restore gives all
of them back. Its restore service calls ``recycle_bin_restore`` with an ``owner_gone`` hook that
gives the record to the restoring user when its owner has left. Recyclable records carry
``version``, ``last_modified_at`` and ``last_modified_by``.
"""

import json
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.serializers.base import DeserializationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .history import Change, history_record
from .models import FieldHistory, RecycleBinEntry
from .selectors import recycle_bin_entries


def _links(record: models.Model) -> dict[str, list[int]]:
    """``{"app.Model.field": [ids]}`` of the rows whose foreign key to ``record`` becomes null."""
    links = {}
    for relation in type(record)._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and relation.one_to_many):
            continue
        if relation.on_delete is not models.SET_NULL:
            continue
        model, field = relation.related_model, relation.field.name
        ids = list(model._base_manager.filter(**{field: record}).values_list("pk", flat=True))
        if ids:
            links[f"{model._meta.label}.{field}"] = ids
    return links


def _history(*, object_name: str, record: models.Model, acting_user, at, field: str, text: str) -> None:
    history_record(
        object_name=object_name,
        record_id=record.pk,
        changes=[Change(field, field.capitalize(), "", text)],
        acting_user=acting_user,
        record_version=record.version,
        at=at,
    )


def recycle_bin_move(
    *,
    object_name: str,
    record: models.Model,
    dependents: Iterable[models.Model] = (),
    name: str,
    detail: str = "",
    owner_user=None,
    acting_user,
) -> RecycleBinEntry:
    """Delete ``record`` (locked and checked by the caller) into the bin, in the caller's transaction;
    its history stays for a restore."""
    now = timezone.now()
    _history(
        object_name=object_name,
        record=record,
        acting_user=acting_user,
        at=now,
        field="deleted",
        text="Moved to the Recycle Bin",
    )
    payload = {
        "records": json.loads(serializers.serialize("json", [record, *dependents])),
        "links": _links(record),
    }
    entry = RecycleBinEntry.objects.create(
        object_name=object_name,
        record_id=record.pk,
        name=(name or str(record))[:255],
        detail=(detail or "")[:255],
        payload=payload,
        owner_user=owner_user if getattr(owner_user, "pk", None) else None,
        deleted_by=acting_user if getattr(acting_user, "pk", None) else None,
        deleted_at=now,
    )
    record.delete()
    return entry


def _missing_required(obj: models.Model) -> list[models.Field]:
    """Clear the optional foreign keys of ``obj`` whose rows are gone; answer the required ones."""
    missing = []
    for field in obj._meta.concrete_fields:
        if not field.many_to_one and not field.one_to_one:
            continue
        value = getattr(obj, field.attname)
        if value is None or field.related_model._base_manager.filter(pk=value).exists():
            continue
        if field.null:
            setattr(obj, field.attname, None)
        else:
            missing.append(field)
    return missing


def _locked_entry(entry: RecycleBinEntry, user, object_name: str | None = None) -> RecycleBinEntry | None:
    entries = recycle_bin_entries(user=user, object_name=object_name)
    return entries.select_for_update(of=("self",)).filter(pk=entry.pk).first()


def recycle_bin_restore(
    *, entry: RecycleBinEntry, object_name: str, label: str, acting_user, owner_gone: Callable[..., bool]
):
    """Put the record of ``entry`` back under its own id, then its dependents and links, as a change
    by ``acting_user`` with a "Restored" history line; the entry leaves the bin. ``owner_gone(record)``
    answers whether the record's owner has left, after giving the record to ``acting_user``. Runs in
    the caller's transaction."""
    now = timezone.now()
    with transaction.atomic():
        locked = _locked_entry(entry, acting_user, object_name)
        if locked is None:
            raise ValidationError(
                {"__all__": [_("This %(label)s is no longer in your Recycle Bin.") % {"label": label}]}
            )
        try:
            stored = json.dumps(locked.payload["records"])
            objects = [item.object for item in serializers.deserialize("json", stored, ignorenonexistent=True)]
        except (KeyError, TypeError, LookupError, DeserializationError) as exc:
            raise ValidationError(
                {"__all__": [_("This %(label)s can no longer be restored: %(exc)s") % {"label": label, "exc": exc}]}
            ) from exc
        if not objects:
            raise ValidationError(
                {
                    "__all__": [
                        _("This %(label)s can no longer be restored: its stored form is unreadable.") % {"label": label}
                    ]
                }
            )
        record, dependents = objects[0], objects[1:]
        record.version += 1
        record.last_modified_at = now
        record.last_modified_by = acting_user
        note = "; its owner no longer exists or is inactive, so it is yours now" if owner_gone(record) else ""
        missing = _missing_required(record)
        if missing:
            names = ", ".join(str(field.verbose_name) for field in missing)
            raise ValidationError(
                {
                    "__all__": [
                        _("This %(label)s cannot be restored: its %(names)s was deleted. Restore that first.")
                        % {"label": label, "names": names}
                    ]
                }
            )
        try:
            with transaction.atomic():
                record.save(force_insert=True)
        except IntegrityError as exc:
            raise ValidationError(
                {
                    "__all__": [
                        _("This %(label)s cannot be restored: a record with its id or unique values exists.")
                        % {"label": label}
                    ]
                }
            ) from exc
        for dependent in dependents:
            # Back already through another entry, or tied to a record that is gone: leave it.
            if type(dependent)._base_manager.filter(pk=dependent.pk).exists() or _missing_required(dependent):
                continue
            dependent.save(force_insert=True)
        for key, ids in (locked.payload.get("links") or {}).items():
            model_label, field = key.rsplit(".", 1)
            try:
                model = apps.get_model(model_label)
            except LookupError:
                continue
            model._base_manager.filter(pk__in=ids, **{f"{field}__isnull": True}).update(**{field: record})
        locked.delete()
        _history(
            object_name=object_name,
            record=record,
            acting_user=acting_user,
            at=now,
            field="restored",
            text="Restored from the Recycle Bin" + note,
        )
        return record


def _forget(entries) -> int:
    """Remove entries for good, with the field history of the records they held."""
    removed = 0
    for entry in entries:
        FieldHistory.objects.filter(object_name=entry.object_name, record_id=entry.record_id).delete()
        entry.delete()
        removed += 1
    return removed


@transaction.atomic
def recycle_bin_purge(*, entry: RecycleBinEntry, acting_user) -> None:
    """Delete one entry permanently: admins, and the users who see it in their Recycle Bin."""
    locked = _locked_entry(entry, acting_user)
    if locked is None:
        raise ValidationError({"__all__": [_("This record is no longer in your Recycle Bin.")]})
    _forget([locked])


@transaction.atomic
def recycle_bin_purge_expired(*, now=None) -> int:
    """Entries older than ``RECYCLE_BIN_DAYS`` leave the bin for good (periodic task)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.RECYCLE_BIN_DAYS)
    expired = RecycleBinEntry.objects.select_for_update(skip_locked=True).filter(deleted_at__lt=cutoff)
    return _forget(expired.order_by("pk")[:1000])
