"""Record types: which picklist values each offers, and the default record type of a role or user."""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.models import PicklistValue
from core.record_types import record_type_default_assign, record_type_field_errors, record_type_save
from core.roles import require_setup_admin

from ..fields import RECORD_TYPE_OBJECTS
from ..models import RecordType, RecordTypeDefault
from ..selectors import record_type_picklist_fields


def _record_type_values(object_name: str, picklist_values) -> list[PicklistValue]:
    values = list(picklist_values or [])
    ids = [v.pk if isinstance(v, PicklistValue) else v for v in values]
    try:
        ids = [int(i) for i in ids]
    except (TypeError, ValueError):
        raise ValidationError({"picklist_values": [_("Choose picklist values of this object.")]}) from None
    found = list(PicklistValue.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)) or any(
        v.object_name != object_name or v.field_name not in record_type_picklist_fields(object_name) for v in found
    ):
        raise ValidationError({"picklist_values": [_("Choose picklist values of this object.")]})
    return found


def _record_type_check(record_type: RecordType) -> None:
    errors = record_type_field_errors(record_type)
    if record_type.object_name not in RECORD_TYPE_OBJECTS:
        errors["object_name"] = [_("Choose Account, Contact or Opportunity.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_type_create(
    *, object_name: str, name: str, acting_user, description: str = "", is_active: bool = True, picklist_values=None
) -> RecordType:
    """Create a record type offering, for each picklist field, the values chosen (none chosen for a
    field = all its active values)."""
    require_setup_admin(acting_user)
    record_type = RecordType(object_name=object_name, name=name, description=description, is_active=is_active)
    _record_type_check(record_type)
    values = _record_type_values(object_name, picklist_values)
    record_type_save(record_type)
    record_type.picklist_values.set(values)
    return record_type


@transaction.atomic
def record_type_update(
    *,
    record_type: RecordType,
    acting_user,
    name: str | None = None,
    description: str | None = None,
    is_active: bool | None = None,
    picklist_values=None,
) -> RecordType:
    require_setup_admin(acting_user)
    locked = RecordType.objects.select_for_update().get(pk=record_type.pk)
    if name is not None:
        locked.name = name
    if description is not None:
        locked.description = description
    if is_active is not None:
        locked.is_active = bool(is_active)
    _record_type_check(locked)
    if picklist_values is not None:
        values = _record_type_values(locked.object_name, picklist_values)
    record_type_save(locked)
    if picklist_values is not None:
        locked.picklist_values.set(values)
    return locked


@transaction.atomic
def record_type_default_set(
    *, object_name: str, record_type: RecordType | None, acting_user, user=None, group: Group | None = None
) -> RecordTypeDefault | None:
    """Set (or with ``record_type=None`` clear) the default record type of a role (group) or a user."""
    require_setup_admin(acting_user)
    if object_name not in RECORD_TYPE_OBJECTS:
        raise ValidationError({"object_name": [_("Choose Account, Contact or Opportunity.")]})
    return record_type_default_assign(object_name=object_name, record_type=record_type, user=user, group=group)
