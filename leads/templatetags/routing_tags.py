"""Template tags of lead routing for the lead record page."""

from django import template

from ..selectors import queue_ids_of

register = template.Library()


@register.simple_tag(takes_context=True)
def can_accept_lead(context, lead) -> bool:
    """Whether the current user may accept ``lead``: it waits in one of the user's queues."""
    user = context["request"].user
    return bool(lead.owner_queue_id and not lead.is_converted and lead.owner_queue_id in queue_ids_of(user))
