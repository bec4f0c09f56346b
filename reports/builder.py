"""The report builder: a definition (object, columns, criteria, up to two groupings, summaries,
chart type) checked against the object's fields and run in the viewer's sharing scope.

Criteria go through the one criteria engine (``core.criteria.criteria_q``), so a report filters
exactly as rules match; records come from each object's visibility selector, so a rep's counts
include only records they could open.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, DateField, Max, Min, QuerySet, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncQuarter, TruncWeek
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns.selectors import campaigns_visible_to
from core.criteria import CriteriaError, FieldSpec, criteria_q, field_specs, validate_criteria
from core.roles import display_name
from leads.models import Queue
from sales.selectors import accounts_visible_to, contacts_visible_to, opportunities_visible_to

from .models import SavedReport
from .selectors import report_leads

MAX_COLUMNS = 20
MAX_GROUPINGS = 2
MAX_SUMMARIES = 5
ROW_LIMIT = 500
# The builder's preview of a definition not saved yet: its first rows only.
PREVIEW_ROWS = 25
PERIODS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth, "quarter": TruncQuarter}
PERIOD_CHOICES = [
    ("", gettext_lazy("(not a date)")),
    ("day", gettext_lazy("Day")),
    ("week", gettext_lazy("Week")),
    ("month", gettext_lazy("Month")),
    ("quarter", gettext_lazy("Quarter")),
]
FUNCTIONS = {"sum": Sum, "avg": Avg, "min": Min, "max": Max}
FUNCTION_CHOICES = [
    ("sum", gettext_lazy("Sum")),
    ("avg", gettext_lazy("Average")),
    ("min", gettext_lazy("Minimum")),
    ("max", gettext_lazy("Maximum")),
]
NUMBER_TYPES = ("number", "currency", "percent")
DATE_TYPES = ("date", "datetime")


@dataclass(frozen=True)
class ReportObject:
    name: str
    label: Any
    visible_to: Callable[..., QuerySet]
    # System date fields every record has, besides the object's field metadata.
    dates: tuple[tuple[str, Any], ...] = (("created_at", gettext_lazy("Created Date")),)
    # Owner lookup in two columns (owner_user / owner_queue), as leads have it.
    split_owner: bool = False


OBJECTS: dict[str, ReportObject] = {
    o.name: o
    for o in (
        ReportObject(
            "lead",
            gettext_lazy("Leads"),
            report_leads,
            (("created_at", gettext_lazy("Created Date")), ("converted_at", gettext_lazy("Converted Date"))),
            split_owner=True,
        ),
        ReportObject("account", gettext_lazy("Accounts"), accounts_visible_to),
        ReportObject("contact", gettext_lazy("Contacts"), contacts_visible_to),
        ReportObject("opportunity", gettext_lazy("Opportunities"), opportunities_visible_to),
        ReportObject("campaign", gettext_lazy("Campaigns"), campaigns_visible_to),
    )
}


def report_fields(object_name: str) -> dict[str, FieldSpec]:
    """The object's reportable fields: its field metadata (standard and custom) and system dates."""
    specs = dict(field_specs(object_name))
    for api_name, label in OBJECTS[object_name].dates:
        specs.setdefault(
            api_name, FieldSpec(api_name=api_name, label=str(label), field_type="datetime", is_custom=False)
        )
    return specs


def _column(obj: ReportObject, spec: FieldSpec) -> str:
    if spec.is_custom:
        return f"custom_fields__{spec.api_name}"
    if spec.field_type == "lookup" and not obj.split_owner:
        return f"{spec.api_name}_id"
    return spec.api_name


