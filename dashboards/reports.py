"""A report the dashboards need that the standard set lacks: auto-response delivery per day."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, DateField, Q
from django.db.models.functions import TruncDay, TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from emails.models import OutboundEmail
from reports.results import Result, series_chart, table_columns
from reports.selectors import (
    TRUNC,
    Params,
    ReportSpec,
    _as_date,
    _period_label,
    _periods,
    report_leads,
)
from scoring.models import LeadScore, ScoringModel

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
    series = [(str(s), label) for s, label in STATUSES]
    columns = table_columns(("day", _("Day")), *series, ("total", _("Total")))
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
    chart = series_chart(rows, "day", series, stacked=True, links=links)
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


# Scores and MQLs ---------------------------------------------------------------------------------

SCORE_BANDS = [(0, 19), (20, 39), (40, 59), (60, 79), (80, 100)]


def _default_model():
    return ScoringModel.objects.filter(is_default=True).first()


def score_distribution(params: Params) -> Result:
    """Leads created in the date range by their score under the default scoring model, in bands."""
    model = _default_model()
    scores = (
        LeadScore.objects.filter(model=model, lead__in=params.leads.values("pk")) if model else LeadScore.objects.none()
    )
    counted = scores.aggregate(
        **{f"b{low}": Count("pk", filter=Q(score__gte=low, score__lte=high)) for low, high in SCORE_BANDS}
    )
    columns = table_columns(("band", _("Score")), ("leads", _("Leads")))
    rows = [{"band": f"{low}–{high}", "leads": counted[f"b{low}"] or 0} for low, high in SCORE_BANDS]
    chart = series_chart(rows, "band", [("leads", _("Leads"))])
    return Result(columns=columns, rows=rows, chart=chart, extra={"model": model.name if model else ""})


def mqls_per_week(params: Params) -> Result:
    """Leads that became marketing-qualified (default scoring model) in each week of the range, and
    how many of them are converted now."""
    model = _default_model()
    scores = (
        LeadScore.objects.filter(
            model=model,
            mql_at__date__gte=params.date_from,
            mql_at__date__lte=params.date_to,
            lead__in=report_leads(params.user).values("pk"),
        )
        if model
        else LeadScore.objects.none()
    )
    zone = timezone.get_current_timezone()
    counted = (
        scores.annotate(week=TruncWeek("mql_at", tzinfo=zone))
        .values("week")
        .annotate(mqls=Count("pk"), converted=Count("pk", filter=Q(lead__is_converted=True)))
        .order_by("week")
    )
    columns = table_columns(
        ("week", _("Week")), ("mqls", _("MQLs")), ("converted", _("Converted")), ("rate", _("MQL → converted %"))
    )
    rows = [
        {
            "week": row["week"].date().isoformat(),
            "mqls": row["mqls"],
            "converted": row["converted"],
            "rate": round(100 * row["converted"] / row["mqls"], 1) if row["mqls"] else None,
        }
        for row in counted
    ]
    chart = series_chart(rows, "week", [("mqls", _("MQLs")), ("converted", _("Converted"))])
    return Result(columns=columns, rows=rows, chart=chart)


SCORE_DISTRIBUTION = ReportSpec(
    key="score-distribution",
    title=gettext_lazy("Score distribution"),
    description=gettext_lazy("Leads by their score under the default scoring model."),
    help_text=gettext_lazy(
        "Leads created in the date range with a score from the default scoring model, in bands of 20."
    ),
    runner=score_distribution,
    options=(),
)
MQLS = ReportSpec(
    key="mqls",
    title=gettext_lazy("MQLs per week"),
    description=gettext_lazy("Leads that became marketing-qualified each week, and how many converted."),
    help_text=gettext_lazy(
        "Leads whose score under the default scoring model crossed its MQL threshold in the date range (their "
        "latest crossing), by week, with those converted since."
    ),
    runner=mqls_per_week,
    options=(),
    lead_filters=False,
)


# Conversion trend --------------------------------------------------------------------------------


def conversion_trend(params: Params) -> Result:
    """Per period of creation: leads created, how many of them are converted now, and the rate."""
    trunc = TRUNC[params.period]("created_at", output_field=DateField())
    counted = {
        _as_date(row["start"]): row
        for row in params.leads.annotate(start=trunc)
        .values("start")
        .annotate(leads=Count("pk"), converted=Count("pk", filter=Q(is_converted=True)))
        .order_by()
    }
    columns = table_columns(
        ("period", _("Period")), ("leads", _("Leads")), ("converted", _("Converted")), ("rate", _("Conversion rate %"))
    )
    rows = []
    for start in _periods(params.date_from, params.date_to, params.period):
        row = counted.get(start, {"leads": 0, "converted": 0})
        rows.append(
            {
                "period": _period_label(start, params.period),
                "leads": row["leads"],
                "converted": row["converted"],
                "rate": round(100 * row["converted"] / row["leads"], 1) if row["leads"] else None,
            }
        )
    chart = series_chart(rows, "period", [("rate", _("Conversion rate %"))], kind="line")
    return Result(columns=columns, rows=rows, chart=chart)


CONVERSION_TREND = ReportSpec(
    key="conversion-trend",
    title=gettext_lazy("Conversion rate trend"),
    description=gettext_lazy("The share of the leads created each period that are converted now."),
    help_text=gettext_lazy("Leads created in each period of the date range, and how many of them are converted now."),
    runner=conversion_trend,
    options=("period",),
)
