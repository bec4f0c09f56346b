"""Writes to shared configuration: organisation settings, picklist values, field definitions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Q, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import registry
from .db import unique_as_field_error
from .fields import API_NAME_RE, api_name_from_label, clean_value
from .label_translations import label_translations_drop
from .models import FieldDefinition, FieldHistory, FieldType, OrgSettings, PicklistValue
from .picklist_values import value_set_objects
from .roles import is_system_admin, require_setup_admin
from .salesforce_ids import id15

if TYPE_CHECKING:
    from django.contrib.auth.models import User


# The database's word on case-insensitive uniqueness, for two admins saving at the same moment.
_PICKLIST_UNIQUE = {
    "picklist_value_label_ci": ("label", _("This label is already used in this picklist.")),
    "picklist_value_unique_api_name": ("api_name", _("This value already exists in this picklist.")),
}
_FIELD_UNIQUE = {
    "field_api_name_ci": ("api_name", _("A field with this API name already exists.")),
    "field_unique_api_name": ("api_name", _("A field with this API name already exists.")),
}


@transaction.atomic
def org_settings_update(*, lead_access: str, acting_user: User) -> OrgSettings:
    if not is_system_admin(acting_user):
        raise PermissionError("Only system admins may change sharing settings.")
    if lead_access not in OrgSettings.LeadAccess.values:
        raise ValidationError({"lead_access": gettext("Choose Private, Public Read Only or Public Read/Write.")})
    row, _ = OrgSettings.objects.select_for_update().get_or_create(singleton=1)
    row.lead_access = lead_access
    row.updated_by = acting_user
    row.save()
    return row


# Picklists -------------------------------------------------------------------------------------


def picklist_value_usages(value: PicklistValue) -> list[str]:
    """Places that keep a value from being removed: being the default, rules, mappings, forms."""
    return picklist_value_usages_many([value])[value.pk]


def picklist_value_usages_many(values: list[PicklistValue]) -> dict[int, list[str]]:
    """``{value pk: usages}`` for several values of one picklist.

    A provider answers for one value; one that also has a ``many(values)`` attribute answering
    ``{pk: [places]}`` is asked once for all of them (a setup page lists every value).
    """
    usages: dict[int, list[str]] = {v.pk: [] for v in values}
    for value in values:
        if value.is_default:
            usages[value.pk].append("It is the default value of this picklist.")
        last_converted = _last_converted_problem(value)
        if last_converted:
            usages[value.pk].append(last_converted)
    for provider in registry.picklist_usage_providers():
        many = getattr(provider, "many", None)
        if callable(many):
            found = many(values)
            for value in values:
                usages[value.pk].extend(found.get(value.pk, []))
        else:
            for value in values:
                usages[value.pk].extend(provider(value))
    return usages


def picklist_record_count(value: PicklistValue) -> int:
    records = _records_using(value)
    return records.count() if records is not None else 0


def _records_using(value: PicklistValue):
    """The records holding ``value`` (a queryset), or None when the object is not registered."""
    try:
        spec = registry.object_spec(value.object_name)
    except KeyError:
        return None
    return records_with_picklist_value(spec, value.field_name, value.api_name)


def records_with_picklist_value(spec: registry.ObjectSpec, field_name: str, api_name: str):
    column = spec.picklist_fields.get(field_name)
    manager = spec.model._default_manager
    if column:
        return manager.filter(**{column: api_name})
    # Custom API names contain "__" ("Tier__c"), so the key is named explicitly, not by lookup path.
    return manager.annotate(_picklist_value=Cast(KeyTextTransform(field_name, "custom_fields"), TextField())).filter(
        _picklist_value=api_name
    )


def picklist_field_exists(object_name: str, field_name: str) -> bool:
    """A standard picklist column of a registered object, or a picklist field definition."""
    try:
        spec = registry.object_spec(object_name)
    except KeyError:
        return False
    return (
        field_name in spec.picklist_fields
        or FieldDefinition.objects.filter(
            object_name=object_name, api_name=field_name, field_type=FieldType.PICKLIST
        ).exists()
    )


def _clean_flags(flags: dict, errors: dict) -> dict:
    cleaned: dict = {}
    for flag in ("is_converted", "is_closed", "is_won"):
        if flag in flags:
            cleaned[flag] = bool(flags[flag])
    if "probability" in flags:
        raw = flags["probability"]
        if raw in (None, ""):
            cleaned["probability"] = None
        else:
            try:
                number = int(str(raw).strip())
            except (TypeError, ValueError):
                number = -1
            if not 0 <= number <= 100:
                errors["probability"] = gettext("Enter a probability between 0 and 100.")
            else:
                cleaned["probability"] = number
    return cleaned


def _label_taken(object_name: str, field_name: str, label: str, *, exclude_api_name: str | None = None) -> bool:
    """Whether another value of the picklist (of any object sharing its value set) has the label."""
    qs = PicklistValue.objects.filter(
        object_name__in=value_set_objects(object_name, field_name), field_name=field_name, label__iexact=label
    )
    if exclude_api_name is not None:
        qs = qs.exclude(api_name=exclude_api_name)
    return qs.exists()


def _lock_value_set(object_name: str, field_name: str) -> list[PicklistValue]:
    """Lock every value of the picklist and of the picklists sharing its value set (in one order,
    so that two admins changing the set from different objects wait for each other)."""
    return list(
        PicklistValue.objects.select_for_update()
        .filter(object_name__in=value_set_objects(object_name, field_name), field_name=field_name)
        .order_by("pk")
    )


def _shared_objects(object_name: str, field_name: str) -> list[str]:
    """The objects sharing the value set whose picklist field exists (itself first)."""
    return [name for name in value_set_objects(object_name, field_name) if picklist_field_exists(name, field_name)]


def _lock_same_value(value: PicklistValue) -> tuple[PicklistValue, list[PicklistValue]]:
    """Lock the value and the values with its API name in the picklists sharing its value set, in
    the order ``_lock_value_set`` locks them (no deadlock between the two); answers the value, read
    again, and the others."""
    rows = list(
        PicklistValue.objects.select_for_update()
        .filter(
            object_name__in=value_set_objects(value.object_name, value.field_name),
            field_name=value.field_name,
            api_name=value.api_name,
        )
        .order_by("pk")
    )
    locked = next((row for row in rows if row.pk == value.pk), None)
    if locked is None:
        raise PicklistValue.DoesNotExist("This value no longer exists.")
    return locked, [row for row in rows if row.pk != value.pk]


def _object_label(object_name: str) -> str:
    try:
        return registry.object_spec(object_name).label
    except KeyError:
        return object_name


@transaction.atomic
def picklist_value_create(
    *, object_name: str, field_name: str, label: str, api_name: str = "", acting_user: User, **flags
) -> PicklistValue:
    """Add a value at the end of the picklist, and of every picklist sharing its value set."""
    require_setup_admin(acting_user)
    if not picklist_field_exists(object_name, field_name):
        raise ValidationError({"field_name": gettext("This picklist does not exist.")})
    # Lock the picklist so that two admins adding values get distinct positions.
    _lock_value_set(object_name, field_name)
    label = (label or "").strip()
    api_name = (api_name or "").strip() or label
    errors: dict = {}
    if not label:
        errors["label"] = gettext("Enter a label.")
    elif len(label) > 120:
        errors["label"] = gettext("Use at most 120 characters.")
    elif _label_taken(object_name, field_name, label):
        errors["label"] = gettext("The label “%(label)s” is already used in this picklist.") % {"label": label}
    if label and len(api_name) > 120:
        errors["api_name"] = gettext("Use at most 120 characters.")
    elif (
        label
        and PicklistValue.objects.filter(
            object_name__in=value_set_objects(object_name, field_name), field_name=field_name, api_name=api_name
        ).exists()
    ):
        errors["api_name"] = gettext("The value “%(api_name)s” already exists in this picklist.") % {
            "api_name": api_name
        }
    cleaned_flags = _clean_flags(flags, errors)
    if errors:
        raise ValidationError(errors)
    with unique_as_field_error(_PICKLIST_UNIQUE):
        created = [
            PicklistValue.objects.create(
                object_name=name,
                field_name=field_name,
                api_name=api_name,
                label=label,
                sort_order=(
                    PicklistValue.objects.filter(object_name=name, field_name=field_name).aggregate(
                        m=Max("sort_order")
                    )["m"]
                    or 0
                )
                + 1,
                **cleaned_flags,
            )
            for name in _shared_objects(object_name, field_name)
        ]
    return created[0]


@transaction.atomic
def picklist_value_update(*, value: PicklistValue, acting_user: User, **changes) -> PicklistValue:
    """Relabel or change flags, on every picklist sharing the value set. Records store the API name,
    so relabelling touches no record."""
    require_setup_admin(acting_user)
    value, elsewhere = _lock_same_value(value)
    errors: dict = {}
    if "label" in changes:
        label = (changes["label"] or "").strip()
        if not label or len(label) > 120:
            errors["label"] = gettext("Enter a label of at most 120 characters.")
        elif _label_taken(value.object_name, value.field_name, label, exclude_api_name=value.api_name):
            errors["label"] = gettext("The label “%(label)s” is already used in this picklist.") % {"label": label}
        else:
            value.label = label
    cleaned_flags = _clean_flags(changes, errors)
    if cleaned_flags.get("is_converted") is False and value.is_converted:
        last = _last_converted_problem(value)
        if last:
            errors["is_converted"] = last
    if errors:
        raise ValidationError(errors)
    for name, flag_value in cleaned_flags.items():
        setattr(value, name, flag_value)
    with unique_as_field_error(_PICKLIST_UNIQUE):
        value.save()
        for other in elsewhere:
            other.label = value.label
            for name, flag_value in cleaned_flags.items():
                setattr(other, name, flag_value)
            other.save()
    return value


def _last_converted_problem(value: PicklistValue) -> str:
    """Conversion needs a converted lead status: the last active one must stay."""
    if not value.is_converted or not value.is_active:
        return ""
    others = PicklistValue.objects.filter(
        object_name=value.object_name, field_name=value.field_name, is_converted=True, is_active=True
    ).exclude(pk=value.pk)
    if others.exists():
        return ""
    return "It is the only active converted status; leads could no longer be converted."


@transaction.atomic
def picklist_reorder(*, object_name: str, field_name: str, ordered_ids: list[int], acting_user: User) -> None:
    """Put the values in this order; picklists sharing the value set follow it."""
    require_setup_admin(acting_user)
    locked = _lock_value_set(object_name, field_name)
    values = {v.pk: v for v in locked if v.object_name == object_name}
    if set(ordered_ids) != set(values):
        raise ValidationError(gettext("The new order must list every value of the picklist exactly once."))
    position_of = {values[pk].api_name: position for position, pk in enumerate(ordered_ids, start=1)}
    for position, pk in enumerate(ordered_ids, start=1):
        values[pk].sort_order = position
    # Values only another object has (none once the set is shared) keep their order after the rest.
    others = sorted(
        (v for v in locked if v.object_name != object_name),
        key=lambda v: (position_of.get(v.api_name, len(position_of) + 1), v.sort_order, v.pk),
    )
    for name in {v.object_name for v in others}:
        for position, other in enumerate((v for v in others if v.object_name == name), start=1):
            other.sort_order = position
    PicklistValue.objects.bulk_update(locked, ["sort_order"])


@transaction.atomic
def picklist_value_move(*, value: PicklistValue, direction: int, acting_user: User) -> None:
    """Move a value one place up (-1) or down (+1)."""
    require_setup_admin(acting_user)
    ids = list(
        PicklistValue.objects.select_for_update()
        .filter(object_name=value.object_name, field_name=value.field_name)
        .order_by("sort_order", "id")
        .values_list("pk", flat=True)
    )
    if value.pk not in ids:
        raise ValidationError(gettext("This value no longer exists."))
    i = ids.index(value.pk)
    j = i + (1 if direction > 0 else -1)
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
    picklist_reorder(
        object_name=value.object_name, field_name=value.field_name, ordered_ids=ids, acting_user=acting_user
    )


def _sync_custom_picklist_default(object_name: str, field_name: str, api_name: str | None) -> None:
    """A custom picklist keeps its default both as the flagged value and in its field definition,
    which is what new records read."""
    FieldDefinition.objects.filter(
        object_name=object_name, api_name=field_name, is_custom=True, field_type=FieldType.PICKLIST
    ).update(default_value=api_name)


@transaction.atomic
def picklist_set_default(*, value: PicklistValue, acting_user: User) -> PicklistValue:
    require_setup_admin(acting_user)
    siblings = PicklistValue.objects.select_for_update().filter(
        object_name=value.object_name, field_name=value.field_name
    )
    list(siblings)  # lock the whole picklist
    value = siblings.get(pk=value.pk)
    if not value.is_active:
        raise ValidationError(gettext("An inactive value cannot be the default. Activate it first."))
    siblings.filter(is_default=True).exclude(pk=value.pk).update(is_default=False)
    value.is_default = True
    value.save(update_fields=["is_default"])
    _sync_custom_picklist_default(value.object_name, value.field_name, value.api_name)
    return value


@transaction.atomic
def picklist_clear_default(*, object_name: str, field_name: str, acting_user: User) -> None:
    """Leave a picklist without a default; a required field keeps one so that new records get a value."""
    require_setup_admin(acting_user)
    required = FieldDefinition.objects.filter(object_name=object_name, api_name=field_name, is_required=True)
    if required.exists():
        raise ValidationError(gettext("This field is required, so its picklist must keep a default value."))
    PicklistValue.objects.select_for_update().filter(
        object_name=object_name, field_name=field_name, is_default=True
    ).update(is_default=False)
    _sync_custom_picklist_default(object_name, field_name, None)


@transaction.atomic
def picklist_value_set_active(*, value: PicklistValue, active: bool, acting_user: User) -> PicklistValue:
    """Deactivate: kept on records that have it, no longer offered. The default stays active.
    Picklists sharing the value set change with it."""
    require_setup_admin(acting_user)
    value, elsewhere = _lock_same_value(value)
    if not active:
        usages = _usages_across([value, *elsewhere])
        if usages:
            raise ValidationError([gettext("This value cannot be deactivated while it is in use:"), *usages])
    for each in (value, *elsewhere):
        each.is_active = active
        each.save(update_fields=["is_active"])
    return value


def _usages_across(values: list[PicklistValue]) -> list[str]:
    """The usages of one value in the picklists sharing its value set; those of the other objects
    say which object they are on."""
    found: list[str] = []
    for each in values:
        prefix = "" if each is values[0] else f"{_object_label(each.object_name)}: "
        found.extend(prefix + usage for usage in picklist_value_usages(each))
    return found


@transaction.atomic
def picklist_value_delete(*, value: PicklistValue, replacement: PicklistValue | None, acting_user: User) -> int:
    """Delete a value, from every picklist sharing its value set; records that hold it move to
    ``replacement`` (a value of the same picklist) in the same transaction.

    Answers how many records moved.
    """
    require_setup_admin(acting_user)
    # Lock the whole value set: the replacement must not be deactivated or deleted meanwhile.
    locked = _lock_value_set(value.object_name, value.field_name)
    by_key = {(v.object_name, v.api_name): v for v in locked}
    current = next((v for v in locked if v.pk == value.pk), None)
    if current is None:
        raise ValidationError(gettext("This value no longer exists."))
    value = current
    targets = [
        by_key[(name, value.api_name)]
        for name in value_set_objects(value.object_name, value.field_name)
        if (name, value.api_name) in by_key
    ]
    usages = _usages_across(targets)
    if usages:
        raise ValidationError([gettext("This value cannot be deleted while it is in use:"), *usages])
    holding = {target.pk: _records_using(target) for target in targets}
    in_use = {pk for pk, records in holding.items() if records is not None and records.exists()}
    if in_use:
        if replacement is None:
            raise ValidationError({"replacement": gettext("Records use this value: choose a replacement value.")})
        replacement = next((v for v in locked if v.pk == replacement.pk), None)
        if (
            replacement is None
            or replacement.object_name != value.object_name
            or replacement.pk == value.pk
            or not replacement.is_active
        ):
            raise ValidationError({"replacement": gettext("Choose another active value of the same picklist.")})
    moved = 0
    for target in targets:
        if target.pk in in_use:
            assert replacement is not None  # checked above whenever a target is in use
            target_replacement = by_key.get((target.object_name, replacement.api_name))
            if target_replacement is None or not target_replacement.is_active:
                raise ValidationError(
                    {
                        "replacement": gettext(
                            "%(object_label)s records use this value, and “%(label)s” is not an active value there: choose another replacement."
                        )
                        % {"object_label": _object_label(target.object_name), "label": replacement.label}
                    }
                )
            moved += _move_records(target, target_replacement, holding[target.pk], acting_user)
        target.delete()
    # Its translations go with it: a later value of the same API name starts untranslated.
    label_translations_drop(object_name=value.object_name, field_name=value.field_name, value=value.api_name)
    return moved


def _move_records(value: PicklistValue, replacement: PicklistValue, holding, acting_user: User) -> int:
    """Give the records holding ``value`` the ``replacement`` value, with a history row each."""
    now = timezone.now()
    spec = registry.object_spec(value.object_name)
    model = spec.model
    column = spec.picklist_fields.get(value.field_name)
    field_names = {f.name for f in model._meta.get_fields()}
    has_version = "version" in field_names
    records = holding.select_for_update()
    rows = list(records.values_list("pk", "version") if has_version else records.values_list("pk", "pk"))
    ids = [pk for pk, _ in rows]
    label = (
        FieldDefinition.objects.filter(object_name=value.object_name, api_name=value.field_name)
        .values_list("label", flat=True)
        .first()
        or value.field_name
    )
    # One history row per record, written in bulk: a popular value may sit on many records.
    FieldHistory.objects.bulk_create(
        [
            FieldHistory(
                object_name=value.object_name,
                record_id=pk,
                field_name=value.field_name,
                field_label=label,
                old_value=value.api_name,
                new_value=replacement.api_name,
                note=f"Picklist value “{value.label}” deleted and replaced"[:300],
                record_version=(version + 1) if has_version else 0,
                changed_by=acting_user if getattr(acting_user, "pk", None) else None,
                changed_at=now,
            )
            for pk, version in rows
        ],
        batch_size=1000,
    )
    moved = 0
    if column:
        moved = model._default_manager.filter(pk__in=ids).update(**{column: replacement.api_name})
    else:
        for record in model._default_manager.filter(pk__in=ids).iterator():
            record.custom_fields[value.field_name] = replacement.api_name  # type: ignore[attr-defined]
            record.save(update_fields=["custom_fields"])
            moved += 1
    touched: dict[str, object] = {}
    if has_version:
        touched["version"] = F("version") + 1
    if "last_modified_at" in field_names:
        touched["last_modified_at"] = now
    if "last_modified_by" in field_names:
        touched["last_modified_by"] = acting_user
    if touched:
        model._default_manager.filter(pk__in=ids).update(**touched)
    return moved


# Field definitions -----------------------------------------------------------------------------

CUSTOM_FIELD_TYPES = [t for t in FieldType if t != FieldType.LOOKUP]
# Column sizes of FieldDefinition: longer input is refused with a message, not a database error.
TEXT_LIMITS = {"label": 120, "help_text": 500, "requested_by": 200, "purpose": 500, "description": 32000}


def _check_lengths(values: dict, errors: dict) -> None:
    for name, limit in TEXT_LIMITS.items():
        if name in values and len(values[name]) > limit:
            errors[name] = gettext("Use at most %(limit)s characters (this has %(len)s).") % {
                "limit": limit,
                "len": len(values[name]),
            }


def _clean_default(definition: FieldDefinition, raw, *, choices: list[str] | None = None):
    """The default value in stored form; raises ValidationError keyed by ``default_value``."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    if definition.field_type == FieldType.PICKLIST and choices is not None:
        text = str(raw).strip()
        if text not in choices:
            raise ValidationError(
                {"default_value": gettext("“%(text)s” is not one of the picklist values.") % {"text": text}}
            )
        return text
    try:
        return clean_value(definition, raw)
    except ValidationError as exc:
        raise ValidationError({"default_value": exc.messages}) from None