@dataclass
class ReportDefinition:
    """A validated builder report, saved or not."""

    object_name: str
    columns: list[str]
    criteria: list[dict] = field(default_factory=list)
    filter_logic: str = ""
    groupings: list[dict] = field(default_factory=list)
    summaries: list[dict] = field(default_factory=list)
    chart_type: str = SavedReport.ChartType.BAR

    @classmethod
    def from_data(cls, data: dict) -> ReportDefinition:
        """Check a definition; raises ``ValidationError`` with a message list per field."""
        errors: dict[str, list[str]] = {}
        object_name = str(data.get("object_name") or "")
        if object_name not in OBJECTS:
            raise ValidationError({"object_name": [_("Choose an object to report on.")]})
        specs = report_fields(object_name)

        def as_list(key: str) -> list:
            value = data.get(key) or []
            if not isinstance(value, list):
                errors.setdefault(key, []).append(_("Send a list."))
                return []
            return value

        columns = [str(c) for c in as_list("columns")]
        if len(columns) > MAX_COLUMNS:
            errors.setdefault("columns", []).append(_("Choose at most %(n)s columns.") % {"n": MAX_COLUMNS})
        unknown = [c for c in columns if c not in specs]
        if unknown:
            errors.setdefault("columns", []).append(_("Unknown fields: %(f)s.") % {"f": ", ".join(unknown[:5])})
        criteria = as_list("criteria")
        logic = str(data.get("filter_logic") or "")
        cleaned_criteria: list[dict] = []
        try:
            cleaned = validate_criteria(object_name=object_name, criteria=criteria, logic=logic, specs=specs)
            cleaned_criteria = [c.as_dict() for c in cleaned]
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
        groupings = []
        for raw in as_list("groupings")[: MAX_GROUPINGS + 1]:
            name = str((raw or {}).get("field") or "") if isinstance(raw, dict) else ""
            period = str((raw or {}).get("period") or "") if isinstance(raw, dict) else ""
            spec = specs.get(name)
            if spec is None:
                errors.setdefault("groupings", []).append(_("Group by a field of the object."))
                continue
            if spec.field_type in DATE_TYPES:
                period = period or "month"
                if period not in PERIODS:
                    errors.setdefault("groupings", []).append(_("Group dates by day, week, month or quarter."))
                    continue
            elif period:
                errors.setdefault("groupings", []).append(
                    _("%(f)s is not a date: it cannot be grouped by period.") % {"f": spec.label}
                )
                continue
            groupings.append({"field": name, "period": period})
        if len(groupings) > MAX_GROUPINGS:
            errors.setdefault("groupings", []).append(_("Group by at most two fields."))
        summaries = []
        for raw in as_list("summaries")[: MAX_SUMMARIES + 1]:
            function = str(raw.get("function") or "") if isinstance(raw, dict) else ""
            name = str(raw.get("field") or "") if isinstance(raw, dict) else ""
            spec = specs.get(name)
            if function not in FUNCTIONS or spec is None or spec.field_type not in NUMBER_TYPES or spec.is_custom:
                errors.setdefault("summaries", []).append(
                    _("A summary is a sum, average, minimum or maximum of a standard number field.")
                )
                continue
            summaries.append({"function": function, "field": name})
        if len(summaries) > MAX_SUMMARIES:
            errors.setdefault("summaries", []).append(_("Choose at most %(n)s summaries.") % {"n": MAX_SUMMARIES})
        chart_type = str(data.get("chart_type") or SavedReport.ChartType.BAR)
        if chart_type not in SavedReport.ChartType.values:
            errors.setdefault("chart_type", []).append(_("Choose bar, stacked bar, line, donut or funnel."))
        if not columns and not groupings:
            errors.setdefault("columns", []).append(_("Choose columns or a grouping."))
        if errors:
            raise ValidationError(errors)
        return cls(object_name, columns, cleaned_criteria, logic.strip(), groupings, summaries, chart_type)

    @classmethod
    def from_saved(cls, report: SavedReport) -> ReportDefinition:
        return cls(
            report.object_name,
            list(report.columns),
            list(report.criteria),
            report.filter_logic,
            list(report.groupings),
            list(report.summaries),
            report.chart_type,
        )

    def as_data(self) -> dict:
        return {
            "object_name": self.object_name,
            "columns": self.columns,
            "criteria": self.criteria,
            "filter_logic": self.filter_logic,
            "groupings": self.groupings,
            "summaries": self.summaries,
            "chart_type": self.chart_type,
        }


@dataclass
class BuilderResult:
    """Detail rows (up to ``ROW_LIMIT``), group rows with their count and summaries, chart data."""

    columns: list[dict]
    rows: list[dict]
    total: int
    group_columns: list[dict]
    groups: list[dict]
    chart: dict
    truncated: bool = False


def _owner_labels(pairs: set[tuple]) -> dict[tuple, str]:
    users = get_user_model().objects.in_bulk([u for u, _q in pairs if u])
    queues = Queue.objects.in_bulk([q for _u, q in pairs if q])
    out = {}
    for user_id, queue_id in pairs:
        if user_id:
            out[(user_id, queue_id)] = display_name(users[user_id]) if user_id in users else str(user_id)
        elif queue_id:
            out[(user_id, queue_id)] = queues[queue_id].name if queue_id in queues else str(queue_id)
        else:
            out[(user_id, queue_id)] = ""
    return out


