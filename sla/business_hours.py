"""Business-hours arithmetic, free of the database: "N business hours after this moment".

A calendar is a time zone, opening hours per weekday (Monday first; ``None`` for a closed day)
and a set of holidays (local dates). A day that closes at 00:00 closes at the midnight that ends
it, so 00:00-00:00 is a day open round the clock. Opening hours are local wall-clock times, so a
day of a daylight-saving change is as long as the clocks say: 09:00-17:00 is 8 hours of elapsed
time unless the change falls inside it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

UTC = dt.UTC
MIDNIGHT = dt.time(0, 0)
# A calendar open one hour a year still finds its due time; a calendar never open gives up.
MAX_DAYS = 3700


class NeverOpen(ValueError):
    """The calendar has no opening hours at all."""


@dataclass(frozen=True)
class Calendar:
    time_zone: str
    # Seven entries, Monday first: (opens, closes) or None.
    week: tuple[tuple[dt.time, dt.time] | None, ...]
    holidays: frozenset[dt.date] = field(default_factory=frozenset)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @classmethod
    def from_strings(cls, *, time_zone: str, weekly_hours: list, holidays=()) -> Calendar:
        week = []
        for day in list(weekly_hours)[:7] + [None] * (7 - len(weekly_hours)):
            week.append(None if not day else (parse_time(day[0]), parse_time(day[1])))
        return cls(time_zone=time_zone, week=tuple(week), holidays=frozenset(holidays))


def parse_time(value: str) -> dt.time:
    return dt.time.fromisoformat(value)


def _local(day: dt.date, at: dt.time, zone: ZoneInfo) -> dt.datetime:
    """A local wall-clock time as an aware UTC moment (a time skipped by a clock change counts as
    the moment right after the change, as zoneinfo's ``fold=0`` reading gives)."""
    return dt.datetime.combine(day, at, tzinfo=zone).astimezone(UTC).astimezone(zone).astimezone(UTC)


def _day_bounds(day: dt.date, hours: tuple[dt.time, dt.time], zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """A day's opening and closing moments; closing at 00:00 means the midnight that ends the day."""
    opens = _local(day, hours[0], zone)
    if hours[1] == MIDNIGHT:
        return opens, _local(day + dt.timedelta(days=1), MIDNIGHT, zone)
    return opens, _local(day, hours[1], zone)


def open_windows(calendar: Calendar, start: dt.datetime):
    """The calendar's open periods as (opens, closes) UTC pairs, from the day of ``start`` on."""
    zone = calendar.zone
    day = start.astimezone(zone).date()
    for _ in range(MAX_DAYS):
        hours = calendar.week[day.weekday()]
        if hours is not None and day not in calendar.holidays:
            opens, closes = _day_bounds(day, hours, zone)
            if closes > opens:
                yield opens, closes
        day += dt.timedelta(days=1)


def add_business_hours(calendar: Calendar, start: dt.datetime, hours: float) -> dt.datetime:
    """The moment ``hours`` business hours after ``start`` (aware, answered in UTC). The answer is
    always inside (or at the closing time of) an open period."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    if hours <= 0:
        raise ValueError("hours must be positive")
    remaining = dt.timedelta(hours=float(hours))
    cursor = start.astimezone(UTC)
    for opens, closes in open_windows(calendar, cursor):
        if closes <= cursor:
            continue
        begin = max(cursor, opens)
        available = closes - begin
        if remaining <= available:
            return begin + remaining
        remaining -= available
    raise NeverOpen("The business hours are never open.")


def business_seconds_between(calendar: Calendar, start: dt.datetime, end: dt.datetime) -> float:
    """Open seconds between two moments (0 when ``end`` is not after ``start``)."""
    if end <= start:
        return 0.0
    total = 0.0
    for opens, closes in open_windows(calendar, start):
        if opens >= end:
            break
        begin, finish = max(opens, start), min(closes, end)
        if finish > begin:
            total += (finish - begin).total_seconds()
    return total


def is_open(calendar: Calendar, moment: dt.datetime) -> bool:
    """Whether ``moment`` lies inside an open period (its closing time included)."""
    at = moment.astimezone(UTC)
    day = moment.astimezone(calendar.zone).date()
    # The day before counts too: a day closing at 00:00 closes at the midnight that starts ``day``.
    for candidate in (day - dt.timedelta(days=1), day):
        hours = calendar.week[candidate.weekday()]
        if hours is None or candidate in calendar.holidays:
            continue
        opens, closes = _day_bounds(candidate, hours, calendar.zone)
        if opens <= at <= closes:
            return True
    return False
