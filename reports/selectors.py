"""The standard lead reports. Every lead report starts from the leads the viewer may read
(``leads.selectors``), so a rep's counts include only leads they could open; the Web-to-Lead
intake report is for marketing admins, who see every submission.

Counting and grouping happen in SQL; durations go through ``reports.stats``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import (
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.models import Call
from core.models import FieldHistory, OrgSettings, PicklistValue
from core.roles import display_name, is_marketing_admin, sees_all_records
from core.selectors import org_settings, picklist_default, picklist_labels
from emails.models import OutboundEmail
from leads.fields import OBJECT_NAME
from leads.filters import LeadFilter
from leads.models import Lead, LeadNote, Queue
from leads.selectors import converted_leads_shared_with, leads_visible_to
from webtolead.models import Intake, WebToLeadForm

from . import rollup_queries, stats
from .intake_rollup import intake_counts_ready
from .models import IntakeDailyCount
from .results import Result, conversion_result, series_chart, table_columns
from .results import rate as _rate
from .rollups import status_visits

# The lead list's filters a report takes (campaign and web_form come from ``reports.listing``).
LEAD_FILTER_KEYS = (
    "owner",
    "status",
    "lead_source",
    "record_type",
    "campaign",
    "web_form",
    "created_from",
    "created_to",
)
DEFAULT_DAYS = 30
MAX_PERIODS = 400
DEFAULT_STUCK_DAYS = 14
STUCK_LIST_LIMIT = 100
TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}
PERIODS = [("day", gettext_lazy("Day")), ("week", gettext_lazy("Week")), ("month", gettext_lazy("Month"))]
GROUPS = [
    ("lead_source", gettext_lazy("Lead Source")),
    ("status", gettext_lazy("Lead Status")),
    ("owner", gettext_lazy("Owner")),
    ("country", gettext_lazy("Country")),
]
FUNNEL_GROUPS = [("lead_source", gettext_lazy("Lead Source")), ("owner", gettext_lazy("Owner"))]


def _web_to_lead_forms() -> list[tuple[str, str]]:
    return [
        ("", _("Any form")),
        *((str(pk), name) for pk, name in WebToLeadForm.objects.order_by("name").values_list("pk", "name")),
    ]


class ReportParamsForm(forms.Form):
    """The report-specific parameters; lead filters (owner, status, source, dates) are the lead
    list's own, read by ``leads.filters.LeadFilter``."""

    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=PERIODS, required=False)
    group = forms.ChoiceField(label=gettext_lazy("Group by"), choices=GROUPS, required=False)
    by = forms.ChoiceField(label=gettext_lazy("By"), choices=FUNNEL_GROUPS, required=False)
    stuck_days = forms.IntegerField(
        label=gettext_lazy("Stuck after (days)"),
        min_value=1,
        max_value=3650,
        required=False,
        widget=forms.NumberInput(attrs={"placeholder": DEFAULT_STUCK_DAYS}),
    )
    form = forms.TypedChoiceField(
        label=gettext_lazy("Web-to-Lead form"), choices=lambda: _web_to_lead_forms(), coerce=int, required=False
    )


@dataclass
class Params:
    user: object
    leads: QuerySet[Lead]
    lead_filters: dict
    date_from: dt.date
    date_to: dt.date
    period: str
    group: str
    by: str
    stuck_days: int
    form_id: int | None
    # True: the report reads the rollups (the viewer reads every lead, filters the rollups hold).
    rollups: bool = False
    # True: its medians and percentiles are read from the duration histograms (the rollups apply
    # and the histograms hold its filters); within ``histograms.RATIO`` of the exact figures.
    histograms: bool = False


@dataclass(frozen=True)
class ReportSpec:
    key: str
    title: str | Promise
    description: str | Promise
    help_text: str | Promise
    runner: Callable[[Params], Result]
    options: tuple[str, ...]
    lead_filters: bool = True
    admins_only: bool = False
    # False: a report of the present state, without a date range.
    dated: bool = True
    # True: the report reads the rollups when the viewer reads every lead (``Params.rollups``).
    rollups: bool = False


class ReportParamsError(Exception):
    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


# Scope ------------------------------------------------------------------------------------------


def report_leads(user) -> QuerySet[Lead]:
    """The leads the user may read, converted ones included: conversion reports count them. Both
    parts are the sharing rules of ``leads.selectors``."""
    return leads_visible_to(user, include_converted=True) | converted_leads_shared_with(user)


def reads_every_lead(user) -> bool:
    """Whether ``report_leads`` is every lead for this user (the sharing rules of
    ``leads.selectors``: admins, or an org-wide default other than Private)."""
    return bool(user.is_authenticated) and (
        sees_all_records(user) or org_settings().lead_access != OrgSettings.LeadAccess.PRIVATE
    )