class _Labeller:
    """Readable values of one field: picklist labels, owner and lookup names, dates."""

    def __init__(self, obj: ReportObject, spec: FieldSpec, model):
        self.obj, self.spec, self.model = obj, spec, model

    def value_keys(self) -> list[str]:
        if self.spec.field_type == "lookup" and self.obj.split_owner and not self.spec.is_custom:
            return [f"{self.spec.api_name}_user_id", f"{self.spec.api_name}_queue_id"]
        return [_column(self.obj, self.spec)]

    def labels(self, rows: list[dict]) -> Callable[[dict], str]:
        keys = self.value_keys()
        if len(keys) == 2:
            names = _owner_labels({(r[keys[0]], r[keys[1]]) for r in rows})
            return lambda r: names.get((r[keys[0]], r[keys[1]]), "")
        key = keys[0]
        if self.spec.field_type == "picklist":
            labels = self.spec.picklist_labels
            return lambda r: labels.get(r[key], r[key] or "")
        if self.spec.field_type == "lookup" and not self.spec.is_custom:
            related = self.model._meta.get_field(self.spec.api_name).related_model
            found = related.objects.in_bulk({r[key] for r in rows if r[key]})
            return lambda r: (
                (display_name(found[r[key]]) if related is get_user_model() else str(found[r[key]]))
                if r[key] in found
                else ""
            )
        return lambda r: "" if r[key] is None else str(r[key])


def _records(definition: ReportDefinition, *, user) -> tuple[QuerySet, dict[str, FieldSpec], ReportObject]:
    obj = OBJECTS[definition.object_name]
    specs = report_fields(obj.name)
    qs = obj.visible_to(user)
    if definition.criteria:
        columns = {name: _column(obj, spec) for name, spec in specs.items()}
        if obj.split_owner:
            columns.pop("owner", None)
        try:
            qs = qs.filter(
                criteria_q(criteria=definition.criteria, logic=definition.filter_logic, specs=specs, columns=columns)
            )
        except CriteriaError as exc:
            raise ValidationError({"criteria": [str(exc)]}) from exc
    return qs, specs, obj


def run_definition(definition: ReportDefinition, *, user, limit: int = ROW_LIMIT) -> BuilderResult:
    """Run a report in ``user``'s sharing scope: detail rows, groups with summaries, chart data."""
    qs, specs, obj = _records(definition, user=user)
    model = qs.model
    columns = [{"key": c, "label": specs[c].label} for c in definition.columns if c in specs]
    detail_labellers = [_Labeller(obj, specs[c["key"]], model) for c in columns]
    value_keys = sorted({k for lab in detail_labellers for k in lab.value_keys()})
    raw_rows = list(qs.order_by("-pk").values("pk", *value_keys)[: limit + 1]) if columns else []
    truncated = len(raw_rows) > limit
    raw_rows = raw_rows[:limit]
    label_of = [lab.labels(raw_rows) for lab in detail_labellers]
    rows = [
        {"id": r["pk"], **{c["key"]: label(r) for c, label in zip(columns, label_of, strict=True)}} for r in raw_rows
    ]
    summary_names = {
        f"{s['function']}__{s['field']}": FUNCTIONS[s["function"]](s["field"]) for s in definition.summaries
    }
    group_columns: list[dict] = []
    groups: list[dict] = []
    if definition.groupings:
        annotations, group_keys, labellers = {}, [], []
        for index, grouping in enumerate(definition.groupings):
            spec = specs[grouping["field"]]
            labeller = _Labeller(obj, spec, model)
            if grouping["period"]:
                alias = f"g{index}"
                annotations[alias] = PERIODS[grouping["period"]](_column(obj, spec), output_field=DateField())
                group_keys.append(alias)
                labellers.append((alias, None, grouping["period"]))
            else:
                group_keys += labeller.value_keys()
                labellers.append((None, labeller, ""))
            group_columns.append({"key": f"g{index}", "label": spec.label})
        grouped = list(
            qs.annotate(**annotations)
            .values(*group_keys)
            .annotate(record_count=Count("pk"), **summary_names)
            .order_by(*group_keys)
        )
        drill = _drill_down(definition, obj, labellers)
        label_fns = []
        for alias, labeller, period in labellers:
            if labeller is None:
                label_fns.append(lambda r, a=alias, p=period: _period_label(r[a], p))
            else:
                label_fns.append(labeller.labels(grouped))
        for row in grouped:
            groups.append(
                {
                    "keys": [_plain(row[k]) for k in group_keys],
                    "labels": [fn(row) for fn in label_fns],
                    "count": row["record_count"],
                    "summaries": {k: _plain(row[k]) for k in summary_names},
                    "filters": drill(row),
                }
            )
    total = qs.count() if not groups else sum(g["count"] for g in groups)
    return BuilderResult(
        columns=columns,
        rows=rows,
        total=total,
        group_columns=group_columns,
        groups=groups,
        chart=_chart(definition, groups, total),
        truncated=truncated,
    )


