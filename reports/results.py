"""How every report (standard, dashboard-only, SLA) shapes its answer: table columns, chart data
with drill-down links, and the conversion table shared by the per-source and per-campaign reports.

One shape for all of them, so that the report page, the CSV, the API and the dashboard components
read any report the same way."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from . import stats


@dataclass
class Result:
    """A report's answer: table columns and rows, a drill-down link per cell, and chart data."""

    columns: list[dict]
    rows: list[dict]
    chart: dict
    links: list[dict] = field(default_factory=list)
    groups: list[dict] = field(default_factory=list)
    extra: dict = field(default_factory=dict)


def table_columns(first: tuple[str, object], *numeric: tuple[str, object]) -> list[dict]:
    """Table columns: a label column, then numeric ones, each given as (key, label)."""
    key, label = first
    return [
        {"key": key, "label": label, "numeric": False},
        *({"key": k, "label": text, "numeric": True} for k, text in numeric),
    ]


def series_chart(
    rows: Sequence[dict],
    label_key: str,
    series: Iterable[tuple[str, object]],
    *,
    kind: str = "bar",
    stacked: bool = False,
    links: Sequence[dict] | None = None,
) -> dict:
    """Chart.js data: one bar (or point) per row labelled by ``row[label_key]``, one dataset per
    (key, label) of ``series``; with ``links``, each bar drills down to its row's link of the
    dataset's key."""
    series = list(series)
    chart = {
        "type": kind,
        "stacked": stacked,
        "labels": [r[label_key] for r in rows],
        "datasets": [{"label": str(text), "data": [r[key] or 0 for r in rows]} for key, text in series],
    }
    if links is not None:
        chart["links"] = [[link.get(key) for link in links] for key, _text in series]
    return chart


def rate(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole``, one decimal; None when there is no whole."""
    return round(100 * part / whole, 1) if whole else None


def conversion_result(
    *,
    first: tuple[str, object],
    keys: list,
    counts: dict,
    durations: dict,
    label: Callable[[object], str],
    link: Callable[[object], str | None],
) -> Result:
    """Leads, converted, conversion rate and days to convert per group (a lead source, a campaign):
    ``counts[key]`` holds ``leads`` and ``converted``, ``durations[key]`` (median, p90) seconds."""
    name_key = first[0]
    cols = table_columns(
        first,
        ("leads", _("Leads")),
        ("converted", _("Converted")),
        ("conversion_rate", _("Conversion rate %")),
        ("median_days", _("Median days to convert")),
        ("p90_days", _("90th percentile days to convert")),
    )
    rows, links = [], []
    for key in keys:
        median, p90 = durations.get(key, (None, None))
        leads, converted = counts[key]["leads"], counts[key]["converted"]
        rows.append(
            {
                name_key: label(key),
                "leads": leads,
                "converted": converted,
                "conversion_rate": rate(converted, leads),
                "median_days": stats.days(median),
                "p90_days": stats.days(p90),
            }
        )
        links.append({"leads": link(key)})
    chart = series_chart(rows, name_key, [("conversion_rate", _("Conversion rate %"))])
    chart["links"] = [[row["leads"] for row in links]]
    groups = [{"key": str(k), "label": label(k)} for k in keys]
    return Result(columns=cols, rows=rows, links=links, groups=groups, chart=chart)
