"""Values every page's layout needs (the menu itself comes from ``leadcrm.navigation``)."""

from .roles import is_marketing_admin, is_system_admin, role_label


def roles(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "is_marketing_admin": is_marketing_admin(user),
        "is_system_admin": is_system_admin(user),
        "role_label": role_label(user),
    }
