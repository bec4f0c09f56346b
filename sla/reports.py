"""The SLA report: leads by owner and the state of their first-touch clock. It is one of the
standard reports (its page, CSV, API, drill-down and dashboard components come with that)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.results import Result, series_chart, table_columns
from reports.selectors import Params, ReportSpec, _labeller, _owner_key, lead_list_url

from .models import LeadSla
from .selectors import AT_RISK

STATES = [
    ("waiting", gettext_lazy("Waiting for first touch")),
    ("at_risk", gettext_lazy("Breaching within 30 min")),
    ("breached", gettext_lazy("Breached")),
    ("met", gettext_lazy("Met")),
]


def sla_status_report(params: Params) -> Result:
    """Per owner: unconverted leads whose clock runs (not due soon), due within 30 minutes, past
    due or breached, and clocks met, among the leads created in the date range."""
    now = timezone.now()
    past_due = Q(sla__status=LeadSla.Status.BREACHED) | Q(sla__status=LeadSla.Status.OPEN, sla__due_at__lte=now)
    open_ = Q(sla__status=LeadSla.Status.OPEN, is_converted=False)
    counted = (
        params.leads.filter(sla__isnull=False)
        .values("owner_user_id", "owner_queue_id")
        .annotate(
            waiting=Count("pk", filter=open_ & (Q(sla__due_at__gt=now + AT_RISK) | Q(sla__due_at__isnull=True))),
            at_risk=Count("pk", filter=open_ & Q(sla__due_at__gt=now, sla__due_at__lte=now + AT_RISK)),
            breached=Count("pk", filter=past_due & Q(is_converted=False)),
            met=Count("pk", filter=Q(sla__status=LeadSla.Status.MET)),
        )
        .order_by()
    )
    totals: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys((k for k, _l in STATES), 0))
    for row in counted:
        bucket = totals[_owner_key(row["owner_user_id"], row["owner_queue_id"])]
        for key, _label in STATES:
            bucket[key] += row[key]
    keys = sorted(totals, key=lambda k: (-(totals[k]["breached"] + totals[k]["at_risk"]), k))
    label = _labeller("owner", set(keys))
    columns = table_columns(("owner", _("Owner or queue")), *STATES)
    rows, links = [], []
    for key in keys:
        rows.append({"owner": label(key), **totals[key]})
        url = lead_list_url(params, owner=key)
        links.append({state: url for state, _l in STATES})
    chart = series_chart(rows, "owner", STATES, stacked=True, links=links)
    return Result(columns=columns, rows=rows, links=links, chart=chart)


SLA_STATUS = ReportSpec(
    key="sla-status",
    title=gettext_lazy("Speed-to-lead SLAs"),
    description=gettext_lazy("Leads waiting for their first touch, breaching soon, breached or met, per owner."),
    help_text=gettext_lazy(
        "Leads created in the date range that an SLA policy covers, by their owner now and the state of their "
        "first-touch clock. Converted leads count only as met."
    ),
    runner=sla_status_report,
    options=(),
)