def build_params(*, user, data, spec: ReportSpec) -> Params:
    """Validated parameters; raises ``ReportParamsError`` with field errors."""
    data = data.copy() if hasattr(data, "copy") else dict(data)
    today = timezone.localdate()
    if not spec.dated:
        data["created_from"] = data["created_to"] = today.isoformat()
    if not data.get("created_to"):
        data["created_to"] = today.isoformat()
    if not data.get("created_from"):
        data["created_from"] = (today - dt.timedelta(days=DEFAULT_DAYS - 1)).isoformat()
    options = ReportParamsForm(data)
    lead_filter = LeadFilter(
        {
            k: data.getlist(k) if k == "status" and hasattr(data, "getlist") else data.get(k)
            for k in LEAD_FILTER_KEYS
            if data.get(k)
        },
        queryset=report_leads(user),
    )
    errors = {}
    if not options.is_valid():
        errors.update(options.errors.get_json_data())
    if not lead_filter.form.is_valid():
        errors.update(lead_filter.form.errors.get_json_data())
    if errors:
        raise ReportParamsError({k: [e["message"] for e in v] for k, v in errors.items()})
    cleaned = lead_filter.form.cleaned_data
    date_from, date_to = cleaned["created_from"], cleaned["created_to"]
    if date_from > date_to:
        raise ReportParamsError({"created_from": [_("The start date must not be after the end date.")]})
    opts = options.cleaned_data
    period = opts.get("period") or "day"
    # A bar per period (per day for the intake report): a chart of thousands of bars says nothing.
    if "period" in spec.options and _period_count(date_from, date_to, period) > MAX_PERIODS:
        raise ReportParamsError({"period": [_("Too many periods for this date range: choose a longer period.")]})
    if spec.key == "web-to-lead-intake" and _period_count(date_from, date_to, "day") > MAX_PERIODS:
        raise ReportParamsError(
            {"created_from": [_("Choose a date range of at most %(days)s days.") % {"days": MAX_PERIODS}]}
        )
    if spec.admins_only and not is_marketing_admin(user):
        raise PermissionDenied
    leads = lead_filter.qs if spec.lead_filters else Lead.objects.none()
    if not spec.dated:
        # The date inputs were set to today only to satisfy the filter: the report reads every lead.
        cleaned = {k: v for k, v in cleaned.items() if k not in ("created_from", "created_to")}
        leads = LeadFilter(
            {k: v for k, v in lead_filter.data.items() if k not in ("created_from", "created_to")},
            queryset=report_leads(user),
        ).qs
    lead_filters = {}
    for key in LEAD_FILTER_KEYS:
        value = cleaned.get(key)
        if value in (None, "", []):
            continue
        lead_filters[key] = value.isoformat() if isinstance(value, dt.date) else value
    rollups = (
        spec.rollups
        and set(lead_filters) <= rollup_queries.ROLLUP_FILTERS
        and reads_every_lead(user)
        and rollup_queries.rollups_ready()
    )
    histogram_filters = rollup_queries.HISTOGRAM_FILTERS.get(spec.key)
    return Params(
        user=user,
        leads=leads,
        lead_filters=lead_filters,
        date_from=date_from,
        date_to=date_to,
        period=period,
        group=opts.get("group") or "lead_source",
        by=opts.get("by") or "lead_source",
        stuck_days=opts.get("stuck_days") or DEFAULT_STUCK_DAYS,
        form_id=opts.get("form"),
        rollups=rollups,
        histograms=bool(
            rollups
            and histogram_filters is not None
            and set(lead_filters) <= histogram_filters
            and rollup_queries.histograms_ready()
        ),
    )


def lead_list_url(params: Params, **overrides) -> str:
    """The lead list filtered like the report, narrowed to one cell. The "all" list view: the list
    otherwise reopens the user's last view (often "My Leads"), which the report did not narrow to."""
    query = {**params.lead_filters, **overrides}
    pairs = [("view", "all")]
    for key, value in query.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, item))
    return f"{reverse('leads:list')}?{urlencode(pairs)}"


# Periods ----------------------------------------------------------------------------------------


def _period_start(day: dt.date, period: str) -> dt.date:
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def _period_end(start: dt.date, period: str) -> dt.date:
    if period == "week":
        return start + dt.timedelta(days=6)
    if period == "month":
        return start.replace(day=calendar.monthrange(start.year, start.month)[1])
    return start


def _periods(date_from: dt.date, date_to: dt.date, period: str) -> list[dt.date]:
    starts, current = [], _period_start(date_from, period)
    while current <= date_to:
        starts.append(current)
        current = _period_end(current, period) + dt.timedelta(days=1)
    return starts


def _period_count(date_from: dt.date, date_to: dt.date, period: str) -> int:
    span = (date_to - date_from).days
    return span // {"day": 1, "week": 7, "month": 28}[period] + 1


def _period_label(start: dt.date, period: str) -> str:
    return start.strftime("%Y-%m") if period == "month" else start.isoformat()


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


# Group labels -----------------------------------------------------------------------------------


def _owner_labels(keys: set[str]) -> dict[str, str]:
    user_ids = [int(k.split(":")[1]) for k in keys if k.startswith("user:")]
    queue_ids = [int(k.split(":")[1]) for k in keys if k.startswith("queue:")]
    labels = {f"user:{u.pk}": display_name(u) for u in get_user_model().objects.filter(pk__in=user_ids)}
    labels.update({f"queue:{q.pk}": q.name for q in Queue.objects.filter(pk__in=queue_ids)})
    return labels


def _owner_key(user_id, queue_id) -> str:
    return f"user:{user_id}" if user_id else f"queue:{queue_id}"


