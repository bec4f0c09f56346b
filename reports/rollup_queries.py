"""The standard reports' questions asked of the rollups instead of the leads: the same answers
(``tests/reports/test_rollups.py`` holds them equal), from a few thousand narrow rows.

Rollups count every lead, so they answer only a viewer who may read every lead, and only filters
they hold (owner, status, source, creation dates); ``reports.selectors`` decides.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection
from django.db.models import Count, DateField, Q, QuerySet, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek

from . import histograms, stats
from .models import LeadDailyCount, LeadDailySourceCount, LeadFact, RollupState, StatusStay

# The lead filters the rollups hold.
ROLLUP_FILTERS = frozenset({"owner", "status", "lead_source", "created_from", "created_to"})
TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


def rollups_ready() -> bool:
    """Whether the rollups were built (by the backfill or a first sweep); until then reports read
    the leads. Once built, they trail the leads by at most one sweep (a minute)."""
    return RollupState.objects.filter(swept_until__isnull=False).exists()


def _dimension_q(filters: dict, prefix: str = "") -> Q:
    q = Q()
    owner = filters.get("owner")
    if owner:
        kind, _sep, pk = str(owner).partition(":")
        q &= Q(**{f"{prefix}owner_user_id" if kind == "user" else f"{prefix}owner_queue_id": int(pk)})
    if filters.get("status"):
        q &= Q(**{f"{prefix}status__in": filters["status"]})
    if filters.get("lead_source"):
        q &= Q(**{f"{prefix}lead_source": filters["lead_source"]})
    return q


def daily_counts(filters: dict, date_from: dt.date, date_to: dt.date, fields=()) -> QuerySet:
    """The daily counts to read: without owners when neither the filters nor ``fields`` name one."""
    by_owner = filters.get("owner") or any(f.startswith("owner") for f in fields)
    model = LeadDailyCount if by_owner else LeadDailySourceCount
    return model.objects.filter(_dimension_q(filters), day__gte=date_from, day__lte=date_to)


def facts(filters: dict, date_from: dt.date, date_to: dt.date) -> QuerySet[LeadFact]:
    return LeadFact.objects.filter(
        _dimension_q(filters), created_day__gte=date_from, created_day__lte=date_to, lead__isnull=False
    )


def waiting_in_queues(filters: dict) -> QuerySet[LeadFact]:
    """The facts of the unconverted leads a queue owns now (the queue backlog), whatever their
    creation date."""
    return LeadFact.objects.filter(
        _dimension_q(filters), owner_queue_id__isnull=False, is_converted=False, lead__isnull=False
    )


def created_counts(filters: dict, date_from, date_to, *, period: str, fields: list[str]) -> list[dict]:
    """Rows of ``fields`` + ``period_start`` + ``n``, as the leads-created report counts them."""
    period_start = TRUNC[period]("day", output_field=DateField())
    return list(
        daily_counts(filters, date_from, date_to, fields)
        .annotate(period_start=period_start)
        .values(*fields, "period_start")
        .annotate(n=Sum("leads"))
        .order_by()
    )


def stage_counts(filters: dict, date_from, date_to, *, fields: list[str]) -> list[dict]:
    """Rows of ``fields`` + created / working / qualified / converted, as the funnel counts them."""
    return list(
        daily_counts(filters, date_from, date_to, fields)
        .values(*fields)
        .annotate(created=Sum("leads"), working=Sum("working"), qualified=Sum("qualified"), converted=Sum("converted"))
        .order_by()
    )


def _percentiles(qs: QuerySet, group: str, value: str) -> dict:
    """{group value: (median, p90)} of ``value`` over ``qs`` (NULLs ignored)."""
    if connection.vendor == "postgresql":
        rows = (
            qs.filter(**{f"{value}__isnull": False})
            .values(group)
            .annotate(median=stats.Percentile(value, 0.5), p90=stats.Percentile(value, 0.9))
            .order_by()
        )
        return {r[group]: (r["median"], r["p90"]) for r in rows}
    values: dict = defaultdict(list)
    for key, seconds in qs.filter(**{f"{value}__isnull": False}).values_list(group, value).iterator():
        values[key].append(seconds)
    return {k: (stats.percentile(v, 0.5), stats.percentile(v, 0.9)) for k, v in values.items()}


def conversion_durations(filters: dict, date_from, date_to) -> dict[str, tuple]:
    """{lead_source: (median, p90)} seconds from creation to conversion."""
    return _percentiles(
        facts(filters, date_from, date_to).filter(is_converted=True), "lead_source", "seconds_to_convert"
    )


def _stays(filters: dict, date_from, date_to) -> QuerySet[StatusStay]:
    return StatusStay.objects.filter(
        _dimension_q(filters, "fact__"), lead_created_day__gte=date_from, lead_created_day__lte=date_to
    )


def status_visits(filters: dict, date_from, date_to, *, stuck_since: dt.datetime) -> dict:
    """{status: {visits, median, p90, now_in, stuck}} and the oldest stuck stays (lead id, since)."""
    stays = _stays(filters, date_from, date_to)
    done = stays.filter(seconds__isnull=False)
    percentiles = _percentiles(done, "status", "seconds")
    out: dict[str, dict] = {}
    for row in done.values("status").annotate(n=Count("pk")).order_by():
        median, p90 = percentiles.get(row["status"], (None, None))
        out[row["status"]] = {"visits": row["n"], "median": median, "p90": p90, "now_in": 0, "stuck": 0}
    return _add_open_stays(out, stays.filter(seconds__isnull=True), stuck_since)


def _add_open_stays(out: dict[str, dict], open_stays: QuerySet[StatusStay], stuck_since: dt.datetime) -> dict:
    """``out`` with each status's leads in it now and those stuck there since before ``stuck_since``."""
    # COUNT(*): the open visits' index holds every column read (an index-only scan).
    for row in (
        open_stays.values("status")
        .annotate(now_in=Count("*"), stuck=Count("entered_at", filter=Q(entered_at__lt=stuck_since)))
        .order_by()
    ):
        bucket = out.setdefault(row["status"], {"visits": 0, "median": None, "p90": None, "now_in": 0, "stuck": 0})
        bucket["now_in"], bucket["stuck"] = row["now_in"], row["stuck"]
    return out


