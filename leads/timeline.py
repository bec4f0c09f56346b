"""A lead's notes and the emails sent to it, as items of its activity timeline."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core.registry import TimelineItem
from core.roles import display_name
from emails.models import OutboundEmail
from emails.selectors import emails_for_record

from .fields import OBJECT_NAME
from .models import LeadNote

# Emails about the lead that went to somebody else (its owner, a queue): not the lead's history.
INTERNAL_KINDS = (OutboundEmail.Kind.ASSIGNMENT, OutboundEmail.Kind.NOTIFICATION, OutboundEmail.Kind.SYSTEM)


def notes_source(*, record, user, limit: int) -> list[TimelineItem]:
    notes = LeadNote.objects.filter(lead=record).select_related("created_by").order_by("-created_at", "-id")[:limit]
    return [
        TimelineItem(
            at=note.created_at,
            kind="note",
            icon="sticky",
            title=note.title or _("Note"),
            detail=note.body if len(note.body) <= 300 else f"{note.body[:300]}…",
            who=display_name(note.created_by),
        )
        for note in notes
    ]


def emails_source(*, record, user, limit: int) -> list[TimelineItem]:
    emails = emails_for_record(object_name=OBJECT_NAME, record_id=record.pk).exclude(kind__in=INTERNAL_KINDS)[:limit]
    url = reverse("leads:emails", args=[record.pk])
    return [
        TimelineItem(
            at=email.sent_at or email.created_at,
            kind="email",
            icon="envelope",
            title=email.subject,
            detail=" · ".join((email.get_kind_display(), email.get_status_display(), email.to_address)),
            url=url,
            who=display_name(email.created_by),
        )
        for email in emails
    ]