def _group_fields(group: str) -> tuple[list[str], Callable[[dict], str]]:
    """(the ``values()`` fields of a group, row -> group key)."""
    if group == "owner":
        return ["owner_user_id", "owner_queue_id"], lambda r: _owner_key(r["owner_user_id"], r["owner_queue_id"])
    return [group], lambda r: r[group] or ""


def _labeller(group: str, keys: set[str]) -> Callable[[str], str]:
    if group == "owner":
        owners = _owner_labels(keys)
        return lambda k: owners.get(k, k)
    if group in ("lead_source", "status"):
        labels = picklist_labels(object_name=OBJECT_NAME).get(group, {})
        return lambda k: labels.get(k, k) if k else _("(none)")
    return lambda k: k or _("(none)")


def _group_link(params: Params, group: str, key: str, **overrides) -> str | None:
    """Drill-down to the lead list; groups the lead list cannot filter on get none."""
    if not key or group == "country":
        return None
    if group == "status":
        overrides["status"] = [key]
    else:
        overrides[group] = key
    return lead_list_url(params, **overrides)


def _rollup_args(params: Params) -> tuple[dict, dt.date, dt.date]:
    return params.lead_filters, params.date_from, params.date_to


# (a) Leads created --------------------------------------------------------------------------------


def leads_created(params: Params) -> Result:
    period, group = params.period, params.group
    trunc = TRUNC[period]("created_at", output_field=DateField())
    fields, key_of = _group_fields(group)
    if params.rollups and group != "country":
        counted = rollup_queries.created_counts(*_rollup_args(params), period=period, fields=fields)
    else:
        counted = list(
            params.leads.annotate(period_start=trunc).values(*fields, "period_start").annotate(n=Count("pk")).order_by()
        )
    counts: dict[tuple[dt.date, str], int] = {}
    totals: dict[str, int] = defaultdict(int)
    for counted_row in counted:
        key = key_of(counted_row)
        start = _as_date(counted_row["period_start"])
        counts[(start, key)] = counts.get((start, key), 0) + counted_row["n"]
        totals[key] += counted_row["n"]
    keys = sorted(totals, key=lambda k: (-totals[k], k))
    label = _labeller(group, set(keys))
    groups: list[dict] = [{"key": k, "label": label(k), "total": totals[k]} for k in keys]
    columns: list[dict] = [{"key": "period", "label": _("Period"), "numeric": False}]
    columns += [{"key": f"g{i}", "label": g["label"], "numeric": True} for i, g in enumerate(groups)]
    columns.append({"key": "total", "label": _("Total"), "numeric": True})
    rows, links = [], []
    starts = _periods(params.date_from, params.date_to, period)
    for start in starts:
        end = min(_period_end(start, period), params.date_to)
        start_in_range = max(start, params.date_from)
        dates = {"created_from": start_in_range.isoformat(), "created_to": end.isoformat()}
        row: dict = {"period": _period_label(start, period)}
        link: dict[str, str | None] = {"total": lead_list_url(params, **dates)}
        for i, g in enumerate(groups):
            row[f"g{i}"] = counts.get((start, g["key"]), 0)
            link[f"g{i}"] = _group_link(params, group, g["key"], **dates)
        row["total"] = sum(row[f"g{i}"] for i in range(len(groups)))
        rows.append(row)
        links.append(link)
    chart = {
        "type": "bar",
        "stacked": True,
        "labels": [r["period"] for r in rows],
        "datasets": [{"label": g["label"], "data": [r[f"g{i}"] for r in rows]} for i, g in enumerate(groups)],
        "links": [[link[f"g{i}"] for link in links] for i in range(len(groups))],
    }
    return Result(columns=columns, rows=rows, links=links, groups=groups, chart=chart)


# (b) Funnel -------------------------------------------------------------------------------------


def _status_history() -> QuerySet[FieldHistory]:
    return FieldHistory.objects.filter(object_name=OBJECT_NAME, record_id=OuterRef("pk"), field_name="status")


def converted_statuses() -> list[str]:
    return list(
        PicklistValue.objects.filter(object_name=OBJECT_NAME, field_name="status", is_converted=True).values_list(
            "api_name", flat=True
        )
    )


def _stage_annotations(qs: QuerySet[Lead]) -> tuple[QuerySet[Lead], Q, Q]:
    """(leads with the history aliases, "reached working" condition, "reached qualified" condition)."""
    default = picklist_default(object_name=OBJECT_NAME, field_name="status") or ""
    qualified = converted_statuses()
    qs = qs.alias(
        status_changed=Exists(_status_history()),
        reached_qualified=Exists(_status_history().filter(new_value__in=qualified)),
    )
    working = Q(is_converted=True) | Q(status_changed=True) | ~Q(status=default)
    reached = Q(is_converted=True) | Q(status__in=qualified) | Q(reached_qualified=True)
    return qs, working, reached


STAGES = [
    ("created", gettext_lazy("Created")),
    ("working", gettext_lazy("Working")),
    ("qualified", gettext_lazy("Qualified")),
    ("converted", gettext_lazy("Converted")),
]


def _stage_counts(leads: QuerySet[Lead], fields: list[str]) -> list[dict]:
    qs, working, qualified = _stage_annotations(leads)
    return list(
        qs.values(*fields)
        .annotate(
            created=Count("pk"),
            working=Count("pk", filter=working),
            qualified=Count("pk", filter=qualified),
            converted=Count("pk", filter=Q(is_converted=True)),
        )
        .order_by()
    )


