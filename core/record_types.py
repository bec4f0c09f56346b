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
from .models import RecordType, RecordTypeAccess, RecordTypeDefault
from .roles import MARKETING_ADMIN, ROLES, SALES_REP, SYSTEM_ADMIN, is_marketing_admin

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


def record_types_available_to(*, user, object_name: str) -> list[RecordType]:
    """The active record types of the object that the user may give a record, by name: those of
    each of their roles (a role with none listed: every one); admins may use them all."""
    every = list(record_types_for(object_name=object_name))
    if not getattr(user, "pk", None) or is_marketing_admin(user):
        return every
    return memoized(("record_types_available_to", user.pk, object_name), lambda: _available(user, object_name, every))


def _available(user, object_name: str, every: list[RecordType]) -> list[RecordType]:
    listed: dict[int, set[int]] = {}
    for group_id, record_type_id in RecordTypeAccess.objects.filter(
        group__user=user, record_type__object_name=object_name
    ).values_list("group_id", "record_type_id"):
        listed.setdefault(group_id, set()).add(record_type_id)
    if not listed or user.groups.exclude(pk__in=listed).filter(name__in=ROLES).exists():
        # A role of theirs lists none: it may use every record type.
        return every
    allowed = set().union(*listed.values())
    return [record_type for record_type in every if record_type.pk in allowed]


def record_type_available_to(*, user, record_type: RecordType) -> bool:
    return any(
        r.pk == record_type.pk for r in record_types_available_to(user=user, object_name=record_type.object_name)
    )


def record_types_of_role(*, group: Group, object_name: str) -> list[RecordType]:
    """The record types a role lists for the object (empty: it may use every one)."""
    return list(RecordType.objects.filter(object_name=object_name, role_access__group=group).order_by("name"))


@transaction.atomic
def record_type_access_assign(
    *, object_name: str, group: Group, record_types, default: RecordType | None
) -> list[RecordType]:
    """Set the record types of the object a role may use (none: every one) and its default, which
    must be one of them; the caller checks that the acting user may."""
    if group.name not in ROLES:
        raise ValidationError({"role": [_("Choose one of the roles: %(roles)s.") % {"roles": ", ".join(ROLES)}]})
    chosen = list({r.pk: r for r in record_types}.values())
    errors = {}
    if any(r.object_name != object_name or not r.is_active for r in chosen):
        errors["record_types"] = [_("Choose active record types of this object.")]
    if default is not None and (default.object_name != object_name or not default.is_active):
        errors["default"] = [_("Choose an active record type of this object.")]
    elif default is not None and chosen and default.pk not in {r.pk for r in chosen}:
        errors["default"] = [_("The default must be one of the record types the role may use.")]
    if errors:
        raise ValidationError(errors)
    # Serialises concurrent changes of the same role's list.
    Group.objects.select_for_update().filter(pk=group.pk).first()
    RecordTypeAccess.objects.filter(group=group, record_type__object_name=object_name).exclude(
        record_type__in=chosen
    ).delete()
    RecordTypeAccess.objects.bulk_create(
        [RecordTypeAccess(group=group, record_type=r) for r in chosen], ignore_conflicts=True
    )
    record_type_default_assign(object_name=object_name, record_type=default, group=group)
    return sorted(chosen, key=lambda r: r.name.lower())


def _record_type_default_for(user, object_name: str) -> RecordType | None:
    available = {r.pk: r for r in record_types_available_to(user=user, object_name=object_name)}
    mine = (
        RecordTypeDefault.objects.filter(object_name=object_name, user=user, record_type__is_active=True)
        .select_related("record_type")
        .first()
    )
    if mine and mine.record_type_id in available:
        return mine.record_type
    by_group = {
        d.group.name: d.record_type
        for d in RecordTypeDefault.objects.filter(
            object_name=object_name, group__user=user, record_type__is_active=True
        ).select_related("record_type", "group")
        if d.record_type_id in available
    }
    for role in _ROLE_PRECEDENCE:
        if role in by_group:
            return by_group[role]
    by_name = next((by_group[name] for name in sorted(by_group)), None)
    if by_name:
        return by_name
    org = record_type_org_default(object_name)
    if org is not None and org.pk in available:
        return org
    if len(available) == record_types_for(object_name=object_name).count():
        return org
    # The user's roles allow only some record types, the organisation's default not among them:
    # the first they may use.
    return next(iter(available.values()), None)


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
