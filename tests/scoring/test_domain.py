"""The scoring arithmetic without a database: fit rules, behaviour rules with their daily cap and
URL pattern, decay, and the combination into a 0–100 score and an A–D grade."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from scoring.domain import (
    BehaviourRuleInput,
    EventInput,
    FitRuleInput,
    ModelInput,
    compute,
    decay_factor,
    grade_for,
    url_matches,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
EVEN = ModelInput(fit_weight=50, behaviour_weight=50, decay_half_life_days=0)


def _event(event_type="page_view", days_ago=0.0, url="https://example.com/", machine=False):
    return EventInput(event_type, NOW - timedelta(days=days_ago), url, machine)


def test_matching_fit_rules_add_their_points_and_explain_themselves():
    fit = [
        FitRuleInput(1, "Industry is Banking", 60, matched=True),
        FitRuleInput(2, "Free-mail domain", -10, matched=True),
        FitRuleInput(3, "Large company", 30, matched=False),
    ]

    result = compute(model=EVEN, fit_rules=fit, behaviour_rules=[], events=[], now=NOW)

    assert result.fit_score == 50
    assert result.grade == "B"
    assert result.score == 25  # half fit, half (empty) behaviour
    assert result.fit == [{"rule": "Industry is Banking", "points": 60}, {"rule": "Free-mail domain", "points": -10}]


def test_a_behaviour_rule_counts_each_event_of_its_type_and_leaves_machine_events_out():
    rule = BehaviourRuleInput(1, "Visits", "page_view", points=5)
    events = [_event(), _event(days_ago=1), _event("email_open"), _event(machine=True)]

    result = compute(model=EVEN, fit_rules=[], behaviour_rules=[rule], events=events, now=NOW)

    assert result.behaviour_score == 10
    assert result.behaviour == [{"rule": "Visits", "events": 2, "points": 10, "decayed_points": 10.0}]


def test_the_daily_cap_limits_a_rules_points_per_day():
    rule = BehaviourRuleInput(1, "Opens", "email_open", points=5, daily_cap=10)
    events = [_event("email_open", days_ago=0.01 * n) for n in range(5)] + [_event("email_open", days_ago=2)]

    result = compute(model=EVEN, fit_rules=[], behaviour_rules=[rule], events=events, now=NOW)

    assert result.behaviour_score == 15  # 10 (capped) today + 5 two days ago


def test_the_url_pattern_picks_the_events_a_rule_counts():
    rule = BehaviourRuleInput(1, "Pricing", "page_view", points=20, url_pattern="/pricing*")
    events = [_event(url="https://example.com/pricing?x=1"), _event(url="https://example.com/blog")]

    result = compute(model=EVEN, fit_rules=[], behaviour_rules=[rule], events=events, now=NOW)

    assert result.behaviour_score == 20
    assert url_matches("PRICING", "https://example.com/pricing")
    assert not url_matches("/about", "https://example.com/pricing")


def test_behaviour_points_halve_after_the_half_life():
    model = ModelInput(fit_weight=0, behaviour_weight=100, decay_half_life_days=7)
    rule = BehaviourRuleInput(1, "Visits", "page_view", points=40)

    result = compute(model=model, fit_rules=[], behaviour_rules=[rule], events=[_event(days_ago=7)], now=NOW)

    assert result.score == 20
    assert result.behaviour[0]["points"] == 40
    assert result.behaviour[0]["decayed_points"] == 20.0
    assert result.decay_half_life_days == 7


def test_grades_follow_the_fit_score():
    assert [grade_for(s) for s in (100, 75, 74, 50, 49, 25, 24, 0)] == ["A", "A", "B", "B", "C", "C", "D", "D"]


@given(age=st.floats(0, 10_000), later=st.floats(0, 10_000), half_life=st.integers(0, 3650))
def test_decay_never_grows_with_age(age, later, half_life):
    younger, older = decay_factor(age, half_life), decay_factor(age + later, half_life)

    assert 0 <= older <= younger <= 1


points = st.integers(-100, 100)


@given(
    fit=st.lists(st.tuples(points, st.booleans()), max_size=8),
    behaviour=st.lists(
        st.tuples(st.sampled_from(["page_view", "email_open"]), points, st.one_of(st.none(), st.integers(1, 200))),
        max_size=5,
    ),
    ages=st.lists(st.tuples(st.sampled_from(["page_view", "email_open"]), st.floats(0, 400)), max_size=40),
    weights=st.tuples(st.integers(0, 100), st.integers(0, 100)).filter(lambda w: sum(w) > 0),
    half_life=st.integers(0, 365),
)
def test_the_combined_score_stays_within_0_and_100(fit, behaviour, ages, weights, half_life):
    model = ModelInput(weights[0], weights[1], half_life)
    fit_rules = [FitRuleInput(n, f"f{n}", p, m) for n, (p, m) in enumerate(fit)]
    rules = [BehaviourRuleInput(n, f"b{n}", t, p, daily_cap=c) for n, (t, p, c) in enumerate(behaviour)]
    events = [_event(t, days_ago=a) for t, a in ages]

    result = compute(model=model, fit_rules=fit_rules, behaviour_rules=rules, events=events, now=NOW)

    assert 0 <= result.score <= 100
    assert 0 <= result.fit_score <= 100
    assert 0 <= result.behaviour_score <= 100
    assert result.grade in "ABCD"