def funnel(params: Params) -> Result:
    fields, key_of = _group_fields(params.by)
    if params.rollups:
        counted = rollup_queries.stage_counts(*_rollup_args(params), fields=fields)
    else:
        counted = _stage_counts(params.leads, fields)
    per_group: dict[str, dict[str, int]] = {}
    for row in counted:
        bucket = per_group.setdefault(key_of(row), dict.fromkeys((k for k, _label in STAGES), 0))
        for stage, _label in STAGES:
            bucket[stage] += row[stage]
    keys = sorted(per_group, key=lambda k: (-per_group[k]["created"], k))
    label = _labeller(params.by, set(keys))
    total = {stage: sum(per_group[k][stage] for k in keys) for stage, _label in STAGES}
    columns = table_columns(
        ("group", dict(FUNNEL_GROUPS)[params.by]),
        *((stage, str(text)) for stage, text in STAGES),
        ("working_rate", _("Created → Working %")),
        ("qualified_rate", _("Working → Qualified %")),
        ("converted_rate", _("Qualified → Converted %")),
        ("overall_rate", _("Created → Converted %")),
    )
    rows, links, groups = [], [], []

    def make_row(name: str, counts: dict[str, int]) -> dict:
        return {
            "group": name,
            **counts,
            "working_rate": _rate(counts["working"], counts["created"]),
            "qualified_rate": _rate(counts["qualified"], counts["working"]),
            "converted_rate": _rate(counts["converted"], counts["qualified"]),
            "overall_rate": _rate(counts["converted"], counts["created"]),
        }

    for key in keys:
        rows.append(make_row(label(key), per_group[key]))
        links.append({"created": _group_link(params, params.by, key)})
        groups.append({"key": key, "label": label(key)})
    rows.append(make_row(_("Total"), total))
    links.append({"created": lead_list_url(params)})
    chart = {
        "type": "bar",
        "stacked": False,
        "labels": [str(text) for _stage, text in STAGES],
        "datasets": [{"label": _("All leads"), "data": [total[stage] for stage, _label in STAGES]}],
        # Only the created stage is a lead list filter; the list leaves converted leads out.
        "links": [[links[-1]["created"], None, None, None]],
    }
    return Result(columns=columns, rows=rows, links=links, groups=groups, chart=chart)


# (c) Conversion by source -----------------------------------------------------------------------


def _conversion_durations(qs: QuerySet[Lead]) -> dict[str, tuple[float | None, float | None]]:
    """{lead_source: (median seconds, p90 seconds)} of creation -> conversion."""
    converted = qs.filter(is_converted=True, converted_at__isnull=False)
    if connection.vendor == "postgresql":
        seconds = stats.seconds_between("created_at", "converted_at")
        rows = (
            converted.values("lead_source")
            .annotate(median=stats.Percentile(seconds, 0.5), p90=stats.Percentile(seconds, 0.9))
            .order_by()
        )
        return {r["lead_source"]: (r["median"], r["p90"]) for r in rows}
    durations: dict[str, list[float]] = defaultdict(list)
    for source, created, done in converted.values_list("lead_source", "created_at", "converted_at").iterator():
        if done is not None:
            durations[source].append((done - created).total_seconds())
    return {s: (stats.percentile(v, 0.5), stats.percentile(v, 0.9)) for s, v in durations.items()}


def conversion_by_source(params: Params) -> Result:
    per_source: dict[str, dict] = {}
    if params.rollups:
        for row in rollup_queries.stage_counts(*_rollup_args(params), fields=["lead_source"]):
            per_source[row["lead_source"]] = {"leads": row["created"], "converted": row["converted"]}
        if params.histograms:
            durations = rollup_queries.conversion_durations_histogram(*_rollup_args(params))
        else:
            durations = rollup_queries.conversion_durations(*_rollup_args(params))
    else:
        counted = (
            params.leads.values("lead_source")
            .annotate(leads=Count("pk"), converted=Count("pk", filter=Q(is_converted=True)))
            .order_by()
        )
        for row in counted:
            per_source[row["lead_source"]] = {"leads": row["leads"], "converted": row["converted"]}
        durations = _conversion_durations(params.leads)
    keys = sorted(per_source, key=lambda k: (-per_source[k]["leads"], k))
    return conversion_result(
        first=("source", _("Lead Source")),
        keys=keys,
        counts=per_source,
        durations=durations,
        label=_labeller("lead_source", set(keys)),
        link=lambda key: _group_link(params, "lead_source", key),
    )


# (d) Time in status -----------------------------------------------------------------------------