def oldest_stuck(filters: dict, date_from, date_to, *, stuck_since: dt.datetime, limit: int) -> list[tuple]:
    """(entered_at, lead id, status) of the longest-stuck open stays, oldest first."""
    return [
        (since, lead_id, status)
        for since, lead_id, status in _stays(filters, date_from, date_to)
        # A visit begins at its lead's creation or later: the lower bound lets the open visits be
        # read in the order they began, from the range's first day, until enough are found.
        .filter(
            seconds__isnull=True, entered_at__lt=stuck_since, entered_at__gte=stats.day_bounds(date_from, date_to)[0]
        )
        .order_by("entered_at", "fact__lead_id")
        .values_list("entered_at", "fact__lead_id", "status")[:limit]
    ]


def first_touch_waits(filters: dict, date_from, date_to) -> tuple[dict[tuple, dict], tuple]:
    """({(owner user id, owner queue id): {leads, touched, median, p90}}, (median, p90) of all) in
    seconds from creation to the first touch by a person."""
    qs = facts(filters, date_from, date_to)
    owner = ["owner_user_id", "owner_queue_id"]
    touched = Q(seconds_to_first_touch__isnull=False)
    per_owner = {
        (r["owner_user_id"], r["owner_queue_id"]): {"leads": r["n"], "touched": r["t"], "median": None, "p90": None}
        for r in qs.values(*owner).annotate(n=Count("pk"), t=Count("pk", filter=touched)).order_by()
    }
    waits = qs.filter(touched)
    if connection.vendor == "postgresql":
        percentiles = {
            (r["owner_user_id"], r["owner_queue_id"]): (r["median"], r["p90"])
            for r in waits.values(*owner)
            .annotate(
                median=stats.Percentile("seconds_to_first_touch", 0.5),
                p90=stats.Percentile("seconds_to_first_touch", 0.9),
            )
            .order_by()
        }
        every = waits.aggregate(
            median=stats.Percentile("seconds_to_first_touch", 0.5), p90=stats.Percentile("seconds_to_first_touch", 0.9)
        )
        overall = (every["median"], every["p90"])
    else:
        values: dict[tuple, list[float]] = defaultdict(list)
        for user_id, queue_id, seconds in waits.values_list(*owner, "seconds_to_first_touch"):
            values[(user_id, queue_id)].append(seconds)
        percentiles = {k: (stats.percentile(v, 0.5), stats.percentile(v, 0.9)) for k, v in values.items()}
        every_value = [w for v in values.values() for w in v]
        overall = (stats.percentile(every_value, 0.5), stats.percentile(every_value, 0.9))
    for key, (median, p90) in percentiles.items():
        per_owner[key].update(median=median, p90=p90)
    return per_owner, overall


