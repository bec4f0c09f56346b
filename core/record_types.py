"""Record types shared by every object (accounts, contacts, opportunities, leads): reading the
record types of an object, the default a user's new records get, and the rules every record type
keeps (a unique name per object, one default per user, role and organisation). Each object's app
adds what is its own (which picklist fields a record type restricts, a lead's process and path)."""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .db import unique_as_field_error
from .memo import memoized
from .models import RecordType, RecordTypeDefault
from .roles import MARKETING_ADMIN, ROLES, SALES_REP, SYSTEM_ADMIN

# When a user is in several role groups, the more senior role's default wins.
_ROLE_PRECEDENCE = [SYSTEM_ADMIN, MARKETING_ADMIN, SALES_REP]


def record_types_for(*, object_name: str, active_only: bool = True) -> QuerySet[RecordType]:
    qs = RecordType.objects.filter(object_name=object_name)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("name")


def record_type_org_default(object_name: str) -> RecordType | None:
    """The organisation's default record type of the object (none: every value offered)."""
    return memoized(
        ("record_type_org_default", object_name),
        lambda: RecordType.objects.filter(object_name=object_name, is_org_default=True, is_active=True).first(),
    )


def record_type_default_for(*, user, object_name: str) -> RecordType | None:
    """The record type the user's new records of the object get: the user's own default, else their
    role's (group's) default, else the organisation's default, else none (all values offered).
    Inactive record types are skipped."""
    if not getattr(user, "pk", None):
        return record_type_org_default(object_name)
    return memoized(
        ("record_type_default_for", user.pk, object_name),
        lambda: _record_type_default_for(user, object_name),
    )


def _record_type_default_for(user, object_name: str) -> RecordType | None:
    mine = (
        RecordTypeDefault.objects.filter(object_name=object_name, user=user, record_type__is_active=True)
        .select_related("record_type")
        .first()
    )
    if mine:
        return mine.record_type
    by_group = {
        d.group.name: d.record_type
        for d in RecordTypeDefault.objects.filter(
            object_name=object_name, group__user=user, record_type__is_active=True
        ).select_related("record_type", "group")
    }
    for role in _ROLE_PRECEDENCE:
        if role in by_group:
            return by_group[role]
    by_name = next((by_group[name] for name in sorted(by_group)), None)
    return by_name or record_type_org_default(object_name)


def _name_in_use(record_type: RecordType) -> bool:
    return (
        RecordType.objects.filter(object_name=record_type.object_name, name__iexact=record_type.name)
        .exclude(pk=record_type.pk)
        .exists()
    )


def _name_taken(record_type: RecordType) -> str:
    return _("A record type named %(name)s already exists for this object.") % {"name": record_type.name}


def record_type_field_errors(record_type: RecordType) -> dict[str, list[str]]:
    """Normalise the name and description and answer their errors (the friendly check, for every
    error at once; the database's constraint is the guarantee)."""
    errors = {}
    record_type.name = (record_type.name or "").strip()
    record_type.description = (record_type.description or "").strip()
    if not record_type.name:
        errors["name"] = [_("Enter a name.")]
    elif len(record_type.name) > 80:
        errors["name"] = [_("Use at most 80 characters.")]
    elif _name_in_use(record_type):
        errors["name"] = [_name_taken(record_type)]
    if len(record_type.description) > 255:
        errors["description"] = [_("Use at most 255 characters.")]
    return errors


def record_type_save(record_type: RecordType) -> None:
    """Save; a concurrent write that took the name after the check ends in the same field error
    (the database's case-insensitive unique constraint per object decides)."""
    with unique_as_field_error(
        {
            "sales_recordtype_name_ci": ("name", _name_taken(record_type)),
            "recordtype_one_org_default": (
                "is_org_default",
                _("Another record type became the default meanwhile; try again."),
            ),
        }
    ):
        if record_type.is_org_default and record_type.is_active:
            # One organisation default per object: choosing this one unsets the previous one.
            RecordType.objects.filter(object_name=record_type.object_name, is_org_default=True).exclude(
                pk=record_type.pk
            ).update(is_org_default=False)
        record_type.save()


@transaction.atomic
def record_type_default_assign(
    *, object_name: str, record_type: RecordType | None, user=None, group: Group | None = None
) -> RecordTypeDefault | None:
    """Set (or with ``record_type=None`` clear) the default record type of a role (group) or a user;
    the caller checks that the acting user may and that the object takes record types."""
    if (user is None) == (group is None):
        raise ValidationError({"__all__": [_("Choose either a user or a role.")]})
    if group is not None and group.name not in ROLES:
        raise ValidationError({"group": [_("Choose one of the roles: %(roles)s.") % {"roles": ", ".join(ROLES)}]})
    lookup = {"object_name": object_name, "user": user, "group": group}
    if record_type is None:
        RecordTypeDefault.objects.filter(**lookup).delete()
        return None
    if user is not None and not user.is_active:
        raise ValidationError({"user": [_("An inactive user cannot be given a default record type.")]})
    if record_type.object_name != object_name:
        raise ValidationError({"record_type": [_("Choose a record type of this object.")]})
    if not record_type.is_active:
        raise ValidationError({"record_type": [_("An inactive record type cannot be a default.")]})
    row, _created = RecordTypeDefault.objects.select_for_update().update_or_create(
        **lookup, defaults={"record_type": record_type}
    )
    return row
