"""Business-hours arithmetic (no database): known answers and properties."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sla.business_hours import (
    Calendar,
    NeverOpen,
    add_business_hours,
    business_seconds_between,
    is_open,
)

UTC = dt.UTC
PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS_9_TO_5 = [["09:00", "17:00"]] * 5 + [None, None]


def calendar(zone="Europe/Paris", week=WEEKDAYS_9_TO_5, holidays=()) -> Calendar:
    return Calendar.from_strings(time_zone=zone, weekly_hours=week, holidays=holidays)


def local(*args, zone=PARIS) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zone)


def test_hours_inside_one_day():
    # Monday 2026-11-02 10:00 Paris + 2 h = 12:00 Paris.
    assert add_business_hours(calendar(), local(2026, 11, 2, 10), 2) == local(2026, 11, 2, 12)


def test_hours_roll_over_to_the_next_morning():
    # Monday 16:00 + 3 h: 1 h on Monday, 2 h on Tuesday from 09:00.
    assert add_business_hours(calendar(), local(2026, 11, 2, 16), 3) == local(2026, 11, 3, 11)


def test_a_lead_arriving_at_night_waits_for_the_opening():
    assert add_business_hours(calendar(), local(2026, 11, 2, 22, 30), 1) == local(2026, 11, 3, 10)


def test_friday_evening_runs_into_monday():
    assert add_business_hours(calendar(), local(2026, 11, 6, 16), 2) == local(2026, 11, 9, 10)


def test_holidays_are_skipped():
    # Tuesday 2026-11-03 is a holiday: Monday 16:00 + 3 h ends Wednesday 11:00.
    cal = calendar(holidays=[dt.date(2026, 11, 3)])
    assert add_business_hours(cal, local(2026, 11, 2, 16), 3) == local(2026, 11, 4, 11)


def test_closing_time_is_a_valid_due_time():
    assert add_business_hours(calendar(), local(2026, 11, 2, 9), 8) == local(2026, 11, 2, 17)


def test_a_day_closing_at_midnight_runs_into_the_next_day():
    round_the_clock = calendar(week=[["00:00", "00:00"]] * 7)
    assert add_business_hours(round_the_clock, local(2026, 11, 2, 23, 30), 1) == local(2026, 11, 3, 0, 30)
    assert add_business_hours(round_the_clock, local(2026, 11, 2, 10), 48) == local(2026, 11, 4, 10)
    # Monday 20:00-00:00 only: Monday 23:00 + 2 h ends at 23:00 the next Monday.
    evenings = calendar(week=[["20:00", "00:00"]] + [None] * 6)
    assert add_business_hours(evenings, local(2026, 11, 2, 23), 2) == local(2026, 11, 9, 21)
    assert is_open(evenings, local(2026, 11, 3, 0))
    assert not is_open(evenings, local(2026, 11, 3, 0, 1))


def test_daylight_saving_change_keeps_wall_clock_hours():
    # Paris leaves summer time on Sunday 2026-10-25: Friday 16:00 CEST + 2 h is Monday 10:00 CET,
    # which is 09:00 UTC (it would be 08:00 UTC in summer).
    due = add_business_hours(calendar(), local(2026, 10, 23, 16), 2)
    assert due == local(2026, 10, 26, 10)
    assert due.astimezone(UTC).hour == 9


def test_a_window_spanning_the_clock_change_counts_elapsed_time():
    # New York springs forward at 02:00 on Sunday 2026-03-08: 00:00-06:00 that night is 5 hours.
    cal = calendar(zone="America/New_York", week=[None] * 6 + [["00:00", "06:00"]])
    start = local(2026, 3, 8, 0, zone=NEW_YORK)
    assert business_seconds_between(cal, start, local(2026, 3, 8, 6, zone=NEW_YORK)) == 5 * 3600
    assert add_business_hours(cal, start, 5) == local(2026, 3, 8, 6, zone=NEW_YORK)


def test_a_calendar_never_open_is_refused():
    with pytest.raises(NeverOpen):
        add_business_hours(calendar(week=[None] * 7), local(2026, 11, 2, 10), 1)


def test_naive_start_and_non_positive_hours_are_refused():
    with pytest.raises(ValueError):
        add_business_hours(calendar(), dt.datetime(2026, 11, 2, 10), 1)
    with pytest.raises(ValueError):
        add_business_hours(calendar(), local(2026, 11, 2, 10), 0)


# Properties ---------------------------------------------------------------------------------------

ZONES = st.sampled_from(["Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC"])
STARTS = st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2027, 12, 31), timezones=st.just(UTC))
HOURS = st.floats(min_value=0.05, max_value=200, allow_nan=False, allow_infinity=False)


@st.composite
def calendars(draw):
    week = []
    for _day in range(7):
        if draw(st.booleans()):
            opens = draw(st.integers(min_value=0, max_value=22))
            closes = draw(st.integers(min_value=opens + 1, max_value=24))
            # 24 stands for a day closing at midnight, written 00:00.
            week.append([f"{opens:02d}:00", "00:00" if closes == 24 else f"{closes:02d}:59"])
        else:
            week.append(None)
    if not any(week):
        week[0] = ["09:00", "17:00"]
    holidays = draw(st.sets(st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2028, 6, 30)), max_size=40))
    return Calendar.from_strings(time_zone=draw(ZONES), weekly_hours=week, holidays=holidays)


@settings(max_examples=150, deadline=None)
@given(cal=calendars(), start=STARTS, hours=HOURS)
def test_due_time_is_never_in_closed_hours_nor_on_a_holiday(cal, start, hours):
    due = add_business_hours(cal, start, hours)
    assert due > start
    assert is_open(cal, due)
    # The day of the open period holding ``due`` (a due time at a closing midnight is that day's).
    assert (due - dt.timedelta(microseconds=1)).astimezone(cal.zone).date() not in cal.holidays


@settings(max_examples=150, deadline=None)
@given(cal=calendars(), start=STARTS, hours=HOURS, more=HOURS)
def test_due_time_is_monotone_in_hours(cal, start, hours, more):
    assert add_business_hours(cal, start, hours) <= add_business_hours(cal, start, hours + more)


@settings(max_examples=100, deadline=None)
@given(cal=calendars(), start=STARTS, hours=HOURS)
def test_the_open_time_between_start_and_due_is_the_hours_asked(cal, start, hours):
    due = add_business_hours(cal, start, hours)
    assert business_seconds_between(cal, start, due) == pytest.approx(hours * 3600, abs=1e-3)
