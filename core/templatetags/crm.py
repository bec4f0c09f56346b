"""Template filters every page may use (registered as builtins in the settings)."""

from django import template

register = template.Library()


@register.filter
def user_name(user, empty: str = "System") -> str:
    """A user's full name, else their username; ``empty`` when there is no user (work done by the
    system: web-to-lead, tasks, migrations)."""
    if user is None or not getattr(user, "pk", None):
        return empty
    return user.get_full_name() or user.username