# Groupings the lead list can filter on (besides the owner and the creation date).
LIST_FILTERS = ("status", "lead_source", "rating", "industry")


def _period_end(day, period: str):
    if period == "day":
        return day
    if period == "week":
        return day + dt.timedelta(days=6)
    months = 3 if period == "quarter" else 1
    first_after = dt.date(day.year + (day.month - 1 + months) // 12, (day.month - 1 + months) % 12 + 1, 1)
    return first_after - dt.timedelta(days=1)


def _drill_down(definition: ReportDefinition, obj: ReportObject, labellers: list) -> Callable[[dict], list | None]:
    """row -> the lead list filters (``[(name, value)]``) that show a group's records, or None when
    the list cannot show exactly them (another object, criteria, a grouping it cannot filter on):
    those groups open the report instead."""
    if obj.name != "lead" or definition.criteria:
        return lambda row: None
    parts = []
    for grouping, (alias, labeller, period) in zip(definition.groupings, labellers, strict=True):
        name = grouping["field"]
        if period and name == "created_at":
            parts.append(("created", alias, period))
        elif labeller is not None and name == "owner" and obj.split_owner:
            parts.append(("owner", labeller.value_keys(), ""))
        elif labeller is not None and name in LIST_FILTERS:
            parts.append((name, labeller.value_keys()[0], ""))
        else:
            return lambda row: None

    def filters(row: dict) -> list | None:
        pairs = []
        for name, key, period in parts:
            if name == "created":
                if row[key] is None:
                    return None
                day = row[key].date() if isinstance(row[key], dt.datetime) else row[key]
                pairs += [("created_from", day.isoformat()), ("created_to", _period_end(day, period).isoformat())]
            elif name == "owner":
                user_id, queue_id = row[key[0]], row[key[1]]
                if not (user_id or queue_id):
                    return None
                pairs.append(("owner", f"user:{user_id}" if user_id else f"queue:{queue_id}"))
            elif row[key] in (None, ""):
                return None
            else:
                pairs.append((name, str(row[key])))
        return pairs

    return filters


# How each builder chart type is drawn with Chart.js (a funnel is a horizontal bar chart).
CHART_JS_TYPES = {"stacked_bar": "bar", "donut": "doughnut", "funnel": "bar"}


def display_chart(result: BuilderResult, chart_type: str, title: str) -> dict:
    """The result's chart as the report page and the builder's preview draw it."""
    return {
        **result.chart,
        "type": CHART_JS_TYPES.get(chart_type, chart_type),
        "horizontal": chart_type == SavedReport.ChartType.FUNNEL,
        "title": title,
    }


def _plain(value):
    """JSON-friendly: dates as ISO text, decimals as floats."""
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    if value is not None and not isinstance(value, int | float | str | bool):
        return float(value)
    return value


def _period_label(value, period: str) -> str:
    if value is None:
        return _("(none)")
    day = value.date() if hasattr(value, "date") and callable(value.date) else value
    if period == "month":
        return day.strftime("%Y-%m")
    if period == "quarter":
        return f"{day.year} Q{(day.month - 1) // 3 + 1}"
    return day.isoformat()


def _chart(definition: ReportDefinition, groups: list[dict], total: int) -> dict:
    """Chart.js-shaped data: the first grouping on the axis, the second (if any) as datasets."""
    kind = definition.chart_type
    base = {"type": kind, "stacked": kind == SavedReport.ChartType.STACKED_BAR}
    if not groups:
        return {**base, "labels": [_("All records")], "datasets": [{"label": _("Records"), "data": [total]}]}
    labels = list(dict.fromkeys(g["labels"][0] or _("(none)") for g in groups))
    if len(definition.groupings) == 1:
        return {**base, "labels": labels, "datasets": [{"label": _("Records"), "data": [g["count"] for g in groups]}]}
    series = list(dict.fromkeys(g["labels"][1] or _("(none)") for g in groups))
    cells = {(g["labels"][0] or _("(none)"), g["labels"][1] or _("(none)")): g["count"] for g in groups}
    return {
        **base,
        "labels": labels,
        "datasets": [{"label": s, "data": [cells.get((lab, s), 0) for lab in labels]} for s in series],
    }