# Duration histograms -----------------------------------------------------------------------------

# The lead filters each report's duration histograms hold (their dimensions).
HISTOGRAM_FILTERS = {
    "conversion-by-source": frozenset({"lead_source", "created_from", "created_to"}),
    "time-in-status": frozenset({"lead_source", "created_from", "created_to"}),
    "speed-to-lead": frozenset({"owner", "created_from", "created_to"}),
}


def histograms_ready() -> bool:
    return RollupState.objects.filter(swept_until__isnull=False, histograms_ready=True).exists()


def _source_q(filters: dict) -> Q:
    return Q(lead_source=filters["lead_source"]) if filters.get("lead_source") else Q()


def _percentile_pair(counts: dict[int, int]) -> tuple[float | None, float | None]:
    return histograms.percentile(counts, 0.5), histograms.percentile(counts, 0.9)


def conversion_durations_histogram(filters: dict, date_from, date_to) -> dict[str, tuple]:
    """{lead_source: (median, p90)} seconds from creation to conversion, from the histograms."""
    groups = histograms.counts(
        histograms.Measure.CONVERT, date_from, date_to, by=["lead_source"], where=_source_q(filters)
    )
    return {source: _percentile_pair(counts) for (source,), counts in groups.items()}


def status_visits_histogram(filters: dict, date_from, date_to, *, stuck_since: dt.datetime) -> dict:
    """``status_visits`` with the finished visits read from the histograms; the open ones (few:
    one per unconverted lead) from the status visits."""
    groups = histograms.counts(histograms.Measure.STAY, date_from, date_to, by=["status"], where=_source_q(filters))
    out: dict[str, dict] = {}
    for (status,), counts in groups.items():
        median, p90 = _percentile_pair(counts)
        out[status] = {"visits": sum(counts.values()), "median": median, "p90": p90, "now_in": 0, "stuck": 0}
    open_stays = StatusStay.objects.filter(
        _source_q(filters), seconds__isnull=True, lead_created_day__gte=date_from, lead_created_day__lte=date_to
    )
    return _add_open_stays(out, open_stays, stuck_since)


def first_touch_waits_histogram(filters: dict, date_from, date_to) -> tuple[dict[tuple, dict], tuple]:
    """``first_touch_waits`` from the histograms."""
    where = Q()
    owner = filters.get("owner")
    if owner:
        kind, _sep, pk = str(owner).partition(":")
        where = Q(owner_user_id=int(pk)) if kind == "user" else Q(owner_queue_id=int(pk))
    groups = histograms.counts(
        histograms.Measure.TOUCH, date_from, date_to, by=["owner_user_id", "owner_queue_id"], where=where
    )
    per_owner = {}
    for key, counts in groups.items():
        median, p90 = _percentile_pair(counts)
        leads = sum(counts.values())
        touched = leads - counts.get(histograms.UNTOUCHED, 0)
        per_owner[key] = {"leads": leads, "touched": touched, "median": median, "p90": p90}
    return per_owner, _percentile_pair(histograms.merged(groups.values()))
