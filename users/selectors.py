"""Reads of user administration. Only system admins reach them (the views and API check)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Count, Prefetch, Q, QuerySet

from core.roles import ROLES, SALES_REP, SYSTEM_ADMIN

from .models import PermissionSet, UserAuditEntry

User = get_user_model()


def user_list(*, query: str = "", role: str = "", active: str = "") -> QuerySet:
    """Users for the Users page, with their groups (roles and permission sets) prefetched.

    ``active``: "1" active only, "0" inactive only, anything else both."""
    users = User.objects.prefetch_related(
        Prefetch("groups", queryset=Group.objects.select_related("permission_set"), to_attr="prefetched_groups"),
    ).order_by("last_name", "first_name", "username")
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
        )
    if role == SYSTEM_ADMIN:
        users = users.filter(Q(is_superuser=True) | Q(groups__name=SYSTEM_ADMIN)).distinct()
    elif role == SALES_REP:
        users = users.filter(is_superuser=False).exclude(groups__name__in=[r for r in ROLES if r != SALES_REP])
    elif role in ROLES:
        users = users.filter(groups__name=role, is_superuser=False).exclude(groups__name=SYSTEM_ADMIN)
    if active == "1":
        users = users.filter(is_active=True)
    elif active == "0":
        users = users.filter(is_active=False)
    return users


def user_get(pk: int):
    return User.objects.filter(pk=pk).prefetch_related("groups").first()


def user_audit(*, user) -> QuerySet:
    return UserAuditEntry.objects.filter(user=user).select_related("acting_user")


def permission_sets() -> QuerySet:
    return PermissionSet.objects.annotate(user_count=Count("group__user", distinct=True)).order_by("name")


def permission_sets_of(user) -> list[PermissionSet]:
    return list(PermissionSet.objects.filter(group__user=user).order_by("name"))


def permission_set_users(permission_set: PermissionSet) -> QuerySet:
    return permission_set.group.user_set.order_by("last_name", "first_name", "username")
