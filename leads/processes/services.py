"""Writes of lead record types: the record type itself (name, page layout, organisation default),
its lead process (the statuses offered, in order) and the guidance and key fields of each step."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.models import FieldDefinition, PicklistValue, RecordType
from core.record_types import (
    record_type_access_assign,
    record_type_default_assign,
    record_type_field_errors,
    record_type_save,
)
from core.roles import require_setup_admin

from ..fields import OBJECT_NAME, SECTIONS, WRITABLE_FIELDS
from .models import LeadPathStep
from .selectors import MAX_KEY_FIELDS, lead_process

GUIDANCE_MAX = 2000
# Fields a path step may not ask for: the status is the path itself.
NOT_KEY_FIELDS = {"status"}


def _layout(sections) -> list[str]:
    every = [key for key, _title in SECTIONS] + ["custom"]
    chosen = [str(s) for s in (sections or [])]
    if any(s not in every for s in chosen):
        raise ValidationError(
            {"layout_sections": [_("Choose sections among: %(sections)s.") % {"sections": ", ".join(every)}]}
        )
    return list(dict.fromkeys(chosen))


def _check(record_type: RecordType) -> None:
    errors = record_type_field_errors(record_type)
    if record_type.is_org_default and not record_type.is_active:
        errors["is_org_default"] = [_("An inactive record type cannot be the default.")]
    if errors:
        raise ValidationError(errors)


def _statuses(statuses) -> list[PicklistValue]:
    """The active Lead Status values named (API names), in the order given; a process offers at
    least one open status and one converted status (so that its leads can be converted)."""
    names = [str(s).strip() for s in (statuses or [])]
    values = {
        v.api_name: v
        for v in PicklistValue.objects.filter(
            object_name=OBJECT_NAME, field_name="status", is_active=True, api_name__in=names
        )
    }
    unknown = [n for n in names if n not in values]
    if unknown:
        raise ValidationError(
            {"statuses": [_("These are not active Lead Status values: %(values)s.") % {"values": ", ".join(unknown)}]}
        )
    if len(set(names)) != len(names):
        raise ValidationError({"statuses": [_("Choose each status once.")]})
    chosen = [values[n] for n in names]
    if not any(not v.is_converted and not v.is_closed for v in chosen):
        raise ValidationError({"statuses": [_("Choose at least one open status.")]})
    if not any(v.is_converted for v in chosen):
        raise ValidationError({"statuses": [_("Choose at least one status flagged Converted.")]})
    return chosen


@transaction.atomic
def lead_record_type_create(
    *,
    name: str,
    acting_user,
    description: str = "",
    is_active: bool = True,
    is_org_default: bool = False,
    layout_sections=None,
    statuses=None,
) -> RecordType:
    """Create a lead record type; ``statuses`` (API names in order) is its process (none: every
    active status in picklist order)."""
    require_setup_admin(acting_user)
    record_type = RecordType(
        object_name=OBJECT_NAME,
        name=name,
        description=description,
        is_active=bool(is_active),
        is_org_default=bool(is_org_default),
    )
    record_type.layout_sections = _layout(layout_sections)
    _check(record_type)
    chosen = _statuses(statuses) if statuses else None
    record_type_save(record_type)
    if chosen:
        _set_process(record_type, chosen)
    return record_type


_UNSET = object()


@transaction.atomic
def lead_record_type_update(
    *,
    record_type: RecordType,
    acting_user,
    name=_UNSET,
    description=_UNSET,
    is_active=_UNSET,
    is_org_default=_UNSET,
    layout_sections=_UNSET,
    statuses=_UNSET,
) -> RecordType:
    """Change a lead record type; ``statuses`` replaces its process (guidance of kept steps stays)."""
    require_setup_admin(acting_user)
    locked = RecordType.objects.select_for_update().get(pk=record_type.pk, object_name=OBJECT_NAME)
    was_default = locked.is_org_default
    for attr, value in (("name", name), ("description", description)):
        if value is not _UNSET:
            setattr(locked, attr, value)
    for attr, value in (("is_active", is_active), ("is_org_default", is_org_default)):
        if value is not _UNSET:
            setattr(locked, attr, bool(value))
    if was_default and not locked.is_org_default:
        # There is always an organisation default once there was one: choose the next one instead.
        raise ValidationError({"is_org_default": [_("Make another record type the default instead.")]})
    if layout_sections is not _UNSET:
        locked.layout_sections = _layout(layout_sections)
    _check(locked)
    chosen = _statuses(statuses) if statuses is not _UNSET else None
    record_type_save(locked)
    if chosen is not None:
        _set_process(locked, chosen)
    return locked


def _set_process(record_type: RecordType, chosen: list[PicklistValue]) -> None:
    kept = {s.status_id: s for s in LeadPathStep.objects.select_for_update().filter(record_type=record_type)}
    LeadPathStep.objects.filter(record_type=record_type).exclude(status__in=chosen).delete()
    for position, value in enumerate(chosen, start=1):
        step = kept.get(value.pk)
        if step is None:
            LeadPathStep.objects.create(record_type=record_type, status=value, position=position)
        elif step.position != position:
            step.position = position
            step.save(update_fields=["position"])


def _key_field_names(key_fields) -> list[str]:
    names = [str(f).strip() for f in (key_fields or []) if str(f).strip()]
    custom = set(
        FieldDefinition.objects.filter(object_name=OBJECT_NAME, is_custom=True, is_active=True).values_list(
            "api_name", flat=True
        )
    )
    allowed = (set(WRITABLE_FIELDS) | custom) - NOT_KEY_FIELDS
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise ValidationError(
            {
                "key_fields": [
                    _("These are not lead fields a step can ask for: %(fields)s.") % {"fields": ", ".join(unknown)}
                ]
            }
        )
    names = list(dict.fromkeys(names))
    if len(names) > MAX_KEY_FIELDS:
        raise ValidationError({"key_fields": [_("Choose at most %(count)d key fields.") % {"count": MAX_KEY_FIELDS}]})
    return names


@transaction.atomic
def lead_path_step_set(*, record_type: RecordType, status: str, acting_user, guidance: str = "", key_fields=None):
    """Set the guidance for success and the key fields of one status of a lead record type's path.
    A record type that offered every status gets its process written out first, so that adding
    guidance does not narrow the statuses it offers."""
    require_setup_admin(acting_user)
    locked = RecordType.objects.select_for_update().get(pk=record_type.pk, object_name=OBJECT_NAME)
    guidance = (guidance or "").strip().replace("\r\n", "\n")
    errors = {}
    if len(guidance) > GUIDANCE_MAX:
        errors["guidance"] = [_("Use at most %(count)d characters.") % {"count": GUIDANCE_MAX}]
    try:
        names = _key_field_names(key_fields)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    offered = [s.api_name for s in lead_process(locked)]
    if status not in offered:
        errors["status"] = [
            _("“%(value)s” is not a status of the %(process)s lead process.")
            % {"value": status, "process": locked.name}
        ]
    if errors:
        raise ValidationError(errors)
    if not LeadPathStep.objects.filter(record_type=locked).exists():
        values = {
            v.api_name: v
            for v in PicklistValue.objects.filter(object_name=OBJECT_NAME, field_name="status", api_name__in=offered)
        }
        _set_process(locked, [values[n] for n in offered])
    step = LeadPathStep.objects.select_for_update().get(record_type=locked, status__api_name=status)
    step.guidance = guidance
    step.key_fields = names
    step.save(update_fields=["guidance", "key_fields"])
    return step


def lead_record_type_default_set(*, record_type: RecordType | None, acting_user, user=None, group=None):
    """Set (``None``: clear) the default lead record type of a user or a role."""
    require_setup_admin(acting_user)
    return record_type_default_assign(object_name=OBJECT_NAME, record_type=record_type, user=user, group=group)


def lead_record_type_access_set(*, group, record_types, default, acting_user) -> list[RecordType]:
    """Set the lead record types a role may use (none: every one) and its default among them."""
    require_setup_admin(acting_user)
    return record_type_access_assign(object_name=OBJECT_NAME, group=group, record_types=record_types, default=default)
