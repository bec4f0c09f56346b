"""Velocity and status-progression rules in the scoring arithmetic, without a database."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from scoring.domain import (
    EventInput,
    ModelInput,
    ProgressionRuleInput,
    StatusChange,
    VelocityRuleInput,
    compute,
    latest_burst,
    progression_applies,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
BEHAVIOUR_ONLY = ModelInput(fit_weight=0, behaviour_weight=100, decay_half_life_days=0)
EIGHT_IN_FOUR = VelocityRuleInput(1, "8 visits in 4 days", "page_view", min_events=8, window_days=4, points=30)


def _visits(*days_ago, url="https://example.com/pricing"):
    return [EventInput("page_view", NOW - timedelta(days=d), url) for d in days_ago]


def _score(events=(), velocity=(), progression=(), changes=(), model=BEHAVIOUR_ONLY):
    return compute(
        model=model,
        fit_rules=[],
        behaviour_rules=[],
        events=list(events),
        now=NOW,
        velocity_rules=list(velocity),
        progression_rules=list(progression),
        status_changes=list(changes),
    )


def test_eight_visits_in_four_days_earn_the_velocity_points_and_explain_them():
    result = _score(_visits(*[0.5 * i for i in range(8)]), [EIGHT_IN_FOUR])

    assert result.score == 30
    assert result.velocity == [
        {"rule": "8 visits in 4 days", "points": 30, "decayed_points": 30.0, "at": (NOW).isoformat()}
    ]


def test_eight_visits_spread_over_more_than_four_days_earn_nothing():
    result = _score(_visits(*range(8)), [EIGHT_IN_FOUR])

    assert (result.score, result.velocity) == (0, [])


def test_machine_events_other_types_and_other_urls_do_not_count_towards_a_burst():
    rule = VelocityRuleInput(1, "pricing", "page_view", min_events=3, window_days=1, points=10, url_pattern="/pricing")
    events = [
        *_visits(0.1, 0.2),
        EventInput("page_view", NOW, "https://example.com/pricing", is_machine=True),
        EventInput("email_open", NOW),
        *_visits(0.3, url="https://example.com/blog"),
    ]

    assert _score(events, [rule]).velocity == []
    assert _score([*events, *_visits(0.4)], [rule]).score == 10


def test_velocity_points_decay_from_the_end_of_the_latest_burst():
    decaying = ModelInput(fit_weight=0, behaviour_weight=100, decay_half_life_days=10)
    result = _score(_visits(*[10 + 0.1 * i for i in range(8)]), [EIGHT_IN_FOUR], model=decaying)

    assert result.velocity[0]["decayed_points"] == 15.0
    assert result.score == 15


@given(st.lists(st.floats(min_value=0, max_value=60), max_size=30), st.integers(2, 10), st.integers(1, 10))
def test_a_burst_is_found_exactly_when_some_n_events_fit_in_the_window(days_ago, n, window):
    times = [NOW - timedelta(days=d) for d in days_ago]
    ordered = sorted(times)
    expected = [
        ordered[i + n - 1]
        for i in range(len(ordered) - n + 1)
        if (ordered[i + n - 1] - ordered[i]).total_seconds() <= window * 86400
    ]

    assert latest_burst(times, min_events=n, window_days=window) == (max(expected) if expected else None)


def _changes(*steps):
    """(status, hours after creation) pairs; the first is the status at creation."""
    start = NOW - timedelta(days=30)
    return [StatusChange(status, start + timedelta(hours=h)) for status, h in steps]


def _rule(within=True, hours=48, points=20):
    return ProgressionRuleInput(1, "Open to Working", "Open", "Working", within, hours, points)


def test_two_days_between_statuses_earn_a_within_rule_its_points():
    changes = _changes(("Open", 0), ("Working", 47))

    result = _score(changes=changes, progression=[_rule()])

    assert result.score == 20
    assert result.progression == [{"rule": "Open to Working", "points": 20, "hours": 47.0}]
    assert _score(changes=_changes(("Open", 0), ("Working", 49)), progression=[_rule()]).progression == []


def test_an_over_rule_counts_a_slow_move_and_a_lead_still_waiting_too_long():
    slow = _rule(within=False, points=-10)

    assert progression_applies(slow, _changes(("Open", 0), ("Working", 72)), NOW) == 72
    assert progression_applies(slow, _changes(("Open", 0)), NOW) == 30 * 24  # still waiting
    assert progression_applies(slow, _changes(("Open", 0), ("Working", 12)), NOW) is None


def test_the_time_runs_from_first_entering_the_first_status_and_a_lead_never_there_earns_nothing():
    changes = _changes(("New", 0), ("Open", 10), ("Working", 20), ("Open", 30), ("Working", 100))

    assert progression_applies(_rule(), changes, NOW) == 10
    assert progression_applies(_rule(), _changes(("New", 0), ("Working", 5)), NOW) is None


@given(st.lists(st.tuples(st.sampled_from(["New", "Open", "Working"]), st.floats(0, 500)), min_size=1, max_size=8))
def test_within_and_over_never_both_apply_to_a_lead_that_reached_the_status(steps):
    changes = _changes(*steps)
    within = progression_applies(_rule(within=True), changes, NOW)
    over = progression_applies(_rule(within=False), changes, NOW)

    assert within is None or over is None
