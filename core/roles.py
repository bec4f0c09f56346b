"""The three roles, as groups, the permissions each app grants them, and the checks services,
views and selectors use."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

SALES_REP = "Sales rep"
MARKETING_ADMIN = "Marketing admin"
SYSTEM_ADMIN = "System admin"
ROLES = (SALES_REP, MARKETING_ADMIN, SYSTEM_ADMIN)
# The roles with the words pages show for them (the stored value stays the group's name).
ROLE_CHOICES = [(SALES_REP, _("Sales rep")), (MARKETING_ADMIN, _("Marketing admin")), (SYSTEM_ADMIN, _("System admin"))]

# Codename of the permission that opens converted leads.
VIEW_CONVERTED_LEADS = "leads.view_edit_converted_lead"
# App permissions (core.OrgSettings.Meta.permissions): marketing admins have them through their role;
# a permission set gives them to other users.
EXPORT_RECORDS = "core.export_records"
MANAGE_CAMPAIGNS = "core.manage_campaigns"


def _group_names(user) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_leadcrm_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._leadcrm_groups = cached
    return cached


def is_system_admin(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or SYSTEM_ADMIN in _group_names(user)


def is_marketing_admin(user) -> bool:
    """Marketing admins configure the app; system admins may do everything they may."""
    return is_system_admin(user) or MARKETING_ADMIN in _group_names(user)


def sees_all_records(user) -> bool:
    return is_marketing_admin(user)


def may_export(user) -> bool:
    """Exports (report CSVs, list exports) need the Export permission."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(EXPORT_RECORDS)


EXPORT_ONLY = _("Exporting needs the Export permission; ask a system admin for it.")


def require_export(user) -> None:
    """Views and API: a 403 for a user without the Export permission."""
    if not may_export(user):
        raise PermissionDenied(str(EXPORT_ONLY))


def may_manage_campaigns(user) -> bool:
    """Create, edit and delete any campaign: marketing admins, or the Manage Campaigns permission."""
    return is_marketing_admin(user) or (
        bool(getattr(user, "is_authenticated", False)) and user.has_perm(MANAGE_CAMPAIGNS)
    )


def role_label(user) -> str:
    if is_system_admin(user):
        return SYSTEM_ADMIN
    if is_marketing_admin(user):
        return MARKETING_ADMIN
    return SALES_REP


def display_name(user, empty: str = "") -> str:
    """A user's full name, else their username; ``empty`` when there is no user."""
    if user is None or not getattr(user, "pk", None):
        return empty
    return user.get_full_name() or user.get_username()


# Permission grants ------------------------------------------------------------------------------
# Permission codenames per role ("app.codename"). Each app adds its own in its ready() through
# ``grant``; ``ensure_roles`` runs after every app's migrations so later apps' permissions reach the
# groups too.
ROLE_PERMISSIONS: dict[str, set[str]] = {
    SALES_REP: set(),
    MARKETING_ADMIN: set(),
    SYSTEM_ADMIN: {"*"},
}


def grant(role: str, *perms: str) -> None:
    """Give a role permissions (called from an app's ready())."""
    ROLE_PERMISSIONS.setdefault(role, set()).update(perms)


def ensure_roles(**kwargs) -> None:
    """Create the role groups and give them their permissions; idempotent."""
    from django.contrib.auth.models import Group, Permission

    all_perms = Permission.objects.select_related("content_type")
    by_name = {f"{p.content_type.app_label}.{p.codename}": p for p in all_perms}
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        perms = list(by_name.values()) if "*" in wanted else [by_name[n] for n in wanted if n in by_name]
        group.permissions.add(*perms)


# Access checks ----------------------------------------------------------------------------------

SETUP_ONLY = _("Only marketing and system admins may change the setup.")
SYSTEM_ONLY = _("Only system admins may do this.")


def require_setup_admin(user) -> None:
    """Services: only marketing and system admins may change the setup (a 403 through the API)."""
    if not is_marketing_admin(user):
        raise PermissionError(str(SETUP_ONLY))


def require_system_admin(user) -> None:
    if not is_system_admin(user):
        raise PermissionError(str(SYSTEM_ONLY))


def setup_admin_required(view):
    """Views: marketing admins and system admins only; everyone else gets 403."""
    from django.contrib.auth.decorators import login_required

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not is_marketing_admin(request.user):
            raise PermissionDenied(str(SETUP_ONLY))
        return view(request, *args, **kwargs)

    return wrapped


def system_admin_required(view):
    """Views: system admins only; everyone else gets 403."""
    from django.contrib.auth.decorators import login_required

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not is_system_admin(request.user):
            raise PermissionDenied(str(SYSTEM_ONLY))
        return view(request, *args, **kwargs)

    return wrapped
