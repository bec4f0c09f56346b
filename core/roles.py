"""The three roles, as groups, and the checks views and selectors use."""

SALES_REP = "Sales rep"
MARKETING_ADMIN = "Marketing admin"
SYSTEM_ADMIN = "System admin"
ROLES = (SALES_REP, MARKETING_ADMIN, SYSTEM_ADMIN)

# Codename of the permission that opens converted leads.
VIEW_CONVERTED_LEADS = "leads.view_edit_converted_lead"


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


def role_label(user) -> str:
    if is_system_admin(user):
        return SYSTEM_ADMIN
    if is_marketing_admin(user):
        return MARKETING_ADMIN
    return SALES_REP
