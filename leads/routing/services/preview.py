"""Trying a rule without saving anything: which entry takes a record, and a dry run over leads."""

from __future__ import annotations

from dataclasses import dataclass

from core.criteria import (
    Evaluation,
)

from ...ownership import owner_label
from ..models import AssignmentRule, RuleEntry
from .assignment import _default_owner
from .rules import compiled_rule


@dataclass(frozen=True)
class EntryTrace:
    number: int
    entry: RuleEntry
    evaluation: Evaluation
    assignee: str


@dataclass(frozen=True)
class RuleTest:
    """Which entry would take the record, and why each earlier entry did not."""

    traces: list[EntryTrace]
    winner: EntryTrace | None
    default_owner: str


def entry_assignee_label(entry: RuleEntry) -> str:
    if entry.do_not_reassign:
        return "Keep the current owner"
    if entry.assign_to == RuleEntry.AssignTo.USER:
        return owner_label(entry.assign_user)
    if entry.assign_to == RuleEntry.AssignTo.QUEUE:
        return owner_label(entry.assign_queue)
    weighted = ", fewest open leads first" if entry.weighted else ""
    if entry.assign_to == RuleEntry.AssignTo.ROUND_ROBIN_QUEUE:
        return f"Round-robin: members of queue {entry.assign_queue}{weighted}"
    return f"Round-robin: group {entry.assign_group}{weighted}"


def rule_test(*, rule: AssignmentRule, record) -> RuleTest:
    """Evaluate every entry up to the first match on a lead or a dict of typed values (nothing is saved)."""
    compiled = compiled_rule(rule)
    traces = []
    winner = None
    for item in compiled.entries:
        trace = EntryTrace(item.number, item.entry, item.criteria.evaluate(record), entry_assignee_label(item.entry))
        traces.append(trace)
        if trace.evaluation.matched:
            winner = trace
            break
    default = _default_owner()
    return RuleTest(traces=traces, winner=winner, default_owner=owner_label(default) if default else "")


@dataclass(frozen=True)
class DryRun:
    total: int
    per_entry: list[tuple[int, RuleEntry, int]]
    unmatched: int


def rule_dry_run(*, rule: AssignmentRule, leads) -> DryRun:
    """How many of ``leads`` each entry would take (nothing is saved)."""
    compiled = compiled_rule(rule)
    counts = {item.number: 0 for item in compiled.entries}
    unmatched = total = 0
    for lead in leads:
        total += 1
        match = compiled.first_match(lead)
        if match is None:
            unmatched += 1
        else:
            counts[match.number] += 1
    return DryRun(
        total=total,
        per_entry=[(item.number, item.entry, counts[item.number]) for item in compiled.entries],
        unmatched=unmatched,
    )
