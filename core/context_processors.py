"""Values every page's layout needs."""

from .navigation import menu
from .roles import is_marketing_admin, is_system_admin, role_label


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    admin, sysadmin = is_marketing_admin(user), is_system_admin(user)
    return {
        "is_marketing_admin": admin,
        "is_system_admin": sysadmin,
        "role_label": role_label(user),
        "nav": menu(admin=admin, sysadmin=sysadmin, path=request.path),
    }
