"""Writes of user administration: invite, change, deactivate users; permission sets.

Only system admins may call them (``PermissionError`` otherwise, a 403 through the API). Every
change to an account writes a ``UserAuditEntry``; emails go through the outbox on commit.
"""

import uuid
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core.db import unique_as_field_error
from core.registry import run_user_rename_hooks
from core.roles import ROLES, SALES_REP, SYSTEM_ADMIN, require_system_admin, role_label
from core.tokens import api_tokens_revoke_all
from emails.models import OutboundEmail
from emails.services import email_enqueue

from .models import PermissionSet, UserAuditEntry
from .permissions import BY_CODENAME, STANDARD_SETS

User = get_user_model()


# Helpers -----------------------------------------------------------------------------------------


def _audit(user, action: str, acting_user, **detail) -> UserAuditEntry:
    return UserAuditEntry.objects.create(
        user=user,
        action=action,
        detail=detail,
        acting_user=acting_user if getattr(acting_user, "pk", None) else None,
        at=timezone.now(),
    )


def role_of(user) -> str:
    """The one role a user holds, read afresh (not from the per-request cache)."""
    user.__dict__.pop("_leadcrm_groups", None)
    return role_label(user)


def _is_last_system_admin(user) -> bool:
    others = User.objects.filter(is_active=True).exclude(pk=user.pk)
    return not others.filter(Q(is_superuser=True) | Q(groups__name=SYSTEM_ADMIN)).exists()


def _clean_email(value: str, *, field: str = "email", exclude_pk: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: [_("Enter an email address.")]})
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError({field: [_("Enter a valid email address.")]}) from None
    taken = User.objects.filter(email__iexact=value)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError({field: [_("Another user already has this email address.")]})
    return value


def _clean_names(first_name: str, last_name: str) -> tuple[str, str]:
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    errors = {}
    if not last_name:
        errors["last_name"] = [_("Enter the last name.")]
    if len(first_name) > 150:
        errors["first_name"] = [_("Use at most 150 characters.")]
    if len(last_name) > 150:
        errors["last_name"] = [_("Use at most 150 characters.")]
    if errors:
        raise ValidationError(errors)
    return first_name, last_name


def _clean_role(role: str) -> str:
    if role not in ROLES:
        raise ValidationError({"role": [_("Choose a role.")]})
    return role


def _set_role(user, role: str) -> None:
    role_groups = list(Group.objects.filter(name__in=ROLES))
    user.groups.remove(*[g for g in role_groups if g.name != role])
    group, _created = Group.objects.get_or_create(name=role)
    user.groups.add(group)


def _link(user, url_name: str = "password_reset_confirm") -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return f"{getattr(settings, 'SITE_URL', '')}{reverse(url_name, kwargs={'uidb64': uid, 'token': token})}"


def _send_account_email(user, *, template: str, key: str, acting_user) -> OutboundEmail:
    context = {"user": user, "link": _link(user), "inviter": acting_user, "site_url": getattr(settings, "SITE_URL", "")}
    subject = render_to_string(f"users/emails/{template}_subject.txt", context).strip()
    body = render_to_string(f"users/emails/{template}.txt", context)
    return email_enqueue(
        to=user.email,
        subject=subject,
        body_text=body,
        kind=OutboundEmail.Kind.SYSTEM,
        idempotency_key=key,
        acting_user=acting_user,
    )


# Users -------------------------------------------------------------------------------------------


def _unique_username(base: str) -> str:
    base = (base or "user")[:140]
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


@transaction.atomic
def user_invite(
    *,
    email: str,
    last_name: str,
    first_name: str = "",
    role: str = SALES_REP,
    username: str = "",
    permission_sets: Iterable[PermissionSet] = (),
    acting_user,
):
    """Create an active user with no password and email them a link to choose one.

    The link is a password-reset link: it works once, until the user sets a password, and for
    ``PASSWORD_RESET_TIMEOUT`` seconds."""
    require_system_admin(acting_user)
    email = _clean_email(email)
    first_name, last_name = _clean_names(first_name, last_name)
    role = _clean_role(role)
    username = (username or "").strip()
    if username:
        if len(username) > 150 or not all(c.isalnum() or c in "@.+-_" for c in username):
            raise ValidationError({"username": [_("Use at most 150 letters, digits and @ . + - _ characters.")]})
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": [_("This username is taken.")]})
    else:
        username = _unique_username(email.lower())
    user = User(username=username, email=email, first_name=first_name, last_name=last_name, is_active=True)
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise ValidationError({"username": [_("This username is taken.")]}) from None
    _set_role(user, role)
    sets = list(permission_sets)
    for permission_set in sets:
        permission_set.group.user_set.add(user)
    entry = _audit(user, UserAuditEntry.Action.INVITED, acting_user, role=role, permission_sets=[s.name for s in sets])
    _send_account_email(user, template="invitation", key=f"user-invitation:{entry.pk}", acting_user=acting_user)
    return user