def _status_summary_raw(params: Params, stuck_since: dt.datetime) -> tuple[dict[str, dict], list[tuple], int]:
    """({status: {visits, median, p90, now_in, stuck}}, the oldest stuck (since, lead id, status),
    stuck total) from the leads and their status history."""
    leads = {
        pk: (created, status, converted)
        for pk, created, status, converted in params.leads.values_list("pk", "created_at", "status", "is_converted")
    }
    changes: dict[int, list[tuple]] = defaultdict(list)
    history = (
        FieldHistory.objects.filter(
            object_name=OBJECT_NAME, field_name="status", record_id__in=params.leads.values("pk")
        )
        .order_by("record_id", "changed_at", "id")
        .values_list("record_id", "changed_at", "old_value", "new_value")
    )
    for record_id, changed_at, old, new in history.iterator():
        changes[record_id].append((changed_at, old, new))
    durations: dict[str, list[float]] = defaultdict(list)
    summary: dict[str, dict] = {}
    stuck_leads = []
    for pk, (created, status, converted) in leads.items():
        for visit, since, seconds in status_visits(created, status, converted, changes.get(pk, [])):
            bucket = summary.setdefault(visit, {"visits": 0, "now_in": 0, "stuck": 0})
            if seconds is not None:
                durations[visit].append(seconds)
            else:
                bucket["now_in"] += 1
                if since < stuck_since:
                    bucket["stuck"] += 1
                    stuck_leads.append((since, pk, visit))
    for key, bucket in summary.items():
        values = durations.get(key, [])
        bucket.update(visits=len(values), median=stats.percentile(values, 0.5), p90=stats.percentile(values, 0.9))
    stuck_leads.sort()
    return summary, stuck_leads[:STUCK_LIST_LIMIT], len(stuck_leads)


def time_in_status(params: Params) -> Result:
    """Visits of each status from the status history (``reports.rollups.status_visits``). A visit
    still running is not counted in the durations; it makes the lead stuck when longer than N days."""
    now = timezone.now()
    stuck_since = now - dt.timedelta(days=params.stuck_days)
    if params.rollups:
        args = _rollup_args(params)
        visits = rollup_queries.status_visits_histogram if params.histograms else rollup_queries.status_visits
        summary = visits(*args, stuck_since=stuck_since)
        oldest = rollup_queries.oldest_stuck(*args, stuck_since=stuck_since, limit=STUCK_LIST_LIMIT)
        stuck_total = sum(b["stuck"] for b in summary.values())
    else:
        summary, oldest, stuck_total = _status_summary_raw(params, stuck_since)
    labels = picklist_labels(object_name=OBJECT_NAME).get("status", {})
    order = list(
        PicklistValue.objects.filter(object_name=OBJECT_NAME, field_name="status")
        .order_by("sort_order", "id")
        .values_list("api_name", flat=True)
    )
    seen = set(summary)
    keys = [s for s in order if s in seen] + sorted(seen - set(order))
    columns = table_columns(
        ("status", _("Lead Status")),
        ("visits", _("Completed visits")),
        ("median_days", _("Median days")),
        ("p90_days", _("90th percentile days")),
        ("now_in", _("Leads in status now")),
        ("stuck", _("Stuck longer than %(days)s days") % {"days": params.stuck_days}),
    )
    rows, links = [], []
    for key in keys:
        bucket = summary[key]
        rows.append(
            {
                "status": labels.get(key, key),
                "visits": bucket["visits"],
                "median_days": stats.days(bucket["median"]),
                "p90_days": stats.days(bucket["p90"]),
                "now_in": bucket["now_in"],
                "stuck": bucket["stuck"],
            }
        )
        links.append({"now_in": _group_link(params, "status", key)})
    names = {
        lead.pk: lead
        for lead in Lead.objects.filter(pk__in=[pk for _s, pk, _st in oldest]).select_related(
            "owner_user", "owner_queue"
        )
    }
    stuck_rows = [
        {
            "name": names[pk].name,
            "url": reverse("leads:detail", args=[pk]),
            "status": labels.get(status, status),
            "owner": display_name(names[pk].owner_user) if names[pk].owner_user else str(names[pk].owner_queue),
            "days": round((now - since).total_seconds() / 86400, 1),
        }
        for since, pk, status in oldest
    ]
    chart = series_chart(rows, "status", [("median_days", _("Median days")), ("p90_days", _("90th percentile days"))])
    groups = [{"key": k, "label": labels.get(k, k)} for k in keys]
    return Result(
        columns=columns,
        rows=rows,
        links=links,
        groups=groups,
        chart=chart,
        extra={"stuck_leads": stuck_rows, "stuck_total": stuck_total},
    )


# Speed to lead ----------------------------------------------------------------------------------


def _first(qs: QuerySet, field_name: str) -> Subquery:
    return Subquery(qs.order_by(field_name).values(field_name)[:1])


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def _waits_raw(params: Params) -> tuple[dict[str, dict], tuple]:
    """({owner key: {leads, touched, median, p90}}, (median, p90) of all) in seconds, from the leads
    and their first touches."""
    record = OuterRef("pk")
    leads = params.leads.annotate(
        touch_status=_first(
            FieldHistory.objects.filter(
                object_name=OBJECT_NAME, record_id=record, field_name="status", changed_by__isnull=False
            ),
            "changed_at",
        ),
        touch_note=_first(LeadNote.objects.filter(lead=record, created_by__isnull=False), "created_at"),
        touch_call=_first(
            Call.objects.filter(Q(lead=record) | Q(converted_lead=record), created_by__isnull=False), "called_at"
        ),
        touch_email=_first(
            OutboundEmail.objects.filter(object_name=OBJECT_NAME, record_id=record, created_by__isnull=False),
            "created_at",
        ),
    )
    waits: dict[str, list[float]] = defaultdict(list)
    totals: dict[str, int] = defaultdict(int)
    for row in leads.values(
        "owner_user_id", "owner_queue_id", "created_at", "touch_status", "touch_note", "touch_call", "touch_email"
    ).iterator():
        key = _owner_key(row["owner_user_id"], row["owner_queue_id"])
        totals[key] += 1
        touches = [row[k] for k in ("touch_status", "touch_note", "touch_call", "touch_email") if row[k] is not None]
        if touches:
            waits[key].append(max((min(touches) - row["created_at"]).total_seconds(), 0.0))
    per_owner = {
        key: {
            "leads": totals[key],
            "touched": len(waits.get(key, [])),
            "median": stats.percentile(waits.get(key, []), 0.5),
            "p90": stats.percentile(waits.get(key, []), 0.9),
        }
        for key in totals
    }
    every = [w for values in waits.values() for w in values]
    return per_owner, (stats.percentile(every, 0.5), stats.percentile(every, 0.9))


