"""The Emails related list of a record page: ``{% load emails_tags %}{% record_emails "lead" lead.pk %}``."""

from django import template

from emails.selectors import emails_for_record

register = template.Library()

RELATED_LIST_SIZE = 10


@register.inclusion_tag("emails/partials/record_emails.html")
def record_emails(object_name: str, record_id: int, all_url: str = "", send_url: str = ""):
    emails = list(emails_for_record(object_name=object_name, record_id=record_id)[: RELATED_LIST_SIZE + 1])
    return {
        "emails": emails[:RELATED_LIST_SIZE],
        "has_more": len(emails) > RELATED_LIST_SIZE,
        "all_url": all_url,
        "send_url": send_url,
    }