@transaction.atomic
def custom_field_create(
    *,
    object_name: str,
    label: str,
    field_type: str,
    acting_user: User,
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
    require_setup_admin(acting_user)
    errors: dict = {}
    try:
        registry.object_spec(object_name)
    except KeyError:
        raise ValidationError({"object_name": gettext("Choose an object.")}) from None
    texts = {
        "label": (label or "").strip(),
        "help_text": (help_text or "").strip(),
        "description": (description or "").strip(),
        "requested_by": (requested_by or "").strip(),
        "purpose": (purpose or "").strip(),
    }
    if not texts["label"]:
        errors["label"] = gettext("Enter a label.")
    _check_lengths(texts, errors)
    api_name = (api_name or "").strip() or (api_name_from_label(texts["label"]) if texts["label"] else "")
    if api_name and not api_name.endswith("__c"):
        api_name = f"{api_name}__c"
    if not api_name and texts["label"]:
        errors["api_name"] = gettext("Enter an API name.")
    elif api_name and not API_NAME_RE.match(api_name):
        errors["api_name"] = gettext("Use letters, digits and underscores, starting with a letter, ending in __c.")
    elif api_name and "__" in api_name[:-3]:
        errors["api_name"] = gettext("Use single underscores only; “__c” ends the name.")
    elif api_name and FieldDefinition.objects.filter(object_name=object_name, api_name__iexact=api_name).exists():
        errors["api_name"] = gettext("A field with the API name %(api_name)s already exists.") % {"api_name": api_name}
    if field_type not in CUSTOM_FIELD_TYPES:
        errors["field_type"] = gettext("Choose a field type.")
    if max_length is not None and not 1 <= max_length <= 32000:
        errors["max_length"] = gettext("Enter a length between 1 and 32000.")
    if decimal_places is not None and not 0 <= decimal_places <= 10:
        errors["decimal_places"] = gettext("Enter between 0 and 10 decimal places.")
    values: list[str] = []
    if field_type == FieldType.PICKLIST:
        for raw in picklist_values or []:
            text = raw.strip()
            if text and text.lower() not in {v.lower() for v in values}:
                values.append(text)
        if not values:
            errors["picklist_values"] = gettext("A picklist needs at least one value.")
        elif any(len(v) > 120 for v in values):
            errors["picklist_values"] = gettext("Use at most 120 characters per value.")
    draft = FieldDefinition(
        object_name=object_name,
        api_name=api_name,
        field_type=field_type,
        max_length=max_length,
        decimal_places=decimal_places,
    )
    cleaned_default = None
    if field_type in CUSTOM_FIELD_TYPES:
        try:
            cleaned_default = _clean_default(draft, default_value, choices=values)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    order = (FieldDefinition.objects.filter(object_name=object_name).aggregate(m=Max("sort_order"))["m"] or 0) + 1
    with unique_as_field_error(_FIELD_UNIQUE):
        definition = FieldDefinition.objects.create(
            object_name=object_name,
            api_name=api_name,
            label=texts["label"],
            field_type=field_type,
            is_custom=True,
            is_required=bool(is_required),
            default_value=cleaned_default,
            help_text=texts["help_text"],
            description=texts["description"],
            requested_by=texts["requested_by"],
            purpose=texts["purpose"],
            max_length=max_length,
            decimal_places=decimal_places,
            sort_order=order,
            created_by=acting_user,
        )
    for position, text in enumerate(values, start=1):
        PicklistValue.objects.create(
            object_name=object_name,
            field_name=api_name,
            api_name=text,
            label=text,
            sort_order=position,
            is_default=text == cleaned_default,
        )
    return definition


SALESFORCE_ID_TAKEN = "Another field of this object has this Salesforce field id."


def _clean_salesforce_field_id(definition: FieldDefinition, raw, errors: dict) -> str:
    """A custom field's Salesforce id (``00N`` and 15 or 18 characters), kept in its 15-character form."""
    text = (raw or "").strip()
    if not text:
        return ""
    short = id15(text)
    if short is None or not short.startswith("00N"):
        errors["salesforce_id"] = gettext(
            "Enter the 15- or 18-character id of the field in Salesforce (it starts with 00N)."
        )
        return definition.salesforce_id
    taken = FieldDefinition.objects.filter(object_name=definition.object_name, salesforce_id=short)
    if taken.exclude(pk=definition.pk).exists():
        errors["salesforce_id"] = SALESFORCE_ID_TAKEN
    return short


@transaction.atomic
def field_definition_update(*, definition: FieldDefinition, acting_user: User, **changes) -> FieldDefinition:
    """Label, help text, description, requested by and purpose for any field; required, default,
    active and the Salesforce field id for custom fields only (standard fields keep the model's rules)."""
    require_setup_admin(acting_user)
    definition = FieldDefinition.objects.select_for_update().get(pk=definition.pk)
    errors: dict = {}
    texts = {name: (changes[name] or "").strip() for name in TEXT_LIMITS if name in changes}
    if "label" in texts and not texts["label"]:
        errors["label"] = gettext("Enter a label.")
    _check_lengths(texts, errors)
    for name, text in texts.items():
        setattr(definition, name, text)
    picklist_default_changed = False
    if definition.is_custom:
        if "is_required" in changes:
            definition.is_required = bool(changes["is_required"])
        if "default_value" in changes:
            choices = None
            if definition.field_type == FieldType.PICKLIST:
                choices = list(
                    PicklistValue.objects.filter(
                        object_name=definition.object_name, field_name=definition.api_name, is_active=True
                    ).values_list("api_name", flat=True)
                )
            try:
                new_default = _clean_default(definition, changes["default_value"], choices=choices)
            except ValidationError as exc:
                errors.update(exc.message_dict)
            else:
                picklist_default_changed = new_default != definition.default_value
                definition.default_value = new_default
        if "is_active" in changes:
            definition.is_active = bool(changes["is_active"])
        if "salesforce_id" in changes:
            definition.salesforce_id = _clean_salesforce_field_id(definition, changes["salesforce_id"], errors)
    if errors:
        raise ValidationError(errors)
    with unique_as_field_error({"field_unique_salesforce_id": ("salesforce_id", SALESFORCE_ID_TAKEN)}):
        definition.save()
    if picklist_default_changed and definition.field_type == FieldType.PICKLIST:
        values = PicklistValue.objects.select_for_update().filter(
            object_name=definition.object_name, field_name=definition.api_name
        )
        values.filter(is_default=True).exclude(api_name=definition.default_value or "").update(is_default=False)
        if definition.default_value:
            values.filter(api_name=definition.default_value).update(is_default=True)
    return definition


def picklist_fields_of(object_name: str) -> list[FieldDefinition]:
    return list(
        FieldDefinition.objects.filter(object_name=object_name, field_type=FieldType.PICKLIST).filter(
            Q(is_active=True) | Q(is_custom=False)
        )
    )
