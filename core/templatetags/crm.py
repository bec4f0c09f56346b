"""Template filters every page may use (registered as builtins in the settings)."""

from django import template

from core.roles import display_name

register = template.Library()


@register.filter
def user_name(user, empty: str = "System") -> str:
    """A user's full name, else their username; ``empty`` when there is no user (work done by the
    system: web-to-lead, tasks, migrations)."""
    return display_name(user, empty)


@register.simple_tag(takes_context=True)
def record_parts(context, object_name: str, record) -> str:
    """The related lists that other apps registered for this object's record page, in order."""
    from django.utils.html import format_html_join
    from django.utils.safestring import mark_safe

    from core.registry import record_parts as registered

    request = context.get("request")
    rendered = [part.render(request, record) for part in registered(object_name)]
    return format_html_join("", "{}", ((mark_safe(html),) for html in rendered if html))  # noqa: S308
