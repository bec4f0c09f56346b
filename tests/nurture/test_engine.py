"""The step engine alone (no database): whatever happens, no step is sent twice and an exited
enrolment sends nothing."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from nurture.services import engine

UTC = dt.UTC
T0 = dt.datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # a Monday


@dataclass
class Step:
    id: int
    position: int
    kind: str
    action: str = ""
    wait_days: int | None = None
    wait_hours: int | None = None
    wait_weekday: int | None = None
    wait_time: dt.time | None = None
    else_position: int | None = None


class Facts:
    def __init__(self, *, exit_reason="", truth=True, window_open=True, budget=100):
        self.reason, self.truth, self.window_open, self.budget = exit_reason, truth, window_open, budget
        self.now = T0

    def exit_reason(self):
        return self.reason

    def condition(self, step):
        return self.truth

    def send_time(self, now):
        return now if self.window_open else now + dt.timedelta(hours=1)

    def take_send(self):
        if self.budget <= 0:
            return False
        self.budget -= 1
        return True

    def throttle_retry_at(self):
        return self.now + dt.timedelta(minutes=1)

    def else_position(self, step):
        return step.else_position

    def time_zone(self):
        return ZoneInfo("Europe/Paris")


def _run(steps, position=1, sent=(), facts=None, now=T0):
    return engine.run(steps=steps, position=position, sent_step_ids=set(sent), facts=facts or Facts(), now=now)


def test_a_run_sends_until_the_first_wait_and_is_due_when_it_is_over():
    steps = [Step(1, 1, "email"), Step(2, 2, "wait", wait_days=3), Step(3, 3, "email")]
    outcome = _run(steps)
    assert [s.id for s in outcome.sends] == [1]
    assert (outcome.status, outcome.position, outcome.next_run_at) == ("active", 3, T0 + dt.timedelta(days=3))
    last = _run(steps, position=3, sent={1}, now=outcome.next_run_at)
    assert [s.id for s in last.sends] == [3]
    assert last.status == "completed"


def test_an_exit_is_checked_before_anything_is_sent():
    outcome = _run([Step(1, 1, "email")], facts=Facts(exit_reason="opted_out"))
    assert (outcome.status, outcome.exit_reason, outcome.sends) == ("exited", "opted_out", [])


def test_outside_the_window_or_the_throttle_the_email_waits_in_place():
    steps = [Step(1, 1, "email")]
    closed = _run(steps, facts=Facts(window_open=False))
    spent = _run(steps, facts=Facts(budget=0))
    assert (closed.sends, closed.position, closed.next_run_at) == ([], 1, T0 + dt.timedelta(hours=1))
    assert (spent.sends, spent.position, spent.next_run_at) == ([], 1, T0 + dt.timedelta(minutes=1))


def test_a_failed_branch_jumps_forward_or_exits():
    steps = [Step(1, 1, "branch", else_position=3), Step(2, 2, "email"), Step(3, 3, "email")]
    assert [s.id for s in _run(steps, facts=Facts(truth=False)).sends] == [3]
    assert [s.id for s in _run(steps, facts=Facts(truth=True)).sends] == [2, 3]
    steps[0].else_position = None
    assert _run(steps, facts=Facts(truth=False)).exit_reason == "branch"


def test_waits_until_a_weekday_and_time_in_the_time_zone():
    paris = ZoneInfo("Europe/Paris")
    friday_nine = Step(1, 1, "wait", wait_weekday=4, wait_time=dt.time(9, 0))
    assert engine.wait_until(friday_nine, T0, paris) == dt.datetime(2026, 12, 11, 8, 0, tzinfo=UTC)
    at_eight = Step(1, 1, "wait", wait_time=dt.time(8, 0))
    assert engine.wait_until(at_eight, T0, paris) == dt.datetime(2026, 12, 8, 7, 0, tzinfo=UTC)


def test_the_send_window_opens_on_the_next_allowed_day():
    paris = ZoneInfo("Europe/Paris")
    saturday = dt.datetime(2026, 12, 12, 12, 0, tzinfo=UTC)
    opens = engine.next_send_time(saturday, tz=paris, start=dt.time(9), end=dt.time(17), days=[0, 1, 2, 3, 4])
    assert opens == dt.datetime(2026, 12, 14, 8, 0, tzinfo=UTC)
    inside = dt.datetime(2026, 12, 14, 9, 0, tzinfo=UTC)
    assert engine.next_send_time(inside, tz=paris, start=dt.time(9), end=dt.time(17), days=[0, 1, 2, 3, 4]) == inside


# Property: any sequence of steps, any order of events --------------------------------------------

step_kinds = st.sampled_from(["email", "email", "wait", "branch", "action_exit", "action_notify"])


@st.composite
def sequences(draw):
    kinds = draw(st.lists(step_kinds, min_size=1, max_size=8))
    steps = []
    for i, kind in enumerate(kinds, start=1):
        if kind == "wait":
            steps.append(Step(i, i, "wait", wait_hours=draw(st.integers(1, 72))))
        elif kind == "branch":
            target = draw(st.one_of(st.none(), st.integers(i + 1, len(kinds) + 1)))
            steps.append(Step(i, i, "branch", else_position=target))
        elif kind.startswith("action"):
            steps.append(Step(i, i, "action", action=kind.removeprefix("action_")))
        else:
            steps.append(Step(i, i, "email"))
    return steps


events = st.lists(
    st.tuples(
        st.sampled_from(["tick", "tick", "retry", "exit", "flip", "window", "throttle", "move"]),
        st.integers(0, 100),
    ),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(steps=sequences(), history=events)
def test_whatever_the_events_no_step_is_sent_twice_and_an_exited_enrolment_sends_nothing(steps, history):
    position, sent, status, now = 1, [], "active", T0
    facts = Facts()
    for event, value in history:
        if event == "exit":
            facts.reason = "opted_out"
            continue
        if event == "flip":
            facts.truth = not facts.truth
            continue
        if event == "window":
            facts.window_open = not facts.window_open
            continue
        if event == "throttle":
            facts.budget = value % 3
            continue
        if event == "move":  # an admin reorders steps while the enrolment runs
            if len(steps) > 1:
                i = value % (len(steps) - 1)
                steps[i].position, steps[i + 1].position = steps[i + 1].position, steps[i].position
                steps.sort(key=lambda s: s.position)
            continue
        now += dt.timedelta(hours=value if event == "tick" else 0)  # a retry runs the same moment again
        before, facts.now = status, now
        outcome = _run(steps, position=position, sent=sent, facts=facts, now=now)
        if before != "active":
            # An ended enrolment is never picked again; if it were, it must not send.
            continue
        if facts.reason:
            assert outcome.sends == []
            assert outcome.status == "exited"
        sent.extend(s.id for s in outcome.sends)
        position, status = outcome.position, outcome.status
        if status == "active":
            assert outcome.next_run_at is not None
            assert outcome.next_run_at >= now
    assert len(sent) == len(set(sent)), "a step was sent twice"
