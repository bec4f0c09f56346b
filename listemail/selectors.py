"""Reads of list email, scoped to the user: marketing admins see every send, others their own."""

from django.db.models import Count, QuerySet

from core.roles import may_manage_campaigns
from emails.models import OutboundEmail

from .models import ListEmailRecipient, ListEmailSend


def list_emails_visible_to(user) -> QuerySet[ListEmailSend]:
    if not getattr(user, "is_authenticated", False):
        return ListEmailSend.objects.none()
    qs = ListEmailSend.objects.select_related("template", "campaign", "created_by")
    return qs if may_manage_campaigns(user) else qs.filter(created_by=user)


def delivery_counts(*, send: ListEmailSend) -> dict[str, int]:
    """How the send's outbox rows stand: ``{"queued": n, "sent": n, "skipped": n, "failed": n}``."""
    counts = dict.fromkeys(("queued", "sending", "sent", "skipped", "failed"), 0)
    rows = (
        OutboundEmail.objects.filter(
            pk__in=ListEmailRecipient.objects.filter(send=send, outbound_email__isnull=False).values(
                "outbound_email_id"
            )
        )
        .values("status")
        .annotate(n=Count("id"))
    )
    for row in rows:
        counts[row["status"]] = row["n"]
    counts["queued"] += counts.pop("sending")
    return counts


def progress_percent(send: ListEmailSend) -> int:
    return 100 if not send.total else min(100, round(100 * send.processed / send.total))