@transaction.atomic
def user_invitation_resend(*, user, acting_user) -> OutboundEmail:
    """Email a new invitation to a user who has not chosen a password yet."""
    require_system_admin(acting_user)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.has_usable_password():
        raise ValidationError({"non_field_errors": [_("This user has already chosen a password.")]})
    if not user.is_active:
        raise ValidationError({"non_field_errors": [_("Reactivate the user first.")]})
    entry = _audit(user, UserAuditEntry.Action.INVITATION_RESENT, acting_user)
    return _send_account_email(user, template="invitation", key=f"user-invitation:{entry.pk}", acting_user=acting_user)


@transaction.atomic
def user_update(*, user, first_name: str, last_name: str, email: str, role: str, acting_user):
    """Change a user's name, email and role. A system admin can't take away their own System admin
    role, and the last active system admin keeps theirs: somebody must be able to administer."""
    require_system_admin(acting_user)
    user = User.objects.select_for_update().get(pk=user.pk)
    first_name, last_name = _clean_names(first_name, last_name)
    email = _clean_email(email, exclude_pk=user.pk)
    role = _clean_role(role)
    old_role = role_of(user)
    if old_role == SYSTEM_ADMIN and role != SYSTEM_ADMIN and not user.is_superuser:
        if user.pk == acting_user.pk:
            raise ValidationError({"role": [_("You can't take away your own System admin role.")]})
        if _is_last_system_admin(user):
            raise ValidationError({"role": [_("The last active system admin keeps the System admin role.")]})
    changes = {
        name: [getattr(user, name), value]
        for name, value in (("first_name", first_name), ("last_name", last_name), ("email", email))
        if getattr(user, name) != value
    }
    if changes:
        user.first_name, user.last_name, user.email = first_name, last_name, email
        user.save(update_fields=["first_name", "last_name", "email"])
        _audit(user, UserAuditEntry.Action.UPDATED, acting_user, changes=changes)
        if "first_name" in changes or "last_name" in changes:
            run_user_rename_hooks(user=user)
    if role != old_role:
        _set_role(user, role)
        _audit(user, UserAuditEntry.Action.ROLE_CHANGED, acting_user, old=old_role, new=role)
    user.__dict__.pop("_leadcrm_groups", None)
    return user


@transaction.atomic
def user_permission_sets_set(*, user, permission_sets: Iterable[PermissionSet], acting_user) -> list[PermissionSet]:
    """Give a user exactly these permission sets (others they had are taken away)."""
    require_system_admin(acting_user)
    user = User.objects.select_for_update().get(pk=user.pk)
    wanted = {s.pk: s for s in permission_sets}
    current = {s.pk: s for s in PermissionSet.objects.filter(group__user=user)}
    added = [wanted[pk] for pk in wanted.keys() - current.keys()]
    removed = [current[pk] for pk in current.keys() - wanted.keys()]
    for permission_set in added:
        permission_set.group.user_set.add(user)
    for permission_set in removed:
        permission_set.group.user_set.remove(user)
    if added or removed:
        _audit(
            user,
            UserAuditEntry.Action.PERMISSION_SETS_CHANGED,
            acting_user,
            added=sorted(s.name for s in added),
            removed=sorted(s.name for s in removed),
        )
    return sorted(wanted.values(), key=lambda s: s.name.lower())


@transaction.atomic
def user_deactivate(*, user, acting_user):
    """Deactivate a user: they can't sign in, their API tokens end, their records stay theirs (a
    system admin transfers them as needed). Not yourself, and not the last system admin."""
    require_system_admin(acting_user)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.pk == acting_user.pk:
        raise ValidationError({"non_field_errors": [_("You can't deactivate yourself.")]})
    if not user.is_active:
        return user
    if role_of(user) == SYSTEM_ADMIN and _is_last_system_admin(user):
        raise ValidationError({"non_field_errors": [_("The last active system admin can't be deactivated.")]})
    user.is_active = False
    user.save(update_fields=["is_active"])
    tokens = api_tokens_revoke_all(user=user)
    _audit(user, UserAuditEntry.Action.DEACTIVATED, acting_user, api_tokens_revoked=tokens)
    # Signed-in sessions end at their next request: Django checks is_active on every request
    # through the authentication backend.
    return user


@transaction.atomic
def user_reactivate(*, user, acting_user):
    require_system_admin(acting_user)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        return user
    user.is_active = True
    user.save(update_fields=["is_active"])
    _audit(user, UserAuditEntry.Action.REACTIVATED, acting_user)
    return user


@transaction.atomic
def user_password_reset_send(*, user, acting_user) -> OutboundEmail:
    """Email the user a link to choose a new password (their current one keeps working until then)."""
    require_system_admin(acting_user)
    if not user.is_active:
        raise ValidationError({"non_field_errors": [_("Reactivate the user first.")]})
    if not user.email:
        raise ValidationError({"email": [_("The user has no email address.")]})
    entry = _audit(user, UserAuditEntry.Action.PASSWORD_RESET_SENT, acting_user)
    return _send_account_email(
        user, template="password_reset", key=f"user-password-reset:{entry.pk}", acting_user=acting_user
    )


# Permission sets ---------------------------------------------------------------------------------


