"""Dashboard reads: the dashboards a user may open, their home dashboard, and a component's data
(its report run in the user's sharing scope)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.selectors import my_tasks
from core.models import FieldHistory
from core.roles import MARKETING_ADMIN, is_marketing_admin, role_label
from leads.fields import OBJECT_NAME
from leads.models import Lead
from leads.selectors import leads_visible_to
from reports.builder import BuilderResult, ReportDefinition, run_definition
from reports.models import SavedReport
from reports.selectors import REPORTS, ReportParamsError, reports_for, run_report
from reports.services import saved_reports_visible_to

from .models import Dashboard, DashboardChoice, DashboardComponent

WIDGETS = {
    "my-tasks": gettext_lazy("My tasks (overdue and today)"),
    "recent-activity": gettext_lazy("Recent activity on my leads"),
}
RANGES = {
    "today": gettext_lazy("Today"),
    "7d": gettext_lazy("Last 7 days"),
    "this_week": gettext_lazy("This week"),
    "30d": gettext_lazy("Last 30 days"),
    "this_month": gettext_lazy("This month"),
    "90d": gettext_lazy("Last 90 days"),
    "365d": gettext_lazy("Last 365 days"),
}
WIDGET_LIMIT = 8


def dashboards_for(user) -> QuerySet[Dashboard]:
    """Admins see every dashboard; others those shared with their role or with everyone."""
    qs = Dashboard.objects.all()
    if not is_marketing_admin(user):
        qs = qs.filter(Q(role="") | Q(role=role_label(user)))
    return qs.order_by("name")


def dashboard_for(*, user, pk) -> Dashboard | None:
    return dashboards_for(user).filter(pk=pk).first()


def home_dashboard(user) -> Dashboard | None:
    """The dashboard the user picked, else the default of their role (system admins fall back to
    the marketing admins' one), else the default for everyone, else the first they may open."""
    visible = dashboards_for(user)
    choice = DashboardChoice.objects.filter(user=user, dashboard__in=visible).select_related("dashboard").first()
    if choice is not None:
        return choice.dashboard
    role = role_label(user)
    for wanted in (role, MARKETING_ADMIN if is_marketing_admin(user) else None, ""):
        if wanted is None:
            continue
        found = Dashboard.objects.filter(role=wanted, is_default=True).first()
        if found is not None:
            return found
    return visible.first()


def components_of(dashboard: Dashboard) -> list[DashboardComponent]:
    return list(dashboard.components.order_by("sort_order", "id"))


def source_choices(user) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every source a component may show, in groups: the standard reports the user may run, the
    saved builder reports they may see (by folder), then the widgets."""
    saved = [
        (f"saved:{report.pk}", f"{report.folder.name} / {report.name}" if report.folder_id else report.name)
        for report in saved_reports_visible_to(user).order_by("folder__name", "name", "pk")
    ]
    groups = [(_("Standard reports"), [(f"report:{spec.key}", str(spec.title)) for spec in reports_for(user)])]
    if saved:
        groups.append((_("Saved reports"), saved))
    groups.append((_("Lists"), [(f"widget:{key}", str(label)) for key, label in WIDGETS.items()]))
    return groups


def _saved_id(key: str) -> int | None:
    return int(key) if key.isdigit() else None


def is_known_source(source: str, *, user) -> bool:
    """A standard report, a widget, or a saved report that ``user`` may see."""
    kind, _sep, key = source.partition(":")
    if kind == "saved":
        pk = _saved_id(key)
        return pk is not None and saved_reports_visible_to(user).filter(pk=pk).exists()
    return (kind == "report" and key in REPORTS) or (kind == "widget" and key in WIDGETS)


def source_label(source: str) -> str:
    """A component's source as its composer reads it."""
    kind, _sep, key = source.partition(":")
    if kind == "report" and key in REPORTS:
        return str(REPORTS[key].title)
    if kind == "widget" and key in WIDGETS:
        return str(WIDGETS[key])
    if kind == "saved" and _saved_id(key):
        report = SavedReport.objects.filter(pk=_saved_id(key)).first()
        if report is not None:
            return _("Saved report: %(name)s") % {"name": report.name}
    return source


# Parameters -------------------------------------------------------------------------------------


def _range(span: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    if span == "today":
        return today, today
    if span == "this_week":
        return today - dt.timedelta(days=today.weekday()), today
    if span == "this_month":
        return today.replace(day=1), today
    if span.endswith("d") and span[:-1].isdigit():
        return today - dt.timedelta(days=int(span[:-1]) - 1), today
    return None


def resolve_params(params: str, *, user, today: dt.date | None = None) -> QueryDict:
    """A component's query string as the report reads it: ``owner=me`` is the viewer, and
    ``range=`` a date range relative to today."""
    today = today or timezone.localdate()
    resolved = QueryDict(mutable=True)
    for key, value in parse_qsl(params or "", keep_blank_values=False):
        if key == "owner" and value == "me":
            value = f"user:{user.pk}"
        if key == "range":
            span = _range(value, today)
            if span is not None:
                resolved["created_from"], resolved["created_to"] = span[0].isoformat(), span[1].isoformat()
            continue
        resolved.appendlist(key, value)
    return resolved


def params_problems(params: str) -> list[str]:
    problems = []
    for key, value in parse_qsl(params or "", keep_blank_values=True):
        if key == "range" and _range(value, timezone.localdate()) is None:
            problems.append(_("Unknown range “%(value)s”.") % {"value": value})
    return problems


# A component's data -----------------------------------------------------------------------------


@dataclass
class ComponentData:
    """What a tile shows: a chart (Chart.js data with drill-down links), a table, or a list."""

    component: DashboardComponent
    title: str = ""
    chart: dict | None = None
    columns: list[dict] = field(default_factory=list)
    table: list[list[dict]] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)
    more_url: str = ""
    error: str = ""

    @property
    def chart_id(self) -> str:
        return f"chart-{self.component.pk}"

    @property
    def chart_json(self) -> str:
        """The chart as JSON for the canvas's data attribute (htmx drops script elements it swaps in)."""
        return json.dumps(self.chart, cls=DjangoJSONEncoder)

    @property
    def has_data(self) -> bool:
        return bool(self.items) or any(
            cell["numeric"] and cell["value"] for row in self.table for cell in row[1:] if cell["value"]
        )


def _cells(result) -> list[list[dict]]:
    table = []
    for index, row in enumerate(result.rows):
        links = result.links[index] if index < len(result.links) else {}
        table.append(
            [{"value": row.get(c["key"]), "link": links.get(c["key"]), "numeric": c["numeric"]} for c in result.columns]
        )
    return table


def shaped_chart(chart: dict, chart_type: str) -> dict | None:
    """The report's chart drawn as the component asks. A donut shows one slice per series (summed
    over the periods), linked when the report has a single period."""
    if chart_type == DashboardComponent.ChartType.TABLE:
        return None
    shaped = {**chart, "type": chart_type, "stacked": chart_type == DashboardComponent.ChartType.STACKED}
    if chart_type == DashboardComponent.ChartType.STACKED:
        shaped["type"] = "bar"
    datasets = chart.get("datasets") or []
    # A stacked report (series per period) becomes one slice per series.
    if chart_type == DashboardComponent.ChartType.DOUGHNUT and (chart.get("stacked") or len(datasets) > 1):
        links = chart.get("links") or []
        single = len(chart.get("labels") or []) == 1
        shaped.update(
            labels=[d["label"] for d in datasets],
            datasets=[{"label": chart.get("title", ""), "data": [sum(v or 0 for v in d["data"]) for d in datasets]}],
            links=[[(links[i][0] if single and i < len(links) and links[i] else None) for i in range(len(datasets))]],
        )
    return shaped


def _report_url(key: str, data: QueryDict) -> str:
    query = data.urlencode()
    return reverse("reports:detail", args=[key]) + (f"?{query}" if query else "")


def _widget(data: ComponentData, key: str, user) -> None:
    if key == "my-tasks":
        today = timezone.localdate()
        tasks = (
            my_tasks(user=user, view="all", today=today)
            .filter(Q(due_date__lte=today) | Q(due_date__isnull=True))
            .select_related("lead")[:WIDGET_LIMIT]
        )
        data.items = [
            {
                "label": task.subject,
                "detail": task.due_date.isoformat() if task.due_date else "",
                "url": reverse("leads:detail", args=[task.lead_id]) if task.lead_id else "",
                "overdue": bool(task.due_date and task.due_date < today),
            }
            for task in tasks
        ]
        data.more_url = reverse("activities:my_tasks")
    elif key == "recent-activity":
        visible = leads_visible_to(user).values("pk")
        rows = list(
            FieldHistory.objects.filter(object_name=OBJECT_NAME, record_id__in=visible)
            .select_related("changed_by")
            .order_by("-changed_at", "-id")[:WIDGET_LIMIT]
        )
        names = {lead.pk: lead.name for lead in Lead.objects.filter(pk__in=[r.record_id for r in rows])}
        data.items = [
            {
                "label": names.get(row.record_id, row.record_id),
                "detail": f"{row.field_label}: {row.new_value[:60]}" if row.field_name != "created" else _("Created"),
                "when": row.changed_at,
                "url": reverse("leads:detail", args=[row.record_id]),
            }
            for row in rows
        ]
        data.more_url = reverse("leads:list")


# A saved builder report drawn as a component: its own chart type (unless the component is a table)
# and groupings; Chart.js types of the builder's chart types.
SAVED_CHART_TYPES = {
    SavedReport.ChartType.BAR: DashboardComponent.ChartType.BAR,
    SavedReport.ChartType.STACKED_BAR: DashboardComponent.ChartType.STACKED,
    SavedReport.ChartType.LINE: DashboardComponent.ChartType.LINE,
    SavedReport.ChartType.DONUT: DashboardComponent.ChartType.DOUGHNUT,
    SavedReport.ChartType.FUNNEL: DashboardComponent.ChartType.BAR,
}


def _lead_list_url(filters: list[tuple[str, str]]) -> str:
    return f"{reverse('leads:list')}?{urlencode([('view', 'all'), *filters])}"


def saved_report_links(result: BuilderResult, report_url: str) -> tuple[list[str], list[list[str]]]:
    """(a link per group row, the chart's links per dataset and label): the lead list filtered to
    the group where it can show exactly the group's records, else the report."""
    per_group = [_lead_list_url(g["filters"]) if g.get("filters") else report_url for g in result.groups]
    none = _("(none)")
    by_labels = {
        tuple(label or none for label in g["labels"][:2]): url for g, url in zip(result.groups, per_group, strict=True)
    }
    labels = result.chart.get("labels") or []
    chart_links = []
    for dataset in result.chart.get("datasets") or []:
        if len(result.group_columns) == 2:
            keys = [(label, dataset["label"]) for label in labels]
        else:
            keys = [(label,) for label in labels]
        chart_links.append([by_labels.get(key, report_url) for key in keys])
    return per_group, chart_links


def _saved_report(data: ComponentData, pk: int | None, user) -> None:
    """Run a saved builder report in the viewer's sharing scope: the composer put it on a dashboard
    shared with the viewer's role, and its counts include only records the viewer may read."""
    report = SavedReport.objects.filter(pk=pk).first() if pk else None
    if report is None:
        data.error = _("This report no longer exists.")
        return
    report_url = reverse("reports:saved", args=[report.pk])
    try:
        result = run_definition(ReportDefinition.from_saved(report), user=user)
    except ValidationError as exc:
        data.error = " ".join(m for messages in exc.message_dict.values() for m in messages)
        return
    if saved_reports_visible_to(user).filter(pk=report.pk).exists():
        data.more_url = report_url
    group_links, chart_links = saved_report_links(result, report_url)
    summary_keys = list(result.groups[0]["summaries"]) if result.groups else []
    data.columns = [{"key": c["key"], "label": str(c["label"]), "numeric": False} for c in result.group_columns]
    data.columns.append({"key": "count", "label": _("Records"), "numeric": True})
    data.columns += [{"key": k, "label": k.replace("__", " "), "numeric": True} for k in summary_keys]
    data.table = [
        [
            *({"value": label, "link": None, "numeric": False} for label in group["labels"]),
            {"value": group["count"], "link": link, "numeric": True},
            *({"value": group["summaries"][k], "link": None, "numeric": True} for k in summary_keys),
        ]
        for group, link in zip(result.groups, group_links, strict=True)
    ]
    if not result.groups:
        data.columns = [{"key": "all", "label": _("All records"), "numeric": False}, data.columns[-1]]
        data.table = [
            [
                {"value": _("All records"), "link": None, "numeric": False},
                {"value": result.total, "link": report_url, "numeric": True},
            ]
        ]
    if data.component.chart_type != DashboardComponent.ChartType.TABLE:
        chart = {**result.chart, "title": data.title, "links": chart_links}
        data.chart = shaped_chart(chart, SAVED_CHART_TYPES.get(report.chart_type, DashboardComponent.ChartType.BAR))
        data.chart["horizontal"] = report.chart_type == SavedReport.ChartType.FUNNEL


def component_data(*, user, component: DashboardComponent) -> ComponentData:
    """Run the component's report (or read its widget) as the viewer: every count is of leads the
    viewer may read."""
    data = ComponentData(component=component, title=component.title)
    kind, _sep, key = component.source.partition(":")
    if kind == "widget" and key in WIDGETS:
        _widget(data, key, user)
        return data
    if kind == "saved":
        _saved_report(data, _saved_id(key), user)
        return data
    if kind != "report" or key not in REPORTS:
        data.error = _("This report no longer exists.")
        return data
    query = resolve_params(component.params, user=user)
    try:
        spec, _params, result = run_report(user=user, key=key, data=query)
    except PermissionDenied:
        data.error = _("This report is for marketing admins.")
        return data
    except ReportParamsError as exc:
        data.error = " ".join(m for messages in exc.errors.values() for m in messages)
        return data
    data.columns = [{**c, "label": str(c["label"])} for c in result.columns]
    data.table = _cells(result)
    data.chart = shaped_chart({**result.chart, "title": component.title}, component.chart_type)
    data.more_url = _report_url(spec.key, query)
    return data
