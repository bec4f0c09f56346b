"""Duration histograms: the medians and 90th percentiles of the time-in-status, speed-to-lead and
conversion reports read from counts per logarithmic bucket instead of sorting every duration.

A duration of ``s`` seconds falls in bucket ``floor(ln(s) / ln(RATIO))`` (``SUBSECOND`` below one
second), so bucket ``b`` holds the durations in ``[RATIO**b, RATIO**(b+1))``. A percentile is
interpolated between ranks like ``percentile_cont``, each rank's value being placed inside its
bucket; the true value lies in the same bucket, so the figure read is within ``RATIO - 1`` (4 %)
of the exact one, or within one second below one second; the report page says so.

Rows are kept per lead creation day and, summed, per creation month (``DurationHistogram``): a
date range reads its whole months from the month rows and its other days from the day rows. They
are recounted from the lead facts (``LeadFact``, ``StatusStay``) with the daily counts.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection
from django.db.models import Q, Sum

from .models import DurationHistogram

RATIO = 1.04
LOG_RATIO = math.log(RATIO)
SUBSECOND = -1
# The "touch" measure counts the leads not touched yet in this bucket (they have no duration).
UNTOUCHED = 32767

Measure = DurationHistogram.Measure
Grain = DurationHistogram.Grain


def bucket_of(seconds: float) -> int:
    return SUBSECOND if seconds < 1 else math.floor(math.log(seconds) / LOG_RATIO)


def _value_in_bucket(bucket: int, share: float) -> float:
    """The duration ``share`` (0..1) of the way through a bucket: geometric, as the buckets are."""
    if bucket == SUBSECOND:
        return share
    return RATIO ** (bucket + share)


def percentile(counts: dict[int, int], fraction: float) -> float | None:
    """The ``fraction`` percentile (``percentile_cont``'s interpolation between ranks) of the
    durations counted in ``counts`` ({bucket: count}); None when there are none."""
    ordered = sorted((b, n) for b, n in counts.items() if n > 0 and b != UNTOUCHED)
    total = sum(n for _b, n in ordered)
    if not total:
        return None

    def at_rank(rank: int) -> float:
        before = 0
        for bucket, n in ordered:
            if rank < before + n:
                return _value_in_bucket(bucket, (rank - before + 0.5) / n)
            before += n
        raise AssertionError(rank)

    position = (total - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    low_value = at_rank(low)
    return low_value + (at_rank(high) - low_value) * (position - low)


# Reading -----------------------------------------------------------------------------------------


def _month_end(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def full_months(date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    first = date_from if date_from.day == 1 else _month_end(date_from) + dt.timedelta(days=1)
    months = []
    while _month_end(first) <= date_to:
        months.append(first)
        first = _month_end(first) + dt.timedelta(days=1)
    return months


def range_q(date_from: dt.date, date_to: dt.date) -> Q:
    """The rows of a creation date range: its whole months' month rows and its other days' rows."""
    months = full_months(date_from, date_to)
    if not months:
        return Q(grain=Grain.DAY, day__gte=date_from, day__lte=date_to)
    after = _month_end(months[-1]) + dt.timedelta(days=1)
    return (
        Q(grain=Grain.MONTH, day__in=months)
        | Q(grain=Grain.DAY, day__gte=date_from, day__lt=months[0])
        | Q(grain=Grain.DAY, day__gte=after, day__lte=date_to)
    )


def counts(measure: str, date_from: dt.date, date_to: dt.date, *, by: Iterable[str], where: Q | None = None) -> dict:
    """{group (a tuple of the ``by`` fields): {bucket: count}} of one measure over a date range."""
    fields = list(by)
    out: dict[tuple, dict[int, int]] = defaultdict(dict)
    rows = (
        DurationHistogram.objects.filter(range_q(date_from, date_to), where or Q(), measure=measure)
        .values_list(*fields, "bucket")
        .annotate(total=Sum("n"))
        .order_by()
    )
    for *group, bucket, total in rows:
        out[tuple(group)][bucket] = total
    return out


def merged(groups: Iterable[dict[int, int]]) -> dict[int, int]:
    every: dict[int, int] = defaultdict(int)
    for group in groups:
        for bucket, n in group.items():
            every[bucket] += n
    return every


# Recounting --------------------------------------------------------------------------------------

COLUMNS = "measure, grain, day, status, lead_source, owner_user_id, owner_queue_id, bucket, n"


def _bucket_sql(column: str) -> str:
    return f"CASE WHEN {column} < 1 THEN {SUBSECOND} ELSE CAST(FLOOR(LN({column}) / {LOG_RATIO!r}) AS integer) END"


def _day_selects(day_filter: str) -> list[str]:
    """The SELECTs of the day rows of each measure from the facts (``day_filter`` narrows the
    days, on the facts' creation day column ``{day}``)."""
    return [
        f"""
        SELECT '{Measure.STAY}', '{Grain.DAY}', s.lead_created_day, s.status, s.lead_source, NULL, NULL,
               {_bucket_sql("s.seconds")}, COUNT(*)
        FROM reports_statusstay s JOIN reports_leadfact f ON f.id = s.fact_id
        WHERE s.seconds IS NOT NULL AND f.lead_id IS NOT NULL AND {day_filter.format(day="s.lead_created_day")}
        GROUP BY s.lead_created_day, s.status, s.lead_source, 8
        """,
        f"""
        SELECT '{Measure.TOUCH}', '{Grain.DAY}', created_day, '', '', owner_user_id, owner_queue_id,
               CASE WHEN seconds_to_first_touch IS NULL THEN {UNTOUCHED}
                    ELSE {_bucket_sql("seconds_to_first_touch")} END, COUNT(*)
        FROM reports_leadfact
        WHERE lead_id IS NOT NULL AND {day_filter.format(day="created_day")}
        GROUP BY created_day, owner_user_id, owner_queue_id, 8
        """,
        f"""
        SELECT '{Measure.CONVERT}', '{Grain.DAY}', created_day, '', lead_source, NULL, NULL,
               {_bucket_sql("seconds_to_convert")}, COUNT(*)
        FROM reports_leadfact
        WHERE lead_id IS NOT NULL AND is_converted AND seconds_to_convert IS NOT NULL
          AND {day_filter.format(day="created_day")}
        GROUP BY created_day, lead_source, 8
        """,
    ]


def _as_date(value) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def recount(days: Iterable[dt.date] | None) -> None:
    """Recount the day rows of ``days`` (every day: None) from the facts, then their months' rows
    from the day rows. The caller holds the rollup lock (``rollups._state``)."""
    table = DurationHistogram._meta.db_table
    with connection.cursor() as cur:
        if days is None:
            cur.execute(f"DELETE FROM {table}")
            for select in _day_selects("1 = 1"):
                cur.execute(f"INSERT INTO {table} ({COLUMNS}) {select}")
            cur.execute(f"SELECT DISTINCT day FROM {table} WHERE grain = %s", [Grain.DAY])
            months = {_month_of(_as_date(d)) for (d,) in cur.fetchall()}
        else:
            day_list = sorted(set(days))
            if not day_list:
                return
            for start in range(0, len(day_list), 500):
                chunk = day_list[start : start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                cur.execute(f"DELETE FROM {table} WHERE grain = %s AND day IN ({marks})", [Grain.DAY, *chunk])
                for select in _day_selects(f"{{day}} IN ({marks})"):
                    cur.execute(f"INSERT INTO {table} ({COLUMNS}) {select}", chunk)
            months = {_month_of(d) for d in day_list}
        for month in sorted(months):
            cur.execute(f"DELETE FROM {table} WHERE grain = %s AND day = %s", [Grain.MONTH, month])
            cur.execute(
                f"""
                INSERT INTO {table} ({COLUMNS})
                SELECT measure, %s, %s, status, lead_source, owner_user_id, owner_queue_id, bucket, SUM(n)
                FROM {table} WHERE grain = %s AND day >= %s AND day <= %s
                GROUP BY measure, status, lead_source, owner_user_id, owner_queue_id, bucket
                """,
                [Grain.MONTH, month, Grain.DAY, month, _month_end(month)],
            )
