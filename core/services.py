"""Writes to shared configuration: organisation settings, picklist values, field definitions."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from . import registry
from .fields import API_NAME_RE, api_name_from_label, clean_value
from .history import Change, history_record
from .models import FieldDefinition, FieldType, OrgSettings, PicklistValue
from .roles import is_marketing_admin, is_system_admin


def _require_admin(user) -> None:
    if not is_marketing_admin(user):
        raise PermissionError("Only marketing and system admins may change the setup.")


@transaction.atomic
def org_settings_update(*, lead_access: str, acting_user) -> OrgSettings:
    if not is_system_admin(acting_user):
        raise PermissionError("Only system admins may change sharing settings.")
    if lead_access not in OrgSettings.LeadAccess.values:
        raise ValidationError({"lead_access": "Choose Private, Public Read Only or Public Read/Write."})
    row, _ = OrgSettings.objects.select_for_update().get_or_create(singleton=1)
    row.lead_access = lead_access
    row.updated_by = acting_user
    row.save()
    return row


# Picklists -------------------------------------------------------------------------------------


def picklist_value_usages(value: PicklistValue) -> list[str]:
    """Places that keep a value from being removed: being the default, rules, mappings, forms."""
    usages = []
    if value.is_default:
        usages.append("It is the default value of this picklist.")
    for provider in registry.picklist_usage_providers():
        usages.extend(provider(value))
    return usages


def picklist_record_count(value: PicklistValue) -> int:
    model, lookup = _records_using(value)
    return model.objects.filter(**lookup).count() if model is not None else 0


def _records_using(value: PicklistValue):
    try:
        spec = registry.object_spec(value.object_name)
    except KeyError:
        return None, {}
    column = spec.picklist_fields.get(value.field_name)
    if column:
        return spec.model, {column: value.api_name}
    return spec.model, {f"custom_fields__{value.field_name}": value.api_name}


@transaction.atomic
def picklist_value_create(
    *, object_name: str, field_name: str, label: str, api_name: str = "", acting_user, **flags
) -> PicklistValue:
    _require_admin(acting_user)
    label = (label or "").strip()
    api_name = (api_name or label).strip()
    errors = {}
    if not label:
        errors["label"] = "Enter a label."
    elif len(label) > 120 or len(api_name) > 120:
        errors["label"] = "Use at most 120 characters."
    elif PicklistValue.objects.filter(object_name=object_name, field_name=field_name, api_name=api_name).exists():
        errors["api_name"] = f"The value “{api_name}” already exists in this picklist."
    if errors:
        raise ValidationError(errors)
    next_order = (
        PicklistValue.objects.filter(object_name=object_name, field_name=field_name).aggregate(m=Max("sort_order"))["m"]
        or 0
    ) + 1
    allowed = {"is_converted", "is_closed", "is_won", "probability"}
    return PicklistValue.objects.create(
        object_name=object_name,
        field_name=field_name,
        api_name=api_name,
        label=label,
        sort_order=next_order,
        **{k: v for k, v in flags.items() if k in allowed},
    )


@transaction.atomic
def picklist_value_update(*, value: PicklistValue, acting_user, **changes) -> PicklistValue:
    """Relabel or change flags. Records store the API name, so relabelling touches no record."""
    _require_admin(acting_user)
    value = PicklistValue.objects.select_for_update().get(pk=value.pk)
    if "label" in changes:
        label = (changes["label"] or "").strip()
        if not label or len(label) > 120:
            raise ValidationError({"label": "Enter a label of at most 120 characters."})
        value.label = label
    for flag in ("is_converted", "is_closed", "is_won"):
        if flag in changes:
            setattr(value, flag, bool(changes[flag]))
    if "probability" in changes:
        p = changes["probability"]
        if p not in (None, "") and not (0 <= int(p) <= 100):
            raise ValidationError({"probability": "Enter a probability between 0 and 100."})
        value.probability = None if p in (None, "") else int(p)
    value.save()
    return value


@transaction.atomic
def picklist_reorder(*, object_name: str, field_name: str, ordered_ids: list[int], acting_user) -> None:
    _require_admin(acting_user)
    values = {
        v.pk: v
        for v in PicklistValue.objects.select_for_update().filter(object_name=object_name, field_name=field_name)
    }
    if set(ordered_ids) != set(values):
        raise ValidationError("The new order must list every value of the picklist exactly once.")
    for position, pk in enumerate(ordered_ids, start=1):
        values[pk].sort_order = position
    PicklistValue.objects.bulk_update(values.values(), ["sort_order"])


@transaction.atomic
def picklist_value_move(*, value: PicklistValue, direction: int, acting_user) -> None:
    """Move a value one place up (-1) or down (+1)."""
    ids = list(
        PicklistValue.objects.filter(object_name=value.object_name, field_name=value.field_name)
        .order_by("sort_order", "id")
        .values_list("pk", flat=True)
    )
    i = ids.index(value.pk)
    j = i + (1 if direction > 0 else -1)
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
    picklist_reorder(
        object_name=value.object_name, field_name=value.field_name, ordered_ids=ids, acting_user=acting_user
    )


@transaction.atomic
def picklist_set_default(*, value: PicklistValue, acting_user) -> PicklistValue:
    _require_admin(acting_user)
    siblings = PicklistValue.objects.select_for_update().filter(
        object_name=value.object_name, field_name=value.field_name
    )
    list(siblings)  # lock the whole picklist
    value = siblings.get(pk=value.pk)
    if not value.is_active:
        raise ValidationError("An inactive value cannot be the default. Activate it first.")
    siblings.filter(is_default=True).exclude(pk=value.pk).update(is_default=False)
    value.is_default = True
    value.save(update_fields=["is_default"])
    return value


@transaction.atomic
def picklist_value_set_active(*, value: PicklistValue, active: bool, acting_user) -> PicklistValue:
    """Deactivate: kept on records that have it, no longer offered. The default stays active."""
    _require_admin(acting_user)
    value = PicklistValue.objects.select_for_update().get(pk=value.pk)
    if not active:
        usages = picklist_value_usages(value)
        if usages:
            raise ValidationError(["This value cannot be deactivated while it is in use:", *usages])
    value.is_active = active
    value.save(update_fields=["is_active"])
    return value


@transaction.atomic
def picklist_value_delete(*, value: PicklistValue, replacement: PicklistValue | None, acting_user) -> int:
    """Delete a value; records that hold it move to ``replacement`` in the same transaction.

    Answers how many records moved.
    """
    _require_admin(acting_user)
    value = PicklistValue.objects.select_for_update().get(pk=value.pk)
    usages = picklist_value_usages(value)
    if usages:
        raise ValidationError(["This value cannot be deleted while it is in use:", *usages])
    model, lookup = _records_using(value)
    in_use = model is not None and model.objects.filter(**lookup).exists()
    if in_use:
        if replacement is None:
            raise ValidationError({"replacement": "Records use this value: choose a replacement value."})
        if (
            replacement.pk == value.pk
            or replacement.object_name != value.object_name
            or replacement.field_name != value.field_name
            or not replacement.is_active
        ):
            raise ValidationError({"replacement": "Choose another active value of the same picklist."})
    moved = 0
    if in_use:
        now = timezone.now()
        spec = registry.object_spec(value.object_name)
        column = spec.picklist_fields.get(value.field_name)
        records = model.objects.select_for_update().filter(**lookup)
        ids = list(records.values_list("pk", flat=True))
        label = (
            FieldDefinition.objects.filter(object_name=value.object_name, api_name=value.field_name)
            .values_list("label", flat=True)
            .first()
            or value.field_name
        )
        for pk in ids:
            history_record(
                object_name=value.object_name,
                record_id=pk,
                changes=[Change(value.field_name, label, value.api_name, replacement.api_name)],
                acting_user=acting_user,
                note=f"Picklist value “{value.label}” deleted and replaced",
                at=now,
            )
        if column:
            moved = model.objects.filter(pk__in=ids).update(**{column: replacement.api_name})
        else:
            for record in model.objects.filter(pk__in=ids):
                record.custom_fields[value.field_name] = replacement.api_name
                record.save(update_fields=["custom_fields"])
                moved += 1
        if hasattr(model, "version"):
            model.objects.filter(pk__in=ids).update(version=F("version") + 1)
    value.delete()
    return moved


# Field definitions -----------------------------------------------------------------------------

CUSTOM_FIELD_TYPES = [t for t in FieldType if t != FieldType.LOOKUP]


@transaction.atomic
def custom_field_create(
    *,
    object_name: str,
    label: str,
    field_type: str,
    acting_user,
    api_name: str = "",
    is_required: bool = False,
    default_value=None,
    help_text: str = "",
    description: str = "",
    requested_by: str = "",
    purpose: str = "",
    max_length: int | None = None,
    decimal_places: int | None = None,
    picklist_values: list[str] | None = None,
) -> FieldDefinition:
    _require_admin(acting_user)
    errors: dict[str, str] = {}
    label = (label or "").strip()
    if not label:
        errors["label"] = "Enter a label."
    api_name = (api_name or "").strip() or api_name_from_label(label)
    if not api_name.endswith("__c"):
        api_name = f"{api_name}__c"
    if not API_NAME_RE.match(api_name):
        errors["api_name"] = "Use letters, digits and underscores, starting with a letter, ending in __c."
    elif FieldDefinition.objects.filter(object_name=object_name, api_name__iexact=api_name).exists():
        errors["api_name"] = f"A field with the API name {api_name} already exists."
    if field_type not in CUSTOM_FIELD_TYPES:
        errors["field_type"] = "Choose a field type."
    if field_type == FieldType.PICKLIST and not [v for v in (picklist_values or []) if v.strip()]:
        errors["picklist_values"] = "A picklist needs at least one value."
    if errors:
        raise ValidationError(errors)
    order = (FieldDefinition.objects.filter(object_name=object_name).aggregate(m=Max("sort_order"))["m"] or 0) + 1
    definition = FieldDefinition.objects.create(
        object_name=object_name,
        api_name=api_name,
        label=label[:120],
        field_type=field_type,
        is_custom=True,
        is_required=is_required,
        help_text=help_text,
        description=description,
        requested_by=requested_by,
        purpose=purpose,
        max_length=max_length,
        decimal_places=decimal_places,
        sort_order=order,
        created_by=acting_user,
    )
    if field_type == FieldType.PICKLIST:
        seen = set()
        for position, raw in enumerate(picklist_values or [], start=1):
            text = raw.strip()
            if text and text not in seen:
                seen.add(text)
                PicklistValue.objects.create(
                    object_name=object_name, field_name=api_name, api_name=text, label=text, sort_order=position
                )
    if default_value not in (None, ""):
        try:
            definition.default_value = clean_value(definition, default_value)
        except ValidationError as exc:
            raise ValidationError({"default_value": exc.messages}) from None
        definition.save(update_fields=["default_value"])
    return definition


@transaction.atomic
def field_definition_update(*, definition: FieldDefinition, acting_user, **changes) -> FieldDefinition:
    """Label, help text, description, requested by and purpose for any field; required and default
    for custom fields only (standard fields keep the model's rules)."""
    _require_admin(acting_user)
    definition = FieldDefinition.objects.select_for_update().get(pk=definition.pk)
    for name in ("label", "help_text", "description", "requested_by", "purpose"):
        if name in changes:
            setattr(definition, name, (changes[name] or "").strip())
    if not definition.label:
        raise ValidationError({"label": "Enter a label."})
    if definition.is_custom:
        if "is_required" in changes:
            definition.is_required = bool(changes["is_required"])
        if "default_value" in changes:
            raw = changes["default_value"]
            try:
                definition.default_value = None if raw in (None, "") else clean_value(definition, raw)
            except ValidationError as exc:
                raise ValidationError({"default_value": exc.messages}) from None
        if "is_active" in changes:
            definition.is_active = bool(changes["is_active"])
    definition.save()
    return definition


def picklist_fields_of(object_name: str) -> list[FieldDefinition]:
    return list(
        FieldDefinition.objects.filter(object_name=object_name, field_type=FieldType.PICKLIST).filter(
            Q(is_active=True) | Q(is_custom=False)
        )
    )