def speed_to_lead(params: Params) -> Result:
    """Time from creation to the first touch by a person: a status change, a note, a logged call or
    an email sent by a user (automatic emails and changes have no user and do not count)."""
    if params.rollups:
        waits = rollup_queries.first_touch_waits_histogram if params.histograms else rollup_queries.first_touch_waits
        per_owner, overall = waits(*_rollup_args(params))
        per_owner = {_owner_key(*k): v for k, v in per_owner.items()}
    else:
        per_owner, overall = _waits_raw(params)
    keys = sorted(per_owner, key=lambda k: (-per_owner[k]["leads"], k))
    label = _labeller("owner", set(keys))
    columns = table_columns(
        ("owner", _("Owner or queue")),
        ("leads", _("Leads")),
        ("touched", _("Touched")),
        ("untouched", _("Not touched yet")),
        ("median_hours", _("Median hours to first touch")),
        ("p90_hours", _("90th percentile hours to first touch")),
    )
    rows, links = [], []
    for key in keys:
        bucket = per_owner[key]
        rows.append(
            {
                "owner": label(key),
                "leads": bucket["leads"],
                "touched": bucket["touched"],
                "untouched": bucket["leads"] - bucket["touched"],
                "median_hours": _hours(bucket["median"]),
                "p90_hours": _hours(bucket["p90"]),
            }
        )
        links.append({"leads": _group_link(params, "owner", key)})
    if keys:
        leads_total = sum(b["leads"] for b in per_owner.values())
        touched_total = sum(b["touched"] for b in per_owner.values())
        rows.append(
            {
                "owner": _("Total"),
                "leads": leads_total,
                "touched": touched_total,
                "untouched": leads_total - touched_total,
                "median_hours": _hours(overall[0]),
                "p90_hours": _hours(overall[1]),
            }
        )
        links.append({"leads": lead_list_url(params)})
    chart = series_chart(
        rows[:-1],
        "owner",
        [("median_hours", _("Median hours to first touch")), ("p90_hours", _("90th percentile hours to first touch"))],
    )
    groups = [{"key": k, "label": label(k)} for k in keys]
    return Result(columns=columns, rows=rows, links=links, groups=groups, chart=chart)


# Queue backlog ----------------------------------------------------------------------------------


def queue_backlog(params: Params) -> Result:
    """The leads waiting in each queue now, and how long they have waited since the queue got them."""
    now = timezone.now()
    waiting = params.leads.filter(owner_queue__isnull=False, is_converted=False)
    medians: dict[int, tuple[float | None, float | None]]
    if params.rollups:
        # The lead facts of the waiting leads, off their own index: not the lead rows.
        waiting = rollup_queries.waiting_in_queues(params.lead_filters)
    if connection.vendor == "postgresql":
        # One pass over the waiting leads: counts, oldest and percentiles together.
        age = stats.EpochSeconds(ExpressionWrapper(Value(now) - F("owner_assigned_at"), output_field=DurationField()))
        rows = list(
            waiting.values("owner_queue_id")
            .annotate(
                n=Count("*"),
                oldest=Min("owner_assigned_at"),
                median=stats.Percentile(age, 0.5),
                p90=stats.Percentile(age, 0.9),
            )
            .order_by()
        )
        counted = {r["owner_queue_id"]: r for r in rows}
        medians = {r["owner_queue_id"]: (r["median"], r["p90"]) for r in rows}
    else:
        counted = {
            row["owner_queue_id"]: row
            for row in waiting.values("owner_queue_id")
            .annotate(n=Count("pk"), oldest=Min("owner_assigned_at"))
            .order_by()
        }
        ages: dict[int, list[float]] = defaultdict(list)
        for queue_id, assigned in waiting.values_list("owner_queue_id", "owner_assigned_at").iterator():
            ages[queue_id].append((now - assigned).total_seconds())
        medians = {q: (stats.percentile(v, 0.5), stats.percentile(v, 0.9)) for q, v in ages.items()}
    names = dict(Queue.objects.filter(pk__in=list(counted)).values_list("pk", "name"))
    keys = sorted(counted, key=lambda q: (-counted[q]["n"], names.get(q, "")))
    columns = table_columns(
        ("queue", _("Queue")),
        ("waiting", _("Leads waiting")),
        ("oldest_days", _("Oldest (days)")),
        ("median_days", _("Median age (days)")),
        ("p90_days", _("90th percentile age (days)")),
    )
    rows, links = [], []
    for queue_id in keys:
        median, p90 = medians.get(queue_id, (None, None))
        rows.append(
            {
                "queue": names.get(queue_id, str(queue_id)),
                "waiting": counted[queue_id]["n"],
                "oldest_days": stats.days((now - counted[queue_id]["oldest"]).total_seconds()),
                "median_days": stats.days(median),
                "p90_days": stats.days(p90),
            }
        )
        links.append({"waiting": lead_list_url(params, owner=f"queue:{queue_id}")})
    chart = series_chart(rows, "queue", [("waiting", _("Leads waiting"))], links=links)
    groups = [{"key": f"queue:{q}", "label": names.get(q, str(q))} for q in keys]
    return Result(columns=columns, rows=rows, links=links, groups=groups, chart=chart)


