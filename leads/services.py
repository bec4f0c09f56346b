"""Writes to leads. The browser, the API, web-to-lead, imports and tasks all call these."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core.fields import clean_custom_fields, is_blank, validate_web_address
from core.history import Change, diff, history_for, history_record
from core.memo import memoized
from core.models import PicklistValue, RecordType, RecycleBinEntry
from core.record_types import record_type_available_to
from core.recycle_bin import recycle_bin_move, recycle_bin_restore
from core.registry import run_lead_touch_hooks
from core.selectors import field_labels, picklist_default

from .fields import OBJECT_NAME, PICKLIST_FIELDS, WRITABLE_FIELDS
from .models import Lead, LeadNote, Queue, RecentlyViewed
from .ownership import owner_label, owner_sort_name, set_owner
from .processes.selectors import lead_process_statuses, lead_record_type_default, lead_record_type_of
from .selectors import lead_is_deletable_by, lead_is_editable_by
from .sort_keys import lead_activity_note

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class LeadEditConflict(Exception):
    """The lead was saved by someone else after the edit began; carries what changed since."""

    def __init__(self, lead: Lead, changes: list):
        self.lead = lead
        self.changes = changes
        super().__init__("This lead was changed by someone else after you started editing it.")


@dataclass(frozen=True)
class MassResult:
    """What a mass action did: leads changed, leads skipped (no access, nothing to change) and,
    of the skipped, those changed by someone else since the user saw them (``changed_since``)."""

    updated: int
    skipped: int
    changed_since: int = 0


def _record_type_name(lead: Lead) -> str:
    record_type = lead.record_type if lead.record_type_id else None
    return record_type.name if record_type is not None else ""


def _snapshot(lead: Lead) -> dict:
    values = {name: getattr(lead, name) for name in WRITABLE_FIELDS}
    values["record_type"] = _record_type_name(lead)
    for key, value in (lead.custom_fields or {}).items():
        values[key] = value
    return values


def _labels() -> dict[str, str]:
    return field_labels(object_name=OBJECT_NAME)


def _coerce(data: dict) -> dict:
    """Normalise raw input: strip text, turn blank numbers into None. Unknown keys are errors."""
    unknown = [k for k in data if k not in WRITABLE_FIELDS]
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be set."))
    clean = {}
    for key, value in data.items():
        field = cast(Field, Lead._meta.get_field(key))
        if isinstance(value, str):
            value = value.strip()
        if field.get_internal_type() in {"DecimalField", "PositiveIntegerField"} and is_blank(value):
            value = None
        if field.get_internal_type() == "BooleanField":
            if isinstance(value, str):
                value = value.lower() in {"1", "true", "yes", "on"}
            value = bool(value)
        elif value is None and field.get_internal_type() in {"CharField", "TextField", "EmailField"}:
            value = ""
        clean[key] = value
    return clean


# "Not given" for optional arguments where ``None`` is a value.
_UNSET = object()

CONVERTED_STATUS_BY_CONVERTING = _lazy("A converted status is set by converting the lead: use Convert.")


@dataclass(frozen=True)
class _PicklistFacts:
    active: dict[str, set[str]]
    converted_statuses: frozenset[str]
    # Statuses that close a lead without converting it: they need an Unqualified Reason.
    closed_statuses: frozenset[str] = frozenset()


def _picklist_facts() -> _PicklistFacts:
    active: dict[str, set[str]] = {}
    converted: set[str] = set()
    closed: set[str] = set()
    for field, api, is_active, is_converted, is_closed in PicklistValue.objects.filter(
        object_name=OBJECT_NAME, field_name__in=PICKLIST_FIELDS
    ).values_list("field_name", "api_name", "is_active", "is_converted", "is_closed"):
        if is_active:
            active.setdefault(field, set()).add(api)
        if field == "status" and is_converted:
            converted.add(api)
        elif field == "status" and is_closed:
            closed.add(api)
    return _PicklistFacts(active=active, converted_statuses=frozenset(converted), closed_statuses=frozenset(closed))


def _facts() -> _PicklistFacts:
    return memoized(("lead_picklist_facts",), _picklist_facts)


def converted_status_error(status: str) -> ValidationError | None:
    """The error for giving a lead ``status`` by any other way than converting it, or ``None``
    when the status is not flagged converted."""
    if status and status in _facts().converted_statuses:
        return ValidationError({"status": [CONVERTED_STATUS_BY_CONVERTING]})
    return None


def closed_status_needs_reason(status: str) -> bool:
    """Whether ``status`` closes a lead without converting it, and so needs an Unqualified Reason."""
    return bool(status) and status in _facts().closed_statuses


def _validate_picklists(lead: Lead, before: dict | None) -> dict[str, list[str]]:
    errors = {}
    facts = _facts()
    for field in PICKLIST_FIELDS:
        value = getattr(lead, field)
        if value == "":
            continue
        kept = before is not None and before.get(field) == value
        if value not in facts.active.get(field, set()) and not kept:
            errors[field] = [_("“%(value)s” is not a valid value for this picklist.") % {"value": value}]
        elif field == "status" and value in facts.converted_statuses and not kept:
            # Only conversion (``lead_mark_converted``) gives a lead a converted status.
            errors[field] = [str(CONVERTED_STATUS_BY_CONVERTING)]
    for field, messages in _process_errors(lead, before, facts).items():
        errors.setdefault(field, []).extend(messages)
    return errors


def _process_errors(lead: Lead, before: dict | None, facts: _PicklistFacts) -> dict[str, list[str]]:
    """The rules of the lead's process: its status is one the record type's process offers, and
    a status that closes the lead without converting it comes with an Unqualified Reason."""
    errors: dict[str, list[str]] = {}
    record_type = lead_record_type_of(lead)
    record_type_kept = before is not None and before.get("record_type") == _record_type_name(lead)
    status_kept = before is not None and before.get("status") == lead.status and record_type_kept
    if (
        lead.status
        and not status_kept
        and lead.status not in facts.converted_statuses
        and lead.status not in lead_process_statuses(record_type)
    ):
        errors["status"] = [
            _("“%(value)s” is not a status of the %(process)s lead process.")
            % {"value": lead.status, "process": record_type.name if record_type else _("default")}
        ]
    reason_kept = before is not None and before.get("status") == lead.status and not before.get("unqualified_reason")
    if lead.status in facts.closed_statuses and not lead.unqualified_reason and not reason_kept:
        errors["unqualified_reason"] = [
            _("Choose an Unqualified Reason to close the lead as %(status)s.") % {"status": lead.status}
        ]
    return errors


def _check_record_type(record_type, *, acting_user) -> None:
    """An active lead record type that the acting user's roles may use (``None``: the default)."""
    if record_type is None:
        return
    if not isinstance(record_type, RecordType) or record_type.object_name != OBJECT_NAME or not record_type.is_active:
        raise ValidationError({"record_type": [_("Choose an active lead record type.")]})
    if getattr(acting_user, "pk", None) and not record_type_available_to(user=acting_user, record_type=record_type):
        raise ValidationError(
            {"record_type": [_("Your role may not use the record type “%(name)s”.") % {"name": record_type.name}]}
        )


