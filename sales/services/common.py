"""The engine accounts, contacts and opportunities share: model rules, picklists (restricted by
the record type), custom fields, history and optimistic concurrency."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from core.fields import clean_custom_fields, is_blank, validate_url, validate_web_address
from core.history import Change, diff, history_for, history_record
from core.memo import memoized
from core.models import PicklistValue
from core.roles import display_name
from core.selectors import field_labels

from ..fields import ACCOUNT, CONTACT, OPPORTUNITY, PICKLIST_FIELDS, WRITABLE_FIELDS
from ..models import Account, Contact, Opportunity, RecordType
from ..selectors import (
    domain_of,
    offered_picklist_values,
    record_is_editable_by,
    record_type_default_for,
    record_type_picklist_fields,
)

_UNSET = object()


class RecordEditConflict(Exception):
    """The record was saved by someone else after the edit began; carries what changed since."""

    def __init__(self, record, changes: list):
        self.record = record
        self.changes = changes
        super().__init__(f"This {record._meta.verbose_name} was changed by someone else after you started editing it.")


@dataclass(frozen=True)
class _Kind:
    object_name: str
    model: type
    label: str


_KINDS = {
    ACCOUNT: _Kind(ACCOUNT, Account, "account"),
    CONTACT: _Kind(CONTACT, Contact, "contact"),
    OPPORTUNITY: _Kind(OPPORTUNITY, Opportunity, "opportunity"),
}

# Columns the model rules skip: the services set them.
_SYSTEM_COLUMNS = [
    "owner",
    "record_type",
    "custom_fields",
    "created_at",
    "created_by",
    "last_modified_at",
    "last_modified_by",
    "version",
    "account",
]


_WEBSITE_EXAMPLE = "Enter a valid website, such as www.example.com."


def _actor(user):
    return user if getattr(user, "pk", None) else None


def _snapshot(kind: _Kind, record) -> dict:
    values = {name: getattr(record, name) for name in WRITABLE_FIELDS[kind.object_name]}
    values["owner"] = display_name(record.owner) if record.owner_id else ""
    values["record_type"] = record.record_type.name if record.record_type_id else ""
    if kind.object_name in (CONTACT, OPPORTUNITY):
        values["account"] = record.account.name if record.account_id else ""
    for key, value in (record.custom_fields or {}).items():
        values[key] = value
    return values


def _coerce(kind: _Kind, data: dict) -> dict:
    """Normalise raw input: strip text, blank numbers and dates become None. Unknown keys are errors."""
    if not isinstance(data, dict):
        raise ValidationError({"__all__": [gettext("Expected an object of field names to values.")]})
    writable = WRITABLE_FIELDS[kind.object_name]
    unknown = [k for k in data if k not in writable]
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be set."))
    clean = {}
    for key, value in data.items():
        field = kind.model._meta.get_field(key)
        internal = field.get_internal_type()
        if isinstance(value, str):
            value = value.strip()
        if internal in {"DecimalField", "PositiveIntegerField", "PositiveSmallIntegerField", "DateField"} and (
            is_blank(value)
        ):
            value = None
        if internal == "BooleanField":
            if isinstance(value, str):
                value = value.lower() in {"1", "true", "yes", "on"}
            value = bool(value)
        elif value is None and internal in {"CharField", "TextField", "EmailField"}:
            value = ""
        elif internal in {"CharField", "TextField", "EmailField"} and not isinstance(value, str):
            value = str(value)
        clean[key] = value
    return clean


def _is_empty(value) -> bool:
    return value is None or value == "" or value is False


def _check_record_type(kind: _Kind, record_type) -> dict:
    if record_type is None:
        return {}
    if not isinstance(record_type, RecordType) or record_type.object_name != kind.object_name:
        return {"record_type": [f"Choose a record type of the {kind.label}."]}
    if not record_type.is_active:
        return {"record_type": ["This record type is inactive."]}
    return {}


def _offered(kind: _Kind, record) -> dict[str, list[str]]:
    return offered_picklist_values(
        object_name=kind.object_name, record_type=record.record_type if record.record_type_id else None
    )


def _validate_picklists(
    kind: _Kind, record, custom: dict, before: dict | None, record_type_changed: bool, offered: dict | None = None
) -> dict:
    """Each picklist value, standard or custom, must be one the record's record type offers. A value
    the record already holds may be kept (e.g. after it was deactivated) unless the record type
    changes. (Custom values are checked against the active values by ``clean_custom_fields``.)"""
    errors = {}
    record_type = record.record_type if record.record_type_id else None
    offered = offered if offered is not None else _offered(kind, record)
    for field in record_type_picklist_fields(kind.object_name):
        is_custom = field not in PICKLIST_FIELDS[kind.object_name]
        if is_custom and record_type is None:
            continue
        value = custom.get(field) if is_custom else getattr(record, field)
        if value in (None, ""):
            continue
        kept = before is not None and before.get(field) == value and not record_type_changed
        if kept:
            continue
        if value not in offered.get(field, ()):
            where = f" for the record type {record_type.name}" if record_type else ""
            errors[field] = [
                gettext("“%(value)s” is not a valid value for this picklist%(where)s.")
                % {"value": value, "where": where}
            ]
    return errors


def _apply_picklist_defaults(kind: _Kind, record, offered: dict | None = None) -> None:
    """An empty picklist gets the object's default value, or, when the record type does not offer
    it, the record type's first value for a required picklist (the stage)."""
    defaults = None
    for field in PICKLIST_FIELDS[kind.object_name]:
        if getattr(record, field):
            continue
        if defaults is None:
            offered = offered if offered is not None else _offered(kind, record)
            defaults = memoized(
                ("picklist_defaults", kind.object_name),
                lambda: dict(
                    PicklistValue.objects.filter(object_name=kind.object_name, is_default=True).values_list(
                        "field_name", "api_name"
                    )
                ),
            )
        default = defaults.get(field)
        allowed = offered.get(field, [])
        if default and default in allowed:
            setattr(record, field, default)
        elif field == "stage" and allowed:
            setattr(record, field, allowed[0])


