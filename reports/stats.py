"""Percentiles of durations: PostgreSQL computes them (``percentile_cont``), other databases get
the same linear interpolation in Python over the rows of the report's date range."""

import datetime as dt
import math

from django.db.models import Aggregate, DurationField, ExpressionWrapper, F, FloatField, Func
from django.utils import timezone


class EpochSeconds(Func):
    """Seconds of an interval (PostgreSQL)."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()


class Percentile(Aggregate):
    """``percentile_cont(p) WITHIN GROUP (ORDER BY expr)`` (PostgreSQL); NULLs are ignored."""

    function = "PERCENTILE_CONT"
    name = "Percentile"
    template = "%(function)s(%(percentile)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, percentile: float, **extra):
        super().__init__(expression, percentile=float(percentile), **extra)


def seconds_between(start: str, end: str) -> EpochSeconds:
    return EpochSeconds(ExpressionWrapper(F(end) - F(start), output_field=DurationField()))


def percentile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between the closest ranks, as ``percentile_cont`` does."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def days(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 86400, 1)


def duration_seconds(delta: dt.timedelta) -> float:
    return delta.total_seconds()


def day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The moments from the start of ``first`` to the start of the day after ``last`` (local)."""
    return end_of_day(first - dt.timedelta(days=1)), end_of_day(last)


def end_of_day(day: dt.date) -> dt.datetime:
    """The start of the next day, local time: when ``day`` ends."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
