"""Merging up to three leads into a master, and undoing a merge.

One transaction: the leads are locked; the master takes the chosen field values (a history line);
every related row that an app registered (``core.registry.register_reparent``) moves from the
losing leads to the master, except a row whose twin the master holds already; the losing leads go
to the Recycle Bin with the rows still tied to them, and a ``LeadMerge`` keeps what the master held
before, the rows moved and the bin entries. Undo restores the losing leads from the bin, moves the
rows back and gives the master its earlier values."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.history import Change, history_record
from core.models import RecycleBinEntry
from core.recycle_bin import recycle_bin_move, recycle_bin_restore
from core.registry import ReparentSpec, reparent_specs
from leads.fields import WRITABLE_FIELDS
from leads.models import Lead
from leads.ownership import owner_sort_name
from leads.selectors import lead_is_editable_by
from leads.services import lead_update

from ..models import LeadMerge
from .keys import keys_refresh

MAX_LEADS = 3


def _snapshot(lead: Lead) -> dict:
    values = {name: getattr(lead, name) for name in WRITABLE_FIELDS}
    values["custom_fields"] = dict(lead.custom_fields or {})
    return values


def _json(values: dict) -> dict:
    return {
        k: (str(v) if v is not None and not isinstance(v, (str, int, bool, dict, list)) else v)
        for k, v in values.items()
    }


def _spec_key(spec: ReparentSpec) -> str:
    return f"{spec.model._meta.label}.{spec.field}"


def _rows(spec: ReparentSpec, record_id: int):
    return spec.model._base_manager.filter(**{spec.field: record_id}, **spec.match)


def _move(spec: ReparentSpec, *, loser_id: int, master_id: int) -> tuple[list[int], list[models.Model]]:
    """Move the loser's rows of ``spec`` to the master; answers the ids moved and the rows kept
    (their twin is on the master: they go to the Recycle Bin with the loser)."""
    rows = list(_rows(spec, loser_id).order_by("pk"))
    if not rows:
        return [], []
    kept: list[models.Model] = []
    if spec.one_to_one:
        if _rows(spec, master_id).exists():
            return [], rows
        movable = rows
    elif spec.unique_with:
        taken = set(_rows(spec, master_id).values_list(*spec.unique_with))
        movable = []
        for row in rows:
            twin = tuple(getattr(row, name + ("_id" if _is_fk(spec.model, name) else "")) for name in spec.unique_with)
            (kept if twin in taken else movable).append(row)
    else:
        movable = rows
    ids = [row.pk for row in movable]
    if ids:
        spec.model._base_manager.filter(pk__in=ids).update(**{spec.field: master_id})
    return ids, kept


def _is_fk(model, name: str) -> bool:
    return model._meta.get_field(name).is_relation


def _unregistered_dependents(lead: Lead, specs: list[ReparentSpec]) -> list[models.Model]:
    """Rows that the lead's deletion would take with it (on_delete CASCADE) and that no app asked
    to move: kept whole in the Recycle Bin entry, so an undo gives them back."""
    covered = {(spec.model, spec.field) for spec in specs}
    rows = []
    for relation in Lead._meta.related_objects:
        if relation.on_delete is not models.CASCADE:
            continue
        model, name = relation.related_model, relation.field.name
        if (model, name) in covered:
            continue
        rows.extend(model._base_manager.filter(**{name: lead.pk}).order_by("pk"))
    return rows


def _clean_request(master_id, merged_ids) -> tuple[int, list[int]]:
    try:
        master_id = int(master_id)
        losers = [int(pk) for pk in merged_ids]
    except (TypeError, ValueError):
        raise ValidationError({"merged_ids": [_("Give the ids of the leads to merge.")]}) from None
    if not losers:
        raise ValidationError({"merged_ids": [_("Choose at least one lead to merge into the master.")]})
    if len(set(losers)) != len(losers) or master_id in losers:
        raise ValidationError({"merged_ids": [_("Each lead may be chosen once, apart from the master.")]})
    if len(losers) + 1 > MAX_LEADS:
        raise ValidationError({"merged_ids": [_("Merge at most %(max)d leads at a time.") % {"max": MAX_LEADS}]})
    return master_id, losers


@transaction.atomic
def lead_merge(
    *, master_id: int, merged_ids: list[int], values: dict | None = None, value_from: dict | None = None, acting_user
) -> LeadMerge:
    """Merge the leads ``merged_ids`` into the lead ``master_id``, which takes ``values`` (field ->
    value chosen) and the values of ``value_from`` (field -> the id of the lead whose value it
    takes); fields left out keep the master's value. Every lead must be one the user may edit
    (``PermissionError``); converted leads cannot be merged."""
    master_id, losers = _clean_request(master_id, merged_ids)
    locked = {
        lead.pk: lead for lead in Lead.objects.select_for_update().filter(pk__in=[master_id, *losers]).order_by("pk")
    }
    if len(locked) != len(losers) + 1:
        raise ValidationError({"merged_ids": [_("One of the leads no longer exists.")]})
    for lead in locked.values():
        if not lead_is_editable_by(lead, acting_user):
            raise PermissionError("You may not edit one of these leads.")
        if lead.is_converted:
            raise ValidationError({"merged_ids": [_("Converted leads cannot be merged.")]})
    master = locked[master_id]
    before = _snapshot(master)
    values = dict(values or {})
    for name, source_id in (value_from or {}).items():
        try:
            source = locked[int(source_id)]
        except (KeyError, TypeError, ValueError):
            raise ValidationError({"value_from": [_("Take values only from the leads being merged.")]}) from None
        if name in WRITABLE_FIELDS and name not in values:
            values[name] = getattr(source, name)
    unknown = sorted(set(values) - set(WRITABLE_FIELDS) - {"custom_fields"})
    if unknown:
        raise ValidationError({"values": [_("Unknown fields: %(names)s.") % {"names": ", ".join(unknown)}]})
    custom = values.pop("custom_fields", None)
    note = "Merged with lead(s) " + ", ".join(str(pk) for pk in losers)
    master = lead_update(lead=master, data=values, custom_fields=custom, acting_user=acting_user, history_note=note)
    # The merge itself is a line of the master's history, whether or not a field changed
    # (webhooks send it as lead.merged).
    history_record(
        object_name="lead",
        record_id=master.pk,
        changes=[Change("merged", "Merged", "", note)],
        acting_user=acting_user,
        record_version=master.version,
        note=note,
    )
    specs = reparent_specs("lead")
    moved: dict[str, dict[str, list[int]]] = {}
    entries = []
    for loser_id in losers:
        kept: list[models.Model] = []
        for spec in specs:
            ids, spec_kept = _move(spec, loser_id=loser_id, master_id=master.pk)
            if ids:
                moved.setdefault(_spec_key(spec), {})[str(loser_id)] = ids
            kept.extend(row for row in spec_kept if spec.model._meta.get_field(spec.field).is_relation)
        loser = locked[loser_id]
        dependents = kept + _unregistered_dependents(loser, specs)
        entry = recycle_bin_move(
            object_name="lead",
            record=loser,
            dependents=dependents,
            name=loser.name or loser.last_name,
            detail=_("Merged into lead %(id)s") % {"id": master.pk},
            owner_user=loser.owner_user,
            acting_user=acting_user,
        )
        entries.append(entry.pk)
    keys_refresh(object_name="lead", record_ids=[master.pk, *losers])
    return LeadMerge.objects.create(
        master_id=master.pk,
        merged_ids=losers,
        master_before=_json(before),
        master_after=_json(_snapshot(master)),
        master_version=master.version,
        moved=moved,
        recycle_entry_ids=entries,
        merged_at=timezone.now(),
        merged_by=acting_user if getattr(acting_user, "pk", None) else None,
    )


def _spec_by_key() -> dict[str, ReparentSpec]:
    return {_spec_key(spec): spec for spec in reparent_specs("lead")}


def _owner_kept(lead: Lead) -> bool:
    """A merged lead comes back to its owner, under the owner's current sort name."""
    lead.owner_sort_name = owner_sort_name(lead.owner)
    return False


