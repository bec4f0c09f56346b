"""What the rules mechanism needs to know about one kind of rule."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import RuleBase, RuleEntryBase


def _no_problems(entry) -> list[str]:
    return []


@dataclass(frozen=True)
class RuleKind:
    """One kind of rule (assignment, auto-response, ...).

    ``clean_action`` turns the kind's own entry input (everything but ``criteria`` and
    ``filter_logic``) into model field values, raising ``ValidationError({field: [...]})``;
    ``action_problems`` names what keeps a saved entry from acting now (an inactive user, a
    deactivated template), so that the rule is not activated with it.
    """

    key: str
    # "Assignment rule": used in messages such as "Assignment rule “Main”, entry 2 uses it."
    label: str
    rule_model: type[RuleBase]
    entry_model: type[RuleEntryBase]
    # The object whose fields the criteria test (a ``core.criteria`` object name).
    object_name: str
    # The case-insensitive unique constraint on the rule's name (``rule_name_unique_ci``).
    name_constraint: str
    clean_action: Callable[[dict], dict]
    action_problems: Callable[[Any], list[str]] = _no_problems
    # Relations of the entry read when the rule runs (joined once when the rule is compiled).
    entry_related: tuple[str, ...] = field(default=())

    @property
    def name_constraints(self) -> tuple[str, ...]:
        """Every unique constraint on the name: the case-insensitive one and the plain one."""
        return (self.name_constraint, f"{self.rule_model._meta.db_table}_name_key")


_kinds: dict[str, RuleKind] = {}


def register_kind(kind: RuleKind) -> RuleKind:
    """Register a kind (idempotent per key); answers it, so a module may keep it as a constant."""
    _kinds[kind.key] = kind
    return kind


def get_kind(key: str) -> RuleKind:
    return _kinds[key]


def registered_kinds() -> list[RuleKind]:
    return list(_kinds.values())
