"""The scoring arithmetic, free of the database: which rules a lead earns points from, how
behaviour points decay, and how fit and behaviour combine into a 0–100 score and an A–D grade.

The services evaluate the fit rules' criteria (``core.criteria``) and read the lead's events; this
module only counts, so it is tested fast and exhaustively."""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

SCORE_MIN, SCORE_MAX = 0, 100
# Grades from the fit score: at least this much for the grade.
GRADES = (("A", 75), ("B", 50), ("C", 25), ("D", 0))


@dataclass(frozen=True)
class FitRuleInput:
    key: int
    label: str
    points: int
    matched: bool


@dataclass(frozen=True)
class BehaviourRuleInput:
    key: int
    label: str
    event_type: str
    points: int
    url_pattern: str = ""
    daily_cap: int | None = None


@dataclass(frozen=True)
class VelocityRuleInput:
    key: int
    label: str
    event_type: str
    min_events: int
    window_days: int
    points: int
    url_pattern: str = ""


@dataclass(frozen=True)
class ProgressionRuleInput:
    key: int
    label: str
    from_status: str
    to_status: str
    within: bool  # True: at most the threshold; False: more than the threshold
    threshold_hours: int
    points: int


@dataclass(frozen=True)
class StatusChange:
    """The lead entered ``status`` at ``at`` (its first status at its creation time)."""

    status: str
    at: datetime


@dataclass(frozen=True)
class EventInput:
    event_type: str
    occurred_at: datetime
    url: str = ""
    is_machine: bool = False


@dataclass(frozen=True)
class ModelInput:
    fit_weight: int
    behaviour_weight: int
    decay_half_life_days: int


@dataclass
class Result:
    score: int
    grade: str
    fit_score: int
    behaviour_score: int
    fit: list[dict] = field(default_factory=list)
    behaviour: list[dict] = field(default_factory=list)
    decay_half_life_days: int = 0
    velocity: list[dict] = field(default_factory=list)
    progression: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "velocity": self.velocity,
            "progression": self.progression,
            "score": self.score,
            "grade": self.grade,
            "fit_score": self.fit_score,
            "behaviour_score": self.behaviour_score,
            "fit": self.fit,
            "behaviour": self.behaviour,
            "decay_half_life_days": self.decay_half_life_days,
        }


def clamp(value: float, low: int = SCORE_MIN, high: int = SCORE_MAX) -> int:
    return int(max(low, min(high, round(value))))


def decay_factor(age_days: float, half_life_days: int) -> float:
    """How much of an event's points are left after ``age_days``: 1 when fresh (or without
    decay), halving every ``half_life_days``; never more than 1, never increasing with age."""
    if half_life_days <= 0 or age_days <= 0:
        return 1.0
    return 0.5 ** (age_days / half_life_days)


def grade_for(fit_score: int) -> str:
    return next(letter for letter, floor in GRADES if fit_score >= floor)


def url_matches(pattern: str, url: str) -> bool:
    """No pattern matches every URL; a pattern contains-matches, case-insensitively, with * for
    any text."""
    if not pattern:
        return True
    return fnmatch.fnmatchcase(url.lower(), f"*{pattern.lower()}*")


def _capped(points: int, count: int, cap: int | None) -> int:
    total = points * count
    if cap is None:
        return total
    return max(-cap, min(cap, total))


def _counts(rule, event: EventInput) -> bool:
    return not event.is_machine and event.event_type == rule.event_type and url_matches(rule.url_pattern, event.url)


def latest_burst(times: list[datetime], *, min_events: int, window_days: int) -> datetime | None:
    """The end of the latest run of ``min_events`` events within ``window_days`` days (the time
    of the event that completed it), or None when the lead never had such a run."""
    if len(times) < min_events:
        return None
    ordered = sorted(times)
    span = window_days * 86400
    for end in range(len(ordered) - 1, min_events - 2, -1):
        if (ordered[end] - ordered[end - min_events + 1]).total_seconds() <= span:
            return ordered[end]
    return None