# (e) Web-to-Lead intake -------------------------------------------------------------------------

INTAKE_OUTCOMES = [
    ("created", gettext_lazy("Accepted")),
    ("pending", gettext_lazy("Pending")),
    ("spam", gettext_lazy("Spam")),
    ("rejected", gettext_lazy("Rejected")),
]


def _intake_counts(params: Params):
    """(day, form id, outcome, submissions) rows: from the daily intake counts once they are built
    (``reports.intake_rollup``), else from the submissions."""
    if intake_counts_ready():
        counted = IntakeDailyCount.objects.filter(day__gte=params.date_from, day__lte=params.date_to)
        if params.form_id:
            counted = counted.filter(form_id=params.form_id)
        # One row per day, form and outcome: nothing to add up.
        return counted.values_list("day", "form_id", "outcome", "n")
    start, end = stats.day_bounds(params.date_from, params.date_to)
    qs = Intake.objects.filter(received_at__gte=start, received_at__lt=end)
    if params.form_id:
        qs = qs.filter(form_id=params.form_id)
    # Grouped by outcome (not one filtered count per outcome): the plain GROUP BY the database does
    # fastest; the outcomes become columns below.
    return (
        qs.annotate(day=TruncDay("received_at", output_field=DateField()))
        .values_list("day", "form_id", "outcome")
        .annotate(n=Count("pk"))
        .order_by()
    )


def web_to_lead_intake(params: Params) -> Result:
    outcomes = {o for o, _label in INTAKE_OUTCOMES}
    pivot: dict[tuple, dict[str, int]] = {}
    for row in _intake_counts(params):
        day, form_id, outcome, n = row
        if outcome in outcomes:
            pivot.setdefault((_as_date(day), form_id), dict.fromkeys(outcomes, 0))[outcome] = n
    counted = [
        {"day": day, "form_id": form_id, **values}
        for (day, form_id), values in sorted(pivot.items(), key=lambda item: (item[0][0], item[0][1] or 0))
    ]
    forms_by_id = dict(WebToLeadForm.objects.values_list("pk", "name"))
    intake_url = reverse("webtolead:intake_list")
    columns = [
        {"key": "day", "label": _("Day"), "numeric": False},
        {"key": "form", "label": _("Form"), "numeric": False},
        *[{"key": o, "label": str(text), "numeric": True} for o, text in INTAKE_OUTCOMES],
        {"key": "total", "label": _("Total"), "numeric": True},
    ]
    rows, links = [], []
    per_day: dict[dt.date, dict[str, int]] = {}
    no_form = _("(no form)")
    for row in counted:
        day = _as_date(row["day"])
        name = forms_by_id.get(row["form_id"], no_form)
        values = {o: row[o] for o, _label in INTAKE_OUTCOMES}
        rows.append({"day": day.isoformat(), "form": name, **values, "total": sum(values.values())})
        form_part = f"&form={row['form_id']}" if row["form_id"] else ""
        links.append({o: f"{intake_url}?outcome={o}{form_part}" for o, _label in INTAKE_OUTCOMES})
        bucket = per_day.setdefault(day, dict.fromkeys((o for o, _label in INTAKE_OUTCOMES), 0))
        for o in values:
            bucket[o] += values[o]
    days = _periods(params.date_from, params.date_to, "day")
    form_filter = f"&form={params.form_id}" if params.form_id else ""
    chart = {
        "type": "bar",
        "stacked": True,
        "labels": [d.isoformat() for d in days],
        "datasets": [
            {"label": str(text), "data": [per_day.get(d, {}).get(o, 0) for d in days]} for o, text in INTAKE_OUTCOMES
        ],
        "links": [
            [f"{intake_url}?outcome={o}{form_filter}" if per_day.get(d, {}).get(o) else None for d in days]
            for o, _label in INTAKE_OUTCOMES
        ],
    }
    groups = [{"key": str(pk), "label": name} for pk, name in sorted(forms_by_id.items(), key=lambda i: i[1])]
    return Result(columns=columns, rows=rows, links=links, groups=groups, chart=chart)


# Registry ---------------------------------------------------------------------------------------

