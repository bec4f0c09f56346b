"""Percentiles of durations: PostgreSQL computes them (``percentile_cont``), other databases get
the same linear interpolation in Python over the rows of the report's date range."""

import datetime as dt
import math

from django.db.models import Aggregate, DurationField, ExpressionWrapper, F, FloatField, Func


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
