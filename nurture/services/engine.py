"""The step engine: what one run of an enrolment does, decided from its steps and the facts about
its lead, without touching the database (the scheduler reads the facts and writes the outcome).

A run starts at the enrolment's position and goes on through branches, actions and emails until it
reaches a wait (the enrolment is due again when the wait is over), an email it may not send yet
(outside the send window, or the throttle is spent), an exit, or the end of the sequence. A step
whose email was already sent to the enrolment is passed over, so whatever happens (a run repeated,
a step moved), no step is sent twice; and an exit is checked before anything else, so an exited
enrolment sends nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol
from zoneinfo import ZoneInfo

DEFAULT_WAIT_TIME = dt.time(0, 0)


class StepLike(Protocol):
    id: int
    position: int
    kind: str
    action: str
    wait_days: int | None
    wait_hours: int | None
    wait_weekday: int | None
    wait_time: dt.time | None


class Facts(Protocol):
    """What the engine asks about one enrolment's lead while it runs."""

    def exit_reason(self) -> str:
        """Why the enrolment must end now ("" when it may go on)."""

    def condition(self, step) -> bool:
        """Whether the lead meets a branch step's condition."""

    def send_time(self, now: dt.datetime) -> dt.datetime:
        """``now`` when an email may go out now, else the start of the next send window."""

    def take_send(self) -> bool:
        """Take one email from the throttle; False when the budget of this minute is spent."""

    def throttle_retry_at(self) -> dt.datetime:
        """When the throttle has emails again."""

    def else_position(self, step) -> int | None:
        """The position a failed branch jumps to (None: exit)."""

    def time_zone(self) -> ZoneInfo:
        """The time zone "until weekday/time" waits are counted in."""


@dataclass
class Outcome:
    status: str  # "active", "completed" or "exited"
    position: int
    next_run_at: dt.datetime | None = None
    exit_reason: str = ""
    sends: list = field(default_factory=list)
    actions: list = field(default_factory=list)


def wait_until(step: StepLike, now: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """When a wait step started at ``now`` is over: after its days and hours, or at the next
    weekday and/or time of day (in ``tz``), strictly after ``now``."""
    if step.wait_weekday is None and step.wait_time is None:
        return now + dt.timedelta(days=step.wait_days or 0, hours=step.wait_hours or 0)
    local = now.astimezone(tz)
    at = step.wait_time or DEFAULT_WAIT_TIME
    day = local.date()
    if step.wait_weekday is not None:
        day += dt.timedelta(days=(step.wait_weekday - local.weekday()) % 7)
    candidate = dt.datetime.combine(day, at, tzinfo=tz)
    if candidate <= local:
        candidate = dt.datetime.combine(
            day + dt.timedelta(days=7 if step.wait_weekday is not None else 1), at, tzinfo=tz
        )
    return candidate.astimezone(dt.UTC)


def next_send_time(
    now: dt.datetime, *, tz: ZoneInfo, start: dt.time | None, end: dt.time | None, days: Sequence[int]
) -> dt.datetime:
    """``now`` when it lies in the send window (``days``: allowed weekdays, 0 = Monday, empty: all;
    ``start``-``end``: allowed local times, None: all day), else the next window's start."""
    if (start is None or end is None) and not days:
        return now  # no window at all
    allowed = set(days or range(7))
    local = now.astimezone(tz)
    for offset in range(8):
        day = local.date() + dt.timedelta(days=offset)
        if day.weekday() not in allowed:
            continue
        if start is None or end is None:
            opens, closes = dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz), None
        else:
            opens = dt.datetime.combine(day, start, tzinfo=tz)
            closes = dt.datetime.combine(day, end, tzinfo=tz)
        if offset == 0:
            if local >= opens and (closes is None or local < closes):
                return now
            if local < opens:
                return opens.astimezone(dt.UTC)
            continue
        return opens.astimezone(dt.UTC)
    return now  # no allowed day at all cannot happen (the service refuses it); never block


def _step_at(steps: Sequence[StepLike], position: int) -> StepLike | None:
    for step in steps:
        if step.position >= position:
            return step
    return None


def run(
    *,
    steps: Sequence[StepLike],
    position: int,
    sent_step_ids: set[int],
    facts: Facts,
    now: dt.datetime,
    on_send: Callable[[StepLike], None] | None = None,
) -> Outcome:
    """One run of an enrolment from ``position`` (``steps`` sorted by position)."""
    reason = facts.exit_reason()
    if reason:
        return Outcome("exited", position, exit_reason=reason)
    outcome = Outcome("active", position)
    sent = set(sent_step_ids)
    # Branches only jump forward, so a run visits each step at most once.
    for _hop in range(len(steps) + 1):
        step = _step_at(steps, outcome.position)
        if step is None:
            outcome.status, outcome.next_run_at = "completed", None
            return outcome
        if step.kind == "email":
            if step.id in sent:
                outcome.position = step.position + 1
                continue
            when = facts.send_time(now)
            if when > now:
                outcome.position, outcome.next_run_at = step.position, when
                return outcome
            if not facts.take_send():
                outcome.position, outcome.next_run_at = step.position, facts.throttle_retry_at()
                return outcome
            sent.add(step.id)
            outcome.sends.append(step)
            if on_send is not None:
                on_send(step)
            outcome.position = step.position + 1
        elif step.kind == "wait":
            outcome.position = step.position + 1
            outcome.next_run_at = wait_until(step, now, facts.time_zone())
            return outcome
        elif step.kind == "branch":
            if facts.condition(step):
                outcome.position = step.position + 1
            else:
                target = facts.else_position(step)
                if target is None or target <= step.position:
                    outcome.status, outcome.exit_reason, outcome.next_run_at = "exited", "branch", None
                    return outcome
                outcome.position = target
        elif step.kind == "action":
            if step.action == "exit":
                outcome.status, outcome.exit_reason, outcome.next_run_at = "exited", "exit_step", None
                return outcome
            outcome.actions.append(step)
            outcome.position = step.position + 1
        else:  # an unknown kind is passed over rather than blocking the enrolment
            outcome.position = step.position + 1
    outcome.status, outcome.next_run_at = "completed", None
    return outcome