@transaction.atomic
def lead_merge_undo(*, merge: LeadMerge, acting_user) -> LeadMerge:
    """Undo a merge: the losing leads come back from the Recycle Bin with their rows, the rows
    moved to the master go back, and the master's fields that still hold what the merge gave them
    take their earlier values."""
    locked = LeadMerge.objects.select_for_update().filter(pk=merge.pk).first()
    if locked is None or locked.undone_at is not None:
        raise ValidationError({"__all__": [_("This merge was undone already.")]})
    master = Lead.objects.select_for_update().filter(pk=locked.master_id).first()
    if master is None:
        raise ValidationError({"__all__": [_("The master lead no longer exists; restore it first.")]})
    if not lead_is_editable_by(master, acting_user):
        raise PermissionError("You may not edit the master lead.")
    entries = RecycleBinEntry.objects.filter(pk__in=locked.recycle_entry_ids, object_name="lead")
    if entries.count() != len(locked.recycle_entry_ids):
        raise ValidationError(
            {"__all__": [_("A merged lead has left the Recycle Bin (restored or purged); the merge cannot be undone.")]}
        )
    for entry in entries.order_by("pk"):
        recycle_bin_restore(
            entry=entry, object_name="lead", label="lead", acting_user=acting_user, owner_gone=_owner_kept
        )
    specs = _spec_by_key()
    for key, by_loser in (locked.moved or {}).items():
        spec = specs.get(key)
        if spec is None:
            continue
        for loser_id, ids in by_loser.items():
            spec.model._base_manager.filter(pk__in=ids).update(**{spec.field: int(loser_id)})
    current = _json(_snapshot(master))
    before, after = locked.master_before, locked.master_after
    data = {
        k: before[k]
        for k in before
        if k != "custom_fields" and current.get(k) == after.get(k) and before[k] != after[k]
    }
    custom = None
    if current.get("custom_fields") == after.get("custom_fields") and before.get("custom_fields") != after.get(
        "custom_fields"
    ):
        custom = before.get("custom_fields") or {}
    if data or custom is not None:
        lead_update(
            lead=master,
            data={k: ("" if v is None and k not in _NULLABLE else v) for k, v in data.items()},
            custom_fields=custom,
            acting_user=acting_user,
            history_note=f"Merge of lead(s) {', '.join(str(i) for i in locked.merged_ids)} undone",
        )
    keys_refresh(object_name="lead", record_ids=[master.pk, *locked.merged_ids])
    locked.undone_at = timezone.now()
    locked.undone_by = acting_user if getattr(acting_user, "pk", None) else None
    locked.save(update_fields=["undone_at", "undone_by"])
    return locked


_NULLABLE = {"annual_revenue", "number_of_employees"}