def _permissions(codenames: Iterable[str]) -> list[Permission]:
    codenames = list(dict.fromkeys(codenames))
    unknown = [c for c in codenames if c not in BY_CODENAME]
    if unknown:
        raise ValidationError({"permissions": [_("Unknown permission: %(name)s.") % {"name": ", ".join(unknown)}]})
    found = []
    for codename in codenames:
        app_label, name = codename.split(".", 1)
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=name).first()
        if permission is None:
            raise ValidationError({"permissions": [_("Unknown permission: %(name)s.") % {"name": codename}]})
        found.append(permission)
    return found


def _clean_set_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Enter a name.")]})
    if len(name) > 80:
        raise ValidationError({"name": [_("Use at most 80 characters.")]})
    return name


NAME_TAKEN = {"permission_set_name_ci": ("name", _lazy("A permission set with this name exists."))}


def _name_taken(name: str, exclude_pk: int | None = None) -> None:
    taken = PermissionSet.objects.filter(name__iexact=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError({"name": [_("A permission set with this name exists.")]})


def permission_codenames(permission_set: PermissionSet) -> list[str]:
    return sorted(
        f"{app}.{codename}"
        for app, codename in permission_set.group.permissions.values_list("content_type__app_label", "codename")
    )


@transaction.atomic
def permission_set_create(
    *, name: str, description: str = "", permissions: Iterable[str] = (), acting_user, key: str = ""
) -> PermissionSet:
    if acting_user is not None:
        require_system_admin(acting_user)
    name = _clean_set_name(name)
    _name_taken(name)
    perms = _permissions(permissions)
    # The group's name is never shown; it only has to differ from the role groups' names.
    group = Group.objects.create(name=f"permission-set:{uuid.uuid4().hex}")
    actor = acting_user if getattr(acting_user, "pk", None) else None
    with unique_as_field_error(NAME_TAKEN):
        permission_set = PermissionSet.objects.create(
            name=name, description=(description or "").strip(), key=key, group=group, created_by=actor, updated_by=actor
        )
    group.permissions.set(perms)
    return permission_set


@transaction.atomic
def permission_set_update(
    *, permission_set: PermissionSet, name: str, description: str = "", permissions: Iterable[str], acting_user
) -> PermissionSet:
    require_system_admin(acting_user)
    permission_set = PermissionSet.objects.select_for_update().get(pk=permission_set.pk)
    name = _clean_set_name(name)
    _name_taken(name, exclude_pk=permission_set.pk)
    perms = _permissions(permissions)
    permission_set.name, permission_set.description = name, (description or "").strip()
    permission_set.updated_by = acting_user
    with unique_as_field_error(NAME_TAKEN):
        permission_set.save()
    permission_set.group.permissions.set(perms)
    return permission_set


@transaction.atomic
def permission_set_delete(*, permission_set: PermissionSet, acting_user) -> None:
    """Delete a permission set that came from an admin; its users lose what it granted."""
    require_system_admin(acting_user)
    permission_set = PermissionSet.objects.select_for_update().get(pk=permission_set.pk)
    if permission_set.is_standard:
        raise ValidationError({"non_field_errors": [_("A standard permission set can't be deleted.")]})
    group = permission_set.group
    for user in group.user_set.all():
        _audit(
            user, UserAuditEntry.Action.PERMISSION_SETS_CHANGED, acting_user, added=[], removed=[permission_set.name]
        )
    permission_set.delete()
    group.delete()


@transaction.atomic
def permission_set_assign(*, permission_set: PermissionSet, users: Iterable, acting_user) -> int:
    """Give the set to more users; answers how many did not have it yet."""
    require_system_admin(acting_user)
    have = set(permission_set.group.user_set.values_list("pk", flat=True))
    added = [u for u in users if u.pk not in have]
    for user in added:
        permission_set.group.user_set.add(user)
        _audit(
            user, UserAuditEntry.Action.PERMISSION_SETS_CHANGED, acting_user, added=[permission_set.name], removed=[]
        )
    return len(added)


@transaction.atomic
def permission_set_unassign(*, permission_set: PermissionSet, user, acting_user) -> bool:
    require_system_admin(acting_user)
    if not permission_set.group.user_set.filter(pk=user.pk).exists():
        return False
    permission_set.group.user_set.remove(user)
    _audit(user, UserAuditEntry.Action.PERMISSION_SETS_CHANGED, acting_user, added=[], removed=[permission_set.name])
    return True


def standard_permission_sets_ensure(**kwargs) -> None:
    """Create the standard permission sets that don't exist yet (after migrations; idempotent).

    A standard set an admin renamed or changed stays as the admin left it."""
    known = set(PermissionSet.objects.exclude(key="").values_list("key", flat=True))
    available = {
        f"{app}.{codename}" for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }
    for key, (name, description, codenames) in STANDARD_SETS.items():
        if key in known or not set(codenames) <= available:
            continue
        if PermissionSet.objects.filter(name__iexact=name).exists():
            name = f"{name} ({key})"
        permission_set_create(name=name, description=description, permissions=codenames, acting_user=None, key=key)