def progression_hours(changes: list[StatusChange], *, from_status: str, to_status: str, now: datetime):
    """Hours from first entering ``from_status`` to first entering ``to_status`` after it, and
    whether ``to_status`` was reached (when not, the hours run up to ``now``); None when the
    lead never entered ``from_status``."""
    ordered = sorted(changes, key=lambda c: c.at)
    start = next((c.at for c in ordered if c.status == from_status), None)
    if start is None:
        return None
    end = next((c.at for c in ordered if c.status == to_status and c.at >= start), None)
    reached = end is not None
    return ((end if reached else now) - start).total_seconds() / 3600, reached


def progression_applies(rule: ProgressionRuleInput, changes: list[StatusChange], now: datetime) -> float | None:
    """The hours that earned the rule's points, or None when it does not apply: a "within" rule
    once ``to_status`` was reached in time; an "over" rule once it took (or is taking) longer."""
    measured = progression_hours(changes, from_status=rule.from_status, to_status=rule.to_status, now=now)
    if measured is None:
        return None
    hours, reached = measured
    if rule.within:
        return hours if reached and hours <= rule.threshold_hours else None
    return hours if hours > rule.threshold_hours else None


def compute(
    *,
    model: ModelInput,
    fit_rules: list[FitRuleInput],
    behaviour_rules: list[BehaviourRuleInput],
    events: list[EventInput],
    now: datetime,
    velocity_rules: list[VelocityRuleInput] = (),
    progression_rules: list[ProgressionRuleInput] = (),
    status_changes: list[StatusChange] = (),
) -> Result:
    """The lead's score and why: each rule that contributed, its points and the decay applied."""
    fit_lines = [{"rule": r.label, "points": r.points} for r in fit_rules if r.matched and r.points]
    fit_score = clamp(sum(line["points"] for line in fit_lines))

    behaviour_lines = []
    behaviour_total = 0.0
    for rule in behaviour_rules:
        per_day: dict = defaultdict(list)
        for event in events:
            if not _counts(rule, event):
                continue
            per_day[event.occurred_at.date()].append(event)
        if not per_day:
            continue
        raw = decayed = 0.0
        count = 0
        for day_events in per_day.values():
            day_points = _capped(rule.points, len(day_events), rule.daily_cap)
            # The day's (capped) points decay by the age of that day's newest event.
            age = (now - max(e.occurred_at for e in day_events)).total_seconds() / 86400
            raw += day_points
            decayed += day_points * decay_factor(age, model.decay_half_life_days)
            count += len(day_events)
        behaviour_total += decayed
        behaviour_lines.append(
            {"rule": rule.label, "events": count, "points": int(raw), "decayed_points": round(decayed, 2)}
        )

    velocity_lines = []
    for rule in velocity_rules:
        times = [e.occurred_at for e in events if _counts(rule, e)]
        end = latest_burst(times, min_events=rule.min_events, window_days=rule.window_days)
        if end is None:
            continue
        decayed = rule.points * decay_factor((now - end).total_seconds() / 86400, model.decay_half_life_days)
        behaviour_total += decayed
        velocity_lines.append(
            {"rule": rule.label, "points": rule.points, "decayed_points": round(decayed, 2), "at": end.isoformat()}
        )

    progression_lines = []
    for rule in progression_rules:
        hours = progression_applies(rule, status_changes, now)
        if hours is None:
            continue
        behaviour_total += rule.points
        progression_lines.append({"rule": rule.label, "points": rule.points, "hours": round(hours, 1)})
    behaviour_score = clamp(behaviour_total)

    weights = model.fit_weight + model.behaviour_weight
    combined = (model.fit_weight * fit_score + model.behaviour_weight * behaviour_score) / weights if weights > 0 else 0
    return Result(
        score=clamp(combined),
        grade=grade_for(fit_score),
        fit_score=fit_score,
        behaviour_score=behaviour_score,
        fit=fit_lines,
        behaviour=behaviour_lines,
        decay_half_life_days=model.decay_half_life_days,
        velocity=velocity_lines,
        progression=progression_lines,
    )