# The record type is checked by ``_check_record_type`` whenever it is set, or read from the database:
# its foreign-key check would cost a query per lead (per row of an import). The rest are set by the
# services, not typed by anyone.
_OWNER_FIELDS = {"owner_user", "owner_queue", "owner_assigned_at"}
_AUDIT_FIELDS = {"created_at", "created_by", "last_modified_at", "last_modified_by", "version"}
_NOT_CLEANED = frozenset({"record_type", "custom_fields", *_OWNER_FIELDS, *_AUDIT_FIELDS})


def _validate(lead: Lead, *, before: dict | None, custom_raw: dict | None) -> dict:
    """Run the model's field rules, the picklist rules and the custom-field registry together so
    that every error is reported at once. Answers the cleaned custom field values."""
    errors: dict[str, list[str]] = {}
    try:
        # ``clean_fields``, not ``full_clean``: a lead has no unique field to check but its key.
        lead.clean_fields(exclude=_NOT_CLEANED)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for field, messages in _validate_picklists(lead, before).items():
        errors.setdefault(field, []).extend(messages)
    if lead.annual_revenue is not None and isinstance(lead.annual_revenue, Decimal) and lead.annual_revenue < 0:
        errors.setdefault("annual_revenue", []).append("Annual revenue cannot be negative.")
    if before is None or before.get("website") != lead.website:
        # A web address stored before the rule existed does not block saving other fields.
        try:
            validate_web_address(lead.website)
        except ValidationError as exc:
            errors.setdefault("website", []).extend(exc.messages)
    custom = lead.custom_fields
    try:
        custom = clean_custom_fields(
            OBJECT_NAME, custom_raw, existing=None if before is None else dict(lead.custom_fields or {})
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return custom


CREATED = Change("created", "Created", "", "Lead created")


def lead_build(
    *,
    data: dict,
    acting_user: User,
    owner=None,
    custom_fields: dict | None = None,
    now=None,
    record_type: RecordType | None = None,
) -> Lead:
    """A new lead, validated and owned, not yet saved: what ``lead_create`` saves, and what the
    batched intake inserts many at a time. Raises ``ValidationError`` with every field error.
    ``record_type`` defaults to the acting user's default lead record type (else the org's); the
    status defaults to the picklist default, else the process's first status."""
    now = now or timezone.now()
    values = _coerce(data)
    _check_record_type(record_type, acting_user=acting_user)
    record_type = record_type or lead_record_type_default(user=acting_user)
    if is_blank(values.get("status")):
        offered = lead_process_statuses(record_type)
        default = picklist_default(object_name=OBJECT_NAME, field_name="status") or ""
        values["status"] = default if default in offered or not offered else offered[0]
    lead = Lead(**values)
    lead.record_type = record_type
    lead.custom_fields = _validate(lead, before=None, custom_raw=custom_fields)
    owner = owner or (acting_user if getattr(acting_user, "pk", None) else None)
    if owner is None:
        raise ValidationError({"owner": _("Choose an owner for the lead.")})
    set_owner(lead, owner, at=now)
    lead.created_at = lead.last_modified_at = now
    actor = acting_user if getattr(acting_user, "pk", None) else None
    lead.created_by = lead.last_modified_by = actor
    return lead


@transaction.atomic
def lead_create(
    *,
    data: dict,
    acting_user: User,
    owner=None,
    custom_fields: dict | None = None,
    history_note: str = "",
    record_type: RecordType | None = None,
) -> Lead:
    """Create a lead. Status defaults to the picklist default; the owner defaults to the creator."""
    now = timezone.now()
    lead = lead_build(
        data=data, acting_user=acting_user, owner=owner, custom_fields=custom_fields, now=now, record_type=record_type
    )
    lead.save()
    history_record(
        object_name=OBJECT_NAME,
        record_id=lead.pk,
        changes=[CREATED],
        acting_user=lead.created_by,
        record_version=lead.version,
        note=history_note,
        at=now,
    )
    return lead


@transaction.atomic
def lead_update(
    *,
    lead: Lead,
    data: dict,
    acting_user: User,
    custom_fields: dict | None = None,
    expected_version: int | None = None,
    check_access: bool = True,
    history_note: str = "",
    record_type=_UNSET,
    duplicates: str | None = None,
    allow_duplicates: bool = False,
) -> Lead:
    """Change fields of a lead (and, given ``record_type``, its record type: the status must then
    be one of the new process). ``expected_version`` is the version the editor started from: if the
    lead moved on since, the save is refused with the changes made meanwhile. ``check_access=False``
    is for changes the person makes about themselves with no user signed in (unsubscribing):
    ``acting_user`` is then ``None`` and ``history_note`` says where the change came from.

    ``duplicates`` names the entry point ("page", "api") whose duplicate rule judges the edit when
    it changes a field the rules compare: ``leads.intake.DuplicateLeadError`` refuses it with the
    matches (a rule that alerts lets it through with ``allow_duplicates``). Every person's edit
    passes it, whatever the page (edit form, inline edit, board); changes the system makes do not."""
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    if check_access and not lead_is_editable_by(locked, acting_user):
        raise PermissionError("You may not edit this lead.")
    _check_version(locked, expected_version)
    values = _coerce(data)
    if duplicates is not None:
        # Imported here: the intake builds on this module.
        from .intake.single import lead_edit_duplicates_check

        lead_edit_duplicates_check(
            lead=locked, data=values, source=duplicates, acting_user=acting_user, allow_duplicates=allow_duplicates
        )
    before = _snapshot(locked)
    for key, value in values.items():
        setattr(locked, key, value)
    if record_type is not _UNSET and (record_type.pk if record_type else None) != locked.record_type_id:
        _check_record_type(record_type, acting_user=acting_user)
        locked.record_type = record_type
    locked.custom_fields = _validate(locked, before=before, custom_raw=custom_fields)
    changes = diff(before, _snapshot(locked), _labels())
    if not changes:
        return locked
    now = timezone.now()
    locked.version += 1
    locked.last_modified_at = now
    locked.last_modified_by = acting_user if getattr(acting_user, "pk", None) else None
    if getattr(acting_user, "pk", None) and any(change.field_name == "status" for change in changes):
        lead_activity_note(locked, at=now)
    locked.save()
    history_record(
        object_name=OBJECT_NAME,
        record_id=locked.pk,
        changes=changes,
        acting_user=acting_user,
        record_version=locked.version,
        note=history_note,
        at=now,
    )
    return locked


def _owner_change(lead: Lead, owner, *, acting_user: User, note: str, now) -> bool:
    """Change the owner of a locked lead and record it; answers whether anything changed."""
    change = owner_change_apply(lead, owner, acting_user=acting_user, now=now)
    if change is None:
        return False
    lead.save()
    history_record(
        object_name=OBJECT_NAME,
        record_id=lead.pk,
        changes=[change],
        acting_user=acting_user,
        record_version=lead.version,
        note=note,
        at=now,
    )
    return True


def owner_change_apply(lead: Lead, owner, *, acting_user: User, now) -> Change | None:
    """Give an unsaved or locked lead a different owner in memory (a new version); answers the
    history change to record, or ``None`` when ``owner`` owns it already. The caller saves the
    lead and writes the history."""
    if owner is None:
        raise ValidationError({"owner": _("Choose a user or a queue.")})
    if (isinstance(owner, Queue) and lead.owner_queue_id == owner.pk) or (
        not isinstance(owner, Queue) and lead.owner_user_id == owner.pk
    ):
        return None
    if not isinstance(owner, Queue) and not owner.is_active:
        raise ValidationError({"owner": _("An inactive user cannot own leads.")})
    old = owner_label(lead.owner)
    set_owner(lead, owner, at=now)
    lead.version += 1
    lead.last_modified_at = now
    lead.last_modified_by = acting_user if getattr(acting_user, "pk", None) else None
    return Change("owner", "Lead Owner", old, owner_label(owner))


def _check_version(locked: Lead, expected_version: int | None) -> None:
    """Refuse the write when the lead moved on since the version the user started from (``None``:
    not checked), with the changes made meanwhile."""
    if expected_version is not None and locked.version != expected_version:
        raise LeadEditConflict(
            locked, list(history_for(object_name=OBJECT_NAME, record_id=locked.pk, since_version=expected_version))
        )


@transaction.atomic
def lead_change_owner(
    *,
    lead: Lead,
    owner,
    acting_user: User,
    note: str = "",
    check_access: bool = True,
    expected_version: int | None = None,
) -> Lead:
    """Give the lead another owner; ``expected_version`` works as in ``lead_update``."""
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    if check_access and not lead_is_editable_by(locked, acting_user):
        raise PermissionError("You may not change the owner of this lead.")
    _check_version(locked, expected_version)
    _owner_change(locked, owner, acting_user=acting_user, note=note, now=timezone.now())
    return locked


def _moved_on(lead: Lead, versions: dict[int, int] | None) -> bool:
    """Whether the lead was saved since the version the user saw (no version seen: not checked)."""
    seen = (versions or {}).get(lead.pk)
    return seen is not None and lead.version != seen


@transaction.atomic
def lead_mass_change_owner(
    *, lead_ids: list[int], owner, acting_user: User, versions: dict[int, int] | None = None
) -> MassResult:
    """Give the selected leads a new owner. ``versions`` maps lead ids to the version the user
    saw: a lead saved by someone else since is skipped (counted in ``changed_since``)."""
    now = timezone.now()
    updated = changed_since = 0
    for lead in Lead.objects.select_for_update().filter(pk__in=lead_ids).order_by("pk"):
        if not lead_is_editable_by(lead, acting_user):
            continue
        if _moved_on(lead, versions):
            changed_since += 1
            continue
        updated += _owner_change(lead, owner, acting_user=acting_user, note="Mass change owner", now=now)
    return MassResult(updated, len(set(lead_ids)) - updated, changed_since)


@transaction.atomic
def lead_mass_change_status(
    *,
    lead_ids: list[int],
    status: str,
    acting_user: User,
    versions: dict[int, int] | None = None,
    unqualified_reason: str = "",
) -> MassResult:
    """Give the selected leads a status (never a converted one: only conversion sets those).
    ``versions`` works as in ``lead_mass_change_owner``. A closing status needs
    ``unqualified_reason``; a lead whose process does not offer the status is skipped."""
    if not PicklistValue.objects.filter(
        object_name=OBJECT_NAME, field_name="status", api_name=status, is_active=True
    ).exists():
        raise ValidationError({"status": _("Choose an active lead status.")})
    refused = converted_status_error(status)
    if refused is not None:
        raise refused
    facts = _facts()
    unqualified_reason = (unqualified_reason or "").strip()
    if status in facts.closed_statuses and not unqualified_reason:
        raise ValidationError(
            {
                "unqualified_reason": [
                    _("Choose an Unqualified Reason to close the lead as %(status)s.") % {"status": status}
                ]
            }
        )
    if status not in facts.closed_statuses:
        unqualified_reason = ""
    elif unqualified_reason not in facts.active.get("unqualified_reason", set()):
        raise ValidationError(
            {
                "unqualified_reason": [
                    _("“%(value)s” is not a valid value for this picklist.") % {"value": unqualified_reason}
                ]
            }
        )
    now = timezone.now()
    updated = changed_since = 0
    labels = _labels()
    label = labels.get("status", "Lead Status")
    for lead in (
        Lead.objects.select_for_update(of=("self",))
        .select_related("record_type")
        .filter(pk__in=lead_ids)
        .order_by("pk")
    ):
        if not lead_is_editable_by(lead, acting_user) or lead.status == status:
            continue
        if status not in lead_process_statuses(lead_record_type_of(lead)):
            continue
        if _moved_on(lead, versions):
            changed_since += 1
            continue
        old = lead.status
        changes = [Change("status", label, old, status)]
        if unqualified_reason and lead.unqualified_reason != unqualified_reason:
            changes.append(
                Change(
                    "unqualified_reason",
                    labels.get("unqualified_reason", "Unqualified Reason"),
                    lead.unqualified_reason,
                    unqualified_reason,
                )
            )
            lead.unqualified_reason = unqualified_reason
        lead.status = status
        lead.version += 1
        lead.last_modified_at = now
        lead.last_modified_by = acting_user
        lead_activity_note(lead, at=now)
        lead.save(
            update_fields=[
                "last_activity_at",
                "status",
                "unqualified_reason",
                "version",
                "last_modified_at",
                "last_modified_by",
            ]
        )
        history_record(
            object_name=OBJECT_NAME,
            record_id=lead.pk,
            changes=changes,
            acting_user=acting_user,
            record_version=lead.version,
            note="Mass change status",
            at=now,
        )
        updated += 1
    return MassResult(updated, len(set(lead_ids)) - updated, changed_since)


@transaction.atomic
def lead_mark_converted(
    *, lead: Lead, status: str, acting_user: User, note: str = "", at=None, is_locked: bool = False
) -> Lead:
    """Mark a lead converted with a Lead Status flagged converted, and record it in its history.
    The one way a lead gets a converted status; the conversion service calls it in its
    transaction, after creating the records the lead became. Answers the updated lead.

    ``is_locked``: ``lead`` was read under ``select_for_update`` in the current transaction (as
    the conversion service reads it), so it is current and is not read again."""
    locked = lead if is_locked else Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
    if locked.is_converted:
        raise ValidationError({"__all__": [_("This lead has already been converted.")]})
    if not lead_is_editable_by(locked, acting_user):
        raise PermissionError(_("You may not convert this lead."))
    if status not in _facts().converted_statuses or status not in _facts().active.get("status", set()):
        raise ValidationError({"converted_status": [_("Choose a Lead Status value flagged Converted.")]})
    now = at or timezone.now()
    labels = _labels()
    changes = [Change("is_converted", labels.get("is_converted", "Converted"), "false", "true")]
    if locked.status != status:
        changes.insert(0, Change("status", labels.get("status", "Lead Status"), locked.status, status))
    locked.status = status
    locked.is_converted = True
    locked.converted_at = now
    locked.version += 1
    locked.last_modified_at = now
    locked.last_modified_by = acting_user if getattr(acting_user, "pk", None) else None
    locked.save(
        update_fields=["status", "is_converted", "converted_at", "version", "last_modified_at", "last_modified_by"]
    )
    history_record(
        object_name=OBJECT_NAME,
        record_id=locked.pk,
        changes=changes,
        acting_user=acting_user,
        record_version=locked.version,
        note=note,
        at=now,
    )
    return locked


@transaction.atomic
def lead_note_create(*, lead: Lead, body: str, acting_user: User, title: str = "") -> LeadNote:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something in the note.")})
    if len(title) > 200:
        raise ValidationError({"title": _("Use at most 200 characters.")})
    if not lead_is_editable_by(lead, acting_user):
        raise PermissionError("You may not add notes to this lead.")
    note = LeadNote.objects.create(
        lead=lead, title=title.strip(), body=body, created_by=acting_user, created_at=timezone.now()
    )
    run_lead_touch_hooks(lead_id=lead.pk, at=note.created_at, acting_user=acting_user)
    return note


def lead_mark_viewed(*, lead: Lead, user) -> None:
    RecentlyViewed.objects.update_or_create(user=user, lead=lead, defaults={"viewed_at": timezone.now()})


# Delete and restore (Recycle Bin) ----------------------------------------------------------------

CONVERTED_NOT_DELETABLE = (
    "Converted leads cannot be deleted: the account, contact and opportunity made from them keep a link to them."
)


@transaction.atomic
def lead_delete(*, lead: Lead, acting_user: User, check_access: bool = True) -> RecycleBinEntry:
    """Move a lead, with its notes, to the Recycle Bin; its history stays for a restore.
    ``check_access=False`` is for undoing an import: its importer removes the leads it made even
    where the assignment rule gave them to others."""
    locked = Lead.objects.select_for_update().filter(pk=lead.pk).first()
    if locked is None:
        raise ValidationError({"__all__": [_("This lead was deleted already.")]})
    if locked.is_converted:
        raise ValidationError({"__all__": [CONVERTED_NOT_DELETABLE]})
    if check_access and not lead_is_deletable_by(locked, acting_user):
        raise PermissionError("You may not delete this lead.")
    return recycle_bin_move(
        object_name=OBJECT_NAME,
        record=locked,
        dependents=LeadNote.objects.filter(lead=locked).order_by("pk"),
        name=locked.name or locked.last_name,
        detail=locked.company,
        owner_user=locked.owner_user,
        acting_user=acting_user,
    )


@transaction.atomic
def leads_delete_many(*, lead_ids: list[int], acting_user: User) -> MassResult:
    """The "Delete" mass action: every selected lead the user may delete goes to the Recycle Bin
    (``lead_delete`` locks each one)."""
    deleted = 0
    ids = sorted(set(lead_ids))
    for lead in Lead.objects.filter(pk__in=ids).order_by("pk"):
        if lead_is_deletable_by(lead, acting_user):
            lead_delete(lead=lead, acting_user=acting_user)
            deleted += 1
    return MassResult(updated=deleted, skipped=len(ids) - deleted)


@transaction.atomic
def lead_restore(*, entry: RecycleBinEntry, acting_user: User) -> Lead:
    """Put a deleted lead back as it was, with its notes, links and history, under its own id. When
    its owner (user or queue) is gone or the user inactive, the restoring user owns it."""
    if not acting_user.has_perm("leads.delete_lead"):
        raise PermissionError("You may not restore leads.")

    def owner_gone(lead: Lead) -> bool:
        if lead.owner_queue_id is not None:
            there = Queue.objects.filter(pk=lead.owner_queue_id).exists()
        else:
            there = (
                lead.owner_user_id is not None
                and get_user_model().objects.filter(pk=lead.owner_user_id, is_active=True).exists()
            )
        if not there:
            set_owner(lead, acting_user)
        else:
            # The owner may have been renamed while the lead was in the bin.
            lead.owner_sort_name = owner_sort_name(lead.owner)
        return not there

    with transaction.atomic():
        lead = recycle_bin_restore(
            entry=entry, object_name=OBJECT_NAME, label="lead", acting_user=acting_user, owner_gone=owner_gone
        )
        # Back as it was, but changed now: a system in sync reads it again (``modified_since``).
        lead.last_modified_at = timezone.now()
        Lead.objects.filter(pk=lead.pk).update(last_modified_at=lead.last_modified_at)
    return lead
