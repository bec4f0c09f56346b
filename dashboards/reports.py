"""A report the dashboards need that the standard set lacks: auto-response delivery per day."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count
from django.db.models.functions import TruncDay
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from emails.models import OutboundEmail
from reports.selectors import Params, ReportSpec, Result

STATUSES = [
    (OutboundEmail.Status.SENT, gettext_lazy("Sent")),
    (OutboundEmail.Status.FAILED, gettext_lazy("Failed")),
    (OutboundEmail.Status.QUEUED, gettext_lazy("Queued")),
    (OutboundEmail.Status.SKIPPED, gettext_lazy("Skipped")),
]


def _outbox_url(**query) -> str:
    return f"{reverse('emails:outbox')}?{urlencode({'kind': OutboundEmail.Kind.AUTO_RESPONSE, **query})}"


def auto_response_delivery(params: Params) -> Result:
    """Auto-responses written to the outbox per day, by their delivery status now (an email being
    sent counts as queued)."""
    zone = timezone.get_current_timezone()
    counted = (
        OutboundEmail.objects.filter(
            kind=OutboundEmail.Kind.AUTO_RESPONSE,
            created_at__date__gte=params.date_from,
            created_at__date__lte=params.date_to,
        )
        .annotate(day=TruncDay("created_at", tzinfo=zone))
        .values("day", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    per_day: dict = {}
    for row in counted:
        status = OutboundEmail.Status.QUEUED if row["status"] == OutboundEmail.Status.SENDING else row["status"]
        bucket = per_day.setdefault(row["day"].date(), {})
        bucket[status] = bucket.get(status, 0) + row["n"]
    columns = [{"key": "day", "label": _("Day"), "numeric": False}]
    columns += [{"key": str(s), "label": str(label), "numeric": True} for s, label in STATUSES]
    columns.append({"key": "total", "label": _("Total"), "numeric": True})
    rows, links = [], []
    for day in sorted(per_day):
        counts = per_day[day]
        row = {"day": day.isoformat(), **{str(s): counts.get(s, 0) for s, _label in STATUSES}}
        row["total"] = sum(counts.values())
        rows.append(row)
        dates = {"date_from": day.isoformat(), "date_to": day.isoformat()}
        links.append(
            {str(s): _outbox_url(status=s, **dates) for s, _label in STATUSES} | {"total": _outbox_url(**dates)}
        )
    chart = {
        "type": "bar",
        "stacked": True,
        "labels": [r["day"] for r in rows],
        "datasets": [{"label": str(label), "data": [r[str(s)] for r in rows]} for s, label in STATUSES],
        "links": [[link[str(s)] for link in links] for s, _label in STATUSES],
    }
    return Result(columns=columns, rows=rows, links=links, chart=chart)


AUTO_RESPONSE_DELIVERY = ReportSpec(
    key="auto-response-delivery",
    title=gettext_lazy("Auto-response delivery"),
    description=gettext_lazy("Auto-responses sent, failed, queued or skipped, per day."),
    help_text=gettext_lazy("Auto-responses written to the outbox in the date range, by their delivery status now."),
    runner=auto_response_delivery,
    options=(),
    lead_filters=False,
    admins_only=True,
)