REPORTS: dict[str, ReportSpec] = {
    spec.key: spec
    for spec in [
        ReportSpec(
            "leads-created",
            gettext_lazy("Leads created"),
            gettext_lazy("New leads by source, status, owner or country, per day, week or month."),
            gettext_lazy("Each lead is counted once, in the period of its creation date, under its current value."),
            leads_created,
            ("period", "group"),
            rollups=True,
        ),
        ReportSpec(
            "funnel",
            gettext_lazy("Lead funnel"),
            gettext_lazy("Created → working → qualified → converted, with the conversion rate of each stage."),
            gettext_lazy(
                "Leads created in the date range. Working: the status was changed at least once, or is not the "
                "default status. Qualified: the lead has been in a status marked “converted” in the lead status "
                "picklist (from the status history or its current status). Converted: the lead was converted. "
                "A converted lead counts in every stage."
            ),
            funnel,
            ("by",),
            rollups=True,
        ),
        ReportSpec(
            "conversion-by-source",
            gettext_lazy("Conversion by lead source"),
            gettext_lazy("Conversion rate and time from creation to conversion, per lead source."),
            gettext_lazy(
                "Leads created in the date range. Time to convert runs from the lead's creation to its conversion; "
                "the median and the 90th percentile are over the converted leads."
            ),
            conversion_by_source,
            (),
            rollups=True,
        ),
        ReportSpec(
            "time-in-status",
            gettext_lazy("Time in status"),
            gettext_lazy("How long leads stay in each status, and the leads stuck in one."),
            gettext_lazy(
                "From the status history of the leads created in the date range. Each stay in a status is one visit "
                "(a reopened lead visits a status again); only finished visits count in the median and the 90th "
                "percentile. A lead is stuck when its current status has not changed for longer than the chosen "
                "number of days. Converted leads are not counted as in a status now."
            ),
            time_in_status,
            ("stuck_days",),
            rollups=True,
        ),
        ReportSpec(
            "speed-to-lead",
            gettext_lazy("Speed to lead"),
            gettext_lazy("Time from a lead's creation to its first touch by a person, per owner or queue."),
            gettext_lazy(
                "Leads created in the date range, by their current owner. The first touch is the earliest status "
                "change, note, logged call or email made by a user; automatic changes and emails do not count. "
                "Leads not touched yet are counted apart and not in the median or the 90th percentile."
            ),
            speed_to_lead,
            (),
            rollups=True,
        ),
        ReportSpec(
            "queue-backlog",
            gettext_lazy("Queue backlog"),
            gettext_lazy("Leads waiting in each queue now, and how long they have waited."),
            gettext_lazy(
                "Unconverted leads owned by a queue now, whatever their creation date; a lead's age runs from "
                "the moment the queue got it."
            ),
            queue_backlog,
            (),
            dated=False,
            rollups=True,
        ),
        ReportSpec(
            "web-to-lead-intake",
            gettext_lazy("Web-to-Lead intake"),
            gettext_lazy("Submissions accepted, pending, spam or rejected, per form and day."),
            gettext_lazy(
                "Submissions received in the date range, by their current outcome. Accepted submissions made a lead."
            ),
            web_to_lead_intake,
            ("form",),
            lead_filters=False,
            admins_only=True,
        ),
    ]
}


def _campaign_reports() -> list[ReportSpec]:
    from . import campaign_report as m

    return [
        ReportSpec(
            "conversion-by-campaign",
            gettext_lazy("Conversion by campaign"),
            gettext_lazy("Conversion rate and time from creation to conversion, per campaign."),
            gettext_lazy(
                "Leads created in the date range that are members of a campaign (a converted lead counts in the "
                "campaigns it was a member of); a lead in two campaigns counts in both."
            ),
            m.conversion_by_campaign,
            (),
        ),
    ]


REPORTS.update({spec.key: spec for spec in _campaign_reports()})


def _queue_reports() -> list[ReportSpec]:
    from . import queue_reports as m

    return [
        ReportSpec(
            "queue-backlog-trend",
            gettext_lazy("Queue backlog over time"),
            gettext_lazy("Leads waiting in each queue at the end of each day, week or month, and the longest wait."),
            gettext_lazy(
                "From a daily snapshot of each queue (taken every hour; the last one of a day stays). Days before "
                "the first snapshot are rebuilt from the lead owner history where it tells. A week or month shows "
                "its last day's backlog; the oldest wait is the longest of any queue then. Each number opens the "
                "leads waiting in the queue now."
            ),
            m.backlog_over_time,
            ("period",),
            lead_filters=False,
        ),
        ReportSpec(
            "queue-accepts",
            gettext_lazy("Queue accepts per member"),
            gettext_lazy("Leads each queue member accepted in the date range, and their share of the queue's accepts."),
            gettext_lazy(
                "Leads taken from a queue by one of its members (Accept or Accept Next) in the date range, per queue "
                "and member, from the lead owner history."
            ),
            m.accepts_per_member,
            (),
            lead_filters=False,
        ),
    ]


REPORTS.update({spec.key: spec for spec in _queue_reports()})


def reports_for(user) -> list[ReportSpec]:
    admin = is_marketing_admin(user)
    return [spec for spec in REPORTS.values() if admin or not spec.admins_only]


def run_report(*, user, key: str, data) -> tuple[ReportSpec, Params, Result]:
    """Run one standard report in the user's sharing scope. Raises ``KeyError`` for an unknown
    report, ``PermissionDenied`` for an admin report and ``ReportParamsError`` for bad parameters."""
    spec = REPORTS[key]
    if spec.admins_only and not is_marketing_admin(user):
        raise PermissionDenied
    params = build_params(user=user, data=data, spec=spec)
    return spec, params, spec.runner(params)