def _stage_probability(stage: str) -> int | None:
    return memoized(
        ("stage_probability", stage),
        lambda: (
            PicklistValue.objects.filter(object_name=OPPORTUNITY, field_name="stage", api_name=stage)
            .values_list("probability", flat=True)
            .first()
        ),
    )


def _validate(
    kind: _Kind,
    record,
    *,
    before: dict | None,
    custom_raw: dict | None,
    record_type_changed=False,
    offered: dict | None = None,
) -> dict:
    """Run the model's field rules, the picklist rules and the custom-field registry together so that
    every error is reported at once. Answers the cleaned custom field values."""
    errors: dict[str, list[str]] = {}
    try:
        record.full_clean(exclude=_SYSTEM_COLUMNS, validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if kind.object_name == ACCOUNT:
        try:
            validate_web_address(record.website)
        except ValidationError as exc:
            # Another scheme ("javascript:") is named as such; a malformed address gets an example.
            errors.setdefault("website", []).extend(
                _WEBSITE_EXAMPLE if message == validate_url.message else message for message in exc.messages
            )
        else:
            if record.website and not domain_of(record.website):
                errors.setdefault("website", []).append(_WEBSITE_EXAMPLE)
        if isinstance(record.annual_revenue, Decimal) and record.annual_revenue < 0:
            errors.setdefault("annual_revenue", []).append("Annual revenue cannot be negative.")
    if kind.object_name == OPPORTUNITY:
        if "close_date" in errors and record.close_date is None:
            errors["close_date"] = [gettext("Enter a close date.")]
        if isinstance(record.amount, Decimal) and record.amount < 0:
            errors.setdefault("amount", []).append("The amount cannot be negative.")
        if isinstance(record.probability, int) and record.probability > 100:
            errors.setdefault("probability", []).append("Enter a probability between 0 and 100.")
        if not record.account_id:
            errors.setdefault("account", []).append("Choose the account of the opportunity.")
    try:
        custom = clean_custom_fields(
            kind.object_name, custom_raw, existing=None if before is None else dict(record.custom_fields or {})
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
        custom = None
    picklist_errors = _validate_picklists(kind, record, custom or {}, before, record_type_changed, offered)
    for field, messages in picklist_errors.items():
        errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)
    if kind.object_name == ACCOUNT:
        record.website_domain = domain_of(record.website)
    return custom


def _check_owner(owner) -> dict:
    if owner is None:
        return {"owner": ["Choose an owner."]}
    if not getattr(owner, "is_active", False):
        return {"owner": ["An inactive user cannot own records."]}
    return {}


def _create(
    kind: _Kind, *, data, acting_user, owner, custom_fields, record_type, history_note="", related=None, **links
):
    now = timezone.now()
    values = _coerce(kind, data)
    owner = owner or _actor(acting_user)
    if record_type is None:
        record_type = record_type_default_for(user=acting_user, object_name=kind.object_name)
    errors = {**_check_owner(owner), **_check_record_type(kind, record_type)}
    if errors:
        raise ValidationError(errors)
    record = kind.model(**values, **links)
    record.owner = owner
    record.record_type = record_type
    offered = _offered(kind, record)  # the record type is settled: read its values once
    _apply_picklist_defaults(kind, record, offered)
    if kind.object_name == OPPORTUNITY and record.probability is None and record.stage:
        record.probability = _stage_probability(record.stage)
    record.custom_fields = _validate(kind, record, before=None, custom_raw=custom_fields, offered=offered)
    record.created_at = record.last_modified_at = now
    record.created_by = record.last_modified_by = _actor(acting_user)
    record.save()
    changes = [Change("created", "Created", "", f"{kind.label.capitalize()} created")]
    if related is not None:
        changes += related(record)
    history_record(
        object_name=kind.object_name,
        record_id=record.pk,
        changes=changes,
        acting_user=_actor(acting_user),
        record_version=record.version,
        note=history_note,
        at=now,
    )
    return record


def _update(
    kind: _Kind,
    record,
    *,
    data,
    acting_user,
    custom_fields,
    expected_version,
    fill_blanks_only,
    owner=None,
    record_type=_UNSET,
    account=_UNSET,
    check_access=True,
    history_note="",
):
    locked = kind.model.objects.select_for_update(of=("self",)).select_related("owner", "record_type").get(pk=record.pk)
    if check_access and not record_is_editable_by(locked, acting_user):
        raise PermissionError(f"You may not edit this {kind.label}.")
    if expected_version is not None and locked.version != expected_version:
        raise RecordEditConflict(
            locked,
            list(history_for(object_name=kind.object_name, record_id=locked.pk, since_version=expected_version)),
        )
    before = _snapshot(kind, locked)
    values = _coerce(kind, data or {})
    if fill_blanks_only:
        # Fill what is empty, never overwrite: a checkbox counts as empty when it is off.
        values = {k: v for k, v in values.items() if _is_empty(getattr(locked, k)) and not _is_empty(v)}
        existing = locked.custom_fields or {}
        if custom_fields:
            custom_fields = {k: v for k, v in custom_fields.items() if _is_empty(existing.get(k)) and not is_blank(v)}
        if account is not _UNSET and getattr(locked, "account_id", None):
            account = _UNSET
        owner, record_type = None, _UNSET
    errors: dict = {}
    if owner is not None and owner.pk != locked.owner_id:
        errors.update(_check_owner(owner))
        locked.owner = owner
    record_type_changed = False
    if record_type is not _UNSET and (record_type.pk if record_type else None) != locked.record_type_id:
        errors.update(_check_record_type(kind, record_type))
        locked.record_type = record_type
        record_type_changed = True
    if account is not _UNSET:
        locked.account = account
    if errors:
        raise ValidationError(errors)
    if kind.object_name == OPPORTUNITY and "amount" in values and locked.line_items.exists():
        current = locked.amount
        if values["amount"] is not None and _decimal_or_none(values["amount"]) != current:
            raise ValidationError(
                {
                    "amount": [
                        gettext("The amount is the sum of the opportunity's products: change the products instead.")
                    ]
                }
            )
        values.pop("amount")
    old_stage = getattr(locked, "stage", None)
    for key, value in values.items():
        setattr(locked, key, value)
    if kind.object_name == OPPORTUNITY:
        if not locked.stage:
            _apply_picklist_defaults(kind, locked)
        stage_changed = locked.stage != old_stage
        if values.get("probability") is None and (stage_changed or "probability" in values):
            locked.probability = _stage_probability(locked.stage)
    locked.custom_fields = _validate(
        kind, locked, before=before, custom_raw=custom_fields, record_type_changed=record_type_changed
    )
    changes = diff(before, _snapshot(kind, locked), field_labels(object_name=kind.object_name))
    if not changes:
        return locked
    now = timezone.now()
    locked.version += 1
    locked.last_modified_at = now
    locked.last_modified_by = _actor(acting_user)
    locked.save()
    history_record(
        object_name=kind.object_name,
        record_id=locked.pk,
        changes=changes,
        acting_user=_actor(acting_user),
        record_version=locked.version,
        note=history_note,
        at=now,
    )
    return locked


def _decimal_or_none(value):
    try:
        return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return value


def _lock_editable_opportunity(opportunity: Opportunity, acting_user) -> Opportunity:
    locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if not record_is_editable_by(locked, acting_user):
        raise PermissionError("You may not change this opportunity.")
    return locked
